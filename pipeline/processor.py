"""The stream processor: collector segments from Kafka → the store, exactly once in effect.

One :class:`Processor` is one member of the consumer group ``kafka_group_id`` on the events topic;
:meth:`~Processor.run` repeats :meth:`~Processor.run_once`: poll → ``decode_segment`` → buffer →
when ``batch_max_rows`` events or ``batch_max_wait_s`` old: ``store.insert_segments`` → dead
letters acknowledged → commit the offsets of exactly the flushed records.

* **Commit after insert, never before.** A crash in between redelivers the records; the store
  skips every event it holds already (same stream, seq and hash), so nothing is written twice
  (``InsertResult.duplicates``), and a record arriving after a later one of its stream (copied
  ahead into another partition) is still stored. The ``dedupe_token`` (partition/offset
  ranges + the segments' seq ranges) also lets ClickHouse drop a retried block. A commit
  that fails after the insert is retried with the next flush, or by the loop if none comes.
* **Store down.** Nothing is committed, the buffer is kept and the flush retried with exponential
  backoff; meanwhile (and whenever the buffer is over ``max_buffered_rows`` /
  ``max_buffered_bytes``) the assigned partitions are **paused**: memory stays bounded and the
  member stays in its group. They resume after the next successful flush.
* **Only what a collector wrote is stored as a stream.** With a record key
  (``kafka_record_key``, :mod:`tooltrail.broker.recordmac`) a record whose collector MAC
  verifies is taken without validating each event again (the collector did; a clean run of new
  events is not even parsed here: ClickHouse parses it, ``store/jsonrows.py``); one whose MAC is
  missing or wrong (written to the topic by anyone else) is validated in full and kept in
  quarantine with an ``unauthenticated`` finding, never in the stream. Without a key every
  record is validated in full and stored as the collector's (``intake.py``).
* **A stamped record that cannot be stored does not stall the partition.** When a flush that
  holds records taken on their MAC fails, whatever the error, those records are validated in
  full at once (``intake.recheck``) and the flush tried again through the Python path: what
  passes is stored, what breaks the contract is dead-lettered with a ``rejected`` finding
  naming the field and the rule. Only then is a failure the store's, retried as above. No
  error classification is needed, on chDB or a server: a store that is down fails both tries.
* **Poison records** go, original key, bytes and headers, to the dead-letter topic with the
  headers ``reason``, ``original_topic``, ``original_partition``, ``original_offset``; their
  offsets are committed with the next flush, once acknowledged (a crash may send one twice;
  ``deadletters.py``).
* **Rebalance.** kafka-python runs the listener inside ``poll()``/``close()`` on its I/O thread,
  where no commit is possible. A revoked partition's uncommitted records are dropped and the
  partition rewound to the first of them (an eager rebalance keeps the position of a partition
  that comes back); its next owner re-reads them from the committed offset and the store
  deduplicates. Cached stream heads are forgotten on every assignment.

Limit: a member evicted during an insert (session timeout) may write a batch its successor
writes too; the events table (ReplacingMergeTree) collapses such exact copies; ``FINAL`` hides
them until it merges.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import warnings
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from tooltrail._gc import settle as settle_gc
from tooltrail.broker import (
    BrokerUnavailable,
    KafkaConsumer,
    RecordKey,
    ensure_topics,
    kafka_errors,
)

from ._flow import hold, lags
from .buffer import Buffer
from .deadletters import DeadLetters
from .errors import PipelineError, PoisonRecord
from .intake import Taken, classify
from .metrics import PipelineMetrics
from .settings import PipelineSettings
from .store import InsertResult, Store

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    from kafka import ConsumerRebalanceListener
    from kafka.structs import OffsetAndMetadata

__all__ = ["Processor"]

log = logging.getLogger(__name__)


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]
    """Forwards kafka-python's rebalance callbacks to the processor."""

    def __init__(self, processor: Processor) -> None:
        self._processor = processor

    def on_partitions_revoked(self, revoked: Collection[Any]) -> None:
        self._processor._on_revoked(revoked)

    def on_partitions_lost(self, lost: Collection[Any]) -> None:
        self._processor._on_revoked(lost)

    def on_partitions_assigned(self, assigned: Collection[Any]) -> None:
        self._processor._on_assigned(assigned)


class Processor:
    """One consumer-group member moving segments from Kafka into ``store``; see the module doc."""

    def __init__(
        self,
        settings: PipelineSettings,
        store: Store,
        *,
        metrics: PipelineMetrics | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.metrics = metrics or PipelineMetrics()
        self.options = settings.kafka_options()
        self._key = RecordKey.optional(self.options.record_key)
        if self._key is None:
            log.warning(
                "no record key (kafka_record_key): every record on %s is validated and stored "
                "as a collector's, whoever wrote it",
                settings.kafka_topic_events,
            )
        self.topic = settings.kafka_topic_events
        self.deadletter_topic = settings.kafka_topic_deadletter
        self._dead = DeadLetters(self.options, settings.kafka_topic_deadletter, self.metrics)
        self._buffer = Buffer(self._dead)
        self._failing = False
        self._retry_at = 0.0
        self._backoff = settings.retry_backoff_initial_s
        self._lag_at = 0.0
        self._uncommitted: dict[Any, Any] = {}  # tp -> offsets stored, their commit failed
        self._closed = False
        self._metrics_server: Any = None
        s = settings
        try:
            if s.kafka_create_topics:
                ensure_topics(self.options, [self.topic, self.deadletter_topic])
            self._consumer = KafkaConsumer(
                **self.options.consumer_config(s.kafka_group_id, "-consumer"),
                max_poll_records=s.kafka_max_poll_records,
                max_poll_interval_ms=s.kafka_max_poll_interval_ms,
                fetch_max_wait_ms=s.kafka_fetch_max_wait_ms,
                max_partition_fetch_bytes=s.kafka_max_partition_fetch_bytes,
            )
        except (BrokerUnavailable, kafka_errors.KafkaError) as exc:
            raise PipelineError(
                f"Kafka unreachable at {settings.kafka_bootstrap_servers}: {exc}"
            ) from exc
        self._consumer.subscribe([self.topic], listener=_Listener(self))
        if settings.metrics_port is not None:
            try:
                self._metrics_server, _ = self.metrics.serve(settings.metrics_port, s.metrics_host)
            except OSError:
                self._consumer.close(autocommit=False)
                raise

    @property
    def metrics_port(self) -> int | None:
        """The port ``/metrics`` is served on (useful when ``metrics_port`` was 0)."""
        return int(self._metrics_server.server_port) if self._metrics_server is not None else None

    @property
    def buffered_events(self) -> int:
        return self._buffer.rows

    @property
    def failing(self) -> bool:
        """Whether the last flush failed (the store or the dead-letter topic is down)."""
        return self._failing

    def assignment(self) -> set[Any]:
        return set(self._consumer.assignment())

    def paused(self) -> set[Any]:
        return set(self._consumer.paused())

    # -- the loop ------------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Process until ``stop`` is set, then flush what is buffered (the caller closes).

        A service from here on: what exists now is frozen out of the garbage collector's reach
        and its young generation collected less often (:func:`tooltrail._gc.settle`): a buffer
        of 20k decoded events otherwise has the collector walk it again and again (6-9 µs of
        ~20 µs per event, measured).
        """
        settle_gc()
        while not stop.is_set():
            try:
                self.run_once()
            except kafka_errors.KafkaError as exc:
                log.warning("Kafka error in the processor loop (retrying): %s", exc)
                stop.wait(self.settings.retry_backoff_initial_s)
        self.flush()

    def run_once(self, max_wait_s: float = 0.5) -> int:
        """Flush if due, (un)pause, poll at most ``max_wait_s``, take the records, flush if due.

        Returns the number of records taken from Kafka.
        """
        if self._flush_due(time.monotonic()):
            self.flush()
        self._apply_pause()
        records = self._consumer.poll(timeout_ms=int(self._poll_timeout(max_wait_s) * 1000))
        taken = 0
        if records:
            assigned = self._consumer.assignment()
            for tp, batch in records.items():
                if tp not in assigned:  # revoked during this poll; redelivered to its owner
                    continue
                for record in batch:
                    self._take(tp, record)
                    if self._flush_due(time.monotonic()):
                        self.flush()
                taken += len(batch)
        if self._flush_due(time.monotonic()) or (
            self._uncommitted and self._buffer.opened_at is None
        ):
            self.flush()
        self._apply_pause()
        self._update_lag()
        return taken

    def _poll_timeout(self, max_wait_s: float) -> float:
        now = time.monotonic()
        wait = max_wait_s
        if self._failing:
            wait = min(wait, max(self._retry_at - now, 0.0))
        elif self._buffer.opened_at is not None:
            opened = self._buffer.opened_at
            wait = min(wait, max(opened + self.settings.batch_max_wait_s - now, 0.0))
        return wait

    def _flush_due(self, now: float) -> bool:
        buffer, s = self._buffer, self.settings
        if buffer.opened_at is None or (self._failing and now < self._retry_at):
            return False
        return (
            buffer.rows >= s.batch_max_rows
            or buffer.size >= s.max_buffered_bytes
            or now - buffer.opened_at >= s.batch_max_wait_s
        )

    def _take(self, tp: Any, record: Any) -> None:
        self.metrics.records_consumed.inc()
        value = record.value
        self._buffer.offset(tp, record)
        if not isinstance(value, bytes):
            self._dead.add(tp, record, "the record has no value")
            return
        self._buffer.size += len(value)
        try:
            segment, trust = classify(value, record.headers, self._key)
        except PoisonRecord as exc:
            self._dead.add(tp, record, exc.reason)
            return
        if trust == "unauthenticated":  # not from a collector holding the key: evidence
            self.metrics.unauthenticated.inc()
            log.warning(
                "%s:%d@%d has no valid collector MAC: quarantined",
                tp.topic,
                tp.partition,
                record.offset,
            )
        taken = Taken(tp, record, segment, len(value), checked=trust != "stamped")
        self._buffer.add(taken)
        self.metrics.events_consumed.inc(taken.events)

    def _apply_pause(self) -> None:
        s, buffer = self.settings, self._buffer
        full = buffer.rows >= s.max_buffered_rows or buffer.size >= s.max_buffered_bytes
        hold(self._consumer, "flush failing" if self._failing else "full" if full else None)
        self.metrics.paused.set(1 if self._failing or full else 0)
        self.metrics.buffered_rows.set(buffer.rows)

    def _update_lag(self, every_s: float = 1.0) -> None:
        now = time.monotonic()
        if now >= self._lag_at:
            self._lag_at = now + every_s
            self.metrics.set_lag(lags(self._consumer, self._buffer.next))

    # -- flush and commit ----------------------------------------------------------------------

    def dedupe_token(self) -> str:
        """Names the buffer's records: the same records always give the same token."""
        return self._buffer.dedupe_token(self.settings.kafka_group_id)

    def flush(self) -> bool:
        """Insert the buffer, settle dead letters, then commit; False (nothing committed) on
        failure, which keeps the buffer and schedules a retry with backoff."""
        buffer = self._buffer
        if buffer.opened_at is None:
            if self._uncommitted:
                self._commit_stored({})
            return True
        started = time.monotonic()
        try:
            if buffer.taken and not buffer.inserted:
                try:
                    result = self._insert()
                except Exception as exc:
                    if not self._recheck(exc):
                        raise
                    result = self._insert()
                buffer.inserted = True
                self.metrics.events_inserted.inc(result.inserted)
                self.metrics.events_duplicate.inc(result.duplicates)
            if self._dead:
                self._dead.settle()
        except (PipelineError, kafka_errors.KafkaError) as exc:
            self._flush_failed(exc)
            return False
        self._commit_stored({tp: OffsetAndMetadata(buffer.next[tp], "", -1) for tp in buffer.first})
        self._update_lag(every_s=0.0)  # the gauge shows the state of every commit at once
        self.metrics.observe_flush(buffer.rows, time.monotonic() - started)
        if self._failing:
            log.info("flush succeeded again; resuming")
        self._failing = False
        self._backoff = self.settings.retry_backoff_initial_s
        buffer.clear()
        return True

    def _insert(self) -> InsertResult:
        segments = self._buffer.segments()
        return self.store.insert_segments(segments, dedupe_token=self.dedupe_token())

    def _recheck(self, exc: Exception) -> bool:
        """After a failed insert: validate in full the records taken on their MAC; those that
        break the contract are dead-lettered (``Buffer.recheck``). False when there was none:
        the failure is the store's."""
        rejected = self._buffer.recheck()
        if rejected is None:
            return False
        log.warning("insert failed with records taken on trust, validated in full now: %s", exc)
        self.metrics.rejected.inc(rejected)
        return True

    def _commit_stored(self, offsets: Mapping[Any, Any]) -> None:
        """Commit ``offsets`` of records just stored, and those of a failed commit before (for
        the partitions still held): a failed commit loses nothing (redelivered, the store skips
        them), and its offsets do not wait for a later record of their partition."""
        assigned = self._consumer.assignment()
        pending = {tp: o for tp, o in {**self._uncommitted, **offsets}.items() if tp in assigned}
        if not pending:
            self._uncommitted = {}
            return
        try:
            self._commit(pending)
        except kafka_errors.KafkaError as exc:
            self.metrics.commit_failures.inc()
            log.warning("offset commit failed after the insert (retried): %s", exc)
            self._uncommitted = pending
        else:
            self._uncommitted = {}

    def _commit(self, offsets: Mapping[Any, Any]) -> None:
        """Commit ``offsets`` (only ever called after the insert they cover succeeded)."""
        self._consumer.commit(dict(offsets), timeout_ms=self.options.request_timeout_ms)

    def _flush_failed(self, exc: Exception) -> None:
        self.metrics.insert_failures.inc()
        self._failing = True
        self._retry_at = time.monotonic() + self._backoff
        log.warning("flush failed, nothing committed; retry in %.2fs: %s", self._backoff, exc)
        self._backoff = min(self._backoff * 2, self.settings.retry_backoff_max_s)

    # -- rebalance (called on kafka-python's I/O thread while this one waits in poll/close) ----

    def _on_revoked(self, revoked: Iterable[Any]) -> None:
        gone = set(revoked)
        self._uncommitted = {tp: o for tp, o in self._uncommitted.items() if tp not in gone}
        rewind, dropped = self._buffer.revoke(gone)
        if not rewind:
            return
        self.metrics.dropped_on_revoke.inc(dropped)
        for tp, offset in rewind.items():
            # an eager rebalance keeps the position if the partition comes back
            with contextlib.suppress(ValueError, kafka_errors.KafkaError):
                self._consumer.seek(tp, offset)
        log.info("revoked %s: gave up their uncommitted records, rewound", sorted(rewind))

    def _on_assigned(self, assigned: Iterable[Any]) -> None:
        log.info("assigned partitions %s", sorted(assigned))
        self.store.forget_heads()

    # -- lifecycle -----------------------------------------------------------------------------

    def close(self, *, flush: bool = True) -> None:
        """Flush (one attempt) and commit, leave the group, close the clients; idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            if flush:
                self.flush()
        finally:
            try:
                self._consumer.close(autocommit=False)
            finally:
                self._dead.close()
                if self._metrics_server is not None:
                    self._metrics_server.shutdown()
                    self._metrics_server.server_close()

    def __enter__(self) -> Processor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
