"""What does not continue a stream is quarantined beside it, never moves its head; a stream is
bound to its source and (once signed) to signed checkpoints; a resend is proven, not trusted."""

from __future__ import annotations

import orjson
import pytest

from tooltrail.collector.auth import Principal, default_streams, stream_matches
from tooltrail.collector.heads import RECENT, Head, MemoryHeadStore
from tooltrail.collector.ingest import parse_batch, verify_batch
from tooltrail.contract import checkpoint_body, compute_hash

from ..conftest import build_chain
from .conftest import SIGNER, STREAM, Collector, body_of, chain_of, signed

KEYS = {SIGNER.key_id: SIGNER.public_key}


def verdict(events: list, head: Head | None = None, cps: list | tuple = (), source: str = "svc"):  # type: ignore[type-arg]
    return verify_batch(parse_batch(body_of(events, cps)), head, KEYS, source=source)


def test_patterns_never_cross_a_dot_and_defaults_follow_the_emitters_names() -> None:
    assert default_streams("fs") == ("fs.*",)
    assert default_streams("a:b") == ("a-b.*",)  # how the emitter names the streams of "a:b"
    assert stream_matches("fs.0123456789abcdef", "fs.*")
    assert not stream_matches("fs.server.0123456789abcdef", "fs.*")  # another source's
    assert stream_matches("fs.server.0123456789abcdef", "fs.server.*")
    assert not stream_matches("fsx.0123456789abcdef", "fs.*")
    assert stream_matches("fs.ab", "fs.a?")
    assert not stream_matches("fs..", "fs.?")
    assert not Principal("k", "fs", default_streams("fs")).may_write("fs.server.0123456789abcdef")


def test_a_resend_cut_at_other_boundaries_is_proven_from_the_recent_batch_ends() -> None:
    events = build_chain(12)
    head = None
    for lo, hi in ((0, 4), (4, 8), (8, 12)):  # three accepted batches
        v = verdict(events[lo:hi], head)
        assert v.findings == ()
        head = v.head
    assert head is not None
    assert [s for s, _ in head.recent] == [3, 7, 11]
    for lo, hi in ((4, 8), (0, 4), (2, 12), (4, 12), (6, 12)):  # lost answers, resent
        again = verdict(events[lo:hi], head)
        assert (again.findings, again.segment, again.duplicates) == ((), None, hi - lo)
    # a batch ending between two known ends, with nothing past the head, cannot be proven
    unproven = verdict(events[4:6], head)
    assert [(f.cls, f.seq) for f in unproven.findings] == [("forked", 4)]
    assert unproven.quarantine is not None
    assert unproven.quarantined == 2
    assert unproven.head == head  # never moved
    # but the part the head does prove is a duplicate, the rest is quarantined
    mixed = verdict(events[0:6], head)
    assert (mixed.duplicates, mixed.quarantined, mixed.kept_through) == (4, 2, 3)


def test_the_head_remembers_a_bounded_ring_of_batch_ends() -> None:
    head = Head(0, "h0", "svc")
    for seq in range(1, 3 * RECENT):
        head = head.advance(seq, f"h{seq}", source="svc", signed=False)
    assert len(head.recent) == RECENT
    assert head.known(3 * RECENT - 1) == f"h{3 * RECENT - 1}"
    assert head.known(1) is None
    assert Head.from_json(head.to_json()) == head


def test_same_position_different_content_is_a_fork_and_both_are_kept() -> None:
    events = build_chain(6)
    head = verdict(events).head
    other = dict(events[5], duration_us=999_999)
    other["hash"] = compute_hash(other)
    v = verdict([other], head)
    (finding,) = v.findings
    assert (finding.cls, finding.seq, finding.event_id) == ("forked", 5, other["event_id"])
    assert events[5]["hash"][:16] in finding.detail  # the version held in the stream
    assert v.quarantine is not None  # the other one, kept beside it
    assert orjson.loads(v.quarantine.body)["events"] == [other]
    assert (v.duplicates, v.accepted, v.quarantined, v.action) == (0, 0, 1, "new_stream")


def test_another_source_cannot_extend_a_stream_it_did_not_create() -> None:
    events = chain_of("svc", 4, STREAM)
    head = verdict(events[:2]).head
    assert head is not None
    assert head.source == "svc"
    v = verdict(chain_of("billing", 4, STREAM)[2:], head, source="billing")
    assert [f.cls for f in v.findings] == ["foreign_source"]
    assert (v.own, v.segment, v.head) == (False, None, head)
    assert v.quarantine is not None
    assert v.quarantine.source == "billing"


def test_a_signed_stream_takes_no_unsigned_checkpoint() -> None:
    events = build_chain(4)
    head = verdict(events[:2], cps=[signed(events[1])]).head
    assert head is not None
    assert head.signed
    unsigned = checkpoint_body(STREAM, 3, events[3]["hash"], 5)
    v = verdict(events[2:], head, cps=[unsigned])
    assert [(f.cls, f.seq) for f in v.findings] == [("bad_checkpoint", 3)]
    assert (v.accepted, v.quarantined, v.action) == (2, 0, "continue")  # the events are fine
    assert v.quarantine is not None
    assert orjson.loads(v.quarantine.body)["checkpoints"] == [unsigned]
    assert orjson.loads(v.segment.body)["checkpoints"] == []  # type: ignore[union-attr]


def test_the_head_is_revealed_only_to_the_streams_own_source(collector: Collector) -> None:
    events = build_chain(4)
    assert collector.post(events[:2]).status_code == 202
    _, broad = collector.keys.create("billing", streams=["svc.*"])
    forged = chain_of("billing", 4, STREAM)
    r = collector.post(forged[2:], token=broad)
    assert r.status_code == 409
    assert r.json()["head"] is None
    assert events[1]["hash"] not in r.text
    own = collector.post([dict(events[3], seq=9)])  # the owner's key: a 409 that shows it
    assert own.status_code == 409
    assert own.json()["head"] == {"seq": 1, "hash": events[1]["hash"]}
    assert collector.post(events[2:]).status_code == 202  # the owner goes on


def test_memory_heads_keep_the_binding_and_never_move_back() -> None:
    store = MemoryHeadStore()
    store.put("s", Head(3, "h3", "svc", False, ((3, "h3"),)))
    store.put("s", Head(3, "h3", "svc", True, ((3, "h3"),)))  # newly signed: taken
    store.put("s", Head(2, "h2", "other"))
    assert store.get("s") == Head(3, "h3", "svc", True, ((3, "h3"),))


@pytest.mark.parametrize(
    "raw", [b'{"seq":1,"hash":"h","recent":[[1]]}', b'{"seq":1,"hash":"h","signed":1}']
)
def test_bad_head_records_are_refused(raw: bytes) -> None:
    with pytest.raises(ValueError, match="bad head record"):
        Head.from_json(raw)
