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

__all__ = ["detect", "register"]

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
    from .settings import DetectSettings
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


def register(root: typer.Typer) -> None:
    root.command()(detect)
