"""Producing durably with kafka-python: a managed, replaceable idempotent producer.

Connection and recovery (:class:`ManagedProducer`, used by the collector's sink and head store):

* :meth:`ManagedProducer.get` connects lazily, bounded by ``connect_timeout_s``; after a failed
  attempt further attempts wait ``retry_after`` seconds and it raises
  :class:`~tooltrail.broker.errors.BrokerUnavailable` at once in between.
* After ANY failed delivery the producer is discarded (closed in the background) and the next
  ``get`` builds a fresh one, with a new idempotent producer id. kafka-python does reconnect by
  itself after a broker outage, but 3.0.12 can wedge an idempotent producer for good: when a
  batch expires while its request is in flight (a broker crash mid-stream), it resets its
  producer id to -1 and never asks for a new one, so every later send times out (measured:
  about one broker kill in four, in the restart tests). A fresh producer costs one
  reconnection and escapes every such state. The reconnect backoff is capped at
  ``reconnect_backoff_max_ms`` (1 s) so a returning broker is used quickly.
* An acknowledgement without an offset is not durable (:func:`confirmed_offset`).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from ._kafka import KafkaProducer, kafka_errors
from .errors import BrokerUnavailable
from .options import KafkaOptions

__all__ = ["ManagedProducer", "UnconfirmedWrite", "close_producer", "confirmed_offset"]

log = logging.getLogger(__name__)


class UnconfirmedWrite(kafka_errors.KafkaError):  # type: ignore[misc]
    """The broker acknowledged a record without giving it an offset."""

    retriable = True


def confirmed_offset(metadata: Any) -> int:
    """The offset of an acknowledged record; :class:`UnconfirmedWrite` when it has none.

    kafka-python takes a ``DUPLICATE_SEQUENCE_NUMBER`` answer as success, with offset -1:
    on Apache Kafka that means the records are already in the log.  Tansu on S3 storage
    gives that answer, after a crash, for a retried batch it does NOT hold (measured: one
    record lost per broker kill in the crash tests).  An acknowledgement without an
    offset is therefore not taken as durable: the delivery fails, the emitter retries, and
    a fresh producer writes it again (a duplicate at worst, never a loss).
    """
    offset = int(metadata.offset)
    if offset < 0:
        raise UnconfirmedWrite(
            f"{metadata.topic_partition}: acknowledged without an offset (duplicate sequence)"
        )
    return offset


def close_producer(producer: Any, timeout: float) -> None:
    """Close a kafka-python producer within about ``timeout`` seconds, whatever is pending.

    ``KafkaProducer.close(timeout)`` first flushes and raises ``KafkaTimeoutError`` when
    records are still pending then, leaving the producer and its I/O thread alive.  Past
    the grace time this forces the I/O thread down (pending records fail with
    ``IllegalStateError``; their delivery had not been reported anyway) and closes again.
    """
    try:
        producer.close(timeout=timeout)
        return
    except kafka_errors.KafkaError as exc:
        log.warning("producer did not flush within %ss (%s): closing it forcibly", timeout, exc)
    sender = getattr(producer, "_sender", None)  # kafka-python internals, 3.0
    if sender is not None:
        sender.force_close()
        sender.join(max(timeout, 1.0))
    try:
        producer.close(timeout=0)
    except kafka_errors.KafkaError:  # pragma: no cover - nothing left to flush by now
        log.warning("producer still not closed", exc_info=True)


class ManagedProducer:
    """One idempotent kafka-python producer, built lazily, replaced after any failure.

    :meth:`get` returns the current producer, connecting first when there is none
    (bounded by ``connect_timeout_s``; after a failed attempt further attempts wait
    ``retry_after`` seconds and :meth:`get` raises :class:`BrokerUnavailable` at once).
    :meth:`discard` is called with the producer a send failed on: it is dropped (closed in a
    background thread, so the caller is not held up) and the next :meth:`get` builds a new
    one.  Thread-safe.
    """

    def __init__(
        self, options: KafkaOptions, *, suffix: str = "", retry_after: float = 1.0
    ) -> None:
        self.options = options
        self.suffix = suffix
        self.retry_after = retry_after
        self._lock = threading.Lock()
        self._producer: Any = None
        self._next_attempt = 0.0
        self.last_error = "not connected yet"
        self.replaced = 0  # producers discarded after a failure (for metrics and tests)
        self._closed = False

    def get(self) -> Any:
        with self._lock:
            if self._closed:
                raise BrokerUnavailable("Kafka producer is closed")
            if self._producer is not None:
                return self._producer
            now = time.monotonic()
            if now < self._next_attempt:
                raise BrokerUnavailable(
                    f"Kafka unreachable: {self.last_error}",
                    retry_after=max(self._next_attempt - now, 0.1),
                )
            try:
                self._producer = KafkaProducer(**self.options.producer_config(self.suffix))
            except kafka_errors.KafkaError as exc:
                self.last_error = f"{self.options.bootstrap_servers}: {exc}"
                self._next_attempt = time.monotonic() + self.retry_after
                raise BrokerUnavailable(
                    f"Kafka unreachable at {self.last_error}", retry_after=self.retry_after
                ) from exc
            return self._producer

    def discard(self, producer: Any, exc: BaseException) -> None:
        """Drop ``producer`` after ``exc``; a new one is built by the next :meth:`get`."""
        with self._lock:
            self.last_error = repr(exc)
            if self._producer is not producer:
                return  # another thread replaced it already
            self._producer = None
            self.replaced += 1
        log.warning("Kafka send failed (%r): replacing the producer", exc)
        # a short grace lets concurrent sends on this producer finish
        threading.Thread(
            target=close_producer, args=(producer, 1.0), name="kafka-producer-close", daemon=True
        ).start()

    def close(self, timeout: float) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            producer, self._producer = self._producer, None
        if producer is not None:
            close_producer(producer, timeout=timeout)
