"""Tamper drills: edit the STORED data with SQL, then ``verify_store`` must name each edit.

Each drill gets a fresh chDB store holding three streams of 40 events (ten minutes apart: six
digested hours of six events, and an open hour of four) sealed by the real contract:

- ``A`` and ``B`` with emitter checkpoints every ten events (signed, trusted);
- ``C`` without checkpoints, so only the pipeline's digests vouch for it.

The digests are signed, stored and exported to a directory (the copy kept outside the store).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tooltrail.contract import compute_hash
from tooltrail.pipeline.integrity import (
    Digester,
    StoreVerifyReport,
    digest_path,
    export_digests,
    load_digests,
    verify_store,
)
from tooltrail.pipeline.store import Store

from .test_digests import EMITTER, PIPELINE, make_chain, put

pytestmark = pytest.mark.store

A, B, C = "svc.aaaa000000000000", "svc.bbbb000000000000", "svc.cccc000000000000"
N = 40


@dataclass
class Kept:
    store: Store
    digests: Path  # the digest files kept outside the store
    events: dict[str, list[dict[str, Any]]]

    def verify(self, **kw: Any) -> StoreVerifyReport:
        kw.setdefault("digests_dir", self.digests)
        return verify_store(
            self.store,
            public_keys=[EMITTER.public_key],
            digest_public_keys=[PIPELINE.public_key],
            **kw,
        )

    def sql(self, statement: str, **params: Any) -> None:
        """Run one statement on the stored data; mutations apply before it returns."""
        db = self.store.database
        settings = " SETTINGS mutations_sync = 2" if statement.startswith("ALTER") else ""
        self.store.command(statement.replace("{db}", db) + settings, params)

    def copy_rows(self, where: str, replace: str, **params: Any) -> None:
        """INSERT … SELECT: copies of the stored rows ``where`` selects, columns replaced."""
        self.sql(
            "INSERT INTO {db}.events SELECT * REPLACE (" + replace + ")"
            " FROM (SELECT * FROM {db}.events WHERE " + where + ")",
            **params,
        )

    def rewrite(self, stream: str, seq: int, replace: str, **params: Any) -> None:
        """Replace one stored row by an edited copy (for key columns, which UPDATE refuses)."""
        self.copy_rows(f"stream_id = {{s:String}} AND seq = {seq}", replace, s=stream, **params)
        self.sql(
            "ALTER TABLE {db}.events DELETE WHERE stream_id = {s:String} AND seq = {q:UInt64}"
            " AND hash = {h:String}",
            s=stream,
            q=seq,
            h=self.events[stream][seq]["hash"],
        )


def breaks(report: StoreVerifyReport) -> set[tuple[str, str, int]]:
    return {(f.cls, f.stream_id, f.seq) for f in report.findings}


@pytest.fixture
def kept(store: Store, tmp_path: Path) -> Kept:
    events = {A: make_chain(A, N), B: make_chain(B, N), C: make_chain(C, N)}
    put(store, events[A], events[B])
    put(store, events[C], checkpoints=False)
    assert len(Digester(store, PIPELINE).run_once()) == 18
    export_digests(store, tmp_path / "digests")
    return Kept(store, tmp_path / "digests", events)


def test_an_untouched_store_verifies_clean(kept: Kept) -> None:
    report = kept.verify(store_digests=True)
    assert report.ok, report.findings
    assert report.events == 3 * N
    assert report.digests_checked == 2 * 18  # the files and the store's copies
    assert report.digested_through == {A: 35, B: 35, C: 35}
    assert {s: r.verified_through for s, r in report.streams.items()} == {A: 39, B: 39, C: None}
    db = kept.store.database
    assert kept.store.command(f"SELECT count() FROM {db}.integrity_findings") == 0


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("duration_us", "duration_us + 1"),
        ("outcome", "'denied'"),
        ("user", "'mallory'"),
        ("tool", "'delete_everything'"),
        ("event_id", "'forged-id'"),
        ("prev_hash", "repeat('0', 64)"),
    ],
)
@pytest.mark.parametrize("stream", [B, C])
def test_an_updated_column_is_modified_at_its_seq(
    kept: Kept, stream: str, column: str, value: str
) -> None:
    kept.sql(
        f"ALTER TABLE {{db}}.events UPDATE `{column}` = {value}"
        " WHERE stream_id = {s:String} AND seq = 12",
        s=stream,
    )
    assert breaks(kept.verify()) == {("modified", stream, 12)}


def test_an_overwritten_hash_is_modified_at_its_seq(kept: Kept) -> None:
    kept.rewrite(B, 12, "repeat('a', 64) AS hash")
    assert breaks(kept.verify()) == {("modified", B, 12)}


@pytest.mark.parametrize("stream", [B, C])
def test_an_edited_and_rehashed_event_is_modified_at_its_seq(kept: Kept, stream: str) -> None:
    edited = {**kept.events[stream][12], "outcome": "denied"}
    kept.rewrite(stream, 12, "'denied' AS outcome, {h:String} AS hash", h=compute_hash(edited))
    assert breaks(kept.verify()) == {("modified", stream, 12)}


def test_a_consistently_rewritten_tail_shows_only_in_the_digests(kept: Kept) -> None:
    # the attacker re-seals seq 14.. with other content: a valid chain, and C has no checkpoint
    forged = make_chain(C, N)
    for e in forged:
        e["duration_us"] += 1 if e["seq"] >= 14 else 0
    from tooltrail.contract import seal

    for e in forged[14:]:
        seal(e, C, e["seq"], forged[e["seq"] - 1]["hash"])
    kept.sql("ALTER TABLE {db}.events DELETE WHERE stream_id = {s:String} AND seq >= 14", s=C)
    from tooltrail.pipeline.store import event_to_row
    from tooltrail.pipeline.store.schema import EVENT_COLUMNS

    kept.store.insert_rows("events", [event_to_row(e) for e in forged[14:]], EVENT_COLUMNS)
    report = kept.verify()
    # every digested hour from the one holding seq 14 on no longer matches its signed root
    assert breaks(report) == {("modified", C, q) for q in (12, 18, 24, 30)}
    assert "Merkle root" in report.findings[0].detail
    assert report.digested_through[C] == 11


@pytest.mark.parametrize(
    "how", ["ALTER TABLE {db}.events DELETE WHERE", "DELETE FROM {db}.events WHERE"]
)
@pytest.mark.parametrize("stream", [B, C])
def test_a_deleted_row_is_deleted_at_its_seq(kept: Kept, stream: str, how: str) -> None:
    kept.sql(how + " stream_id = {s:String} AND seq = 20", s=stream)
    report = kept.verify()
    assert breaks(report) == {("deleted", stream, 20)}
    assert report.digested_through[stream] == 17


def test_a_forged_row_at_a_taken_seq_is_inserted(kept: Kept) -> None:
    forged = {**kept.events[B][25], "duration_us": 1}
    kept.copy_rows(
        "stream_id = {s:String} AND seq = 25",
        "toUInt64(1) AS duration_us, {h:String} AS hash",
        s=B,
        h=compute_hash(forged),
    )
    report = kept.verify()
    assert breaks(report) == {("inserted", B, 25)}


def test_two_swapped_seqs_are_reordered(kept: Kept) -> None:
    a, b = kept.events[C][14], kept.events[C][15]
    kept.copy_rows("stream_id = {s:String} AND seq IN (14, 15)", "if(seq = 14, 15, 14) AS seq", s=C)
    kept.sql(
        "ALTER TABLE {db}.events DELETE WHERE stream_id = {s:String}"
        " AND ((seq = 14 AND hash = {a:String}) OR (seq = 15 AND hash = {b:String}))",
        s=C,
        a=a["hash"],
        b=b["hash"],
    )
    report = kept.verify()
    assert breaks(report) == {("reordered", C, 14), ("reordered", C, 15)}
    assert "carries the content of seq 15" in report.findings[0].detail


@pytest.mark.parametrize("stream", [B, C])
def test_a_cut_tail_is_truncated_where_it_was_cut(kept: Kept, stream: str) -> None:
    kept.sql("ALTER TABLE {db}.events DELETE WHERE stream_id = {s:String} AND seq >= 33", s=stream)
    report = kept.verify()
    assert breaks(report) == {("truncated", stream, 33)}


def test_a_whole_stream_deleted_is_truncated_from_seq_0(kept: Kept) -> None:
    kept.sql("ALTER TABLE {db}.events DELETE WHERE stream_id = {s:String}", s=C)
    assert breaks(kept.verify()) == {("truncated", C, 0)}


def test_a_segment_replayed_into_another_stream_is_replayed(kept: Kept) -> None:
    kept.copy_rows(
        "stream_id = {a:String} AND seq BETWEEN 10 AND 19", "{c:String} AS stream_id", a=A, c=C
    )
    report = kept.verify()
    assert breaks(report) == {("replayed", C, q) for q in range(10, 20)}
    assert f"{A}#10" in report.findings[0].detail


def test_findings_are_recorded_in_the_store(kept: Kept) -> None:
    kept.sql("ALTER TABLE {db}.events DELETE WHERE stream_id = {s:String} AND seq = 3", s=A)
    kept.verify()
    db = kept.store.database
    rows = kept.store.query_rows(
        f"SELECT stream_id, seq, class, source FROM {db}.integrity_findings"
    )
    assert rows == [(A, 3, "deleted", "verify")]


def test_an_edited_digest_file_has_a_bad_signature(kept: Kept) -> None:
    (d,) = [d for d in load_digests(kept.digests) if d["stream_id"] == B and d["first_seq"] == 12]
    path = digest_path(kept.digests, d)
    path.write_text(path.read_text().replace(f'"count": {d["count"]}', '"count": 5', 1))
    path.write_text(path.read_text().replace('"last_seq": 17', '"last_seq": 16', 1))
    assert breaks(kept.verify()) == {("bad_checkpoint", B, 12)}


@pytest.mark.parametrize(("first_seq", "expected"), [(18, 18), (0, 0)])
def test_a_deleted_digest_file_breaks_the_digest_chain(
    kept: Kept, first_seq: int, expected: int
) -> None:
    (d,) = [
        d for d in load_digests(kept.digests) if d["stream_id"] == C and d["first_seq"] == first_seq
    ]
    digest_path(kept.digests, d).unlink()
    report = kept.verify()
    assert breaks(report) == {("deleted", C, expected)}
    assert "digest" in report.findings[0].detail


def test_a_digest_deleted_from_the_store_breaks_its_chain(kept: Kept) -> None:
    kept.sql("ALTER TABLE {db}.digests DELETE WHERE stream_id = {s:String} AND first_seq = 6", s=A)
    assert kept.verify(digests_dir=None, store_digests=True).findings[0].cls == "deleted"
    assert breaks(kept.verify(digests_dir=None, store_digests=True)) == {("deleted", A, 6)}
    assert kept.verify().ok  # the files kept outside the store are intact


def test_a_digest_file_replaced_by_junk_is_reported_and_leaves_a_hole(kept: Kept) -> None:
    (d,) = [d for d in load_digests(kept.digests) if d["stream_id"] == C and d["first_seq"] == 18]
    digest_path(kept.digests, d).write_text('{"type": "digest", "hour": "soon"')
    report = kept.verify()
    assert breaks(report) == {("bad_checkpoint", C, 0), ("deleted", C, 18)}
    assert "unreadable" in report.findings[0].detail
