"""``tooltrail detect``: score a historic range (backfill / replay) with the live configuration.

The same engine, models and alert gate as live detection in ``tooltrail up``: a range scored
again gives the same candidates, and alerts already raised live are not raised twice. Alerts are
stored; they are sent to the configured sinks only with ``--send`` (a replay should not page).
Settings come from ``TOOLTRAIL_DETECT_*`` (see ``tooltrail.detectors.settings``).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from tooltrail.pipeline.store import StoreConfig, find_endpoint
from tooltrail.pipeline.store.options import (
    ClickHouseUrl,
    Database,
    StorePath,
    open_store_option,
    parse_since,
)

from .settings import DetectSettings

__all__ = ["detect", "detectors_app", "register"]

_DEFAULT_STORE = Path(StoreConfig.path)


def detect(
    since: Annotated[str, typer.Option(help="Start of the range: ISO time (UTC) or 24h, 7d.")],
    until: Annotated[
        str | None, typer.Option(help="End of the range (default: the newest stored event).")
    ] = None,
    send: Annotated[bool, typer.Option(help="Also send the alerts to the sinks.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the alerts as JSON lines.")
    ] = False,
    store_path: StorePath = _DEFAULT_STORE,
    clickhouse_url: ClickHouseUrl = None,
    database: Database = StoreConfig.database,
) -> None:
    """Score a historic range of events (backfill / replay); store the alerts it raises."""
    from rich.console import Console

    from .runner import Detection, sinks_from_settings
    from .sinks.console import ConsoleSink
    from .sinks.dispatch import Dispatcher

    settings = DetectSettings()
    console = Console(stderr=as_json)
    since_us = parse_since(since)
    with open_store_option(store_path, clickhouse_url, database) as store:
        dispatcher = None
        if send:
            sinks = sinks_from_settings(settings)
            dispatcher = Dispatcher(sinks, min_severity=settings.min_severity)
        # served read-only by a running `tooltrail up` (whose own detection stores alerts)
        served = clickhouse_url is None and find_endpoint(store_path) is not None
        detection = Detection(store, settings, dispatcher=dispatcher, store_alerts=not served)
        extent = detection.engine.source.extent()
        if extent is None:
            console.print("the store holds no events: nothing to score")
            return
        until_us = parse_since(until) if until else extent[1] + settings.window_us
        if since_us >= extent[1] + settings.window_us or until_us <= extent[0]:
            console.print(
                f"no stored events between {_iso(since_us)} and {_iso(until_us)}: the store holds "
                f"{_iso(extent[0])} … {_iso(extent[1])}; nothing scored"
            )
            return
        started = time.perf_counter()
        raised = _backfill_with_progress(detection, since_us, until_us, console, quiet=as_json)
        elapsed = time.perf_counter() - started
        latest = {a.id: a for a in raised}  # an alert escalated within the run: its last state
        again = [
            a
            for a in detection.alerts.list(since_us=since_us, until_us=until_us, limit=10_000)
            if a.id not in latest
        ]
        printer = ConsoleSink(console)
        for alert in [*latest.values(), *again]:
            if as_json:
                typer.echo(json.dumps(alert.to_dict(), sort_keys=True))
            else:
                printer.send(alert)
        console.print(
            f"scored {_iso(since_us)} … {_iso(until_us)} in {elapsed:.1f}s: "
            f"{detection.candidate_count} candidate(s), {len(latest)} new alert(s) "
            + (
                "shown, not stored (the store is read-only while `tooltrail up` runs), "
                if served
                else "stored, "
            )
            + f"{len(again)} raised before (shown too)"
        )
        if dispatcher is not None:
            dispatcher.close(30)


def _iso(ts_us: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ts_us / 1e6, UTC).strftime("%Y-%m-%d %H:%M")


def _backfill_with_progress(
    detection: Any, since_us: int, until_us: int, console: Any, *, quiet: bool
) -> list[Any]:
    """The backfill in six-hour chunks of event time, with a progress bar on a terminal."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    chunk = 6 * 3600 * 1_000_000
    with Progress(
        TextColumn("scoring {task.description}"),
        BarColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=quiet,
        transient=True,
    ) as bar:
        task = bar.add_task(_iso(since_us), total=until_us - since_us)

        def advanced(end: int) -> None:
            bar.update(task, completed=end - since_us, description=_iso(end))

        raised: list[Any] = detection.backfill(
            since_us, until_us, chunk_us=chunk, on_chunk=advanced
        )
        return raised


detectors_app = typer.Typer(help="Live detection as its own service (the distributed form).")


@detectors_app.command("run")
def detectors_run(
    store_path: StorePath = _DEFAULT_STORE,
    clickhouse_url: ClickHouseUrl = None,
    database: Database = StoreConfig.database,
    lease_ttl: Annotated[
        float, typer.Option(help="Seconds a standby waits for a silent active instance.")
    ] = 30.0,
    holder: Annotated[
        str | None, typer.Option(help="This instance's name in the lease (default: host-pid).")
    ] = None,
    metrics_port: Annotated[
        int | None, typer.Option(help="Serve Prometheus /metrics on this port (health too).")
    ] = None,
) -> None:
    """Score windows as events arrive and send alerts; one active instance per store (lease),
    the others stand by. Stops cleanly on SIGTERM / Ctrl-C."""
    import signal
    import threading

    from .lease import StoreLease
    from .metrics import Metrics
    from .runner import sinks_from_settings
    from .service import DetectorService
    from .sinks.dispatch import Dispatcher

    settings = DetectSettings()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    with open_store_option(store_path, clickhouse_url, database) as store:
        store.migrate()
        metrics = Metrics()
        if metrics_port is not None:
            from prometheus_client.exposition import start_http_server

            start_http_server(metrics_port, registry=metrics.registry)
        sinks = sinks_from_settings(settings, console=True)
        dispatcher = Dispatcher(sinks, metrics=metrics, min_severity=settings.min_severity)
        lease = StoreLease(store, holder=holder, ttl_seconds=lease_ttl)
        service = DetectorService(store, settings, lease, dispatcher=dispatcher)
        typer.echo(
            f"tooltrail detectors: {lease.holder} watching {store.database}"
            f" (lease ttl {lease_ttl:g}s)"
        )
        try:
            service.run(stop)
        finally:
            dispatcher.close(10)
    typer.echo(f"tooltrail detectors: {lease.holder} stopped")


def register(root: typer.Typer) -> None:
    root.command()(detect)
    root.add_typer(detectors_app, name="detectors")
