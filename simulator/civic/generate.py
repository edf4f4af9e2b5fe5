"""``CivicConfig`` and ``generate``: fourteen days of the city, the last one scored.

The default span starts on Wednesday 20 January 2027 (00:00 UTC), so the scored day is
Tuesday 2 February 2027 UTC: the council meeting the evening before, the month-end billing run,
a water main break at 03:10, the billing vendor down at 08:00 and a payroll run (local times).
Everything follows from ``seed``. ``users``, ``scenarios`` and the other fields inherited from
:class:`~tooltrail.simulator.SimConfig` are not used by the city.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, time

from ..model import Incident, SimCall, SimConfig, Simulation, UserProfile
from ._emit import Recorder
from .events import Calendar
from .jobs import CLIENT, run_jobs
from .negatives import DESCRIPTIONS, HARD_NEGATIVES, SKIPPED_JOBS, hard_negatives
from .people import JOBS, roster
from .routine import oncall_nights, workday

__all__ = ["CivicConfig", "generate"]


@dataclass(frozen=True)
class CivicConfig(SimConfig):
    """The city's span: ``seed``, ``days`` (at least 8; the last is scored) from ``start``
    (an aware UTC midnight)."""

    seed: int = 1
    days: int = 14
    start: datetime = datetime(2027, 1, 20, tzinfo=UTC)
    scenarios: tuple[str, ...] = ()
    new_users: int = 0

    def __post_init__(self) -> None:
        if self.days < 8:
            raise ValueError(f"days must be at least 8 (a week of history), not {self.days}")
        if self.start.tzinfo is None or self.start.utcoffset() != UTC.utcoffset(None):
            raise ValueError("start must be an aware datetime in UTC")
        if self.start.timetz() != time(0, tzinfo=self.start.tzinfo):
            raise ValueError(f"start must be a midnight (00:00 UTC), not {self.start.isoformat()}")
        if self.attack_days != 1:
            raise ValueError("attack_days: the city scores one day (the last)")
        super().__post_init__()


def generate(config: CivicConfig) -> Simulation:
    """The city's traffic over ``config``'s span, with its hard negatives on the scored day."""
    cal = Calendar(config.start, config.days)
    rng = random.Random(f"civic:traffic:{config.seed}")
    rec = Recorder(rng, cal, config.start_us, config.end_us)
    people = roster(config.seed)
    newcomers = hard_negatives(rec, cal, people, config.seed)
    away = {(n, cal.scored) for n in _travelling(rec)}
    for p in people:
        for day in range(-1, cal.days):
            if (p.name, day) not in away:
                workday(rec, cal, p, day, config.seed)
    oncall_nights(rec, cal, people, config.seed)
    run_jobs(rec, cal, config.seed, {(job, cal.scored - back) for job, back in SKIPPED_JOBS})
    calls = sorted(rec.calls, key=lambda c: c.ts)
    users = [
        UserProfile(p.name, p.dept, p.tz, p.start, p.start + p.hours, p.agents, p.client,
                    cal.version(p.client, config.start_us))
        for p in people
    ] + [
        UserProfile(j.name, "service", 0.0, 0.0, 24.0, (j.agent,), CLIENT,
                    cal.version(CLIENT, config.start_us))
        for j in JOBS
    ] + newcomers  # fmt: skip
    return Simulation(config, calls, [], _bursts(calls), users)


def _travelling(rec: Recorder) -> set[str]:
    """Who is away at a conference on the scored day (they work from there, labelled)."""
    return {c.user for c in rec.calls if c.label == "benign:conference_travel#0"}


def _bursts(calls: list[SimCall]) -> list[Incident]:
    first: dict[str, SimCall] = {}
    last: dict[str, SimCall] = {}
    count: Counter[str] = Counter()
    for c in calls:
        if c.label:
            first.setdefault(c.label, c)
            last[c.label] = c
            count[c.label] += 1
    order = {name: i for i, name in enumerate(HARD_NEGATIVES)}
    return [
        Incident(label, label.split("#")[0], c.user, c.agent, c.client, c.ts, last[label].ts,
                 count[label], DESCRIPTIONS[label.split("#")[0]])
        for label, c in sorted(first.items(), key=lambda kv: order[kv[0].split("#")[0]])
    ]  # fmt: skip
