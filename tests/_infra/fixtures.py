"""Pytest fixtures for a local Kafka-protocol broker (see :mod:`tests._infra.tansu`).

Use them by importing them into a test module (or once, for all, with
``pytest_plugins = ["tests._infra.fixtures"]`` in the root ``conftest.py``)::

    from tests._infra.fixtures import tansu, topic_name  # noqa: F401

* ``tansu``: one memory-storage broker for the whole session, however many modules
  import the fixture; never stop it from a test (take ``tansu_s3`` or build a
  :class:`Tansu` for that).  Give each test its own topics with ``topic_name``.
* ``tansu_s3``: a fresh broker on S3 storage (with its own local S3 server) for one test;
  it may be stopped, killed and restarted, and keeps its data across that.
* ``topic_name``: ``topic_name("events")`` gives a topic name unique in the session.

Tests that use a broker carry ``@pytest.mark.kafka``.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests._infra.tansu import Tansu
from tooltrail.broker import KafkaOptions

__all__ = ["GROUP_ENV", "GROUP_TIMEOUTS", "tansu", "tansu_s3", "topic_name"]

#: consumer-group timeouts for tests. Tansu answers a JoinGroup after about half the session
#: timeout (whole seconds, at least one): 6 s cost 3 s at every processor start, rebalance and
#: takeover; 2 s costs 1 s. The heartbeat (its own thread in kafka-python) keeps four beats
#: inside the session.
GROUP_TIMEOUTS: dict[str, int] = {"session_timeout_ms": 2000, "heartbeat_interval_ms": 500}
#: the same as the pipeline's environment (``tooltrail up --kafka`` in a test)
GROUP_ENV = {
    f"TOOLTRAIL_PIPELINE_KAFKA_{name.upper()}": str(value) for name, value in GROUP_TIMEOUTS.items()
}

_shared: Tansu | None = None
_counter = itertools.count()


def _close_shared() -> None:
    global _shared
    broker, _shared = _shared, None
    if broker is not None:
        broker.close()


@pytest.fixture(scope="session")
def tansu(request: pytest.FixtureRequest) -> Tansu:
    """The session's memory-storage broker, started on first use, closed at session end."""
    global _shared
    if _shared is None:
        broker = Tansu("memory")
        # registered before start(): a failed start still reaps the process and tmp dir
        request.config.add_cleanup(_close_shared)
        _shared = broker
        broker.start()
    elif not _shared.running:
        _shared.start()  # a test stopped it after all: bring it back (memory is lost)
    return _shared


@pytest.fixture
def tansu_s3() -> Iterator[Tansu]:
    """A broker of its own on S3 storage: survives stop/kill + start with its data."""
    broker = Tansu("s3")
    try:
        broker.start()
        yield broker
    finally:
        broker.close()


@pytest.fixture
def topic_name(request: pytest.FixtureRequest) -> Callable[[str], str]:
    """A factory of topic names unique in the session (legal Kafka topic characters)."""
    test = re.sub(r"[^A-Za-z0-9._-]+", "-", request.node.name)[:60]
    run = uuid.uuid4().hex[:8]

    def make(prefix: str = "t") -> str:
        return f"{prefix}.{test}.{run}.{next(_counter)}"

    return make


def kafka_options(bootstrap: str, names: Callable[[str], str], **kw: Any) -> KafkaOptions:
    """Options on fresh topic names, with the group timeouts Tansu needs in tests."""
    settings: dict[str, Any] = dict(GROUP_TIMEOUTS)
    settings.update(kw)
    return KafkaOptions(
        bootstrap_servers=bootstrap,
        events_topic=names("events"),
        integrity_topic=names("integrity"),
        heads_topic=names("heads"),
        **settings,
    )
