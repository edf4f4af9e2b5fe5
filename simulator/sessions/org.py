"""The organisation: people in teams, where they live, when they work, what they run.

Each person gets a weekly rhythm of their own (full-time, part-time on fixed days, a
Sunday–Thursday week in Tel Aviv, early birds and night owls, some who work an occasional
weekend), their region's public holidays, a vacation now and then, sick days, meetings, an MCP
client (whose auto-update rolls out over the window) and an agent. Offsets are those of the
default window (no daylight-saving change inside it). Deterministic from the seed: every
person draws from a random stream of their own.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final

from ._args import Project, project
from .tasks import TEAMS

__all__ = ["CLIENTS", "REGIONS", "Person", "build_people", "projects"]

#: region → (UTC offset in hours, public holidays)
REGIONS: Final[dict[str, tuple[float, frozenset[str]]]] = {
    "san-francisco": (-7, frozenset({"2026-09-07", "2026-11-11", "2026-11-26", "2026-11-27"})),
    "new-york": (-4, frozenset({"2026-09-07", "2026-11-11", "2026-11-26", "2026-11-27"})),
    "sao-paulo": (-3, frozenset({"2026-09-07", "2026-10-12", "2026-11-02", "2026-11-20"})),
    "london": (1, frozenset({"2026-08-31", "2026-12-25"})),
    "berlin": (2, frozenset({"2026-10-03", "2026-12-25"})),
    "tel-aviv": (3, frozenset({"2026-09-21", "2026-09-28", "2026-10-03"})),
    "bangalore": (5.5, frozenset({"2026-09-14", "2026-10-02", "2026-10-20", "2026-11-09"})),
    "seoul": (9, frozenset({"2026-09-24", "2026-09-25", "2026-10-05", "2026-10-09"})),
    "tokyo": (9, frozenset({"2026-09-21", "2026-09-22", "2026-09-23", "2026-10-12"})),
}
#: client name → (versions before and after its auto-update, one process per task?, sends
#: W3C trace context?, runs independent reads in parallel?)
CLIENTS: Final[dict[str, tuple[str, str, bool, bool, bool]]] = {
    "claude-code": ("2.0.14", "2.0.22", True, True, True),
    "cursor-vscode": ("1.0.0", "1.0.0", False, False, True),
    "Visual Studio Code": ("1.104.2", "1.105.1", False, False, False),
    "claude-ai": ("0.13.64", "0.14.10", False, False, False),
    "goose": ("1.9.3", "1.10.0", True, True, False),
    "codex-mcp-client": ("0.44.0", "0.46.0", True, False, True),
    "zed": ("0.206.6", "0.206.6", False, False, False),
}
_CLIENT_WEIGHTS: Final = (8, 6, 4, 3, 1, 2, 1)
_HOSTS: Final = ("mbp", "xps", "tp", "ws", "imac")
_NAMES: Final = (
    "amara",
    "bjorn",
    "chen",
    "dana",
    "emeka",
    "farah",
    "goran",
    "hana",
    "ivan",
    "jia",
    "kofi",
    "lena",
    "mateo",
    "nadia",
    "oskar",
    "priya",
    "quinn",
    "rafael",
    "sana",
    "tomas",
    "uma",
    "vikram",
    "wen",
    "ximena",
    "yusuf",
    "zoe",
    "aiko",
    "bruno",
    "celia",
    "deniz",
)
#: team → (head count, regions it hires in)
_STAFF: Final = {
    "backend": (7, ("berlin", "london", "bangalore", "new-york", "tel-aviv", "sao-paulo")),
    "frontend": (4, ("berlin", "san-francisco", "sao-paulo", "london")),
    "platform": (4, ("new-york", "berlin", "bangalore", "tokyo")),
    "data": (4, ("london", "bangalore", "seoul", "new-york")),
    "finance": (3, ("new-york", "london", "new-york")),
    "support": (3, ("sao-paulo", "tokyo", "london")),
}
_REPOS: Final = {
    "backend": ("payments-api", "python", "PAY", "payments", "acme-payments"),
    "frontend": ("web-app", "typescript", "WEB", "web", "acme-web-assets"),
    "platform": ("infra", "yaml", "OPS", "platform", "acme-platform"),
    "data": ("data-pipelines", "sql", "DATA", "data", "acme-lake"),
    "finance": ("finance-reports", "sql", "FIN", "finance", "acme-finance"),
    "support": ("support-kb", "python", "SUP", "support", "acme-support"),
}


def projects(seed: int) -> dict[str, Project]:
    """Each team's project (repository, Jira key, channel, tables, namespace, bucket)."""
    return {team: project(*spec, seed=seed) for team, spec in _REPOS.items()}


@dataclass(slots=True)
class Person:
    """One human and their habits; times are local hours."""

    name: str
    team: str
    region: str
    tz: float
    workdays: frozenset[int]  # 0 = Monday
    start: float
    hours: float
    weekend_p: float  # chance of a short session on a weekend day
    tasks_per_day: float
    think: float  # median seconds the agent thinks between calls
    client: str
    update_day: int  # day index from which the client runs its new version
    agent: str
    servers: frozenset[str]
    off: set[int] = field(default_factory=set)  # day indexes away (vacation, sick)
    first_day: int = 0
    extra_team: str = ""  # a team whose tasks they take from ``extra_from`` on
    extra_from: int = 10**6


def _draw(rng: random.Random, name: str, team: str, region: str, start: date, days: int) -> Person:
    tz, holidays = REGIONS[region]
    kind = rng.random()
    workdays = frozenset({6, 0, 1, 2, 3} if region == "tel-aviv" else range(5))
    begin, hours = rng.gauss(9.0, 0.6), rng.uniform(7.5, 9.5)
    if kind < 0.12:  # part-time: three or four fixed days
        workdays = frozenset(sorted(rng.sample(sorted(workdays), rng.choice((3, 4)))))
        hours = rng.uniform(4.5, 6.5)
    elif kind < 0.24:  # night owl
        begin, hours = rng.uniform(12.5, 14.5), rng.uniform(9.0, 11.0)
    elif kind < 0.34:  # early bird
        begin = rng.uniform(6.5, 7.5)
    client = rng.choices(list(CLIENTS), _CLIENT_WEIGHTS)[0]
    host = f"{rng.choice(_HOSTS)}-{name.split('.')[0]}"
    base = TEAMS[team]
    servers = set(base.core) | {s for s, p in base.optional.items() if rng.random() < p}
    off: set[int] = set()
    for d in range(days):
        day = start + timedelta(days=d)
        if day.isoformat() in holidays or rng.random() < 0.025:  # holiday, or sick
            off.add(d)
    if rng.random() < 0.25:  # a vacation of three to seven days
        first = rng.randrange(days)
        off |= set(range(first, min(days, first + rng.randint(3, 7))))
    return Person(
        name=name,
        team=team,
        region=region,
        tz=tz,
        workdays=workdays,
        start=begin,
        hours=hours,
        weekend_p=rng.choice((0.0, 0.0, 0.0, 0.15, 0.35)),
        tasks_per_day=min(20.0, max(3.0, rng.lognormvariate(2.2, 0.45))),
        think=rng.uniform(3.0, 9.0),
        client=client,
        update_day=rng.randint(days // 2, days),
        agent=f"{client.split()[0].lower()}@{host}",
        servers=frozenset(servers),
        off=off,
    )


def build_people(seed: int, start: date, days: int) -> list[Person]:
    """The staff, in a fixed order; names are unique."""
    rng = random.Random(f"sessions:people:{seed}")
    names = list(_NAMES)
    rng.shuffle(names)
    people = []
    for team, (count, regions) in _STAFF.items():
        for i in range(count):
            name = f"{names.pop()}.{chr(ord('a') + rng.randrange(26))}"
            region = regions[i % len(regions)]
            people.append(_draw(random.Random(f"{seed}:{name}"), name, team, region, start, days))
    return people


def hire(seed: int, name: str, team: str, region: str, start: date, days: int) -> Person:
    """A person who joins during the window (no vacation, not sick: it is their first week)."""
    p = _draw(random.Random(f"{seed}:hire:{name}"), name, team, region, start, days)
    p.off = {d for d in p.off if (start + timedelta(days=d)).isoformat() in REGIONS[region][1]}
    p.workdays = frozenset(range(5))
    return p
