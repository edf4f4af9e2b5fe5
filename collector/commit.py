"""Group commit: requests that arrive together are verified and handed on in one round trip.

Guarantee: a request's answer (its :class:`~tooltrail.collector.ingest.Verdict`) is given only
after every segment of its group is held by the sink (Kafka: acknowledged, ``acks=all``) and
every head its group moved is recorded by the head store (acknowledged too). If the sink or the
head store fails, every request of the group gets the same kind of
:class:`~tooltrail.collector.errors.SinkUnavailable` (503) and none is acknowledged; heads move
only when the whole group succeeded. A request that cannot be verified (the head store cannot
be read or refreshed) fails alone, before its group is handed on.

How: one committer thread per app. The app's ingest threads decode, validate and authorize,
then :meth:`GroupCommit.submit` the batch (a future cancelled before its group is taken is
dropped; once taken it cannot be cancelled and is always answered). The committer takes
everything queued (at most ``max_group`` requests), verifies each in arrival order against its
stream's head *as the group leaves it* (so two batches of one stream in one group chain against
each other: the second is accepted only if it continues the first), hands all their segments to
one
:meth:`Sink.deliver <tooltrail.collector.sinks.base.Sink.deliver>` (Kafka: one produce, one
flush) and then every moved head to one
:meth:`HeadStore.put_many <tooltrail.collector.heads.HeadStore.put_many>` (one produce, one
flush). While a group is in flight the next one gathers, so Kafka round trips grow with the
groups, not with the requests.

Per-stream order: groups are verified and delivered one at a time, requests in arrival order;
a stream's segments go to one partition in that order (idempotent producer), and a group is
verified against the heads the previous group recorded (or, if it failed, those before it).

Why two round trips per group rather than one: segment first, head after (see
:mod:`tooltrail.collector.heads`). A head record that landed while its segment did not would make
the emitter's retry look like a proven duplicate: a loss.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Final

from tooltrail.broker.errors import BrokerUnavailable

from . import ingest
from .auth import Principal
from .errors import SinkUnavailable
from .heads import Head, HeadStore
from .metrics import Metrics
from .sinks.base import Segment, Sink

__all__ = ["MAX_GROUP", "GroupCommit"]

log = logging.getLogger(__name__)

#: requests verified and delivered together at most
MAX_GROUP: Final = 256


@dataclass(slots=True)
class _Request:
    batch: ingest.Batch
    principal: Principal
    future: Future[ingest.Verdict]


def _answerable(future: Future[ingest.Verdict]) -> bool:
    """Mark ``future`` running (it can no longer be cancelled); False when it was cancelled."""
    return future.running() or future.set_running_or_notify_cancel()


def _unavailable(exc: BaseException, retry_after: float) -> BaseException:
    """Each request of a failed group gets its own error (one object raised in many threads
    would share a traceback); a bug stays what it is (500)."""
    if not isinstance(exc, BrokerUnavailable):
        return exc
    fresh = SinkUnavailable(str(exc), retry_after=exc.retry_after or retry_after)
    fresh.__cause__ = exc
    return fresh


class GroupCommit:
    """The committer of one app; see the module docstring for the guarantees."""

    def __init__(
        self,
        sink: Sink,
        heads: HeadStore,
        metrics: Metrics,
        *,
        refresh_timeout: float,
        retry_after: float,
        max_group: int = MAX_GROUP,
    ) -> None:
        if max_group < 1:
            raise ValueError("max_group must be >= 1")
        self.sink = sink
        self.heads = heads
        self.metrics = metrics
        self.refresh_timeout = refresh_timeout
        self.retry_after = retry_after
        self.max_group = max_group
        self._queue: deque[_Request] = deque()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._waiting = False  # the committer waits for work (only then is it woken)

    def submit(
        self,
        batch: ingest.Batch,
        principal: Principal,
        future: Future[ingest.Verdict] | None = None,
    ) -> Future[ingest.Verdict]:
        """Queue ``batch`` for the next group; the future (``future``, or a new one) holds its
        verdict once committed. A future cancelled before its group is taken is dropped
        unverified (its client is gone and was told nothing)."""
        if future is None:
            future = Future()
        with self._cond:
            if self._closed:
                raise SinkUnavailable(
                    "the collector is shutting down", retry_after=self.retry_after
                )
            self._queue.append(_Request(batch, principal, future))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="tooltrail-commit", daemon=True
                )
                self._thread.start()
            if self._waiting:  # a busy committer looks at the queue before it waits again
                self._cond.notify()
        return future

    def open(self) -> None:
        """Accept requests again (a server starting: an app may be served more than once, as a
        test client does; each stop closes the committer)."""
        with self._cond:
            self._closed = False
            if self._thread is not None and not self._thread.is_alive():
                self._thread = None

    def pending(self) -> int:
        """Requests queued for the next group (not yet taken by the committer)."""
        with self._cond:
            return len(self._queue)

    def close(self, timeout: float = 10.0) -> None:
        """Commit what is queued, then stop the committer (bounded by ``timeout``)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    # -- the committer thread --------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closed:
                    self._waiting = True
                    self._cond.wait()
                    self._waiting = False
                if not self._queue:
                    return  # closed, and everything queued was committed
                take = min(len(self._queue), self.max_group)
                group = [self._queue.popleft() for _ in range(take)]
            # from here on a request cannot be cancelled: it is answered whatever happens
            group = [r for r in group if _answerable(r.future)]
            try:
                self._commit(group)
            except BaseException as exc:  # a bug: answer the group rather than hang it
                log.exception("group commit failed")
                for r in group:
                    if not r.future.done():
                        r.future.set_exception(exc)

    def _verify(self, r: _Request, moved: dict[str, Head]) -> ingest.Verdict:
        """Verify one request against its stream's head as the group leaves it; record in
        ``moved`` the head it moves."""
        batch, principal = r.batch, r.principal
        stream_id = batch.stream_id or ""
        pending = moved.get(stream_id)
        head = pending if pending is not None else self.heads.get(stream_id)
        keys, source = principal.public_keys, principal.source
        verdict = ingest.verify_batch(batch, head, keys, source=source)
        if verdict.head_suspect and pending is None:
            # another replica may have accepted the previous batch: catch up before a finding
            # (SinkUnavailable when that cannot be done: better a retry than a false alarm)
            self.metrics.head_refreshes.inc()
            self.heads.refresh(self.refresh_timeout)
            fresh = self.heads.get(stream_id)
            if fresh != head:
                head = fresh
                verdict = ingest.verify_batch(batch, head, keys, source=source)
        if verdict.head is not None and verdict.head != head:
            moved[stream_id] = verdict.head
        return verdict

    def _commit(self, group: list[_Request]) -> None:
        moved: dict[str, Head] = {}
        verified: list[tuple[_Request, ingest.Verdict]] = []
        segments: list[Segment] = []
        for r in group:
            try:
                verdict = self._verify(r, moved)
            except Exception as exc:  # this request alone (its head was not moved)
                r.future.set_exception(exc)
                continue
            verified.append((r, verdict))
            segments.extend(s for s in (verdict.segment, verdict.quarantine) if s is not None)
        self.metrics.group_requests.observe(len(verified))
        try:
            if segments:
                started = time.perf_counter()
                self.sink.deliver(segments)  # raises SinkUnavailable: nothing advances
                self.metrics.produce_seconds.observe(time.perf_counter() - started)
            if moved:
                self._record(moved)
        except Exception as exc:
            for r, _ in verified:
                r.future.set_exception(_unavailable(exc, self.retry_after))
            return
        for r, verdict in verified:
            r.future.set_result(verdict)

    def _record(self, moved: dict[str, Head]) -> None:
        try:
            self.heads.put_many(moved)
        except Exception as exc:
            # Delivered, but the heads did not move: the emitters resend, the heads prove
            # nothing of it (not accepted yet), so it is accepted again and the pipeline drops
            # the duplicates (it deduplicates on stream_id + seq).
            log.exception("heads of %d stream(s) not saved after delivery", len(moved))
            message = "the head store cannot be updated"
            raise SinkUnavailable(message, retry_after=self.retry_after) from exc
