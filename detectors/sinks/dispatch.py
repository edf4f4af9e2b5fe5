"""Fan alerts out to every sink, each on its own thread, with retries; never block scoring.

Guarantees of :class:`Dispatcher`:

* :meth:`~Dispatcher.submit` never blocks and never raises. Each sink has its own bounded
  queue and worker thread, so a slow or dead sink delays only its own deliveries.
* A full queue drops its *oldest* alert (``sink_dropped``), keeping the newest.
* A retryable failure is tried again up to ``retries`` times with exponential backoff and
  jitter (``sink_retries`` per retry made), waiting at least the receiver's Retry-After;
  a final failure, or running out of retries, gives up (``sink_failures``, logged).
* Per sink, every alert accepted by ``submit`` ends as exactly one of sent, failed or dropped
  once :meth:`~Dispatcher.close` returned (alerts still queued when close gives up waiting
  count as failures), unless a sink is stuck inside ``send`` past the close timeout.
* Backoff waits end at once when :meth:`~Dispatcher.close` stops the workers.
"""

from __future__ import annotations

import copy
import logging
import random
import threading
import time
from collections import deque
from collections.abc import Sequence
from types import TracebackType

from tooltrail.detectors.alert import SEVERITIES, Alert, Severity
from tooltrail.detectors.errors import SinkError
from tooltrail.detectors.metrics import Metrics

from .base import AlertSink, is_retryable

__all__ = ["Dispatcher"]

log = logging.getLogger(__name__)

#: the longest Retry-After honoured, in seconds (a receiver asking for more gets this)
RETRY_AFTER_MAX = 300.0
#: how long close() waits for a stopped worker beyond its timeout (a backoff wait ends at once;
#: only a send in progress takes longer)
_JOIN_GRACE = 1.0


class _Lane:
    """One sink's queue, worker thread and in-flight flag, guarded by ``cond``."""

    __slots__ = ("cond", "in_flight", "name", "queue", "sink", "thread")

    def __init__(self, sink: AlertSink) -> None:
        self.sink = sink
        self.name = sink.name
        self.queue: deque[Alert] = deque()
        self.cond = threading.Condition()
        self.in_flight = False
        self.thread: threading.Thread | None = None

    def busy(self) -> bool:
        return bool(self.queue) or self.in_flight


class Dispatcher:
    """Delivers alerts to ``sinks`` in the background; see the module docstring.

    ``retries`` is the number of retries after the first attempt; the n-th retry waits a
    random time in ``[d/2, d]`` with ``d = min(backoff_max, backoff * 2**(n-1))``, or the
    receiver's Retry-After if that is longer. Alerts below ``min_severity`` are not sent.
    """

    def __init__(
        self,
        sinks: Sequence[AlertSink],
        *,
        metrics: Metrics | None = None,
        retries: int = 4,
        backoff: float = 0.5,
        backoff_max: float = 30.0,
        queue_size: int = 1000,
        min_severity: Severity = "low",
    ) -> None:
        if retries < 0:
            raise ValueError(f"retries must be >= 0, got {retries}")
        if backoff < 0 or backoff_max < backoff:
            raise ValueError(f"need 0 <= backoff <= backoff_max, got {backoff}, {backoff_max}")
        if queue_size < 1:
            raise ValueError(f"queue_size must be >= 1, got {queue_size}")
        if min_severity not in SEVERITIES:
            raise ValueError(f"min_severity must be one of {SEVERITIES}, got {min_severity!r}")
        names = [s.name for s in sinks]
        if len(set(names)) != len(names):
            raise ValueError(f"sink names must be unique (they label metrics), got {names}")
        self.metrics = metrics if metrics is not None else Metrics()
        self._retries = retries
        self._backoff = backoff
        self._backoff_max = backoff_max
        self._queue_size = queue_size
        self._min_rank = SEVERITIES.index(min_severity)
        self._rng = random.Random()
        self._stop = threading.Event()
        self._close_lock = threading.Lock()
        self._closed = False
        self._lanes = [_Lane(s) for s in sinks]
        for lane in self._lanes:
            lane.thread = threading.Thread(
                target=self._work, args=(lane,), name=f"tooltrail-sink-{lane.name}", daemon=True
            )
            lane.thread.start()

    @property
    def sink_names(self) -> tuple[str, ...]:
        return tuple(lane.name for lane in self._lanes)

    # ------------------------------------------------------------------ caller side
    def submit(self, alert: Alert) -> None:
        """Queue ``alert`` for every sink. Never blocks, never raises (problems are logged)."""
        try:
            if self._closed:
                log.warning("alert %s not sent: the dispatcher is closed", alert.id)
                return
            if SEVERITIES.index(alert.severity) < self._min_rank:
                log.debug("alert %s below min severity (%s)", alert.id, alert.severity)
                return
            snapshot = copy.copy(alert)  # the caller may keep updating its alert (count, ...)
            for lane in self._lanes:
                self._put(lane, snapshot)
        except Exception:
            log.exception("alert %r could not be queued", getattr(alert, "id", alert))

    def _put(self, lane: _Lane, alert: Alert) -> None:
        with lane.cond:
            if len(lane.queue) >= self._queue_size:
                dropped = lane.queue.popleft()
                self.metrics.sink_dropped.labels(sink=lane.name).inc()
                log.warning("sink %s: queue full, dropped alert %s", lane.name, dropped.id)
            lane.queue.append(alert)
            lane.cond.notify_all()

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every queue is empty and no send is in flight; False on timeout or when
        the workers were stopped with alerts still queued."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for lane in self._lanes:
            with lane.cond:
                while lane.busy():
                    if self._stop.is_set() and not lane.in_flight:
                        return False
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if remaining is not None and remaining <= 0:
                        return False
                    lane.cond.wait(remaining)
        return True

    def close(self, timeout: float | None = 10.0) -> None:
        """Flush for up to ``timeout`` seconds, then stop the workers (interrupting backoff
        waits) and wait for them up to 1 s more. Alerts not delivered by then count as failures;
        a worker stuck inside a sink's ``send`` is left to finish (it is a daemon). Idempotent."""
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        deadline = None if timeout is None else time.monotonic() + timeout
        self.flush(timeout)
        self._stop.set()
        for lane in self._lanes:
            with lane.cond:
                lane.cond.notify_all()
        for lane in self._lanes:
            assert lane.thread is not None
            remaining = None if deadline is None else deadline + _JOIN_GRACE - time.monotonic()
            lane.thread.join(None if remaining is None else max(remaining, 0.0))
            if lane.thread.is_alive():
                log.warning("sink %s: still inside send() after close; left running", lane.name)
            with lane.cond:
                left = len(lane.queue)
                lane.queue.clear()
            if left:
                self.metrics.sink_failures.labels(sink=lane.name).inc(left)
                log.error("sink %s: %d alert(s) not delivered before close", lane.name, left)

    def __enter__(self) -> Dispatcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ worker side
    def _work(self, lane: _Lane) -> None:
        while True:
            with lane.cond:
                while not lane.queue and not self._stop.is_set():
                    lane.cond.wait()
                if self._stop.is_set():
                    return
                alert = lane.queue.popleft()
                lane.in_flight = True
            try:
                self._deliver(lane, alert)
            except Exception:  # a bug in bookkeeping must not kill the lane
                log.exception("sink %s: unexpected error delivering alert %s", lane.name, alert.id)
            finally:
                with lane.cond:
                    lane.in_flight = False
                    lane.cond.notify_all()

    def _deliver(self, lane: _Lane, alert: Alert) -> None:
        attempt = 1
        while True:
            try:
                lane.sink.send(alert)
            except Exception as exc:
                if not is_retryable(exc) or attempt > self._retries:
                    self._give_up(lane, alert, exc, attempt)
                    return
                delay = self._delay(attempt, getattr(exc, "retry_after", None))
                log.warning(
                    "sink %s: alert %s attempt %d failed (%s); retrying in %.2f s",
                    lane.name, alert.id, attempt, exc, delay,
                )  # fmt: skip
                if self._stop.wait(delay):
                    self._give_up(lane, alert, exc, attempt, closing=True)
                    return
                self.metrics.sink_retries.labels(sink=lane.name).inc()
                attempt += 1
            else:
                self.metrics.sink_sent.labels(sink=lane.name).inc()
                return

    def _give_up(
        self, lane: _Lane, alert: Alert, exc: Exception, attempts: int, *, closing: bool = False
    ) -> None:
        self.metrics.sink_failures.labels(sink=lane.name).inc()
        why = "closing" if closing else f"after {attempts} attempt(s)"
        if isinstance(exc, SinkError):
            log.error("sink %s: gave up on alert %s %s: %s", lane.name, alert.id, why, exc)
        else:  # not a SinkError: a bug in the sink, keep the traceback
            log.error("sink %s: gave up on alert %s %s", lane.name, alert.id, why, exc_info=exc)

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        cap = min(self._backoff_max, self._backoff * 2.0 ** min(attempt - 1, 60))
        delay = self._rng.uniform(cap / 2, cap)
        if retry_after is not None:
            delay = max(delay, min(float(retry_after), RETRY_AFTER_MAX))
        return delay
