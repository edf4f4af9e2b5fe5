"""Dead letters: the records no retry can store, set aside on their own topic with the reason.

A record goes to the dead-letter topic exactly as it came (key, value and headers) behind the
headers ``reason``, ``original_topic``, ``original_partition`` and ``original_offset``. It is
sent when it is found; :meth:`DeadLetters.settle` waits until every buffered one is acknowledged
(sending again any that failed) or raises ``KafkaError``, and the processor commits a dead
letter's offset only after that: a crash in between may send one twice, none is lost.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from tooltrail.broker import KafkaOptions, KafkaProducer, close_producer, kafka_errors

from .metrics import PipelineMetrics

__all__ = ["DeadLetters"]

log = logging.getLogger(__name__)

_MAX_REASON = 1000  # characters of a dead letter's reason header


@dataclass(slots=True)
class _DeadLetter:
    tp: Any  # TopicPartition
    record: Any  # kafka-python ConsumerRecord
    reason: str
    future: Any = None  # the produce future, once sent


class DeadLetters:
    """The dead letters of the processor's buffer, sent to ``topic``."""

    def __init__(self, options: KafkaOptions, topic: str, metrics: PipelineMetrics) -> None:
        self._options = options
        self._topic = topic
        self._metrics = metrics
        self._dead: list[_DeadLetter] = []
        self._producer: Any = None

    def __len__(self) -> int:
        return len(self._dead)

    @property
    def size(self) -> int:
        """Bytes of the buffered records' values."""
        return sum(len(d.record.value or b"") for d in self._dead)

    def add(self, tp: Any, record: Any, reason: str) -> None:
        """Set ``record`` aside for ``reason``: sent now, acknowledged by :meth:`settle`."""
        reason = reason[:_MAX_REASON]
        log.warning("dead-lettering %s:%d@%d: %s", tp.topic, tp.partition, record.offset, reason)
        dead = _DeadLetter(tp, record, reason)
        self._dead.append(dead)
        self._metrics.dead_lettered.inc()
        try:
            self._send(dead)
        except kafka_errors.KafkaError as exc:  # sent again by settle
            log.warning("dead letter not sent yet: %s", exc)

    def _send(self, dead: _DeadLetter) -> None:
        if self._producer is None:
            self._producer = KafkaProducer(**self._options.producer_config("-deadletter"))
        record = dead.record
        headers = [
            ("reason", dead.reason.encode()),
            ("original_topic", record.topic.encode()),
            ("original_partition", str(record.partition).encode()),
            ("original_offset", str(record.offset).encode()),
            *(record.headers or ()),
        ]
        dead.future = self._producer.send(
            self._topic, value=record.value, key=record.key, headers=headers
        )

    def settle(self) -> None:
        """Every buffered dead letter acknowledged (re-sent if it failed), or KafkaError."""
        deadline = time.monotonic() + self._options.delivery_timeout_s
        for dead in self._dead:
            if dead.future is None or (dead.future.is_done and dead.future.failed()):
                self._send(dead)
        for dead in self._dead:
            dead.future.get(timeout=max(deadline - time.monotonic(), 0.001))

    def drop(self, gone: Collection[Any]) -> int:
        """Forget the dead letters of the partitions ``gone`` (revoked); how many there were."""
        before = len(self._dead)
        self._dead = [d for d in self._dead if d.tp not in gone]
        return before - len(self._dead)

    def clear(self) -> None:
        self._dead.clear()

    def close(self) -> None:
        if self._producer is not None:
            close_producer(self._producer, timeout=min(self._options.delivery_timeout_s, 5.0))
