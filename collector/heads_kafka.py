"""Chain heads on a compacted Kafka topic; see :mod:`tooltrail.collector.heads` for the design."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

from tooltrail.broker import (
    BrokerUnavailable,
    KafkaConsumer,
    KafkaOptions,
    ManagedProducer,
    TopicPartition,
    confirmed_offset,
    ensure_topics,
    kafka_errors,
)
from tooltrail.collector.errors import SinkUnavailable

from .heads import Head, newer

__all__ = ["BARRIER_KEY", "KafkaHeadStore"]

log = logging.getLogger(__name__)

BARRIER_KEY = b"~barrier"


class KafkaHeadStore:
    """Heads on the (compacted) heads topic, keyed by stream id, value ``Head.to_json()``.

    A background thread consumes every partition from the beginning (no consumer group)
    into a local map; :meth:`put` produces with ``acks=all`` and updates the map (keeping
    the max seq).  The constructor creates the topic if needed and loads every head
    before it returns, bounded by ``load_timeout_s`` (``SinkUnavailable`` otherwise).
    """

    def __init__(self, options: KafkaOptions, *, load_timeout_s: float | None = None) -> None:
        self.options = options
        self._topic = options.heads_topic
        self._heads: dict[str, Head] = {}
        self._positions: dict[int, int] = {}
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._closed = False
        self._producer = ManagedProducer(options, suffix="-heads")
        self._thread: threading.Thread | None = None
        load_timeout = options.delivery_timeout_s if load_timeout_s is None else load_timeout_s
        consumer: Any = None
        try:
            ensure_topics(options, [self._topic])
            self._partitions = sorted(self._get_producer().partitions_for(self._topic))
            # short fetch waits: refresh() waits for this consumer to pass its barrier
            consumer = KafkaConsumer(
                **options.consumer_config(suffix="-heads"), fetch_max_wait_ms=50
            )
            tps = [TopicPartition(self._topic, p) for p in self._partitions]
            consumer.assign(tps)
            consumer.seek_to_beginning(*tps)
        except (kafka_errors.KafkaError, BrokerUnavailable) as exc:
            self._close_clients(consumer)
            if isinstance(exc, SinkUnavailable):
                raise
            raise SinkUnavailable(f"head store cannot reach Kafka: {exc}") from exc
        except BaseException:
            self._close_clients(consumer)
            raise
        self._thread = threading.Thread(
            target=self._run, args=(consumer, tps), name="tooltrail-heads", daemon=True
        )
        self._thread.start()
        try:
            self.refresh(load_timeout)
        except BaseException:
            self.close()
            raise

    def _close_clients(self, consumer: Any) -> None:
        if consumer is not None:
            try:
                consumer.close()
            except Exception:  # pragma: no cover - best effort
                log.debug("closing the heads consumer", exc_info=True)
        self._producer.close(timeout=0)

    # -- reading ---------------------------------------------------------------------------

    def _run(self, consumer: Any, tps: list[TopicPartition]) -> None:
        try:
            while not self._stop.is_set():
                try:
                    batches = consumer.poll(timeout_ms=200)
                    positions = {tp.partition: consumer.position(tp, timeout_ms=200) for tp in tps}
                except Exception as exc:  # broker away: keep trying until close()
                    log.warning("heads consumer: %r", exc)
                    self._stop.wait(0.5)
                    continue
                with self._cond:
                    for records in batches.values():
                        for record in records:
                            self._apply(record)
                    for partition, pos in positions.items():
                        if pos is not None:
                            self._positions[partition] = max(self._positions.get(partition, 0), pos)
                    self._cond.notify_all()
        finally:
            try:
                consumer.close()
            except Exception:  # pragma: no cover - best effort
                log.debug("closing the heads consumer", exc_info=True)

    def _apply(self, record: Any) -> None:
        key, value = record.key, record.value
        if not key or value is None or key == BARRIER_KEY:
            return
        try:
            stream_id = key.decode()
            head = Head.from_json(value)
        except (ValueError, KeyError, TypeError) as exc:
            log.warning(
                "heads topic: skipping record at %s/%s: %s", record.partition, record.offset, exc
            )
            return
        current = self._heads.get(stream_id)
        if newer(current, head):
            self._heads[stream_id] = head
        elif current is not None and current.seq == head.seq and current.hash != head.hash:
            log.warning(
                "stream %s: two heads at seq %d (%s, %s)",
                stream_id,
                head.seq,
                current.hash,
                head.hash,
            )

    # -- API -------------------------------------------------------------------------------

    def get(self, stream_id: str) -> Head | None:
        with self._cond:
            return self._heads.get(stream_id)

    def _get_producer(self) -> Any:
        try:
            return self._producer.get()
        except BrokerUnavailable as exc:
            raise SinkUnavailable(str(exc), retry_after=exc.retry_after) from exc

    def put(self, stream_id: str, head: Head) -> None:
        self.put_many({stream_id: head})

    def put_many(self, heads: Mapping[str, Head]) -> None:
        """Produce every head, flush once, and take each only once acknowledged with an offset."""
        if self._closed:
            raise SinkUnavailable("head store is closed")
        if not heads:
            return
        producer = self._get_producer()
        timeout = self.options.delivery_timeout_s
        try:
            futures = [
                producer.send(self._topic, key=stream_id.encode(), value=head.to_json())
                for stream_id, head in heads.items()
            ]
            producer.flush(timeout=timeout)
            for future in futures:
                confirmed_offset(future.get(timeout=timeout))
        except kafka_errors.KafkaError as exc:
            self._producer.discard(producer, exc)
            streams = ", ".join(list(heads)[:3]) + (", ..." if len(heads) > 3 else "")
            raise SinkUnavailable(f"cannot record the head of {streams}: {exc}") from exc
        with self._cond:
            for stream_id, head in heads.items():
                if newer(self._heads.get(stream_id), head):
                    self._heads[stream_id] = head

    def refresh(self, timeout: float) -> None:
        if self._closed:
            raise SinkUnavailable("head store is closed")
        deadline = time.monotonic() + timeout
        targets: dict[int, int] = {}
        producer = self._get_producer()
        try:
            futures = [
                (p, producer.send(self._topic, key=BARRIER_KEY, value=None, partition=p))
                for p in self._partitions
            ]
            for partition, future in futures:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise kafka_errors.KafkaTimeoutError(f"barrier not acknowledged in {timeout}s")
                targets[partition] = confirmed_offset(future.get(timeout=remaining)) + 1
        except kafka_errors.KafkaError as exc:
            self._producer.discard(producer, exc)
            raise SinkUnavailable(f"cannot refresh the heads: {exc}") from exc
        with self._cond:
            while True:
                behind = [p for p, t in targets.items() if self._positions.get(p, 0) < t]
                if not behind:
                    return
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._thread is None or not self._thread.is_alive():
                    raise SinkUnavailable(
                        f"heads not caught up within {timeout}s (partitions {behind} behind)"
                    )
                self._cond.wait(remaining)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
        self._producer.close(timeout=min(self.options.delivery_timeout_s, 5.0))

    def __len__(self) -> int:
        with self._cond:
            return len(self._heads)
