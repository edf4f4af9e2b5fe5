"""Small helpers every format shares: times, the one-line summary, the severity scales."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Final

__all__ = ["ALERT_RANK", "iso", "summary"]

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
#: alert severity → 0 (low) … 3 (critical)
ALERT_RANK: Final = {"low": 0, "medium": 1, "high": 2, "critical": 3}


def iso(us: int) -> str:
    """µs since the epoch as ISO 8601 UTC with µs: ``2026-01-31T10:00:00.123456Z``."""
    return (_EPOCH + timedelta(microseconds=int(us))).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def summary(event: dict[str, Any]) -> str:
    """One line a person reads: ``tools/call read_file by u-17 (agent a): denied``."""
    what = (
        event.get("gen_ai.tool.name")
        or event.get("mcp.resource.uri")
        or event.get("gen_ai.prompt.name")
        or ""
    )
    actor = event.get("actor") or {}
    who = actor.get("user") or actor.get("client") or "-"
    agent = f" (agent {actor['agent']})" if actor.get("agent") else ""
    target = f" {what}" if what else ""
    return f"{event['mcp.method.name']}{target} by {who}{agent}: {event['outcome']}"
