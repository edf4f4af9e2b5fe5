"""``generate``: the logistics company's benign traffic over ``days``, the last one scored.

Day by day: the day's parcels arrive (partner feeds, web shop), the parcels sorted the night
before go out with the drivers who work that day, exceptions reach customer service and claims,
brokers declare cross-border parcels, dispatchers plan and re-plan, the office and the scheduled
jobs run, and the depots' night shift sorts what waits. The hard negatives are added on the last
day. Deterministic from ``seed``.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from ..model import DAY_US, Incident, SimCall, SimConfig, Simulation
from ._record import Log
from .flow import Parcel, arrivals, depot_counts
from .negatives import SURGE, add_negatives
from .org import DEPOTS, REGIONS, Staff, build_org
from .services import feeds, jobs
from .work import (
    HOUR_US,
    Clock,
    claims,
    customs,
    deliver,
    desk,
    dispatch,
    office,
    on_duty,
    sort,
)

__all__ = ["DepotsConfig", "generate"]


@dataclass(frozen=True)
class DepotsConfig:
    """What to generate: ``users`` permanent staff (plus a tenth as seasonal temps), ``days``
    from ``start`` (a Tuesday: the scored day is the Monday after Black Friday)."""

    seed: int = 7
    users: int = 100
    days: int = 14
    start: datetime = field(default=datetime(2026, 11, 17, tzinfo=UTC))

    def __post_init__(self) -> None:
        if self.users < 30:
            raise ValueError("users must be at least 30 (every role needs people)")
        if self.days < 7:
            raise ValueError("days must be at least 7 (a week of history)")

    def sim_config(self) -> SimConfig:
        return SimConfig(
            seed=self.seed,
            users=self.users,
            days=self.days,
            start=self.start,
            scenarios=(),
            incidents_per_scenario=0,
            new_users=0,
        )


def generate(cfg: DepotsConfig = DepotsConfig()) -> Simulation:
    """The benign traffic, with the hard negatives labelled on the last day."""
    rng = random.Random(f"depots:{cfg.seed}")
    org = build_org(rng, cfg.users, temps=max(2, cfg.users // 10))
    sc = cfg.sim_config()
    clock, log = Clock(sc.start_us), Log(rng)
    drivers = len(org.of("driver"))
    per_depot = drivers * 22 / len(DEPOTS)
    ready: dict[str, list[Parcel]] = defaultdict(list)  # sorted, waiting for a driver
    waiting: dict[str, list[Parcel]] = defaultdict(list)  # arrived, waiting for the night sort
    eve = cfg.start - timedelta(days=1)
    for p in arrivals(rng, clock.start - DAY_US, eve, depot_counts(rng, eve, per_depot, 0, 2)):
        ready[p.depot].append(p)
    damaged: list[Parcel] = []
    for day in range(cfg.days):
        date = cfg.start + timedelta(days=day)
        came = arrivals(
            rng, clock.at(day, 0, 0), date, depot_counts(rng, date, per_depot, day, cfg.days)
        )
        feeds(log, clock, org, day, came)
        claims(log, clock, org, day, damaged)
        damaged = []
        cases = [(p.arrived + 6 * HOUR_US, p) for p in came if p.enquiry]
        if day == cfg.days - 1:  # Cyber Monday: the Black-Friday weekend's backlog goes out
            backlog = clock.at(day - 1, 0, 0)
            for depot, waits in ready.items():
                ready[depot] = [
                    replace(p, label=SURGE) if p.arrived < backlog else p for p in waits
                ]
        for depot in DEPOTS:
            team = on_duty(clock, [d for d in org.of("driver") if d.depot == depot], day)
            cases += deliver(log, clock, team, depot, day, ready.pop(depot, []) if team else [])
        damaged = [p for _t, p in cases if p.exception == "damaged"]
        desk(log, clock, org, cases)
        customs(log, clock, org, day, [p for p in came if p.cross_border])
        for region in REGIONS:
            dispatch(log, clock, org, day, region, breakdowns=int(rng.random() < 0.35))
        office(log, clock, org, day)
        jobs(log, clock, org, day, vans=drivers)
        for p in came:
            waiting[p.depot].append(p)
        for depot in DEPOTS:
            crew = on_duty(clock, [w for w in org.of("depot") if w.depot == depot], day)
            if crew and waiting[depot]:
                sort(log, clock, crew, depot, day, waiting[depot])
                ready[depot].extend(waiting.pop(depot))
    joined = add_negatives(log, clock, org, cfg.days - 1)
    return _finish(sc, [*org.staff, *org.services, *joined], log.calls)


def _finish(sc: SimConfig, people: list[Staff], calls: list[SimCall]) -> Simulation:
    """Calls inside the span, sorted (stable); one :class:`Incident` per benign label."""
    kept = sorted((c for c in calls if sc.start_us <= c.ts < sc.end_us), key=lambda c: c.ts)
    by_label: dict[str, list[SimCall]] = defaultdict(list)
    for c in kept:
        if c.label:
            by_label[c.label].append(c)
    bursts = [
        Incident(
            label,
            label.split("#")[0],
            cs[0].user,
            cs[0].agent,
            cs[0].client,
            cs[0].ts,
            cs[-1].ts,
            len(cs),
            f"{label.split('#')[0]}: {len(cs)} calls by {len({c.user for c in cs})} identities",
        )
        for label, cs in sorted(by_label.items())
    ]
    return Simulation(sc, kept, [], bursts, [s.profile for s in people])
