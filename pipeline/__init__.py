"""tooltrail.pipeline (see the issue tracker; not built yet)."""
