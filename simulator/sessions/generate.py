"""Fourteen days of an organisation's MCP traffic, built as agent sessions; the last day holds
the labelled hard negatives.

Each person's day (``org.py``) is laid out in their own time zone: start and end around their
habit, lunch, meetings, then tasks arriving at random moments of the free time, each carried out
by their agent (``agent.py``) as a run of calls from their team's task templates (``tasks.py``)
on the servers they use. Service accounts run scheduled jobs, and the on-call rotation answers
night pages (``episodes.py``). The result is a :class:`~tooltrail.simulator.Simulation`;
calls outside the window are dropped, labels before the last day are cleared (history is
unlabelled), and every call carries only what a real emitter records (a resource only on
``resources/read``). Deterministic from the seed; a few seconds for the default 14 days.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Final

from ..model import DAY_US, SimConfig, Simulation, UserProfile
from ._args import Context, Project
from .agent import Actor, Out, run_task
from .org import CLIENTS, Person, build_people, projects
from .tasks import COMMON, TEAMS

__all__ = ["HARD_NEGATIVES", "DayPlan", "SessionsConfig", "generate"]

S: Final = 1_000_000
H: Final = 3600 * S
#: the labelled look-alikes on the last day (``episodes.py`` says how each is built)
HARD_NEGATIVES: Final = (
    "benign:nightly_batch",
    "benign:release_spike",
    "benign:new_user",
    "benign:oncall_night",
    "benign:role_change",
    "benign:back_from_vacation",
    "benign:quarter_end",
)


@dataclass(frozen=True)
class SessionsConfig:
    """``days`` of traffic from ``start`` (UTC midnight; the default window ends on a quarter's
    last day, a Wednesday); the last ``attack_days`` days hold the hard negatives and are where
    an attack library injects."""

    seed: int = 3
    days: int = 14
    attack_days: int = 1
    start: datetime = datetime(2026, 9, 17, tzinfo=UTC)

    def __post_init__(self) -> None:
        if self.days < 7:
            raise ValueError("days must be at least 7 (the hard negatives need a history)")
        if not 1 <= self.attack_days < self.days:
            raise ValueError(f"attack_days must be between 1 and days - 1 ({self.days - 1})")
        if self.start.tzinfo is None or self.start.utcoffset() != UTC.utcoffset(None):
            raise ValueError("start must be an aware datetime in UTC")
        if (self.start.hour, self.start.minute, self.start.second) != (0, 0, 0):
            raise ValueError("start must be a UTC midnight")

    def sim_config(self, users: int) -> SimConfig:
        return SimConfig(
            seed=self.seed,
            users=users,
            days=self.days,
            start=self.start,
            attack_days=self.attack_days,
            scenarios=(),
            incidents_per_scenario=0,
            new_users=2,
        )


@dataclass
class DayPlan:
    """What is special about one person's day: its label, extra tasks, longer hours."""

    label: str = ""
    first: list[str] = field(default_factory=list)  # templates run first thing
    extra: list[str] = field(default_factory=list)  # templates added to the day
    longer: float = 0.0  # hours beyond the usual end
    size_scale: float = 1.0


class World:
    """Everything the day planner and the episodes share."""

    def __init__(self, cfg: SessionsConfig) -> None:
        self.cfg = cfg
        self.out = Out(cfg.seed)
        self.projects: dict[str, Project] = projects(cfg.seed)
        self.people: list[Person] = build_people(cfg.seed, cfg.start.date(), cfg.days)
        self.plans: dict[tuple[str, int], DayPlan] = {}
        self.last = cfg.days - 1  # the day index of the scored day
        self.cut = _us(cfg.start) + (cfg.days - cfg.attack_days) * DAY_US
        self.end = _us(cfg.start) + cfg.days * DAY_US
        #: (person, day) → (time from which they use the new ``kb`` server, label)
        self.adopt: dict[str, tuple[int, str]] = {}

    def date(self, d: int) -> date:
        return self.cfg.start.date() + timedelta(days=d)

    def midnight(self, tz: float, d: int) -> int:
        """UTC µs of local midnight on day ``d`` for a person at offset ``tz``."""
        return _us(self.cfg.start) + d * DAY_US - int(tz * H)

    def actor(self, p: Person, d: int, extra: frozenset[str] = frozenset()) -> Actor:
        old, new, cli, traces, parallel = CLIENTS[p.client]
        return Actor(
            user=p.name,
            agent=p.agent,
            client=p.client,
            client_version=new if d >= p.update_day else old,
            servers=p.servers | extra,
            think=p.think,
            cli=cli,
            traces=traces,
            parallel=parallel,
        )


def _us(t: datetime) -> int:
    return int(t.timestamp()) * S


def _poisson(rng: random.Random, lam: float) -> int:
    n, limit, prod = 0, math.exp(-lam), rng.random()
    while prod > limit:
        n += 1
        prod *= rng.random()
    return n


def _templates(p: Person, d: int) -> list[tuple[float, str, str]]:
    """(weight, template, team whose project it works on) for ``p`` on day ``d``."""
    mine = [*TEAMS[p.team].tasks.values(), *COMMON.values()]
    out = [(w, t, p.team) for w, t in mine]
    if p.extra_team and d >= p.extra_from:  # moved team: mostly the new team's work now
        out = [(w * 0.3, t, team) for w, t, team in out]
        out += [(w, t, p.extra_team) for w, t in TEAMS[p.extra_team].tasks.values()]
    return out


def person_day(w: World, p: Person, d: int) -> None:
    """Lay out and run ``p``'s tasks on local day ``d`` (nothing when they are off)."""
    rng = random.Random(f"{w.cfg.seed}:day:{p.name}:{d}")
    plan = w.plans.get((p.name, d), DayPlan())
    weekday = w.date(d).weekday()
    if d < p.first_day or d in p.off:
        return
    if weekday in p.workdays:
        begin = p.start + rng.gauss(0, 0.4)
        end = begin + p.hours * rng.uniform(0.85, 1.1) + plan.longer
        n = _poisson(rng, p.tasks_per_day * (0.8 if weekday == 4 else 1.0))
    elif rng.random() < p.weekend_p:  # a short look at something on a weekend day
        begin = rng.uniform(10, 16)
        end, n = begin + rng.uniform(0.5, 2.0), rng.randint(1, 3)
    else:
        return
    zero = w.midnight(p.tz, d)
    lunch = begin + rng.uniform(3.0, 4.5)
    busy = [(lunch, lunch + rng.uniform(0.5, 1.0))]
    for _ in range(_poisson(rng, 1.3)):
        m = rng.uniform(begin, end)
        busy.append((m, m + rng.choice((0.5, 0.5, 1.0))))
    free = [
        h
        for h in (rng.uniform(begin, end) for _ in range(n * 3))
        if not any(a <= h < b for a, b in busy)
    ][:n]
    starts = [zero + int(h * H) for h in sorted(free)]
    limit = zero + int((end + 0.75) * H)  # a task started late runs on a little
    weights = _templates(p, d)
    extra = (
        frozenset(TEAMS[p.extra_team].core) if p.extra_team and d >= p.extra_from else frozenset()
    )
    actor = w.actor(p, d, extra)
    t = zero + int(begin * H)
    tried = False
    for template in plan.first:
        t = _task(w, p, actor, template, t, d, plan, rng, limit, p.team)
    queue = [(s, "") for s in starts] + [
        (zero + int(rng.uniform(begin, end) * H), x) for x in plan.extra
    ]
    for start, fixed in sorted(queue):
        t = max(start, t + int(rng.uniform(20, 240) * S))
        if t >= limit:
            break
        if fixed:
            template, team = fixed, p.team
        else:
            _, template, team = rng.choices(weights, [x[0] for x in weights])[0]
        adopt = w.adopt.get(p.name)
        if adopt is not None and t >= adopt[0]:
            kb = replace(actor, servers=actor.servers | {"kb"})
            if not tried:
                tried = True
                t = _task(w, p, kb, _TRY_KB, t, d, replace(plan, label=adopt[1]), rng, limit, team)
                t += int(rng.uniform(30, 300) * S)
            elif rng.random() < 0.35:
                t = _task(
                    w,
                    p,
                    kb,
                    "kb_search{1,2} kb_get_article?",
                    t,
                    d,
                    replace(plan, label=adopt[1]),
                    rng,
                    limit,
                    team,
                )
        t = _task(w, p, actor, template, t, d, plan, rng, limit, team)


_TRY_KB: Final = "kb_list_spaces? kb_search{2,6} kb_get_article{1,4} kb_ask{0,2}"


def _task(
    w: World,
    p: Person,
    actor: Actor,
    template: str,
    t: int,
    d: int,
    plan: DayPlan,
    rng: random.Random,
    limit: int,
    team: str,
) -> int:
    ctx = Context(p.name, w.projects[team], random.Random(rng.getrandbits(64)))
    key = f"{d}:{t}" if actor.cli else str(d)
    return run_task(
        w.out,
        actor,
        template,
        t,
        ctx,
        session_key=key,
        label=plan.label,
        until=limit,
        size_scale=plan.size_scale,
    )


def generate(config: SessionsConfig | None = None) -> Simulation:
    """The organisation's traffic for ``config`` (the default: seed 3, 14 days)."""
    from . import episodes

    cfg = config or SessionsConfig()
    w = World(cfg)
    episodes.prepare(w)  # hires, a role change, a vacation, the quarter's close, the release
    for p in w.people:
        for d in range(-1, cfg.days + 1):
            person_day(w, p, d)
    episodes.run(w)  # scheduled jobs, CI, night pages
    calls = sorted(
        (
            c if c.ts >= w.cut or not c.label else replace(c, label="")
            for c in w.out.calls
            if _us(cfg.start) <= c.ts < w.end
        ),
        key=lambda c: c.ts,
    )
    w.out.calls = calls
    users = [
        UserProfile(
            name=p.name,
            role=TEAMS[p.team].role,
            tz_hours=p.tz,
            work_start=p.start,
            work_end=p.start + p.hours,
            agents=(p.agent,),
            client=p.client,
            client_version=CLIENTS[p.client][0],
            first_day=max(p.first_day, 0),
        )
        for p in w.people
    ]
    users += episodes.service_profiles()
    return Simulation(
        config=cfg.sim_config(len(users)),
        calls=calls,
        incidents=[],
        benign_bursts=w.out.incidents(w.cut, w.end),
        users=users,
    )
