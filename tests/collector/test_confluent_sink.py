"""The confluent-kafka sink (``tooltrail[confluent]``) against the real broker: the same records,
keys, headers and order as the kafka-python sink; a broker that is gone is a bounded 503, and the
sink recovers once the broker is back."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests._infra.fixtures import tansu, topic_name  # noqa: F401
from tests._infra.tansu import Tansu, free_port
from tooltrail.broker import KafkaOptions, ensure_topics
from tooltrail.collector.auth import KeyStore
from tooltrail.collector.cli import build_app
from tooltrail.collector.errors import SinkUnavailable
from tooltrail.collector.sinks.base import Segment
from tooltrail.collector.sinks.confluent import ConfluentSink

from .conftest import body_of, chain_of
from .test_e2e_emitter import collector_settings
from .test_kafka_sink import count_at_least, options_for, read_topic, segment, seqs_present

TopicName = Callable[[str], str]


@pytest.mark.kafka
def test_deliver_reads_back_keys_headers_order_and_integrity(
    tansu: Tansu,  # noqa: F811
    topic_name: TopicName,  # noqa: F811
) -> None:
    opts = options_for(tansu.bootstrap, topic_name)
    ensure_topics(opts)
    sink = ConfluentSink(opts)
    sent: list[Segment] = []
    try:
        assert sink.ready()
        for first in range(0, 30, 3):
            group = [segment("alpha", first), segment("beta", first, findings=("gap",))]
            sink.deliver(group)
            sent.extend(group)
        sink.deliver([])
    finally:
        sink.close()
    assert not sink.ready()
    records = read_topic(tansu.bootstrap, opts.events_topic, until=count_at_least(len(sent)))
    assert len(records) == len(sent)
    expected = {(s.stream_id, s.first_seq): s for s in sent}
    for stream in ("alpha", "beta"):
        mine = sorted((r for r in records if r.key == stream.encode()), key=lambda r: r.offset)
        assert len({r.partition for r in mine}) == 1
        assert [int(dict(r.headers)["first_seq"]) for r in mine] == list(range(0, 30, 3))
        for r in mine:
            seg = expected[(stream, int(dict(r.headers)["first_seq"]))]
            assert r.value == seg.body
            assert dict(r.headers)["head_hash"] == seg.head_hash.encode()
            assert dict(r.headers)["findings"] == ",".join(seg.findings).encode()
    integrity = read_topic(tansu.bootstrap, opts.integrity_topic, until=count_at_least(10))
    assert sorted(json.loads(r.value)["first_seq"] for r in integrity) == list(range(0, 30, 3))


def test_broker_down_is_unavailable_within_bounded_time() -> None:
    opts = KafkaOptions(
        bootstrap_servers=f"127.0.0.1:{free_port()}",
        connect_timeout_s=1.0,
        request_timeout_ms=1000,
        delivery_timeout_s=2.0,
    )
    sink = ConfluentSink(opts, retry_after=0.5)
    try:
        assert not sink.ready()
        t0 = time.monotonic()
        with pytest.raises(SinkUnavailable) as info:
            sink.deliver([segment("a", 0)])
        assert time.monotonic() - t0 < 4.0
        assert info.value.retry_after == 0.5
        assert sink.replaced == 1  # the failed producer is not reused
    finally:
        sink.close()


@pytest.mark.kafka
def test_a_killed_broker_is_unavailable_then_delivery_recovers(
    topic_name: TopicName,  # noqa: F811
) -> None:
    with Tansu("memory") as broker:
        opts = options_for(
            broker.bootstrap,
            topic_name,
            connect_timeout_s=1.0,
            request_timeout_ms=1000,
            delivery_timeout_s=2.0,
        )
        ensure_topics(opts)
        sink = ConfluentSink(opts, retry_after=0.5)
        try:
            sink.deliver([segment("s", 0)])
            broker.kill()
            with pytest.raises(SinkUnavailable):
                sink.deliver([segment("s", 3)])
            broker.start()  # memory storage: the topics are gone, and made again
            ensure_topics(opts)
            deadline = time.monotonic() + 20
            while True:
                try:
                    sink.deliver([segment("s", 3)])
                    break
                except SinkUnavailable:
                    assert time.monotonic() < deadline, "delivery never recovered"
                    time.sleep(0.2)
        finally:
            sink.close()
        records = read_topic(broker.bootstrap, opts.events_topic, until=count_at_least(1))
        assert ("s", 3) in seqs_present(records)


@pytest.mark.kafka
def test_the_collector_on_the_confluent_client_answers_202_after_the_ack(
    tansu: Tansu,  # noqa: F811
    topic_name: TopicName,  # noqa: F811
    tmp_path: Path,
) -> None:
    settings = collector_settings(tansu, topic_name, tmp_path, kafka_client="confluent")
    token = KeyStore(settings.keys_file).create("svc")[1]
    events = chain_of("svc", 12, "svc.00000000000000a1")
    app = build_app(settings, startup_timeout=10)
    assert isinstance(app.state.commit.sink, ConfluentSink)
    with TestClient(app) as client:
        for part in (events[:5], events[5:]):
            headers = {"Authorization": f"Bearer {token}"}
            response = client.post("/v1/events", content=body_of(part), headers=headers)
            assert response.status_code == 202, response.text
    records = read_topic(tansu.bootstrap, settings.kafka_topic_events, until=count_at_least(2))
    seqs = [
        e["seq"]
        for r in sorted(records, key=lambda r: r.offset)
        for e in json.loads(r.value)["events"]
    ]
    assert seqs == list(range(12))
