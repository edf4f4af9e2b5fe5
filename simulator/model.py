"""What a simulation is made of: calls, labelled episodes, the configuration and the result.

A :class:`SimCall` is one MCP request as the audited server would record it, plus its ``label``:
``""`` for ordinary traffic, an attack incident id (``"bulk_exfiltration#0"``) or a benign-burst
id (``"benign:nightly_batch#2"``). Times are event time, integer µs since the Unix epoch (UTC).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

__all__ = [
    "ATTACK_SCENARIOS",
    "BENIGN_SCENARIOS",
    "DAY_US",
    "HARD_NEGATIVES",
    "Incident",
    "SimCall",
    "SimConfig",
    "Simulation",
    "UserProfile",
]

DAY_US: Final = 86_400_000_000

#: the attacks the simulator can inject, in a fixed order
ATTACK_SCENARIOS: Final[tuple[str, ...]] = (
    "bulk_exfiltration",
    "slow_low_exfiltration",
    "resource_enumeration",
    "runaway_agent_loop",
    "stolen_key_new_client",
    "privilege_probing",
    "prompt_injection_sequence",
)
#: labelled benign episodes that detectors must NOT alert on
BENIGN_SCENARIOS: Final[tuple[str, ...]] = (
    "benign:nightly_batch",
    "benign:ci_bot",
    "benign:weekly_report",
    "benign:new_user",
)
#: hard negatives a config may switch on (``SimConfig.hard_negatives``; ``simulator/negatives.py``)
HARD_NEGATIVES: Final[tuple[str, ...]] = (
    "benign:release_spike",
    "benign:role_change",
    "benign:oncall_night",
    "benign:month_end",
)


@dataclass(frozen=True, slots=True)
class SimCall:
    """One simulated MCP request, with the fields the emitter records and its label."""

    ts: int
    server: str
    method: str
    tool: str | None
    resource_uri: str | None
    args: dict[str, Any]
    user: str
    agent: str
    client: str
    client_version: str
    session_id: str
    trace_id: str
    outcome: str
    error_type: str | None
    duration_us: int
    result_bytes: int
    label: str


@dataclass(frozen=True, slots=True)
class Incident:
    """One labelled episode (an attack, or a benign burst); ``start``/``end``: first/last call."""

    id: str
    scenario: str
    user: str
    agent: str
    client: str
    start: int
    end: int
    calls: int
    description: str


@dataclass(frozen=True, slots=True)
class UserProfile:
    """A simulated person (or service account): role, home timezone, agents and usual client."""

    name: str
    role: str  # developer | analyst | ops | service
    tz_hours: float  # home timezone offset from UTC
    work_start: float  # local hours, e.g. 8.25
    work_end: float
    agents: tuple[str, ...]
    client: str
    client_version: str
    first_day: int = 0  # index of the first simulated day the user is active


@dataclass(frozen=True)
class SimConfig:
    """What to simulate. Everything follows from ``seed``; the default 8 days end on a Monday."""

    seed: int = 7
    users: int = 20
    days: int = 8
    start: datetime = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday, 00:00 UTC
    attack_days: int = 1
    scenarios: tuple[str, ...] = ATTACK_SCENARIOS
    incidents_per_scenario: int = 1
    new_users: int = 1
    hard_negatives: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.users < 1:
            raise ValueError("users must be at least 1")
        if self.days < 1:
            raise ValueError("days must be at least 1")
        if not 1 <= self.attack_days <= self.days:
            raise ValueError(f"attack_days must be between 1 and days ({self.days})")
        if self.incidents_per_scenario < 0 or self.new_users < 0:
            raise ValueError("incidents_per_scenario and new_users must not be negative")
        if self.start.tzinfo is None or self.start.utcoffset() != UTC.utcoffset(None):
            raise ValueError("start must be an aware datetime in UTC")
        odd = [s for s in self.hard_negatives if s not in HARD_NEGATIVES]
        if odd:
            raise ValueError(
                f"hard_negatives: unknown {odd}; choose from {', '.join(HARD_NEGATIVES)}"
            )
        unknown = [s for s in self.scenarios if s not in ATTACK_SCENARIOS]
        if unknown:
            raise ValueError(
                f"scenarios: unknown {unknown}; choose from {', '.join(ATTACK_SCENARIOS)}"
            )

    @property
    def start_us(self) -> int:
        return int(self.start.timestamp()) * 1_000_000 + self.start.microsecond

    @property
    def end_us(self) -> int:
        """End of the simulated time (exclusive)."""
        return self.start_us + self.days * DAY_US

    @property
    def attack_start_us(self) -> int:
        """Start of the last ``attack_days`` days: no attack call is earlier."""
        return self.start_us + (self.days - self.attack_days) * DAY_US

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["start"] = self.start.isoformat().replace("+00:00", "Z")
        d["scenarios"] = list(self.scenarios)
        d["hard_negatives"] = list(self.hard_negatives)
        return d


@dataclass
class Simulation:
    """The result of :func:`simulate`: calls sorted by ``ts`` (stable), and what is labelled."""

    config: SimConfig
    calls: list[SimCall]
    incidents: list[Incident]
    benign_bursts: list[Incident]
    users: list[UserProfile] = field(default_factory=list)

    def label_counts(self) -> dict[str, int]:
        """Calls per label; ordinary traffic under ``""``."""
        return dict(sorted(Counter(c.label for c in self.calls).items()))

    def labels(self) -> dict[str, Any]:
        """Everything a benchmark needs to score detections, as JSON-able data."""
        return {
            "config": self.config.to_json(),
            "start_us": self.config.start_us,
            "end_us": self.config.end_us,
            "attack_start_us": self.config.attack_start_us,
            "calls": len(self.calls),
            "incidents": [asdict(i) for i in self.incidents],
            "benign_bursts": [asdict(b) for b in self.benign_bursts],
            "label_counts": self.label_counts(),
            "users": [asdict(u) for u in self.users],
        }

    def write_labels(self, path: str | os.PathLike[str]) -> None:
        """Write :meth:`labels` as a JSON file (UTF-8, indented)."""
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.labels(), f, indent=2, sort_keys=False)
            f.write("\n")
