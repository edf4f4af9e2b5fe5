"""Chain heads: the last accepted ``(seq, hash)`` of every stream, in shared state.

The collector checks that a batch continues its stream's head, delivers the segment to
the sink, and only then records the new head with :meth:`HeadStore.put`.  Heads live in
Kafka (:class:`KafkaHeadStore`) so they survive a collector restart and are shared by
several replicas; :class:`MemoryHeadStore` serves tests and the single-process mode.

Why segment first, head after: if the collector dies between the two writes, the head
still names the older position.  The emitter, which got no answer, retries the same
batch; it is then seen as a continuation of that older head, accepted, and produced
again: a duplicate, which the pipeline removes on ``(stream_id, seq)``, never a loss.
Writing the head first would instead lose the batch (the head would claim events that
no topic holds, and the retry would look like a replay).

Several replicas: each keeps a local map fed by a background consumer of the heads
topic, so a replica may briefly lag another one's writes.  A replica that sees an
apparent gap (a batch starting past its known head) calls :meth:`HeadStore.refresh`
before it declares the chain broken.  ``refresh`` is linearizable: it appends a
barrier record (a tombstone under the reserved key ``~barrier``, which no stream id can
take since they start alphanumeric) to every partition of the heads topic and waits until
the consumer has read past all of them, so every head acknowledged before the call is
then in the map.  (The plain way, waiting for the partitions' end offsets, is not used:
``ListOffsets`` answers stale values on Tansu's S3 storage.)

Failures: ``put`` and ``refresh`` raise :class:`SinkUnavailable` (bounded by
``delivery_timeout_s`` / ``timeout``); the producer is then replaced, as in the Kafka sink
(:class:`~tooltrail.collector.sinks.kafka.ManagedProducer`), and the background consumer
keeps retrying until the broker is back.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from tooltrail.collector.errors import SinkUnavailable
from tooltrail.collector.sinks.kafka import (
    KafkaConsumer,
    KafkaOptions,
    ManagedProducer,
    TopicPartition,
    confirmed_offset,
    ensure_topics,
    kafka_errors,
)

__all__ = ["BARRIER_KEY", "Head", "HeadStore", "KafkaHeadStore", "MemoryHeadStore"]

log = logging.getLogger(__name__)

BARRIER_KEY = b"~barrier"


@dataclass(frozen=True, slots=True)
class Head:
    """The last accepted event of a stream: its ``seq`` and its ``hash``."""

    seq: int
    hash: str

    def to_json(self) -> bytes:
        return json.dumps({"seq": self.seq, "hash": self.hash}, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Head:
        data = json.loads(raw)
        seq, hash_ = data["seq"], data["hash"]
        if type(seq) is not int or seq < 0 or not isinstance(hash_, str):
            raise ValueError(f"bad head record {raw[:200]!r}")
        return cls(seq, hash_)


@runtime_checkable
class HeadStore(Protocol):
    def get(self, stream_id: str) -> Head | None:
        """The stream's head as this replica knows it (no I/O)."""
        ...

    def put(self, stream_id: str, head: Head) -> None:
        """Record ``head``; called only AFTER its segment was durably delivered."""
        ...

    def refresh(self, timeout: float) -> None:
        """Catch up with heads written by other replicas; raises ``SinkUnavailable``
        when that cannot be done within ``timeout`` seconds."""
        ...

    def close(self) -> None: ...


def _newer(current: Head | None, candidate: Head) -> bool:
    return current is None or candidate.seq > current.seq


class MemoryHeadStore:
    """Heads in a dict of this process (tests, single-process mode); keeps the max seq."""

    def __init__(self) -> None:
        self._heads: dict[str, Head] = {}
        self._lock = threading.Lock()

    def get(self, stream_id: str) -> Head | None:
        with self._lock:
            return self._heads.get(stream_id)

    def put(self, stream_id: str, head: Head) -> None:
        with self._lock:
            if _newer(self._heads.get(stream_id), head):
                self._heads[stream_id] = head

    def refresh(self, timeout: float) -> None:
        return None

    def close(self) -> None:
        return None


class KafkaHeadStore:
    """Heads on the (compacted) heads topic, keyed by stream id, value ``{"seq","hash"}``.

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
            self._partitions = sorted(self._producer.get().partitions_for(self._topic))
            # short fetch waits: refresh() waits for this consumer to pass its barrier
            consumer = KafkaConsumer(
                **options.consumer_config(suffix="-heads"), fetch_max_wait_ms=50
            )
            tps = [TopicPartition(self._topic, p) for p in self._partitions]
            consumer.assign(tps)
            consumer.seek_to_beginning(*tps)
        except kafka_errors.KafkaError as exc:
            self._close_clients(consumer)
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
        if _newer(current, head):
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

    def put(self, stream_id: str, head: Head) -> None:
        if self._closed:
            raise SinkUnavailable("head store is closed")
        producer = self._producer.get()
        try:
            future = producer.send(self._topic, key=stream_id.encode(), value=head.to_json())
            confirmed_offset(future.get(timeout=self.options.delivery_timeout_s))
        except kafka_errors.KafkaError as exc:
            self._producer.discard(producer, exc)
            raise SinkUnavailable(f"cannot record the head of {stream_id}: {exc}") from exc
        with self._cond:
            if _newer(self._heads.get(stream_id), head):
                self._heads[stream_id] = head

    def refresh(self, timeout: float) -> None:
        if self._closed:
            raise SinkUnavailable("head store is closed")
        deadline = time.monotonic() + timeout
        targets: dict[int, int] = {}
        producer = self._producer.get()
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
