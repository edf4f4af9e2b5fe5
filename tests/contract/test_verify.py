"""verify(): every single edit of a stored chain is detected, classified and located."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tooltrail.contract import (
    IntegrityError,
    Signer,
    checkpoint_body,
    compute_hash,
    verify,
)

from ..conftest import build_chain

SIGNER = Signer(bytes(range(32)))
KEYS = [SIGNER.public_key]


def signed_head(events: list[dict[str, Any]], upto: int | None = None) -> dict[str, Any]:
    head = events[-1] if upto is None else events[upto]
    cp = checkpoint_body(head["stream_id"], head["seq"], head["hash"], head["ts"])
    return SIGNER.sign(cp)


def first_break(events: list[dict[str, Any]], cps: list[dict[str, Any]]) -> tuple[str, int]:
    report = verify(events, cps, KEYS, raise_on_break=False)
    assert not report.ok, "tampering went undetected"
    f = report.findings[0]
    return f.cls, f.seq


def test_untouched_chain_verifies_and_is_covered_by_its_checkpoint() -> None:
    events = build_chain(50)
    report = verify(events, [signed_head(events, 24), signed_head(events)], KEYS)
    assert report.ok
    summary = report.streams[events[0]["stream_id"]]
    assert (summary.events, summary.signed_checkpoints, summary.verified_through) == (50, 2, 49)


def test_verify_raises_one_error_type_naming_the_first_break() -> None:
    events = build_chain(5)
    events[2]["duration_us"] += 1
    with pytest.raises(IntegrityError) as err:
        verify(events)
    assert (err.value.first.cls, err.value.first.seq) == ("modified", 2)
    assert "modified at" in str(err.value)


sizes = st.integers(min_value=3, max_value=25)


@settings(max_examples=60, deadline=None)
@given(n=sizes, data=st.data())
def test_any_modification_is_detected_at_the_event(n: int, data: st.DataObject) -> None:
    events = build_chain(n)
    i = data.draw(st.integers(0, n - 1))
    field = data.draw(st.sampled_from(["duration_us", "gen_ai.tool.name", "actor", "ts"]))
    rehash = data.draw(st.booleans())
    tampered = copy.deepcopy(events)
    ev = tampered[i]
    ev[field] = (
        {"user": "mallory"}
        if field == "actor"
        else (ev[field] + 7 if isinstance(ev[field], int) else "exfiltrate")
    )
    if rehash:
        ev["hash"] = compute_hash(ev)
    cls, seq = first_break(tampered, [signed_head(events)])
    assert cls == "modified"
    assert seq == i or (rehash and i == n - 1 and seq <= i)


@settings(max_examples=60, deadline=None)
@given(n=sizes, data=st.data())
def test_any_deletion_is_detected_and_located(n: int, data: st.DataObject) -> None:
    events = build_chain(n)
    i = data.draw(st.integers(0, n - 1))
    tampered = events[:i] + events[i + 1 :]
    cls, seq = first_break(tampered, [signed_head(events)])
    assert (cls, seq) == (("truncated", i) if i == n - 1 else ("deleted", i))


@settings(max_examples=60, deadline=None)
@given(n=sizes, data=st.data())
def test_any_insertion_is_detected_and_located(n: int, data: st.DataObject) -> None:
    events = build_chain(n)
    k = data.draw(st.integers(0, n - 2))
    forged = copy.deepcopy(events[k])
    forged["gen_ai.tool.name"] = "delete_all"
    forged["hash"] = compute_hash(forged)  # a forger can hash; it cannot make the chain link
    before = data.draw(st.booleans())
    tampered = (
        events[:k] + ([forged, events[k]] if before else [events[k], forged]) + events[k + 1 :]
    )
    assert first_break(tampered, [signed_head(events)]) == ("inserted", k)


@settings(max_examples=60, deadline=None)
@given(n=sizes, data=st.data())
def test_any_reordering_is_detected_and_located(n: int, data: st.DataObject) -> None:
    events = build_chain(n)
    i = data.draw(st.integers(0, n - 2))
    j = data.draw(st.integers(i + 1, n - 1))
    tampered = list(events)
    tampered[i], tampered[j] = tampered[j], tampered[i]
    cls, seq = first_break(tampered, [signed_head(events)])
    assert cls == "reordered"
    assert seq in (i, j)


def test_seq_swapped_in_place_is_reported_as_reordered() -> None:
    events = build_chain(6)
    tampered = copy.deepcopy(events)
    tampered[2]["seq"], tampered[3]["seq"] = 3, 2
    tampered.sort(key=lambda e: e["seq"])  # the store reads back in seq order
    cls, seq = first_break(tampered, [signed_head(events)])
    assert cls == "reordered"
    assert seq in (2, 3)
    report = verify(tampered, raise_on_break=False)
    assert [(f.cls, f.seq) for f in report.findings] == [("reordered", 2), ("reordered", 3)]


@settings(max_examples=40, deadline=None)
@given(n=sizes, data=st.data())
def test_any_truncation_behind_a_checkpoint_is_detected(n: int, data: st.DataObject) -> None:
    events = build_chain(n)
    keep = data.draw(st.integers(1, n - 1))
    assert first_break(events[:keep], [signed_head(events)]) == ("truncated", keep)


def test_tail_beyond_the_last_checkpoint_is_not_vouched_for() -> None:
    events = build_chain(10)
    report = verify(events, [signed_head(events, 5)], KEYS)
    sid = events[0]["stream_id"]
    assert report.streams[sid].verified_through == 5
    assert report.ok
    assert not report.vouched  # the tail is long overdue for a checkpoint
    assert "4 event(s) after seq 5 are not vouched for" in report.unvouched[sid]


def test_a_young_tail_is_pending_an_old_or_future_one_unvouched() -> None:
    events = build_chain(10)  # ts 1 ms apart
    sid = events[0]["stream_id"]
    cps = [signed_head(events, 5)]
    last = events[-1]["ts"]

    def unvouched(now_us: int, grace_us: int = 60_000_000) -> str | None:
        return verify(events, cps, KEYS, now_us=now_us, grace_us=grace_us).streams[sid].unvouched

    assert unvouched(last + 1_000_000) is None  # the next checkpoint is not due yet
    assert unvouched(events[6]["ts"] + 70_000_001) is not None  # interval 10 s + grace 60 s
    assert unvouched(events[6]["ts"] + 70_000_001, grace_us=120_000_000) is None
    assert "in the future" in str(unvouched(last - 61_000_000))


def test_why_a_stream_is_unvouched() -> None:
    events = build_chain(4)
    sid = events[0]["stream_id"]
    unsigned = checkpoint_body(sid, 3, events[3]["hash"], 1)
    cases = [
        ([], KEYS, "no signed checkpoint"),
        ([unsigned], KEYS, "only 1 unsigned"),
        ([signed_head(events)], [], "no trusted emitter key"),
    ]
    for cps, keys, why in cases:
        report = verify(events, cps, keys, raise_on_break=False)
        assert why in report.unvouched[sid], report.unvouched
    assert verify(events, [signed_head(events)], KEYS).vouched


def test_replayed_event_and_fork() -> None:
    events = build_chain(6)
    assert first_break([*events[:4], events[3], *events[4:]], []) == ("replayed", 3)
    # a second emitter on the same stream: two different events at the tail seq
    other = copy.deepcopy(events[5])
    other["outcome"] = "denied"
    other["hash"] = compute_hash(other)
    assert first_break([*events, other], []) == ("forked", 5)


def test_rewritten_history_is_caught_by_the_signed_checkpoint() -> None:
    events = build_chain(8)
    cp = signed_head(events)
    forged = build_chain(8)
    forged[3]["outcome"] = "ok" if forged[3]["outcome"] != "ok" else "error"
    prev = forged[2]["hash"]
    for ev in forged[3:]:  # re-link everything after the edit
        ev["prev_hash"] = prev
        ev["hash"] = compute_hash(ev)
        prev = ev["hash"]
    assert verify(forged, raise_on_break=False).ok  # without a checkpoint nobody can tell
    cls, seq = first_break(forged, [cp])
    assert cls == "modified"
    assert seq <= 3


def test_forged_or_untrusted_checkpoints() -> None:
    events = build_chain(4)
    cp = signed_head(events)
    cp["seq"] = 2  # edited after signing
    assert first_break(events, [cp])[0] == "bad_checkpoint"
    stranger = Signer(bytes(32)).sign(
        checkpoint_body(events[0]["stream_id"], 3, events[3]["hash"], 1)
    )
    report = verify(events, [stranger], KEYS, raise_on_break=False)
    assert report.findings[0].cls == "bad_checkpoint"
    assert "unknown key" in report.findings[0].detail


def test_window_of_a_longer_log() -> None:
    events = build_chain(20)
    assert verify(events[10:], complete=False).ok
    assert first_break(events[10:], []) == ("deleted", 0)
