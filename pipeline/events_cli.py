"""``tooltrail events``: the stored events, filtered, as a table or JSON lines; ``--follow``.

Reads the store the pipeline's options name (``--store-path`` / ``--clickhouse-url``); while
``tooltrail up`` holds the chDB store, through its read-only query endpoint. Column names are
the contract's field names. Exit 2 with one line for a bad option or an unreachable store.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from tooltrail._console import fail

from .errors import PipelineError
from .events import EventFilter, print_events, select_events
from .store import StoreConfig
from .store.options import ClickHouseUrl, Database, StorePath, open_store_option, parse_since

__all__ = [
    "Agent",
    "Outcome",
    "Server",
    "Session",
    "Since",
    "SourceName",
    "Tool",
    "Trace",
    "Until",
    "User",
    "events_command",
    "filter_from_options",
    "register",
]

_DEFAULT_STORE = Path(StoreConfig.path)


# the filter options every command over stored events shares (``events``, ``export``)
Since = Annotated[str | None, typer.Option(help="From: ISO time (UTC) or relative (30m, 1h, 7d).")]
Until = Annotated[str | None, typer.Option(help="Until (exclusive), same forms.")]
SourceName = Annotated[str | None, typer.Option("--source", help="source.name")]
Server = Annotated[
    str | None, typer.Option(help="MCP server: server.address or a server-side source.name")
]
Tool = Annotated[str | None, typer.Option(help="gen_ai.tool.name")]
User = Annotated[str | None, typer.Option(help="actor.user")]
Agent = Annotated[str | None, typer.Option(help="actor.agent (else actor.client)")]
Session = Annotated[str | None, typer.Option(help="mcp.session.id")]
Trace = Annotated[str | None, typer.Option(help="trace_id")]
Outcome = Annotated[str | None, typer.Option(help="ok | error | denied")]


def filter_from_options(
    since: str | None = None, until: str | None = None, **values: str | None
) -> EventFilter:
    """An :class:`EventFilter` from CLI option values (times: ISO or relative like ``1h``)."""
    try:
        return EventFilter(
            since_us=parse_since(since) if since else None,
            until_us=parse_since(until) if until else None,
            **values,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


def events_command(
    since: Since = None,
    until: Until = None,
    source: SourceName = None,
    server: Server = None,
    tool: Tool = None,
    user: User = None,
    agent: Agent = None,
    session: Session = None,
    trace: Trace = None,
    outcome: Outcome = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many (the newest).")] = 50,
    as_json: Annotated[
        bool, typer.Option("--json", help="JSON lines: the events as the contract defines them.")
    ] = False,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep printing new events.")] = (
        False
    ),
    interval: Annotated[float, typer.Option(help="Seconds between polls with --follow.")] = 1.0,
    store_path: StorePath = _DEFAULT_STORE,
    clickhouse_url: ClickHouseUrl = None,
    database: Database = StoreConfig.database,
) -> None:
    """The stored events, newest last: filter by time, source, server, tool, actor, session,
    trace, outcome."""
    from rich.console import Console

    where = filter_from_options(
        since, until, source=source, server=server, tool=tool, user=user, agent=agent,
        session=session, trace=trace, outcome=outcome,
    )  # fmt: skip
    console = Console(soft_wrap=as_json)
    with open_store_option(store_path, clickhouse_url, database) as store:
        try:
            events = select_events(store, where, limit=limit)
            print_events(console, events, as_json=as_json)
            if not events and not follow:
                typer.echo("no events match", err=True)
            last = max((e["_ingest_time"] for e in events), default=None)
            while follow:
                time.sleep(interval)
                new = select_events(store, where, limit=10_000, after_ingest=last)
                if new:
                    print_events(console, new, as_json=as_json)
                    last = max(e["_ingest_time"] for e in new)
        except PipelineError as exc:
            raise fail(str(exc)) from exc
        except KeyboardInterrupt:
            pass


def register(app: typer.Typer) -> None:
    app.command("events")(events_command)
