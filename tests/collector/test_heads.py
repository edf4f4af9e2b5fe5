"""Chain heads in shared state: the memory store, and the Kafka one against a real broker."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from tests._infra.fixtures import kafka_options, tansu, tansu_s3, topic_name  # noqa: F401
from tests._infra.tansu import Tansu, free_port
from tooltrail.broker import KafkaOptions
from tooltrail.collector.errors import SinkUnavailable
from tooltrail.collector.heads import Head, HeadStore, MemoryHeadStore
from tooltrail.collector.heads_kafka import KafkaHeadStore

TopicName = Callable[[str], str]


def options_for(bootstrap: str, names: TopicName) -> KafkaOptions:
    """Short timeouts: these tests stop the broker on purpose."""
    return kafka_options(
        bootstrap, names, request_timeout_ms=2000, delivery_timeout_s=5.0, connect_timeout_s=3.0
    )


def test_memory_store_keeps_the_highest_seq() -> None:
    store = MemoryHeadStore()
    assert isinstance(store, HeadStore)
    assert store.get("a") is None
    store.put("a", Head(4, "h4"))
    store.put("a", Head(2, "h2"))  # an older head (a late retry) never moves it back
    store.refresh(0.1)
    assert store.get("a") == Head(4, "h4")
    store.put("a", Head(5, "h5"))
    assert store.get("a") == Head(5, "h5")
    store.close()


def test_head_json_roundtrip_and_validation() -> None:
    head = Head(7, "ab" * 32)
    assert Head.from_json(head.to_json()) == head
    for bad in (b'{"seq": -1, "hash": "x"}', b'{"seq": "1", "hash": "x"}', b'{"hash": "x"}'):
        with pytest.raises((ValueError, KeyError)):
            Head.from_json(bad)


BOUND = Head(7, "h7", "fs.server", True, ((3, "h3"), (7, "h7")))


@pytest.mark.kafka
def test_heads_survive_a_collector_restart(
    tansu: Tansu,  # noqa: F811
    topic_name: TopicName,  # noqa: F811
) -> None:
    opts = options_for(tansu.bootstrap, topic_name)
    first = KafkaHeadStore(opts)
    try:
        assert isinstance(first, HeadStore)
        assert first.get("s1") is None
        for seq in range(5):
            first.put("s1", Head(seq, f"h{seq}"))
        first.put("s2", Head(9, "h9"))
        first.put("s2", Head(3, "h3"))  # older: ignored locally, and by whoever reads the topic
        first.put("s3", BOUND)  # the binding travels with the head
        first.refresh(5.0)
        assert first.get("s1") == Head(4, "h4")
        assert first.get("s2") == Head(9, "h9")
    finally:
        first.close()

    second = KafkaHeadStore(opts)  # the collector came back: heads are loaded before use
    try:
        assert second.get("s1") == Head(4, "h4")
        assert second.get("s2") == Head(9, "h9")
        assert second.get("s3") == BOUND
        assert second.get("s4") is None
        assert len(second) == 3  # refresh barriers are not heads
    finally:
        second.close()
    with pytest.raises(SinkUnavailable):
        second.put("s1", Head(5, "h5"))


@pytest.mark.kafka
def test_a_replica_sees_another_ones_put_after_refresh(
    tansu: Tansu,  # noqa: F811
    topic_name: TopicName,  # noqa: F811
) -> None:
    opts = options_for(tansu.bootstrap, topic_name)
    a = KafkaHeadStore(opts)
    b = KafkaHeadStore(opts)
    try:
        for round_ in range(3):
            a.put("shared", Head(2 * round_, f"a{round_}"))
            b.refresh(5.0)
            assert b.get("shared") == Head(2 * round_, f"a{round_}")
            b.put("shared", Head(2 * round_ + 1, f"b{round_}"))
            a.refresh(5.0)
            assert a.get("shared") == Head(2 * round_ + 1, f"b{round_}")
        t0 = time.monotonic()
        b.refresh(5.0)
        assert time.monotonic() - t0 < 2.0
    finally:
        a.close()
        b.close()


def test_kafka_store_with_the_broker_down_fails_within_bounded_time() -> None:
    opts = KafkaOptions(
        bootstrap_servers=f"127.0.0.1:{free_port()}",
        connect_timeout_s=1.0,
        request_timeout_ms=1000,
        delivery_timeout_s=2.0,
    )
    t0 = time.monotonic()
    with pytest.raises(SinkUnavailable):
        KafkaHeadStore(opts)
    assert time.monotonic() - t0 < 4.0


@pytest.mark.kafka
def test_heads_survive_a_broker_restart_on_s3(
    tansu_s3: Tansu,  # noqa: F811
    topic_name: TopicName,  # noqa: F811
) -> None:
    opts = options_for(tansu_s3.bootstrap, topic_name)
    store = KafkaHeadStore(opts)
    try:
        store.put("s1", Head(10, "h10"))
        tansu_s3.kill()  # a crash of the broker
        with pytest.raises(SinkUnavailable):
            store.refresh(1.0)
        tansu_s3.start()
        store.put("s1", Head(11, "h11"))  # the same store goes on once the broker is back
        store.refresh(5.0)
        assert store.get("s1") == Head(11, "h11")
    finally:
        store.close()
    again = KafkaHeadStore(opts)
    other = KafkaHeadStore(opts)  # a second replica: S3 storage answers stale end offsets,
    try:  # refresh() must not depend on them
        assert again.get("s1") == Head(11, "h11")
        for seq in range(12, 15):
            again.put("s1", Head(seq, f"h{seq}"))
            other.refresh(5.0)
            assert other.get("s1") == Head(seq, f"h{seq}")
    finally:
        again.close()
        other.close()
