"""The contract between the collector and whatever durably holds what it verified.

A :class:`Segment` is one verified, contiguous run of one stream's events taken from one
ingest request.  The collector hands a list of them to :meth:`Sink.deliver`; only when that
call returns may it advance the stream's chain head and answer the emitter with success.
``deliver`` is all-or-nothing from the caller's point of view: if it raises
:class:`~tooltrail.collector.errors.SinkUnavailable`, no segment of the call counts as
delivered (some may still have reached the sink: that is a duplicate, which the pipeline
removes on ``(stream_id, seq)``, never a loss).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from tooltrail.collector.errors import SinkUnavailable

__all__ = ["MemorySink", "Segment", "Sink"]


@dataclass(frozen=True, slots=True)
class Segment:
    """One verified run of one stream's events from one request.

    ``body`` is the JSON document the pipeline consumes::

        {"v": 1, "stream_id": .., "source": .., "run": {..}, "events": [..],
         "checkpoints": [..], "findings": [..], "quarantine": true}

    ``run`` (a segment that continues its stream, with events): ``first`` and ``last`` seq,
    ``n`` events and the last one's ``hash``, so that a reader trusting the collector (its MAC
    verified) can store the events without parsing them first (``pipeline/segments.py``).

    A segment either continues its stream (``quarantine`` false, no findings) or is evidence
    kept beside it (``quarantine`` true: what did not continue the chain, with the findings;
    ``"quarantine": true`` is then in the body, absent otherwise). ``findings`` holds the
    integrity classes found at ingest; a segment with findings is also published on the
    integrity topic. ``source`` is the writing key's source.
    """

    stream_id: str
    source: str
    first_seq: int
    last_seq: int
    head_hash: str
    body: bytes
    findings: tuple[str, ...] = ()
    #: kept beside the stream as evidence (it does not continue the chain); the body says so too
    quarantine: bool = False

    def __post_init__(self) -> None:
        if self.first_seq < 0 or self.last_seq < self.first_seq:
            raise ValueError(f"bad seq range {self.first_seq}..{self.last_seq}")
        if not self.stream_id:
            raise ValueError("empty stream_id")


@runtime_checkable
class Sink(Protocol):
    """Where the collector hands verified segments (Kafka, or the embedded pipeline)."""

    def deliver(self, segments: Sequence[Segment]) -> None:
        """Return only once every segment is durably held.

        Raises :class:`SinkUnavailable` otherwise; none of ``segments`` is then considered
        delivered (the emitter retries the whole batch).
        """
        ...

    def ready(self) -> bool:
        """Whether the sink can take segments now (for ``/readyz``); never blocks for long."""
        ...

    def close(self) -> None:
        """Release connections; idempotent."""
        ...


class MemorySink:
    """Keeps delivered segments in :attr:`delivered` (tests, embedded-mode unit tests).

    ``fail(n)`` makes the next ``n`` calls of :meth:`deliver` raise :class:`SinkUnavailable`
    without keeping anything.
    """

    def __init__(self) -> None:
        self.delivered: list[Segment] = []
        self.calls = 0
        self._failures = 0
        self._retry_after = 1.0
        self._closed = False
        self._lock = threading.Lock()

    def fail(self, n: int = 1, *, retry_after: float = 1.0) -> None:
        if n < 0:
            raise ValueError("n must be >= 0")
        with self._lock:
            self._failures = n
            self._retry_after = retry_after

    def deliver(self, segments: Sequence[Segment]) -> None:
        with self._lock:
            self.calls += 1
            if self._closed:
                raise SinkUnavailable("sink closed")
            if self._failures > 0:
                self._failures -= 1
                raise SinkUnavailable("memory sink told to fail", retry_after=self._retry_after)
            self.delivered.extend(segments)

    def ready(self) -> bool:
        with self._lock:
            return not self._closed and self._failures == 0

    def close(self) -> None:
        with self._lock:
            self._closed = True
