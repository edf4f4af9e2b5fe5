"""tooltrail.detectors (see the issue tracker; not built yet)."""
