"""Who works for Harlow Falls: the departments, their people and the jobs, and when each works.

The city keeps Central time (UTC−6; the span holds no DST change). Four people work elsewhere:
an IT engineer remote in Eastern time, a GIS contractor in Pacific time, and the billing
vendor's two support engineers in Pune (UTC+5:30), whose day is the city's night.

A person's pattern decides which local days they work and when (:func:`shift`):

==========  ==================================================================================
office      weekdays from a personal start hour; a quarter of them work four tens (Mon–Thu)
rotating    a fixed band (day 07:00, swing 15:00, night 23:00) five days on, two off, each on
            their own offset, so the 24/7 desks are always staffed
field       weekdays from 06:30–07:00, out on site (tablets, phones)
crew        like field; in a snowstorm everyone works, half the crews through the night
vendor      weekdays in the vendor's own time zone
==========  ==================================================================================

Everyone takes a day off now and then (about one weekday in twenty-five).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final

__all__ = ["CENTRAL", "DEPARTMENTS", "JOBS", "Dept", "Job", "Person", "roster", "shift"]

HOUR_US: Final = 3_600_000_000


@dataclass(frozen=True, slots=True)
class Dept:
    """A department's people: how many, their pattern, start hours, device and assistants."""

    key: str
    title: str
    count: int
    pattern: str
    starts: tuple[float, ...]
    hours: float
    client: str
    agents: tuple[str, ...]
    rate: float  # tasks per hour on duty
    elsewhere: tuple[tuple[float, int], ...] = ()  # (UTC offset, how many) not in Central


@dataclass(frozen=True, slots=True)
class Person:
    """One person: name, department, home offset, personal start and rotation offset."""

    name: str
    dept: str
    tz: float
    start: float
    hours: float
    pattern: str
    offset: int
    four_tens: bool
    agents: tuple[str, ...]
    client: str


@dataclass(frozen=True, slots=True)
class Job:
    """A service account: its agent and the client it runs under."""

    name: str
    agent: str
    what: str


CENTRAL: Final = -6.0

DEPARTMENTS: Final[tuple[Dept, ...]] = (
    Dept("calltaker", "311 call centre", 14, "rotating", (7.0, 15.0, 23.0), 8.0,
         "harlow-assist", ("assist-311",), 9.5),
    Dept("permit_tech", "permits counter", 4, "office", (7.5, 8.0, 8.5), 8.5,
         "harlow-assist", ("assist-permits",), 6.0),
    Dept("inspector", "building inspections", 6, "field", (6.5, 7.0), 8.5,
         "field-tablet", ("fieldmate",), 4.0),
    Dept("plan_reviewer", "plan review", 2, "office", (8.0, 9.0), 8.5,
         "claude-desktop", ("claude",), 3.5),
    Dept("works_dispatch", "public works dispatch", 3, "office", (6.0, 7.0), 9.0,
         "harlow-assist", ("assist-works",), 7.0),
    Dept("crew_lead", "public works crews", 8, "crew", (6.5,), 8.5,
         "field-phone", ("fieldmate",), 3.5),
    Dept("records_clerk", "police records unit", 5, "rotating", (7.0, 15.0), 8.0,
         "harlow-assist", ("records-aide",), 5.5),
    Dept("court_clerk", "municipal court clerk", 4, "office", (7.5, 8.0), 8.5,
         "harlow-assist", ("assist-courts",), 6.0),
    Dept("finance", "finance and payroll", 5, "office", (7.5, 8.0, 8.5), 8.5,
         "claude-desktop", ("claude", "finance-copilot"), 5.0),
    Dept("clerk", "city clerk", 3, "office", (8.0, 8.5), 8.5,
         "claude-desktop", ("claude",), 4.0),
    Dept("it", "information technology", 4, "office", (7.5, 8.5), 8.5,
         "claude-code", ("claude-code", "ops-runbook"), 5.5, ((-5.0, 1),)),
    Dept("hr", "human resources", 3, "office", (8.0,), 8.5,
         "claude-desktop", ("claude",), 4.0),
    Dept("foia", "public records (FOIA)", 3, "office", (8.0, 8.5), 8.5,
         "claude-desktop", ("claude",), 3.5),
    Dept("gis", "GIS and planning", 4, "office", (7.5, 8.5, 9.0), 8.5,
         "vscode", ("copilot",), 4.5, ((-8.0, 1),)),
    Dept("billing_csr", "utility billing", 5, "office", (8.0,), 8.5,
         "harlow-assist", ("assist-billing",), 7.5),
    Dept("billing_vendor", "billing vendor support", 2, "vendor", (10.0, 11.0), 8.0,
         "claude-desktop", ("claude",), 3.0, ((5.5, 2),)),
)  # fmt: skip

JOBS: Final[tuple[Job, ...]] = (
    Job("svc-scada", "scada-bridge", "water and sewer telemetry every five minutes"),
    Job("svc-311intake", "intake-bot", "311 requests from the web form and the app"),
    Job("svc-payimport", "payimport", "lockbox and card payment files, four runs a day"),
    Job("svc-meterread", "ami-loader", "meter reads, nightly at 01:00"),
    Job("svc-retention", "retention", "records retention disposition, nightly at 02:00"),
    Job("svc-gissync", "gis-replica", "GIS replica sync, nightly at 03:00"),
)

_FIRST: Final = "abcdeghjklmnprstvwy"
_LAST: Final = (
    "alvarez", "baker", "chen", "dubois", "evans", "fischer", "garcia", "hughes", "ibrahim",
    "jensen", "kowalski", "lee", "moreno", "nguyen", "okafor", "patel", "quinn", "rossi",
    "schmidt", "tanaka", "usman", "varga", "walsh", "xu", "young", "zamora", "brooks", "carter",
    "delgado", "ellis", "ford", "grant", "hayes", "irwin", "jordan", "kim", "lopez", "murphy",
    "novak", "owens", "price", "reyes", "shah", "torres", "vance", "ward", "yates", "adler",
)  # fmt: skip


def roster(seed: int) -> list[Person]:
    """Everyone in every department, deterministic from ``seed``."""
    rng = random.Random(f"civic:roster:{seed}")
    taken: set[str] = set()
    people: list[Person] = []
    for d in DEPARTMENTS:
        away = [tz for tz, n in d.elsewhere for _ in range(n)]
        for i in range(d.count):
            name = rng.choice(_FIRST) + "." + rng.choice(_LAST)
            while name in taken:
                name = rng.choice(_FIRST) + "." + rng.choice(_LAST)
            taken.add(name)
            tz = away[i] if i < len(away) else CENTRAL
            if d.pattern == "rotating":
                start = d.starts[i % len(d.starts)]  # bands filled in turn
            else:
                start = rng.choice(d.starts) + rng.choice((-0.25, 0.0, 0.0, 0.25))
            tens = d.pattern == "office" and rng.random() < 0.25
            people.append(
                Person(name, d.key, tz, start, 10.0 if tens else d.hours, d.pattern,
                       rng.randrange(7), tens, d.agents, d.client)
            )  # fmt: skip
    return people


def shift(p: Person, weekday: int, day: int, storm: bool, seed: int) -> tuple[float, float] | None:
    """``p``'s working hours on local ``day`` (a ``weekday``, Monday 0) as local hours from
    that day's midnight (the end may pass 24), or None on a day off."""
    rng = random.Random(f"civic:shift:{seed}:{p.name}:{day}")
    jitter = rng.uniform(-0.3, 0.3)
    if p.pattern == "rotating":
        if (day + p.offset) % 7 >= 5 or rng.random() < 0.03:
            return None
        return p.start + jitter * 0.3, p.start + p.hours + jitter * 0.3
    if storm and (p.pattern == "crew" or p.dept == "works_dispatch"):
        night = p.offset % 2 == 1
        return (18.0, 30.0) if night else (6.0, 18.0)
    last = 3 if p.four_tens else 4
    if weekday > last or rng.random() < 0.04:
        return None
    return p.start + jitter, p.start + p.hours + jitter
