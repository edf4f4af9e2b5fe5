"""What one ``insert_segments`` writes where: the segments sorted into rows, before any write.

:func:`plan` takes the segments of a flush, the stored head of each stream (``floors``) and the
hashes stored at the seqs the segments reach at or below their heads (``dedupe``), and returns a
:class:`Plan`: the new events (as dicts for the Python path, as JSON text for the raw runs
chDB parses), the checkpoints, the findings, the quarantined evidence, the heads that move and
the duplicates skipped. It reads and writes nothing: ``Store.insert_segments`` writes the plan.
A duplicate of the stream's last stored event writes its head again: a write that stored the
events but failed before ``chain_heads`` is repaired by its retry, which sees only duplicates
(the head row is a ReplacingMergeTree's, so writing it twice is harmless).

A duplicate is the same event (stream, seq and hash) stored or taken earlier in the plan; an
event below the head that is not stored is kept, the head staying; another hash at a stored seq
is a fork, quarantined with a ``forked`` finding (``dedupe``). A raw run (a trusted clean run,
its events not parsed) whose events are all above the head goes as JSON when ``raw_ok`` (chDB,
and its bytes are UTF-8; chDB checks them against the run's header, ``jsonrows``); otherwise it
is decoded here and taken as any segment. An event or checkpoint of a stream other than its
segment's raises ForeignStream (a trusted segment is not validated before: the processor then
validates its record in full, which rejects it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..segments import DecodedSegment, ForeignStream, RawRun, stream_of
from .dedupe import Hashes, SeqIndex, forked, one_run_above
from .quarantine import quarantine_rows
from .rows import checkpoint_to_row, integrity_by_seq

__all__ = ["Plan", "plan"]


@dataclass(slots=True)
class Plan:
    kept: list[dict[str, Any]] = field(default_factory=list)  # new events, Python path
    marks: list[str] = field(default_factory=list)  # the integrity mark of each kept event
    raw: list[RawRun] = field(default_factory=list)  # raw runs, their events parsed by chDB
    raw_count: int = 0
    checkpoints: dict[tuple[str, int, str, str], tuple[Any, ...]] = field(default_factory=dict)
    findings: list[dict[str, Any]] = field(default_factory=list)
    quarantined: list[tuple[Any, ...]] = field(default_factory=list)
    heads: dict[str, tuple[int, str, str]] = field(default_factory=dict)  # stream -> seq, hash, src
    duplicates: int = 0

    @property
    def inserted(self) -> int:
        return len(self.kept) + self.raw_count


def _utf8(run: RawRun) -> bool:
    """ClickHouse stores bytes that are not UTF-8 as they are; ``orjson`` refuses them."""
    if run.value.isascii():  # the whole record: its events are a part of it
        return True
    try:
        str(run.events, "utf-8")
    except UnicodeDecodeError:
        return False
    return True


def plan(
    segments: Sequence[DecodedSegment | RawRun],
    floors: dict[str, int],
    stored: dict[str, Hashes],
    *,
    raw_ok: bool,
) -> Plan:
    """Sort ``segments`` into a :class:`Plan` (module doc); ``floors`` (stream -> stored head,
    -1 when none) is moved along as runs are taken."""
    out = Plan()
    index = SeqIndex(stored)
    now = datetime.now(UTC)

    def take_run(run: DecodedSegment | RawRun, last: int, digest: str) -> None:
        """A run of new events above the head (all of them): it moves the head."""
        out.heads[run.stream_id] = (last, digest, run.source)
        floors[run.stream_id] = last
        index.took(run)

    def keep_checkpoints(stream: str, source: str, cps: list[dict[str, Any]]) -> None:
        for i, cp in enumerate(cps):
            if type(cp) is not dict or cp.get("stream_id") != stream:
                raise ForeignStream(f"checkpoints[{i}] is not of the segment's stream {stream!r}")
            key = (stream, cp["seq"], cp["hash"], cp.get("sig", ""))
            out.checkpoints[key] = checkpoint_to_row(cp, source)

    for item in segments:
        if isinstance(item, RawRun):
            if raw_ok and item.first > floors[item.stream_id] and _utf8(item):
                out.raw.append(item)
                out.raw_count += item.n
                take_run(item, item.last, item.head)
                keep_checkpoints(item.stream_id, item.source, item.checkpoints)
                continue
            item = item.decode()
        seg = item
        stream_of(seg)  # a trusted segment's events are not checked otherwise
        if seg.findings:
            event_ids = {e["seq"]: e["event_id"] for e in seg.events}
            out.findings.extend(
                {**f, "stream_id": seg.stream_id, "source": f.get("source", "collector"),
                 "event_id": f.get("event_id") or event_ids.get(f["seq"], ""), "found_at": now}
                for f in seg.findings
            )  # fmt: skip
        if seg.quarantine:  # evidence beside the stream: never its events or head
            out.quarantined += quarantine_rows(
                seg.stream_id, seg.source, seg.events, seg.checkpoints, seg.findings
            )
            continue
        floor = floors[seg.stream_id]
        seqs = [e["seq"] for e in seg.events]
        if not seg.findings and one_run_above(seqs, floor):
            # the common case: a clean run of new events, the loop below in one step
            out.kept += seg.events
            out.marks += [""] * len(seqs)
            last = seg.events[-1]
            take_run(seg, last["seq"], last["hash"])
        else:
            marks = integrity_by_seq(seqs, seg.findings)
            known = index.at(seg.stream_id)
            top = floor
            forks = []
            for event in seg.events:
                seq, digest = event["seq"], event["hash"]
                at = known.get(seq)
                if at is not None and digest in at:  # this very event: stored already
                    out.duplicates += 1
                    if seq == floor == top:  # the stored end: its head row may have been lost
                        out.heads[seg.stream_id] = (seq, digest, seg.source)
                    continue
                if at and seq <= floor:  # another event at a stored seq
                    forks.append(event)
                    continue
                known.setdefault(seq, set()).add(digest)
                out.kept.append(event)  # new, even below the head (which stays)
                out.marks.append(marks.get(seq, ""))
                if seq > floor and seq >= top:
                    top = seq
                    out.heads[seg.stream_id] = (seq, digest, seg.source)
            floors[seg.stream_id] = top
            if forks:
                fork_findings = forked(seg.stream_id, forks, now)
                out.findings += fork_findings
                out.quarantined += quarantine_rows(
                    seg.stream_id, seg.source, forks, [], fork_findings
                )
        keep_checkpoints(seg.stream_id, seg.source, seg.checkpoints)
    return out
