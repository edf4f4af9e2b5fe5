"""``generate``: fourteen days of a hospital's MCP traffic, the last one scored.

The order is the hospital's: staff and the rota (day by day; the scored day's negatives fix a
few shifts first), then patients arrive and move through the units, each step done by whoever is
on shift; then the shifts' own routines, the services, and the scored day's hard negatives.
Everything follows from ``seed`` (each part draws from its own stream).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from ..model import DAY_US, Incident, SimCall, SimConfig, Simulation, UserProfile
from ._calls import Recorder
from .flow import patient_flow
from .negatives import DESCRIPTIONS, apply, plan
from .org import SERVICES, Staff, build_staff
from .rota import Rostering, Rota
from .routine import Census, routines, services
from .work import Ward

__all__ = ["WardsConfig", "generate"]


@dataclass(frozen=True)
class WardsConfig:
    """What to simulate: ``days`` ending on a month's last day (a Monday) by default."""

    seed: int = 1
    days: int = 14
    arrivals_per_day: float = 60.0  # ED arrivals on an average day
    start: datetime = datetime(2026, 11, 17, tzinfo=UTC)  # a Tuesday

    def __post_init__(self) -> None:
        if self.days < 7:
            raise ValueError("days must be at least 7 (a rota week and a scored day)")
        if not 10 <= self.arrivals_per_day <= 400:
            raise ValueError("arrivals_per_day must be between 10 and 400")
        if self.start.tzinfo is None or self.start.utcoffset() != UTC.utcoffset(None):
            raise ValueError("start must be an aware datetime in UTC")


def generate(cfg: WardsConfig = WardsConfig()) -> Simulation:
    """The hospital's benign traffic with the scored day's labelled hard negatives."""
    sim_cfg = SimConfig(
        seed=cfg.seed,
        users=1,
        days=cfg.days,
        start=cfg.start,
        scenarios=(),
        incidents_per_scenario=0,
        new_users=0,
    )
    start, end = sim_cfg.start_us, sim_cfg.end_us
    weekday0 = cfg.start.weekday()

    def stream(name: str) -> random.Random:
        return random.Random(f"wards:{cfg.seed}:{name}")

    staff = build_staff(stream("staff"), start, cfg.days)
    rostering = Rostering(stream("rota"), staff, start, weekday0)
    for d in range(-1, cfg.days - 1):  # from the eve of day 0: its night shift runs into it
        rostering.day(d)
    negatives = plan(stream("plan"), staff, rostering, cfg.days - 1)
    rostering.day(cfg.days - 1, negatives.fixed)
    rota = Rota(rostering.shifts)
    steps = patient_flow(stream("flow"), start, cfg.days, weekday0, cfg.arrivals_per_day)
    rec = Recorder(stream("calls"))
    ward = Ward(stream("work"), rota, rec)
    for s in steps:
        ward.step(s)
    census = Census(steps)
    routines(stream("routine"), rota, rec, census)
    coded = Counter((s.ts - start) // DAY_US for s in steps if s.kind == "coding")
    services(stream("services"), rec, start, cfg.days, [coded[d] for d in range(cfg.days)])
    apply(stream("negatives"), negatives, rota, rec, ward, census)
    calls = rec.calls(start, end)
    users = _profiles(staff, rota, start, calls)
    sim_cfg = SimConfig(
        seed=cfg.seed,
        users=len(users),
        days=cfg.days,
        start=cfg.start,
        scenarios=(),
        incidents_per_scenario=0,
        new_users=0,
    )
    return Simulation(sim_cfg, calls, [], _bursts(calls), users)


def _bursts(calls: list[SimCall]) -> list[Incident]:
    """One incident per benign label: its main actor, first and last call, size."""
    by: dict[str, list[SimCall]] = {}
    for c in calls:
        if c.label:
            by.setdefault(c.label, []).append(c)
    out = []
    for label, group in sorted(by.items(), key=lambda kv: kv[1][0].ts):
        user = Counter(c.user for c in group).most_common(1)[0][0]
        first = next(c for c in group if c.user == user)
        scenario = label.split("#")[0]
        out.append(
            Incident(
                label,
                scenario,
                user,
                first.agent,
                first.client,
                group[0].ts,
                group[-1].ts,
                len(group),
                DESCRIPTIONS[scenario],
            )
        )
    return out


def _profiles(staff: Staff, rota: Rota, start: int, calls: list[SimCall]) -> list[UserProfile]:
    seen = {c.user for c in calls}
    out = []
    for p in staff.people:
        if p.name not in seen:
            continue
        shifts = [s for s in rota.of(p.name) if s.kind != "oncall"] or rota.of(p.name)
        s0 = shifts[0]
        hour = (s0.start - start) % DAY_US / 3_600_000_000
        out.append(
            UserProfile(
                p.name,
                p.role,
                0.0,
                round(hour, 2),
                round(hour + (s0.end - s0.start) / 3_600_000_000, 2) % 24,
                p.agents,
                p.client,
                p.versions[0][1],
                first_day=(s0.start - start) // DAY_US,
            )
        )
    for user, agent, client, version in SERVICES.values():
        out.append(UserProfile(user, "service", 0.0, 0.0, 24.0, (agent,), client, version))
    return out
