"""Queries for Grafana's ClickHouse plugin (``grafana-clickhouse-datasource``), and their
expansion the way Grafana and the plugin expand them.

``grafana-foundation-sdk`` has no query type for this plugin, so :class:`ClickHouseQuery` builds
one small dataquery for the plugin's query model: raw SQL (``editorType: sql``), ``format``
(0 time series, 1 table) and ``queryType``, through the SDK's ``cog.variants.Dataquery``.

:func:`expand` turns a panel's SQL into what ClickHouse receives: first Grafana interpolates the
dashboard variables (``$name``, ``${name}``, ``${name:sqlstring}``, ``${name:singlequote}``,
``${name:raw}``), then the plugin's backend expands its macros — ``$__timeFilter(col)``,
``$__timeFilter_ms(col)``, ``$__fromTime``, ``$__toTime``, ``$__fromTime_ms``, ``$__toTime_ms``,
``$__timeInterval(col)``, ``$__timeInterval_ms(col)``, ``$__interval_s``, ``$__dateFilter(col)``
— with the same text the plugin writes (``toDateTime(<unix s>)``,
``fromUnixTimestamp64Milli(<ms>)``, ``toStartOfInterval(toDateTime(col), INTERVAL n second)``).
Tests run every panel through it against a real store; an unknown macro or variable raises
``ValueError`` naming it, as the plugin would fail the query.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Literal, Self

from grafana_foundation_sdk.cog import builder as cogbuilder
from grafana_foundation_sdk.cog import variants as cogvariants
from grafana_foundation_sdk.models.dashboard import DataSourceRef

__all__ = [
    "DATASOURCE",
    "DATASOURCE_TYPE",
    "DATASOURCE_UID",
    "ClickHouseDataquery",
    "ClickHouseQuery",
    "expand",
]

DATASOURCE_TYPE: Final = "grafana-clickhouse-datasource"
#: the datasource's uid in provisioning/datasources/tooltrail.yaml and `dashboards push`
DATASOURCE_UID: Final = "tooltrail-clickhouse"
DATASOURCE: Final = DataSourceRef(type_val=DATASOURCE_TYPE, uid=DATASOURCE_UID)

Format = Literal["time_series", "table"]
_FORMATS: Final = {"time_series": 0, "table": 1}
_QUERY_TYPES: Final = {"time_series": "timeSeries", "table": "table"}


class ClickHouseDataquery(cogvariants.Dataquery):
    """The plugin's query model (``CHSqlQuery``): what a panel target holds."""

    def __init__(self, raw_sql: str = "", fmt: Format = "table", ref_id: str = "A") -> None:
        self.raw_sql = raw_sql
        self.format = fmt
        self.ref_id = ref_id

    def to_json(self) -> dict[str, object]:
        return {
            "refId": self.ref_id,
            "datasource": DATASOURCE.to_json(),
            "editorType": "sql",
            "rawSql": self.raw_sql,
            "format": _FORMATS[self.format],
            "queryType": _QUERY_TYPES[self.format],
        }


class ClickHouseQuery(cogbuilder.Builder[ClickHouseDataquery]):
    """Builder for :class:`ClickHouseDataquery`, used like the SDK's own query builders."""

    def __init__(self, raw_sql: str = "") -> None:
        self._internal = ClickHouseDataquery(raw_sql)

    def build(self) -> ClickHouseDataquery:
        return self._internal

    def raw_sql(self, sql: str) -> Self:
        self._internal.raw_sql = sql
        return self

    def format(self, fmt: Format) -> Self:
        self._internal.format = fmt
        return self

    def ref_id(self, ref_id: str) -> Self:
        self._internal.ref_id = ref_id
        return self


_VARIABLE = re.compile(r"\$\{(\w+)(?::(\w+))?\}|\$(\w+)")
_MACRO = re.compile(r"\$__(\w+)\b")


@dataclass(frozen=True)
class _Range:
    start: datetime
    end: datetime
    interval_ms: int


def _seconds(t: datetime) -> int:
    return int(t.timestamp())


def _millis(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def _one(name: str, args: list[str]) -> str:
    if len(args) != 1:
        raise ValueError(f"macro $__{name}: expected 1 argument, received {len(args)}")
    return args[0]


def _macro(name: str, args: list[str], r: _Range) -> str:
    """One macro's text, as grafana-clickhouse-datasource's pkg/macros writes it."""
    lo_s, hi_s = f"toDateTime({_seconds(r.start)})", f"toDateTime({_seconds(r.end)})"
    lo_ms = f"fromUnixTimestamp64Milli({_millis(r.start)})"
    hi_ms = f"fromUnixTimestamp64Milli({_millis(r.end)})"
    seconds = max(r.interval_ms // 1000, 1)
    if name == "fromTime":
        return lo_s
    if name == "toTime":
        return hi_s
    if name == "fromTime_ms":
        return lo_ms
    if name == "toTime_ms":
        return hi_ms
    if name == "timeFilter":
        col = _one(name, args)
        return f"{col} >= {lo_s} AND {col} <= {hi_s}"
    if name == "timeFilter_ms":
        col = _one(name, args)
        return f"{col} >= {lo_ms} AND {col} <= {hi_ms}"
    if name == "dateFilter":
        col = _one(name, args)
        day = "toDate('{:%Y-%m-%d}')"
        return f"{col} >= {day.format(r.start)} AND {col} <= {day.format(r.end)}"
    if name == "timeInterval":
        col = _one(name, args)
        return f"toStartOfInterval(toDateTime({col}), INTERVAL {seconds} second)"
    if name == "timeInterval_ms":
        col = _one(name, args)
        ms = max(r.interval_ms, 1)
        return f"toStartOfInterval(toDateTime64({col}, 3), INTERVAL {ms} millisecond)"
    if name == "interval_s":
        return str(seconds)
    raise ValueError(f"unknown macro $__{name}")


def _args(text: str) -> tuple[list[str], int]:
    """A bracketed argument list at the start of ``text``: (trimmed args, length consumed)."""
    if not text.startswith("("):
        return [], 0
    depth = 0
    current: list[str] = []
    args: list[str] = []
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
            if depth == 1:
                continue
        elif ch == ")":
            depth -= 1
            if depth == 0:
                args.append("".join(current).strip())
                return [a for a in args if a], i + 1
        elif ch == "," and depth == 1:
            args.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    raise ValueError("failed to parse macro arguments (missing close bracket?)")


def _format_value(value: str, fmt: str | None, name: str) -> str:
    if fmt is None or fmt == "raw":
        return value
    if fmt in ("sqlstring", "singlequote"):
        escaped = value.replace("'", "''") if fmt == "sqlstring" else value.replace("'", "\\'")
        return f"'{escaped}'"
    raise ValueError(f"variable {name}: format {fmt!r} is not one the dashboards use")


def expand(
    sql: str,
    *,
    start: datetime,
    end: datetime,
    interval_ms: int = 60_000,
    variables: Mapping[str, Any] | None = None,
) -> str:
    """The SQL ClickHouse receives for a panel over ``[start, end]`` with these variable values
    (Grafana interpolates variables first, then the plugin expands its macros)."""
    values = {k: str(v) for k, v in (variables or {}).items()}

    def variable(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(3)
        if name.startswith("__"):
            return m.group(0)  # a macro: the plugin's turn
        if name not in values:
            raise ValueError(f"dashboard variable ${name} has no value")
        return _format_value(values[name], m.group(2), name)

    text = _VARIABLE.sub(variable, sql)
    r = _Range(start.astimezone(UTC), end.astimezone(UTC), interval_ms)
    out, pos = [], 0
    for m in _MACRO.finditer(text):
        if m.start() < pos:
            continue
        args, length = _args(text[m.end() :])
        out.append(text[pos : m.start()])
        out.append(_macro(m.group(1), args, r))
        pos = m.end() + length
    out.append(text[pos:])
    return "".join(out)
