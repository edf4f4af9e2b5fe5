"""tooltrail.report: what evidence this deployment holds, item by item of the security checklist."""
