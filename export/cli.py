"""``tooltrail export``: stored events (and alerts) to OTLP logs, CEF or ECS JSON lines.

Reads the store the shared options name (``--store-path`` / ``--clickhouse-url``; through the
query endpoint while ``tooltrail up`` holds it). Filters are those of ``tooltrail events``.
``--cursor FILE`` makes the export incremental (each run sends what is new since the last) and
``--follow`` keeps it running; together they resume after a restart with no gap and, to a file,
no duplicate. ``--verify`` first verifies the stored streams, so that each record carries the
stream's verify result, not only the stored findings.

Exit 0 when done (or stopped by SIGTERM / Ctrl-C in follow mode); 2 with one line for a bad
option, an unreachable store, a cursor of another export, or a destination that refuses a batch.
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tooltrail._console import fail
from tooltrail.pipeline.errors import PipelineError
from tooltrail.pipeline.events_cli import (
    Agent,
    Outcome,
    Server,
    Session,
    Since,
    SourceName,
    Tool,
    Trace,
    Until,
    User,
    filter_from_options,
)
from tooltrail.pipeline.store import StoreConfig
from tooltrail.pipeline.store.options import ClickHouseUrl, Database, StorePath, open_store_option

from .cursor import Cursor
from .errors import ExportError
from .exporter import FORMATS, Exporter, Format, LinesSink, Sink
from .records import IntegrityIndex

if TYPE_CHECKING:
    from tooltrail.pipeline.integrity import StoreVerifyReport
    from tooltrail.pipeline.store import Store

__all__ = ["export_command", "register"]

_DEFAULT_STORE = Path(StoreConfig.path)
_DEFAULT_COLLECTOR_KEYS = Path(".tooltrail/collector-keys.json")
_DEFAULT_ENDPOINT = "http://localhost:4318/v1/logs"


def _headers(values: list[str]) -> dict[str, str]:
    out = {}
    for value in values:
        key, sep, text = value.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"must be KEY=VALUE, not {value!r}", param_hint="--header")
        out[key.strip()] = text
    return out


def _sink(fmt: Format, output: str, endpoint: str, headers: dict[str, str]) -> tuple[Sink, str]:
    """The destination and the name the cursor records for it."""
    if fmt == "otlp":
        from .otlp import OtlpSink

        return OtlpSink(endpoint, headers=headers), endpoint
    from .sinks import LineSink

    path = None if output == "-" else Path(output)
    name = "-" if path is None else str(path.resolve())
    return LinesSink(fmt, LineSink(path)), name


def export_command(
    fmt: Annotated[
        str, typer.Option("--format", help="otlp (OpenTelemetry logs), cef or ecs (JSON lines).")
    ] = "ecs",
    output: Annotated[
        str, typer.Option("--output", "-o", help="cef/ecs: a file to append to, or - (stdout).")
    ] = "-",
    endpoint: Annotated[
        str,
        typer.Option(
            envvar="OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", help="otlp: the OTLP/HTTP logs endpoint."
        ),
    ] = _DEFAULT_ENDPOINT,
    header: Annotated[
        list[str] | None, typer.Option("--header", help="otlp: a request header KEY=VALUE.")
    ] = None,
    alerts: Annotated[
        bool, typer.Option("--alerts/--no-alerts", help="Export the stored alerts too.")
    ] = False,
    events: Annotated[
        bool, typer.Option("--events/--no-events", help="Export the stored events.")
    ] = True,
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
    cursor_file: Annotated[
        Path | None,
        typer.Option("--cursor", help="Keep the position here: resume without gap or duplicate."),
    ] = None,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep exporting newly stored records.")
    ] = False,
    interval: Annotated[float, typer.Option(min=0.05, help="Seconds between polls.")] = 1.0,
    verify: Annotated[
        bool, typer.Option("--verify", help="Verify the streams first (their result rides along).")
    ] = False,
    keys: Annotated[
        list[str] | None,
        typer.Option("--keys", help="--verify: a trusted emitter public key, or a file of them."),
    ] = None,
    collector_keys: Annotated[
        Path | None,
        typer.Option("--collector-keys", help="--verify: the collector's key file (its signers)."),
    ] = None,
    store_path: StorePath = _DEFAULT_STORE,
    clickhouse_url: ClickHouseUrl = None,
    database: Database = StoreConfig.database,
) -> None:
    """Export stored events (and alerts) to OTLP logs, CEF or ECS lines, integrity attached."""
    if fmt not in FORMATS:
        raise typer.BadParameter(f"must be one of {', '.join(FORMATS)}", param_hint="--format")
    if not (events or alerts):
        raise typer.BadParameter("nothing to export", param_hint="--no-events")
    where = filter_from_options(
        since, until, source=source, server=server, tool=tool, user=user, agent=agent,
        session=session, trace=trace, outcome=outcome,
    )  # fmt: skip
    try:
        sink, destination = _sink(fmt, output, endpoint, _headers(header or []))
        cursor = Cursor.open(cursor_file, destination, fmt)
    except ExportError as exc:
        raise fail(str(exc)) from exc
    if isinstance(sink, LinesSink):
        sink.lines.resume(cursor.output_bytes)
    stop = threading.Event()
    if follow:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    with open_store_option(store_path, clickhouse_url, database) as store:
        index = IntegrityIndex()
        try:
            if verify:
                index.add_report(_verify(store, where.since_us, keys or [], collector_keys))
            exporter = Exporter(
                store, sink, cursor, where, events=events, alerts=alerts, index=index
            )
            total = exporter.follow(stop, interval) if follow else exporter.run_once()
        except (ExportError, PipelineError) as exc:
            raise fail(str(exc)) from exc
        finally:
            sink.close()
    where_to = destination if fmt == "otlp" or output != "-" else "stdout"
    typer.echo(f"exported {total} record(s) as {fmt} to {where_to}", err=True)
    sys.stdout.flush()


def _verify(
    store: Store, since_us: int | None, keys: list[str], collector: Path | None
) -> StoreVerifyReport:
    """Verify the stored streams (nothing recorded: an export only reads)."""
    from tooltrail.pipeline.integrity import verify_store
    from tooltrail.pipeline.integrity.cli import collector_signers, read_keys

    if collector is None and not keys and _DEFAULT_COLLECTOR_KEYS.is_file():
        collector = _DEFAULT_COLLECTOR_KEYS
    try:
        source_keys = collector_signers(collector)
    except ValueError as exc:
        raise ExportError(str(exc)) from exc
    return verify_store(
        store,
        since_us=since_us,
        public_keys=read_keys(keys, "--keys"),
        source_keys=source_keys,
        record=False,
    )


def register(app: typer.Typer) -> None:
    app.command("export")(export_command)
