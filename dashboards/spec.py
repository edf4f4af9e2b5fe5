"""What a dashboard is made of, and how one becomes Grafana JSON through grafana-foundation-sdk.

A :class:`PanelSpec` holds a panel's SQL (for the ClickHouse plugin, with its macros and the
dashboard's variables) **and the columns it must return** (name and kind: ``time``, ``number``
or ``string``), so tests can run every panel against a real store and check what Grafana would
get. A :class:`DashboardSpec` is panels, variables and annotation queries under a fixed uid.
:func:`render` builds the dashboard with the SDK's builders and returns its JSON model.

SQL conventions: tables unqualified (the datasource's default database is the store's),
``$__timeFilter(time)`` on event time, dashboard variables through ``${name:sqlstring}``
(Grafana quotes and escapes the value) and :func:`is_any` for "all / empty means any".
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from grafana_foundation_sdk.builders import barchart, dashboard, stat, table, timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import (
    DashboardCursorSync,
    DynamicConfigValue,
    VariableOption,
    VariableRefresh,
)

from .query import DATASOURCE, ClickHouseQuery

__all__ = [
    "ALL",
    "DashboardSpec",
    "Kind",
    "Link",
    "PanelSpec",
    "Variable",
    "is_any",
    "render",
]

#: the value a variable holds when "All" is picked
ALL: Final = "__all"
Kind = Literal["time", "number", "string"]


def is_any(variable: str, column: str) -> str:
    """SQL: true when the variable is empty / All, else when ``column`` equals its value."""
    value = f"${{{variable}:sqlstring}}"
    return f"({value} IN ('', '{ALL}') OR {column} = {value})"


@dataclass(frozen=True)
class Link:
    """A data link on a table column; ``url`` may use ``${__value.raw}`` and the like."""

    column: str
    title: str
    url: str


@dataclass(frozen=True)
class Variable:
    """A dashboard variable: ``query`` (SQL: its first column lists the values, "All" added),
    ``custom`` (comma-separated values) or ``textbox`` (free text, empty = any)."""

    name: str
    label: str
    type: Literal["query", "custom", "textbox"]
    source: str = ""  # SQL for query, values for custom, default text for textbox
    default: str = ""


@dataclass(frozen=True)
class PanelSpec:
    title: str
    sql: str
    columns: tuple[tuple[str, Kind], ...]
    viz: Literal["timeseries", "table", "stat", "barchart"] = "table"
    description: str = ""
    width: int = 12
    height: int = 8
    unit: str = ""
    links: tuple[Link, ...] = ()
    #: time series: the plugin turns long rows (time, label, value) into one series per label
    time_series: bool = False


@dataclass(frozen=True)
class DashboardSpec:
    uid: str
    title: str
    description: str
    panels: tuple[PanelSpec, ...]
    variables: tuple[Variable, ...] = ()
    #: annotation queries: (name, SQL returning time, timeEnd, text, tags)
    annotations: tuple[tuple[str, str], ...] = ()
    tags: tuple[str, ...] = ("tooltrail",)
    time_from: str = "now-24h"
    links: tuple[tuple[str, str], ...] = field(default=())  # (title, url) at the top


def _variable(v: Variable) -> Any:
    if v.type == "textbox":
        return dashboard.TextBoxVariable(v.name).label(v.label).default_value(v.default)
    if v.type == "custom":
        first = v.default or v.source.split(",")[0]
        return (
            dashboard.CustomVariable(v.name)
            .label(v.label)
            .values(v.source)
            .current(VariableOption(selected=True, text=first, value=first))
        )
    return (
        dashboard.QueryVariable(v.name)
        .label(v.label)
        .query({"rawSql": v.source, "editorType": "sql", "format": 1, "queryType": "table"})
        .datasource(DATASOURCE)
        .include_all(True)
        .all_value(ALL)
        .refresh(VariableRefresh.ON_TIME_RANGE_CHANGED)
        .current(VariableOption(selected=True, text="All", value="$__all"))
    )


_VIZ: Final[dict[str, Any]] = {
    "timeseries": timeseries.Panel,
    "table": table.Panel,
    "stat": stat.Panel,
    "barchart": barchart.Panel,
}


def _panel(p: PanelSpec) -> Any:
    query = ClickHouseQuery(p.sql).format("time_series" if p.time_series else "table")
    panel = (
        _VIZ[p.viz]()
        .title(p.title)
        .datasource(DATASOURCE)
        .with_target(query)
        .span(p.width)
        .height(p.height)
    )
    if p.description:
        panel = panel.description(p.description)
    if p.unit:
        panel = panel.unit(p.unit)
    for link in p.links:
        value = [{"title": link.title, "url": link.url}]
        panel = panel.override_by_name(
            link.column, [DynamicConfigValue(id_val="links", value=value)]
        )
    return panel


def render(spec: DashboardSpec) -> dict[str, Any]:
    """The dashboard's JSON model (what Grafana stores and provisioning files hold)."""
    builder = (
        dashboard.Dashboard(spec.title)
        .uid(spec.uid)
        .description(spec.description)
        .tags(list(spec.tags))
        .time(spec.time_from, "now")
        .timezone("utc")
        .refresh("1m")
        .tooltip(DashboardCursorSync.CROSSHAIR)
        .readonly()
    )
    for variable in spec.variables:
        builder = builder.with_variable(_variable(variable))
    for title, url in spec.links:
        builder = builder.link(
            dashboard.DashboardLink(title).url(url).keep_time(True).include_vars(False)
        )
    for panel in spec.panels:
        builder = builder.with_panel(_panel(panel))
    model: dict[str, Any] = _no_nulls(
        json.loads(JSONEncoder(sort_keys=True).encode(builder.build()))
    )
    model["annotations"] = {"list": [_annotation(name, sql) for name, sql in spec.annotations]}
    return model


def _no_nulls(value: Any) -> Any:
    """The model without null members (Grafana's panels read a null ``options`` as an error)."""
    if isinstance(value, dict):
        return {k: _no_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_no_nulls(v) for v in value]
    return value


def _annotation(name: str, sql: str) -> dict[str, Any]:
    """A ClickHouse-backed annotation (the SDK's annotation target is Grafana's built-in one)."""
    return {
        "name": name,
        "datasource": DATASOURCE.to_json(),
        "enable": True,
        "iconColor": "red",
        "target": ClickHouseQuery(sql).format("table").build().to_json(),
    }


def panels_of(specs: Sequence[DashboardSpec]) -> list[tuple[DashboardSpec, PanelSpec]]:
    """Every (dashboard, panel) pair, for tests and measurements."""
    return [(d, p) for d in specs for p in d.panels]
