"""The law firm's configuration and :func:`generate`: the world, its traffic, its negatives."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..model import Incident, SimCall, SimConfig, Simulation
from ._emit import Recorder
from .jobs import scheduled_jobs
from .negatives import hard_negatives, outage_window, plan_negatives
from .people import build_world
from .traffic import MINUTE, Clock, ordinary_traffic

__all__ = ["CounselConfig", "generate"]


@dataclass(frozen=True)
class CounselConfig(SimConfig):
    """Fourteen days from Tuesday 17 November 2026 (US Thanksgiving on day 9); the last, the
    month-end Monday, is scored. ``matters``: open matters; ``intake_per_day``: new matters a
    working day across the offices. Everything follows from ``seed``."""

    seed: int = 1
    users: int = 75
    days: int = 14
    start: datetime = field(default=datetime(2026, 11, 17, tzinfo=UTC))
    scenarios: tuple[str, ...] = ()
    new_users: int = 0
    matters: int = 70
    intake_per_day: float = 3.0

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.days < 8:
            raise ValueError(
                f"days must be at least 8 (five of history, the scored day), not {self.days}"
            )
        if self.attack_days != 1:
            raise ValueError("attack_days must be 1: the last day is the scored day")
        if self.matters < 20:
            raise ValueError(f"matters must be at least 20, not {self.matters}")
        if not 0 <= self.intake_per_day <= 50:
            raise ValueError(f"intake_per_day must be between 0 and 50, not {self.intake_per_day}")
        if self.start.hour or self.start.minute or self.start.second or self.start.microsecond:
            raise ValueError("start must be a midnight (UTC)")


def generate(config: CounselConfig) -> Simulation:
    """The firm's traffic over ``config.days``, the hard negatives on the last day, sorted by
    time; calls past the span's end are dropped."""
    rng = random.Random(f"counsel:{config.seed}")
    start = config.start
    world = build_world(rng, config.days, start.date(), config.matters)
    clock = Clock(config.start_us)
    rec = Recorder(rng)
    # two court e-filing outages in the history (a Friday in New York, a Tuesday in London)
    for day, hour, minutes in ((3, 19.2, 50), (7, 10.5, 45)):
        a = clock.at(day, 0.0, hour)
        rec.outages.setdefault("efiling", []).append((a, a + minutes * MINUTE))
    scored = config.days - 1
    rec.outages["efiling"].append(outage_window(clock, scored))
    plan = plan_negatives(world, clock, scored, rng)
    ordinary_traffic(world, rec, clock, config.days, config.intake_per_day, rng)
    scheduled_jobs(world, rec, clock, config.days, rng)
    hard_negatives(world, rec, clock, scored, plan, rng)
    end = config.end_us
    calls = sorted((c for c in rec.calls if config.start_us <= c.ts < end), key=lambda c: c.ts)
    spans: dict[str, tuple[SimCall, int, int]] = {}
    for c in calls:
        if c.label:
            first, _, n = spans.get(c.label, (c, 0, 0))
            spans[c.label] = (first, c.ts, n + 1)
    bursts = [
        Incident(label, label.split("#")[0], first.user, first.agent, first.client, first.ts,
                 last, n, plan.describe[label.split("#")[0]])
        for label, (first, last, n) in spans.items()
    ]  # fmt: skip
    users = world.profiles() + plan.newcomers(clock, scored)
    return Simulation(config, calls, [], bursts, users=users)
