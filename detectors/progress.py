"""Where the streams are: live detection's incremental read of newly stored events.

Every :meth:`StreamProgress.poll` reads, per stream, only what the store took since the previous
look (the ``events`` table's ``ingest_time``, compared with values the store itself wrote, never
with this process's clock): the stream's newest event time and the event-time span of the new
events. From that the live loop knows

- ``newest``: the newest event time stored;
- ``low(mono)``: the smallest newest-time over the **active** streams — those that delivered
  within ``idle_seconds`` of wall time and whose newest event is within ``lateness_us`` of
  ``newest``. Each stream ships its events in order, so every active stream has passed ``low``:
  a window ending there is complete except for stragglers. A stream that went quiet stops
  holding it back (in a real-time system its next event is *now*; in a replay, a slow stream's
  events arrive as stragglers);
- :class:`Arrivals`: the event-time span of the new events, and of those older than a given
  time (``below``: the windows already scored) — the stragglers, which are scored again.

Failure behaviour: a store error propagates (the live loop retries on its next poll) and
nothing is updated, so the next successful poll reads everything since the last one. Rows
whose insert committed after a later insert's ``ingest_time`` was read are not re-read: the
windowed pass still scores them if they arrive before their window, a backfill otherwise.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tooltrail.pipeline.store import Store

__all__ = ["Arrivals", "StreamProgress"]


@dataclass(frozen=True, slots=True)
class Arrivals:
    """Events stored since the previous poll: how many, their event-time span (µs, ``hi``
    inclusive) and the span of the stragglers among them (``ts < below``; None: none)."""

    count: int = 0
    lo: int = 0
    hi: int = 0
    late: tuple[int, int] | None = None


class StreamProgress:
    """Per stream: newest event time and when (wall, monotonic) it last moved."""

    def __init__(self, store: Store, *, idle_seconds: float, lateness_us: int) -> None:
        self._store = store
        self.idle_seconds = idle_seconds
        self.lateness_us = lateness_us
        self._since = 0  # the newest ingest_time read (µs, the store's clock)
        self.streams: dict[str, int] = {}  # stream -> newest event time (µs)
        self._moved: dict[str, float] = {}  # stream -> monotonic time its newest moved

    @property
    def newest(self) -> int | None:
        return max(self.streams.values()) if self.streams else None

    def poll(self, *, below: int | None = None, mono: float | None = None) -> Arrivals:
        """Read what was stored since the last poll (everything, the first time)."""
        mono = time.monotonic() if mono is None else mono
        db = self._store.database
        cut = 0 if below is None else max(below, 0)
        found = self._store.query_df(
            "SELECT stream_id, min(ts) AS lo, max(ts) AS hi, count() AS n,"  # noqa: S608
            " countIf(ts < {cut:UInt64}) AS late_n, minIf(ts, ts < {cut:UInt64}) AS late_lo,"
            " maxIf(ts, ts < {cut:UInt64}) AS late_hi,"
            " toUnixTimestamp64Micro(max(ingest_time)) AS at"
            f" FROM {db}.events"
            " WHERE ingest_time > fromUnixTimestamp64Micro({since:Int64}, 'UTC')"
            " GROUP BY stream_id",
            {"cut": cut, "since": self._since},
        )
        if found.empty:
            return Arrivals()
        for stream, hi in zip(found["stream_id"], found["hi"], strict=True):
            stream, hi = str(stream), int(hi)
            if hi > self.streams.get(stream, -1):
                self.streams[stream] = hi
                self._moved[stream] = mono
        self._since = max(self._since, int(found["at"].max()))
        late = found.loc[found["late_n"] > 0]
        return Arrivals(
            count=int(found["n"].sum()),
            lo=int(found["lo"].min()),
            hi=int(found["hi"].max()),
            late=None if late.empty else (int(late["late_lo"].min()), int(late["late_hi"].max())),
        )

    def low(self, mono: float | None = None) -> int | None:
        """The newest event time every active stream has passed; None: no stream is active
        (nothing delivered within ``idle_seconds``)."""
        newest = self.newest
        if newest is None:
            return None
        mono = time.monotonic() if mono is None else mono
        active = [
            hi
            for stream, hi in self.streams.items()
            if mono - self._moved[stream] <= self.idle_seconds and hi >= newest - self.lateness_us
        ]
        return min(active) if active else None

    def idle(self, mono: float | None = None) -> bool:
        """Nothing new for ``idle_seconds`` of wall time (or nothing at all)."""
        mono = time.monotonic() if mono is None else mono
        return not self._moved or mono - max(self._moved.values()) >= self.idle_seconds
