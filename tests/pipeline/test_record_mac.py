"""Only what a collector wrote is stored as a stream: the record key (``broker/recordmac.py``).

The attacker here can write the events topic (a leaked producer credential) but holds no record
key. Its records are built exactly as a collector builds them — valid events, a valid chain
continuing the genuine one — and produced straight into the topic. The processor holding the
key must keep them as evidence (quarantine + an ``unauthenticated`` finding), never among the
stream's events, and the genuine stream must go on as if nothing happened.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests._infra.fixtures import tansu, topic_name  # noqa: F401
from tests.conftest import build_chain
from tooltrail.broker import KafkaProducer, RecordKey
from tooltrail.broker.recordmac import MAC_HEADER, load_or_create
from tooltrail.collector.ingest import parse_batch, verify_batch
from tooltrail.collector.sinks.kafka import segment_headers
from tooltrail.contract import GENESIS_HASH, seal
from tooltrail.pipeline.errors import PoisonRecord
from tooltrail.pipeline.processor import Processor
from tooltrail.pipeline.segments import UNAUTHENTICATED, decode_segment, unauthenticated
from tooltrail.pipeline.settings import PipelineSettings
from tooltrail.pipeline.store import Store

from .test_processor import (  # noqa: F401
    Feed,
    inserted,
    make_settings,
    produce,
    run_until,
    scalar,
)
from .test_rows import bodies

KEY = "0123456789abcdef0123456789abcdef"


# -- the seal itself ------------------------------------------------------------------------------


def test_a_mac_verifies_only_its_own_value_under_its_own_key() -> None:
    key, other = RecordKey(KEY.encode()), RecordKey(b"another key, long enough")
    value = b'{"v":1}'
    stamped = [key.header(value)]
    assert stamped[0][0] == MAC_HEADER
    assert key.verify(value, stamped)
    assert key.verify(value, [("source", b"svc"), *stamped])
    assert not key.verify(value + b" ", stamped)  # another value
    assert not other.verify(value, stamped)  # another key
    assert not key.verify(value, [])  # none
    assert not key.verify(value, None)
    assert not key.verify(value, [*stamped, *stamped])  # two: ambiguous, refused
    assert not key.verify(value, [(MAC_HEADER, b"")])
    assert "0123" not in repr(key)
    with pytest.raises(ValueError, match="at least 16 bytes"):
        RecordKey(b"short")


def test_settings_refuse_a_short_key_and_hand_the_key_to_the_options() -> None:
    with pytest.raises(ValueError, match="kafka_record_key must be at least 16 bytes"):
        PipelineSettings(kafka_record_key="changethis")
    options = PipelineSettings(kafka_record_key=KEY).kafka_options()
    assert options.record_key == KEY.encode()
    assert KEY not in repr(options)
    assert PipelineSettings().kafka_options().record_key is None


def test_a_key_file_is_created_private_once_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "state" / "record.key"
    first = load_or_create(path)
    assert len(bytes.fromhex(first)) == 32
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_or_create(path) == first
    assert [p.name for p in path.parent.iterdir()] == ["record.key"]  # no temporary left


# -- decoding -------------------------------------------------------------------------------------


@given(st.lists(bodies, min_size=1, max_size=6))
@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow], deadline=None)
def test_a_trusted_decode_gives_the_full_decode_of_a_collector_segment(
    drawn: list[dict[str, Any]],
) -> None:
    events: list[dict[str, Any]] = []
    for i, body in enumerate(drawn):
        event = dict(body)
        seal(event, "s.0", i, events[-1]["hash"] if events else GENESIS_HASH)
        events.append(event)
    verdict = verify_batch(
        parse_batch(orjson.dumps({"v": 1, "events": events})), None, {}, source="x"
    )
    assert verdict.segment is not None
    body = verdict.segment.body
    assert decode_segment(body, trusted=True) == decode_segment(body)
    assert [e["hash"] for e in decode_segment(body, trusted=True).events] == [
        e["hash"] for e in events
    ]


def test_a_trusted_decode_still_checks_the_envelope() -> None:
    with pytest.raises(PoisonRecord, match="not valid JSON"):
        decode_segment(b"{", trusted=True)
    with pytest.raises(PoisonRecord, match="segment version"):
        decode_segment(b'{"v":2}', trusted=True)
    with pytest.raises(PoisonRecord, match="'findings'"):
        decode_segment(b'{"v":1,"stream_id":"a.b","source":"a","events":[],"checkpoints":[]}')


def test_an_unauthenticated_segment_is_evidence_with_the_pipelines_finding_only() -> None:
    feed = Feed(streams=1, events=5)
    stream = next(iter(feed.chains))
    seg = decode_segment(feed.segment(stream, 5).body)
    claimed = {"class": "truncated", "seq": 1, "detail": "the writer says so"}
    seg = type(seg)(seg.stream_id, seg.source, seg.events, [], [claimed])
    out = unauthenticated(seg)
    assert out.quarantine
    assert out.events == seg.events
    assert [(f["class"], f["seq"], f["source"]) for f in out.findings] == [
        (UNAUTHENTICATED, 0, "pipeline")
    ]


# -- the attack, on a real broker and store -------------------------------------------------------


def inject(
    settings: PipelineSettings,
    records: list[tuple[bytes, list[tuple[str, bytes]]]],
    key: bytes = b"x",
) -> None:
    """Write records straight into the events topic, as anyone with write access could (all
    with the record key ``key``: one partition)."""
    producer = KafkaProducer(**settings.kafka_options().producer_config("-attacker"))
    try:
        for value, headers in records:
            producer.send(settings.kafka_topic_events, value=value, key=key, headers=headers)
        producer.flush(timeout=10)
    finally:
        producer.close(timeout=5)


@pytest.mark.kafka
@pytest.mark.store
def test_a_record_injected_into_the_topic_is_quarantined_never_stored_as_the_stream(
    make_settings: Callable[..., PipelineSettings],  # noqa: F811
    store: Store,
) -> None:
    settings = make_settings(kafka_record_key=KEY)
    genuine = Feed(streams=2, events=40)
    a, b = genuine.chains
    produce(settings, [genuine.segment(a, 10), genuine.segment(b, 10)])  # the collector: stamped

    # the attacker's events continue the genuine chains (seq, prev_hash, hash all valid) with
    # other content; its records are built exactly as a collector builds them, but not stamped
    # with the key: no MAC, another key's MAC, and a genuine record's MAC on another value
    attacker = Feed(streams=2, events=40)
    for stream, chain in attacker.chains.items():
        for seq in range(10, len(chain)):
            event = {**build_chain(40, stream)[seq], "gen_ai.tool.name": "exfiltrate"}
            seal(event, stream, seq, chain[seq - 1]["hash"])
            chain[seq] = event
        attacker.segment(stream, 10)  # what the stream holds: the attacker continues from it
    forged = [attacker.segment(a, 5), attacker.segment(a, 5), attacker.segment(b, 5)]
    wrong = RecordKey(b"an attacker's key, long enough")
    genuine_mac = RecordKey(KEY.encode()).header(attacker.segment(b, 5).body)
    inject(
        settings,
        [
            (forged[0].body, segment_headers(forged[0])),
            (forged[1].body, [*segment_headers(forged[1]), wrong.header(forged[1].body)]),
            (forged[2].body, [*segment_headers(forged[2]), genuine_mac]),
        ],
    )
    with Processor(settings, store) as processor:
        run_until(
            lambda: (
                processor.metrics.value("tooltrail_pipeline_records_unauthenticated_total") >= 3
                and inserted(processor) >= 20
            ),
            processor,
            what="the genuine segments stored and the forged ones seen",
        )
        processor.flush()

        db = store.database
        count = f"SELECT count() FROM {db}.events WHERE stream_id = '{{s}}'"
        assert [scalar(store, count.format(s=s)) for s in (a, b)] == [10, 10]
        heads = store.query_rows(f"SELECT stream_id, seq FROM {db}.chain_heads FINAL")
        assert dict(heads) == {a: 9, b: 9}  # no forged record moved a head
        kept = store.quarantined()
        assert sorted((q["stream_id"], q["seq"]) for q in kept) == sorted(
            [(a, s) for s in range(10, 20)] + [(b, s) for s in range(10, 15)]
        )
        assert all(q["findings"] == [UNAUTHENTICATED] for q in kept)
        assert all(q["item"]["gen_ai.tool.name"] == "exfiltrate" for q in kept)
        found = store.query_rows(
            f"SELECT stream_id, seq, source FROM {db}.integrity_findings FINAL"
            f" WHERE class = '{UNAUTHENTICATED}'"
        )
        assert sorted(found) == sorted(
            [(a, 10, "pipeline"), (a, 15, "pipeline"), (b, 10, "pipeline")]
        )

        # the genuine collector goes on where the stream really ends: stored as usual
        produce(settings, [genuine.segment(a, 10)])
        run_until(lambda: inserted(processor) >= 30, processor, what="the next genuine segment")
    assert list(store.iter_events(stream_id=a)) == genuine.chains[a][:20]
