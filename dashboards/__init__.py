"""tooltrail.dashboards: Grafana dashboards as code for the ClickHouse datasource plugin.

Four dashboards (:data:`DASHBOARDS`), each a :class:`~.spec.DashboardSpec` whose panels carry
their SQL and the columns it must return: Overview, Investigation (where alert links land),
Integrity, Detectors. ``tooltrail dashboards build`` writes their JSON where Grafana's
provisioning loads it; ``tooltrail dashboards push`` creates or updates them (and the
datasource and folder) through Grafana's HTTP API. Dashboards only read the store.

Importing this package loads ``grafana-foundation-sdk`` (the ``dashboards`` extra).
"""

from __future__ import annotations

from typing import Any, Final

from .detectors import DETECTORS
from .integrity import INTEGRITY
from .investigation import INVESTIGATION
from .overview import OVERVIEW
from .query import expand
from .spec import DashboardSpec, PanelSpec, render

__all__ = [
    "DASHBOARDS",
    "DETECTORS",
    "INTEGRITY",
    "INVESTIGATION",
    "OVERVIEW",
    "DashboardSpec",
    "PanelSpec",
    "build_all",
    "expand",
    "render",
]

DASHBOARDS: Final = (OVERVIEW, INVESTIGATION, INTEGRITY, DETECTORS)


def build_all() -> dict[str, dict[str, Any]]:
    """uid → the dashboard's JSON model, for every dashboard."""
    return {spec.uid: render(spec) for spec in DASHBOARDS}
