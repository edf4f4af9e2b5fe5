"""The organisation: teams, offices and their calendars, people, their seats and their shifts.

Everyone belongs to a team and sits in an office (its time zone and public holidays); works a
weekly pattern (full-time Monday to Friday, part-time on fewer days, or support shifts that
cover weekends) with their own start hour and day length, a lunch break, the odd long evening,
the odd weekend hour, days off; and works through one to three *seats* (an MCP client on their
machine: an IDE, a CLI agent, a chat app, each with its own agent id and a version that may be
upgraded during the fortnight). Platform engineers share a weekly on-call rotation. Everything
is drawn from one ``random.Random``; nothing raises for a valid :class:`FleetConfig` size.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final

__all__ = [
    "HOUR_US",
    "OFFICES",
    "TEAMS",
    "Office",
    "Person",
    "Seat",
    "Team",
    "build_people",
    "shifts",
]

HOUR_US: Final = 3_600_000_000
DAY_US: Final = 24 * HOUR_US


@dataclass(frozen=True, slots=True)
class Office:
    tz: float  # hours from UTC in November
    holidays: frozenset[date] = frozenset()


OFFICES: Final[dict[str, Office]] = {
    "san-francisco": Office(-8),
    "new-york": Office(-5),
    "sao-paulo": Office(-3, frozenset({date(2026, 11, 2), date(2026, 11, 20)})),
    "london": Office(0),
    "berlin": Office(1),
    "warsaw": Office(1, frozenset({date(2026, 11, 11)})),
    "bangalore": Office(5.5, frozenset({date(2026, 11, 9)})),
    "sydney": Office(11),
}


@dataclass(frozen=True, slots=True)
class Team:
    name: str
    share: float  # of the headcount
    offices: tuple[str, ...]
    servers: tuple[str, ...]  # the servers its people are set up with
    engineers: bool = True


TEAMS: Final[tuple[Team, ...]] = (
    Team(
        "backend",
        0.24,
        ("berlin", "warsaw", "new-york", "bangalore"),
        ("filesystem", "git", "github", "postgres", "sentry", "atlassian", "slack", "fetch"),
    ),
    Team(
        "frontend",
        0.14,
        ("berlin", "london", "sao-paulo"),
        ("filesystem", "git", "github", "playwright", "sentry", "atlassian", "slack", "fetch"),
    ),
    Team(
        "platform",
        0.14,
        ("san-francisco", "london", "sydney", "warsaw"),
        (
            "github",
            "kubernetes",
            "grafana",
            "sentry",
            "pagerduty",
            "aws-s3",
            "slack",
            "git",
            "filesystem",
        ),
    ),
    Team(
        "data",
        0.14,
        ("london", "bangalore", "new-york"),
        ("postgres", "mongodb", "aws-s3", "filesystem", "git", "notion", "slack", "github"),
    ),
    Team(
        "support",
        0.12,
        ("sao-paulo", "london", "sydney", "bangalore"),
        ("atlassian", "sentry", "notion", "slack", "gdrive"),
        engineers=False,
    ),
    Team(
        "security",
        0.08,
        ("new-york", "berlin"),
        ("github", "sentry", "aws-s3", "kubernetes", "grafana", "slack", "fetch", "atlassian"),
    ),
    Team(
        "finance",
        0.07,
        ("new-york", "london"),
        ("gdrive", "postgres", "notion", "slack"),
        engineers=False,
    ),
    Team(
        "product",
        0.07,
        ("san-francisco", "berlin"),
        ("atlassian", "notion", "slack", "gdrive", "sentry", "playwright"),
        engineers=False,
    ),
)
TEAM: Final = {t.name: t for t in TEAMS}

_FIRST: Final = (
    "ana",
    "ben",
    "chen",
    "dara",
    "eli",
    "farah",
    "gus",
    "hana",
    "ivan",
    "jo",
    "kiri",
    "lena",
    "marta",
    "nikhil",
    "olu",
    "pia",
    "quinn",
    "rafa",
    "sana",
    "tomasz",
    "uma",
    "vik",
    "wen",
    "xavi",
    "yara",
    "zeno",
    "aiko",
    "bruno",
    "carla",
    "dev",
    "emre",
    "fiona",
    "goran",
    "ines",
)
_LAST: Final = (
    "kowalski",
    "schmidt",
    "okafor",
    "silva",
    "tanaka",
    "novak",
    "patel",
    "garcia",
    "muller",
    "nguyen",
    "rossi",
    "haddad",
    "larsen",
    "singh",
    "obrien",
    "costa",
    "weber",
    "ito",
    "kim",
    "moreau",
    "adeyemi",
    "santos",
    "fischer",
    "iyer",
    "jansen",
    "lopez",
    "park",
    "reyes",
)

#: (client, kind, versions it may be upgraded through)
_CLIENTS: Final = {
    "ide": (
        ("cursor", ("1.7.38", "1.7.44")),
        ("vscode", ("1.105.1", "1.106.0")),
        ("windsurf", ("1.12.21", "1.12.27")),
    ),
    "cli": (
        ("claude-code", ("2.0.30", "2.0.36")),
        ("codex", ("0.53.0", "0.55.1")),
        ("gemini-cli", ("0.11.2", "0.12.0")),
    ),
    "chat": (("claude-desktop", ("1.0.211", "1.0.332")), ("chatgpt-desktop", ("1.2025.300",))),
}


@dataclass(frozen=True, slots=True)
class Seat:
    """An MCP client a person uses (its own agent id; version upgraded on ``upgrade_day``)."""

    client: str
    kind: str  # ide | cli | chat
    agent: str
    versions: tuple[str, ...]
    upgrade_day: int

    def version(self, day: int) -> str:
        return self.versions[-1] if day >= self.upgrade_day else self.versions[0]


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    team: str
    office: str
    start_h: float  # local
    hours: float  # length of a working day
    workdays: frozenset[int]  # 0 = Monday
    pace: float  # work items per hour, relative
    seats: tuple[Seat, ...]
    weekend_p: float  # chance of an hour or two on a weekend day
    days_off: frozenset[int] = frozenset()  # day indexes of the simulation
    first_day: int = 0
    moves_to: str = ""  # a role change: the team from ``move_day`` on
    move_day: int = 1 << 30
    oncall: bool = False
    evening_p: float = 0.0  # chance of a late session after dinner on a working day

    @property
    def tz(self) -> float:
        return OFFICES[self.office].tz

    def team_on(self, day: int) -> str:
        return self.moves_to if self.moves_to and day >= self.move_day else self.team

    def seat(self, kind: str) -> Seat:
        """The seat of ``kind`` if the person has one, else their first."""
        return next((s for s in self.seats if s.kind == kind), self.seats[0])


def _seats(rng: random.Random, user: str, engineer: bool, days: int) -> tuple[Seat, ...]:
    kinds = ["ide"] if engineer else ["chat"]
    if engineer and rng.random() < 0.6:
        kinds.append("cli")
    if rng.random() < (0.3 if engineer else 0.25):
        kinds.append("chat" if engineer else "ide")
    out = []
    for kind in kinds:
        client, versions = rng.choice(_CLIENTS[kind])
        upgrade = rng.randrange(1, days + 4) if len(versions) > 1 else 1 << 30
        out.append(Seat(client, kind, f"{client}:{user}", versions, upgrade))
    return tuple(out)


def build_people(rng: random.Random, count: int, days: int, start: datetime) -> list[Person]:
    """``count`` people over the teams by their shares, each with a pattern of their own."""
    names: set[str] = set()
    people: list[Person] = []
    quotas = [max(1, round(t.share * count)) for t in TEAMS]
    while sum(quotas) > count:
        quotas[quotas.index(max(quotas))] -= 1
    while sum(quotas) < count:
        quotas[0] += 1
    for team, quota in zip(TEAMS, quotas, strict=True):
        for _ in range(quota):
            name = f"{rng.choice(_FIRST)}.{rng.choice(_LAST)}"
            while name in names:
                name = f"{rng.choice(_FIRST)}.{rng.choice(_LAST)}{rng.randrange(2, 9)}"
            names.add(name)
            office = rng.choice(team.offices)
            workdays = frozenset(range(5))
            hours = rng.uniform(7.5, 9.5)
            if team.name == "support" and rng.random() < 0.5:  # shifts that cover the weekend
                first = rng.choice((3, 5))
                workdays, hours = frozenset((first + i) % 7 for i in range(4)), 10.0
            elif rng.random() < 0.15:  # part-time
                workdays = frozenset(rng.sample(range(5), rng.choice((3, 4))))
                hours = rng.uniform(4.5, 6.5)
            off: set[int] = set()
            if rng.random() < 0.3:  # a few days of leave somewhere in the history
                first_off = rng.randrange(0, max(1, days - 4))
                off.update(range(first_off, first_off + rng.randrange(1, 4)))
            people.append(
                Person(
                    name=name,
                    team=team.name,
                    office=office,
                    start_h=min(11.5, max(6.5, rng.gauss(8.9, 1.0))),
                    hours=hours,
                    workdays=workdays,
                    pace=min(1.8, max(0.5, rng.lognormvariate(0.0, 0.35))),
                    seats=_seats(rng, name, team.engineers, days),
                    weekend_p=rng.choice((0.0, 0.0, 0.05, 0.12, 0.25)),
                    days_off=frozenset(off),
                    oncall=team.name == "platform",
                    evening_p=rng.choice((0.0, 0.0, 0.0, 0.1, 0.3)) if team.engineers else 0.0,
                )
            )
    return people


def shifts(person: Person, rng: random.Random, start_us: int, days: int) -> list[tuple[int, int]]:
    """The person's working intervals in UTC µs over the simulation, in order.

    A day's work (local start ± ½ h, length ± ¾ h) is split by a lunch break; a weekend day
    may hold a short session (``weekend_p``), a working day a late one (``evening_p``); public
    holidays and days off hold nothing.
    """
    out: list[tuple[int, int]] = []
    base = datetime.fromtimestamp(start_us // 1_000_000, UTC).date()
    tz_us = int(person.tz * HOUR_US)
    for d in range(-1, days + 1):
        local = base + timedelta(days=d)
        day_us = start_us + d * DAY_US - tz_us  # local midnight in UTC
        if d in person.days_off or d < person.first_day or local in OFFICES[person.office].holidays:
            continue
        if local.weekday() not in person.workdays:
            if rng.random() < person.weekend_p:
                s = day_us + int(rng.uniform(10, 21) * HOUR_US)
                out.append((s, s + int(rng.uniform(0.7, 2.5) * HOUR_US)))
            continue
        begin = person.start_h + rng.uniform(-0.5, 0.5)
        length = person.hours + rng.uniform(-0.75, 0.75) + (2.0 if rng.random() < 0.06 else 0.0)
        lunch = begin + min(length * 0.5, 4.0) + rng.uniform(-0.3, 0.3)
        pause = rng.uniform(0.5, 1.0) if length > 6 else 0.0
        out.append((day_us + int(begin * HOUR_US), day_us + int(lunch * HOUR_US)))
        if pause:
            out.append(
                (day_us + int((lunch + pause) * HOUR_US), day_us + int((begin + length) * HOUR_US))
            )
        else:
            out[-1] = (out[-1][0], day_us + int((begin + length) * HOUR_US))
        if rng.random() < person.evening_p:
            late = max(begin + length + 1.5, rng.uniform(20.5, 22.5))
            out.append(
                (
                    day_us + int(late * HOUR_US),
                    day_us + int((late + rng.uniform(0.6, 2.0)) * HOUR_US),
                )
            )
    end = start_us + days * DAY_US
    return [(max(a, start_us), min(b, end)) for a, b in out if b > start_us and a < end]
