"""``generate``: the fleet's traffic for one seed, as a :class:`~tooltrail.simulator.Simulation`.

Order of the world: the people (with the hard negatives' cast set up), the servers' outage
windows, the on-call pages, the team queues worked over everyone's shifts, the service accounts'
jobs, the CI runs that follow the pull requests people opened, and the hard-negative episodes.
The scored days are the last :data:`SCORED_DAYS` (``SimConfig.attack_days``): only calls on them
carry hard-negative labels; the history before is unlabelled. Calls are sorted by time
(stable). Deterministic from the seed. Raises ``ValueError`` for a config it cannot simulate.
"""

from __future__ import annotations

import dataclasses
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from ..model import Incident, SimCall, SimConfig, Simulation, UserProfile
from .agent import Runner
from .negatives import add, prepare
from .org import DAY_US, HOUR_US, Person, build_people
from .services import SERVICE_ACCOUNTS, run_ci, run_services
from .work import run_queues

__all__ = ["SCORED_DAYS", "FleetConfig", "generate"]

_MIN: Final = 60_000_000
#: the last two days (a Sunday and the Monday release day) are scored
SCORED_DAYS: Final = 2
_FLAKY: Final = ("github", "slack", "atlassian", "sentry", "notion", "aws-s3", "gdrive")


@dataclass(frozen=True)
class FleetConfig:
    """What to simulate; the default fortnight starts on a Tuesday and scores Sunday + Monday."""

    seed: int = 1
    people: int = 56
    days: int = 14
    start: datetime = datetime(2026, 11, 3, tzinfo=UTC)

    def __post_init__(self) -> None:
        if not 16 <= self.people <= 400:
            raise ValueError("people must be between 16 and 400")
        if self.days < SCORED_DAYS + 3:
            raise ValueError(f"days must be at least {SCORED_DAYS + 3}")
        if self.start.tzinfo is None or self.start.utcoffset() != UTC.utcoffset(None):
            raise ValueError("start must be an aware datetime in UTC")
        if self.start != self.start.replace(hour=0, minute=0, second=0, microsecond=0):
            raise ValueError("start must be midnight UTC")
        if (self.start.weekday() + self.days - 1) % 7 != 0:
            raise ValueError("start + days must end on a Monday (the release day)")


def generate(cfg: FleetConfig | None = None) -> Simulation:
    """The fleet's labelled benign traffic (no attacks: ``fleet.attacks.inject`` adds them)."""
    cfg = cfg or FleetConfig()
    start_us = int(cfg.start.timestamp()) * 1_000_000
    days, scored_from = cfg.days, cfg.days - SCORED_DAYS
    rng = random.Random(f"fleet:{cfg.seed}")
    people, cast = prepare(
        build_people(random.Random(f"fleet:{cfg.seed}:people"), cfg.people, days, cfg.start),
        rng,
        days,
    )
    outages = {
        s: [
            (t, t + rng.randrange(5, 25) * _MIN)
            for t in sorted(
                start_us + rng.randrange(days * 24 * 60) * _MIN for _ in range(rng.randint(0, 3))
            )
        ]
        for s in _FLAKY
    }
    runner = Runner(rng, start_us, outages)
    run_queues(runner, people, rng, start_us, days, _pages(people, rng, start_us, days))
    run_services(runner, rng, start_us, days, scored_from)
    run_ci(runner, rng)
    add(runner, people, cast, rng, start_us, days)
    last_us, config_end = start_us + (days - 1) * DAY_US, start_us + days * DAY_US
    relabel = {cast.new_hire: "benign:new_hire#0", cast.role_change: "benign:role_change#0"}
    calls = [
        dataclasses.replace(c, label=relabel[c.user])
        if c.user in relabel and c.ts >= last_us and not c.label
        else c
        for c in runner.calls
    ]
    calls = [c for c in calls if c.ts < config_end]  # work running past the end is not observed
    calls.sort(key=lambda c: c.ts)
    config = SimConfig(
        seed=cfg.seed,
        users=len(people) + len(SERVICE_ACCOUNTS),
        days=days,
        start=cfg.start,
        attack_days=SCORED_DAYS,
        scenarios=(),
        incidents_per_scenario=0,
        new_users=1,
    )
    return Simulation(
        config=config,
        calls=calls,
        incidents=[],
        benign_bursts=_bursts(calls),
        users=[_profile(p) for p in people] + [_service(s) for s in SERVICE_ACCOUNTS],
    )


def _pages(
    people: list[Person], rng: random.Random, start_us: int, days: int
) -> list[tuple[int, str]]:
    """(time, on-call engineer) of the alerts that page over the fortnight (weekly rotation)."""
    rota = [p for p in people if p.oncall and p.first_day == 0]
    out = []
    for d in range(days):
        who = rota[(d // 7) % len(rota)]
        for _ in range(rng.choice((0, 0, 1, 1, 1, 2))):
            if rng.random() < 0.65:
                local = rng.uniform(who.start_h, who.start_h + who.hours)
            else:
                local = rng.uniform(0, 24)
            out.append((start_us + d * DAY_US + int((local - who.tz) * HOUR_US), who.name))
    return sorted(out)


def _bursts(calls: list[SimCall]) -> list[Incident]:
    groups: dict[str, list[SimCall]] = defaultdict(list)
    for c in calls:
        if c.label:
            groups[c.label].append(c)
    out = []
    for label, cs in sorted(groups.items()):
        first = cs[0]
        out.append(
            Incident(
                id=label,
                scenario=label.partition("#")[0],
                user=first.user,
                agent=first.agent,
                client=first.client,
                start=cs[0].ts,
                end=cs[-1].ts,
                calls=len(cs),
                description=f"{label.partition('#')[0]} by {first.user}",
            )
        )
    return out


def _profile(p: Person) -> UserProfile:
    return UserProfile(
        name=p.name,
        role=p.team,
        tz_hours=p.tz,
        work_start=round(p.start_h, 2),
        work_end=round(p.start_h + p.hours, 2),
        agents=tuple(s.agent for s in p.seats),
        client=p.seats[0].client,
        client_version=p.seats[0].versions[0],
        first_day=p.first_day,
    )


def _service(name: str) -> UserProfile:
    return UserProfile(name, "service", 0.0, 0.0, 24.0, (), "", "")
