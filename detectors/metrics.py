"""Prometheus metrics of the detectors, in their own registry (no global state).

One ``Metrics`` object is shared by the engine, the alert store and the sink dispatcher of a
process; ``render()`` is a ``/metrics`` body.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

__all__ = ["Metrics"]


class Metrics:
    """The detectors' counters. Labels are low-cardinality (detector, severity, sink, reason)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.windows_scored = Counter(
            "tooltrail_detect_windows_scored", "Entity-windows scored", ["level"], registry=r
        )
        self.alerts_fired = Counter(
            "tooltrail_alerts_fired",
            "New alerts stored (after dedupe and cooldown)",
            ["detector", "severity"],
            registry=r,
        )
        self.alerts_suppressed = Counter(
            "tooltrail_alerts_suppressed",
            "Alert candidates not raised, not sent or kept from paging, by reason (cooldown, "
            "learning, grouped, false_positive, announced)",
            ["reason"],
            registry=r,
        )
        self.active = Gauge(
            "tooltrail_detect_active",
            "1 while this instance scores (holds the detectors lease, or runs inside up)",
            registry=r,
        )
        self.false_positives = Counter(
            "tooltrail_alerts_false_positive",
            "Alerts labelled false positive by a person",
            ["detector"],
            registry=r,
        )
        self.acked = Counter("tooltrail_alerts_acked", "Alerts acknowledged", registry=r)
        self.sink_sent = Counter(
            "tooltrail_alert_sink_sent", "Alerts a sink delivered", ["sink"], registry=r
        )
        self.sink_failures = Counter(
            "tooltrail_alert_sink_failures",
            "Alerts a sink gave up on after its retries",
            ["sink"],
            registry=r,
        )
        self.sink_retries = Counter(
            "tooltrail_alert_sink_retries",
            "Delivery attempts that were retried",
            ["sink"],
            registry=r,
        )
        self.sink_dropped = Counter(
            "tooltrail_alert_sink_dropped",
            "Alerts dropped because a sink's queue was full",
            ["sink"],
            registry=r,
        )
        self.fits = Counter("tooltrail_detect_fits", "Model (re)fits", ["level"], registry=r)
        self.fit_seconds = Histogram(
            "tooltrail_detect_fit_seconds", "Seconds per model fit", ["level"], registry=r
        )
        self.watermark = Gauge(
            "tooltrail_detect_watermark_seconds",
            "Event time (unix seconds) up to which windows are scored",
            registry=r,
        )
        self.rescored = Counter(
            "tooltrail_detect_straggler_rescores",
            "Times scored windows were scored again because stragglers arrived",
            registry=r,
        )
        self.live_windows = Counter(
            "tooltrail_detect_live_windows",
            "Open windows the live rules evaluated as their events arrived",
            registry=r,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
