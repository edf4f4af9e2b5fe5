"""``tooltrail up``: the all-in-one — collector, store, digests, detection (and the processor
with Kafka).

Embedded default: no servers to install. The collector hands verified segments straight to the
store (chDB, in-process) and answers 202 only once the store holds them; chain heads are read
from the store. With ``--kafka`` the same parts run against a broker: the collector produces to
Kafka and a processor thread consumes into the store. Detection scores new windows continuously
and sends alerts to the sinks ``TOOLTRAIL_DETECT_*`` configures (and the console).
"""

from __future__ import annotations

import logging
import signal
import socket
import threading
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from tooltrail._console import fail

__all__ = ["Stack", "up"]

log = logging.getLogger(__name__)


class Stack:
    """The parts of ``tooltrail up`` in this process; ``start()`` / ``stop()`` (or ``with``)."""

    def __init__(
        self,
        *,
        store_path: Path,
        keys_file: Path,
        host: str = "127.0.0.1",
        port: int = 8080,
        kafka_bootstrap: str | None = None,
        digest_key: Path | None = None,
        digest_interval: float = 60.0,
        detect: bool = False,
        detect_settings: Any = None,
        alert_sinks: Any = None,
        on_alert: Any = None,
        console_alerts: bool = False,
        query_port: int | None = None,
        query_password: str | None = None,
        query_host: str = "127.0.0.1",
    ) -> None:
        self.store_path = store_path
        self.keys_file = keys_file
        self.host = host
        self.port = port
        self.kafka_bootstrap = kafka_bootstrap
        self.digest_key = digest_key
        self.digest_interval = digest_interval
        self.detect = detect
        self.detect_settings = detect_settings
        self.alert_sinks = alert_sinks
        self.on_alert = on_alert
        self.console_alerts = console_alerts  # with the configured sinks, when none are given
        # the read-only query endpoint over the store (None: not served)
        self.query_port = query_port
        self.query_password = query_password
        self.query_host = query_host
        self.query_server: Any = None
        self.detection: Any = None
        self.detect_metrics: Any = None
        self.app: Any = None
        self.store: Any = None
        self._server: Any = None
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()

    @property
    def alive(self) -> bool:
        """Every part of the stack is still running."""
        return all(t.is_alive() for t in self._threads)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Stack:
        try:
            return self._start()
        except BaseException:  # nothing half-started outlives a failed start
            self.stop()
            raise

    def _start(self) -> Stack:
        import uvicorn

        from tooltrail.pipeline.store import StoreConfig, open_store

        self.store = open_store(StoreConfig(path=str(self.store_path)))
        self.store.migrate()
        if self.query_port is not None:
            self._serve_queries()
        app = self.app = self._collector_app()
        if self.detect:
            self._serve_detection_metrics(app)
        config = uvicorn.Config(app, host=self.host, port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._spawn("collector", self._server.run)
        deadline = time.monotonic() + 30
        while not self._server.started:
            if time.monotonic() > deadline or not self._threads[0].is_alive():
                raise RuntimeError("the collector did not start")
            time.sleep(0.02)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        if self.digest_key is not None:
            self._spawn("digests", self._digest_loop)
        if self.detect:
            self._start_detection()
        return self

    def _serve_queries(self) -> None:
        """Readers other than this process (CLI, Grafana) query the store through this."""
        import secrets

        from tooltrail.pipeline.errors import StoreUnavailable
        from tooltrail.pipeline.store.query_server import QueryServer

        assert self.query_port is not None
        server = QueryServer(
            self.store_path,
            password=self.query_password or secrets.token_urlsafe(18),
            host=self.query_host,
            port=self.query_port,
            database=self.store.database,
        )
        try:
            self.query_server = server.start()
        except StoreUnavailable as exc:  # e.g. the port is taken: serve the rest
            log.warning("%s; other processes cannot read the store while this one runs", exc)

    def _serve_detection_metrics(self, app: Any) -> None:
        """``GET /metrics/detectors``: the detectors' Prometheus metrics beside the collector's."""
        from fastapi.responses import Response
        from prometheus_client.exposition import CONTENT_TYPE_LATEST

        from tooltrail.detectors.metrics import Metrics

        metrics = self.detect_metrics = Metrics()

        async def detector_metrics() -> Response:
            return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)

        app.add_api_route(
            "/metrics/detectors",
            detector_metrics,
            methods=["GET"],
            tags=["ops"],
            summary="Prometheus metrics of detection",
        )

    def _start_detection(self) -> None:
        from tooltrail.detectors.runner import Detection, sinks_from_settings
        from tooltrail.detectors.settings import DetectSettings
        from tooltrail.detectors.sinks.dispatch import Dispatcher

        settings = self.detect_settings or DetectSettings()
        if "model_dir" not in settings.model_fields_set:  # keep models beside the store
            settings = settings.model_copy(update={"model_dir": self.store_path.parent / "models"})
        sinks = self.alert_sinks
        if sinks is None:
            sinks = sinks_from_settings(settings, console=self.console_alerts)
        dispatcher = Dispatcher(
            sinks, metrics=self.detect_metrics, min_severity=settings.min_severity
        )
        self.detection = Detection(
            self.store,
            settings,
            dispatcher=dispatcher,
            on_alert=self.on_alert,
            state_file=Path(settings.model_dir) / "cursor.json",
        )
        self._spawn("detection", lambda: self.detection.run(self._stop))

    def _collector_app(self) -> Any:
        from tooltrail.collector.auth import KeyStore
        from tooltrail.collector.settings import Settings

        if self.kafka_bootstrap is None:
            from tooltrail.collector.app import create_app
            from tooltrail.pipeline.embedded import StoreHeadStore, StoreSink

            settings = Settings(
                keys_file=self.keys_file,
                host=self.host,
                port=self.port,
                sink="store",
                heads="store",
            )
            return create_app(
                settings,
                StoreSink(self.store),
                StoreHeadStore(self.store),
                KeyStore(self.keys_file),
            )
        from pydantic import SecretStr

        from tooltrail.broker.recordmac import load_or_create
        from tooltrail.collector.cli import build_app
        from tooltrail.pipeline.processor import Processor
        from tooltrail.pipeline.settings import PipelineSettings

        settings = Settings(
            keys_file=self.keys_file,
            host=self.host,
            port=self.port,
            kafka_bootstrap_servers=self.kafka_bootstrap,
        )
        pipeline = PipelineSettings(
            kafka_bootstrap_servers=self.kafka_bootstrap, store_path=self.store_path
        )
        if settings.kafka_record_key is None and pipeline.kafka_record_key is None:
            # the collector stamps its records, the processor checks them: one key for both,
            # kept beside the store so that records still in the topic verify after a restart
            key = SecretStr(load_or_create(self.store_path.parent / "record.key"))
            settings = settings.model_copy(update={"kafka_record_key": key})
            pipeline = pipeline.model_copy(update={"kafka_record_key": key})
        app = build_app(settings)
        processor = Processor(pipeline, self.store)
        self._spawn("processor", lambda: self._run_processor(processor))
        return app

    def _run_processor(self, processor: Any) -> None:
        try:
            processor.run(self._stop)
        finally:
            processor.close()

    def _digest_loop(self) -> None:
        from tooltrail.contract import Signer
        from tooltrail.pipeline.integrity import Digester

        assert self.digest_key is not None
        digester = Digester(self.store, Signer.load_or_create(self.digest_key))
        while not self._stop.wait(self.digest_interval):
            try:
                made = digester.run_once()
            except Exception:  # keep digesting later; the store may be busy or down
                log.exception("digest run failed")
                continue
            if made:
                log.info("signed %d hourly digest(s)", len(made))

    def accepted_by_source(self) -> dict[str, int]:
        """Events the collector accepted so far, per source (from its metrics)."""
        if self.app is None:
            return {}
        out: dict[str, int] = {}
        for family in self.app.state.metrics.accepted.collect():
            for sample in family.samples:
                if sample.name.endswith("_total"):
                    out[sample.labels["source"]] = int(sample.value)
        return out

    def alerts_raised(self) -> int:
        """Alerts stored by live detection so far (0 without detection)."""
        if self.detect_metrics is None:
            return 0
        return int(
            sum(
                sample.value
                for family in self.detect_metrics.alerts_fired.collect()
                for sample in family.samples
                if sample.name.endswith("_total")
            )
        )

    def _spawn(self, name: str, target: Any) -> None:
        thread = threading.Thread(target=target, name=f"tooltrail-{name}", daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.should_exit = True
        for thread in self._threads:
            thread.join(timeout=15)
        if self.detection is not None and self.detection.dispatcher is not None:
            self.detection.dispatcher.close(10)
        if self.query_server is not None:
            self.query_server.stop()
            self.query_server = None
        if self.store is not None:
            self.store.close()
            self.store = None

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def up(
    store_path: Annotated[
        Path, typer.Option(envvar="TOOLTRAIL_STORE_PATH", help="chDB data directory.")
    ] = Path(".tooltrail/store"),
    keys_file: Annotated[Path, typer.Option(help="Collector key file (hashes only).")] = Path(
        ".tooltrail/collector-keys.json"
    ),
    host: Annotated[str, typer.Option(help="Collector listen address.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Collector listen port.")] = 8080,
    kafka: Annotated[
        str | None, typer.Option("--kafka", help="Run against this Kafka (host:port).")
    ] = None,
    digest_key: Annotated[Path, typer.Option(help="Pipeline Ed25519 key for digests.")] = Path(
        ".tooltrail/digest.key"  # the same key file as `tooltrail digests run`
    ),
    digest_interval: Annotated[float, typer.Option(help="Seconds between digest runs.")] = 60.0,
    detect: Annotated[
        bool, typer.Option(help="Score new windows and send alerts (TOOLTRAIL_DETECT_*).")
    ] = True,
    query_port: Annotated[
        int,
        typer.Option(help="Read-only ClickHouse-HTTP query endpoint over the store (-1: none)."),
    ] = 8123,
    query_password: Annotated[
        str | None,
        typer.Option(
            envvar="TOOLTRAIL_QUERY_PASSWORD",
            help="Its password (user tooltrail); default: a random one, in STORE.query.json.",
        ),
    ] = None,
    heartbeat: Annotated[
        float, typer.Option(help="Seconds between status lines (0: none).")
    ] = 60.0,
) -> None:
    """Collector, store, digests and detection in one process (embedded; --kafka: a broker).
    Stops cleanly on SIGTERM or Ctrl-C."""
    _preflight(store_path, host, port)
    stack = Stack(
        store_path=store_path,
        keys_file=keys_file,
        host=host,
        port=port,
        kafka_bootstrap=kafka,
        digest_key=digest_key,
        digest_interval=digest_interval,
        detect=detect,
        console_alerts=True,
        query_port=None if query_port < 0 else query_port,
        query_password=query_password,
    )
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    stack.start()
    typer.echo(f"tooltrail up: collector {stack.url}/v1/events, store {store_path}")
    if stack.query_server is not None:
        from tooltrail.pipeline.store import endpoint_file

        typer.echo(
            f"query endpoint (read-only ClickHouse HTTP) {stack.query_server.url}, user tooltrail, "
            f"password in {endpoint_file(store_path)}: CLI reads and Grafana go through it"
        )
    if not keys_file.exists():
        typer.echo("no keys yet: tooltrail keys create --source <name>")
    beat = Heartbeat(stack, heartbeat)
    try:
        while stack.alive and not stopping.wait(0.5):
            for line in beat.tick(time.monotonic()):
                typer.echo(line)
    finally:
        died = not stack.alive and not stopping.is_set()
        stack.stop()
        total = sum(beat.seen.values())
        typer.echo(
            f"tooltrail up: stopped ({total} event(s) accepted from {len(beat.seen)} source(s),"
            f" {stack.alerts_raised()} alert(s))"
        )
    if died:
        raise fail("a part of tooltrail up stopped unexpectedly (see the log above)")


class Heartbeat:
    """The lines ``up`` prints as it runs: a source's first events at once, and every
    ``interval`` seconds (0: never) one line of events/s accepted and alerts raised."""

    def __init__(self, stack: Stack, interval: float) -> None:
        self.stack = stack
        self.interval = interval
        self.seen: dict[str, int] = {}
        self._last: tuple[float, int] | None = None

    def tick(self, now: float) -> list[str]:
        counts = self.stack.accepted_by_source()
        lines = [
            f"first events from source {source!r}" for source in counts if source not in self.seen
        ]
        self.seen.update(counts)
        total = sum(counts.values())
        if self._last is None:
            self._last = (now, total)
        elif self.interval > 0 and now - self._last[0] >= self.interval:
            rate = (total - self._last[1]) / (now - self._last[0])
            lines.append(
                f"up: {total} event(s) accepted ({rate:.0f}/s), "
                f"{len(counts)} source(s), {self.stack.alerts_raised()} alert(s)"
            )
            self._last = (now, total)
        return lines


def _preflight(store_path: Path, host: str, port: int) -> None:
    """The common mistakes, as one line each before anything starts."""
    from tooltrail.pipeline.store import store_in_use

    if store_in_use(store_path):
        raise fail(
            f"the store {store_path} is open in another process (a running "
            "`tooltrail up`?): stop it, or give this one its own --store-path"
        )
    if port:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            try:
                probe.bind((host, port))
            except OSError as exc:
                raise fail(
                    f"cannot listen on {host}:{port} ({exc.strerror}): stop what holds "
                    "the port, or pass --port"
                ) from None
