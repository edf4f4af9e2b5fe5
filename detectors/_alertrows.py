"""What the ``alerts`` table holds for an alert and how it is read back: the stored record (what
the store adds to an :class:`~.alert.Alert`), its payload, the filters of a listing, and the
root actor alerts are grouped by. Used by :mod:`.alertstore`, which owns the table."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tooltrail.pipeline.store.filters import where

from .alert import Alert

__all__ = ["GROUPED_KINDS", "AlertRecord", "alert_from_payload", "root_actor"]

#: entity kinds whose alerts are grouped by their root actor
GROUPED_KINDS = frozenset({"user", "user_tool", "agent", "stream"})


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """A stored alert with what the store adds: when it was first stored and last changed
    (wall clock, µs), who acknowledged it and the note given with a false-positive label."""

    alert: Alert
    created_us: int
    updated_us: int = 0
    note: str | None = None
    acked_by: str | None = None


def root_actor(alert: Alert) -> str | None:
    """The actor an alert is grouped by: its ``actor`` when the detector named one, else the
    entity up to its first ``|`` for the grouped kinds; None: not grouped."""
    if alert.actor:
        return alert.actor
    if alert.entity_kind not in GROUPED_KINDS:
        return None
    return alert.entity.split("|", 1)[0]


def alert_from_payload(payload: str) -> Alert:
    """The Alert in a stored ``payload`` (its ``annotations`` left out)."""
    data = json.loads(payload)
    data.pop("annotations", None)
    return Alert.from_dict(data)


def _record(payload: str, created_us: int, updated_us: int) -> AlertRecord:
    notes = json.loads(payload).get("annotations") or {}
    return AlertRecord(
        alert_from_payload(payload),
        int(created_us),
        int(updated_us),
        note=notes.get("note"),
        acked_by=notes.get("acked_by"),
    )


_FILTERS = {
    "id": "id = {id:String}",
    "key": "dedupe_key = {key:String}",
    "status": "status = {status:String}",
    "severity": "severity = {severity:String}",
    "since": "window_start >= fromUnixTimestamp64Micro({since:Int64}, 'UTC')",
    "until": "window_start < fromUnixTimestamp64Micro({until:Int64}, 'UTC')",
}


def _where(**values: Any) -> tuple[str, dict[str, Any]]:
    """A WHERE condition of the ``_FILTERS`` whose value is not None, and its parameters."""
    return where(_FILTERS, **values)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _dt(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)
