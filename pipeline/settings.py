"""The pipeline's one ``Settings``: every option, read from ``TOOLTRAIL_PIPELINE_*`` variables —
except the store, which every command names the same way: ``TOOLTRAIL_STORE_*``
(``pipeline/store/options.py``).

Defaults suit one machine: a broker on 127.0.0.1:9092, the chDB store under ``.tooltrail/``.
Secrets are ``SecretStr`` (never printed); a placeholder secret is refused unless
``environment`` is ``development``.

    TOOLTRAIL_PIPELINE_KAFKA_BOOTSTRAP_SERVERS=k1:9093,k2:9093
    TOOLTRAIL_PIPELINE_KAFKA_SECURITY_PROTOCOL=SASL_SSL
    TOOLTRAIL_PIPELINE_KAFKA_SASL_MECHANISM=SCRAM-SHA-512
    TOOLTRAIL_PIPELINE_KAFKA_SASL_USERNAME=pipeline
    TOOLTRAIL_PIPELINE_KAFKA_SASL_PASSWORD=...
    TOOLTRAIL_STORE_URL=https://clickhouse:8443     # a URL means the ClickHouse server (http)
    TOOLTRAIL_STORE_USER=tooltrail
    TOOLTRAIL_STORE_PASSWORD=...
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from tooltrail._settings import PLACEHOLDER_SECRETS
from tooltrail.broker.settings import KafkaSecurity

from .store import StoreConfig

if TYPE_CHECKING:
    from tooltrail.broker import KafkaOptions

__all__ = ["PipelineSettings"]

log = logging.getLogger(__name__)


class PipelineSettings(KafkaSecurity):
    """Everything the stream processor can be told; field ``x`` reads ``TOOLTRAIL_PIPELINE_X``."""

    model_config = SettingsConfigDict(
        env_prefix="TOOLTRAIL_PIPELINE_",
        env_file=None,
        extra="ignore",
        frozen=True,
        populate_by_name=True,  # PipelineSettings(store_url=...) as well as TOOLTRAIL_STORE_URL
    )

    environment: Literal["development", "staging", "production"] = "development"
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"

    # -- Kafka -----------------------------------------------------------------------------------
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_client_id: str = "tooltrail-pipeline"
    kafka_group_id: str = "tooltrail-pipeline"
    kafka_topic_events: str = "tooltrail.events"
    kafka_topic_deadletter: str = "tooltrail.deadletter"
    kafka_topic_partitions: int = Field(default=6, ge=1, description="when creating topics")
    kafka_replication_factor: int = Field(default=1, ge=1)
    kafka_create_topics: bool = Field(default=True, description="create missing topics at start")
    kafka_session_timeout_ms: int = Field(default=10_000, gt=0)
    kafka_heartbeat_interval_ms: int = Field(default=3_000, gt=0)
    kafka_max_poll_interval_ms: int = Field(default=300_000, gt=0)
    kafka_request_timeout_ms: int = Field(default=5_000, gt=0)
    kafka_connect_timeout_s: float = Field(default=5.0, gt=0)
    kafka_delivery_timeout_s: float = Field(default=10.0, gt=0)
    kafka_fetch_max_wait_ms: int = Field(default=100, ge=0)
    kafka_max_poll_records: int = Field(default=500, gt=0)
    kafka_max_partition_fetch_bytes: int = Field(default=16 * 2**20, gt=0)
    kafka_max_request_size: int = Field(default=17 * 2**20, gt=0, description="dead letters")

    # -- store: TOOLTRAIL_STORE_*, the names every command uses -----------------------------------
    store_backend: Literal["chdb", "http"] | None = Field(
        default=None,
        validation_alias="TOOLTRAIL_STORE_BACKEND",
        description="default: http when store_url is set, else chdb",
    )
    store_path: Path = Field(
        default=Path(".tooltrail/store"), validation_alias="TOOLTRAIL_STORE_PATH"
    )
    store_url: str | None = Field(default=None, validation_alias="TOOLTRAIL_STORE_URL")
    store_user: str = Field(default="default", validation_alias="TOOLTRAIL_STORE_USER")
    store_password: SecretStr = Field(
        default=SecretStr(""), validation_alias="TOOLTRAIL_STORE_PASSWORD"
    )
    store_database: str = Field(default="tooltrail", validation_alias="TOOLTRAIL_STORE_DATABASE")
    store_ttl_days: int | None = Field(
        default=None, ge=1, validation_alias="TOOLTRAIL_STORE_TTL_DAYS"
    )
    store_verify_tls: bool = Field(default=True, validation_alias="TOOLTRAIL_STORE_VERIFY_TLS")

    # -- batching and backpressure ---------------------------------------------------------------
    #: 20k rows per insert measured ~25% faster than 5k into chDB (fewer, larger parts)
    batch_max_rows: int = Field(default=20_000, gt=0, description="flush at this many events")
    #: a flush costs ~45 ms of CPU in chDB whatever its size (one MergeTree part per table, the
    #: rollup view, merges; measured): every 0.2 s that was ~23 % of a core, every 1 s ~5 %, for
    #: at most 0.8 s more between an event and the store (at rates that fill 20k rows sooner,
    #: ``batch_max_rows`` flushes first)
    batch_max_wait_s: float = Field(default=1.0, gt=0, description="flush when this old")
    max_buffered_rows: int = Field(default=100_000, gt=0, description="pause fetching above")
    max_buffered_bytes: int = Field(default=64 * 2**20, gt=0, description="pause fetching above")
    retry_backoff_initial_s: float = Field(default=0.2, gt=0)
    retry_backoff_max_s: float = Field(default=10.0, gt=0)

    # -- observability ---------------------------------------------------------------------------
    metrics_port: int | None = Field(default=None, ge=0, le=65535, description="None: no server")
    metrics_host: str = "127.0.0.1"

    @model_validator(mode="after")
    def _check(self) -> PipelineSettings:
        for name in ("kafka_sasl_password", "store_password"):
            secret: SecretStr | None = getattr(self, name)
            if secret is not None and secret.get_secret_value().strip().lower() in (
                PLACEHOLDER_SECRETS
            ):
                message = f"{name} is a placeholder; set a real secret"
                if self.environment != "development":
                    raise ValueError(message)
                log.warning("%s (accepted in development only)", message)
        if self.kafka_security_protocol.startswith("SASL_"):
            if self.kafka_sasl_mechanism is None:
                raise ValueError(f"{self.kafka_security_protocol} needs kafka_sasl_mechanism")
            if not self.kafka_sasl_username or self.kafka_sasl_password is None:
                raise ValueError("SASL needs kafka_sasl_username and kafka_sasl_password")
        if self.kafka_heartbeat_interval_ms >= self.kafka_session_timeout_ms:
            raise ValueError("kafka_heartbeat_interval_ms must be below kafka_session_timeout_ms")
        if self.max_buffered_rows < self.batch_max_rows:
            raise ValueError("max_buffered_rows must be at least batch_max_rows")
        if self.retry_backoff_max_s < self.retry_backoff_initial_s:
            raise ValueError("retry_backoff_max_s must be at least retry_backoff_initial_s")
        if self.store_backend == "http" and not self.store_url:
            raise ValueError("store_backend 'http' needs store_url")
        if self.kafka_topic_events == self.kafka_topic_deadletter:
            raise ValueError("the dead-letter topic must differ from the events topic")
        return self

    def kafka_options(self) -> KafkaOptions:
        """The collector's Kafka options, pointed at the pipeline's topics and group timeouts."""
        from tooltrail.broker import KafkaOptions

        return KafkaOptions(
            bootstrap_servers=self.kafka_bootstrap_servers,
            events_topic=self.kafka_topic_events,
            partitions=self.kafka_topic_partitions,
            replication_factor=self.kafka_replication_factor,
            compression="lz4",
            linger_ms=5,
            request_timeout_ms=self.kafka_request_timeout_ms,
            delivery_timeout_s=self.kafka_delivery_timeout_s,
            connect_timeout_s=self.kafka_connect_timeout_s,
            max_request_size=self.kafka_max_request_size,
            **self.kafka_security(),
            client_id=self.kafka_client_id,
            session_timeout_ms=self.kafka_session_timeout_ms,
            heartbeat_interval_ms=self.kafka_heartbeat_interval_ms,
        )

    def store_config(self) -> StoreConfig:
        return StoreConfig(
            backend=self.store_backend or ("http" if self.store_url else "chdb"),
            path=str(self.store_path),
            url=self.store_url,
            username=self.store_user,
            password=self.store_password.get_secret_value(),
            database=self.store_database,
            ttl_days=self.store_ttl_days,
            verify_tls=self.store_verify_tls,
        )
