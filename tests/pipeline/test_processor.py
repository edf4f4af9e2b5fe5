"""The stream processor against a real Kafka-protocol broker (Tansu) and a real chDB store.

Segments are made by the collector's own ``parse_batch`` / ``verify_batch`` and produced by its
``KafkaSink``: exactly what production puts on the topic. Failures are real ones: a SIGKILLed
process, a detached table, undecodable records, a member leaving its group.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import orjson
import pytest
from pydantic import SecretStr

from tests._infra.fixtures import GROUP_TIMEOUTS, tansu, topic_name  # noqa: F401
from tests._infra.tansu import Tansu
from tests.conftest import build_chain
from tests.pipeline._processor_child import KILL_ENV
from tooltrail.broker import KafkaConsumer, KafkaProducer, TopicPartition, ensure_topics
from tooltrail.collector.heads import Head
from tooltrail.collector.ingest import parse_batch, verify_batch
from tooltrail.collector.sinks.base import Segment
from tooltrail.collector.sinks.kafka import KafkaSink
from tooltrail.pipeline.processor import Processor
from tooltrail.pipeline.settings import PipelineSettings
from tooltrail.pipeline.store import Store, open_store

ROOT = Path(__file__).resolve().parents[2]
MakeSettings = Callable[..., PipelineSettings]


class Feed:
    """Sealed chains of a few streams, cut into collector segments on demand."""

    def __init__(self, streams: int, events: int, prefix: str = "svc") -> None:
        self.chains = {
            f"{prefix}.{i:016x}": build_chain(events, f"{prefix}.{i:016x}") for i in range(streams)
        }
        self._heads: dict[str, Head | None] = dict.fromkeys(self.chains)
        self._taken = dict.fromkeys(self.chains, 0)

    @property
    def total(self) -> int:
        return sum(len(c) for c in self.chains.values())

    @property
    def taken(self) -> int:
        return sum(self._taken.values())

    def segment(self, stream: str, n: int) -> Segment:
        start = self._taken[stream]
        events = self.chains[stream][start : start + n]
        assert events, f"{stream} has no events left"
        verdict = verify_batch(
            parse_batch(orjson.dumps({"v": 1, "events": events})),
            self._heads[stream],
            {},
            source="svc",
        )
        assert verdict.segment is not None
        assert not verdict.findings
        self._heads[stream] = verdict.head
        self._taken[stream] = start + len(events)
        return verdict.segment

    def take(self, per_segment: int, rounds: int = 1) -> list[Segment]:
        """``rounds`` segments of ``per_segment`` events from every stream, interleaved."""
        return [self.segment(s, per_segment) for _ in range(rounds) for s in self.chains]


@pytest.fixture
def make_settings(
    tansu: Tansu,  # noqa: F811
    topic_name: Callable[[str], str],  # noqa: F811
    tmp_path: Path,
) -> MakeSettings:
    names = {
        "kafka_topic_events": topic_name("events"),
        "kafka_topic_deadletter": topic_name("deadletter"),
        "kafka_group_id": topic_name("group"),
    }

    def make(**overrides: Any) -> PipelineSettings:
        values: dict[str, Any] = {
            "kafka_bootstrap_servers": tansu.bootstrap,
            **names,
            "kafka_topic_partitions": 4,
            **{f"kafka_{name}": value for name, value in GROUP_TIMEOUTS.items()},
            "kafka_request_timeout_ms": 3000,
            "kafka_delivery_timeout_s": 5.0,
            "batch_max_wait_s": 0.1,
            "retry_backoff_initial_s": 0.1,
            "retry_backoff_max_s": 0.4,
            "store_path": tmp_path / "store",
            **overrides,
        }
        return PipelineSettings(**values)

    return make


def produce(settings: PipelineSettings, segments: Sequence[Segment]) -> None:
    options = settings.kafka_options()
    ensure_topics(options, [settings.kafka_topic_events, settings.kafka_topic_deadletter])
    sink = KafkaSink(options)
    try:
        sink.deliver(segments)
    finally:
        sink.close()


def inserted(*processors: Processor) -> int:
    return int(sum(p.metrics.value("tooltrail_pipeline_events_inserted_total") for p in processors))


def run_until(
    cond: Callable[[], bool], *processors: Processor, timeout: float = 40.0, what: str = ""
) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, f"timed out waiting for {what or cond}"
        for p in processors:
            p.run_once(max_wait_s=0.1)


def wait_for(cond: Callable[[], bool], timeout: float = 40.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, f"timed out waiting for {what or cond}"
        time.sleep(0.05)


def group_offsets(settings: PipelineSettings) -> tuple[dict[int, int | None], dict[int, int]]:
    """(committed offset, end offset) per partition of the events topic, for the group.

    The end offsets are read off fetch responses (``highwater``): Tansu's ListOffsets
    (``end_offsets()``) answers the last batch's base offset + 1, short after a multi-record batch.
    """
    options = settings.kafka_options()
    topic = settings.kafka_topic_events
    member = KafkaConsumer(**options.consumer_config(settings.kafka_group_id, "-check"))
    reader = KafkaConsumer(**options.consumer_config(None, "-ends"))
    try:
        tps = [TopicPartition(topic, p) for p in sorted(member.partitions_for_topic(topic))]
        committed = {tp.partition: member.committed(tp) for tp in tps}
        reader.assign(tps)
        reader.seek_to_beginning(*tps)
        deadline = time.monotonic() + 15
        while True:
            reader.poll(timeout_ms=100)
            ends = {tp.partition: reader.highwater(tp) for tp in tps}
            if all(
                h is not None and reader.position(tp) >= h
                for tp, h in zip(tps, ends.values(), strict=True)
            ):
                return committed, {p: int(h) for p, h in ends.items() if h is not None}
            assert time.monotonic() < deadline, "end offsets unknown"
    finally:
        member.close(autocommit=False)
        reader.close(autocommit=False)


def assert_all_committed(settings: PipelineSettings) -> None:
    committed, ends = group_offsets(settings)
    assert committed == {p: (o or None) for p, o in ends.items()}


def scalar(store: Store, sql: str) -> int:
    return int(store.query_df(sql.format(db=store.database)).iloc[0, 0])


def assert_exactly_once(store: Store, feed: Feed, n: int | None = None) -> None:
    """Every taken event stored once: with and without FINAL, and once in the rollups."""
    n = feed.taken if n is None else n
    assert scalar(store, "SELECT count() FROM {db}.events") == n
    assert scalar(store, "SELECT count() FROM {db}.events FINAL") == n
    assert scalar(store, "SELECT uniqExact(stream_id, seq) FROM {db}.events") == n
    most = "SELECT max(c) FROM (SELECT count() AS c FROM {db}.events GROUP BY stream_id, seq)"
    assert scalar(store, most) == 1
    assert scalar(store, "SELECT sum(calls) FROM {db}.rollup_1m") == n


def read_topic(bootstrap: str, topic: str, want: int, timeout: float = 15.0) -> list[Any]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        records: list[Any] = []
        deadline = time.monotonic() + timeout
        while len(records) < want and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=200).values():
                records.extend(batch)
        for batch in consumer.poll(timeout_ms=300).values():  # anything extra shows up here
            records.extend(batch)
        return records
    finally:
        consumer.close()


# -- settings (no broker) --------------------------------------------------------------------------


def test_settings_read_env_validate_and_map(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOOLTRAIL_PIPELINE_KAFKA_BOOTSTRAP_SERVERS", "k1:9093,k2:9093")
    monkeypatch.setenv("TOOLTRAIL_STORE_PASSWORD", "s3cret-value")  # the store's one name
    monkeypatch.setenv("TOOLTRAIL_PIPELINE_KAFKA_SESSION_TIMEOUT_MS", "6000")
    monkeypatch.setenv("TOOLTRAIL_PIPELINE_KAFKA_HEARTBEAT_INTERVAL_MS", "2000")
    s = PipelineSettings()
    assert s.kafka_topic_events == "tooltrail.events"
    assert s.kafka_topic_deadletter == "tooltrail.deadletter"
    assert s.kafka_group_id == "tooltrail-pipeline"
    assert "s3cret" not in repr(s)
    options = s.kafka_options()
    assert options.servers == ["k1:9093", "k2:9093"]
    assert options.consumer_config("g")["session_timeout_ms"] == 6000
    assert options.consumer_config("g")["enable_auto_commit"] is False
    config = s.store_config()
    assert (config.backend, config.password, config.database) == (
        "chdb",
        "s3cret-value",
        "tooltrail",
    )
    assert "s3cret" not in repr(config)

    with pytest.raises(ValueError, match="placeholder"):
        PipelineSettings(environment="production", store_password="changethis")
    with pytest.raises(ValueError, match="SASL needs"):
        PipelineSettings(kafka_security_protocol="SASL_SSL", kafka_sasl_mechanism="PLAIN")
    with pytest.raises(ValueError, match="store_url"):
        PipelineSettings(store_backend="http")
    with pytest.raises(ValueError, match="max_buffered_rows"):
        PipelineSettings(batch_max_rows=10_000, max_buffered_rows=5_000)
    with pytest.raises(ValueError, match="heartbeat"):
        PipelineSettings(kafka_session_timeout_ms=2000, kafka_heartbeat_interval_ms=2000)
    monkeypatch.setenv("TOOLTRAIL_STORE_URL", "https://clickhouse:8443")
    assert PipelineSettings().store_config().backend == "http"  # a URL means the server


# -- the happy path -------------------------------------------------------------------------------


@pytest.mark.kafka
@pytest.mark.store
def test_each_event_stored_once_and_offsets_committed(
    make_settings: MakeSettings, store: Store
) -> None:
    settings = make_settings(metrics_port=0)
    feed = Feed(streams=6, events=300)
    produce(settings, feed.take(50, rounds=6))
    with Processor(settings, store) as processor:
        run_until(lambda: inserted(processor) >= feed.total, processor, what="all events stored")
        assert processor.metrics_port
        url = f"http://127.0.0.1:{processor.metrics_port}/metrics"
        with urllib.request.urlopen(url, timeout=5) as resp:
            body = resp.read().decode()
        assert f"tooltrail_pipeline_events_inserted_total {feed.total}.0" in body
        assert "tooltrail_pipeline_consumer_lag{" in body
        assert "tooltrail_pipeline_flush_seconds_count" in body
        assert processor.metrics.value("tooltrail_pipeline_events_duplicate_total") == 0
        assert processor.buffered_events == 0
    assert_exactly_once(store, feed)
    for stream, chain in feed.chains.items():
        assert list(store.iter_events(stream_id=stream)) == chain
    assert_all_committed(settings)

    # a new member of the group starts after the committed offsets: it sees only what is new
    late = Feed(streams=1, events=10, prefix="late")
    produce(settings, late.take(10))
    consumer = KafkaConsumer(**settings.kafka_options().consumer_config(settings.kafka_group_id))
    try:
        consumer.subscribe([settings.kafka_topic_events])
        records: list[Any] = []
        deadline = time.monotonic() + 30
        while not records and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=200).values():
                records.extend(batch)
        for batch in consumer.poll(timeout_ms=500).values():
            records.extend(batch)
    finally:
        consumer.close(autocommit=False)
    assert [r.key for r in records] == [b"late.0000000000000000"]


# -- crash between insert and commit --------------------------------------------------------------


def settings_env(settings: PipelineSettings) -> dict[str, str]:
    def text(value: Any) -> str:
        return value.get_secret_value() if isinstance(value, SecretStr) else str(value)

    return {
        f"TOOLTRAIL_PIPELINE_{name.upper()}": text(getattr(settings, name))
        for name in settings.model_fields_set
    }


@pytest.mark.kafka
@pytest.mark.store
# with a record key the processor takes the collector's stamped records without validating
# each event again: the same exactly-once effect either way
@pytest.mark.parametrize("record_key", [None, "kill-test-record-key-0123456789"])
def test_kill_between_insert_and_commit_stores_each_event_once(
    make_settings: MakeSettings, tmp_path: Path, record_key: str | None
) -> None:
    keyed = {"kafka_record_key": record_key} if record_key else {}
    settings = make_settings(store_path=tmp_path / "crash-store", batch_max_rows=400, **keyed)
    feed = Feed(streams=4, events=500)
    produce(settings, feed.take(100, rounds=5))
    env = {**os.environ, **settings_env(settings), KILL_ENV: "1"}
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.pipeline._processor_child"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL, f"child exited {child.returncode}:\n{err}"
    assert "killing after insert of" in out
    committed, _ = group_offsets(settings)
    assert set(committed.values()) == {None}, "the child committed before it died"

    store = open_store(settings.store_config())  # the child's lock died with it
    try:
        before = scalar(store, "SELECT count() FROM {db}.events")
        assert 0 < before < feed.total
        with Processor(settings, store) as processor:
            dup = "tooltrail_pipeline_events_duplicate_total"
            run_until(
                lambda: inserted(processor) + processor.metrics.value(dup) >= feed.total,
                processor,
                what="the redelivered records",
            )
            assert inserted(processor) == feed.total - before
            assert processor.metrics.value(dup) == before
            unauthenticated = "tooltrail_pipeline_records_unauthenticated_total"
            assert processor.metrics.value(unauthenticated) == 0
        assert_exactly_once(store, feed)
        assert_all_committed(settings)
    finally:
        store.close()


# -- the store is down ----------------------------------------------------------------------------


@pytest.mark.kafka
@pytest.mark.store
def test_store_down_commits_nothing_pauses_and_recovers(
    make_settings: MakeSettings, store: Store
) -> None:
    settings = make_settings()
    feed = Feed(streams=4, events=300)
    db = store.database
    failures = "tooltrail_pipeline_insert_failures_total"
    with Processor(settings, store) as processor:
        produce(settings, feed.take(50, rounds=2))
        run_until(lambda: inserted(processor) == feed.taken, processor, what="the first batch")
        assert_all_committed(settings)
        stored = feed.taken

        # 1. the events table is gone: nothing can be written
        store.command(f"DETACH TABLE {db}.events")
        try:
            produce(settings, feed.take(50, rounds=2))
            before, _ = group_offsets(settings)
            run_until(
                lambda: processor.metrics.value(failures) >= 3, processor, what="failed flushes"
            )
            assert processor.failing
            assert processor.buffered_events > 0
            assert processor.assignment()
            assert processor.paused() == processor.assignment()
            assert processor.metrics.value("tooltrail_pipeline_paused") == 1
            consumed = processor.metrics.value("tooltrail_pipeline_records_consumed_total")
            for _ in range(5):
                processor.run_once(max_wait_s=0.1)
            assert processor.metrics.value("tooltrail_pipeline_records_consumed_total") == consumed
            assert group_offsets(settings)[0] == before, "committed while the store was down"
        finally:
            store.command(f"ATTACH TABLE {db}.events")
        assert scalar(store, "SELECT count() FROM {db}.events") == stored
        run_until(lambda: inserted(processor) == feed.taken, processor, what="recovery")
        run_until(lambda: not processor.paused(), processor, what="resume")
        assert not processor.failing
        assert_all_committed(settings)

        # 2. half a write: the events land, the chain heads do not; the retry adds nothing twice
        stored = feed.taken
        store.command(f"DETACH TABLE {db}.chain_heads")
        try:
            produce(settings, feed.take(50, rounds=2))
            seen = processor.metrics.value(failures)
            before, _ = group_offsets(settings)
            run_until(lambda: processor.metrics.value(failures) > seen, processor)
            assert stored < scalar(store, "SELECT count() FROM {db}.events") <= feed.taken
            assert group_offsets(settings)[0] == before
        finally:
            store.command(f"ATTACH TABLE {db}.chain_heads")
        count = "SELECT count() FROM {db}.events"
        run_until(lambda: scalar(store, count) == feed.taken, processor, what="the rest")
    assert_exactly_once(store, feed)
    assert_all_committed(settings)


# -- poison records -------------------------------------------------------------------------------


@pytest.mark.kafka
@pytest.mark.store
def test_poison_records_are_dead_lettered_and_later_records_stored(
    make_settings: MakeSettings, store: Store
) -> None:
    settings = make_settings()
    feed = Feed(streams=1, events=30)
    (stream,) = feed.chains
    poison = [b"not json at all", orjson.dumps({"v": 99, "stream_id": stream})]
    produce(settings, [feed.segment(stream, 10)])
    producer = KafkaProducer(**settings.kafka_options().producer_config())
    try:
        for value in poison:  # same key, so the same partition, between good records
            producer.send(
                settings.kafka_topic_events, value=value, key=stream.encode(), headers=[("x", b"1")]
            ).get(timeout=10)
    finally:
        producer.close()
    produce(settings, [feed.segment(stream, 10), feed.segment(stream, 10)])

    with Processor(settings, store) as processor:
        run_until(lambda: inserted(processor) == feed.total, processor, what="good records")
        assert processor.metrics.value("tooltrail_pipeline_records_consumed_total") == 5
    assert_exactly_once(store, feed)
    assert_all_committed(settings)

    committed, _ = group_offsets(settings)
    (partition,) = (p for p, offset in committed.items() if offset)
    assert committed[partition] == 5  # good, poison, poison, good, good: all handled

    dead = read_topic(settings.kafka_bootstrap_servers, settings.kafka_topic_deadletter, 2)
    assert [r.value for r in dead] == poison
    for record, offset in zip(dead, (1, 2), strict=True):
        headers = dict(record.headers)
        assert record.key == stream.encode()
        assert headers["original_topic"] == settings.kafka_topic_events.encode()
        assert headers["original_partition"] == str(partition).encode()
        assert headers["original_offset"] == str(offset).encode()
        assert headers["x"] == b"1"  # the original headers travel along
    reasons = [dict(r.headers)["reason"].decode() for r in dead]
    assert reasons[0].startswith("not valid JSON")
    assert "unsupported segment version 99" in reasons[1]


# -- two members, one leaves ----------------------------------------------------------------------


@pytest.mark.kafka
@pytest.mark.store
def test_two_members_share_partitions_and_a_rebalance_loses_and_doubles_nothing(
    make_settings: MakeSettings, store: Store
) -> None:
    # records stay buffered (uncommitted) for a while, so rebalances catch them in flight
    settings = make_settings(batch_max_wait_s=1.0)
    feed = Feed(streams=8, events=300)
    produce(settings, feed.take(25, rounds=2))
    first, second = Processor(settings, store), Processor(settings, store)
    stops = {first: threading.Event(), second: threading.Event()}
    errors: list[BaseException] = []

    def run(processor: Processor) -> None:
        try:
            processor.run(stops[processor])
        except BaseException as exc:  # surfaced by the test, not lost in the thread
            errors.append(exc)
        finally:
            processor.close()

    feeding = threading.Event()

    def feed_steadily() -> None:  # one segment per stream every 0.2 s until told to stop
        while not feeding.is_set() and feed.taken + 80 <= feed.total:
            produce(settings, feed.take(10))
            time.sleep(0.2)

    threads = {p: threading.Thread(target=run, args=(p,), daemon=True) for p in stops}
    producer = threading.Thread(target=feed_steadily, daemon=True)
    both: list[tuple[set[Any], set[Any]]] = []

    def shared() -> bool:
        a, b = first.assignment(), second.assignment()
        if a and b:
            both.append((a, b))
        return bool(a and b)

    try:
        threads[first].start()
        wait_for(lambda: inserted(first) > 0, what="the first member to store something")
        producer.start()
        threads[second].start()  # joining makes the first member give up its partitions
        wait_for(shared, what="both members to hold partitions")
        a, b = both[-1]
        assert not a & b
        assert len(a | b) == 4
        wait_for(lambda: inserted(second) > 0, what="the second member to store something")
        stops[first].set()  # leaves mid-stream: its partitions move to the second member
        threads[first].join(30)
        assert not threads[first].is_alive()
        wait_for(lambda: len(second.assignment()) == 4, what="the second member to take over")
        feeding.set()
        producer.join(30)
        wait_for(
            lambda: inserted(first, second) >= feed.taken, what="every event after the rebalance"
        )
    finally:
        feeding.set()
        for p, stop in stops.items():
            stop.set()
            if threads[p].ident is not None:
                threads[p].join(30)
            else:
                p.close()
    assert not errors, errors
    assert inserted(first) > 0
    assert inserted(second) > 0
    # the first member held uncommitted records when the second one joined: it gave them up,
    # rewound, and they were stored once all the same
    assert first.metrics.value("tooltrail_pipeline_records_dropped_on_revoke_total") > 0
    assert_exactly_once(store, feed)
    assert_all_committed(settings)
