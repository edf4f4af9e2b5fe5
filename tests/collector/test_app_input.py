"""Every class of bad input gets its 4xx and a message naming what is wrong; never a 500."""

from __future__ import annotations

import gzip
from typing import Any

import orjson
import pytest

from tooltrail.contract import Signer, compute_hash

from ..conftest import build_chain
from .conftest import STREAM, Collector, MakeCollector, body_of, signed


def refused(c: Collector, r: Any, status: int) -> dict[str, Any]:
    """Assert ``status`` and that nothing reached the sink or the head."""
    assert r.status_code == status, r.text
    assert c.sink.delivered == []
    assert c.heads.get(STREAM) is None
    body: dict[str, Any] = r.json()
    assert body["message"]
    return body


def test_malformed_json_is_400(collector: Collector) -> None:
    body = refused(collector, collector.post(body=b'{"v":1,"events":[{"v":1,'), 400)
    assert body["error"] == "malformed"
    assert "not valid JSON" in body["message"]


def test_lone_surrogate_is_400(collector: Collector) -> None:
    data = body_of(build_chain(2)).replace(b'"tools/call"', b'"\\ud800"', 1)
    assert "surrogate" in refused(collector, collector.post(body=data), 400)["message"]


def test_bad_gzip_is_400(collector: Collector) -> None:
    r = collector.post(body=b"not gzip at all", headers={"Content-Encoding": "gzip"})
    assert "gzip" in refused(collector, r, 400)["message"]


def test_truncated_gzip_is_400(collector: Collector) -> None:
    data = gzip.compress(body_of(build_chain(5)))[:-12]
    r = collector.post(body=data, headers={"Content-Encoding": "gzip"})
    assert "truncated" in refused(collector, r, 400)["message"]


def test_unknown_content_encoding_is_415(collector: Collector) -> None:
    r = collector.post(body=body_of(build_chain(2)), headers={"Content-Encoding": "br"})
    assert "'br'" in refused(collector, r, 415)["message"]


@pytest.mark.parametrize(
    ("edit", "field", "rule"),
    [
        (lambda e: e.update(seq="3"), "seq", "must be an integer, got str"),
        (lambda e: e.update(duration_us=1.5), "duration_us", "must be an integer, got float"),
        (lambda e: e.update(outcome="maybe"), "outcome", "must be one of"),
        (lambda e: e.update(source="svc"), "source", "must be an object"),
        (lambda e: e.pop("ts"), "ts", "is required"),
        (lambda e: e.pop("mcp.method.name"), "mcp.method.name", "is required"),
        (lambda e: e.update(colour="red"), "colour", "is not a field of event version 2"),
        (lambda e: e.update(v=3), "v", "unsupported version 3"),
        (lambda e: e.update(trace_id="XYZ"), "trace_id", "32 lowercase hex digits"),
    ],
)
def test_schema_errors_are_422_naming_index_field_and_rule(
    collector: Collector, edit: Any, field: str, rule: str
) -> None:
    events = build_chain(4)
    edit(events[2])
    body = refused(collector, collector.post(body=orjson.dumps({"v": 1, "events": events})), 422)
    assert (body["error"], body["index"], body["field"]) == ("invalid", 2, field)
    assert rule in body["rule"]
    assert body["message"] == f"event[2].{field}: {body['rule']}"


@pytest.mark.parametrize(
    ("doc", "field", "rule"),
    [
        ([], "body", "must be a JSON object"),
        ({"events": []}, "v", "is required"),
        ({"v": 2, "events": []}, "v", "unsupported batch version 2"),
        ({"v": "1", "events": []}, "v", "unsupported batch version"),
        ({"v": 1}, "events", "is required"),
        ({"v": 1, "events": {}}, "events", "must be an array"),
        ({"v": 1, "events": [], "checkpoints": 3}, "checkpoints", "must be an array"),
        ({"v": 1, "events": [], "extra": 1}, "extra", "is not a field of a batch"),
    ],
)
def test_envelope_errors_are_422(collector: Collector, doc: Any, field: str, rule: str) -> None:
    body = refused(collector, collector.post(body=orjson.dumps(doc)), 422)
    assert (body["index"], body["field"]) == (None, field)
    assert rule in body["rule"]


def test_a_bad_checkpoint_shape_is_422_naming_the_checkpoint(collector: Collector) -> None:
    events = build_chain(3)
    cp = signed(events[-1])
    cp["sig"] = "%%%"
    body = refused(collector, collector.post(events, [cp]), 422)
    assert (body["index"], body["checkpoint"], body["field"]) == (None, 0, "sig")
    assert body["message"] == "checkpoint[0].sig: must be standard base64"


def test_events_of_two_streams_are_422(collector: Collector) -> None:
    events = build_chain(2) + build_chain(2, stream_id="svc.fedcba9876543210")
    body = refused(collector, collector.post(events), 422)
    assert (body["index"], body["field"]) == (2, "stream_id")


def test_oversize_body_is_413_before_it_is_read(make_collector: MakeCollector) -> None:
    c = make_collector(max_body_bytes=10_000)
    body = refused(c, c.post(build_chain(40)), 413)
    assert "limit is 10000" in body["message"]


def test_gzip_bomb_is_413(make_collector: MakeCollector) -> None:
    c = make_collector(max_body_bytes=100_000, max_decompressed_bytes=2**20)
    bomb = gzip.compress(b'{"v":1,"events":[' + b" " * (8 * 2**20) + b"]}")
    assert len(bomb) < 100_000
    r = c.post(body=bomb, headers={"Content-Encoding": "gzip"})
    assert "decompresses to more than" in refused(c, r, 413)["message"]


def test_oversize_event_is_413_naming_it(make_collector: MakeCollector) -> None:
    c = make_collector(max_event_bytes=2048)
    events = build_chain(3)
    events[1]["attrs"] = {"blob": "x" * 4000}
    assert "event[1] is" in refused(c, c.post(events), 413)["message"]


def test_too_many_events_is_413(make_collector: MakeCollector) -> None:
    c = make_collector(max_batch_events=5)
    assert "holds 6 events" in refused(c, c.post(build_chain(6)), 413)["message"]


# -- integrity: stored as evidence, flagged, answered 409 --------------------------------------


def broken(c: Collector, r: Any, cls: str, seq: int) -> dict[str, Any]:
    assert r.status_code == 409, r.text
    body: dict[str, Any] = r.json()
    assert body["error"] == "chain_broken"
    assert body["stored_as_evidence"] is True
    assert {"class": cls, "seq": seq} in [
        {"class": f["class"], "seq": f["seq"]} for f in body["findings"]
    ]
    segment = c.sink.delivered[-1]
    assert segment.quarantine
    assert cls in segment.findings
    assert orjson.loads(segment.body)["findings"] == body["findings"]
    assert orjson.loads(segment.body)["quarantine"] is True
    return body


def test_seq_gap_is_quarantined_409_and_the_head_stays(collector: Collector) -> None:
    events = build_chain(10)
    assert collector.post(events[:4]).status_code == 202
    body = broken(collector, collector.post(events[6:]), "deleted", 4)
    assert "seq 4..5 missing" in body["message"]
    assert (body["quarantined"], body["kept_through"], body["action"]) == (4, 5, "new_stream")
    assert body["head"]["seq"] == 3  # the gap did not move it
    assert collector.heads.get(STREAM).seq == 3  # type: ignore[union-attr]
    assert collector.post(events[4:]).status_code == 202  # the genuine events still fit
    assert collector.metric("tooltrail_collector_events_quarantined_total", source="svc") == 4
    assert collector.metric("tooltrail_collector_integrity_findings_total", cls="deleted") == 1


def test_a_stream_never_seen_must_start_at_seq_0(collector: Collector) -> None:
    body = broken(collector, collector.post(build_chain(5)[2:]), "deleted", 0)
    assert "stream starts at seq 2" in body["message"]


def test_wrong_prev_hash_is_409(collector: Collector) -> None:
    events = build_chain(6)
    assert collector.post(events[:3]).status_code == 202
    forged = dict(events[3], prev_hash="ab" * 32)
    forged["hash"] = compute_hash(forged)  # re-sealed, but not linked to seq 2
    body = broken(collector, collector.post([forged]), "modified", 3)
    assert "prev_hash is not the hash of seq 2" in body["message"]


def test_content_not_matching_its_hash_is_409(collector: Collector) -> None:
    events = build_chain(4)
    events[2]["outcome"] = "denied" if events[2]["outcome"] != "denied" else "ok"
    body = broken(collector, collector.post(events), "modified", 2)
    assert "does not match its hash" in body["message"]
    assert len(collector.delivered_events()) == 4  # all of it kept as evidence


def test_bad_signature_is_409(collector: Collector) -> None:
    events = build_chain(4)
    cp = signed(events[-1])
    cp["ts"] += 1  # signed content changed after signing
    body = broken(collector, collector.post(events, [cp]), "bad_checkpoint", 3)
    assert "does not verify" in body["message"]


def test_checkpoint_from_an_unregistered_key_is_409(collector: Collector) -> None:
    events = build_chain(4)
    cp = signed(events[-1], Signer(bytes(32)))
    body = broken(collector, collector.post(events, [cp]), "bad_checkpoint", 3)
    assert "unknown key" in body["message"]


def test_checkpoint_disagreeing_with_the_events_is_409(collector: Collector) -> None:
    events = build_chain(4)
    cp = signed(dict(events[2], hash="cd" * 32))
    body = broken(collector, collector.post(events, [cp]), "modified", 0)
    assert "seq 0..2 was rewritten" in body["message"]
    assert (body["accepted"], body["action"]) == (4, "continue")  # the events are in the stream


def test_signed_and_unsigned_checkpoints_are_accepted(collector: Collector) -> None:
    events = build_chain(4)
    unsigned = {
        "type": "checkpoint",
        "v": 1,
        "stream_id": STREAM,
        "seq": 1,
        "hash": events[1]["hash"],
        "ts": 1,
        "alg": "none",
    }
    r = collector.post(events, [unsigned, signed(events[-1])])
    assert r.status_code == 202, r.text
    assert r.json()["checkpoints"] == 2
    assert orjson.loads(collector.sink.delivered[0].body)["checkpoints"][1]["alg"] == "ed25519"
    assert collector.metric("tooltrail_collector_checkpoints_unsigned_total", source="svc") == 1
