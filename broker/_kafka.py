"""kafka-python, imported once with its import-time DeprecationWarnings silenced.

kafka-python 3.0 uses deprecated ``importlib.resources`` calls when its modules load; they are
silenced here, once, so ``-W error`` runs work. Import kafka-python's classes from
``tooltrail.broker`` rather than from ``kafka`` directly.
"""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", category=DeprecationWarning, message=r"(read_text|open_text) is deprecated"
    )
    import kafka.errors as kafka_errors
    from kafka import KafkaConsumer as KafkaConsumer
    from kafka import KafkaProducer as KafkaProducer
    from kafka import TopicPartition as TopicPartition
    from kafka.admin import KafkaAdminClient as KafkaAdminClient

__all__ = ["KafkaAdminClient", "KafkaConsumer", "KafkaProducer", "TopicPartition", "kafka_errors"]
