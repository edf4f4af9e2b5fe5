"""``generate(TelcoConfig)``: the carrier's traffic over the span, hard negatives on the last day.

Each person works their rhythm's shifts (``people.py``) in one agent session a shift: pieces of
work arrive at the role's pace (Poisson, faster in the fibre cut and on launch day), a break of
30-50 min falls mid-shift, and each piece is one trace of calls (``tasks.py``). The jobs run on
their own clocks (``jobs.py``). Calls outside the span are dropped, as a recording window would.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime

from ..model import SimCall, SimConfig, Simulation, UserProfile
from ._emit import Recorder
from .jobs import JOBS, run_jobs
from .negatives import cast, plant
from .people import Person, local_shifts, roster
from .tasks import RATE, Task, field_job, noc_incident, pick
from .world import HOUR, MINUTE, World

__all__ = ["TelcoConfig", "generate"]

#: the assistant and client a person takes with a new role
_KIT = {"porting": ("porting-assist", "claude-desktop", "0.9.12")}


@dataclass(frozen=True)
class TelcoConfig(SimConfig):
    """What to generate: ``days`` (8-28) from ``start`` (midnight UTC); the last day is scored.
    ``care_agents`` in-house (the partner has a third as many), ``field_techs``."""

    seed: int = 1
    days: int = 14
    start: datetime = datetime(2026, 9, 23, tzinfo=UTC)  # a Wednesday
    scenarios: tuple[str, ...] = ()
    new_users: int = 0
    care_agents: int = 24
    field_techs: int = 18

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.start.utcoffset() != UTC.utcoffset(None):
            raise ValueError("start must be an aware datetime in UTC")
        if (self.start.hour, self.start.minute, self.start.second, self.start.microsecond) != (
            0, 0, 0, 0,
        ):  # fmt: skip
            raise ValueError(f"start must be at midnight UTC, not {self.start.time()}")
        if not 8 <= self.days <= 28:
            raise ValueError(f"days must be between 8 and 28 (history, then the scored day), "
                             f"not {self.days}")  # fmt: skip
        if self.attack_days != 1:
            raise ValueError("attack_days must be 1: the last day is the scored day")
        if not 8 <= self.care_agents <= 80:
            raise ValueError(f"care_agents must be between 8 and 80, not {self.care_agents}")
        if not 6 <= self.field_techs <= 60:
            raise ValueError(f"field_techs must be between 6 and 60, not {self.field_techs}")
        super().__post_init__()


def _desk(rec: Recorder, p: Person, w: World, seed: int) -> None:
    """``p``'s shifts over the span, with their pieces of work."""
    for day in range(-1, w.days):
        rng = random.Random(f"telco:{seed}:{p.name}:{day}")
        if p.last_day is not None and day >= p.last_day:
            return
        shifts = [(a, b, False) for a, b in local_shifts(p, day, w.weekday(day), rng)]
        role = p.role_on(day)
        if day == w.cut_day:
            shifts += [(a, b, True) for a, b in _callout(p, w, rng)]
        agent, client, version = _KIT.get(role, (p.agent, p.client, p.version_on(day)))
        if role != p.role:
            version = _KIT[role][2]
        for a, b, callout in shifts:
            t0, t1 = w.local(day, a, p.tz), w.local(day, b, p.tz)
            if t1 <= w.start_us or t0 >= w.end_us:
                continue
            s = rec.session(p.name, agent, client, version)
            brk = t0 + int((t1 - t0) * rng.uniform(0.4, 0.6))
            brk_end = brk + int(rng.uniform(30, 50) * MINUTE)
            ts = t0 + int(rng.uniform(1, 12) * MINUTE)
            while ts < t1:
                rate = RATE[role] * (2.0 if w.in_cut(ts) and role in ("noc", "care") else 1.0)
                if role == "shop" and w.local_day(ts) == w.launch_day:
                    rate *= 2.5
                ts += int(rng.expovariate(rate) * HOUR)
                if brk <= ts < brk_end:
                    ts = brk_end
                if ts >= t1:
                    break
                task: Task
                if callout and role in ("field", "noc_senior"):
                    task = field_job if role == "field" else noc_incident
                else:
                    task = pick(role, rng, w, ts)
                ts = task(s, ts, rng, w)


def _callout(p: Person, w: World, rng: random.Random) -> list[tuple[float, float]]:
    """The fibre cut's evening: five splice crews and one senior engineer are called out."""
    if p.role == "field" and p.agent == "field-assist" and p.tz == 1.0 and p.offset % 3 == 0:
        return [(18.0 + rng.uniform(0, 1), 28.0 + rng.uniform(0, 0.5))]
    if p.role == "noc_senior" and p.offset == 0:
        return [(21.0, 25.0 + rng.uniform(0, 0.5))]
    return []


def generate(config: TelcoConfig) -> Simulation:
    """The carrier's traffic: ordinary work, the jobs, and the labelled hard negatives."""
    w = World(config.start_us, config.days, config.start)
    rng = random.Random(f"telco:{config.seed}:roster")
    people = roster(config.care_agents, config.field_techs, config.days, rng)
    who = cast(people, w)
    rec = Recorder(f"telco:{config.seed}")
    for p in people:
        _desk(rec, p, w, config.seed)
    run_jobs(rec, w, config.seed)
    bursts = plant(rec, who, w, config.seed)
    calls = sorted(
        (c for c in rec.calls if w.start_us <= c.ts < w.end_us), key=lambda c: (c.ts, c.user)
    )
    return Simulation(config, calls, [], bursts, _profiles(people, calls))


def _profiles(people: list[Person], calls: list[SimCall]) -> list[UserProfile]:
    """Everyone who made a call, people first (their usual hours as local start/end)."""
    seen = {c.user for c in calls}
    out = [
        UserProfile(
            p.name,
            p.role,
            p.tz,
            p.start,
            p.start + 8.5,
            (p.agent,),
            p.client,
            p.versions[-1][1],
            p.first_day,
        )
        for p in people
        if p.name in seen
    ]
    known = {p.name for p in people}
    out += [
        UserProfile(u, "service", 0.0, 0.0, 24.0, (JOBS[u][0],), JOBS[u][1], JOBS[u][2])
        for u in sorted(seen - known)
        if u in JOBS
    ]
    return out
