"""Per-source token buckets, counted in events.

Each source has a bucket of ``burst`` tokens refilled at ``rate`` tokens per second. The number
of events in a batch is only known once it is decoded, so admission works in two steps:

- ``check(source)`` at the door (before the body is read): refuse when the bucket is empty;
- ``take(source, n)`` once the batch is decoded: refuse when the bucket is empty, otherwise take
  ``n`` tokens even if that drives the bucket below zero. The debt is paid back by refilling
  before the next batch is admitted, so the long-run rate is exactly ``rate`` events per second
  while a batch larger than the bucket can never be refused forever.

Refusals raise :class:`~tooltrail.collector.errors.RateLimited` with ``retry_after`` = the time
until the bucket holds a token again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from .errors import RateLimited

__all__ = ["RateLimiter"]


class _Bucket:
    __slots__ = ("at", "tokens")

    def __init__(self, tokens: float, at: float) -> None:
        self.tokens = tokens
        self.at = at


class RateLimiter:
    """Token bucket per source; thread-safe."""

    __slots__ = ("_buckets", "_clock", "_lock", "burst", "rate")

    def __init__(
        self, rate: float, burst: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, _Bucket] = {}

    def _refill(self, source: str) -> _Bucket:
        now = self._clock()
        b = self._buckets.get(source)
        if b is None:
            b = self._buckets[source] = _Bucket(self.burst, now)
        else:
            b.tokens = min(self.burst, b.tokens + (now - b.at) * self.rate)
            b.at = now
        return b

    def _refuse(self, source: str, b: _Bucket) -> RateLimited:
        wait = (1.0 - b.tokens) / self.rate
        return RateLimited(
            f"source {source!r} is over its rate of {self.rate:g} events/s "
            f"(burst {self.burst:g}); retry in {wait:.2f}s",
            retry_after=wait,
        )

    def check(self, source: str) -> None:
        """Raise RateLimited if ``source`` has no token left now; takes nothing."""
        with self._lock:
            b = self._refill(source)
            if b.tokens < 1.0:
                raise self._refuse(source, b)

    def take(self, source: str, n: int) -> None:
        """Take ``n`` tokens (possibly into debt) unless the bucket is empty: then RateLimited."""
        with self._lock:
            b = self._refill(source)
            if b.tokens < 1.0:
                raise self._refuse(source, b)
            b.tokens -= max(n, 1)

    def tokens(self, source: str) -> float:
        with self._lock:
            return self._refill(source).tokens
