"""The processor's buffer: the records taken since the last commit, and what committing needs.

Per record taken, its segment (:class:`~.intake.Taken`) or its dead letter (:class:`DeadLetters`);
per partition the first offset not committed and the offset after the last record taken, so
that a flush commits exactly the records it stored. :meth:`Buffer.dedupe_token` names those
records: the same records always give the same token, so a retried insert is recognised by
ClickHouse. :meth:`Buffer.revoke` gives up a revoked partition's records and says where to rewind
it; :meth:`Buffer.recheck` validates in full the records taken on their collector MAC
(``intake.recheck``), after an insert of them failed.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Collection
from typing import Any

from .deadletters import DeadLetters
from .errors import PoisonRecord
from .intake import Taken, recheck
from .segments import RawRun
from .segments import rejected as rejected_finding

__all__ = ["Buffer"]


class Buffer:
    """Records taken and not committed yet; ``rows`` events, ``size`` bytes of values."""

    def __init__(self, dead: DeadLetters) -> None:
        self.taken: list[Taken] = []  # a trusted clean run stays a RawRun (parsed by the store)
        self.dead = dead
        self.first: dict[Any, int] = {}  # tp -> first uncommitted offset in the buffer
        self.next: dict[Any, int] = {}  # tp -> offset after the last record taken
        self.rows = 0
        self.size = 0
        self.opened_at: float | None = None  # monotonic time of the first record taken
        self.inserted = False  # the segments are stored; only dead letters and the commit left

    def offset(self, tp: Any, record: Any) -> None:
        """``record`` of partition ``tp`` is taken (as a segment or a dead letter)."""
        if self.opened_at is None:
            self.opened_at = time.monotonic()
        self.first.setdefault(tp, record.offset)
        self.next[tp] = record.offset + 1

    def add(self, taken: Taken) -> None:
        self.taken.append(taken)
        self.rows += taken.events

    def segments(self) -> list[Any]:
        return [t.segment for t in self.taken]

    def dedupe_token(self, group: str) -> str:
        """Names the buffer's records: the same records always give the same token."""
        h = hashlib.sha256(group.encode())
        for tp in sorted(self.first):
            h.update(f"|{tp.topic}:{tp.partition}:{self.first[tp]}-{self.next[tp]}".encode())
        for seg in self.segments():
            if isinstance(seg, RawRun):
                h.update(f"|{seg.stream_id}:{seg.first}-{seg.last}:{seg.head}".encode())
            elif seg.events:
                first, last = seg.events[0], seg.events[-1]
                h.update(f"|{seg.stream_id}:{first['seq']}-{last['seq']}:{last['hash']}".encode())
        return h.hexdigest()

    def recheck(self) -> int | None:
        """Validate in full every record taken on its MAC; each one that breaks the contract
        is dead-lettered with the reason and replaced by its ``rejected`` finding. Returns how
        many were, or None when every record was validated already."""
        if all(t.checked for t in self.taken):
            return None
        kept: list[Taken] = []
        rejected = 0
        for taken in self.taken:
            if not taken.checked:
                try:
                    taken = recheck(taken)
                except PoisonRecord as bad:
                    rejected += 1
                    self.dead.add(taken.tp, taken.record, bad.reason)
                    finding = rejected_finding(taken.segment, bad.reason)
                    taken = Taken(taken.tp, taken.record, finding, 0, checked=True)
            kept.append(taken)
        self.taken = kept
        self.rows = sum(t.events for t in kept)
        return rejected

    def revoke(self, gone: Collection[Any]) -> tuple[dict[Any, int], int]:
        """Give up the records of the partitions ``gone``: where to rewind each of them, and
        how many records were dropped."""
        rewind = {tp: offset for tp, offset in self.first.items() if tp in gone}
        if not rewind:
            return {}, 0
        before = len(self.taken)
        self.taken = [t for t in self.taken if t.tp not in gone]
        dropped = before - len(self.taken) + self.dead.drop(gone)
        for tp in rewind:
            del self.first[tp]
            self.next.pop(tp, None)
        self.rows = sum(t.events for t in self.taken)
        self.size = sum(t.size for t in self.taken) + self.dead.size
        if not self.first:
            self.clear()
        return rewind, dropped

    def clear(self) -> None:
        self.taken.clear()
        self.dead.clear()
        self.first.clear()
        self.rows = self.size = 0
        self.opened_at = None
        self.inserted = False
