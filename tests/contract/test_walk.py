"""ChainWalker: the one classifier, fed a batch on from a stored head (as the collector does) or
a whole stream from the genesis (as verify does)."""

from __future__ import annotations

import copy
from typing import Any

from tooltrail.contract import (
    GENESIS_HASH,
    ChainWalker,
    Head,
    Signer,
    checkpoint_body,
    compute_hash,
    hash_events,
    load_public_keys,
    seal,
    verify,
)

from ..conftest import build_chain

SIGNER = Signer(bytes(range(32)))
KEYS = load_public_keys([SIGNER.public_key])
SID = "svc.0123456789abcdef"


def signed(e: dict[str, Any]) -> dict[str, Any]:
    return SIGNER.sign(checkpoint_body(e["stream_id"], e["seq"], e["hash"], e["ts"]))


def classes(findings: Any) -> list[tuple[str, int]]:
    return [(f.cls, f.seq) for f in findings]


def test_batches_fed_in_turn_move_the_head_and_match_one_whole_walk() -> None:
    events = build_chain(30)
    walker = ChainWalker(SID)
    for lo in range(0, 30, 7):
        batch = events[lo : lo + 7]
        hashes, _ = hash_events(batch)
        step = walker.feed(batch, hashes)
        assert step.ok, step.findings
        assert step.head == Head(batch[-1]["seq"], batch[-1]["hash"])
    cps = walker.check_checkpoints([signed(events[9]), signed(events[29])], KEYS)
    assert cps.ok
    assert (cps.signed, cps.verified_through) == (2, 29)


def test_a_batch_from_a_stored_head_is_walked_like_the_whole_stream() -> None:
    events = build_chain(12)
    head = events[5]
    bad = copy.deepcopy(events)
    bad[8]["duration_us"] += 1  # content no longer matches its hash
    step = ChainWalker(SID, head["seq"], head["hash"]).feed(bad[6:])
    assert classes(step.findings) == [("modified", 8)]
    assert step.head == Head(5, head["hash"])  # a broken batch does not move the head
    whole = verify(bad, raise_on_break=False)
    assert classes(whole.findings) == classes(step.findings)


def test_the_first_event_must_link_to_the_head() -> None:
    events = build_chain(8)
    other = build_chain(8, start_ts=1)  # another chain: seq 4 links elsewhere
    step = ChainWalker(SID, 3, events[3]["hash"]).feed(other[4:])
    assert classes(step.findings) == [("modified", 4)]
    assert "seq 3" in step.findings[0].detail


def test_a_seq_far_in_the_future_is_a_gap_at_the_head() -> None:
    events = build_chain(4)
    far = copy.deepcopy(events[3])
    seal(far, SID, 2**53, events[3]["hash"])
    step = ChainWalker(SID, 3, events[3]["hash"]).feed([far])
    assert classes(step.findings) == [("deleted", 4)]
    assert step.head.seq == 3


def test_events_at_or_below_the_head_are_duplicates_forks_or_unchecked() -> None:
    events = build_chain(10)
    fork = copy.deepcopy(events[4])
    fork["outcome"] = "denied"
    fork["hash"] = compute_hash(fork)
    stored = {e["seq"]: e["hash"] for e in events[:8]}
    walker = ChainWalker(SID, 7, events[7]["hash"], known=stored.get)
    step = walker.feed([events[6], fork, events[7], events[8], events[9]])
    assert step.duplicates == (0, 2)
    assert classes(step.findings) == [("forked", 4)]
    # without a lookup only the head's own seq can be told
    blind = ChainWalker(SID, 7, events[7]["hash"]).feed([events[6], events[7], events[8]])
    assert (blind.duplicates, blind.unchecked, blind.ok) == ((1,), (0,), True)
    assert blind.head == Head(8, events[8]["hash"])
    changed = copy.deepcopy(events[7])
    changed["outcome"] = "denied"
    changed["hash"] = compute_hash(changed)
    at_head = ChainWalker(SID, 7, events[7]["hash"]).feed([changed])
    assert classes(at_head.findings) == [("forked", 7)]


def test_a_new_stream_must_start_at_the_genesis() -> None:
    events = build_chain(6)
    assert classes(ChainWalker(SID).feed(events[2:]).findings) == [("deleted", 0)]
    moved = copy.deepcopy(events[0])
    moved["prev_hash"] = "0" * 63 + "1"
    moved["hash"] = compute_hash(moved)
    assert moved["prev_hash"] != GENESIS_HASH
    assert classes(ChainWalker(SID).feed([moved]).findings) == [("modified", 0)]


def test_checkpoints_against_the_batch_head() -> None:
    events = build_chain(10)
    walker = ChainWalker(SID, 4, events[4]["hash"])
    assert walker.feed(events[5:8]).ok
    beyond = signed(events[9])
    wrong = SIGNER.sign(checkpoint_body(SID, 6, "f" * 64, 1))
    step = walker.check_checkpoints([beyond, wrong], KEYS)
    assert classes(step.findings) == [("modified", 5), ("truncated", 8)]
    # unsigned (or no keys): counted, compared only when asked (the collector asks)
    loose = ChainWalker(SID, 4, events[4]["hash"])
    loose.feed(events[5:8])
    unsigned = checkpoint_body(SID, 9, events[9]["hash"], 1)
    assert loose.check_checkpoints([unsigned], KEYS).ok
    step = loose.check_checkpoints([unsigned], {}, compare_unverified=True)
    assert (classes(step.findings), step.unsigned) == ([("truncated", 8)], 1)


def test_a_2_to_the_53_gap_is_walked_in_one_step() -> None:
    events = build_chain(5)
    far = copy.deepcopy(events[4])
    seal(far, SID, 2**53, events[3]["hash"])
    tail = copy.deepcopy(events[4])
    seal(tail, SID, 2**53 + 1, far["hash"])
    report = verify([*events[:4], far, tail], raise_on_break=False)
    assert classes(report.findings) == [("deleted", 4)]
    assert f"4..{2**53 - 1} missing" in report.findings[0].detail
