"""tooltrail.collector: authenticated, rate-limited, chain-verifying ingest.

``create_app(settings, sink, heads, keys)`` builds the FastAPI service; ``tooltrail collector``
(``cli.app``) serves it with uvicorn and manages API keys. Names are imported on first use, so
``import tooltrail.collector`` (for instance by the CLI's ``keys`` commands) loads neither FastAPI
nor kafka-python.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app
    from .auth import ApiKey, KeyStore, KeyStoreError, Principal
    from .errors import (
        ChainBroken,
        CollectorError,
        Forbidden,
        Invalid,
        InvalidField,
        Malformed,
        RateLimited,
        Rejected,
        SinkUnavailable,
        TooLarge,
        Unauthorized,
        UnsupportedEncoding,
    )
    from .heads import Head, HeadStore, MemoryHeadStore
    from .heads_kafka import KafkaHeadStore
    from .ingest import Batch, Finding, Limits, Verdict, decompress, parse_batch, verify_batch
    from .metrics import Metrics
    from .ratelimit import RateLimiter
    from .settings import Settings
    from .sinks.base import MemorySink, Segment, Sink
    from .sinks.kafka import KafkaSink

_WHERE = {
    "create_app": "app",
    "ApiKey": "auth",
    "KeyStore": "auth",
    "KeyStoreError": "auth",
    "Principal": "auth",
    "ChainBroken": "errors",
    "CollectorError": "errors",
    "Forbidden": "errors",
    "Invalid": "errors",
    "InvalidField": "errors",
    "Malformed": "errors",
    "RateLimited": "errors",
    "Rejected": "errors",
    "SinkUnavailable": "errors",
    "TooLarge": "errors",
    "Unauthorized": "errors",
    "UnsupportedEncoding": "errors",
    "Head": "heads",
    "HeadStore": "heads",
    "KafkaHeadStore": "heads_kafka",
    "MemoryHeadStore": "heads",
    "Batch": "ingest",
    "Finding": "ingest",
    "Limits": "ingest",
    "Verdict": "ingest",
    "decompress": "ingest",
    "parse_batch": "ingest",
    "verify_batch": "ingest",
    "Metrics": "metrics",
    "RateLimiter": "ratelimit",
    "Settings": "settings",
    "MemorySink": "sinks.base",
    "Segment": "sinks.base",
    "Sink": "sinks.base",
    "KafkaSink": "sinks.kafka",
}

__all__ = [
    "ApiKey",
    "Batch",
    "ChainBroken",
    "CollectorError",
    "Finding",
    "Forbidden",
    "Head",
    "HeadStore",
    "Invalid",
    "InvalidField",
    "KafkaHeadStore",
    "KafkaSink",
    "KeyStore",
    "KeyStoreError",
    "Limits",
    "Malformed",
    "MemoryHeadStore",
    "MemorySink",
    "Metrics",
    "Principal",
    "RateLimited",
    "RateLimiter",
    "Rejected",
    "Segment",
    "Settings",
    "Sink",
    "SinkUnavailable",
    "TooLarge",
    "Unauthorized",
    "UnsupportedEncoding",
    "Verdict",
    "create_app",
    "decompress",
    "parse_batch",
    "verify_batch",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
