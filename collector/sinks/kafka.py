"""The production sink: verified segments go to a Kafka-protocol broker.

One Kafka record per :class:`~tooltrail.collector.sinks.base.Segment` goes to
``events_topic``, keyed by ``stream_id`` (so one stream's segments stay in one partition,
in order) with the headers ``source``, ``first_seq``, ``last_seq``, ``head_hash`` and
``findings`` (comma list, empty when clean) and ``quarantine`` (``1`` for evidence kept beside
the stream, else ``0``), and with a record key (``KafkaOptions.record_key``) ``tooltrail-mac``, the
collector's seal on the value (:mod:`tooltrail.broker.recordmac`); the value is the segment's
JSON ``body``.
A segment with findings also yields one small JSON record on ``integrity_topic``
(same key and headers) so detectors need not read the whole event stream.

Durability: the producer is idempotent with ``acks="all"``; :meth:`KafkaSink.deliver`
sends every record of the call (a group commit hands it every segment of its group), flushes
once, then waits (bounded by ``delivery_timeout_s``) for every
acknowledgement.  If any record fails or the time runs out it raises
:class:`~tooltrail.collector.errors.SinkUnavailable` (``from`` the Kafka error) and the
whole call counts as not delivered.  Records of a failed call may still land later: the
emitter's retry then makes a duplicate, which the pipeline drops on ``(stream_id, seq)``.
An acknowledgement without an offset counts as a failure too
(:func:`tooltrail.broker.confirmed_offset`).

The sink starts unconnected when the broker is down (:meth:`KafkaSink.ready` is then
``False``) and reconnects on delivery; after any failed delivery its producer is replaced
(:class:`tooltrail.broker.ManagedProducer`, the Kafka layer both the collector and the
pipeline use).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from typing import Any

from tooltrail.broker import (
    BrokerUnavailable,
    KafkaOptions,
    ManagedProducer,
    RecordKey,
    broker_reachable,
    confirmed_offset,
    kafka_errors,
)
from tooltrail.collector.errors import SinkUnavailable
from tooltrail.collector.sinks.base import Segment

__all__ = ["KafkaSink", "integrity_record", "segment_headers"]

log = logging.getLogger(__name__)


def segment_headers(segment: Segment, key: RecordKey | None = None) -> list[tuple[str, bytes]]:
    """The events record's headers; with ``key``, its MAC over the body too."""
    headers = [
        ("source", segment.source.encode()),
        ("first_seq", str(segment.first_seq).encode()),
        ("last_seq", str(segment.last_seq).encode()),
        ("head_hash", segment.head_hash.encode()),
        ("findings", ",".join(segment.findings).encode()),
        ("quarantine", b"1" if segment.quarantine else b"0"),
    ]
    if key is not None:
        headers.append(key.header(segment.body))
    return headers


def integrity_record(segment: Segment) -> bytes:
    """The integrity topic's value: where the findings are, and their details from the body."""
    details: list[Any] = []
    try:
        body = json.loads(segment.body)
        if isinstance(body, dict) and isinstance(body.get("findings"), list):
            details = body["findings"]
    except ValueError:
        pass
    record = {
        "v": 1,
        "stream_id": segment.stream_id,
        "source": segment.source,
        "first_seq": segment.first_seq,
        "last_seq": segment.last_seq,
        "head_hash": segment.head_hash,
        "findings": list(segment.findings),
        "details": details,
    }
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode()


class KafkaSink:
    """Delivers segments to Kafka; see the module docstring for the guarantees."""

    def __init__(self, settings: KafkaOptions, *, retry_after: float = 1.0) -> None:
        self.options = settings
        self.key = RecordKey.optional(settings.record_key)
        self.retry_after = retry_after
        self.producer = ManagedProducer(settings, retry_after=retry_after)
        self._closed = False
        try:
            self.producer.get()
        except BrokerUnavailable as exc:
            log.warning("Kafka sink starts unconnected: %s", exc)

    def deliver(self, segments: Sequence[Segment]) -> None:
        if not segments:
            return
        try:
            producer = self.producer.get()
        except BrokerUnavailable as exc:
            raise SinkUnavailable(str(exc), retry_after=exc.retry_after) from exc
        deadline = time.monotonic() + self.options.delivery_timeout_s
        events, integrity = self.options.events_topic, self.options.integrity_topic
        try:
            futures = []
            for seg in segments:
                key = seg.stream_id.encode()
                headers = segment_headers(seg, self.key)
                futures.append(producer.send(events, value=seg.body, key=key, headers=headers))
                if seg.findings:
                    value = integrity_record(seg)
                    futures.append(
                        producer.send(integrity, value=value, key=key, headers=segment_headers(seg))
                    )
            # one flush for the whole call (a group commit's segments): sent now, not after linger
            producer.flush(timeout=max(deadline - time.monotonic(), 0.001))
            for future in futures:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise kafka_errors.KafkaTimeoutError(
                        f"not acknowledged within {self.options.delivery_timeout_s}s"
                    )
                confirmed_offset(future.get(timeout=remaining))
        except kafka_errors.KafkaError as exc:
            self.producer.discard(producer, exc)
            raise SinkUnavailable(
                f"Kafka did not take {len(segments)} segment(s): {exc}",
                retry_after=self.retry_after,
            ) from exc

    def ready(self) -> bool:
        if self._closed:
            return False
        if not broker_reachable(self.options, timeout=min(1.0, self.options.connect_timeout_s)):
            return False
        try:
            self.producer.get()
        except BrokerUnavailable:
            return False
        return True

    def close(self) -> None:
        self._closed = True
        self.producer.close(timeout=min(self.options.delivery_timeout_s, 5.0))
