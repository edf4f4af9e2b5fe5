"""How to reach a real Kafka cluster (SASL / TLS), as settings fields the collector's and the
pipeline's ``Settings`` share (``TOOLTRAIL_COLLECTOR_KAFKA_*`` / ``TOOLTRAIL_PIPELINE_KAFKA_*``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings

from .options import SecurityProtocol
from .recordmac import MIN_KEY_BYTES

__all__ = ["KafkaSecurity"]


class KafkaSecurity(BaseSettings):
    """How to reach a real cluster (SASL / TLS); shared by the collector and the pipeline."""

    kafka_security_protocol: SecurityProtocol = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_cafile: Path | None = None
    kafka_ssl_certfile: Path | None = None
    kafka_ssl_keyfile: Path | None = None
    #: collectors stamp their event records with it, processors check them (``recordmac``):
    #: the same on every collector and processor; unset on both, records go unstamped
    kafka_record_key: SecretStr | None = None

    @field_validator("kafka_record_key")
    @classmethod
    def _key_long_enough(cls, key: SecretStr | None) -> SecretStr | None:
        if key is not None and len(key.get_secret_value().encode()) < MIN_KEY_BYTES:
            raise ValueError(f"kafka_record_key must be at least {MIN_KEY_BYTES} bytes")
        return key

    def kafka_security(self) -> dict[str, Any]:
        """These fields as ``KafkaOptions`` keyword arguments."""
        password = self.kafka_sasl_password
        paths = (self.kafka_ssl_cafile, self.kafka_ssl_certfile, self.kafka_ssl_keyfile)
        cafile, certfile, keyfile = (str(p) if p is not None else None for p in paths)
        record_key = self.kafka_record_key
        return {
            "security_protocol": self.kafka_security_protocol,
            "sasl_mechanism": self.kafka_sasl_mechanism,
            "sasl_plain_username": self.kafka_sasl_username,
            "sasl_plain_password": password.get_secret_value() if password is not None else None,
            "ssl_cafile": cafile,
            "ssl_certfile": certfile,
            "ssl_keyfile": keyfile,
            "record_key": record_key.get_secret_value().encode() if record_key else None,
        }
