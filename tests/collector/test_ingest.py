"""ingest: decompress with a cap, parse against the contract, verify against the stream's head."""

from __future__ import annotations

import copy
import gzip
from typing import Any

import orjson
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tooltrail.collector.errors import InvalidField, Malformed, TooLarge, UnsupportedEncoding
from tooltrail.collector.heads import Head
from tooltrail.collector.ingest import Limits, decompress, parse_batch, verify_batch
from tooltrail.contract import GENESIS_HASH, Signer, canonicalize, compute_hash

from ..conftest import build_chain
from .conftest import SIGNER, STREAM, body_of, signed

KEYS = {SIGNER.key_id: SIGNER.public_key}


def verdict(events: list[dict[str, Any]], head: Head | None = None, cps: Any = ()) -> Any:
    return verify_batch(parse_batch(body_of(events, cps)), head, KEYS, source="svc")


def classes(v: Any) -> list[tuple[str, int]]:
    return [(f.cls, f.seq) for f in v.findings]


# -- decompress ---------------------------------------------------------------------------------


def test_decompress_identity_gzip_and_multi_member() -> None:
    assert decompress(b"abc", None, 10) == b"abc"
    assert decompress(b"abc", "identity", 10) == b"abc"
    assert decompress(gzip.compress(b"abc"), "gzip", 10) == b"abc"
    assert decompress(gzip.compress(b"ab") + gzip.compress(b"cd"), "GZIP", 10) == b"abcd"


def test_decompress_caps_the_output() -> None:
    assert decompress(gzip.compress(b"x" * 100), "gzip", 100) == b"x" * 100
    with pytest.raises(TooLarge):
        decompress(gzip.compress(b"x" * 101), "gzip", 100)
    with pytest.raises(TooLarge):  # the second member tips it over
        decompress(gzip.compress(b"x" * 60) * 2, "gzip", 100)
    with pytest.raises(TooLarge):
        decompress(b"x" * 101, None, 100)


def test_decompress_refuses_garbage_and_unknown_encodings() -> None:
    with pytest.raises(Malformed, match="not valid gzip"):
        decompress(b"plain", "gzip", 100)
    with pytest.raises(Malformed, match="truncated"):
        decompress(gzip.compress(b"x" * 50)[:-10], "gzip", 100)
    with pytest.raises(UnsupportedEncoding):
        decompress(b"x", "deflate", 100)


# -- parse --------------------------------------------------------------------------------------


def test_parse_keeps_events_their_bytes_and_recomputed_hashes() -> None:
    events = build_chain(3)
    cp = signed(events[-1])
    batch = parse_batch(body_of(events, [cp]))
    assert batch.stream_id == STREAM
    assert batch.sources == ["svc"] * 3
    assert batch.hashes == [e["hash"] for e in events]
    assert [orjson.loads(b) for b in batch.encoded] == events
    assert batch.checkpoints == [cp]


def test_parse_an_empty_batch_and_a_checkpoint_only_batch() -> None:
    assert parse_batch(b'{"v":1,"events":[]}').stream_id is None
    cp = signed(build_chain(2)[-1])
    assert parse_batch(body_of([], [cp])).stream_id == STREAM


def test_parse_names_the_first_bad_event() -> None:
    events = build_chain(5)
    del events[3]["event_id"]
    events[4]["seq"] = -1
    with pytest.raises(InvalidField) as err:
        parse_batch(body_of(events))
    assert (err.value.index, err.value.field, err.value.rule) == (3, "event_id", "is required")
    assert str(err.value) == "event[3].event_id: is required"


def test_parse_limits() -> None:
    events = build_chain(4)
    with pytest.raises(TooLarge, match="holds 4 events"):
        parse_batch(body_of(events), Limits(max_batch_events=3))
    cps = [signed(events[-1])] * 3
    with pytest.raises(TooLarge, match="holds 3 checkpoints"):
        parse_batch(body_of(events, cps), Limits(max_batch_checkpoints=2))
    with pytest.raises(TooLarge, match=r"event\[0\] is \d+ bytes"):
        parse_batch(body_of(events), Limits(max_event_bytes=100))


def test_parse_refuses_a_checkpoint_of_another_stream() -> None:
    cp = signed(build_chain(2, stream_id="svc.other")[-1])
    with pytest.raises(InvalidField) as err:
        parse_batch(body_of(build_chain(2), [cp]))
    assert (err.value.what, err.value.index, err.value.field) == ("checkpoint", 0, "stream_id")


# -- verify -------------------------------------------------------------------------------------


def test_a_new_stream_from_seq_0_verifies_and_builds_one_segment() -> None:
    events = build_chain(4)
    v = verdict(events, cps=[signed(events[-1])])
    assert (v.accepted, v.duplicates, v.findings, v.quarantine) == (4, 0, (), None)
    assert v.head == Head(3, events[3]["hash"], "svc", True, ((3, events[3]["hash"]),))
    seg = v.segment
    assert (seg.first_seq, seg.last_seq, seg.head_hash, seg.source) == (
        0,
        3,
        events[3]["hash"],
        "svc",
    )
    body = orjson.loads(seg.body)
    assert body == {
        "v": 1,
        "stream_id": STREAM,
        "source": "svc",
        "run": {"first": 0, "last": 3, "n": 4, "hash": events[3]["hash"]},
        "events": events,
        "checkpoints": [signed(events[-1])],
        "findings": [],
    }


def test_events_up_to_the_head_are_duplicates() -> None:
    events = build_chain(6)
    head = Head(3, events[3]["hash"])
    v = verdict(events, head)
    assert (v.accepted, v.duplicates, v.segment.first_seq) == (2, 4, 4)
    assert [e["seq"] for e in orjson.loads(v.segment.body)["events"]] == [4, 5]
    again = verdict(events[:4], head)
    assert (again.segment, again.accepted, again.duplicates, again.head) == (None, 0, 4, head)
    # resent checkpoints are kept even when every event of the batch was a duplicate
    resent = verdict(events[:4], head, cps=[signed(events[3])])
    assert (resent.accepted, resent.duplicates, resent.findings) == (0, 4, ())
    assert resent.segment is not None
    assert orjson.loads(resent.segment.body)["checkpoints"] == [signed(events[3])]
    assert resent.head is not None
    assert resent.head.signed


def test_gaps_and_links() -> None:
    events = build_chain(6)
    assert classes(verdict(events[2:])) == [("deleted", 0)]
    assert verdict(events[2:]).head_suspect
    assert classes(verdict(events[4:], Head(1, events[1]["hash"]))) == [("deleted", 2)]
    assert classes(verdict(events[:2] + events[3:])) == [("deleted", 2)]
    assert classes(verdict(events[2:], Head(1, "ab" * 32))) == [("modified", 2)]
    first = dict(events[0], prev_hash="ab" * 32)
    first["hash"] = compute_hash(first)
    assert classes(verdict([first])) == [("modified", 0)]
    assert "genesis" in verdict([first]).findings[0].detail


def test_out_of_order_and_repeated_events_inside_a_batch() -> None:
    events = build_chain(4)
    again = verdict([*events, events[2]])  # an exact repeat is proven: a duplicate, harmless
    assert (classes(again), again.accepted, again.duplicates, again.quarantine) == ([], 4, 1, None)
    other = dict(events[2], duration_us=1)
    other["hash"] = compute_hash(other)
    assert classes(verdict([*events, other])) == [("forked", 2)]
    assert classes(verdict([events[0], events[2], events[1]]))[-1] == ("reordered", 1)


def test_checkpoint_findings() -> None:
    events = build_chain(4)
    head = Head(3, events[3]["hash"])
    bad = signed(events[3])
    bad["sig"] = signed(events[2])["sig"]
    assert classes(verdict(events, cps=[bad])) == [("bad_checkpoint", 3)]
    stranger = signed(events[3], Signer(bytes(32)))
    assert "unknown key" in verdict(events, cps=[stranger]).findings[0].detail
    rewritten = verdict(events, cps=[signed(dict(events[1], hash="0" * 64))])
    assert classes(rewritten) == [("modified", 0)]  # the walker: history in seq 0..1 rewritten
    assert "0..1" in rewritten.findings[0].detail
    ahead = signed(dict(events[3], seq=9))
    assert classes(verdict(events, cps=[ahead])) == [("truncated", 4)]
    only = verify_batch(parse_batch(body_of([], [signed(events[3])])), head, KEYS, source="svc")
    assert only.segment is not None
    assert (only.findings, only.checkpoints, only.segment.first_seq) == ((), 1, 3)
    assert orjson.loads(only.segment.body)["events"] == []


def test_unsigned_checkpoints_are_counted_not_flagged() -> None:
    events = build_chain(2)
    cp = {"type": "checkpoint", "v": 1, "stream_id": STREAM, "seq": 1}
    cp |= {"hash": events[1]["hash"], "ts": 5, "alg": "none"}
    v = verdict(events, cps=[cp])
    assert (v.findings, v.unsigned_checkpoints) == ((), 1)


# -- property: any edit of a shipped batch is refused or flagged, never passed clean -------------

FIELDS = ["seq", "prev_hash", "hash", "ts", "outcome", "duration_us", "gen_ai.tool.name", "actor"]


@settings(max_examples=80, deadline=None)
@given(
    n=st.integers(min_value=2, max_value=12),
    data=st.data(),
)
def test_any_single_edit_is_refused_or_flagged(n: int, data: st.DataObject) -> None:
    events = build_chain(n)
    cps = [signed(events[-1])]
    split = data.draw(st.integers(min_value=0, max_value=n - 1), label="head at")
    head = Head(split - 1, events[split - 1]["hash"]) if split else None
    tampered = copy.deepcopy(events[split:])
    i = data.draw(st.integers(min_value=0, max_value=len(tampered) - 1), label="event")
    name = data.draw(st.sampled_from(FIELDS), label="field")
    value = tampered[i][name]
    if isinstance(value, int) and not isinstance(value, bool):
        new: Any = value + data.draw(st.integers(min_value=1, max_value=3))
    elif isinstance(value, dict):
        new = {**value, "user": "mallory"}
    elif name in ("prev_hash", "hash"):
        new = data.draw(st.sampled_from(["f" * 64, GENESIS_HASH]).filter(lambda h: h != value))
    else:
        new = {"ok": "error", "error": "denied", "denied": "ok"}.get(value, value + "x")
    tampered[i][name] = new
    if data.draw(st.booleans(), label="re-hash"):  # a forger who recomputes the hash
        tampered[i]["hash"] = compute_hash(tampered[i])
    assume(tampered[i] != events[split + i])
    try:
        batch = parse_batch(body_of(tampered, cps))
    except InvalidField:
        return  # refused at the door (422)
    v = verify_batch(batch, head, KEYS, source="svc")
    assert v.findings, f"edit of {name} in event {split + i} passed clean"
    assert v.quarantine is not None
    assert v.quarantine.quarantine
    assert set(v.quarantine.findings) == {f.cls for f in v.findings}
    assert v.segment is None or not v.segment.findings  # what continues the stream is clean
    kept = orjson.loads(v.segment.body)["events"] if v.segment is not None else []
    evidence = orjson.loads(v.quarantine.body)["events"]
    assert canonicalize(kept + evidence) == canonicalize(
        [orjson.loads(b) for b in batch.encoded[v.duplicates :]]
    )
