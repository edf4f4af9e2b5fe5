"""Every tamper class through the real ``tooltrail verify`` on a real chDB store: its exit code
(0 intact and vouched, 1 a break, 3 intact but unvouched) and the stream and seq it names.

Two streams of 40 events (ten minutes apart, long ago: every tail is overdue for a checkpoint),
signed by the emitter every ten events and at the head; six closed hours each are digested,
signed by the pipeline and exported (the copy kept outside the store). Where only the digests
can tell (a stream deleted with its checkpoints, a cut or re-hashed tail whose checkpoints were
deleted), the drill runs with and without them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer import Typer
from typer.testing import CliRunner

from tooltrail.contract import compute_hash, seal
from tooltrail.pipeline.integrity import Digester, export_digests
from tooltrail.pipeline.integrity.cli import register
from tooltrail.pipeline.store import Store, event_to_row
from tooltrail.pipeline.store.schema import EVENT_COLUMNS

from .test_digests import EMITTER, PIPELINE, make_chain, put
from .test_tamper_drills import Kept

pytestmark = pytest.mark.store

A, B = "svc.aaaa000000000000", "svc.bbbb000000000000"
N = 40


@pytest.fixture
def signed(store: Store, tmp_path: Path) -> Kept:
    events = {A: make_chain(A, N), B: make_chain(B, N)}
    put(store, events[A], events[B])
    assert len(Digester(store, PIPELINE).run_once()) == 12
    export_digests(store, tmp_path / "digests")
    return Kept(store, tmp_path / "digests", events)


def run(kept: Kept, *, digests: bool = False) -> tuple[int, dict[str, Any]]:
    app = Typer()
    register(app)
    args = ["verify", "--json", "--no-record", "--keys", EMITTER.public_key_b64]
    args += ["--store-path", kept.store.config.path]
    if digests:
        args += ["--digests", str(kept.digests), "--digest-key", PIPELINE.public_key_b64]
    res = CliRunner().invoke(app, args)
    assert res.exit_code in (0, 1, 3), res.output
    return res.exit_code, json.loads(res.output)


def found(doc: dict[str, Any]) -> set[tuple[str, str, int]]:
    return {(f["class"], f["stream_id"], f["seq"]) for f in doc["findings"]}


def append(kept: Kept, events: list[dict[str, Any]]) -> None:
    kept.store.insert_rows("events", [event_to_row(e) for e in events], EVENT_COLUMNS)


def rechain(
    template: list[dict[str, Any]], stream: str, after: dict[str, Any]
) -> list[dict[str, Any]]:
    """Copies of ``template`` sealed on from ``after`` (a valid-looking continuation)."""
    out, prev = [], after
    for e in template:
        copy = {k: v for k, v in e.items() if k not in ("stream_id", "seq", "prev_hash", "hash")}
        seal(copy, stream, prev["seq"] + 1, prev["hash"])
        out.append(copy)
        prev = copy
    return out


def drop_checkpoints(kept: Kept, stream: str, from_seq: int) -> None:
    kept.sql(
        "ALTER TABLE {db}.checkpoints DELETE WHERE stream_id = {s:String} AND seq >= {q:UInt64}",
        s=stream,
        q=from_seq,
    )


def test_an_untouched_store_is_intact_and_vouched(signed: Kept) -> None:
    code, doc = run(signed, digests=True)
    assert code == 0, doc
    assert (doc["ok"], doc["vouched"], doc["unvouched"]) == (True, True, {})


# -- breaks: exit 1 ---------------------------------------------------------------------------


def modify(k: Kept) -> None:
    k.sql(
        "ALTER TABLE {db}.events UPDATE outcome = 'denied'"
        " WHERE stream_id = {s:String} AND seq = 12",
        s=B,
    )


def delete(k: Kept) -> None:
    k.sql("ALTER TABLE {db}.events DELETE WHERE stream_id = {s:String} AND seq = 20", s=B)


def insert_mid(k: Kept) -> None:
    forged = {**k.events[B][25], "duration_us": 1}
    k.copy_rows(
        "stream_id = {s:String} AND seq = 25",
        "toUInt64(1) AS duration_us, {h:String} AS hash",
        s=B,
        h=compute_hash(forged),
    )


def reorder(k: Kept) -> None:
    a, b = k.events[B][14], k.events[B][15]
    k.copy_rows("stream_id = {s:String} AND seq IN (14, 15)", "if(seq = 14, 15, 14) AS seq", s=B)
    k.sql(
        "ALTER TABLE {db}.events DELETE WHERE stream_id = {s:String}"
        " AND ((seq = 14 AND hash = {a:String}) OR (seq = 15 AND hash = {b:String}))",
        s=B,
        a=a["hash"],
        b=b["hash"],
    )


def truncate(k: Kept) -> None:
    k.sql("ALTER TABLE {db}.events DELETE WHERE stream_id = {s:String} AND seq >= 33", s=B)


def fork(k: Kept) -> None:
    (other,) = rechain([{**k.events[B][39], "outcome": "denied"}], B, k.events[B][38])
    append(k, [other])


def far_future_seq(k: Kept) -> None:
    (far,) = rechain([k.events[B][5]], B, k.events[B][39])
    seal(far, B, 2**53, k.events[B][39]["hash"])  # a gap of 2^53: verified in one step
    append(k, [far])
    Digester(k.store, PIPELINE).run_once()  # the digester stops at the gap, in one step too


def replay_in_stream(k: Kept) -> None:
    # events 5..7 again, re-chained after the head: a valid-looking tail of old events
    append(k, rechain(k.events[B][5:8], B, k.events[B][39]))


def replay_cross_stream(k: Kept) -> None:
    k.copy_rows(
        "stream_id = {a:String} AND seq BETWEEN 10 AND 19", "{b:String} AS stream_id", a=A, b=B
    )


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (modify, ("modified", B, 12)),
        (delete, ("deleted", B, 20)),
        (insert_mid, ("inserted", B, 25)),
        (reorder, ("reordered", B, 14)),
        (truncate, ("truncated", B, 33)),
        (fork, ("forked", B, 39)),
        (far_future_seq, ("deleted", B, 40)),
        (replay_in_stream, ("replayed", B, 40)),
        (replay_cross_stream, ("replayed", B, 10)),
    ],
    ids=lambda x: getattr(x, "__name__", None),
)
def test_a_break_exits_1_naming_stream_and_seq(
    signed: Kept, tamper: Callable[[Kept], None], expected: tuple[str, str, int]
) -> None:
    tamper(signed)
    code, doc = run(signed)
    assert code == 1, doc
    assert expected in found(doc)
    assert doc["ok"] is False


def test_a_break_found_at_ingest_stays_a_break(signed: Kept) -> None:
    # the collector kept a batch that did not continue the chain beside the stream: only its
    # finding is stored, not the events
    detail = "prev_hash is not the hash of seq 39, the stream's head"
    finding = {"stream_id": A, "seq": 40, "class": "modified", "detail": detail}
    signed.store.record_findings([finding], source="collector")
    code, doc = run(signed)
    assert code == 1, doc
    assert found(doc) == {("modified", A, 40)}
    assert "at ingest (collector)" in doc["findings"][0]["detail"]


# -- unvouched: exit 3 (or 1 where the digests can tell) --------------------------------------


def forged_tail(k: Kept) -> None:
    tail = [
        {**e, "gen_ai.tool.name": "exfiltrate", "event_id": f"forged-{i}"}
        for i, e in enumerate(k.events[B][:3])
    ]
    append(k, rechain(tail, B, k.events[B][39]))


def test_a_forged_tail_is_unvouched(signed: Kept) -> None:
    forged_tail(signed)
    code, doc = run(signed, digests=True)  # the open hour is not digested yet
    assert code == 3, doc
    assert doc["ok"] is True
    assert set(doc["unvouched"]) == {B}
    assert "3 event(s) after seq 39" in doc["unvouched"][B]
    assert doc["streams"][B]["unvouched"] == doc["unvouched"][B]


def truncate_with_checkpoints(k: Kept) -> None:
    truncate(k)
    drop_checkpoints(k, B, 33)
    # and the pipeline's record of the head (else that alone names the cut: see below)
    k.sql("ALTER TABLE {db}.chain_heads DELETE WHERE stream_id = {s:String}", s=B)


def rehash_suffix_with_checkpoints(k: Kept) -> None:
    edited = [{**e, "outcome": "ok"} for e in k.events[B][34:]]
    k.sql("ALTER TABLE {db}.events DELETE WHERE stream_id = {s:String} AND seq >= 34", s=B)
    append(k, rechain(edited, B, k.events[B][33]))
    drop_checkpoints(k, B, 34)


@pytest.mark.parametrize(
    ("tamper", "unvouched_after", "digest_finding"),
    [
        (truncate_with_checkpoints, 29, ("truncated", B, 33)),
        (rehash_suffix_with_checkpoints, 29, ("modified", B, 30)),
    ],
    ids=lambda x: getattr(x, "__name__", None),
)
def test_a_tail_rewritten_with_its_checkpoints_is_unvouched_and_the_digests_name_it(
    signed: Kept,
    tamper: Callable[[Kept], None],
    unvouched_after: int,
    digest_finding: tuple[str, str, int],
) -> None:
    tamper(signed)
    code, doc = run(signed)
    assert code == 3, doc
    assert set(doc["unvouched"]) == {B}
    assert f"after seq {unvouched_after}" in doc["unvouched"][B]
    code, doc = run(signed, digests=True)
    assert code == 1, doc
    assert digest_finding in found(doc)


def test_a_whole_stream_deleted_only_the_digests_can_tell(signed: Kept) -> None:
    signed.sql("ALTER TABLE {db}.events DELETE WHERE stream_id = {s:String}", s=B)
    code, doc = run(signed)
    assert code == 1  # its checkpoints are still stored
    assert ("truncated", B, 0) in found(doc)
    drop_checkpoints(signed, B, 0)
    code, doc = run(signed)
    assert code == 1  # the pipeline's record of the stream's head is still stored
    assert ("truncated", B, 0) in found(doc)
    assert "chain head" in doc["findings"][0]["detail"]
    signed.sql("ALTER TABLE {db}.chain_heads DELETE WHERE stream_id = {s:String}", s=B)
    code, doc = run(signed)
    assert code == 0  # nothing in the store remembers it
    assert B not in doc["streams"]
    code, doc = run(signed, digests=True)
    assert code == 1, doc
    assert ("truncated", B, 0) in found(doc)
