"""``verify_store``: prove the stored log is intact, or name every break (stream, seq, class).

Stream by stream (one stream's events in memory at a time), it

1. runs the contract's ``verify`` over the events rebuilt from the store's columns, with the
   stream's stored checkpoints and the trusted emitter keys (hash, chain walk, checkpoints);
2. checks the hourly digests, when given (files kept outside the store and/or the store's own):
   signatures against the pipeline's trusted key, the digest chain (a missing digest is
   ``deleted``), and each digest's Merkle root recomputed over the stored events of its seq
   range (``DigestCheck``);
3. across streams, finds events stored at more than one place (same ``event_id`` in another
   stream, or at another seq of its own): the copy that does not belong is ``replayed``;
4. compares the stream's end with the head the pipeline recorded (``chain_heads``): events
   cut behind it are ``truncated`` even with no checkpoint or digest left;
5. adds the breaks found at ingest (``integrity_findings`` of source ``collector`` or
   ``pipeline``): a batch that did not continue its stream's chain is kept beside it, not in
   ``events``, so only its stored finding tells of it -- and it stays a break.

Whatever the seq values, the work is linear in the stored rows (a gap of 2^53 costs nothing).
Each stream is also judged *vouched* or not (``StreamSummary.unvouched``, see
``tooltrail.contract.verify``): events older than ``checkpoint_interval_us`` + ``grace_us``
that no trusted emitter checkpoint covers. The digests do not vouch for a tail: they prove the
store unedited since, not that the emitter wrote it.

Findings are returned in a :class:`StoreVerifyReport`; those found here (not the ingest ones,
already stored) are written to ``integrity_findings`` (source ``verify``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from tooltrail.contract import (
    DEFAULT_CHECKPOINT_INTERVAL_US,
    DEFAULT_GRACE_US,
    Finding,
    StreamSummary,
    VerifyReport,
    load_public_keys,
    verify,
)

from ..store import Store
from ..store.filters import where
from ._digestcheck import DigestCheck
from .digests import (
    HOUR_US,
    DigestSets,
    _rows,
    digest_sets,
)

__all__ = [
    "DigestCheck",
    "Progress",
    "StoreVerifyReport",
    "Vouching",
    "count_events",
    "verify_store",
]

log = logging.getLogger(__name__)

#: with ``since_us``, events up to this much older are read too: late events of the window
_LATE_US: Final = HOUR_US
_CHAIN_CLASSES: Final = frozenset({"modified", "inserted", "forked"})

Progress = Callable[[str, int], None]
"""Called after each stream with its id and the number of events verified."""

Keys = Mapping[str, bytes | str] | Iterable[bytes | str]


@dataclass(slots=True)
class StoreVerifyReport(VerifyReport):
    """The contract's report, plus what the digests vouch for."""

    digests_checked: int = 0
    #: per stream, the highest seq a valid digest covers with nothing broken up to it
    digested_through: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Vouching:
    """When a tail no trusted checkpoint covers counts as unvouched (see ``verify``)."""

    now_us: int | None = None
    checkpoint_interval_us: int = DEFAULT_CHECKPOINT_INTERVAL_US
    grace_us: int = DEFAULT_GRACE_US


_EVENT_FILTERS: Final = {
    "source": "source_name = {source:String}",
    "since": "ts >= {since:UInt64}",
}


def _where(source: str | None, since_us: int | None) -> tuple[str, dict[str, Any]]:
    return where(_EVENT_FILTERS, source=source, since=since_us)


def count_events(store: Store, *, source: str | None = None, since_us: int | None = None) -> int:
    """About how many events ``verify_store`` will read (for a progress bar)."""
    where, params = _where(source, since_us)
    sql = f"SELECT count() FROM {store.database}.events WHERE {where}"  # noqa: S608 - see _rows
    rows = _rows(store, sql, params)
    return int(rows[0][0]) if rows else 0


def _window(
    store: Store, stream_id: str, source: str | None, since_us: int | None, *, full: bool = False
) -> tuple[list[dict[str, Any]], int | None]:
    """The stream's events to verify and, with ``since_us``, the first seq of the window.

    The window starts at the first event (in seq order) whose ``ts`` is at or after
    ``since_us`` and runs to the stream's end, including late events with an earlier ``ts``.
    """
    if since_us is None:
        return list(store.iter_events(stream_id=stream_id, source=source)), None
    read_from = None if full else max(since_us - _LATE_US, 0)
    events = list(store.iter_events(stream_id=stream_id, source=source, since_us=read_from))
    start = next((e["seq"] for e in events if e["ts"] >= since_us), None)
    if start is None:
        return [], None
    return [e for e in events if e["seq"] >= start], int(start)


def verify_store(
    store: Store,
    *,
    source: str | None = None,
    since_us: int | None = None,
    public_keys: Keys = (),
    source_keys: Callable[[str], Iterable[bytes | str]] | None = None,
    digests_dir: str | os.PathLike[str] | None = None,
    store_digests: bool = False,
    digest_public_keys: Keys = (),
    progress: Progress | None = None,
    record: bool = True,
    now_us: int | None = None,
    checkpoint_interval_us: int = DEFAULT_CHECKPOINT_INTERVAL_US,
    grace_us: int = DEFAULT_GRACE_US,
) -> StoreVerifyReport:
    """Verify the stored events (of ``source``, from ``since_us`` on) and return every break.

    ``public_keys`` are the trusted emitter keys for every stream; ``source_keys(name)`` adds the
    keys trusted for one source (e.g. the collector key file's signers). Digests are checked
    when ``digests_dir`` (files kept outside the store) and/or ``store_digests`` are given;
    their signatures need ``digest_public_keys`` (the pipeline's key). With ``record``, the
    findings are written to ``integrity_findings`` (source ``verify``). A tail older than
    ``checkpoint_interval_us`` + ``grace_us`` before ``now_us`` (default: the clock) that no
    trusted checkpoint covers makes its stream unvouched.
    """
    keys = load_public_keys(public_keys)
    digest_keys = load_public_keys(digest_public_keys)
    if (digests_dir is not None or store_digests) and not digest_keys:
        raise ValueError("checking digests needs the pipeline's public key (digest_public_keys)")
    sets, problems = digest_sets(store, digests_dir, store_digests)
    report = StoreVerifyReport(findings=list(problems))
    streams = set(store.streams(source=source))
    for _, by_stream in sets:  # a stream whose every event is gone still has its digests
        streams.update(s for s in by_stream if source is None or s.startswith(f"{source}."))
    heads = _recorded_heads(store)
    for stream_id in sorted(streams):
        n = _verify_stream(
            store,
            stream_id,
            report,
            source=source,
            since_us=since_us,
            keys=keys,
            source_keys=source_keys,
            sets=sets,
            digest_keys=digest_keys,
            vouching=Vouching(now_us, checkpoint_interval_us, grace_us),
            recorded_head=heads.get(stream_id),
        )
        if progress is not None:
            progress(stream_id, n)
    _replays(store, report, source, since_us)
    found_here = list(report.findings)
    _ingest_findings(store, report, source, since_us)
    report.findings.sort(key=lambda f: (f.stream_id, f.seq, f.cls))
    if record and found_here:
        store.record_findings(
            [
                {
                    "stream_id": f.stream_id,
                    "seq": max(f.seq, 0),
                    "class": f.cls,
                    "detail": f.detail,
                    "event_id": f.event_id or "",
                    "source": "verify",
                }
                for f in found_here
            ]
        )
    if report.findings:
        log.info("verify found %d integrity break(s)", len(report.findings))
    return report


def _verify_stream(
    store: Store,
    stream_id: str,
    report: StoreVerifyReport,
    *,
    source: str | None,
    since_us: int | None,
    keys: Mapping[str, bytes],
    source_keys: Callable[[str], Iterable[bytes | str]] | None,
    sets: DigestSets,
    digest_keys: Mapping[str, bytes],
    vouching: Vouching,
    recorded_head: int | None,
) -> int:
    events, start = _window(store, stream_id, source, since_us)
    if since_us is not None and not events:
        return 0  # nothing of this stream in the window
    name = events[0]["source"]["name"] if events else stream_id.rpartition(".")[0]
    trusted = dict(keys)
    if source_keys is not None:
        trusted.update(load_public_keys(list(source_keys(name))))
    checkpoints = [
        cp
        for cp in store.checkpoints(stream_id=stream_id, source=source)
        if start is None or cp["seq"] >= start
    ]

    def chain(evs: list[dict[str, Any]]) -> VerifyReport:
        return verify(
            evs,
            checkpoints,
            trusted,
            complete=since_us is None,
            raise_on_break=False,
            now_us=vouching.now_us,
            checkpoint_interval_us=vouching.checkpoint_interval_us,
            grace_us=vouching.grace_us,
        )

    result = chain(events)
    if start is not None and any(f.cls == "deleted" for f in result.findings):
        # a gap may only be a late event older than the read-ahead: read the whole stream
        full, _ = _window(store, stream_id, source, since_us, full=True)
        events = [e for e in full if e["seq"] >= start]
        result = chain(events)
    # an event stored at another position is reordered; that its successor does not link to
    # it is the same break, not an edit of its own
    moved = {f.seq for f in result.findings if f.cls == "reordered"}
    findings = [f for f in result.findings if not (f.cls == "modified" and f.seq in moved)]
    summary = result.streams.get(stream_id) or StreamSummary(stream_id)
    stored_last = max((e["seq"] for e in events), default=-1)
    through: int | None = None
    if sets:
        check = DigestCheck(stream_id, events, findings, stored_last, start, digest_keys)
        for label, by_stream in sets:
            check.run(by_stream.get(stream_id, []), label)
        findings = check.merged()
        report.digests_checked += check.checked
        through = check.digested_through()
        if through is not None:
            report.digested_through[stream_id] = through
    cut = since_us is None and recorded_head is not None and recorded_head > stored_last
    if cut and not any(f.cls == "truncated" for f in findings):
        detail = (
            f"the store's chain head is at seq {recorded_head};"
            f" the stored events end at {stored_last}"
        )
        findings.append(Finding("truncated", stream_id, stored_last + 1, detail))
    report.streams[stream_id] = summary
    report.findings.extend(findings)
    return len(events)


def _recorded_heads(store: Store) -> dict[str, int]:
    """The seq the pipeline recorded as each stream's head (``chain_heads``)."""
    sql = f"SELECT stream_id, max(seq) FROM {store.database}.chain_heads GROUP BY stream_id"  # noqa: S608
    return {str(s): int(q) for s, q in _rows(store, sql)}


def _ingest_findings(
    store: Store, report: StoreVerifyReport, source: str | None, since_us: int | None
) -> None:
    """The breaks found at ingest (collector, pipeline), stored in ``integrity_findings``.

    They stay breaks: the events they name may never have reached ``events`` (quarantined).
    One already found here (same stream, seq and class) is not repeated.
    """
    where: list[str] = ["source != 'verify'"]
    params: dict[str, Any] = {}
    if source is not None:
        where.append("startsWith(stream_id, {prefix:String})")
        params["prefix"] = f"{source}."
    if since_us is not None:
        where.append("found_at >= fromUnixTimestamp64Micro(toInt64({since:UInt64}), 'UTC')")
        params["since"] = since_us
    sql = (
        "SELECT stream_id, seq, class, detail, source, event_id"  # noqa: S608 - see _rows
        f" FROM {store.database}.integrity_findings FINAL WHERE {' AND '.join(where)}"
        " ORDER BY stream_id, seq, class LIMIT 100000"
    )
    have = {(f.stream_id, f.seq, f.cls) for f in report.findings}
    for stream_id, seq, cls, detail, origin, event_id in _rows(store, sql, params):
        key = (str(stream_id), int(seq), str(cls))
        if key in have:
            continue
        have.add(key)
        report.streams.setdefault(key[0], StreamSummary(key[0]))
        detail = f"found at ingest ({origin}): {detail}"
        report.findings.append(Finding(key[2], key[0], key[1], detail, str(event_id) or None))


def _replays(
    store: Store, report: StoreVerifyReport, source: str | None, since_us: int | None
) -> None:
    """Events stored at more than one place (another stream, or another seq of the same
    stream: an old event re-chained): name the copies ``replayed``."""
    where, params = _where(source, since_us)
    sql = (
        f"SELECT event_id, groupArray((stream_id, seq)) FROM (SELECT DISTINCT event_id,"  # noqa: S608
        f" stream_id, seq FROM {store.database}.events FINAL WHERE {where})"
        " GROUP BY event_id HAVING count() > 1 ORDER BY event_id LIMIT 100000"
    )
    groups = {
        str(eid): [(str(s), int(q)) for s, q in places] for eid, places in _rows(store, sql, params)
    }
    if not groups:
        return
    at_fault = {(f.stream_id, f.seq) for f in report.findings if f.cls in _CHAIN_CLASSES}

    def vouched(p: tuple[str, int]) -> bool:
        s = report.streams.get(p[0])
        covers = (s.verified_through if s else None, report.digested_through.get(p[0]))
        return any(x is not None and p[1] <= x for x in covers)

    copies: dict[tuple[str, int], Finding] = {}
    for eid, places in groups.items():
        # the genuine one: the only place without a break, else the only one vouched for
        clean = [p for p in places if p not in at_fault]
        genuine = clean if len(clean) == 1 else [p for p in places if vouched(p)]
        keep = genuine[0] if len(genuine) == 1 else min(places)
        for at in places:
            if at != keep:
                others = ", ".join(f"{s}#{q}" for s, q in places if (s, q) != at)
                detail = f"a copy of event {eid}, also stored at {others}"
                copies[at] = Finding("replayed", at[0], at[1], detail, eid)
    kept = [
        f
        for f in report.findings
        if not (f.cls in _CHAIN_CLASSES and (f.stream_id, f.seq) in copies)
    ]
    report.findings[:] = kept + list(copies.values())
