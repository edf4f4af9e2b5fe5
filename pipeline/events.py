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
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from .store.filters import where
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
#: table columns: (field, keep) — the lower ``keep``, the sooner dropped on a narrow terminal
_TABLE: Final = (
    ("ts", None),
    ("actor.user", 90),
    ("gen_ai.tool.name", 85),
    ("outcome", None),
    ("source.name", 70),
    ("result_bytes", 60),
    ("duration_us", 55),
    ("actor.agent", 50),
    ("args_bytes", 45),
    ("mcp.method.name", 40),
    ("mcp.session.id", 35),
    ("trace_id", 30),
    ("source.kind", 25),
    ("args_fingerprint", 20),
    ("error.type", 15),
    ("event_id", 10),
)
_NUMERIC: Final = frozenset({"result_bytes", "args_bytes", "duration_us"})
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
        """The WHERE condition and its bound parameters (the store's one builder)."""
        return where(_CONDITIONS, **{f.name: getattr(self, f.name) for f in fields(self)})


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


def print_events(
    console: Console,
    events: Sequence[Mapping[str, Any]],
    *,
    as_json: bool = False,
    marked: Collection[str] = (),
) -> None:
    """Print events as a table fitting the console (events whose ``event_id`` is in ``marked``
    get a ``▶`` first column), or as JSON lines of contract events."""
    if as_json:
        for event in events:
            line = json.dumps(row_to_event(dict(event["_row"])), sort_keys=True, default=str)
            console.file.write(line + "\n")
        return
    from tooltrail._console import Column, fitted_table

    columns = [
        Column(f, keep=keep, justify="right" if f in _NUMERIC else "left") for f, keep in _TABLE
    ]
    if marked:
        columns.insert(0, Column("", keep=None))
    rows = []
    for event in events:
        style = _STYLE.get(str(event.get("outcome")))
        cells = [_cell(f, event.get(f)) for f, _ in _TABLE]
        row = [f"[{style}]{c}[/]" if style and c else c for c in cells]
        if marked:
            row.insert(0, "▶" if event.get("event_id") in marked else "")
        rows.append(row)
    console.print(fitted_table(columns, rows, console=console))
