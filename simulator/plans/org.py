"""The organisation: people, their roles, countries, hours, agents, workspaces and life events.

:func:`build_org` draws, from one random stream, ``n`` people over teams and roles, each with a
home country (zone and holidays), a usual start hour and day length, the weekdays they work
(part-timers work 2-3), the agents and clients they run, the servers their clients have
configured (a few configured servers they hardly use) and a :class:`Workspace`. Life events
over the fortnight: people joining and leaving mid-way, trips (working from another zone for
some days), role changes (new servers from that day), shift workers and a shift swap, and the
weekly on-call rotation of the SREs with one swapped night. Deterministic from the stream.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Final

from .clock import ZONES, Zone
from .workspace import Workspace

__all__ = [
    "ROLE_SERVERS",
    "Agent",
    "Person",
    "build_org",
    "fresh_name",
    "new_person",
    "workspace_for",
]

#: role → servers its people's clients have configured and use
ROLE_SERVERS: Final[dict[str, tuple[str, ...]]] = {
    "backend": (
        "filesystem",
        "git",
        "github",
        "sentry",
        "linear",
        "postgres",
        "slack",
        "memory",
        "sequential-thinking",
    ),
    "frontend": ("filesystem", "git", "github", "puppeteer", "fetch", "linear", "slack", "sentry"),
    "sre": (
        "kubernetes",
        "aws-api",
        "cloudwatch",
        "pagerduty",
        "sentry",
        "github",
        "slack",
        "git",
        "filesystem",
    ),
    "data": ("bigquery", "postgres", "gdrive", "slack", "filesystem", "fetch"),
    "finance": ("gdrive", "bigquery", "slack", "atlassian"),
    "support": ("atlassian", "slack", "sentry", "linear", "fetch"),
    "pm": ("linear", "atlassian", "slack", "gdrive", "github"),
    "security": ("github", "aws-api", "kubernetes", "cloudwatch", "fetch", "slack", "sentry"),
    "manager": ("slack", "linear", "atlassian", "gdrive", "github", "time"),
}
_ROLE_WEIGHTS: Final = {
    "backend": 20,
    "frontend": 9,
    "sre": 7,
    "data": 8,
    "finance": 4,
    "support": 8,
    "pm": 5,
    "security": 3,
    "manager": 5,
}
_COUNTRY_WEIGHTS: Final = {
    "US-W": 16,
    "US-E": 14,
    "BR": 6,
    "GB": 10,
    "IE": 5,
    "DE": 12,
    "IN": 12,
    "JP": 3,
    "AU": 4,
}
_AGENTS: Final = (  # agent, client, versions
    ("claude-code", "claude-code", ("2.0.14", "2.0.22")),
    ("cursor-agent", "cursor", ("1.7.38", "1.7.44")),
    ("codex", "codex-cli", ("0.46.0",)),
    ("goose", "goose", ("1.9.3",)),
    ("copilot-agent", "vscode", ("1.105.1",)),
    ("assistant", "claude-desktop", ("0.13.64", "0.13.91")),
)
_DEV_AGENTS: Final = (0, 1, 2, 3, 4)
_DESK_AGENTS: Final = (5, 0, 4)
_TEAMS: Final = ("payments", "search", "web", "platform", "data", "growth", "identity")
_FIRST: Final = (
    "amara",
    "aiko",
    "ben",
    "carla",
    "chen",
    "dara",
    "elif",
    "femi",
    "gita",
    "hana",
    "ivan",
    "jonas",
    "kai",
    "lena",
    "luis",
    "maya",
    "nadia",
    "omar",
    "priya",
    "quinn",
    "rafael",
    "sofia",
    "tariq",
    "uma",
    "vera",
    "wei",
    "yusuf",
    "zoe",
    "anil",
    "beatriz",
    "colm",
    "dmitri",
    "esther",
    "farah",
    "goran",
    "helga",
    "ines",
    "jamal",
    "keiko",
    "lars",
    "mei",
    "niamh",
    "oskar",
    "paula",
    "ravi",
    "saoirse",
    "tomas",
    "ulla",
    "viktor",
    "wanjiru",
    "xena",
    "yara",
    "zaid",
)
_LAST: Final = (
    "okafor",
    "tanaka",
    "silva",
    "muller",
    "kowalski",
    "nguyen",
    "patel",
    "obrien",
    "schmidt",
    "garcia",
    "rossi",
    "kim",
    "haddad",
    "novak",
    "ferreira",
    "ito",
    "sharma",
    "walsh",
    "weber",
    "lopez",
    "costa",
    "yamamoto",
    "iyer",
    "murphy",
    "fischer",
    "santos",
    "kaur",
    "brennan",
    "hoffmann",
    "moreau",
    "suzuki",
    "reddy",
    "doyle",
    "becker",
    "alves",
)


@dataclass(frozen=True, slots=True)
class Agent:
    name: str
    client: str
    version: str
    weight: float


@dataclass
class Person:
    """One person (their agents act for them); days are indexes into the fortnight."""

    name: str
    role: str
    team: str
    country: str
    start_h: float  # usual local start of the working day
    hours: float  # usual length of the working day
    workdays: frozenset[int]  # weekdays (0 = Monday)
    agents: list[Agent]
    servers: tuple[str, ...]  # configured in their clients
    ws: Workspace
    first_day: int = 0
    last_day: int = 10**6  # first day they are gone
    trip: tuple[int, int, str] | None = None  # first day, last day, country worked from
    role_change: tuple[int, str] | None = None  # from this day, this role
    shift: str = ""  # "" | early | late (support)
    swaps: dict[int, str] = field(default_factory=dict)  # day → the shift worked instead
    unattended: float = 0.0  # chance per working day of an overnight agent run

    def role_on(self, day: int) -> str:
        if self.role_change and day >= self.role_change[0]:
            return self.role_change[1]
        return self.role

    def servers_on(self, day: int) -> tuple[str, ...]:
        extra = ROLE_SERVERS[self.role_on(day)] if self.role_change else ()
        return tuple(dict.fromkeys((*self.servers, *extra)))

    def zone_on(self, day: int) -> tuple[str, Zone]:
        if self.trip and self.trip[0] <= day <= self.trip[1]:
            return self.trip[2], ZONES[self.trip[2]]
        return self.country, ZONES[self.country]

    def active_on(self, day: int) -> bool:
        return self.first_day <= day < self.last_day


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _workspace(rng: random.Random, user: str, team: str, mac: bool) -> Workspace:
    other = [t for t in _TEAMS if t != team]
    repos = [
        f"acme/{team}-{s}"
        for s in rng.sample(["api", "web", "worker", "infra", "sdk", "jobs", "schema"], 3)
    ]
    repos += [f"acme/{rng.choice(other)}-api", "acme/monorepo-tools"]
    files = {}
    for r in repos:
        dirs = rng.sample(
            [
                "src",
                "src/handlers",
                "src/models",
                "tests",
                "config",
                "migrations",
                "docs",
                "scripts",
                "lib",
                "cmd",
            ],
            5,
        )
        ext = rng.choice([".py", ".ts", ".go"])
        names = [
            "main",
            "client",
            "cache",
            "retry",
            "auth",
            "store",
            "routes",
            "utils",
            "schema",
            "config",
            "handler",
            "worker",
            "queue",
            "api",
            "errors",
            "types",
            "service",
        ]
        files[r] = [
            f"{rng.choice(dirs)}/{n}{rng.choice([ext, ext, '.md', '.yaml'])}"
            for n in rng.sample(names, 12)
        ] + ["README.md", "Makefile"]
    tables = [
        f"{team}_{t}"
        for t in rng.sample(
            ["orders", "events", "users", "invoices", "sessions", "audit", "jobs", "refunds"], 5
        )
    ]
    return Workspace(
        user=user,
        home=f"/Users/{user.split('.')[0]}" if mac else f"/home/{user.split('.')[0]}",
        repos=repos,
        files=files,
        tables=[*tables, "customers", "ledger_entries"],
        datasets=[f"analytics.{t}" for t in tables[:3]] + ["analytics.revenue_daily"],
        channels=[f"C0{team[:3].upper()}{i:05d}" for i in range(4)]
        + ["C0GENERAL01", "C0INCIDENT1"],
        namespaces=[team, f"{team}-staging", "ingress", "monitoring"],
        projects=[team[:4], rng.choice(other)[:4]],
        docs=[f"1{rng.getrandbits(60):015x}" for _ in range(8)],
        urls=[f"https://docs.acme.dev/{team}/{p}" for p in ("runbook", "api", "adr-12")]
        + [
            "https://developer.mozilla.org/en-US/docs/Web/HTTP",
            "https://pkg.go.dev/net/http",
            f"https://staging.{team}.acme.dev/",
        ],
        entities=[f"{team}-{e}" for e in ("service", "owner", "oncall", "decision", "todo")],
    )


def _agents(rng: random.Random, role: str) -> list[Agent]:
    pool = (
        _DEV_AGENTS if role in ("backend", "frontend", "sre", "security", "data") else _DESK_AGENTS
    )
    picks = rng.sample(pool, rng.choice([1, 1, 2, 2, 3]))
    out = []
    for k, i in enumerate(picks):
        name, client, versions = _AGENTS[i]
        out.append(Agent(name, client, rng.choice(versions), 1.0 / (k + 1) ** 1.5))
    return out


def fresh_name(rng: random.Random, taken: set[str]) -> str:
    """A ``first.last`` name nobody in ``taken`` has."""
    while True:
        name = f"{rng.choice(_FIRST)}.{rng.choice(_LAST)}"
        if name not in taken:
            return name


def build_org(rng: random.Random, n: int, days: int) -> list[Person]:
    """``n`` people with their life events over ``days`` days (the last one is scored)."""
    names: list[str] = []
    while len(names) < n:
        names.append(fresh_name(rng, set(names)))
    people = []
    for name in names:
        role = _weighted(rng, _ROLE_WEIGHTS)
        country = _weighted(rng, _COUNTRY_WEIGHTS)
        team = "data" if role in ("data", "finance") else rng.choice(_TEAMS)
        servers = ROLE_SERVERS[role]
        rarely = [s for r in ROLE_SERVERS.values() for s in r if s not in servers]
        servers = (*servers, *rng.sample(sorted(set(rarely)), 2))
        people.append(
            Person(
                name=name,
                role=role,
                team=team,
                country=country,
                start_h=rng.gauss(8.9 if role != "sre" else 9.5, 0.8),
                hours=rng.uniform(7.5, 9.5),
                workdays=frozenset(range(5)),
                agents=_agents(rng, role),
                servers=servers,
                ws=_workspace(rng, name, team, rng.random() < 0.7),
                unattended=0.06 if role in ("backend", "frontend", "data") else 0.0,
            )
        )
    _life_events(rng, people, days)
    return people


def _life_events(rng: random.Random, people: list[Person], days: int) -> None:
    history = days - 1
    pool = list(range(len(people)))
    rng.shuffle(pool)
    take = iter(pool)
    for _ in range(max(2, len(people) // 24)):  # part-time: 2-3 fixed weekdays
        p = people[next(take)]
        p.workdays = frozenset(rng.sample(range(5), rng.choice([2, 3])))
    for _ in range(3):  # joiners
        people[next(take)].first_day = rng.randint(3, max(3, history - 4))
    for _ in range(2):  # leavers
        people[next(take)].last_day = rng.randint(max(4, history // 2), history - 1)
    for _ in range(3):  # trips in the history
        p = people[next(take)]
        first = rng.randint(1, max(1, history - 6))
        away = rng.choice([c for c in ZONES if abs(ZONES[c].std - ZONES[p.country].std) >= 5])
        p.trip = (first, first + rng.randint(2, 4), away)
    for _ in range(2):  # role changes in the history
        p = people[next(take)]
        new = rng.choice([r for r in ROLE_SERVERS if r not in (p.role, "finance")])
        p.role_change = (rng.randint(4, max(4, history - 3)), new)
    support = [p for p in people if p.role == "support"]
    for i, p in enumerate(support):  # follow-the-sun support: early and late shifts
        p.shift = "early" if i % 2 == 0 else "late"
    if len(support) >= 2:
        a, b = rng.sample(support, 2)
        d = rng.randint(1, history - 1)
        a.swaps[d], b.swaps[d] = b.shift or "late", a.shift or "early"


def new_person(rng: random.Random, name: str, role: str, country: str, first_day: int) -> Person:
    """A person who joins on ``first_day`` (a new hire: their role's servers, one agent)."""
    team = rng.choice(_TEAMS)
    return Person(
        name=name,
        role=role,
        team=team,
        country=country,
        start_h=9.0,
        hours=8.0,
        workdays=frozenset(range(5)),
        agents=_agents(rng, role)[:1],
        servers=ROLE_SERVERS[role],
        ws=_workspace(rng, name, team, True),
        first_day=first_day,
    )


def workspace_for(rng: random.Random, user: str) -> Workspace:
    """A workspace for ``user`` drawn afresh (what an intruder acting as them would reach)."""
    return _workspace(rng, user, rng.choice(_TEAMS), rng.random() < 0.5)
