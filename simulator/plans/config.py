"""What to generate (:class:`PlansConfig`) and the package's one error (:class:`PlansError`).

Errors::

    PlansError (ValueError)   a bad argument: names the field and the rule it broke

A config is checked when it is made; nothing is generated from a bad one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from ..model import DAY_US, SimConfig

__all__ = ["HARD_NEGATIVES", "PlansConfig", "PlansError"]

#: the labelled hard negatives of the scored day (``benign:<name>#k``), in a fixed order
HARD_NEGATIVES: Final[tuple[str, ...]] = (
    "benign:travel",
    "benign:overnight_refactor",
    "benign:war_room",
    "benign:quarter_end_export",
    "benign:new_hire",
    "benign:approved_cleanup",
    "benign:pentest",
    "benign:ticketed_migration",
    "benign:client_upgrade",
    "benign:flaky_server",
)


class PlansError(ValueError):
    """A bad argument to the plans generator or its injector (the message names the field)."""


@dataclass(frozen=True)
class PlansConfig:
    """Everything follows from ``seed``. The default fortnight starts on Tuesday 2026-10-20 and
    crosses both daylight-saving ends (Europe 10-25, US 11-01); the last day (Monday 11-02) is
    scored."""

    seed: int = 1
    people: int = 72
    days: int = 14
    start: datetime = datetime(2026, 10, 20, tzinfo=UTC)
    hard_negatives: tuple[str, ...] = HARD_NEGATIVES
    page_rate: float = 0.7  # mean on-call pages per night

    def __post_init__(self) -> None:
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise PlansError(f"seed: must be an integer, got {self.seed!r}")
        if isinstance(self.people, bool) or not isinstance(self.people, int):
            raise PlansError(f"people: must be an integer, got {self.people!r}")
        if not 24 <= self.people <= 2000:
            raise PlansError(f"people: must be between 24 and 2000, got {self.people}")
        if isinstance(self.days, bool) or not isinstance(self.days, int):
            raise PlansError(f"days: must be an integer, got {self.days!r}")
        if not 7 <= self.days <= 90:
            raise PlansError(
                f"days: must be between 7 and 90 (history + the scored day), got {self.days}"
            )
        if not isinstance(self.start, datetime) or self.start.utcoffset() != UTC.utcoffset(None):
            raise PlansError("start: must be an aware datetime in UTC")
        if (self.start.hour, self.start.minute, self.start.second, self.start.microsecond) != (
            0,
            0,
            0,
            0,
        ):
            raise PlansError(f"start: must be a UTC midnight, got {self.start.isoformat()}")
        unknown = [h for h in self.hard_negatives if h not in HARD_NEGATIVES]
        if unknown:
            raise PlansError(
                f"hard_negatives: unknown {unknown}; choose from {', '.join(HARD_NEGATIVES)}"
            )
        if not 0 <= self.page_rate <= 10:
            raise PlansError(
                f"page_rate: must be between 0 and 10 pages a night, got {self.page_rate}"
            )

    @property
    def start_us(self) -> int:
        return int(self.start.timestamp()) * 1_000_000

    @property
    def end_us(self) -> int:
        return self.start_us + self.days * DAY_US

    @property
    def scored_us(self) -> int:
        """Start of the scored (last) day."""
        return self.end_us - DAY_US

    def sim_config(self) -> SimConfig:
        """The :class:`SimConfig` a :class:`Simulation` carries (same window, one scored day)."""
        return SimConfig(
            seed=self.seed,
            users=self.people,
            days=self.days,
            start=self.start,
            attack_days=1,
            scenarios=(),
            incidents_per_scenario=0,
            new_users=0,
        )
