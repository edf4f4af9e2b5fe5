"""``tooltrail investigate ALERT_ID``: one alert's story from the terminal.

Prints, in order: the alert (severity, detector, entity, window, score, status) and its reason;
the features that drove it next to the entity's usual values; the timeline of the events
involved and around them — the alert's entity in its window widened by ``--around``, plus
every event of the sessions and traces the alert names (events the alert names are marked
``▶``); the host-side and server-side events of each call side by side (joined by trace);
the integrity of the streams involved (findings stored, checkpoint coverage); the Grafana
link. Reads the store like every read command (through ``tooltrail up`` while it holds it).
An unknown id exits 2 with one line naming it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tooltrail._console import fail
from tooltrail.pipeline.errors import PipelineError
from tooltrail.pipeline.events import EventFilter, print_events, select_events
from tooltrail.pipeline.store import StoreConfig
from tooltrail.pipeline.store.options import (
    ClickHouseUrl,
    Database,
    StorePath,
    open_store_option,
    parse_since,
)

from .alert import Alert
from .errors import AlertNotFound

if TYPE_CHECKING:
    from rich.console import Console

    from tooltrail.pipeline.store import Store

__all__ = ["entity_filter", "investigate_command", "register"]

_DEFAULT_STORE = Path(StoreConfig.path)


def entity_filter(alert: Alert, since_us: int, until_us: int) -> EventFilter:
    """The events of the alert's entity (its ``entity_kind`` says which fields make it up)."""
    parts = alert.entity.split("|")
    kind = alert.entity_kind
    by_kind: dict[str, dict[str, str]] = {
        "user": {"user": parts[0]},
        "user_tool": {"user": parts[0], "tool": parts[-1]},
        "agent": {"agent": parts[0]},
        "server_tool": {"source": parts[0], "tool": parts[-1]},
        "source": {"source": parts[0]},
        "stream": {"stream": parts[0]},
        "server": {"server": parts[0]},
        "tool": {"tool": parts[0]},
    }
    return EventFilter(since_us=since_us, until_us=until_us, **by_kind.get(kind, {}))


def _when(us: int) -> str:
    return datetime.fromtimestamp(us / 1e6, UTC).strftime("%Y-%m-%d %H:%M:%S")


def _involved(store: Store, alert: Alert, around_us: int, limit: int) -> list[dict[str, Any]]:
    """The entity's events around the window, plus the named sessions' and traces' events."""
    start, end = alert.window_start - around_us, alert.last_window_end + around_us
    found: dict[str, dict[str, Any]] = {}
    filters = [entity_filter(alert, start, end)]
    filters += [EventFilter(session=s) for s in alert.events.session_ids]
    filters += [EventFilter(trace=t) for t in alert.events.trace_ids]
    for where in filters:
        for event in select_events(store, where, limit=limit):
            found.setdefault(str(event["event_id"]), event)
    named = set(alert.events.event_ids)

    def distance(e: Mapping[str, Any]) -> tuple[bool, int]:  # named first, then nearest
        ts = int(e["ts"])
        return e["event_id"] not in named, max(alert.window_start - ts, ts - end + around_us, 0)

    kept = sorted(found.values(), key=distance)[:limit]
    return sorted(kept, key=lambda e: (e["ts"], e["event_id"]))


def _both_sides(events: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    """Per call (trace, method, tool) with both a host and a server event: the two side by side."""
    calls: dict[tuple[str, str, str], dict[str, Mapping[str, Any]]] = {}
    for e in events:
        trace = str(e.get("trace_id") or "")
        if trace:
            key = (trace, str(e.get("mcp.method.name")), str(e.get("gen_ai.tool.name") or ""))
            calls.setdefault(key, {})[str(e.get("source.kind"))] = e
    rows = []
    for (trace, method, tool), sides in calls.items():
        host, server = sides.get("host"), sides.get("server")
        if host is None or server is None:
            continue
        rows.append([
            trace[:12], tool or method,
            f"{host.get('source.name')} {host.get('outcome')} {host.get('duration_us')}µs",
            f"{server.get('source.name')} {server.get('outcome')} {server.get('duration_us')}µs",
        ])  # fmt: skip
    return rows


def _integrity(store: Store, events: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    """Per stream involved: findings stored for it, and whether a checkpoint covers its events."""
    last: dict[str, int] = {}
    for e in events:
        stream = str(e["stream_id"])
        last[stream] = max(last.get(stream, -1), int(e["seq"]))
    if not last:
        return []
    db = store.database
    sql = f"""SELECT s AS stream_id,
    ifNull((SELECT count() FROM {db}.integrity_findings FINAL WHERE stream_id = s), 0)
        AS findings,
    (SELECT arrayStringConcat(groupUniqArray(class), ', ') FROM {db}.integrity_findings FINAL
     WHERE stream_id = s) AS classes,
    ifNull((SELECT count() FROM {db}.checkpoints WHERE stream_id = s), 0) AS checkpoints,
    ifNull((SELECT max(seq) FROM {db}.checkpoints WHERE stream_id = s), 0) AS checkpoint_seq
FROM (SELECT arrayJoin({{streams:Array(String)}}) AS s) ORDER BY s"""  # noqa: S608
    frame = store.query_df(sql, {"streams": sorted(last)})
    rows = []
    for r in frame.itertuples(index=False):
        if int(r.checkpoints) == 0:
            vouched = "no checkpoint"
        elif int(r.checkpoint_seq) >= last[str(r.stream_id)]:
            vouched = f"vouched (checkpoint at seq {int(r.checkpoint_seq)})"
        else:
            vouched = f"unvouched after seq {int(r.checkpoint_seq)}"
        found = f"{int(r.findings)} ({r.classes})" if int(r.findings) else "none"
        rows.append([str(r.stream_id), found, vouched])
    return rows


def _print_alert(console: Console, alert: Alert) -> None:
    from tooltrail._console import Column, fitted_table

    console.print(
        f"[bold]{alert.severity.upper()}[/] · {alert.detector} · {alert.entity_kind} "
        f"[bold]{alert.entity}[/] · {_when(alert.window_start)} – {_when(alert.last_window_end)}"
        f" UTC · score {alert.score:.3g} · {alert.status} · seen {alert.count}×"
    )
    console.print(f"why: {alert.reason}")
    if alert.features:
        columns = [Column("feature", keep=None), Column("value", justify="right"),
                   Column("usual p50", justify="right"), Column("usual p99", justify="right"),
                   Column("baseline", keep=10)]  # fmt: skip
        rows = [[f.name, f"{f.value:.4g}", f"{f.baseline_p50:.4g}", f"{f.baseline_p99:.4g}",
                 f.basis] for f in alert.features]  # fmt: skip
        console.print(fitted_table(columns, rows, title="features", console=console))


def investigate_command(
    alert_id: Annotated[str, typer.Argument(help="The alert's id (see 'tooltrail alerts list').")],
    around: Annotated[
        str, typer.Option(help="Widen the alert's window by this much on each side (30m, 2h).")
    ] = "30m",
    limit: Annotated[int, typer.Option(min=1, help="At most this many timeline events.")] = 200,
    store_path: StorePath = _DEFAULT_STORE,
    clickhouse_url: ClickHouseUrl = None,
    database: Database = StoreConfig.database,
) -> None:
    """One alert: its reason and features, the events involved and around them, both sides of
    each call, the integrity of the streams involved, and the Grafana link."""
    from rich.console import Console

    from tooltrail._console import Column, fitted_table

    from .alertstore import AlertStore

    around_us = parse_since("0s", now=0) - parse_since(around, now=0)
    console = Console()
    with open_store_option(store_path, clickhouse_url, database) as store:
        try:
            alert = AlertStore(store).get(alert_id)
            events = _involved(store, alert, around_us, limit)
            sides = _both_sides(events)
            integrity = _integrity(store, events)
        except AlertNotFound as exc:
            raise fail(str(exc)) from exc
        except PipelineError as exc:
            raise fail(str(exc)) from exc
    _print_alert(console, alert)
    named = set(alert.events.event_ids)
    console.print(
        f"\n[bold]timeline[/]: {len(events)} event(s) — {alert.entity_kind} {alert.entity} "
        f"± {around}, the alert's {len(alert.events.session_ids)} session(s) and "
        f"{len(alert.events.trace_ids)} trace(s); ▶ = named by the alert"
    )
    print_events(console, events, marked=named)
    if sides:
        columns = [Column("trace_id", keep=None), Column("call", keep=None),
                   Column("host side"), Column("server side")]  # fmt: skip
        console.print(
            fitted_table(columns, sides, title="both sides of each call", console=console)
        )
    columns = [Column("stream_id", keep=None, whole=True), Column("findings", keep=None),
               Column("checkpoints", keep=None, flex=True)]  # fmt: skip
    console.print(fitted_table(columns, integrity, title="integrity of the streams involved",
                               console=console))  # fmt: skip
    if alert.link:
        console.print(f"grafana: {alert.link}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("investigate")(investigate_command)
