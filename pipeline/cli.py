"""``tooltrail pipeline``: run the stream processor (Kafka → store) until Ctrl-C or SIGTERM.

``register(root)`` mounts the command into the ``tooltrail`` CLI. Every option also reads its
``TOOLTRAIL_PIPELINE_*`` variable (see :class:`~tooltrail.pipeline.settings.PipelineSettings`).
On Ctrl-C / SIGTERM the processor stops polling, flushes what it holds, commits and leaves the
group. Only the command itself imports kafka-python and the store driver.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from tooltrail._console import fail as _fail

__all__ = ["pipeline", "register"]

log = logging.getLogger(__name__)


def pipeline(
    bootstrap: Annotated[
        str | None, typer.Option("--bootstrap", help="Kafka bootstrap servers (host:port,...).")
    ] = None,
    group: Annotated[str | None, typer.Option("--group", help="Consumer group id.")] = None,
    store_path: Annotated[
        Path | None, typer.Option("--store-path", help="chDB data directory.")
    ] = None,
    metrics_port: Annotated[
        int | None, typer.Option("--metrics-port", help="Serve /metrics on this port.")
    ] = None,
    startup_timeout: Annotated[
        float, typer.Option(help="Seconds to wait for Kafka and the store at start.")
    ] = 30.0,
) -> None:
    """Consume collector segments from Kafka into the store (commit after insert)."""
    from pydantic import ValidationError

    from .errors import PipelineError
    from .processor import Processor
    from .settings import PipelineSettings
    from .store import open_store

    overrides: dict[str, Any] = {
        k: v
        for k, v in {
            "kafka_bootstrap_servers": bootstrap,
            "kafka_group_id": group,
            "store_path": store_path,
            "metrics_port": metrics_port,
        }.items()
        if v is not None
    }
    try:
        settings = PipelineSettings(**overrides)
    except ValidationError as exc:
        raise _fail(f"invalid settings:\n{exc}") from exc
    logging.getLogger().setLevel(settings.log_level.upper())

    stop = threading.Event()

    def _stop(signum: int, _frame: Any) -> None:
        log.info("signal %d: flushing and stopping", signum)
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    deadline = time.monotonic() + startup_timeout
    try:
        while True:
            store = None
            try:
                store = open_store(settings.store_config())
                store.migrate()
                processor = Processor(settings, store)
                break
            except PipelineError as exc:
                if store is not None:
                    store.close()
                if time.monotonic() >= deadline or stop.is_set():
                    raise _fail(str(exc)) from exc
                log.warning("waiting for Kafka and the store: %s", exc)
                stop.wait(1.0)
        log.info(
            "pipeline: %s (group %s) → %s store (%s)%s",
            settings.kafka_topic_events,
            settings.kafka_group_id,
            settings.store_config().backend,
            settings.store_url or settings.store_path,
            f"; /metrics on port {processor.metrics_port}" if processor.metrics_port else "",
        )
        try:
            processor.run(stop)
        finally:
            try:
                processor.close()
            finally:
                store.close()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def register(root: typer.Typer) -> None:
    """Mount into ``tooltrail``: ``tooltrail pipeline`` runs the stream processor."""
    root.command("pipeline", help="Run the stream processor (Kafka → store).")(pipeline)
