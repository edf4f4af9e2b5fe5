"""tooltrail.dashboards (see the issue tracker; not built yet)."""
