"""Stored events as people read them: filtered, newest last, under the contract's field names.

:class:`EventFilter` says which events (time range, source, server, tool, user, agent, session,
trace, outcome); :func:`select_events` runs one parameterized SELECT (values are bound, never
interpolated) and returns rows keyed by **contract field names** (``actor.user``,
``gen_ai.tool.name``, …; ``rows.FIELD_COLUMNS``), ``ts`` in µs. :func:`print_events` renders
them as a table that fits the console (80 columns and more as the terminal grows: columns are
added by priority) or as JSON lines of the rebuilt contract events.

A bad filter value raises ``ValueError`` naming the option; store errors are
``StoreUnavailable``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from .store.rows import EVENT_COLUMN_NAMES, FIELD_COLUMNS, row_to_event

if TYPE_CHECKING:
    from rich.console import Console

    from .store import Store

__all__ = ["COLUMN_FIELDS", "OUTCOMES", "EventFilter", "print_events", "select_events"]

#: events column → contract field name
COLUMN_FIELDS: Final[Mapping[str, str]] = {c: f for f, c in FIELD_COLUMNS.items()}
OUTCOMES: Final = ("ok", "error", "denied")
#: filter attribute → SQL condition over the events columns (values bound as {name:Type})
_CONDITIONS: Final = {
    "source": "source_name = {source:String}",
    "server": "(server_address = {server:String}"
    " OR (source_kind = 'server' AND source_name = {server:String}))",
    "tool": "tool = {tool:String}",
    "user": "user = {user:String}",
    "agent": "(agent = {agent:String} OR (agent = '' AND client = {agent:String}))",
    "session": "session_id = {session:String}",
    "trace": "trace_id = {trace:String}",
    "outcome": "outcome = {outcome:String}",
    "stream": "stream_id = {stream:String}",
    "since_us": "ts >= {since_us:UInt64}",
    "until_us": "ts < {until_us:UInt64}",
}
#: table columns: (field, minimum width), most important first; added while they fit
_TABLE: Final = (
    ("ts", 15),
    ("actor.user", 10),
    ("gen_ai.tool.name", 16),
    ("outcome", 7),
    ("source.name", 12),
    ("result_bytes", 8),
    ("duration_us", 8),
    ("actor.agent", 12),
    ("args_bytes", 8),
    ("mcp.method.name", 12),
    ("mcp.session.id", 14),
    ("trace_id", 14),
    ("source.kind", 6),
    ("args_fingerprint", 14),
    ("error.type", 12),
    ("event_id", 14),
)
_STYLE: Final = {"error": "yellow", "denied": "bold red"}


@dataclass(frozen=True)
class EventFilter:
    """Which events: every field that is set must match (``since_us`` inclusive, ``until_us``
    exclusive, µs of event time); ``source`` is ``source.name``, ``server`` the MCP server
    (``server.address``, or the name of a server-side source), ``agent`` the agent or, when
    none is named, the client."""

    since_us: int | None = None
    until_us: int | None = None
    source: str | None = None
    server: str | None = None
    tool: str | None = None
    user: str | None = None
    agent: str | None = None
    session: str | None = None
    trace: str | None = None
    outcome: str | None = None
    stream: str | None = None

    def __post_init__(self) -> None:
        if self.outcome is not None and self.outcome not in OUTCOMES:
            raise ValueError(
                f"--outcome must be one of {', '.join(OUTCOMES)}, not {self.outcome!r}"
            )
        for name in ("since_us", "until_us"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must not be negative")

    def where(self) -> tuple[str, dict[str, Any]]:
        """The WHERE condition and its bound parameters."""
        parts, params = ["1"], {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None:
                parts.append(_CONDITIONS[f.name])
                params[f.name] = value
        return " AND ".join(parts), params


def select_events(
    store: Store,
    where: EventFilter,
    *,
    limit: int = 50,
    after_ingest: datetime | None = None,
) -> list[dict[str, Any]]:
    """The newest ``limit`` matching events in event-time order, keyed by contract field
    names, plus ``_ingest_time`` (for following). ``after_ingest``: only events stored later."""
    if limit < 1:
        raise ValueError("--limit must be at least 1")
    cond, params = where.where()
    if after_ingest is not None:
        cond += " AND ingest_time > {after:DateTime64(6, 'UTC')}"
        params["after"] = after_ingest
    cols = ", ".join(f"`{c}`" for c in EVENT_COLUMN_NAMES)
    sql = (
        f"SELECT * FROM (SELECT {cols}, ingest_time FROM {store.database}.events FINAL"  # noqa: S608
        f" WHERE {cond} ORDER BY ts DESC, event_id DESC LIMIT {int(limit)})"
        " ORDER BY ts, event_id"
    )
    out = []
    for named in store.query_dicts(sql, params):
        ingest = named.pop("ingest_time")
        event = {COLUMN_FIELDS.get(c, c): v for c, v in named.items() if c in COLUMN_FIELDS}
        event["_row"] = named
        event["_ingest_time"] = ingest
        out.append(event)
    return out


def _cell(field: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if field == "ts":
        return datetime.fromtimestamp(int(value) / 1e6, UTC).strftime("%m-%d %H:%M:%S")
    if field in ("mcp.session.id", "trace_id", "args_fingerprint", "event_id", "span_id"):
        return str(value)[:12]
    return str(value)


def table_fields(width: int) -> list[str]:
    """The table's columns for a console ``width`` characters wide (at least the first four)."""
    chosen: list[str] = []
    used = 0
    for field, size in _TABLE:
        need = max(size, len(field)) if field != "ts" else size
        if len(chosen) >= 4 and used + need + 2 > width:
            continue
        chosen.append(field)
        used += need + 2
    return chosen


def print_events(
    console: Console, events: Sequence[Mapping[str, Any]], *, as_json: bool = False
) -> None:
    """Print events as a table fitting the console, or as JSON lines of contract events."""
    if as_json:
        for event in events:
            line = json.dumps(row_to_event(dict(event["_row"])), sort_keys=True, default=str)
            console.file.write(line + "\n")
        return
    from rich.table import Table

    shown = table_fields(console.width)
    table = Table(box=None, pad_edge=False, header_style="bold", show_edge=False)
    for field in shown:
        numeric = field in ("result_bytes", "args_bytes", "duration_us")
        table.add_column(
            field, no_wrap=True, overflow="ellipsis", justify="right" if numeric else "left"
        )
    for event in events:
        style = _STYLE.get(str(event.get("outcome")), None)
        table.add_row(*(_cell(f, event.get(f)) for f in shown), style=style)
    console.print(table)
