"""``tooltrail alerts list|show|ack|false-positive``: read and label the stored alerts.

``register(root)`` mounts the ``alerts`` sub-app. The store options are the pipeline's
(``--store-path``, ``--clickhouse-url``, ``--database`` and their ``TOOLTRAIL_*`` variables).
An unknown id exits with code 2 and one line naming it; so does a store that cannot be opened.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from tooltrail._console import Column, fitted_table
from tooltrail._console import fail as _fail
from tooltrail.pipeline.errors import PipelineError
from tooltrail.pipeline.store import StoreConfig
from tooltrail.pipeline.store.options import (
    ClickHouseUrl,
    Database,
    StorePath,
    open_store_option,
    parse_since,
)

from .alert import SEVERITIES, Alert
from .alertstore import AlertRecord, AlertStore
from .errors import AlertNotFound

__all__ = ["alerts_app", "register"]

alerts_app = typer.Typer(
    name="alerts",
    help="The stored alerts: list, show, acknowledge, label false positives.",
    no_args_is_help=True,
)

_DEFAULT_STORE = Path(StoreConfig.path)
_STATUSES = ("open", "acked", "false_positive")
_STYLE = {"low": "dim", "medium": "yellow", "high": "bold red", "critical": "bold white on red"}
AlertId = Annotated[str, typer.Argument(help="The alert's id (see 'tooltrail alerts list').")]


@contextmanager
def _alerts(store_path: Path, url: str | None, database: str) -> Iterator[AlertStore]:
    """An AlertStore over the store; unknown ids and store errors become one-line exits."""
    with open_store_option(store_path, url, database) as store:
        try:
            yield AlertStore(store)
        except AlertNotFound as exc:
            raise _fail(str(exc)) from exc
        except PipelineError as exc:
            raise _fail(str(exc)) from exc


def _when(us: int, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    return datetime.fromtimestamp(us // 1_000_000, UTC).strftime(fmt)


def _window(alert: Alert, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """``start – end`` (UTC) from the first window's start to the last merged window's end;
    the end's date is left out when it is the start's."""
    start, end = _when(alert.window_start, fmt), _when(alert.last_window_end, fmt)
    return f"{start} – {end[11:] if start[:10] == end[:10] else end}"


def _choice(value: str | None, allowed: tuple[str, ...], option: str) -> str | None:
    if value is not None and value not in allowed:
        raise typer.BadParameter(f"must be one of {', '.join(allowed)}", param_hint=option)
    return value


def _as_dict(record: AlertRecord) -> dict[str, Any]:
    return {
        **record.alert.to_dict(),
        "note": record.note,
        "acked_by": record.acked_by,
        "created": _when(record.created_us) + "Z",
        "updated": _when(record.updated_us) + "Z",
    }


@alerts_app.command("list")
def list_command(
    status: Annotated[
        str | None, typer.Option(help="Only this status: open, acked or false_positive.")
    ] = None,
    severity: Annotated[
        str | None, typer.Option(help="Only this severity: low, medium, high or critical.")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Windows starting from this time: ISO, or relative (24h).")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many alerts.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (one list).")] = False,
    store_path: StorePath = _DEFAULT_STORE,
    clickhouse_url: ClickHouseUrl = None,
    database: Database = StoreConfig.database,
) -> None:
    """List the alerts, newest first."""
    _choice(status, _STATUSES, "--status")
    _choice(severity, SEVERITIES, "--severity")
    since_us = parse_since(since) if since else None
    with _alerts(store_path, clickhouse_url, database) as alerts:
        found = alerts.list(status=status, severity=severity, since_us=since_us, limit=limit)
    if as_json:
        typer.echo(json.dumps([a.to_dict() for a in found], indent=2))
        return
    columns = [
        Column("id", keep=None, whole=True),  # never cut: it is what ack takes
        Column("severity", keep=None),
        Column("detector", keep=60),
        Column("entity", keep=70),
        Column("window (UTC)", keep=40),
        Column("score", keep=10, justify="right"),
        Column("count", keep=20, justify="right"),
        Column("status", keep=30),
        Column("reason", keep=None, flex=True, wrap=True, min_width=30),
    ]
    rows = [
        [
            a.id, f"[{_STYLE[a.severity]}]{a.severity}[/]", a.detector, a.entity,
            _window(a, "%Y-%m-%d %H:%M"), f"{a.score:.3g}", str(a.count), a.status, a.reason,
        ]
        for a in found
    ]  # fmt: skip
    console = Console()
    console.print(fitted_table(columns, rows, title=f"{len(found)} alert(s)", console=console))


@alerts_app.command("show")
def show_command(
    alert_id: AlertId,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    store_path: StorePath = _DEFAULT_STORE,
    clickhouse_url: ClickHouseUrl = None,
    database: Database = StoreConfig.database,
) -> None:
    """Show one alert: every field, its features against the baseline, its events, its link."""
    with _alerts(store_path, clickhouse_url, database) as alerts:
        record = alerts.record(alert_id)
    if as_json:
        typer.echo(json.dumps(_as_dict(record), indent=2))
        return
    a = record.alert
    console = Console(soft_wrap=True, highlight=False)
    console.print(f"[bold]alert {a.id}[/]  [{_STYLE[a.severity]}]{a.severity}[/]  {a.status}")
    fields = {
        "reason": a.reason,
        "detector": a.detector,
        "entity": f"{a.entity} ({a.entity_kind})",
        "window": _window(a) + " UTC",
        "score": f"{a.score:.4g}",
        "count": f"{a.count} (windows merged by the cooldown)",
        "group": a.group,
        "dedupe key": a.dedupe_key,
        "acked by": record.acked_by,
        "note": record.note,
        "stored": f"{_when(record.created_us)} UTC, updated {_when(record.updated_us)} UTC",
        "link": a.link,
    }
    for name, value in fields.items():
        if value:
            console.print(f"  {name + ':':12} {value}")
    if a.features:
        table = Table(title="features (baseline p50 / p99)", title_justify="left")
        for column in ("feature", "value", "p50", "p99", "basis"):
            table.add_column(column, justify="left" if column in ("feature", "basis") else "right")
        for f in a.features:
            table.add_row(
                f.name, f"{f.value:.4g}", f"{f.baseline_p50:.4g}", f"{f.baseline_p99:.4g}", f.basis
            )
        console.print(table)
    ev = a.events
    console.print(f"  events:      {ev.count}")
    for label, ids in (("event ids", ev.event_ids), ("sessions", ev.session_ids),
                       ("traces", ev.trace_ids)):  # fmt: skip
        if ids:
            console.print(f"  {label + ':':12} {', '.join(ids)}")


@alerts_app.command("ack")
def ack_command(
    alert_id: AlertId,
    by: Annotated[str | None, typer.Option("--by", help="Who acknowledges it.")] = None,
    store_path: StorePath = _DEFAULT_STORE,
    clickhouse_url: ClickHouseUrl = None,
    database: Database = StoreConfig.database,
) -> None:
    """Acknowledge an alert."""
    with _alerts(store_path, clickhouse_url, database) as alerts:
        alert = alerts.ack(alert_id, by=by)
    typer.echo(f"acked {alert.id} ({alert.detector} on {alert.entity})")


@alerts_app.command("false-positive")
def false_positive_command(
    alert_id: AlertId,
    note: Annotated[str | None, typer.Option("--note", help="Why it is not a problem.")] = None,
    store_path: StorePath = _DEFAULT_STORE,
    clickhouse_url: ClickHouseUrl = None,
    database: Database = StoreConfig.database,
) -> None:
    """Label an alert a false positive: its repeats are suppressed and the next fit learns it."""
    with _alerts(store_path, clickhouse_url, database) as alerts:
        alert = alerts.false_positive(alert_id, note=note)
    typer.echo(f"labelled {alert.id} a false positive ({alert.detector} on {alert.entity})")


def register(app: typer.Typer) -> None:
    """Mount ``tooltrail alerts`` into the ``tooltrail`` command."""
    app.add_typer(alerts_app, name="alerts")
