"""Prometheus metrics of one collector app, in the app's own registry (no global state)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE", "Metrics"]

CONTENT_TYPE = CONTENT_TYPE_LATEST

_LATENCY_BUCKETS = (
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)


class Metrics:
    """The collector's counters and histograms; ``render()`` is the ``/metrics`` body."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.batches = Counter(
            "tooltrail_collector_batches",
            "Batches answered, by HTTP status",
            ["status"],
            registry=r,
        )
        self.accepted = Counter(
            "tooltrail_collector_events_accepted",
            "Events handed to the sink and acknowledged",
            ["source"],
            registry=r,
        )
        self.duplicates = Counter(
            "tooltrail_collector_events_duplicate",
            "Events resent after they had been accepted (not delivered again)",
            ["source"],
            registry=r,
        )
        self.quarantined = Counter(
            "tooltrail_collector_events_quarantined",
            "Events kept beside their stream as evidence (they did not continue its chain)",
            ["source"],
            registry=r,
        )
        self.rejected = Counter(
            "tooltrail_collector_batches_rejected",
            "Batches refused, by reason",
            ["reason"],
            registry=r,
        )
        self.rate_limited = Counter(
            "tooltrail_collector_rate_limited",
            "Batches refused with 429, by source",
            ["source"],
            registry=r,
        )
        self.findings = Counter(
            "tooltrail_collector_integrity_findings",
            "Integrity findings at ingest, by class",
            ["cls"],
            registry=r,
        )
        self.unsigned_checkpoints = Counter(
            "tooltrail_collector_checkpoints_unsigned",
            "Checkpoints received with alg 'none' (they prove nothing)",
            ["source"],
            registry=r,
        )
        self.head_refreshes = Counter(
            "tooltrail_collector_head_refreshes",
            "Times the head store was refreshed before declaring a gap",
            registry=r,
        )
        self.produce_seconds = Histogram(
            "tooltrail_collector_produce_seconds",
            "Time for the sink to hold a group's segments durably (Kafka: broker ack)",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.group_requests = Histogram(
            "tooltrail_collector_group_requests",
            "Requests verified and delivered together in one group commit",
            buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
            registry=r,
        )
        self.request_seconds = Histogram(
            "tooltrail_collector_request_seconds",
            "Time to answer POST /v1/events",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
