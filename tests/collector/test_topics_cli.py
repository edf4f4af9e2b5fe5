"""``tooltrail topics``: the one-shot init step of the distributed form, on a real broker."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from typer.testing import CliRunner

from tests._infra.fixtures import tansu, topic_name  # noqa: F401
from tests._infra.tansu import Tansu, free_port
from tooltrail.broker import KafkaConsumer
from tooltrail.cli import app

pytestmark = [pytest.mark.kafka]


def _topics(bootstrap: str) -> set[str]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        return set(consumer.topics())
    finally:
        consumer.close()


def test_creates_every_topic_idempotently(
    tansu: Tansu,  # noqa: F811
    topic_name: Callable[[str], str],  # noqa: F811
) -> None:
    assert app is not None
    names = {k: topic_name(k) for k in ("events", "integrity", "heads", "dead")}
    env = {
        "TOOLTRAIL_COLLECTOR_KAFKA_BOOTSTRAP_SERVERS": tansu.bootstrap,
        "TOOLTRAIL_COLLECTOR_KAFKA_TOPIC_EVENTS": names["events"],
        "TOOLTRAIL_COLLECTOR_KAFKA_TOPIC_INTEGRITY": names["integrity"],
        "TOOLTRAIL_COLLECTOR_KAFKA_TOPIC_HEADS": names["heads"],
    }
    for _ in range(2):  # the second run finds them all and still succeeds
        result = CliRunner().invoke(app, ["topics", "--topic", names["dead"]], env=env)
        assert result.exit_code == 0, result.output
        assert "topics ready" in result.output
    assert set(names.values()) <= _topics(tansu.bootstrap)


def test_an_unreachable_broker_is_one_line_and_exit_1() -> None:
    assert app is not None
    env = {"TOOLTRAIL_COLLECTOR_KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port()}"}
    result = CliRunner().invoke(app, ["topics", "--startup-timeout", "1"], env=env)
    assert result.exit_code == 2  # an environment error, not a finding
    assert "Kafka unreachable" in result.output
    assert "Traceback" not in result.output
