"""Text shared by the human-facing sinks (Slack, console): titles, windows, features."""

from __future__ import annotations

from datetime import UTC, datetime

from tooltrail.detectors.alert import Alert, FeatureEvidence

__all__ = ["feature_line", "number", "title", "utc", "window"]


def number(value: float) -> str:
    """A short, exact-enough rendering: integers without decimals, others to 4 significant
    digits (``12``, ``0.3333``, ``1.235e+06``)."""
    if value != value:  # NaN
        return "nan"
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):d}"
    return f"{value:.4g}"


def utc(us: int) -> datetime:
    """Event time in µs since the epoch as an aware UTC datetime."""
    return datetime.fromtimestamp(us / 1_000_000, UTC)


def window(start_us: int, end_us: int) -> str:
    """``2025-11-24 16:00:00 – 16:05:00 UTC`` (the date repeated only when it changes)."""
    start, end = utc(start_us), utc(end_us)
    end_fmt = "%H:%M:%S" if start.date() == end.date() else "%Y-%m-%d %H:%M:%S"
    return f"{start:%Y-%m-%d %H:%M:%S} – {end.strftime(end_fmt)} UTC"


def title(alert: Alert) -> str:
    """``HIGH · rule:denial_burst · user u-17``."""
    return f"{alert.severity.upper()} · {alert.detector} · {alert.entity_kind} {alert.entity}"


def feature_line(f: FeatureEvidence) -> str:
    """``denials: 14 (usual p50 0, p99 2; entity baseline)``."""
    return (
        f"{f.name}: {number(f.value)} (usual p50 {number(f.baseline_p50)}, "
        f"p99 {number(f.baseline_p99)}; {f.basis} baseline)"
    )
