"""How tooltrail reaches Kafka: one options object for the collector's sink and head store and
the pipeline's consumer group. Imports no Kafka client."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["KafkaOptions", "SecurityProtocol", "split_host_port"]

#: the security protocols kafka-python speaks
SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]

_COMPRESSIONS = frozenset({"none", "gzip", "snappy", "lz4", "zstd"})
_SECURITY_PROTOCOLS = frozenset({"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"})


@dataclass(frozen=True, slots=True)
class KafkaOptions:
    """How tooltrail reaches Kafka; shared by the collector's sink and head store and the pipeline.

    ``bootstrap_servers`` is ``"host:port"`` or a comma list of them.  Timeouts bound every
    blocking call: connecting (``connect_timeout_s``), one request (``request_timeout_ms``)
    and one delivery (``delivery_timeout_s``, which must cover ``linger_ms`` plus one
    request).  ``session_timeout_ms`` / ``heartbeat_interval_ms`` are for the consumer
    groups of the pipeline (tests use 6000 / 2000 with Tansu).  ``record_key``: see
    :mod:`tooltrail.broker.recordmac`.
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
    #: the key collectors stamp their event records with and processors check them against
    #: (``recordmac``); None: records go unstamped and every event is validated downstream
    record_key: bytes | None = field(default=None, repr=False)

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
            # kafka-python's own sensors cost ~1 µs per record in its I/O thread; unread here
            "metrics_enabled": False,
        }

    def confluent_producer_config(self, suffix: str = "") -> dict[str, Any]:
        """The same producer for confluent-kafka (librdkafka's names): idempotent, ``acks=all``,
        every wait bounded. Imports nothing."""
        security = {
            "sasl.mechanism": self.sasl_mechanism,
            "sasl.username": self.sasl_plain_username,
            "sasl.password": self.sasl_plain_password,
            "ssl.ca.location": self.ssl_cafile,
            "ssl.certificate.location": self.ssl_certfile,
            "ssl.key.location": self.ssl_keyfile,
        }
        return {
            "bootstrap.servers": ",".join(self.servers),
            "client.id": self.client_id + suffix,
            "security.protocol": self.security_protocol.lower(),
            "acks": "all",
            "enable.idempotence": True,
            "compression.type": self.compression or "none",
            "linger.ms": self.linger_ms,
            "request.timeout.ms": self.request_timeout_ms,
            "delivery.timeout.ms": int(self.delivery_timeout_s * 1000),
            "socket.connection.setup.timeout.ms": int(self.connect_timeout_s * 1000),
            "reconnect.backoff.max.ms": self.reconnect_backoff_max_ms,
            "message.max.bytes": self.max_request_size,
            **{k: v for k, v in security.items() if v is not None},
        }

    def consumer_config(self, group_id: str | None = None, suffix: str = "") -> dict[str, Any]:
        """A consumer that commits nothing by itself; with ``group_id``, group timeouts too."""
        conf: dict[str, Any] = {
            **self.client_config(suffix),
            "enable_auto_commit": False,
            "auto_offset_reset": "earliest",
            "metrics_enabled": False,  # kafka-python's sensors: a cost per record, unread here
        }
        if group_id is not None:
            conf.update(
                group_id=group_id,
                session_timeout_ms=self.session_timeout_ms,
                heartbeat_interval_ms=self.heartbeat_interval_ms,
            )
        return conf


def split_host_port(server: str) -> tuple[str, int]:
    host, _, port = server.rpartition(":")
    if not host:
        return server, 9092
    return host.strip("[]"), int(port)
