"""``verify``: prove a stored log is intact and vouched for, or name where and how it is not.

Each stream is checked on its own, in the order the events were given (the store's order), by
the contract's one :class:`~tooltrail.contract.walk.ChainWalker` (the collector's ingest check
walks with the same code):

1. every event's ``hash`` is recomputed from its canonical bytes;
2. the walk follows ``seq`` and ``prev_hash`` from the genesis;
3. signed checkpoints are checked against trusted public keys and against the stored chain.

A break is a :class:`Finding` of one of :data:`BREAK_CLASSES` (see ``walk``). Cost is linear in
the events given, whatever their seq values.

Only checkpoints signed by a trusted key prove anything against someone who holds the store (or
a writer's key): a stream's ``verified_through`` is the highest seq such a checkpoint vouches
for. Without trusted keys, signed checkpoints are counted but neither checked nor reported.

**Vouched.** An intact stream may still end in events no trusted checkpoint covers: a forged
tail appended by a key holder, a replay re-chained at the end, a cut or re-hashed tail whose
checkpoints were deleted all look like that. The emitter signs its head every
``checkpoint_interval`` (10 s by default), so a tail event older than the interval plus a
``grace`` (60 s) -- or stamped in the future beyond the grace -- should be covered by now: the
stream is *unvouched* (``StreamSummary.unvouched`` says why). A younger tail is pending, not
unvouched. ``VerifyReport.ok`` means no break; ``vouched`` means no break and nothing unvouched.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from .checkpoint import load_public_keys
from .errors import IntegrityError
from .walk import BREAK_CLASSES, ChainWalker, Finding

__all__ = [
    "BREAK_CLASSES",
    "DEFAULT_CHECKPOINT_INTERVAL_US",
    "DEFAULT_GRACE_US",
    "Finding",
    "StreamSummary",
    "VerifyReport",
    "unvouched_reason",
    "verify",
]

#: the emitter's default ``checkpoint_interval`` (10 s), in µs
DEFAULT_CHECKPOINT_INTERVAL_US: Final = 10_000_000
#: how late a checkpoint may still arrive after its interval (shipping, retries), in µs
DEFAULT_GRACE_US: Final = 60_000_000


@dataclass(slots=True)
class StreamSummary:
    stream_id: str
    events: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    checkpoints: int = 0
    signed_checkpoints: int = 0
    unsigned_checkpoints: int = 0
    verified_through: int | None = None
    #: why the stream's tail is not vouched for by a trusted checkpoint (None: it is, or pending)
    unvouched: str | None = None


@dataclass(slots=True)
class VerifyReport:
    findings: list[Finding] = field(default_factory=list)
    streams: dict[str, StreamSummary] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """No break found (the stream may still be unvouched)."""
        return not self.findings

    @property
    def unvouched(self) -> dict[str, str]:
        """The intact streams whose tail no trusted checkpoint covers, with the reason (a broken
        stream is reported by its findings)."""
        broken = {f.stream_id for f in self.findings}
        return {
            s.stream_id: s.unvouched
            for s in self.streams.values()
            if s.unvouched and s.stream_id not in broken
        }

    @property
    def vouched(self) -> bool:
        """No break, and every stream is covered by trusted checkpoints (or pending)."""
        return self.ok and not self.unvouched

    @property
    def events(self) -> int:
        return sum(s.events for s in self.streams.values())


def _span(us: int) -> str:
    s = us // 1_000_000
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60)):
        if s >= 2 * size:
            return f"{s // size} {unit}"
    return f"{s} s"


def unvouched_reason(
    summary: StreamSummary,
    tail_ts: Iterable[int],
    *,
    trusted: bool,
    now_us: int,
    checkpoint_interval_us: int = DEFAULT_CHECKPOINT_INTERVAL_US,
    grace_us: int = DEFAULT_GRACE_US,
) -> str | None:
    """Why the events after ``summary.verified_through`` (their ``ts``: ``tail_ts``) are not
    vouched for, or None when there are none or they are young enough to await a checkpoint."""
    times = list(tail_ts)
    if not times:
        return None
    oldest, newest = min(times), max(times)
    due = now_us - checkpoint_interval_us - grace_us
    if oldest >= due and newest <= now_us + grace_us:
        return None  # pending: the emitter's next checkpoint is not due yet
    age = (
        f"the oldest is {_span(now_us - oldest)} old"
        if oldest < due
        else f"one is stamped {_span(newest - now_us)} in the future"
    )
    n = len(times)
    after = (
        f"after seq {summary.verified_through}"
        if summary.verified_through is not None
        else "in the stream"
    )
    if summary.signed_checkpoints == 0:
        why = "it has no signed checkpoint" + (
            f" (only {summary.unsigned_checkpoints} unsigned)"
            if summary.unsigned_checkpoints
            else ""
        )
    elif not trusted:
        why = "no trusted emitter key was given to check its checkpoints"
    elif summary.verified_through is None:
        why = "no signed checkpoint matches the stored chain"
    else:
        why = "no trusted checkpoint covers them"
    return f"{n} event(s) {after} are not vouched for: {why}; {age}"


def verify(
    events: Iterable[Mapping[str, Any]],
    checkpoints: Iterable[Mapping[str, Any]] = (),
    public_keys: Mapping[str, bytes | str] | Iterable[bytes | str] = (),
    *,
    complete: bool = True,
    raise_on_break: bool = True,
    now_us: int | None = None,
    checkpoint_interval_us: int = DEFAULT_CHECKPOINT_INTERVAL_US,
    grace_us: int = DEFAULT_GRACE_US,
) -> VerifyReport:
    """Check stored events (and checkpoints) for tampering, and whether they are vouched for.

    ``complete=False`` accepts streams that start after seq 0 (a time-window of a longer log).
    ``now_us`` (default: the clock) dates the unvouched check. Returns the report when clean
    (even if unvouched: see ``VerifyReport.vouched``); with findings, raises IntegrityError
    carrying the report (or returns it when ``raise_on_break`` is false).
    """
    keys = load_public_keys(public_keys)
    now = int(time.time() * 1_000_000) if now_us is None else now_us
    streams: dict[str, list[dict[str, Any]]] = {}
    malformed: list[Finding] = []
    for e in events:
        sid = str(e.get("stream_id"))
        if type(e.get("seq")) is not int or type(e.get("hash")) is not str:
            detail = "event has no integer seq or no hash"
            malformed.append(Finding("modified", sid, -1, detail, e.get("event_id")))
            continue
        streams.setdefault(sid, []).append(dict(e))
    cps: dict[str, list[dict[str, Any]]] = {}
    for cp in checkpoints:
        cps.setdefault(str(cp.get("stream_id")), []).append(dict(cp))
    report = VerifyReport(findings=malformed)
    for stream_id in sorted(set(streams) | set(cps)):
        evs = streams.get(stream_id, [])
        summary = StreamSummary(stream_id, events=len(evs))
        if evs:
            seqs = [e["seq"] for e in evs]
            summary.first_seq, summary.last_seq = min(seqs), max(seqs)
        walker = ChainWalker(stream_id, complete=complete)
        walker.feed(evs)
        stream_cps = cps.get(stream_id, [])
        step = walker.check_checkpoints(stream_cps, keys)
        summary.checkpoints = len(stream_cps)
        summary.signed_checkpoints, summary.unsigned_checkpoints = step.signed, step.unsigned
        summary.verified_through = step.verified_through
        through = -1 if step.verified_through is None else step.verified_through
        summary.unvouched = unvouched_reason(
            summary,
            (e["ts"] for e in evs if e["seq"] > through and type(e.get("ts")) is int),
            trusted=bool(keys),
            now_us=now,
            checkpoint_interval_us=checkpoint_interval_us,
            grace_us=grace_us,
        )
        report.streams[stream_id] = summary
        report.findings.extend(sorted(walker.findings, key=lambda f: f.seq))
    if report.findings and raise_on_break:
        raise IntegrityError(report)
    return report
