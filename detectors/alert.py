"""The alert: what fired, on whom, in which window, why, and where to look.

An alert is plain data (JSON-able through :meth:`Alert.to_dict`): sinks render it, the store
keeps it in ``alerts`` (its ``payload`` column holds ``to_dict()``), and the CLI lists it.
Times are event time in integer µs since the epoch (UTC), like the event's ``ts``.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = ["SEVERITIES", "Alert", "EventRefs", "FeatureEvidence", "Severity", "alert_id"]

Severity = Literal["low", "medium", "high", "critical"]
#: severities in rising order (``SEVERITIES.index(s)`` compares them)
SEVERITIES: tuple[Severity, ...] = ("low", "medium", "high", "critical")
Status = Literal["open", "acked", "false_positive"]


@dataclass(frozen=True, slots=True)
class FeatureEvidence:
    """One feature that drove the alert, next to the entity's usual values.

    ``basis`` says whose baseline: ``entity`` (its own history) or ``group`` (borrowed from its
    entity group while it has little history).
    """

    name: str
    value: float
    baseline_p50: float
    baseline_p99: float
    basis: Literal["entity", "group"] = "entity"


@dataclass(frozen=True, slots=True)
class EventRefs:
    """The events involved: up to a few dozen ids, plus their sessions and traces."""

    count: int
    event_ids: tuple[str, ...] = ()
    session_ids: tuple[str, ...] = ()
    trace_ids: tuple[str, ...] = ()


def alert_id(dedupe_key: str, window_start: int) -> str:
    """Deterministic id: a replay of the same events names the same alert the same way."""
    return hashlib.sha256(f"{dedupe_key}\x1f{window_start}".encode()).hexdigest()[:20]


@dataclass(slots=True)
class Alert:
    """One alert. ``dedupe_key`` identifies "the same problem" (detector + entity); repeats
    within the cooldown raise ``count`` and move ``last_window_end`` instead of alerting again.
    ``group`` ties related alerts together (one actor, one stretch of time); ``actor`` is the
    user behind the alert when the detector knows it (its own user, or the user behind most of
    the window's calls). ``announcement`` names the announced activity (change calendar,
    ``announce.py``) that kept it from paging: its ``severity`` was lowered to ``low`` from
    ``original_severity``; both are empty for an alert no announcement covered."""

    severity: Severity
    detector: str  # e.g. "model:user", "rule:denial_burst"
    entity_kind: str  # user | user_tool | agent | server_tool | source | stream | server | tool
    entity: str  # e.g. "u-17" or "u-17|fs.read_file"
    window_start: int  # µs, event time
    window_end: int  # µs, event time
    score: float
    reason: str  # one sentence a person can act on
    dedupe_key: str
    features: tuple[FeatureEvidence, ...] = ()
    events: EventRefs = field(default_factory=lambda: EventRefs(0))
    group: str = ""
    actor: str = ""  # the user behind the alert when known (groups related alerts)
    link: str = ""
    status: Status = "open"
    count: int = 1
    last_window_end: int = 0
    id: str = ""
    announcement: str = ""  # the announcement that demoted it (``announce.py``)
    original_severity: str = ""  # its severity before that

    def __post_init__(self) -> None:
        if not self.id:
            self.id = alert_id(self.dedupe_key, self.window_start)
        if not self.last_window_end:
            self.last_window_end = self.window_end

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["features"] = [asdict(f) for f in self.features]
        d["events"] = {
            k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self.events).items()
        }
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Alert:
        d = dict(d)
        d["features"] = tuple(FeatureEvidence(**f) for f in d.get("features", ()))
        ev = d.get("events") or {"count": 0}
        d["events"] = EventRefs(
            count=int(ev.get("count", 0)),
            event_ids=tuple(ev.get("event_ids", ())),
            session_ids=tuple(ev.get("session_ids", ())),
            trace_ids=tuple(ev.get("trace_ids", ())),
        )
        return cls(**d)
