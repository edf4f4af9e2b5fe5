"""The chain walker: the one classifier of chain breaks, for ingest and for ``verify``.

A :class:`ChainWalker` starts at a stream's head (``seq``, ``hash``; a new stream starts at the
genesis, seq -1) and walks the events it is fed, in the order given. Everything that does not
continue the chain becomes a :class:`Finding` of one of :data:`BREAK_CLASSES`; nothing raises.
The collector feeds it one batch with the stored head; ``verify`` feeds it a whole stored stream
from the genesis. Both get the same classes for the same break, because it is the same code.

``modified``   an event's content no longer matches its hash, or it was edited *and* re-hashed
               (its successor no longer links to it, or a signed checkpoint disagrees)
``deleted``    seq numbers are missing (a gap, or the start of the stream)
``inserted``   an extra event claims a seq the genuine chain already has (the successor links
               to the other one)
``reordered``  an event stands out of seq order, or carries another position's seq
``truncated``  the stream ends before the seq a checkpoint covers (tail cut)
``forked``     two different events claim the same seq and nothing tells which is genuine
               (within the fed events, or a fed event against the head / a ``known`` hash)
``replayed``   the same event is given twice
``bad_checkpoint`` a checkpoint's signature does not verify (forged or edited)

Cost is linear in the events fed, whatever their seq values (a gap of 2^53 costs nothing).
A walker keeps the hashes of the events it walked (to check checkpoints against them): the
collector makes one per batch; ``verify`` one per stream.

Incremental use (the collector, per batch, ``hashes`` from ``hash_events``)::

    walker = ChainWalker(stream_id, head.seq, head.hash, known=stored_hash_at)
    step = walker.feed(batch.events, batch.hashes)
    cps = walker.check_checkpoints(batch.checkpoints, keys, compare_unverified=True)
    if step.ok and cps.ok:
        new_head = step.head           # moved over the events that continue the chain
    else:
        quarantine(batch, step.findings + cps.findings)
    # step.duplicates: indexes of events already held (at/below the head, same hash)
    # step.unchecked: indexes at/below the head whose held hash nobody could tell the walker

Whole-stream use (``verify``)::

    walker = ChainWalker(stream_id)    # from the genesis
    walker.feed(stored_events)         # hashes recomputed here
    through = walker.check_checkpoints(stored_checkpoints, trusted_keys).verified_through
    breaks = walker.findings           # every finding so far, walk and checkpoints
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from .checkpoint import ALG_ED25519, verify_checkpoint
from .errors import ContractError, SignatureError
from .event import GENESIS_HASH, compute_hash

__all__ = [
    "BREAK_CLASSES",
    "ChainWalker",
    "CheckpointStep",
    "Finding",
    "Head",
    "Step",
]

BREAK_CLASSES: Final = (
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
    """One integrity break: its class, where (stream, seq) and why."""

    cls: str
    stream_id: str
    seq: int
    detail: str
    event_id: str | None = None

    def __str__(self) -> str:
        return f"{self.cls} at {self.stream_id}#{self.seq}: {self.detail}"

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "class": self.cls,
            "stream_id": self.stream_id,
            "seq": self.seq,
            "detail": self.detail,
        }
        if self.event_id is not None:
            doc["event_id"] = self.event_id
        return doc


@dataclass(frozen=True, slots=True)
class Head:
    """A stream's chain head: the last seq and its hash (seq -1 and the genesis hash: empty)."""

    seq: int
    hash: str


@dataclass(frozen=True, slots=True)
class Step:
    """What one :meth:`ChainWalker.feed` found."""

    findings: tuple[Finding, ...]
    #: the walker's head after the step: moved only when the fed events continue the chain
    head: Head
    #: indexes of fed events already held (at or below the starting head, same hash)
    duplicates: tuple[int, ...] = ()
    #: indexes of fed events at or below the starting head whose held hash was not known
    unchecked: tuple[int, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.findings


@dataclass(frozen=True, slots=True)
class CheckpointStep:
    """What one :meth:`ChainWalker.check_checkpoints` found."""

    findings: tuple[Finding, ...]
    signed: int
    unsigned: int
    #: the highest seq a trusted, matching checkpoint vouches for with no break up to it
    verified_through: int | None

    @property
    def ok(self) -> bool:
        return not self.findings


def _hash_of(event: Mapping[str, Any]) -> str | None:
    try:
        return compute_hash(event)
    except ContractError:
        return None


class ChainWalker:
    """Walks one stream's chain from a head; see the module docstring.

    ``complete=False`` (only from the genesis) accepts a stream that starts after seq 0: a
    time-window of a longer log. ``known(seq)`` tells the hash already held at a seq below the
    head (None: not known), so a fed event there is a duplicate or a fork, never taken on trust.
    """

    __slots__ = (
        "_first",
        "_head",
        "_held",
        "_known",
        "_last",
        "_start",
        "complete",
        "findings",
        "stream_id",
        "verified_through",
    )

    def __init__(
        self,
        stream_id: str,
        head_seq: int = -1,
        head_hash: str = GENESIS_HASH,
        *,
        complete: bool = True,
        known: Callable[[int], str | None] | None = None,
    ) -> None:
        self.stream_id = stream_id
        self._head = Head(head_seq, head_hash)
        self._start = head_seq
        self.complete = complete or head_seq >= 0
        self._known = known
        #: every finding so far (walks and checkpoints)
        self.findings: list[Finding] = []
        self.verified_through: int | None = None
        self._held: dict[int, list[str]] = {head_seq: [head_hash]} if head_seq >= 0 else {}
        #: the lowest seq whose hash this walker holds (the head's, or the first walked)
        self._first: int | None = max(head_seq, 0) if self.complete else None
        self._last = head_seq

    @property
    def head(self) -> Head:
        return self._head

    def feed(
        self,
        events: Sequence[Mapping[str, Any]],
        hashes: Sequence[str | None] | None = None,
    ) -> Step:
        """Walk ``events`` (validated: integer ``seq``, string ``hash``) on from the head.

        ``hashes`` are the events' recomputed hashes (None: recomputed here; an entry None: the
        event has no canonical form). After a feed with findings the head stays where it was,
        but the walked events are remembered for :meth:`check_checkpoints`: to go on from the
        head past a quarantined batch, start a new walker there.
        """
        hs = list(hashes) if hashes is not None else [_hash_of(e) for e in events]
        if len(hs) != len(events):
            raise ValueError("feed: one recomputed hash per event")
        findings: list[Finding] = []
        duplicates: list[int] = []
        unchecked: list[int] = []
        start = 0
        head = self._head
        while head.seq >= 0 and start < len(events) and events[start]["seq"] <= head.seq:
            self._behind(start, events[start], hs[start], findings, duplicates, unchecked)
            start += 1
        walked = [dict(e) for e in events[start:]]
        if walked:
            walk = _Walk(self.stream_id, walked, hs[start:], head, self.complete)
            walk.run()
            findings.extend(walk.findings)
            for e, h in zip(walked, hs[start:], strict=True):
                if h is not None and h == e["hash"]:
                    self._held.setdefault(e["seq"], []).append(h)
            seqs = [e["seq"] for e in walked]
            self._last = max(self._last, *seqs)
            if self._first is None:
                self._first = min(seqs)
            if not findings:
                last = walked[-1]
                self._head = Head(last["seq"], last["hash"])
        self.findings.extend(findings)
        return Step(tuple(findings), self._head, tuple(duplicates), tuple(unchecked))

    def _behind(
        self,
        index: int,
        e: Mapping[str, Any],
        recomputed: str | None,
        findings: list[Finding],
        duplicates: list[int],
        unchecked: list[int],
    ) -> None:
        """An event at or below the head: a duplicate, a fork, or (hash unknown) unchecked."""
        seq = e["seq"]
        eid = e.get("event_id")
        if recomputed != e["hash"]:
            findings.append(
                Finding("modified", self.stream_id, seq, "content does not match its hash", eid)
            )
            return
        held = self._held.get(seq)
        if held is None and self._known is not None:
            found = self._known(seq)
            held = [found] if found is not None else None
        if held is None:
            unchecked.append(index)
        elif e["hash"] in held:
            duplicates.append(index)
        else:
            detail = f"another event is already held at seq {seq} (hash {held[0][:16]}…)"
            findings.append(Finding("forked", self.stream_id, seq, detail, eid))

    def check_checkpoints(
        self,
        checkpoints: Iterable[Mapping[str, Any]],
        public_keys: Mapping[str, bytes],
        *,
        compare_unverified: bool = False,
    ) -> CheckpointStep:
        """Check checkpoints of this stream against the trusted keys and the walked chain.

        A signed checkpoint is checked when ``public_keys`` ({key_id: raw}) are given; a bad
        signature is ``bad_checkpoint``. A checked checkpoint beyond the last walked seq is
        ``truncated``; one whose hash is not the walked event's at its seq means history was
        rewritten (``modified``). Unchecked checkpoints (alg ``none``, or no keys) prove
        nothing and are only counted, unless ``compare_unverified`` (the collector: the emitter
        contradicting itself is worth a finding even unsigned).
        """
        found: list[Finding] = []
        signed = unsigned = 0
        first = self._first if self._first is not None else 0
        verified_prev = self._start if self._start >= 0 else first - 1  # the head is held

        def add(cls: str, seq: int, detail: str) -> None:
            finding = Finding(cls, self.stream_id, seq, detail)
            found.append(finding)
            self.findings.append(finding)

        for cp in sorted(checkpoints, key=lambda c: int(c["seq"])):
            seq = int(cp["seq"])
            verified = False
            if cp.get("alg") != ALG_ED25519:
                unsigned += 1
            else:
                signed += 1
                if public_keys:
                    try:
                        verify_checkpoint(cp, public_keys)
                    except SignatureError as exc:
                        add("bad_checkpoint", seq, str(exc))
                        continue
                    verified = True
            if not (verified or compare_unverified):
                continue
            what = "signed checkpoint" if verified else "checkpoint"
            if seq > self._last:
                add(
                    "truncated",
                    self._last + 1,
                    f"{what} covers seq {seq}; stream ends at {self._last}",
                )
                continue
            if seq < first:
                continue  # before what this walker saw: nothing to compare with
            if cp["hash"] not in self._held.get(seq, ()):
                if not any(verified_prev < f.seq <= seq for f in self.findings):
                    lo = min(verified_prev + 1, seq)
                    add(
                        "modified",
                        lo,
                        f"history in seq {lo}..{seq} was rewritten: it does not match the {what}",
                    )
                continue
            if verified:
                if not any(f.seq <= seq for f in self.findings):
                    self.verified_through = seq
                verified_prev = seq
        return CheckpointStep(tuple(found), signed, unsigned, self.verified_through)


class _Walk:
    """One feed's walk: lookups over the fed events (successors, moved content), findings."""

    def __init__(
        self,
        stream_id: str,
        events: list[dict[str, Any]],
        hashes: list[str | None],
        head: Head,
        complete: bool,
    ) -> None:
        self.stream_id = stream_id
        self.events = events
        self.hashes = hashes
        self.head = head
        self.complete = complete
        self.findings: list[Finding] = []
        self.by_hash = {e.get("hash"): e for e in events}
        self.by_seq: dict[int, list[int]] = {}
        for i, e in enumerate(events):
            self.by_seq.setdefault(e["seq"], []).append(i)
        self.seqs = sorted(self.by_seq)

    def add(self, cls: str, seq: int, detail: str, event: Mapping[str, Any] | None = None) -> None:
        eid = event.get("event_id") if event is not None else None
        self.findings.append(Finding(cls, self.stream_id, seq, detail, eid))

    def _moved_from(self, e: dict[str, Any]) -> int | None:
        """If ``e`` hashes correctly under another seq, the seq it was moved from."""
        candidates = []
        pred = self.by_hash.get(e.get("prev_hash"))
        if pred is not None and pred is not e:
            candidates.append(pred["seq"] + 1)
        elif e.get("prev_hash") == self.head.hash:
            candidates.append(self.head.seq + 1)
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

    def _unseen_between(self, lo: int, hi: int, seen: Mapping[int, Any]) -> int | None:
        """The lowest fed seq in ``lo..hi-1`` not walked yet (linear in fed seqs, not in hi-lo)."""
        for q in self.seqs[bisect_left(self.seqs, lo) : bisect_left(self.seqs, hi)]:
            if q not in seen:
                return q
        return None

    def _first(self, e: dict[str, Any]) -> None:
        """The first walked event, against the head."""
        s, head = e["seq"], self.head
        expected = head.seq + 1
        if s != expected and expected in self.by_seq:
            self.add("reordered", expected, f"seq {expected} is stored after seq {s}", e)
        elif s > expected and self.complete:
            if head.seq < 0:
                self.add("deleted", 0, f"stream starts at seq {s}: seq 0..{s - 1} missing", e)
            else:
                detail = f"seq {expected}..{s - 1} missing after the head (seq {head.seq})"
                self.add("deleted", expected, detail, e)
        elif s == expected and e["prev_hash"] != head.hash:
            if head.seq < 0:
                self.add("modified", s, "first event does not start from the genesis hash", e)
            else:
                detail = f"prev_hash is not the hash of seq {head.seq}, the stream's head"
                self.add("modified", s, detail, e)

    def run(self) -> None:
        prev: dict[str, Any] | None = None
        prev_flagged = False  # prev's content did not match its hash: already reported
        seen: dict[int, dict[str, Any]] = {}
        for e, recomputed in zip(self.events, self.hashes, strict=True):
            s = e["seq"]
            flagged, prev_flagged = prev_flagged, False
            if recomputed != e.get("hash"):
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
                if self._genuine_of(s) == e["hash"]:
                    seen[s] = e
                    if prev is not None and prev["seq"] == s:
                        prev = e
                continue
            seen[s] = e
            if prev is None:
                self._first(e)
                prev = e
                continue
            expected = prev["seq"] + 1
            if s < expected:
                self.add("reordered", s, f"stored after seq {prev['seq']}", e)
                continue
            if s > expected:
                later = self._unseen_between(expected, s, seen)
                if later is not None:
                    self.add("reordered", later, f"seq {later} is stored after seq {s}", e)
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
        detail = "an extra event claims this seq; the chain links the other"
        if genuine == first["hash"]:
            self.add("inserted", s, detail, second)
        elif genuine == second["hash"]:
            self.add("inserted", s, detail, first)
        else:
            self.add("forked", s, "two different events claim this seq", second)
