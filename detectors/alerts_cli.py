"""``tooltrail alerts list|show|ack|false-positive``: read and label the stored alerts;
``announce|announcements|withdraw``: the change calendar (``announce.py``).

``register(root)`` mounts the ``alerts`` sub-app. The store options are the pipeline's
(``--store-path``, ``--clickhouse-url``, ``--database`` and their ``TOOLTRAIL_*`` variables).
An unknown id exits with code 2 and one line naming it; so does a store that cannot be opened,
and an announcement refused (the line names the option: ``--until``, ``--families``, ...).
"""

from __future__ import annotations

import getpass
import json
import re
import time
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
from .announce import KINDS, Announcement, parse_families
from .errors import AlertNotFound, AnnouncementError
from .settings import DetectSettings

__all__ = ["alerts_app", "register"]

alerts_app = typer.Typer(
    name="alerts",
    help="The stored alerts: list, show, acknowledge, label false positives; announce activity.",
    no_args_is_help=True,
)

_DEFAULT_STORE = Path(StoreConfig.path)
_STATUSES = ("open", "acked", "false_positive")
_STYLE = {"low": "dim", "medium": "yellow", "high": "bold red", "critical": "bold white on red"}
AlertId = Annotated[str, typer.Argument(help="The alert's id (see 'tooltrail alerts list').")]


#: the option of ``tooltrail alerts announce|withdraw`` behind each AnnouncementError field
_OPTIONS = {"actors": "--actor", "start": "--from", "end": "--until", "families": "--families",
            "reason": "--reason", "by": "--by", "id": "ID"}  # fmt: skip


@contextmanager
def _alerts(
    store_path: Path, url: str | None, database: str, *, max_us: int | None = None
) -> Iterator[AlertStore]:
    """An AlertStore over the store; unknown ids, refused announcements and store errors
    become one-line exits."""
    with open_store_option(store_path, url, database) as store:
        try:
            if max_us is None:
                yield AlertStore(store)
            else:
                yield AlertStore(store, announce_max_us=max_us)
        except AlertNotFound as exc:
            raise _fail(str(exc)) from exc
        except AnnouncementError as exc:
            raise _fail(_refused(exc)) from exc
        except PipelineError as exc:
            raise _fail(str(exc)) from exc


def _refused(exc: AnnouncementError) -> str:
    return f"{_OPTIONS.get(exc.field, exc.field)}: {str(exc).removeprefix(exc.field + ': ')}"


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


def _was(alert: Alert) -> str:
    """`` (was high)`` for an alert an announcement demoted."""
    return f" (was {alert.original_severity})" if alert.original_severity else ""


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
            a.id, f"[{_STYLE[a.severity]}]{a.severity}[/]" + _was(a), a.detector, a.entity,
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
        "announced": f"{a.announcement} (severity was {a.original_severity})"
        if a.original_severity
        else a.announcement,
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


# -- announced activity (the change calendar) -------------------------------------------------

_RELATIVE = re.compile(r"\+\s*\d+\s*[smhdw]\Z")


def _moment(text: str, option: str, now_s: float) -> int:
    """µs since the epoch: ISO (UTC unless it says), ``now``, ``+4h`` (from now), ``30m`` or
    ``-30m`` (ago). Anything else: a usage error naming ``option``."""
    t = text.strip()
    try:
        if t == "now":
            return int(now_s * 1e6)
        if t.startswith("+"):
            if not _RELATIVE.match(t):
                raise typer.BadParameter("")
            return 2 * int(now_s * 1e6) - parse_since(t[1:], now=now_s)
        return parse_since(t.removeprefix("-"), now=now_s)
    except typer.BadParameter as exc:
        raise _fail(
            f"{option}: {text!r} must be an ISO time (2026-01-31T10:00Z), 'now', or relative: "
            "+4h (from now), 30m (ago)"
        ) from exc


def _announcement_row(a: Announcement, now_us: int) -> list[str]:
    if a.withdrawn_us is not None:
        state = f"withdrawn {_when(a.withdrawn_us, '%m-%d %H:%M')} by {a.withdrawn_by}"
    else:
        state = "ended" if a.end_us <= now_us else "active" if a.start_us <= now_us else "upcoming"
    families = "all" if a.families == KINDS else ", ".join(a.families)
    span = f"{_when(a.start_us, '%Y-%m-%d %H:%M')} – {_when(a.end_us, '%Y-%m-%d %H:%M')}"
    return [a.id, ", ".join(a.actors), span, families, a.by, _when(a.created_us), state, a.reason]


@alerts_app.command("announce")
def announce_command(
    actor: Annotated[
        list[str], typer.Option("--actor", help="A user whose activity is announced (repeat).")
    ],
    start: Annotated[
        str, typer.Option("--from", help="From: ISO (UTC unless it says), now, +1h, 30m (ago).")
    ],
    until: Annotated[str, typer.Option("--until", help="Until: ISO, +4h (from now), ...")],
    reason: Annotated[
        str, typer.Option("--reason", help="Why, with the ticket: 'CHG-123 approved clean-up'.")
    ],
    families: Annotated[
        list[str] | None,
        typer.Option(help=f"Only these alert kinds (comma-separated): {', '.join(KINDS)}."),
    ] = None,
    by: Annotated[str | None, typer.Option("--by", help="Who files it (your login).")] = None,
    store_path: StorePath = _DEFAULT_STORE,
    clickhouse_url: ClickHouseUrl = None,
    database: Database = StoreConfig.database,
) -> None:
    """Announce activity (a pentest, a ticketed clean-up or migration): the actors' alerts in
    that window are stored as low, not paged (never critical or integrity alerts), and only
    for windows ending after now. Prints the announcement's id."""
    now_s = time.time()
    start_us, end_us = _moment(start, "--from", now_s), _moment(until, "--until", now_s)
    try:
        kinds = parse_families(families or ())
    except AnnouncementError as exc:
        raise _fail(_refused(exc)) from exc
    max_us = DetectSettings().announce_max_us
    with _alerts(store_path, clickhouse_url, database, max_us=max_us) as alerts:
        ann = alerts.announce(actor, start_us, end_us, reason, by=by or getpass.getuser(),
                              families=kinds)  # fmt: skip
    typer.echo(ann.id)
    typer.echo(f"announced {', '.join(ann.actors)} until {_when(ann.end_us)} UTC", err=True)


@alerts_app.command("announcements")
def announcements_command(
    show_all: Annotated[
        bool, typer.Option("--all", help="Also the ended and withdrawn ones.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (one list).")] = False,
    store_path: StorePath = _DEFAULT_STORE,
    clickhouse_url: ClickHouseUrl = None,
    database: Database = StoreConfig.database,
) -> None:
    """List the announcements still in force (upcoming or active), newest filed first."""
    now_us = int(time.time() * 1e6)
    with _alerts(store_path, clickhouse_url, database) as alerts:
        found = [a for a in alerts.calendar.all() if show_all or a.ends_us > now_us]
    if as_json:
        typer.echo(json.dumps([a.to_dict() for a in found], indent=2))
        return
    columns = [
        Column("id", keep=None, whole=True),  # never cut: it is what withdraw takes
        Column("actors", keep=70),
        Column("window (UTC)", keep=60),
        Column("families", keep=20),
        Column("by", keep=50),
        Column("filed (UTC)", keep=15),
        Column("state", keep=40),
        Column("reason", keep=None, flex=True, wrap=True, min_width=30),
    ]
    rows = [_announcement_row(a, now_us) for a in found]
    console = Console()
    title = f"{len(found)} announcement(s)"
    console.print(fitted_table(columns, rows, title=title, console=console))


@alerts_app.command("withdraw")
def withdraw_command(
    announcement_id: Annotated[
        str, typer.Argument(help="The announcement's id (see 'tooltrail alerts announcements').")
    ],
    by: Annotated[str, typer.Option("--by", help="Who withdraws it.")],
    store_path: StorePath = _DEFAULT_STORE,
    clickhouse_url: ClickHouseUrl = None,
    database: Database = StoreConfig.database,
) -> None:
    """End an announcement now: it is kept, marked withdrawn; alerts after now page again."""
    with _alerts(store_path, clickhouse_url, database) as alerts:
        ann = alerts.withdraw(announcement_id, by=by)
    typer.echo(f"withdrew {ann.id} ({', '.join(ann.actors)}; filed by {ann.by})")


def register(app: typer.Typer) -> None:
    """Mount ``tooltrail alerts`` into the ``tooltrail`` command."""
    app.add_typer(alerts_app, name="alerts")
