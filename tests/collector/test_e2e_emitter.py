"""End to end: the real emitter → collector (uvicorn, HTTP) → Kafka-protocol broker → a consumer.

The second test crashes the broker mid-stream: every batch the collector answered 202 for is in the
topic, and every batch it refused (503) was retried by the emitter and arrived.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from tests._infra.fixtures import tansu, tansu_s3, topic_name  # noqa: F401
from tests._infra.tansu import Tansu, free_port
from tooltrail.broker import KafkaConsumer, TopicPartition
from tooltrail.collector.auth import KeyStore
from tooltrail.collector.cli import build_app
from tooltrail.collector.settings import Settings
from tooltrail.contract import Signer, verify
from tooltrail.emitter import Emitter, HttpTransport, Response

pytestmark = pytest.mark.kafka

TopicName = Callable[[str], str]


def collector_settings(broker: Tansu, names: TopicName, tmp_path: Path, **kw: Any) -> Settings:
    return Settings(
        port=free_port(),
        keys_file=tmp_path / "keys.json",
        kafka_bootstrap_servers=broker.bootstrap,
        kafka_topic_events=names("events"),
        kafka_topic_integrity=names("integrity"),
        kafka_topic_heads=names("heads"),
        kafka_topic_partitions=2,
        **kw,
    )


@contextlib.contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """The collector, wired as ``tooltrail collector`` does, on uvicorn in a thread; its URL."""
    app = build_app(settings, startup_timeout=10)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=settings.port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="collector", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive(), "collector exited"
        assert time.monotonic() < deadline, "collector did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{settings.port}/v1/events"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def register(settings: Settings, spool: Path) -> str:
    """A key for source "svc", and the emitter's signing key trusted for its checkpoints."""
    keys = KeyStore(settings.keys_file)
    keys.add_signer("svc", Signer.load_or_create(spool / "signing.key").public_key_b64)
    return keys.create("svc")[1]


def read_topic(
    settings: Settings, want: int, timeout: float = 30.0
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Events and checkpoints of every segment in the events topic, once ``want`` seqs are in."""
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    topic = settings.kafka_topic_events
    tps = [TopicPartition(topic, p) for p in range(settings.kafka_topic_partitions)]
    consumer.assign(tps)
    consumer.seek_to_beginning(*tps)
    events: list[dict[str, Any]] = []
    checkpoints: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    try:
        while len({e["seq"] for e in events}) < want and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=200).values():
                for record in records:
                    body = json.loads(record.value)
                    assert dict(record.headers)["findings"] == b""
                    events.extend(body["events"])
                    checkpoints.extend(body["checkpoints"])
    finally:
        consumer.close()
    return events, checkpoints


def test_emitter_collector_broker_consumer(
    tansu: Tansu,  # noqa: F811
    topic_name: TopicName,  # noqa: F811
    tmp_path: Path,
) -> None:
    settings = collector_settings(tansu, topic_name, tmp_path)
    spool = tmp_path / "spool"
    token = register(settings, spool)
    n = 600
    with serving(settings) as url:
        emitter = Emitter(
            source_name="svc",
            spool_dir=spool,
            collector_url=url,
            api_key=token,
            flush_interval=0.05,
            checkpoint_every=250,
        )
        try:
            for i in range(n):
                with emitter.record("tools/call", tool=f"tool{i % 7}", request_id=f"r{i}"):
                    pass
            assert emitter.flush(30), emitter.stats()
            stats = emitter.stats()
        finally:
            emitter.close()
    assert stats["recorded"] == n
    assert stats["shipper"]["rejected_batches"] == 0
    events, checkpoints = read_topic(settings, n)
    # exactly the events recorded: each once, in order, with their content
    assert [e["seq"] for e in events] == list(range(n))
    assert [e["jsonrpc.request.id"] for e in events] == [f"r{i}" for i in range(n)]
    assert {e["stream_id"] for e in events} == {stats["stream_id"]}
    signer = Signer.load_or_create(spool / "signing.key")
    report = verify(events, checkpoints, [signer.public_key])
    assert report.streams[stats["stream_id"]].verified_through == n - 1


class Recording:
    """The emitter's real HTTP transport, remembering every answer (status, events sent)."""

    def __init__(self, inner: HttpTransport) -> None:
        self.inner = inner
        self.lock = threading.Lock()
        self.answers: list[tuple[int | None, list[int]]] = []

    def send(self, body: bytes, headers: Mapping[str, str]) -> Response:
        seqs = [e["seq"] for e in json.loads(gzip.decompress(body))["events"]]
        try:
            response = self.inner.send(body, headers)
        except Exception:
            with self.lock:
                self.answers.append((None, seqs))
            raise
        with self.lock:
            self.answers.append((response.status, seqs))
        return response

    def count(self, status: int) -> int:
        with self.lock:
            return sum(1 for s, _ in self.answers if s == status)

    def close(self) -> None:
        self.inner.close()


@pytest.mark.slow
def test_a_broker_restart_loses_nothing(
    tansu_s3: Tansu,  # noqa: F811
    topic_name: TopicName,  # noqa: F811
    tmp_path: Path,
) -> None:
    settings = collector_settings(
        tansu_s3,
        topic_name,
        tmp_path,
        kafka_delivery_timeout_s=1.5,
        kafka_request_timeout_ms=1000,
        kafka_connect_timeout_s=1.0,
    )
    spool = tmp_path / "spool"
    token = register(settings, spool)
    with serving(settings) as url:
        transport = Recording(HttpTransport(url, api_key=token, timeout=15))
        emitter = Emitter(
            source_name="svc", spool_dir=spool, transport=transport, flush_interval=0.05
        )
        calls = Calls(emitter)
        try:
            calls.start()
            wait_for(lambda: emitter.stats()["shipper"]["events_acked"] >= 60)
            tansu_s3.kill()  # a crash, writes in flight: only what it acknowledged survives
            wait_for(lambda: transport.count(503) > 0)
            time.sleep(0.5)
            tansu_s3.start()
            after = transport.count(202)
            wait_for(lambda: transport.count(202) > after + 3, timeout=30)
            calls.stop()
            assert emitter.flush(60), emitter.stats()
            n = emitter.stats()["recorded"]
        finally:
            calls.stop()
            emitter.close()
    events, _ = read_topic(settings, n)
    held = {e["seq"] for e in events}
    assert held == set(range(n))  # nothing lost (duplicates are the pipeline's to drop)
    accepted = [seqs for status, seqs in transport.answers if status == 202]
    refused = [seqs for status, seqs in transport.answers if status != 202]
    assert transport.count(503) > 0
    for seqs in accepted:
        assert set(seqs) <= held
    retried = {s for batch in accepted for s in batch}
    for seqs in refused:  # retried by the emitter until some answer was a 202
        assert set(seqs) <= retried


class Calls(threading.Thread):
    """MCP calls recorded every few ms until stopped."""

    def __init__(self, emitter: Emitter) -> None:
        super().__init__(name="calls", daemon=True)
        self.emitter = emitter
        self.done = threading.Event()

    def run(self) -> None:
        i = 0
        while not self.done.is_set():
            with self.emitter.record("tools/call", tool="t", request_id=f"r{i}"):
                pass
            i += 1
            self.done.wait(0.004)

    def stop(self) -> None:
        self.done.set()
        if self.is_alive():
            self.join()


def wait_for(cond: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)
