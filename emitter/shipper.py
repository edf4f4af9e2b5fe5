"""Background thread that moves records from the spool to the collector, in batches.

Batching (size and linger). The emitter tells the shipper about each append with ``wake()`` (an
attribute check and, once per batch, setting an Event: nothing else runs on the calling thread).
The thread then lets records gather: a batch leaves when it is **full** (``batch_max_records``
records or ``batch_max_bytes`` bytes appended since the last read), when ``flush_interval`` (the
**linger**) has passed since the thread noticed the first of its records, or at once while a
``flush()`` / ``close()`` waits. The next linger starts only after the previous batch was
answered, so under a steady trickle the shipper sends **at most one batch per linger interval**
(never one per event); a burst sends full batches back to back. Defaults: linger 0.5 s,
500 records, 1 MB (``validate_batching`` refuses other values with the setting's name).

Group commit (fsync policy). ``append`` writes each record to the kernel (it survives ``kill -9``
of the process at once); the thread makes everything appended since the previous sync durable
with one ``fdatasync`` per batch, just before the batch is sent (and, while the collector is
unreachable, before every retry and every linger interval of a backoff wait). So a power loss
or kernel crash can lose at most the records appended in the last linger interval (plus the
batch being read); a process crash loses nothing. A ``2xx`` means the collector holds the batch
durably (for the collector: produced with ``acks=all``); only then does the spool's cursor move
(persisted with its own fsync), so a crash between the two sends the batch again, never loses it.

One daemon thread loops: wait for ``wake()`` (or ``flush_interval``, never busy-looping) →
linger → ``before_batch()`` → ``spool.read_batch`` → ``spool.sync()`` (the group commit) → gzip
``encode_batch(records)`` (or not: ``gzip_level=None``) → ``transport.send``. The batch is
retried until the collector answers for it; only then does the cursor move:

==========================================  ==============================================
answer                                      action
==========================================  ==============================================
2xx                                         ``spool.ack`` (counted ``events_acked``)
429                                         wait Retry-After (capped by ``retry_after_max``;
                                            backoff if absent), retry the same batch
408, 5xx, 3xx, 401/403/404/407,             exponential backoff with full jitter
TransportError                              (``uniform(0, min(max, base * 2**n))``), retry
413 with more than one record               halve the batch size (kept for later batches)
409 ``"action": "new_stream"``              ``on_new_stream(stream_id, kept_through)``: the
                                            events after ``kept_through`` were quarantined;
                                            the hook re-chains every pending record onto a
                                            new stream (``successor``), shipped next
409 ``"action": "continue"``                every event is in the stream (a checkpoint was
                                            refused): ``spool.ack`` + ERROR log
any other 4xx                               ``spool.set_aside`` + ERROR log, next batch
==========================================  ==============================================

``before_batch`` runs only when the spool has pending records, once per batch read (not
per retry), so a hook that appends a checkpoint lands it in the spool before the read.

Auth/URL errors (401/403/404/407) are retried rather than set aside: they are configuration
problems, not bad batches, and the spool (bounded, counted) is the right place to wait.

Guarantees: delivery is at-least-once and in spool order (a batch answered 2xx whose ack
was lost to a crash is sent again); nothing leaves the spool unacknowledged; the thread
never raises (errors are logged, counted and backed off); backoff waits end as soon as
``close()`` is called; ``close(timeout)`` returns within ``timeout`` even if a send hangs.
"""

from __future__ import annotations

import gzip
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping

from .errors import SpoolError, TransportError
from .spool import Spool, SpoolBatch
from .transport import Response, Transport

__all__ = ["MAX_LINGER", "Shipper", "validate_batching"]

log = logging.getLogger(__name__)

_RETRY_4XX = frozenset({401, 403, 404, 407, 408})
_SNIPPET = 300
#: the longest linger accepted: records wait at most this long before they ship
MAX_LINGER = 60.0


def validate_batching(
    batch_max_records: object,
    batch_max_bytes: object,
    flush_interval: object,
    *,
    records_setting: str = "batch_max_records",
) -> None:
    """Refuse batch settings the shipper cannot honour: a ValueError naming the setting and the
    rule it broke (``records_setting``: the name the caller knows the record limit by)."""
    for name, value, unit in (
        (records_setting, batch_max_records, "records"),
        ("batch_max_bytes", batch_max_bytes, "bytes"),
    ):
        if type(value) is not int or value < 1:
            raise ValueError(f"{name} must be a whole number of {unit} >= 1, got {value!r}")
    linger = flush_interval
    if type(linger) not in (int, float) or not 0 < linger <= MAX_LINGER:  # type: ignore[operator]
        raise ValueError(
            f"flush_interval (the shipper's linger) must be a number of seconds > 0 and "
            f"<= {MAX_LINGER:g}, got {linger!r}"
        )


class Shipper:
    """Ships spooled records in batches from one daemon thread; see the module docstring."""

    def __init__(
        self,
        spool: Spool,
        transport: Transport,
        encode_batch: Callable[[list[bytes]], bytes],
        *,
        headers: Mapping[str, str] | None = None,
        batch_max_records: int = 500,
        batch_max_bytes: int = 1_000_000,
        flush_interval: float = 0.5,
        backoff_base: float = 0.2,
        backoff_max: float = 30.0,
        retry_after_max: float = 300.0,
        jitter: bool = True,
        before_batch: Callable[[], None] | None = None,
        on_new_stream: Callable[[str, int], None] | None = None,
        sleep: Callable[[float], bool] | None = None,
        clock: Callable[[], float] = time.monotonic,
        gzip_level: int | None = 1,
        name: str = "tooltrail-shipper",
    ) -> None:
        """``flush_interval`` is the linger (see the module docstring). ``sleep(seconds) ->
        stop?`` replaces the backoff wait (default: wait on the stop event until ``clock`` passes
        the deadline, so close() interrupts it, making the spool durable every linger).
        ``gzip_level`` 1: half the CPU of level 5 for a body ~10% larger (events compress ~5x),
        and this CPU is taken from the process being audited; None: the body is sent as it is
        (``Content-Encoding: identity``), for a collector on the same machine, where the bytes
        cost nothing and gzip would be ~30 % of this thread's CPU (~3 µs per event)."""
        validate_batching(batch_max_records, batch_max_bytes, flush_interval)
        if gzip_level is not None and (type(gzip_level) is not int or not 1 <= gzip_level <= 9):
            raise ValueError(f"gzip_level must be a whole number 1..9 or None, got {gzip_level!r}")
        self._spool = spool
        self._transport = transport
        self._encode = encode_batch
        encoding = "identity" if gzip_level is None else "gzip"
        self._headers = {**(headers or {}), "Content-Encoding": encoding}
        self._max_records = batch_max_records
        self._max_bytes = batch_max_bytes
        self._flush_interval = flush_interval
        self._base = backoff_base
        self._backoff_max = backoff_max
        self._retry_after_max = retry_after_max
        self._jitter = jitter
        self._before_batch = before_batch
        self._on_new_stream = on_new_stream
        self._sleep = sleep or self._wait_until
        self._clock = clock
        self._gzip_level = gzip_level
        self._rng = random.Random()
        self._name = name
        self._wake = threading.Event()  # records were appended (set once per batch)
        self._hurry = threading.Event()  # end the linger now: a batch is full, a flush waits
        self._unsent = 0  # records / bytes appended since the last read: hints (races only blur)
        self._unsent_bytes = 0
        self._flushing = 0  # flush() calls waiting: no linger while > 0
        self._flushing_lock = threading.Lock()
        self._stop = threading.Event()
        self._acked = threading.Condition()  # notified after each ack / set-aside
        self._generation = 0  # bumped with each notification (no lost wake-ups in flush)
        self._settle = threading.Lock()  # held across ack + counters (flush sees both or neither)
        self._thread: threading.Thread | None = None
        self._stats_lock = threading.Lock()
        self._counts: dict[str, int | float] = dict.fromkeys(
            (
                "batches_sent",
                "events_acked",
                "send_attempts",
                "retries",
                "rate_limited",
                "rejected_batches",
                "rejected_events",
                "transport_errors",
                "http_errors",
                "batch_splits",
                "spool_errors",
                "internal_errors",
                "before_batch_errors",
                "full_batches",
                "new_streams",
                "conflicts",
                "consecutive_failures",
            ),
            0,
        )
        self._counts.update(backoff_seconds_total=0.0, last_error_at=0.0)
        self.last_error: str | None = None
        """Description of the most recent failure (None until one happens)."""

    # ------------------------------------------------------------------ public API
    def start(self) -> None:
        """Start the thread (idempotent)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
            self._thread.start()

    def wake(self, nbytes: int = 0) -> None:
        """Tell the thread a record of ``nbytes`` bytes was appended. Cheap: two additions and an
        Event check (the Event is set once per batch); ends the linger once a batch is full."""
        self._unsent += 1
        self._unsent_bytes += nbytes
        if not self._wake.is_set():
            self._wake.set()
        if (
            self._unsent >= self._max_records or self._unsent_bytes >= self._max_bytes
        ) and not self._hurry.is_set():
            self._hurry.set()

    def flush(self, timeout: float) -> bool:
        """Wait until everything appended before this call is acked or set aside; batches leave
        without lingering meanwhile."""
        with self._flushing_lock:
            self._flushing += 1
        try:
            return self._flush(timeout)
        finally:
            with self._flushing_lock:
                self._flushing -= 1

    def _flush(self, timeout: float) -> bool:
        deadline = self._clock() + timeout
        target = self._spool.append_position()
        epoch = self._spool.epoch
        self._wake.set()
        self._hurry.set()
        while True:
            generation = self._generation
            # _settle is held across ack (an fsync): never wait for it past the deadline
            if not self._settle.acquire(timeout=max(0.0, deadline - self._clock())):
                return False
            try:
                if self._spool.epoch != epoch:  # re-chained: the records moved in the spool
                    epoch, target = self._spool.epoch, self._spool.append_position()
                if self._spool.ack_position() >= target:
                    return True
            finally:
                self._settle.release()
            remaining = deadline - self._clock()
            if remaining <= 0 or not self.running:
                return False
            with self._acked:  # only ever held briefly
                if self._generation == generation:
                    self._acked.wait(min(remaining, 0.2))

    def close(self, timeout: float = 5.0) -> None:
        """Flush for most of ``timeout``, then stop the thread; returns within ``timeout``.

        The transport is closed once the thread has stopped. The spool is left open (its
        owner closes it); records not delivered stay in it for the next run.
        """
        deadline = self._clock() + timeout
        if self.running:
            self.flush(max(0.0, timeout - min(1.0, timeout * 0.25)))
        self._stop.set()
        self._wake.set()
        self._hurry.set()
        thread = self._thread
        if thread is not None:
            thread.join(max(0.0, deadline - self._clock()))
            if thread.is_alive():
                log.warning("shipper: a send is still in progress at close; thread left running")
                return
        try:
            self._transport.close()
        except Exception:
            log.exception("shipper: transport.close() failed")

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stats(self) -> dict[str, int | float]:
        with self._stats_lock:
            return dict(self._counts)

    # ------------------------------------------------------------------ the thread
    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()  # before looking: an append after the look sets it again
            try:
                if self._spool.pending() == 0:
                    self._wake.wait(self._flush_interval)
                    continue
                self._linger()
                if self._stop.is_set():
                    break
                self._cycle()
            except Exception as exc:  # the thread must never die: log, count, back off
                key = "spool_errors" if isinstance(exc, SpoolError) else "internal_errors"
                self._failed(key, exc, log_exc=True)
                if self._sleep(self._backoff()):
                    break
        log.debug("shipper: stopped")

    def _linger(self) -> None:
        """Let records gather: return once a batch is full, ``flush_interval`` has passed, or a
        flush / close waits."""
        if self._spool.pending() >= self._max_records:
            self._count("full_batches")
            return
        deadline = self._clock() + self._flush_interval
        while not self._flushing and not self._stop.is_set():
            if self._hurry.is_set():
                if self._unsent >= self._max_records or self._unsent_bytes >= self._max_bytes:
                    self._count("full_batches")
                    return
                self._hurry.clear()  # a flush that has finished: linger on
            remaining = deadline - self._clock()
            if remaining <= 0:
                return
            self._hurry.wait(remaining)

    def _cycle(self) -> bool:
        """Ship one batch; False when there was nothing to do or we are stopping."""
        if self._spool.pending() == 0:
            return False
        self._hurry.clear()
        self._unsent = self._unsent_bytes = 0  # what is appended from here counts for the next
        if self._before_batch is not None:
            try:
                self._before_batch()  # e.g. append a signed checkpoint: must precede read_batch
            except Exception:
                self._count("before_batch_errors")
                log.exception("shipper: before_batch hook failed")
        batch = self._spool.read_batch(self._max_records, self._max_bytes)
        if batch is None:
            return False
        return self._deliver(batch)

    def _group_commit(self) -> None:
        """One fsync for everything appended since the previous one (nothing when nothing was)."""
        try:
            self._spool.sync()
        except SpoolError as exc:  # still in the page cache: shipping beats stalling
            self._failed("spool_errors", exc)

    def _deliver(self, batch: SpoolBatch) -> bool:
        try:
            payload = self._encode_body(batch)
        except Exception as exc:
            self._reject(batch, f"encode_batch failed: {exc!r}")
            return True
        while not self._stop.is_set():
            self._group_commit()
            self._count("send_attempts")
            try:
                resp = self._transport.send(payload, self._headers)
            except TransportError as exc:
                self._failed("transport_errors", exc)
                delay = self._backoff()
            except Exception as exc:  # a buggy transport is treated as an unreachable one
                self._failed("transport_errors", exc, log_exc=True)
                delay = self._backoff()
            else:
                status = resp.status
                if 200 <= status < 300:
                    self._succeeded(batch)
                    return True
                if status == 413 and len(batch) > 1:
                    self._max_records = max(1, len(batch) // 2)
                    self._count("batch_splits")
                    log.warning(
                        "shipper: 413 for %d records; batches now <= %d records",
                        len(batch),
                        self._max_records,
                    )
                    smaller = self._spool.read_batch(self._max_records, self._max_bytes)
                    if smaller is None:
                        return True
                    batch, payload = smaller, self._encode_body(smaller)
                    continue
                if status == 409:
                    settled = self._conflict(batch, resp)
                    if settled:
                        return True
                    if settled is False:  # the hook failed: back off and ask again
                        self._count("retries")
                        if self._sleep(self._backoff()):
                            break
                        continue
                if 400 <= status < 500 and status != 429 and status not in _RETRY_4XX:
                    self._reject(batch, f"HTTP {status}: {_snippet(resp)}")
                    return True
                self._failed(
                    "rate_limited" if status == 429 else "http_errors",
                    f"HTTP {status}: {_snippet(resp)}",
                )
                if status == 429 and resp.retry_after is not None:
                    delay = max(self._base, min(resp.retry_after, self._retry_after_max))
                    self._count("backoff_seconds_total", delay)
                else:
                    delay = self._backoff()
            self._count("retries")
            if self._sleep(delay):
                break
        return False

    def _conflict(self, batch: SpoolBatch, resp: Response) -> bool | None:
        """Act on a 409's ``action``: True when settled, False when the hook failed, None when
        the answer says nothing this shipper can act on (the batch is then set aside)."""
        try:
            answer = json.loads(resp.body)
            action, stream = answer.get("action"), answer.get("stream_id")
            kept = answer.get("kept_through")
        except (ValueError, AttributeError):
            return None
        if action == "continue":
            log.error("shipper: collector kept the events but refused: %s", _snippet(resp))
            self._count("conflicts")
            self._succeeded(batch)
            return True
        if action != "new_stream" or self._on_new_stream is None:
            return None
        if type(stream) is not str or type(kept) is not int:
            return None
        log.error(
            "shipper: events of stream %s after seq %d were not kept (%s); "
            "continuing them on a new stream",
            stream,
            kept,
            _snippet(resp),
        )
        epoch = self._spool.epoch
        try:
            with self._settle:
                self._on_new_stream(stream, kept)
        except Exception as exc:
            self._failed("internal_errors", exc, log_exc=True)
            return False
        if self._spool.epoch == epoch:  # nothing moved: asking again at once would only loop
            self._failed("internal_errors", f"stream {stream} was not continued elsewhere")
            return False
        self._count("conflicts")
        self._count("new_streams")
        self._notify()
        return True

    def _encode_body(self, batch: SpoolBatch) -> bytes:
        body = self._encode(list(batch.records))
        if self._gzip_level is None:
            return body
        return gzip.compress(body, compresslevel=self._gzip_level, mtime=0)

    def _reject(self, batch: SpoolBatch, reason: str) -> None:
        log.error(
            "shipper: collector refused a batch of %d records for good (%s); set aside",
            len(batch),
            reason,
        )
        with self._settle:
            self._spool.set_aside(batch, reason)
            with self._stats_lock:
                self._counts["rejected_batches"] += 1
                self._counts["rejected_events"] += len(batch)
                self._counts["consecutive_failures"] = 0
        self._notify()

    # ------------------------------------------------------------------ bookkeeping
    def _backoff(self) -> float:
        """Full-jitter exponential backoff for the current failure streak; counted."""
        with self._stats_lock:
            n = int(self._counts["consecutive_failures"])
        cap = min(self._backoff_max, self._base * 2.0 ** min(max(n - 1, 0), 60))
        delay = self._rng.uniform(0.0, cap) if self._jitter else cap
        with self._stats_lock:
            self._counts["backoff_seconds_total"] += delay
        return delay

    def _wait_until(self, seconds: float) -> bool:
        """Default sleep: never returns before ``seconds`` have passed unless stopping; makes
        what is appended meanwhile durable every linger interval (the group commit goes on)."""
        deadline = self._clock() + seconds
        while (remaining := deadline - self._clock()) > 0:
            if self._stop.wait(min(remaining, self._flush_interval)):
                return True
            self._group_commit()
        return self._stop.is_set()

    def _count(self, key: str, n: float = 1) -> None:
        with self._stats_lock:
            self._counts[key] += n

    def _failed(self, key: str, error: object, *, log_exc: bool = False) -> None:
        with self._stats_lock:
            self._counts[key] += 1
            self._counts["consecutive_failures"] += 1
            self._counts["last_error_at"] = time.time()
            streak = self._counts["consecutive_failures"]
        self.last_error = (
            f"{type(error).__name__}: {error}" if isinstance(error, BaseException) else str(error)
        )
        if log_exc:
            log.error(
                "shipper: %s",
                self.last_error,
                exc_info=error if isinstance(error, BaseException) else None,
            )
        elif streak == 1:
            log.warning("shipper: delivery failed, retrying with backoff: %s", self.last_error)
        else:
            log.debug("shipper: delivery failed (%d in a row): %s", streak, self.last_error)

    def _succeeded(self, batch: SpoolBatch) -> None:
        with self._settle:
            self._spool.ack(batch)
            with self._stats_lock:
                streak = self._counts["consecutive_failures"]
                self._counts["consecutive_failures"] = 0
                self._counts["batches_sent"] += 1
                self._counts["events_acked"] += len(batch)
        self._notify()
        if streak:
            log.info("shipper: delivering again after %d failed attempts", streak)

    def _notify(self) -> None:
        with self._acked:
            self._generation += 1
            self._acked.notify_all()


def _snippet(resp: Response) -> str:
    text = resp.body[:_SNIPPET].decode("utf-8", "replace")
    return text + ("..." if len(resp.body) > _SNIPPET else "")
