"""Prometheus metrics of one stream processor, in its own registry (no global state).

``serve(port)`` exposes them on ``/metrics`` with prometheus-client's small HTTP server.
"""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import start_http_server

__all__ = ["PipelineMetrics"]

_FLUSH_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class PipelineMetrics:
    """The processor's counters, gauges and histograms; ``render()`` is the ``/metrics`` body."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.records_consumed = Counter(
            "tooltrail_pipeline_records_consumed", "Kafka records (segments) consumed", registry=r
        )
        self.events_consumed = Counter(
            "tooltrail_pipeline_events_consumed",
            "Events decoded from consumed segments",
            registry=r,
        )
        self.events_inserted = Counter(
            "tooltrail_pipeline_events_inserted", "Events newly written to the store", registry=r
        )
        self.events_duplicate = Counter(
            "tooltrail_pipeline_events_duplicate",
            "Events the store already held (redelivery after a crash or rebalance)",
            registry=r,
        )
        self.dead_lettered = Counter(
            "tooltrail_pipeline_records_dead_lettered",
            "Records that can never be stored, sent to the dead-letter topic",
            registry=r,
        )
        self.unauthenticated = Counter(
            "tooltrail_pipeline_records_unauthenticated",
            "Records without a valid collector MAC, kept in quarantine (needs a record key)",
            registry=r,
        )
        self.rejected = Counter(
            "tooltrail_pipeline_records_rejected",
            "Records with a valid collector MAC that break the contract: dead-lettered, with a "
            "rejected finding",
            registry=r,
        )
        self.insert_failures = Counter(
            "tooltrail_pipeline_insert_failures",
            "Failed flushes (store insert or dead-letter produce); nothing was committed",
            registry=r,
        )
        self.commit_failures = Counter(
            "tooltrail_pipeline_commit_failures",
            "Offset commits that failed after a successful insert (records are redelivered "
            "and deduplicated)",
            registry=r,
        )
        self.dropped_on_revoke = Counter(
            "tooltrail_pipeline_records_dropped_on_revoke",
            "Buffered, uncommitted records given up when their partition was revoked",
            registry=r,
        )
        self.flushes = Counter(
            "tooltrail_pipeline_flushes", "Successful flushes (insert, then commit)", registry=r
        )
        self.flush_seconds = Histogram(
            "tooltrail_pipeline_flush_seconds",
            "Time of one flush: store insert + dead-letter acks + offset commit",
            buckets=_FLUSH_BUCKETS,
            registry=r,
        )
        self.lag = Gauge(
            "tooltrail_pipeline_consumer_lag",
            "Records between the partition's high watermark and the consumer's position",
            ["topic", "partition"],
            registry=r,
        )
        self.buffered_rows = Gauge(
            "tooltrail_pipeline_buffered_events",
            "Events held in memory, not yet flushed",
            registry=r,
        )
        self.paused = Gauge(
            "tooltrail_pipeline_paused",
            "1 while fetching is paused (buffer full or store down)",
            registry=r,
        )
        self.throughput = Gauge(
            "tooltrail_pipeline_throughput_events_per_second",
            "Events flushed per second, over the last few seconds",
            registry=r,
        )
        self._window_start = time.monotonic()
        self._window_events = 0
        self._lag_labels: set[tuple[str, str]] = set()

    def observe_flush(self, events: int, seconds: float, *, window: float = 5.0) -> None:
        """Count one successful flush of ``events`` rows that took ``seconds``."""
        self.flushes.inc()
        self.flush_seconds.observe(seconds)
        self._window_events += events
        now = time.monotonic()
        elapsed = now - self._window_start
        if elapsed >= window:
            self.throughput.set(self._window_events / elapsed)
            self._window_start, self._window_events = now, 0

    def set_lag(self, lags: dict[tuple[str, int], int]) -> None:
        """Replace the per-partition lag gauges (partitions no longer held are removed)."""
        labels = {(topic, str(partition)) for topic, partition in lags}
        for gone in self._lag_labels - labels:
            self.lag.remove(*gone)
        for (topic, partition), value in lags.items():
            self.lag.labels(topic, str(partition)).set(value)
        self._lag_labels = labels

    def value(self, name: str, **labels: str) -> float:
        """One sample's current value (0 when absent); for tests and the benchmark."""
        return float(self.registry.get_sample_value(name, labels) or 0.0)

    def render(self) -> bytes:
        return generate_latest(self.registry)

    def serve(self, port: int, addr: str = "127.0.0.1") -> Any:
        """Serve ``/metrics`` on ``addr:port`` from a daemon thread; returns (server, thread)."""
        return start_http_server(port, addr=addr, registry=self.registry)
