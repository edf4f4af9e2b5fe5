"""Topics: is the broker there, and create ours (explicitly: a broker's auto-create would pick
its own partition count). :class:`~tooltrail.broker.errors.BrokerUnavailable` when the broker
cannot be reached."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterable, Mapping
from typing import Any

from ._kafka import KafkaAdminClient, kafka_errors
from .errors import BrokerUnavailable
from .options import KafkaOptions, split_host_port

__all__ = ["broker_reachable", "ensure_topics"]

log = logging.getLogger(__name__)


def broker_reachable(options: KafkaOptions, timeout: float = 1.0) -> bool:
    """Whether a TCP connection to any bootstrap server opens within ``timeout`` seconds."""
    for server in options.servers:
        try:
            host, port = split_host_port(server)
            with socket.create_connection((host, port), timeout=timeout):
                return True
        except (OSError, ValueError):
            continue
    return False


def _admin(options: KafkaOptions) -> Any:
    try:
        return KafkaAdminClient(**options.client_config("-admin"))
    except kafka_errors.KafkaError as exc:
        raise BrokerUnavailable(f"Kafka unreachable at {options.bootstrap_servers}: {exc}") from exc


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
        raise BrokerUnavailable(f"cannot create topic {name}: {exc}") from exc
    log.info("created topic %s (%d partitions)", name, options.partitions)


def ensure_topics(options: KafkaOptions, names: Iterable[str] | None = None) -> None:
    """Create the topics ``names`` (default: events, integrity and heads) unless they exist.

    Idempotent.  The heads topic is created with ``cleanup.policy=compact`` (plain when the
    broker refuses that).  Topics must be created explicitly: a broker's auto-create would
    pick its own partition count.  Raises :class:`BrokerUnavailable` when the broker cannot
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
