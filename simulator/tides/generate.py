"""``generate``: fourteen days of the tides organisation, the last one scored.

Office staff, the support rota and contractors are Hawkes processes (``hawkes.py``) over their
own rhythms (``org.py``); service accounts run schedules (``services.py``); the last day holds the
labelled hard negatives (``negatives.py``). Everything follows from the seed; calls are sorted by
time (stable). The result is a :class:`~tooltrail.simulator.model.Simulation` whose config's
``attack_start_us`` is the start of the scored day.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Final

from ..model import SimCall, SimConfig, Simulation, UserProfile
from ._calls import CallMaker
from .hawkes import person_calls
from .negatives import choose, negatives
from .org import Person, people
from .services import SERVICE_ACCOUNTS, service_calls

__all__ = ["SCORED_DAYS", "TidesConfig", "generate"]

#: how many days at the end are scored (the hard negatives and attacks live there)
SCORED_DAYS: Final = 1


@dataclass(frozen=True)
class TidesConfig:
    """What to generate: ``people`` office staff (plus contractors and service accounts) over
    ``days`` days from ``start`` (a Wednesday, so the scored last day is a Tuesday)."""

    seed: int = 1
    people: int = 70
    days: int = 14
    start: datetime = datetime(2026, 11, 4, tzinfo=UTC)

    def __post_init__(self) -> None:
        if not 30 <= self.people <= 200:
            raise ValueError("people must be between 30 and 200")
        if not 4 <= self.days <= 28:
            raise ValueError("days must be between 4 and 28")
        if self.start.tzinfo is None or self.start.utcoffset() != UTC.utcoffset(None):
            raise ValueError("start must be an aware datetime in UTC")
        if self.start.weekday() != 2 or (self.start.hour, self.start.minute) != (0, 0):
            raise ValueError("start must be a Wednesday at 00:00 UTC")

    def sim_config(self) -> SimConfig:
        """The :class:`SimConfig` the benchmark reads (scored window: the last day)."""
        return SimConfig(
            seed=self.seed,
            users=self.people,
            days=self.days,
            start=self.start,
            attack_days=SCORED_DAYS,
            scenarios=(),
            incidents_per_scenario=0,
            new_users=0,
        )


def _profile(p: Person) -> UserProfile:
    seat = p.seats[0][0]
    return UserProfile(
        p.name,
        p.role,
        p.tz,
        p.work_start,
        p.work_end,
        tuple(s[0].agent for s in p.seats),
        seat.client,
        seat.client_version,
        p.first_day,
    )


def generate(cfg: TidesConfig | None = None) -> Simulation:
    """The benign traffic with its labelled hard negatives (no attacks: see ``inject``)."""
    cfg = cfg or TidesConfig()
    rng = random.Random(f"tides:{cfg.seed}")
    sc = cfg.sim_config()
    start, days = sc.start_us, cfg.days
    mk = CallMaker(rng, days, start)
    staff = people(rng, cfg.people, days)
    cast = choose(rng, staff)
    replaced = {cast["role_change"].name, cast["power_user_day"].name}
    calls: list[SimCall] = []
    for p in staff:
        calls.extend(person_calls(mk, p, start, days, days - 1 if p.name in replaced else None))
    calls.extend(service_calls(mk, start, days))
    extra, bursts = negatives(mk, staff, cast, start, days)
    calls.extend(extra)
    calls = [c for c in calls if start <= c.ts < sc.end_us]
    calls.sort(key=lambda c: c.ts)
    profiles = [_profile(p) for p in staff]
    profiles += [
        UserProfile(s, "service", 0.0, 0.0, 24.0, ("cron",), "tides-scheduler", "3.1.0")
        for s in SERVICE_ACCOUNTS
    ]
    for b in bursts:
        if b.user not in {u.name for u in profiles}:
            profiles.append(
                UserProfile(b.user, "developer", 0.0, 9.0, 17.5, (b.agent,), b.client, "", days - 1)
            )
    counts: dict[str, int] = {}
    for c in calls:
        if c.label:
            counts[c.label] = counts.get(c.label, 0) + 1
    bursts = [replace(b, calls=counts.get(b.id, 0)) for b in bursts if counts.get(b.id)]
    return Simulation(sc, calls, [], bursts, profiles)
