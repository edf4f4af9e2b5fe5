"""``verify``: prove a stored log is intact, or name where and how it is not.

Each stream is checked on its own, in the order the events were given (the store's order):

1. every event's ``hash`` is recomputed from its canonical bytes;
2. the walk follows ``seq`` and ``prev_hash`` from the genesis;
3. signed checkpoints are checked against trusted public keys and against the stored chain.

A break is a :class:`Finding` with one class:

``modified``   an event's content no longer matches its hash, or it was edited *and* re-hashed
               (its successor no longer links to it, or a signed checkpoint disagrees)
``deleted``    seq numbers are missing (a gap, or the start of the stream)
``inserted``   an extra event claims a seq the genuine chain already has (the successor links
               to the other one)
``reordered``  an event stands out of seq order, or carries another position's seq
``truncated``  the stream ends before the seq a signed checkpoint covers (tail cut)
``forked``     two different events claim the same seq and nothing tells which is genuine
``replayed``   the same event is stored twice
``bad_checkpoint`` a checkpoint's signature does not verify (forged or edited)

Only checkpoints signed by a trusted key prove anything against someone who holds the store: a
stream's ``verified_through`` is the highest seq such a checkpoint vouches for. Without trusted
keys, signed checkpoints are counted but neither checked nor reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .checkpoint import load_public_keys, verify_checkpoint
from .errors import ContractError, IntegrityError, SignatureError
from .event import GENESIS_HASH, compute_hash

__all__ = ["BREAK_CLASSES", "Finding", "StreamSummary", "VerifyReport", "verify"]

BREAK_CLASSES = (
    "modified",
    "deleted",
    "inserted",
    "reordered",
    "truncated",
    "forked",
    "replayed",
    "bad_checkpoint",
)


@dataclass(frozen=True, slots=True)
class Finding:
    cls: str
    stream_id: str
    seq: int
    detail: str
    event_id: str | None = None

    def __str__(self) -> str:
        return f"{self.cls} at {self.stream_id}#{self.seq}: {self.detail}"


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


@dataclass(slots=True)
class VerifyReport:
    findings: list[Finding] = field(default_factory=list)
    streams: dict[str, StreamSummary] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def events(self) -> int:
        return sum(s.events for s in self.streams.values())


def _hash_of(event: Mapping[str, Any]) -> str | None:
    try:
        return compute_hash(event)
    except ContractError:
        return None


class _StreamCheck:
    """The walk over one stream's events; appends to ``findings``."""

    def __init__(self, stream_id: str, events: list[dict[str, Any]], complete: bool) -> None:
        self.stream_id = stream_id
        self.events = events
        self.complete = complete
        self.findings: list[Finding] = []
        self.by_hash = {e.get("hash"): e for e in events}
        self.by_seq: dict[int, list[int]] = {}
        for i, e in enumerate(events):
            self.by_seq.setdefault(e["seq"], []).append(i)

    def add(self, cls: str, seq: int, detail: str, event: Mapping[str, Any] | None = None) -> None:
        eid = event.get("event_id") if event is not None else None
        self.findings.append(Finding(cls, self.stream_id, seq, detail, eid))

    def _moved_from(self, e: dict[str, Any]) -> int | None:
        """If ``e`` hashes correctly under another seq, the seq it was moved from."""
        candidates = []
        pred = self.by_hash.get(e.get("prev_hash"))
        if pred is not None and pred is not e:
            candidates.append(pred["seq"] + 1)
        for i in self.by_seq.get(e["seq"] + 1, []) + self.by_seq.get(e["seq"] - 1, []):
            candidates.append(self.events[i]["seq"])
        for seq in candidates:
            if seq != e["seq"] and _hash_of({**e, "seq": seq}) == e["hash"]:
                return int(seq)
        return None

    def _genuine_of(self, seq: int) -> str | None:
        """The hash the successor of ``seq`` links to, if there is exactly one successor."""
        successors = {self.events[i]["prev_hash"] for i in self.by_seq.get(seq + 1, ())}
        return successors.pop() if len(successors) == 1 else None

    def run(self) -> None:
        prev: dict[str, Any] | None = None
        prev_flagged = False  # prev's content did not match its hash: already reported
        seen: dict[int, dict[str, Any]] = {}
        for e in self.events:
            s = e["seq"]
            flagged, prev_flagged = prev_flagged, False
            if _hash_of(e) != e.get("hash"):
                moved = self._moved_from(e)
                if moved is not None:
                    self.add("reordered", s, f"carries the content of seq {moved}", e)
                else:
                    self.add("modified", s, "content does not match its hash", e)
                seen.setdefault(s, e)
                prev, prev_flagged = e, True
                continue
            if s in seen:
                self._duplicate(seen[s], e)
                genuine = self._genuine_of(s)
                if genuine == e["hash"]:
                    seen[s] = e
                    if prev is not None and prev["seq"] == s:
                        prev = e
                continue
            seen[s] = e
            if prev is None:
                if s != 0 and 0 in self.by_seq:
                    self.add("reordered", 0, f"seq 0 is stored after seq {s}", e)
                elif s != 0 and self.complete:
                    self.add("deleted", 0, f"stream starts at seq {s}: seq 0..{s - 1} missing", e)
                elif s == 0 and e["prev_hash"] != GENESIS_HASH:
                    self.add("modified", 0, "first event does not start from the genesis hash", e)
                prev = e
                continue
            expected = prev["seq"] + 1
            if s < expected:
                self.add("reordered", s, f"stored after seq {prev['seq']}", e)
                continue
            if s > expected:
                later = [q for q in range(expected, s) if q in self.by_seq and q not in seen]
                if later:
                    self.add("reordered", later[0], f"seq {later[0]} is stored after seq {s}", e)
                else:
                    self.add("deleted", expected, f"seq {expected}..{s - 1} missing", e)
            elif (
                e["prev_hash"] != prev["hash"]
                and len(self.by_seq[prev["seq"]]) == 1
                and not flagged
            ):
                self.add(
                    "modified",
                    prev["seq"],
                    "edited and re-hashed: the next event does not link to it",
                    prev,
                )
            prev = e

    def _duplicate(self, first: dict[str, Any], second: dict[str, Any]) -> None:
        s = second["seq"]
        if first["hash"] == second["hash"]:
            self.add("replayed", s, "the same event is stored more than once", second)
            return
        genuine = self._genuine_of(s)
        if genuine == first["hash"]:
            self.add(
                "inserted", s, "an extra event claims this seq; the chain links the other", second
            )
        elif genuine == second["hash"]:
            self.add(
                "inserted", s, "an extra event claims this seq; the chain links the other", first
            )
        else:
            self.add("forked", s, "two different events claim this seq", second)

    def checkpoints(
        self, cps: list[dict[str, Any]], keys: Mapping[str, bytes], summary: StreamSummary
    ) -> None:
        head_by_seq = {e["seq"]: e for e in self.events if _hash_of(e) == e.get("hash")}
        last = max(self.by_seq) if self.by_seq else -1
        verified_prev = -1
        for cp in sorted(cps, key=lambda c: int(c["seq"])):
            summary.checkpoints += 1
            if cp.get("alg") != "ed25519":
                summary.unsigned_checkpoints += 1
                continue
            summary.signed_checkpoints += 1
            if not keys:  # nothing trusted to check against: it vouches for nothing
                continue
            try:
                verify_checkpoint(cp, keys)
            except SignatureError as exc:
                self.add("bad_checkpoint", int(cp["seq"]), str(exc))
                continue
            seq = int(cp["seq"])
            if seq > last:
                first_missing = last + 1
                self.add(
                    "truncated",
                    first_missing,
                    f"signed checkpoint covers seq {seq}; stream ends at {last}",
                )
                continue
            held = head_by_seq.get(seq)
            if held is None or held["hash"] != cp["hash"]:
                if not any(f.seq <= seq and f.seq > verified_prev for f in self.findings):
                    self.add(
                        "modified",
                        verified_prev + 1,
                        f"history in seq {verified_prev + 1}..{seq} was rewritten: "
                        "it does not match the signed checkpoint",
                    )
                continue
            if not any(f.seq <= seq for f in self.findings):
                summary.verified_through = seq
            verified_prev = seq


def verify(
    events: Iterable[Mapping[str, Any]],
    checkpoints: Iterable[Mapping[str, Any]] = (),
    public_keys: Mapping[str, bytes | str] | Iterable[bytes | str] = (),
    *,
    complete: bool = True,
    raise_on_break: bool = True,
) -> VerifyReport:
    """Check stored events (and checkpoints) for tampering.

    ``complete=False`` accepts streams that start after seq 0 (a time-window of a longer log).
    Returns the report when clean; with findings, raises IntegrityError carrying the report
    (or returns it when ``raise_on_break`` is false).
    """
    keys = load_public_keys(public_keys)
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
        check = _StreamCheck(stream_id, evs, complete)
        check.run()
        check.checkpoints(cps.get(stream_id, []), keys, summary)
        report.streams[stream_id] = summary
        report.findings.extend(sorted(check.findings, key=lambda f: f.seq))
    if report.findings and raise_on_break:
        raise IntegrityError(report)
    return report
