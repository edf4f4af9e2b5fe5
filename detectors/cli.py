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
from typing import Annotated

import typer

from tooltrail.pipeline.integrity.cli import (
    ClickHouseUrl,
    Database,
    StorePath,
    open_store_option,
    parse_since,
)
from tooltrail.pipeline.store import StoreConfig

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
        detection = Detection(store, settings, dispatcher=dispatcher)
        extent = detection.engine.source.extent()
        if extent is None:
            console.print("the store holds no events")
            return
        until_us = parse_since(until) if until else extent[1] + settings.window_us
        started = time.perf_counter()
        raised = detection.backfill(since_us, until_us)
        elapsed = time.perf_counter() - started
        printer = ConsoleSink(console)
        latest = {a.id: a for a in raised}  # an alert escalated within the run: its last state
        for alert in latest.values():
            if as_json:
                typer.echo(json.dumps(alert.to_dict(), sort_keys=True))
            else:
                printer.send(alert)
        console.print(
            f"scored {detection.candidate_count} candidate(s) in {elapsed:.1f}s: "
            f"{len({a.id for a in raised})} new alert(s) stored"
            + (", the rest already raised or cooled down" if detection.candidate_count else "")
        )
        if dispatcher is not None:
            dispatcher.close(30)


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
