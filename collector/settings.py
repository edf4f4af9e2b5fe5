"""The collector's one ``Settings``: every option, read from ``TOOLTRAIL_COLLECTOR_*`` variables.

Defaults suit one machine: listen on 127.0.0.1:8080, a broker on 127.0.0.1:9092, the key file
under ``.tooltrail/``. Secrets are ``SecretStr`` (never printed); a placeholder secret
(``changethis`` and friends) is refused unless ``environment`` is ``development``.

    TOOLTRAIL_COLLECTOR_ENVIRONMENT=production
    TOOLTRAIL_COLLECTOR_KAFKA_BOOTSTRAP_SERVERS=k1:9093,k2:9093
    TOOLTRAIL_COLLECTOR_KAFKA_SECURITY_PROTOCOL=SASL_SSL
    TOOLTRAIL_COLLECTOR_KAFKA_SASL_MECHANISM=SCRAM-SHA-512
    TOOLTRAIL_COLLECTOR_KAFKA_SASL_USERNAME=collector
    TOOLTRAIL_COLLECTOR_KAFKA_SASL_PASSWORD=...
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from tooltrail._settings import PLACEHOLDER_SECRETS
from tooltrail.broker.settings import KafkaSecurity

if TYPE_CHECKING:
    from tooltrail.broker import KafkaOptions

__all__ = ["Settings"]

log = logging.getLogger(__name__)


class Settings(KafkaSecurity):
    """Everything the collector can be told. Field ``x`` is read from ``TOOLTRAIL_COLLECTOR_X``."""

    model_config = SettingsConfigDict(
        env_prefix="TOOLTRAIL_COLLECTOR_", env_file=None, extra="ignore", frozen=True
    )

    environment: Literal["development", "staging", "production"] = "development"

    # -- HTTP ------------------------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    workers: int = Field(default=1, ge=1, description="uvicorn worker processes")
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    #: where API keys (hashes only) and emitter public keys live; reloaded when it changes
    keys_file: Path = Path(".tooltrail/collector-keys.json")

    # -- limits ----------------------------------------------------------------------------------
    max_body_bytes: int = Field(
        default=4 * 2**20, gt=0, description="request body as sent (compressed)"
    )
    max_decompressed_bytes: int = Field(default=8 * 2**20, gt=0, description="after gunzip")
    max_batch_events: int = Field(default=5_000, gt=0)
    max_batch_checkpoints: int = Field(default=1_000, gt=0)
    max_event_bytes: int = Field(default=256 * 2**10, gt=0, description="one event as compact JSON")
    rate_events_per_second: float = Field(
        default=20_000.0, gt=0, description="per source, sustained"
    )
    rate_burst_events: float = Field(default=100_000.0, ge=1, description="per source, bucket size")

    trust_first_signer: bool = Field(
        default=False,
        description="trust-on-first-use: a source with no registered signer adopts the key of "
        "its first validly signed checkpoint (sent in X-Tooltrail-Signer); off by default",
    )

    # -- chain heads -----------------------------------------------------------------------------
    heads: Literal["kafka", "memory", "store"] = Field(
        default="kafka",
        description="kafka: shared by replicas, survives restarts; memory: tests only; "
        "store: read from the embedded store (tooltrail up)",
    )
    heads_refresh_timeout: float = Field(
        default=1.0, gt=0, description="catch-up wait before a gap"
    )

    # -- hand-off --------------------------------------------------------------------------------
    sink: Literal["kafka", "memory", "store"] = Field(
        default="kafka", description="memory: tests only; store: the embedded store (tooltrail up)"
    )
    retry_after_seconds: int = Field(default=2, ge=1, description="Retry-After sent with 503")
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_client_id: str = "tooltrail-collector"
    kafka_topic_events: str = "tooltrail.events"
    kafka_topic_integrity: str = "tooltrail.integrity"
    kafka_topic_heads: str = "tooltrail.heads"
    kafka_topic_partitions: int = Field(default=6, ge=1)
    kafka_replication_factor: int = Field(default=1, ge=1)
    kafka_client: Literal["kafka-python", "confluent"] = Field(
        default="kafka-python",
        description="the sink's Kafka client: confluent needs tooltrail[confluent] "
        "(librdkafka: I/O and compression off the GIL); the heads always use kafka-python",
    )
    kafka_compression: Literal["lz4", "zstd", "gzip", "snappy", "none"] = "lz4"
    kafka_linger_ms: int = Field(default=2, ge=0, description="batches concurrent requests")
    kafka_request_timeout_ms: int = Field(default=5_000, gt=0)
    kafka_delivery_timeout_s: float = Field(default=10.0, gt=0)
    kafka_connect_timeout_s: float = Field(default=5.0, gt=0)
    #: a segment is one Kafka record: keep it above max_decompressed_bytes (and raise the
    #: broker's message.max.bytes to match on a real cluster)
    kafka_max_request_size: int = Field(default=16 * 2**20, gt=0)

    @model_validator(mode="after")
    def _check(self) -> Settings:
        password = self.kafka_sasl_password
        if password is not None and password.get_secret_value().strip().lower() in (
            PLACEHOLDER_SECRETS
        ):
            message = "kafka_sasl_password is a placeholder; set a real secret"
            if self.environment != "development":
                raise ValueError(message)
            log.warning("%s (accepted in development only)", message)
        if self.environment != "development" and "memory" in (self.sink, self.heads):
            raise ValueError("the memory sink and head store are for development only")
        if self.kafka_security_protocol.startswith("SASL_"):
            if self.kafka_sasl_mechanism is None:
                raise ValueError(f"{self.kafka_security_protocol} needs kafka_sasl_mechanism")
            if not self.kafka_sasl_username or password is None:
                raise ValueError("SASL needs kafka_sasl_username and kafka_sasl_password")
        if self.kafka_max_request_size < self.max_decompressed_bytes + 2**20:
            raise ValueError(
                "kafka_max_request_size must exceed max_decompressed_bytes by 1 MiB "
                "(a batch becomes one Kafka record)"
            )
        if self.max_event_bytes > self.max_decompressed_bytes:
            raise ValueError("max_event_bytes cannot exceed max_decompressed_bytes")
        return self

    def kafka_options(self) -> KafkaOptions:
        """The options of the Kafka sink and head store (imports kafka-python)."""
        from tooltrail.broker import KafkaOptions

        return KafkaOptions(
            bootstrap_servers=self.kafka_bootstrap_servers,
            events_topic=self.kafka_topic_events,
            heads_topic=self.kafka_topic_heads,
            integrity_topic=self.kafka_topic_integrity,
            partitions=self.kafka_topic_partitions,
            replication_factor=self.kafka_replication_factor,
            compression=self.kafka_compression,
            linger_ms=self.kafka_linger_ms,
            request_timeout_ms=self.kafka_request_timeout_ms,
            delivery_timeout_s=self.kafka_delivery_timeout_s,
            connect_timeout_s=self.kafka_connect_timeout_s,
            max_request_size=self.kafka_max_request_size,
            **self.kafka_security(),
            client_id=self.kafka_client_id,
        )
