"""The embedded all-in-one: real emitter → collector (HTTP) → chDB store, 202 only once stored."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests._infra.fixtures import GROUP_ENV, tansu, topic_name  # noqa: F401
from tests._infra.tansu import Tansu
from tooltrail.cli.up import Stack
from tooltrail.collector.auth import KeyStore
from tooltrail.collector.errors import SinkUnavailable
from tooltrail.collector.sinks.base import Segment
from tooltrail.emitter import Emitter
from tooltrail.pipeline.embedded import StoreSink
from tooltrail.pipeline.integrity import verify_store
from tooltrail.pipeline.store import StoreConfig, open_store

pytestmark = pytest.mark.store


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    with Stack(store_path=tmp_path / "store", keys_file=tmp_path / "keys.json", port=0) as s:
        yield s


def _emitter(tmp_path: Path, stack: Stack, api_key: str) -> Emitter:
    return Emitter(
        source_name="fs-server",
        spool_dir=tmp_path / "spool",
        collector_url=stack.url,
        api_key=api_key,
        flush_interval=0.02,
    )


def _count(stack: Stack) -> int:
    df = stack.store.query_df(f"SELECT count() AS n FROM {stack.store.database}.events FINAL")
    return int(df.iloc[0]["n"])


def test_events_reach_the_store_and_verify(tmp_path: Path, stack: Stack) -> None:
    keys = KeyStore(stack.keys_file)
    _, api_key = keys.create("fs-server")
    em = _emitter(tmp_path, stack, api_key)
    assert em.signer is not None
    keys.add_signer("fs-server", em.signer.public_key_b64)
    for i in range(50):
        with em.record("tools/call", tool="read_file", args={"i": i}):
            pass
    assert em.flush(30)  # acknowledged means stored: count right away
    assert _count(stack) == 50
    report = verify_store(stack.store, public_keys=[em.signer.public_key])
    assert report.ok
    assert report.streams[em.stream_id].verified_through == 49
    em.close()


def test_restart_continues_the_stream_from_heads_in_the_store(tmp_path: Path) -> None:
    keys_file = tmp_path / "keys.json"
    _, api_key = KeyStore(keys_file).create("fs-server")
    with Stack(store_path=tmp_path / "store", keys_file=keys_file, port=0) as first:
        em = _emitter(tmp_path, first, api_key)
        for _ in range(10):
            with em.record("tools/call", tool="t"):
                pass
        assert em.flush(30)
        em.close()
    with Stack(store_path=tmp_path / "store", keys_file=keys_file, port=0) as second:
        em = _emitter(tmp_path, second, api_key)
        for _ in range(10):
            with em.record("tools/call", tool="t"):
                pass
        assert em.flush(30)
        assert em.stats()["shipper"]["rejected_batches"] == 0  # no false chain break
        assert _count(second) == 20
        assert verify_store(second.store, record=False).ok
        em.close()


def test_an_unavailable_store_is_a_retryable_503_not_a_loss(tmp_path: Path) -> None:
    store = open_store(StoreConfig(path=str(tmp_path / "store")))
    store.migrate()
    sink = StoreSink(store)
    assert sink.ready()
    store.close()
    segment = Segment(
        "s.1",
        "fs",
        0,
        0,
        "0" * 64,
        b'{"v":1,"stream_id":"s.1","source":"fs","events":[],"checkpoints":[],"findings":[]}',
    )
    with pytest.raises(SinkUnavailable):
        sink.deliver([segment])
    assert not sink.ready()


@pytest.mark.kafka
def test_up_with_kafka_runs_collector_topic_processor_store(
    tmp_path: Path,
    tansu: Tansu,  # noqa: F811
    topic_name: Callable[[str], str],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = {
        "TOOLTRAIL_COLLECTOR_KAFKA_TOPIC_EVENTS": (events := topic_name("events")),
        "TOOLTRAIL_COLLECTOR_KAFKA_TOPIC_HEADS": topic_name("heads"),
        "TOOLTRAIL_COLLECTOR_KAFKA_TOPIC_INTEGRITY": topic_name("integrity"),
        "TOOLTRAIL_PIPELINE_KAFKA_TOPIC_EVENTS": events,
        "TOOLTRAIL_PIPELINE_KAFKA_TOPIC_DEADLETTER": topic_name("dead"),
        "TOOLTRAIL_PIPELINE_KAFKA_GROUP_ID": topic_name("group"),
        **GROUP_ENV,
        "TOOLTRAIL_PIPELINE_BATCH_MAX_WAIT_S": "0.05",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    keys_file = tmp_path / "keys.json"
    _, api_key = KeyStore(keys_file).create("fs-server")
    stack = Stack(
        store_path=tmp_path / "store", keys_file=keys_file, port=0, kafka_bootstrap=tansu.bootstrap
    )
    with stack:
        em = _emitter(tmp_path, stack, api_key)
        for i in range(40):
            with em.record("tools/call", tool="search", args={"q": i}):
                pass
        assert em.flush(30)  # 202: the broker holds them; the processor stores them next
        deadline = time.monotonic() + 60
        while _count(stack) < 40 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _count(stack) == 40
        assert verify_store(stack.store, record=False).ok
        em.close()
