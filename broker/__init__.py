"""tooltrail.broker: the Kafka layer the collector and the pipeline share.

- ``KafkaOptions`` (``options``): bootstrap servers, topics, timeouts, security; imports nothing.
- ``ensure_topics`` / ``broker_reachable`` (``topics``): create our topics, check the broker.
- ``ManagedProducer`` / ``confirmed_offset`` / ``close_producer`` (``producer``): an idempotent,
  ``acks=all`` producer that is replaced after any failure; acknowledgements without an offset
  are not taken as durable.
- ``KafkaConsumer``, ``KafkaProducer``, ``TopicPartition``, ``kafka_errors``: kafka-python's
  classes, imported once with its import-time warnings silenced (``_kafka``).
- ``KafkaSecurity`` (``settings``): the SASL / TLS settings fields the services' settings share.
- ``RecordKey`` (``recordmac``): the collector's MAC on its event records, checked by the
  processor.
- ``BrokerUnavailable`` (``errors``): what every operation here raises when the broker cannot
  serve it; it carries ``retry_after``.

``import tooltrail.broker`` loads kafka-python only when one of its names is first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import BrokerError, BrokerUnavailable
from .options import KafkaOptions, SecurityProtocol

if TYPE_CHECKING:
    from ._kafka import KafkaConsumer, KafkaProducer, TopicPartition, kafka_errors
    from .producer import ManagedProducer, UnconfirmedWrite, close_producer, confirmed_offset
    from .recordmac import RecordKey
    from .settings import KafkaSecurity
    from .topics import broker_reachable, ensure_topics

__all__ = [
    "BrokerError",
    "BrokerUnavailable",
    "KafkaConsumer",
    "KafkaOptions",
    "KafkaProducer",
    "KafkaSecurity",
    "ManagedProducer",
    "RecordKey",
    "SecurityProtocol",
    "TopicPartition",
    "UnconfirmedWrite",
    "broker_reachable",
    "close_producer",
    "confirmed_offset",
    "ensure_topics",
    "kafka_errors",
]

_LAZY = {
    "KafkaConsumer": "._kafka",
    "KafkaProducer": "._kafka",
    "TopicPartition": "._kafka",
    "kafka_errors": "._kafka",
    "ManagedProducer": ".producer",
    "UnconfirmedWrite": ".producer",
    "close_producer": ".producer",
    "confirmed_offset": ".producer",
    "KafkaSecurity": ".settings",
    "RecordKey": ".recordmac",
    "broker_reachable": ".topics",
    "ensure_topics": ".topics",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value
