"""``verify_store``: prove the stored log is intact, or name every break (stream, seq, class).

Stream by stream (one stream's events in memory at a time), it

1. runs the contract's ``verify`` over the events rebuilt from the store's columns, with the
   stream's stored checkpoints and the trusted emitter keys (hash, chain walk, checkpoints);
2. checks the hourly digests, when given (files kept outside the store and/or the store's own):
   signatures against the pipeline's trusted key, the digest chain (a missing digest is
   ``deleted``), and each digest's Merkle root recomputed over the stored events of its seq
   range (``DigestCheck``);
3. across streams, finds events stored in more than one stream (same ``event_id``): the copy
   that does not belong is ``replayed``.

Findings are returned in a :class:`StoreVerifyReport` and written to ``integrity_findings``
(source ``verify``).
"""

from __future__ import annotations

import itertools
import logging
import math
import os
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from tooltrail.contract import (
    GENESIS_DIGEST_HASH,
    ContractError,
    Finding,
    SignatureError,
    StreamSummary,
    VerifyReport,
    compute_hash,
    digest_hash,
    load_public_keys,
    merkle_root_hex,
    verify,
    verify_checkpoint,
)

from ..store import Store
from .digests import (
    HOUR_US,
    DigestSets,
    _rows,
    digest_order,
    digest_problem,
    digest_sets,
    hour_name,
)

__all__ = ["DigestCheck", "Progress", "StoreVerifyReport", "count_events", "verify_store"]

log = logging.getLogger(__name__)

#: with ``since_us``, events up to this much older are read too: late events of the window
_LATE_US: Final = HOUR_US
_CHAIN_CLASSES: Final = frozenset({"modified", "inserted", "forked"})
#: at most this many ways to pick one event per seq where two claim one seq
_MAX_CHOICES: Final = 16

Progress = Callable[[str, int], None]
"""Called after each stream with its id and the number of events verified."""

Keys = Mapping[str, bytes | str] | Iterable[bytes | str]


@dataclass(slots=True)
class StoreVerifyReport(VerifyReport):
    """The contract's report, plus what the digests vouch for."""

    digests_checked: int = 0
    #: per stream, the highest seq a valid digest covers with nothing broken up to it
    digested_through: dict[str, int] = field(default_factory=dict)


def _where(source: str | None, since_us: int | None) -> tuple[str, dict[str, Any]]:
    where: list[str] = ["1"]
    params: dict[str, Any] = {}
    if source is not None:
        where.append("source_name = {source:String}")
        params["source"] = source
    if since_us is not None:
        where.append("ts >= {since:UInt64}")
        params["since"] = since_us
    return " AND ".join(where), params


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
) -> StoreVerifyReport:
    """Verify the stored events (of ``source``, from ``since_us`` on) and return every break.

    ``public_keys`` are the trusted emitter keys for every stream; ``source_keys(name)`` adds the
    keys trusted for one source (e.g. the collector key file's signers). Digests are checked
    when ``digests_dir`` (files kept outside the store) and/or ``store_digests`` are given;
    their signatures need ``digest_public_keys`` (the pipeline's key). With ``record``, the
    findings are written to ``integrity_findings`` (source ``verify``).
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
        )
        if progress is not None:
            progress(stream_id, n)
    _replays(store, report, source, since_us)
    report.findings.sort(key=lambda f: (f.stream_id, f.seq, f.cls))
    if record and report.findings:
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
                for f in report.findings
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
        complete = since_us is None
        return verify(evs, checkpoints, trusted, complete=complete, raise_on_break=False)

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
    report.streams[stream_id] = summary
    report.findings.extend(findings)
    return len(events)


class DigestCheck:
    """One stream's digests against its stored events (sorted by seq): collects findings.

    ``chain`` are the contract's findings for the stream: a digest whose root differs is
    reported on its own only when they explain nothing in its range; where two events claim
    one seq, the digest decides which is genuine.
    """

    def __init__(
        self,
        stream_id: str,
        events: list[dict[str, Any]],
        chain: list[Finding],
        stored_last: int,
        window_start: int | None,
        keys: Mapping[str, bytes],
    ) -> None:
        self.stream_id = stream_id
        self.events = events
        self.seqs = [e["seq"] for e in events]
        self.chain = chain
        self.stored_last = stored_last
        self.window_start = window_start
        self.keys = keys
        self.findings: list[Finding] = []
        self.weak: list[tuple[Finding, int, int]] = []  # root mismatches, with their range
        self.decided: set[int] = set()  # seqs where the digest told the genuine event
        self.matched: list[int] = []  # last_seq of each digest whose root matched
        self._roots: dict[tuple[int, int], str] = {}  # (first, last) -> root, for two sets
        self.checked = 0

    def _add(self, cls: str, seq: int, detail: str, event_id: str | None = None) -> None:
        self.findings.append(Finding(cls, self.stream_id, seq, detail, event_id))

    def run(self, digests: Iterable[dict[str, Any]], label: str) -> None:
        prev: dict[str, Any] | None = None
        prev_ok = False
        for d in sorted(digests, key=digest_order):
            problem = digest_problem(d)
            if problem is not None:
                seq = d.get("first_seq")
                self._add("bad_checkpoint", seq if type(seq) is int else 0, f"{label}: {problem}")
                continue
            first, last = d["first_seq"], d["last_seq"]
            what = f"the digest of hour {hour_name(d['hour'])} (seq {first}..{last})"
            if prev is not None and digest_hash(prev) == digest_hash(d):
                continue  # the same digest twice
            ok = True
            try:
                verify_checkpoint(d, self.keys)
            except SignatureError as exc:
                ok = False
                reason = str(exc).replace("checkpoint ", "")
                self._add("bad_checkpoint", d["first_seq"], f"{label}: {what}: {reason}")
            if ok:
                self._link(prev, prev_ok, d, label, what)
            if ok and (self.window_start is None or d["first_seq"] >= self.window_start):
                self.checked += 1
                self._root(d, label, what)
            prev, prev_ok = d, ok

    def _link(
        self, prev: dict[str, Any] | None, prev_ok: bool, d: dict[str, Any], label: str, what: str
    ) -> None:
        first = d["first_seq"]
        if prev is None:
            if d["prev_digest_hash"] != GENESIS_DIGEST_HASH:
                detail = f"{label}: no digest covers seq before {first}: {what} is not the first"
                self._add("deleted", 0, detail)
            return
        if not prev_ok:
            return  # a digest with a bad signature is reported already; it links nothing
        last = prev["last_seq"]
        if first <= last:
            self._add("forked", first, f"{label}: two digests cover seq {first}..{last}")
        elif first > last + 1:
            detail = f"{label}: no digest covers seq {last + 1}..{first - 1}: a digest is missing"
            self._add("deleted", last + 1, detail)
        elif d["prev_digest_hash"] != digest_hash(prev):
            detail = f"{label}: {what} does not link to the digest before it (another was signed)"
            self._add("modified", prev["first_seq"], detail)

    def _root(self, d: dict[str, Any], label: str, what: str) -> None:
        first, last = d["first_seq"], d["last_seq"]
        lo, hi = bisect_left(self.seqs, first), bisect_right(self.seqs, last)
        if hi - lo == last - first + 1 and self.seqs[lo] == first and self.seqs[hi - 1] == last:
            # one event per seq (the usual case): no choice to make
            root = self._roots.get((first, last))
            if root is None:
                root = merkle_root_hex(e["hash"] for e in self.events[lo:hi])
                self._roots[first, last] = root
            if root == d["merkle_root"]:
                self.matched.append(last)
                return
        groups: dict[int, list[dict[str, Any]]] = {}
        for e in self.events[lo:hi]:
            same = groups.setdefault(e["seq"], [])
            if all(x["hash"] != e["hash"] for x in same):
                same.append(e)
        gaps = [q for q in range(first, min(last, self.stored_last) + 1) if q not in groups]
        for _, run in itertools.groupby(enumerate(gaps), key=lambda p: p[1] - p[0]):
            seqs = [q for _, q in run]
            detail = f"{label}: seq {seqs[0]}..{seqs[-1]} are missing; {what} covers them"
            self._add("deleted", seqs[0], detail)
        if last > self.stored_last:
            end = self.stored_last
            detail = f"{label}: {what} covers seq up to {last}; the stream ends at {end}"
            self._add("truncated", end + 1, detail)
        if gaps or last > self.stored_last:
            return
        rows = [self._plausible_first(groups, q) for q in range(first, last + 1)]
        ways = math.prod(len(r) for r in rows)
        picks = itertools.product(*rows) if ways <= _MAX_CHOICES else iter([[r[0] for r in rows]])
        for pick in picks:
            if merkle_root_hex(e["hash"] for e in pick) == d["merkle_root"]:
                self.matched.append(last)
                for genuine, claims in zip(pick, rows, strict=True):
                    for e in claims:
                        if e is not genuine:
                            self.decided.add(e["seq"])
                            detail = f"{label}: not the event {what} covers"
                            self._add("inserted", e["seq"], detail, e.get("event_id"))
                return
        detail = (
            f"{label}: the stored events differ from {what} (Merkle root): the range was rewritten"
        )
        self.weak.append((Finding("modified", self.stream_id, first, detail), first, last))

    def _at(self, q: int) -> list[dict[str, Any]]:
        return self.events[bisect_left(self.seqs, q) : bisect_right(self.seqs, q)]

    def _plausible_first(
        self, groups: dict[int, list[dict[str, Any]]], q: int
    ) -> list[dict[str, Any]]:
        """The events claiming seq ``q``; first those that hash right and link both ways."""
        claims = groups[q]
        if len(claims) == 1:
            return claims
        before = {e["hash"] for e in self._at(q - 1)}
        after = {e["prev_hash"] for e in self._at(q + 1)}

        def doubt(e: dict[str, Any]) -> int:
            linked = (not before or e["prev_hash"] in before) + (not after or e["hash"] in after)
            try:
                intact = compute_hash(e) == e["hash"]
            except ContractError:
                intact = False
            return (not intact) * 2 + 2 - linked

        return sorted(claims, key=doubt)

    def merged(self) -> list[Finding]:
        """The chain's findings and the digests', without repeats (class and seq)."""
        chain = [
            c for c in self.chain if not (c.seq in self.decided and c.cls in ("forked", "inserted"))
        ]
        found = chain + self.findings
        found += [w for w, a, b in self.weak if not any(a <= c.seq <= b for c in found)]
        out: dict[tuple[str, int], Finding] = {}
        for f in found:
            out.setdefault((f.cls, f.seq), f)
        return list(out.values())

    def digested_through(self) -> int | None:
        first_break = min((f.seq for f in self.merged()), default=None)
        ok = [q for q in self.matched if first_break is None or q < first_break]
        return max(ok, default=None)


def _replays(
    store: Store, report: StoreVerifyReport, source: str | None, since_us: int | None
) -> None:
    """Events stored in more than one stream: name the copies ``replayed``."""
    where, params = _where(source, since_us)
    sql = (
        f"SELECT event_id, groupArray((stream_id, seq)) FROM (SELECT DISTINCT event_id,"  # noqa: S608
        f" stream_id, seq FROM {store.database}.events FINAL WHERE {where})"
        " GROUP BY event_id HAVING uniqExact(stream_id) > 1 ORDER BY event_id LIMIT 100000"
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
