"""The Kafka sink against a real Kafka-protocol broker (Tansu), read back with a real consumer."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from tests._infra.fixtures import kafka_options, tansu, tansu_s3, topic_name  # noqa: F401
from tests._infra.tansu import Tansu, free_port
from tooltrail.broker import (
    BrokerUnavailable,
    KafkaConsumer,
    KafkaOptions,
    KafkaProducer,
    TopicPartition,
    close_producer,
    ensure_topics,
)
from tooltrail.collector.errors import SinkUnavailable
from tooltrail.collector.sinks.base import MemorySink, Segment, Sink
from tooltrail.collector.sinks.kafka import KafkaSink

TopicName = Callable[[str], str]


def segment(stream: str, first: int, n: int = 3, findings: tuple[str, ...] = ()) -> Segment:
    last = first + n - 1
    events = [
        {"stream_id": stream, "seq": s, "hash": f"h{stream}{s}"} for s in range(first, last + 1)
    ]
    body = {
        "v": 1,
        "stream_id": stream,
        "source": "svc",
        "events": events,
        "checkpoints": [],
        "findings": [{"cls": f, "seq": first} for f in findings],
    }
    return Segment(
        stream_id=stream,
        source="svc",
        first_seq=first,
        last_seq=last,
        head_hash=f"h{stream}{last}",
        body=json.dumps(body).encode(),
        findings=findings,
    )


options_for = kafka_options


def read_topic(
    bootstrap: str, topic: str, *, until: Callable[[list[Any]], bool], timeout: float = 15.0
) -> list[Any]:
    """Every record of ``topic`` from the beginning, polling until ``until(records)``."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=100
    )
    try:
        tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
        assert tps, f"topic {topic} has no partitions"
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        records: list[Any] = []
        deadline = time.monotonic() + timeout
        while not until(records) and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=200).values():
                records.extend(batch)
        # a last short poll: anything extra would show up here
        for batch in consumer.poll(timeout_ms=300).values():
            records.extend(batch)
        return records
    finally:
        consumer.close()


def count_at_least(n: int) -> Callable[[list[Any]], bool]:
    return lambda records: len(records) >= n


def seqs_present(records: Iterable[Any]) -> set[tuple[str, int]]:
    """(stream_id, first_seq) of every record."""
    out = set()
    for r in records:
        headers = dict(r.headers)
        out.add((r.key.decode(), int(headers["first_seq"])))
    return out


# -- MemorySink (no broker) ---------------------------------------------------------------


def test_memory_sink_keeps_and_fails_on_demand() -> None:
    sink = MemorySink()
    assert isinstance(sink, Sink)
    sink.deliver([segment("a", 0)])
    sink.fail(2)
    assert not sink.ready()
    for _ in range(2):
        with pytest.raises(SinkUnavailable):
            sink.deliver([segment("a", 3)])
    sink.deliver([segment("a", 3), segment("b", 0)])
    assert [(s.stream_id, s.first_seq) for s in sink.delivered] == [("a", 0), ("a", 3), ("b", 0)]
    assert sink.calls == 4
    assert sink.ready()
    sink.close()
    assert not sink.ready()
    with pytest.raises(SinkUnavailable):
        sink.deliver([segment("a", 6)])


def test_segment_rejects_bad_ranges() -> None:
    with pytest.raises(ValueError, match="seq range"):
        Segment("a", "svc", 5, 4, "h", b"{}")


def test_options_validate() -> None:
    with pytest.raises(ValueError, match="compression"):
        KafkaOptions("127.0.0.1:1", compression="brotli")
    with pytest.raises(ValueError, match="delivery_timeout_s"):
        KafkaOptions("127.0.0.1:1", delivery_timeout_s=1.0, request_timeout_ms=5000)
    opts = KafkaOptions(" a:1 , b:2 ", sasl_plain_password="secret")
    assert opts.servers == ["a:1", "b:2"]
    assert "secret" not in repr(opts)
    assert opts.producer_config()["acks"] == "all"
    assert opts.producer_config()["enable_idempotence"] is True


# -- against the broker -------------------------------------------------------------------


@pytest.mark.kafka
def test_deliver_reads_back_keys_headers_order_and_integrity(
    tansu: Tansu,  # noqa: F811
    topic_name: TopicName,  # noqa: F811
) -> None:
    opts = options_for(tansu.bootstrap, topic_name)
    ensure_topics(opts)
    ensure_topics(opts)  # idempotent
    sink = KafkaSink(opts)
    try:
        assert sink.ready()
        sent: list[Segment] = []
        for first in range(0, 30, 3):
            batch = [
                segment("alpha", first),
                segment("beta", first, findings=("gap",) if first == 9 else ()),
                segment("gamma", first, findings=("fork", "bad_hash") if first == 21 else ()),
            ]
            sink.deliver(batch)
            sent.extend(batch)
        sink.deliver([])  # nothing to do
    finally:
        sink.close()
    assert not sink.ready()

    records = read_topic(tansu.bootstrap, opts.events_topic, until=count_at_least(len(sent)))
    assert len(records) == len(sent)
    by_stream: dict[str, list[Any]] = {}
    for r in records:
        by_stream.setdefault(r.key.decode(), []).append(r)
    assert set(by_stream) == {"alpha", "beta", "gamma"}
    expected = {(s.stream_id, s.first_seq): s for s in sent}
    for stream, recs in by_stream.items():
        assert len({r.partition for r in recs}) == 1, f"{stream} spread over partitions"
        recs.sort(key=lambda r: r.offset)
        firsts = [int(dict(r.headers)["first_seq"]) for r in recs]
        assert firsts == list(range(0, 30, 3)), f"{stream} out of order"
        for r in recs:
            headers = dict(r.headers)
            seg = expected[(stream, int(headers["first_seq"]))]
            assert r.value == seg.body
            assert headers["source"] == b"svc"
            assert headers["last_seq"] == str(seg.last_seq).encode()
            assert headers["head_hash"] == seg.head_hash.encode()
            assert headers["findings"] == ",".join(seg.findings).encode()

    flagged = [s for s in sent if s.findings]
    integrity = read_topic(tansu.bootstrap, opts.integrity_topic, until=count_at_least(2))
    assert len(integrity) == len(flagged) == 2
    got = {(r.key.decode(), json.loads(r.value)["first_seq"]): r for r in integrity}
    for seg in flagged:
        r = got[(seg.stream_id, seg.first_seq)]
        doc = json.loads(r.value)
        assert doc["findings"] == list(seg.findings)
        assert doc["last_seq"] == seg.last_seq
        assert doc["head_hash"] == seg.head_hash
        assert [d["cls"] for d in doc["details"]] == list(seg.findings)
        assert dict(r.headers)["findings"] == ",".join(seg.findings).encode()


@pytest.mark.kafka
def test_topics_have_the_configured_partitions(
    tansu: Tansu,  # noqa: F811
    topic_name: TopicName,  # noqa: F811
) -> None:
    opts = options_for(tansu.bootstrap, topic_name, partitions=3)
    ensure_topics(opts)
    consumer = KafkaConsumer(bootstrap_servers=tansu.bootstrap)
    try:
        for topic in (opts.events_topic, opts.integrity_topic, opts.heads_topic):
            assert consumer.partitions_for_topic(topic) == {0, 1, 2}
    finally:
        consumer.close()


@pytest.mark.kafka
def test_non_retriable_error_is_unavailable_and_producer_is_replaced(
    tansu: Tansu,  # noqa: F811
    topic_name: TopicName,  # noqa: F811
) -> None:
    opts = options_for(tansu.bootstrap, topic_name, max_request_size=4096)
    ensure_topics(opts)
    sink = KafkaSink(opts)
    try:
        big = segment("big", 0, n=200)
        assert len(big.body) > 4096
        with pytest.raises(SinkUnavailable) as info:
            sink.deliver([segment("ok", 0), big])
        assert info.value.__cause__ is not None  # the Kafka error is kept
        assert sink.producer.replaced == 1
        sink.deliver([segment("ok", 3)])
    finally:
        sink.close()
    records = read_topic(
        tansu.bootstrap, opts.events_topic, until=lambda r: ("ok", 3) in seqs_present(r)
    )
    assert ("ok", 3) in seqs_present(records)
    assert ("big", 0) not in seqs_present(records)


def test_broker_down_is_unavailable_within_bounded_time() -> None:
    opts = KafkaOptions(
        bootstrap_servers=f"127.0.0.1:{free_port()}",
        connect_timeout_s=1.0,
        request_timeout_ms=1000,
        delivery_timeout_s=2.0,
    )
    t0 = time.monotonic()
    sink = KafkaSink(opts, retry_after=0.5)  # must not hang nor raise
    try:
        assert time.monotonic() - t0 < 3.0
        assert not sink.ready()
        t1 = time.monotonic()
        with pytest.raises(SinkUnavailable) as info:
            sink.deliver([segment("a", 0)])
        assert time.monotonic() - t1 < 3.0
        assert info.value.retry_after > 0
        with pytest.raises(BrokerUnavailable):  # the Kafka layer's own error
            ensure_topics(opts)
    finally:
        sink.close()


@pytest.mark.kafka
def test_broker_restart_on_s3_keeps_every_delivered_segment(
    tansu_s3: Tansu,  # noqa: F811
    topic_name: TopicName,  # noqa: F811
) -> None:
    broker = tansu_s3
    opts = options_for(
        broker.bootstrap,
        topic_name,
        request_timeout_ms=1000,
        delivery_timeout_s=2.5,
        connect_timeout_s=2.0,
    )
    ensure_topics(opts)
    sink = KafkaSink(opts)
    delivered: list[Segment] = []
    try:
        before = [segment("s1", 0), segment("s2", 0, findings=("gap",))]
        sink.deliver(before)
        delivered += before

        broker.stop()
        assert not sink.ready()
        t0 = time.monotonic()
        with pytest.raises(SinkUnavailable):
            sink.deliver([segment("s1", 3), segment("s2", 3)])  # not delivered: not counted
        assert time.monotonic() - t0 < opts.delivery_timeout_s + 2.0

        broker.start()
        after = [segment("s1", 3), segment("s2", 3), segment("s3", 0)]
        sink.deliver(after)  # the same producer reconnects by itself
        delivered += after
        assert sink.ready()

        broker.kill()  # a crash, not a clean stop: acknowledged records must survive it
        broker.start()
        last = [segment("s1", 6)]
        sink.deliver(last)
        delivered += last
    finally:
        sink.close()

    wanted = {(s.stream_id, s.first_seq) for s in delivered}
    records = read_topic(
        broker.bootstrap, opts.events_topic, until=lambda r: wanted <= seqs_present(r)
    )
    assert wanted <= seqs_present(records)
    # a failed delivery may still have landed (a duplicate for the pipeline), nothing else
    assert seqs_present(records) <= wanted | {("s1", 3), ("s2", 3)}
    integrity = read_topic(broker.bootstrap, opts.integrity_topic, until=count_at_least(1))
    assert [r.key for r in integrity] == [b"s2"]


@pytest.mark.kafka
def test_close_producer_is_bounded_with_records_pending() -> None:
    with Tansu("memory") as broker:
        opts = KafkaOptions(
            broker.bootstrap,
            request_timeout_ms=1000,
            delivery_timeout_s=30.0,
            connect_timeout_s=2.0,
        )
        ensure_topics(opts)
        producer = KafkaProducer(**opts.producer_config())
        producer.send(opts.events_topic, key=b"k", value=b"v").get(timeout=5)
        broker.kill()
        pending = producer.send(opts.events_topic, key=b"k", value=b"w")
        t0 = time.monotonic()
        close_producer(producer, timeout=0.5)
        assert time.monotonic() - t0 < 3.0
        assert pending.is_done
        assert pending.failed()
        assert not producer._sender.is_alive()


@pytest.mark.kafka
def test_deliveries_recover_after_broker_crashes_mid_stream(
    tansu_s3: Tansu,  # noqa: F811
    topic_name: TopicName,  # noqa: F811
) -> None:
    """Crashes while records are in flight (kafka-python 3.0.12 could wedge its idempotent
    producer there, for good): deliveries must resume after each, and lose nothing."""
    broker = tansu_s3
    opts = options_for(
        broker.bootstrap,
        topic_name,
        request_timeout_ms=1000,
        delivery_timeout_s=1.5,
        connect_timeout_s=1.0,
    )
    ensure_topics(opts)
    sink = KafkaSink(opts, retry_after=0.2)
    ok: list[int] = []
    stop = threading.Event()

    def traffic() -> None:
        seq = 0
        while not stop.is_set():
            try:
                sink.deliver([segment("crash", seq, n=1)])
            except SinkUnavailable:
                stop.wait(0.05)  # the emitter would retry the same batch
                continue
            ok.append(seq)
            seq += 1
            stop.wait(0.004)

    def wait_for_ok(count: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while len(ok) < count:
            assert time.monotonic() < deadline, f"deliveries did not resume ({len(ok)} ok)"
            time.sleep(0.02)

    worker = threading.Thread(target=traffic, daemon=True)
    worker.start()
    try:
        for _ in range(3):
            wait_for_ok(20, 10.0)
            broker.kill()
            time.sleep(0.5)
            broker.start()
            resumed_from = len(ok)
            wait_for_ok(resumed_from + 20, 15.0)
    finally:
        stop.set()
        worker.join(timeout=10)
        sink.close()
    wanted = {("crash", s) for s in ok}
    records = read_topic(
        broker.bootstrap, opts.events_topic, until=lambda r: wanted <= seqs_present(r)
    )
    assert wanted <= seqs_present(records)
