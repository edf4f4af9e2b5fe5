"""Settings: one BaseSettings from TOOLTRAIL_COLLECTOR_*, secrets guarded, Kafka options mapped."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from tooltrail.collector.settings import Settings


def test_defaults_suit_one_machine() -> None:
    s = Settings()
    assert (s.host, s.port, s.workers) == ("127.0.0.1", 8080, 1)
    assert (s.sink, s.heads, s.kafka_bootstrap_servers) == ("kafka", "kafka", "127.0.0.1:9092")


def test_environment_variables_have_the_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOOLTRAIL_COLLECTOR_PORT", "9999")
    monkeypatch.setenv("TOOLTRAIL_COLLECTOR_KAFKA_TOPIC_PARTITIONS", "12")
    monkeypatch.setenv("PORT", "1")  # unprefixed: ignored
    s = Settings()
    assert (s.port, s.kafka_topic_partitions) == (9999, 12)


def test_placeholder_secrets_are_refused_outside_development() -> None:
    sasl: dict[str, Any] = {
        "kafka_security_protocol": "SASL_SSL",
        "kafka_sasl_mechanism": "SCRAM-SHA-512",
        "kafka_sasl_username": "collector",
        "kafka_sasl_password": "changethis",
    }
    Settings(**sasl)  # development: accepted (with a warning in the log)
    with pytest.raises(ValidationError, match="placeholder"):
        Settings(environment="production", **sasl)
    s = Settings(environment="production", **{**sasl, "kafka_sasl_password": "s3cr3t-Very-long"})
    assert "s3cr3t" not in repr(s)
    opts = s.kafka_options()
    assert (opts.security_protocol, opts.sasl_mechanism) == ("SASL_SSL", "SCRAM-SHA-512")
    assert opts.sasl_plain_password == "s3cr3t-Very-long"


def test_sasl_needs_its_credentials_and_memory_is_for_development() -> None:
    with pytest.raises(ValidationError, match="kafka_sasl_mechanism"):
        Settings(kafka_security_protocol="SASL_PLAINTEXT")
    with pytest.raises(ValidationError, match="development only"):
        Settings(environment="production", sink="memory")


def test_a_batch_must_fit_in_one_kafka_record() -> None:
    with pytest.raises(ValidationError, match="kafka_max_request_size"):
        Settings(max_decompressed_bytes=32 * 2**20)


def test_kafka_options_carry_topics_partitions_and_tls() -> None:
    s = Settings(
        kafka_bootstrap_servers="k1:9093,k2:9093",
        kafka_topic_events="ev",
        kafka_topic_partitions=12,
        kafka_compression="zstd",
        kafka_security_protocol="SSL",
        kafka_ssl_cafile=Path("/etc/ca.pem"),
    )
    opts = s.kafka_options()
    assert opts.servers == ["k1:9093", "k2:9093"]
    assert (opts.events_topic, opts.partitions, opts.compression) == ("ev", 12, "zstd")
    assert opts.producer_config()["acks"] == "all"
    assert opts.producer_config()["enable_idempotence"] is True
    assert opts.client_config()["ssl_cafile"] == "/etc/ca.pem"


def test_importing_the_package_loads_neither_fastapi_nor_kafka() -> None:
    code = (
        "import sys, tooltrail.collector, tooltrail.collector.cli;"
        "print('fastapi' in sys.modules, 'kafka' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
