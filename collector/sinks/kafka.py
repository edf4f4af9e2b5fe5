"""The production sink: verified segments go to a Kafka-protocol broker.

One Kafka record per :class:`~tooltrail.collector.sinks.base.Segment` goes to
``events_topic``, keyed by ``stream_id`` (so one stream's segments stay in one partition,
in order) with the headers ``source``, ``first_seq``, ``last_seq``, ``head_hash`` and
``findings`` (comma list, empty when clean) and ``quarantine`` (``1`` for evidence kept beside
the stream, else ``0``); the value is the segment's JSON ``body``.
A segment with findings also yields one small JSON record on ``integrity_topic``
(same key and headers) so detectors need not read the whole event stream.

Durability: the producer is idempotent with ``acks="all"``; :meth:`KafkaSink.deliver`
sends every record of the call, then waits (bounded by ``delivery_timeout_s``) for every
acknowledgement.  If any record fails or the time runs out it raises
:class:`~tooltrail.collector.errors.SinkUnavailable` (``from`` the Kafka error) and the
whole call counts as not delivered.  Records of a failed call may still land later: the
emitter's retry then makes a duplicate, which the pipeline drops on ``(stream_id, seq)``.
An acknowledgement without an offset (a ``DUPLICATE_SEQUENCE_NUMBER`` answer) counts as a
failure too: Tansu gives it, after a crash, for records it does not hold (see
:func:`confirmed_offset`).

Connection and recovery (see :class:`ManagedProducer`, also used by the head store):

* The constructor tries to connect once, bounded by ``connect_timeout_s``; when the broker
  is down it does not raise: the sink starts unconnected, :meth:`KafkaSink.ready` reports
  ``False``, and :meth:`~KafkaSink.deliver` tries to connect again (bounded, at most one
  attempt per ``retry_after`` seconds, failing fast with ``SinkUnavailable`` in between).
* After ANY failed delivery the producer is discarded (closed in the background) and the
  next delivery builds a fresh one, with a new idempotent producer id.  kafka-python does
  reconnect by itself after a broker outage, but 3.0.12 can wedge an idempotent producer
  for good: when a batch expires while its request is in flight (a broker crash mid-
  stream), it resets its producer id to -1 and never asks for a new one, so every later
  send times out (measured: about one broker kill in four, in the restart tests).  A
  fresh producer costs one reconnection and escapes every such state.  The reconnect
  backoff is capped at ``reconnect_backoff_max_ms`` (1 s) so a returning broker is used
  quickly.

kafka-python 3.0 uses deprecated ``importlib.resources`` calls when its modules load; they
are silenced here, once, so ``-W error`` runs work.  Import kafka-python's classes from this
module (``KafkaProducer``, ``KafkaConsumer``, ``TopicPartition``, ``kafka_errors``) rather
than from ``kafka`` directly.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tooltrail.collector.errors import SinkUnavailable
from tooltrail.collector.sinks.base import Segment

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", category=DeprecationWarning, message=r"(read_text|open_text) is deprecated"
    )
    import kafka.errors as kafka_errors
    from kafka import KafkaConsumer as KafkaConsumer
    from kafka import KafkaProducer as KafkaProducer
    from kafka import TopicPartition as TopicPartition
    from kafka.admin import KafkaAdminClient

__all__ = [
    "KafkaConsumer",
    "KafkaOptions",
    "KafkaProducer",
    "KafkaSink",
    "ManagedProducer",
    "TopicPartition",
    "UnconfirmedWrite",
    "close_producer",
    "confirmed_offset",
    "ensure_topics",
    "kafka_errors",
]

log = logging.getLogger(__name__)

_COMPRESSIONS = frozenset({"none", "gzip", "snappy", "lz4", "zstd"})
_SECURITY_PROTOCOLS = frozenset({"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"})


@dataclass(frozen=True, slots=True)
class KafkaOptions:
    """How the collector reaches Kafka; shared by the sink, the head store and the pipeline.

    ``bootstrap_servers`` is ``"host:port"`` or a comma list of them.  Timeouts bound every
    blocking call: connecting (``connect_timeout_s``), one request (``request_timeout_ms``)
    and one delivery (``delivery_timeout_s``, which must cover ``linger_ms`` plus one
    request).  ``session_timeout_ms`` / ``heartbeat_interval_ms`` are for the consumer
    groups of the pipeline (tests use 6000 / 2000 with Tansu).
    """

    bootstrap_servers: str
    events_topic: str = "tooltrail.events"
    heads_topic: str = "tooltrail.heads"
    integrity_topic: str = "tooltrail.integrity"
    partitions: int = 4
    replication_factor: int = 1
    compression: str | None = "lz4"
    linger_ms: int = 5
    request_timeout_ms: int = 5000
    delivery_timeout_s: float = 10.0
    connect_timeout_s: float = 5.0
    reconnect_backoff_max_ms: int = 1000
    max_request_size: int = 1_048_576
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_plain_username: str | None = None
    sasl_plain_password: str | None = field(default=None, repr=False)
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    client_id: str = "tooltrail-collector"
    session_timeout_ms: int = 10000
    heartbeat_interval_ms: int = 3000

    def __post_init__(self) -> None:
        if not self.servers:
            raise ValueError("bootstrap_servers is empty")
        if self.compression is not None and self.compression not in _COMPRESSIONS:
            raise ValueError(f"compression must be one of {sorted(_COMPRESSIONS)} or None")
        if self.security_protocol not in _SECURITY_PROTOCOLS:
            raise ValueError(f"security_protocol must be one of {sorted(_SECURITY_PROTOCOLS)}")
        if self.partitions < 1 or self.replication_factor < 1:
            raise ValueError("partitions and replication_factor must be >= 1")
        if self.connect_timeout_s <= 0 or self.request_timeout_ms <= 0:
            raise ValueError("timeouts must be > 0")
        if self.delivery_timeout_s * 1000 < self.linger_ms + self.request_timeout_ms:
            raise ValueError("delivery_timeout_s must cover linger_ms + request_timeout_ms")
        if self.heartbeat_interval_ms >= self.session_timeout_ms:
            raise ValueError("heartbeat_interval_ms must be below session_timeout_ms")

    @property
    def servers(self) -> list[str]:
        return [s.strip() for s in self.bootstrap_servers.split(",") if s.strip()]

    def client_config(self, suffix: str = "") -> dict[str, Any]:
        """Settings common to kafka-python's producer, consumer and admin client."""
        conf: dict[str, Any] = {
            "bootstrap_servers": self.servers,
            "client_id": self.client_id + suffix,
            "request_timeout_ms": self.request_timeout_ms,
            "bootstrap_timeout_ms": int(self.connect_timeout_s * 1000),
            "reconnect_backoff_max_ms": self.reconnect_backoff_max_ms,
            "security_protocol": self.security_protocol,
        }
        optional = {
            "sasl_mechanism": self.sasl_mechanism,
            "sasl_plain_username": self.sasl_plain_username,
            "sasl_plain_password": self.sasl_plain_password,
            "ssl_cafile": self.ssl_cafile,
            "ssl_certfile": self.ssl_certfile,
            "ssl_keyfile": self.ssl_keyfile,
        }
        conf.update({k: v for k, v in optional.items() if v is not None})
        return conf

    def producer_config(self, suffix: str = "") -> dict[str, Any]:
        """An idempotent, ``acks=all`` producer whose every wait is bounded."""
        delivery_ms = int(self.delivery_timeout_s * 1000)
        return {
            **self.client_config(suffix),
            "acks": "all",
            "enable_idempotence": True,
            "compression_type": None if self.compression in (None, "none") else self.compression,
            "linger_ms": self.linger_ms,
            "delivery_timeout_ms": delivery_ms,
            # send() blocks only while it fetches a topic's metadata
            "max_block_ms": min(delivery_ms, int(self.connect_timeout_s * 1000)),
            "max_request_size": self.max_request_size,
        }

    def consumer_config(self, group_id: str | None = None, suffix: str = "") -> dict[str, Any]:
        """A consumer that commits nothing by itself; with ``group_id``, group timeouts too."""
        conf: dict[str, Any] = {
            **self.client_config(suffix),
            "enable_auto_commit": False,
            "auto_offset_reset": "earliest",
        }
        if group_id is not None:
            conf.update(
                group_id=group_id,
                session_timeout_ms=self.session_timeout_ms,
                heartbeat_interval_ms=self.heartbeat_interval_ms,
            )
        return conf


def _split_host_port(server: str) -> tuple[str, int]:
    host, _, port = server.rpartition(":")
    if not host:
        return server, 9092
    return host.strip("[]"), int(port)


def broker_reachable(options: KafkaOptions, timeout: float = 1.0) -> bool:
    """Whether a TCP connection to any bootstrap server opens within ``timeout`` seconds."""
    for server in options.servers:
        try:
            host, port = _split_host_port(server)
            with socket.create_connection((host, port), timeout=timeout):
                return True
        except (OSError, ValueError):
            continue
    return False


def _admin(options: KafkaOptions) -> Any:
    try:
        return KafkaAdminClient(**options.client_config("-admin"))
    except kafka_errors.KafkaError as exc:
        raise SinkUnavailable(f"Kafka unreachable at {options.bootstrap_servers}: {exc}") from exc


def _create_topic(admin: Any, options: KafkaOptions, name: str, configs: Mapping[str, str]) -> None:
    spec = {
        "num_partitions": options.partitions,
        "replication_factor": options.replication_factor,
        "configs": dict(configs),
    }
    try:
        admin.create_topics({name: spec}, timeout_ms=options.request_timeout_ms)
    except kafka_errors.TopicAlreadyExistsError:
        return
    except kafka_errors.KafkaError as exc:
        if configs and not getattr(exc, "retriable", False):
            # the broker refuses the topic config (e.g. no compaction): create it plain
            log.warning(
                "topic %s: broker refused configs %s (%s); creating it plain",
                name,
                dict(configs),
                exc,
            )
            _create_topic(admin, options, name, {})
            return
        raise SinkUnavailable(f"cannot create topic {name}: {exc}") from exc
    log.info("created topic %s (%d partitions)", name, options.partitions)


def ensure_topics(options: KafkaOptions, names: Iterable[str] | None = None) -> None:
    """Create the topics ``names`` (default: events, integrity and heads) unless they exist.

    Idempotent.  The heads topic is created with ``cleanup.policy=compact`` (plain when the
    broker refuses that).  Topics must be created explicitly: a broker's auto-create would
    pick its own partition count.  Raises :class:`SinkUnavailable` when the broker cannot
    be reached.
    """
    if names is None:
        names = (options.events_topic, options.integrity_topic, options.heads_topic)
    admin = _admin(options)
    try:
        for name in dict.fromkeys(names):
            configs = {"cleanup.policy": "compact"} if name == options.heads_topic else {}
            _create_topic(admin, options, name, configs)
    finally:
        admin.close()


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


def segment_headers(segment: Segment) -> list[tuple[str, bytes]]:
    return [
        ("source", segment.source.encode()),
        ("first_seq", str(segment.first_seq).encode()),
        ("last_seq", str(segment.last_seq).encode()),
        ("head_hash", segment.head_hash.encode()),
        ("findings", ",".join(segment.findings).encode()),
        ("quarantine", b"1" if segment.quarantine else b"0"),
    ]


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


class ManagedProducer:
    """One idempotent kafka-python producer, built lazily, replaced after any failure.

    :meth:`get` returns the current producer, connecting first when there is none
    (bounded by ``connect_timeout_s``; after a failed attempt further attempts wait
    ``retry_after`` seconds and :meth:`get` raises :class:`SinkUnavailable` at once).
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

    @property
    def connected(self) -> bool:
        return self._producer is not None

    def get(self) -> Any:
        with self._lock:
            if self._closed:
                raise SinkUnavailable("Kafka producer is closed")
            if self._producer is not None:
                return self._producer
            now = time.monotonic()
            if now < self._next_attempt:
                raise SinkUnavailable(
                    f"Kafka unreachable: {self.last_error}",
                    retry_after=max(self._next_attempt - now, 0.1),
                )
            try:
                self._producer = KafkaProducer(**self.options.producer_config(self.suffix))
            except kafka_errors.KafkaError as exc:
                self.last_error = f"{self.options.bootstrap_servers}: {exc}"
                self._next_attempt = time.monotonic() + self.retry_after
                raise SinkUnavailable(
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


class KafkaSink:
    """Delivers segments to Kafka; see the module docstring for the guarantees."""

    def __init__(self, settings: KafkaOptions, *, retry_after: float = 1.0) -> None:
        self.options = settings
        self.retry_after = retry_after
        self.producer = ManagedProducer(settings, retry_after=retry_after)
        self._closed = False
        try:
            self.producer.get()
        except SinkUnavailable as exc:
            log.warning("Kafka sink starts unconnected: %s", exc)

    def deliver(self, segments: Sequence[Segment]) -> None:
        if not segments:
            return
        producer = self.producer.get()
        deadline = time.monotonic() + self.options.delivery_timeout_s
        events, integrity = self.options.events_topic, self.options.integrity_topic
        try:
            futures = []
            for seg in segments:
                key = seg.stream_id.encode()
                headers = segment_headers(seg)
                futures.append(producer.send(events, value=seg.body, key=key, headers=headers))
                if seg.findings:
                    value = integrity_record(seg)
                    futures.append(producer.send(integrity, value=value, key=key, headers=headers))
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
        except SinkUnavailable:
            return False
        return True

    def close(self) -> None:
        self._closed = True
        self.producer.close(timeout=min(self.options.delivery_timeout_s, 5.0))
