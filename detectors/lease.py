"""One active detectors instance per store: a lease kept in the store itself.

Guarantee: of several ``tooltrail detectors run`` instances pointed at one store, one scores and
sends alerts; the others stand by and take over within ``ttl_seconds`` of the active one stopping
(at once when it stops cleanly and releases the lease), continuing from the cursor it recorded.

The protocol needs nothing but inserts and reads (ClickHouse has no row locks), in the
``leases`` table (ReplacingMergeTree on ``(name, term, holder)``, so a holder's renewals replace
each other):

1. Read the newest *term* of the lease. Its holder is the lowest holder id among that term's bids
   (every instance computes the same winner from the same rows); it is held while its
   ``expires`` lies in the future.
2. Held by us: renew (``expires = now + ttl``, with our cursor). Held by another: stand by.
3. Free (no lease yet, or expired): bid for ``term + 1``, wait ``settle_seconds`` so that every
   bid of that term made at about the same time is visible, read again: the lowest bidder won.

Failure behaviour: two instances can both believe they lead only if one's read-to-insert gap
exceeds ``settle_seconds`` or the hosts' clocks differ by more than ``ttl_seconds`` (keep hosts
on NTP); even then each alert is stored once (the alert store deduplicates on its key) and at
worst a notification is sent twice. A store error while renewing counts as not holding: the
instance stops scoring until it can prove the lease again.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tooltrail.pipeline.store import Store

__all__ = ["LeaseState", "StoreLease", "new_holder_id"]

log = logging.getLogger(__name__)


def new_holder_id() -> str:
    """``host-pid-random``: unique per process, readable in the table."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(4)}"


@dataclass(frozen=True, slots=True)
class LeaseState:
    term: int
    holder: str
    expires_us: int


class StoreLease:
    """The lease ``name`` in ``store``; :meth:`hold` is called once per poll."""

    def __init__(
        self,
        store: Store,
        name: str = "detectors",
        *,
        holder: str | None = None,
        ttl_seconds: float = 30.0,
        settle_seconds: float = 2.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if settle_seconds >= ttl_seconds:
            raise ValueError("settle_seconds must be shorter than ttl_seconds")
        self.store = store
        self.name = name
        self.holder = holder or new_holder_id()
        self.ttl_us = int(ttl_seconds * 1e6)
        self.settle_seconds = settle_seconds
        self._clock = clock
        self._sleep = sleep
        self._table = f"{store.database}.leases"
        self._held_until_us = 0  # our own lease's expiry as we last wrote it (0: not held)
        self._renew_every_us = self.ttl_us // 3

    def _now_us(self) -> int:
        return int(self._clock() * 1e6)

    def current(self) -> LeaseState | None:
        """The newest term and its holder (the lowest bidder), or None before any bid."""
        frame = self.store.query_df(
            "SELECT term, holder, toUnixTimestamp64Micro(max(expires)) AS expires"  # noqa: S608
            f" FROM {self._table} FINAL WHERE name = {{n:String}}"
            f" AND term = (SELECT max(term) FROM {self._table} WHERE name = {{n:String}})"
            " GROUP BY term, holder ORDER BY holder LIMIT 1",
            {"n": self.name},
        )
        if frame.empty:
            return None
        row = frame.iloc[0]
        return LeaseState(int(row["term"]), str(row["holder"]), int(row["expires"]))

    def _write(self, term: int, expires_us: int, cursor: int | None) -> None:
        self.store.command(
            f"INSERT INTO {self._table} (name, term, holder, expires, cursor)"  # noqa: S608
            " VALUES ({n:String}, {t:UInt64}, {h:String},"
            " fromUnixTimestamp64Micro({e:Int64}, 'UTC'), {c:Int64})",
            {"n": self.name, "t": term, "h": self.holder, "e": expires_us, "c": _cursor(cursor)},
        )

    def hold(self, cursor: int | None = None) -> bool:
        """Renew the lease if we hold it, bid for it if it is free; True while we hold it.
        ``cursor`` (the scoring position) is recorded for whoever takes over next."""
        now = self._now_us()
        if now < self._held_until_us - 2 * self._renew_every_us:
            return True  # renewed less than a third of the ttl ago: nobody can have taken it
        self._held_until_us = 0
        state = self.current()
        now = self._now_us()
        if state is not None and state.expires_us > now:
            if state.holder != self.holder:
                return False
            self._write(state.term, now + self.ttl_us, cursor)
            self._held_until_us = now + self.ttl_us
            return True
        term = (state.term if state is not None else 0) + 1
        self._write(term, now + self.ttl_us, cursor)
        self._sleep(self.settle_seconds)
        won = self.current()
        if won is None or won.term != term or won.holder != self.holder:
            return False
        self._held_until_us = now + self.ttl_us
        return True

    def release(self, cursor: int | None = None) -> None:
        """Give the lease up now (a clean stop): a standby takes over at its next poll."""
        self._held_until_us = 0
        state = self.current()
        if state is not None and state.holder == self.holder:
            self._write(state.term, self._now_us(), cursor)

    def handed_cursor(self) -> int | None:
        """The furthest scoring position any holder recorded (None: nobody scored yet)."""
        value = self.store.command(
            f"SELECT max(cursor) FROM {self._table} FINAL WHERE name = {{n:String}}",  # noqa: S608
            {"n": self.name},
        )
        text = str(value).strip()
        if not text or text in ("\\N", "NULL"):
            return None
        cursor = int(text)
        return cursor if cursor >= 0 else None


def _cursor(cursor: int | None) -> int:
    return -1 if cursor is None else int(cursor)
