"""How to reach a real Kafka cluster (SASL / TLS), as settings fields the collector's and the
pipeline's ``Settings`` share (``TOOLTRAIL_COLLECTOR_KAFKA_*`` / ``TOOLTRAIL_PIPELINE_KAFKA_*``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings

from .options import SecurityProtocol

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

    def kafka_security(self) -> dict[str, Any]:
        """These fields as ``KafkaOptions`` keyword arguments."""
        password = self.kafka_sasl_password
        paths = (self.kafka_ssl_cafile, self.kafka_ssl_certfile, self.kafka_ssl_keyfile)
        cafile, certfile, keyfile = (str(p) if p is not None else None for p in paths)
        return {
            "security_protocol": self.kafka_security_protocol,
            "sasl_mechanism": self.kafka_sasl_mechanism,
            "sasl_plain_username": self.kafka_sasl_username,
            "sasl_plain_password": password.get_secret_value() if password is not None else None,
            "ssl_cafile": cafile,
            "ssl_certfile": certfile,
            "ssl_keyfile": keyfile,
        }
