"""The Kafka sink on confluent-kafka (librdkafka), an optional extra (``tooltrail[confluent]``).

The same records, keys, headers and guarantees as :class:`~tooltrail.collector.sinks.kafka.
KafkaSink` (whose module docstring states them): one record per segment on ``events_topic``
keyed by ``stream_id``, one more on ``integrity_topic`` for a segment with findings; an
idempotent producer with ``acks=all``. :meth:`ConfluentSink.deliver` produces every record of the
call (a group commit's segments), flushes once (bounded by ``delivery_timeout_s``), and returns
only when every record was acknowledged with an offset; otherwise it raises
:class:`~tooltrail.collector.errors.SinkUnavailable` and the whole call counts as not delivered
(records of it may still land: duplicates, which the pipeline drops on ``(stream_id, seq)``).
After any failed delivery the producer is replaced (its pending records purged), as the
kafka-python sink does. librdkafka does its network I/O and compression in its own threads,
without the GIL; that is the point of this sink (``kafka_client = "confluent"``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

from confluent_kafka import KafkaException, Producer

from tooltrail.broker import KafkaOptions, RecordKey, broker_reachable
from tooltrail.collector.errors import SinkUnavailable
from tooltrail.collector.sinks.base import Segment
from tooltrail.collector.sinks.kafka import integrity_record, segment_headers

__all__ = ["ConfluentSink"]

log = logging.getLogger(__name__)


class ConfluentSink:
    """Delivers segments with confluent-kafka; see the module docstring for the guarantees."""

    def __init__(self, options: KafkaOptions, *, retry_after: float = 1.0) -> None:
        self.options = options
        self.key = RecordKey.optional(options.record_key)
        self.retry_after = retry_after
        self._lock = threading.Lock()
        self._producer: Any = None
        self._closed = False
        self.replaced = 0  # producers dropped after a failure

    def _get(self) -> Any:
        with self._lock:
            if self._closed:
                raise SinkUnavailable("sink closed", retry_after=self.retry_after)
            if self._producer is None:
                config = self.options.confluent_producer_config()
                try:
                    self._producer = Producer(config, logger=log)
                except KafkaException as exc:
                    raise SinkUnavailable(
                        f"Kafka producer not created: {exc}", retry_after=self.retry_after
                    ) from exc
            return self._producer

    def _discard(self, producer: Any) -> None:
        with self._lock:
            if self._producer is producer:
                self._producer = None
                self.replaced += 1
        try:
            producer.purge()
            producer.flush(0)
        except (KafkaException, RuntimeError):  # pragma: no cover - best effort
            log.debug("purging a failed producer", exc_info=True)

    def deliver(self, segments: Sequence[Segment]) -> None:
        if not segments:
            return
        producer = self._get()
        timeout = self.options.delivery_timeout_s
        events, integrity = self.options.events_topic, self.options.integrity_topic
        failures: list[str] = []
        acked = 0

        def done(err: Any, msg: Any) -> None:
            nonlocal acked
            if err is not None:
                failures.append(str(err))
            elif msg.offset() is None or msg.offset() < 0:
                failures.append(f"{msg.topic()}/{msg.partition()}: acknowledged without an offset")
            else:
                acked += 1

        sent = 0
        try:
            for seg in segments:
                key = seg.stream_id.encode()
                headers = segment_headers(seg, self.key)
                producer.produce(events, seg.body, key, headers=headers, on_delivery=done)
                sent += 1
                if seg.findings:
                    value = integrity_record(seg)
                    producer.produce(
                        integrity, value, key, headers=segment_headers(seg), on_delivery=done
                    )
                    sent += 1
            deadline = time.monotonic() + timeout
            left = producer.flush(timeout)
            while left and time.monotonic() < deadline:  # flush may return early on a signal
                left = producer.flush(max(deadline - time.monotonic(), 0.0))
        except (KafkaException, BufferError) as exc:
            failures.append(repr(exc))
            left = -1
        if failures or left or acked != sent:
            self._discard(producer)
            reason = failures[0] if failures else f"not acknowledged within {timeout}s"
            raise SinkUnavailable(
                f"Kafka did not take {len(segments)} segment(s): {reason}",
                retry_after=self.retry_after,
            )

    def ready(self) -> bool:
        if self._closed:
            return False
        return broker_reachable(self.options, timeout=min(1.0, self.options.connect_timeout_s))

    def close(self) -> None:
        with self._lock:
            self._closed = True
            producer, self._producer = self._producer, None
        if producer is not None:
            producer.flush(min(self.options.delivery_timeout_s, 5.0))
