"""Which events of one insert are new: a duplicate is the same event, not an earlier seq.

An event is a duplicate only when its stream already holds an event at its seq with its hash
(stored, or taken earlier in the same insert). An event below the stream's head that is not
stored is stored (the head does not move back); another hash at a stored seq is a fork, kept
as evidence by the store (``quarantine`` and a ``forked`` finding), never dropped.

So a genuine record replayed or copied ahead of the records before it (``docs/pipeline.md``,
"Who may write the events topic") hides none of them: ``tests/pipeline/test_record_copy.py``.

The common case costs nothing here: a run that starts above the head is new by construction
(:meth:`SeqIndex.took` only remembers it). Only events at or below a head are looked up, with
one query per :data:`_CHUNK` streams for the seqs the insert names
(:func:`stored_hashes`), and runs taken earlier in the insert are indexed only when a later
segment of their stream reaches below its head.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from ..segments import DecodedSegment, RawRun
from ._config import wrapped

__all__ = [
    "FORKED",
    "Hashes",
    "SeqIndex",
    "forked",
    "one_run_above",
    "stored_hashes",
    "wanted_seqs",
]

#: the finding class of an event whose seq is stored with another hash
FORKED: Final = "forked"
_CHUNK: Final = 100  # streams per lookup query

Hashes = dict[int, set[str]]  # seq -> the hashes of the events at that seq


def one_run_above(seqs: list[int], floor: int) -> bool:
    """``seqs`` are consecutive and all above ``floor``: every event is new and moves the head."""
    return bool(seqs) and seqs[0] > floor and seqs == list(range(seqs[0], seqs[0] + len(seqs)))


def wanted_seqs(
    segments: Iterable[DecodedSegment | RawRun], floors: Mapping[str, int]
) -> dict[str, set[int]]:
    """Per stream, the seqs at or below its stored head (``floors``) that ``segments`` name:
    the only ones that can be stored already (quarantine segments never are)."""
    wanted: dict[str, set[int]] = {}
    for seg in segments:
        floor = floors[seg.stream_id]
        if isinstance(seg, RawRun):
            if seg.first <= floor:
                wanted.setdefault(seg.stream_id, set()).update(
                    range(seg.first, min(seg.last, floor) + 1)
                )
        elif not seg.quarantine:
            below = [e["seq"] for e in seg.events if e["seq"] <= floor]
            if below:
                wanted.setdefault(seg.stream_id, set()).update(below)
    return wanted


def stored_hashes(client: Any, table: str, wanted: Mapping[str, set[int]]) -> dict[str, Hashes]:
    """The stored hashes at the ``wanted`` seqs of each stream (``table``: the events table;
    ``client``: the store's clickhouse-connect client); StoreUnavailable when it fails."""
    found: dict[str, Hashes] = {stream: {} for stream in wanted}
    items = sorted(wanted.items())
    for start in range(0, len(items), _CHUNK):
        terms, params = [], {}
        for i, (stream, seqs) in enumerate(items[start : start + _CHUNK]):
            terms.append(
                f"(stream_id = {{s{i}:String}} AND seq BETWEEN {{lo{i}:UInt64}}"
                f" AND {{hi{i}:UInt64}} AND has({{q{i}:Array(UInt64)}}, seq))"
            )
            params.update(
                {f"s{i}": stream, f"lo{i}": min(seqs), f"hi{i}": max(seqs), f"q{i}": sorted(seqs)}
            )
        where = " OR ".join(terms)  # every value a parameter
        sql = f"SELECT DISTINCT stream_id, seq, hash FROM {table} WHERE {where}"  # noqa: S608
        with wrapped("reading stored events failed"):
            rows = client.query(sql, parameters=params).result_rows
        for stream, seq, digest in rows:
            found[str(stream)].setdefault(int(seq), set()).add(str(digest))
    return found


class SeqIndex:
    """What one insert knows of each stream's events by seq: stored, or taken by it."""

    __slots__ = ("_hashes", "_runs")

    def __init__(self, stored: dict[str, Hashes]) -> None:
        self._hashes = stored
        self._runs: dict[str, list[DecodedSegment | RawRun]] = {}

    def took(self, run: DecodedSegment | RawRun) -> None:
        """``run`` (new events, all above the head) is taken; indexed only if ever needed."""
        self._runs.setdefault(run.stream_id, []).append(run)

    def at(self, stream: str) -> Hashes:
        """The stream's known hashes by seq (the runs it took indexed first)."""
        hashes = self._hashes.setdefault(stream, {})
        for run in self._runs.pop(stream, ()):
            events = run.decode().events if isinstance(run, RawRun) else run.events
            for event in events:
                hashes.setdefault(event["seq"], set()).add(event["hash"])
        return hashes


def forked(stream: str, events: Iterable[Mapping[str, Any]], now: Any) -> list[dict[str, Any]]:
    """The pipeline's ``forked`` findings for ``events``: each at a seq stored with another hash."""
    detail = (
        "another event at a seq the stream already holds (stored with another hash): "
        "kept as evidence, the stored event stands"
    )
    return [
        {"class": FORKED, "seq": e["seq"], "detail": detail, "source": "pipeline",
         "stream_id": stream, "event_id": e["event_id"], "found_at": now}
        for e in events
    ]  # fmt: skip
