"""Properties of the one chain walker, on random valid streams and random edits.

A valid stream (any length, checkpoints at any cadence plus the emitter's final one at the head)
is always intact and vouched, walked whole or fed in batches from the head. Any edit is always
found: a break (``ok`` false), or, where the edit also removed what would prove it (the
checkpoints after it), an unvouched tail. The one edit no walker can see is a tail cut right
after a checkpoint with every later checkpoint deleted: only anchors kept outside the store
(the pipeline's exported digests) can tell, and the tamper drills show that they do.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tooltrail.contract import (
    ChainWalker,
    Signer,
    checkpoint_body,
    compute_hash,
    load_public_keys,
    seal,
    verify,
)

from ..conftest import build_chain

SIGNER = Signer(bytes(range(32)))
KEYS = load_public_keys([SIGNER.public_key])
NOW = 1_764_000_000_000_000 + 3_600_000_000  # an hour after the streams: every tail is due

Events = list[dict[str, Any]]


def checkpoints(events: Events, every: int) -> list[dict[str, Any]]:
    heads = [e for e in events if e["seq"] % every == every - 1 or e is events[-1]]
    return [
        SIGNER.sign(checkpoint_body(e["stream_id"], e["seq"], e["hash"], e["ts"])) for e in heads
    ]


def resealed(events: Events, after: dict[str, Any] | None) -> Events:
    """``events`` sealed again in a row from ``after``: a valid-looking chain."""
    out = []
    for e in events:
        e = copy.deepcopy(e)
        seal(e, e["stream_id"], 0 if after is None else after["seq"] + 1,
             after["hash"] if after is not None else e["prev_hash"])  # fmt: skip
        out.append(e)
        after = e
    return out


def check(events: Events, cps: list[dict[str, Any]]) -> Any:
    return verify(events, cps, KEYS, raise_on_break=False, now_us=NOW)


streams = st.tuples(st.integers(2, 24), st.integers(1, 8))


@settings(max_examples=40, deadline=None)
@given(shape=streams, cuts=st.lists(st.integers(1, 6), min_size=1, max_size=8))
def test_a_valid_stream_is_intact_and_vouched_whole_or_in_batches(
    shape: tuple[int, int], cuts: list[int]
) -> None:
    n, every = shape
    events = build_chain(n)
    cps = checkpoints(events, every)
    report = check(events, cps)
    assert report.vouched, (report.findings, report.unvouched)
    assert report.streams[events[0]["stream_id"]].verified_through == n - 1
    walker = ChainWalker(events[0]["stream_id"])
    at = 0
    for size in cuts * n:  # batches of random sizes until the stream is fed
        if at >= n:
            break
        batch = events[at : at + size]
        step = walker.feed(batch)
        assert step.ok, step.findings
        at += size
    assert walker.head.seq == n - 1
    assert walker.check_checkpoints(cps, KEYS).verified_through == n - 1


EDITS = (
    "modify",
    "modify_rehash",
    "delete",
    "insert",
    "swap",
    "truncate",
    "duplicate",
    "rehash_suffix",
    "rehash_suffix_drop_checkpoints",
    "truncate_drop_checkpoints",
    "append",
)


def edit(
    kind: str, events: Events, cps: list[dict[str, Any]], data: st.DataObject
) -> tuple[Events, list[dict[str, Any]]]:
    n = len(events)
    out = copy.deepcopy(events)
    i = data.draw(st.integers(0, n - 1), label="at")
    if kind in ("modify", "modify_rehash"):
        field = data.draw(st.sampled_from(["duration_us", "outcome", "gen_ai.tool.name", "ts"]))
        out[i][field] = {"duration_us": 1, "outcome": "denied", "ts": 7}.get(field, "exfiltrate")
        if out[i][field] == events[i][field]:
            out[i][field] = "ok" if field == "outcome" else 2
        if kind == "modify_rehash":
            out[i]["hash"] = compute_hash(out[i])
    elif kind == "delete":
        j = data.draw(st.integers(i, min(n - 1, i + 3)), label="to")
        del out[i : j + 1]
    elif kind == "insert":
        forged = copy.deepcopy(out[i])
        forged["gen_ai.tool.name"] = "delete_all"
        forged["hash"] = compute_hash(forged)
        out.insert(data.draw(st.sampled_from([i, i + 1])), forged)
    elif kind == "swap":
        j = data.draw(st.integers(0, n - 1).filter(lambda j: j != i), label="with")
        out[i], out[j] = out[j], out[i]
    elif kind in ("truncate", "truncate_drop_checkpoints"):
        keep = data.draw(st.integers(1, n - 1), label="keep")
        out = out[:keep]
        if kind == "truncate_drop_checkpoints":
            cps = [c for c in cps if c["seq"] < keep]
    elif kind == "duplicate":
        out.insert(i, copy.deepcopy(out[i]))
    elif kind in ("rehash_suffix", "rehash_suffix_drop_checkpoints"):
        out[i]["outcome"] = "denied" if out[i]["outcome"] != "denied" else "ok"
        out[i:] = resealed(out[i:], out[i - 1] if i else None)
        if kind == "rehash_suffix_drop_checkpoints":
            cps = [c for c in cps if c["seq"] < i]
    elif kind == "append":
        extra = data.draw(st.integers(1, 3), label="extra")
        out += resealed(copy.deepcopy(events[:extra]), out[-1])
    return out, cps


@settings(max_examples=150, deadline=None)
@given(shape=streams, kind=st.sampled_from(EDITS), data=st.data())
def test_any_edit_is_found(shape: tuple[int, int], kind: str, data: st.DataObject) -> None:
    n, every = shape
    events = build_chain(n)
    tampered, cps = edit(kind, events, checkpoints(events, every), data)
    report = check(tampered, cps)
    if kind == "truncate_drop_checkpoints" and cps and cps[-1]["seq"] == len(tampered) - 1:
        assert report.vouched  # cut right after a kept checkpoint: only digests can tell
        return
    assert not report.vouched, f"{kind} went unnoticed"
    if kind in ("append", "rehash_suffix_drop_checkpoints", "truncate_drop_checkpoints"):
        # the proof was removed with it: intact, but the tail is vouched for by nobody
        assert report.unvouched or not report.ok
    else:
        assert not report.ok, f"{kind} is not a break: {report.unvouched}"


@settings(max_examples=60, deadline=None)
@given(
    shape=streams,
    kind=st.sampled_from(["modify", "modify_rehash", "delete", "insert", "swap"]),
    size=st.integers(1, 6),
    data=st.data(),
)
def test_an_edit_is_found_by_the_batched_walk_too(
    shape: tuple[int, int], kind: str, size: int, data: st.DataObject
) -> None:
    # the collector's view: one walker per batch from the stored head, stored hashes known
    # below it (an exact resend is a duplicate there, not an edit)
    n, every = shape
    events = build_chain(n)
    tampered, _ = edit(kind, events, [], data)
    held: dict[int, str] = {}
    head = (-1, events[0]["prev_hash"])
    found = []
    for at in range(0, len(tampered), size):
        batch = tampered[at : at + size]
        walker = ChainWalker(events[0]["stream_id"], *head, known=held.get)
        step = walker.feed(batch)
        found += step.findings
        if step.ok:  # stored; a broken batch is quarantined and the head stays
            held.update((e["seq"], e["hash"]) for e in batch)
            head = (step.head.seq, step.head.hash)
    cps = checkpoints(events, every)
    found += ChainWalker(events[0]["stream_id"], *head).check_checkpoints(cps, KEYS).findings
    assert found, f"{kind} went unnoticed"
