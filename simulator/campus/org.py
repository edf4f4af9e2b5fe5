"""Who works at the university, what they teach or research, and the academic calendar.

Students (each with a course assistant agent), teaching assistants, lecturers, research groups
(with visiting researchers abroad), IT admins, registrar and finance staff, and the service
accounts (HPC monitor, LMS sync, backup, lab instruments, provisioning). Twelve courses each have
a lecturer, two TAs, two lecture slots a week and a coursework deadline at 23:59.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Final

__all__ = ["COURSES", "GROUPS", "Course", "Org", "Person", "build_org"]

COURSES: Final = (
    "COMP1511",
    "COMP2041",
    "COMP3311",
    "MATH1131",
    "MATH2089",
    "PHYS1121",
    "CHEM1031",
    "BIOL1001",
    "ECON1101",
    "PSYC1001",
    "STAT2011",
    "ENGG1000",
)
GROUPS: Final = ("genomics", "climate", "mlsys", "materials", "neuro", "astro")
_SURNAMES: Final = (
    "okafor",
    "nguyen",
    "smith",
    "patel",
    "garcia",
    "kowalski",
    "chen",
    "murphy",
    "haddad",
    "silva",
    "tanaka",
    "novak",
    "obrien",
    "kumar",
    "rossi",
    "jensen",
    "mensah",
    "dubois",
    "ivanova",
    "park",
    "walsh",
    "ahmed",
    "lopez",
    "fischer",
    "reyes",
    "kim",
    "osei",
    "moreau",
    "bauer",
    "singh",
    "costa",
    "yilmaz",
    "hughes",
    "zhang",
    "larsen",
    "ali",
    "romero",
    "schmidt",
    "ng",
    "petrov",
)
#: visiting researchers abroad: (home offset from UTC, where)
_ABROAD: Final = ((8.0, "singapore"), (-5.0, "boston"), (9.0, "tokyo"), (-3.0, "saopaulo"))


@dataclass(slots=True)
class Person:
    """A person or service account: when they work (local hours), with which agent and client."""

    name: str
    role: str
    tz: float
    start: float
    end: float
    agent: str
    client: str
    versions: tuple[str, str]  # before and after the client upgrade
    upgrade_day: int
    weekend: float  # chance of working on a weekend day
    courses: tuple[str, ...] = ()
    group: str = ""

    def version(self, day: int) -> str:
        return self.versions[day >= self.upgrade_day]


@dataclass(slots=True)
class Course:
    code: str
    lecturer: str
    tas: tuple[str, ...]
    lectures: tuple[tuple[int, int], ...]  # (weekday, local hour)
    deadlines: tuple[int, ...]  # day indices, due 23:59 local
    students: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Org:
    people: list[Person]
    courses: dict[str, Course]

    def by_role(self, role: str) -> list[Person]:
        return [p for p in self.people if p.role == role]


def _name(rng: random.Random, used: set[str], prefix: str) -> str:
    while True:
        n = f"{prefix}{rng.choice(_SURNAMES)}{rng.randint(1, 99)}"
        if n not in used:
            used.add(n)
            return n


def build_org(rng: random.Random, students: int, days: int) -> Org:
    """The university, deterministic from ``rng``; the scored day is ``days - 1``."""
    used: set[str] = set()
    people: list[Person] = []
    up = days // 2

    def add(
        role: str,
        name: str,
        tz: float,
        s: float,
        e: float,
        agent: str,
        client: str,
        versions: tuple[str, str],
        weekend: float,
        courses: tuple[str, ...] = (),
        group: str = "",
    ) -> Person:
        up_day = up + rng.randint(-2, 2)
        p = Person(name, role, tz, s, e, agent, client, versions, up_day, weekend, courses, group)
        people.append(p)
        return p

    lecturers = [
        add(
            "lecturer",
            _name(rng, used, "dr."),
            0.0,
            rng.uniform(8, 10),
            rng.uniform(17, 19.5),
            "teaching-copilot",
            rng.choice(("claude-desktop", "cursor")),
            ("0.14.2", "0.15.0"),
            0.2,
        )
        for _ in COURSES
    ]
    tas = [
        add(
            "ta",
            _name(rng, used, "ta."),
            0.0,
            rng.uniform(9, 12),
            rng.uniform(18, 23),
            "grading-assistant",
            "claude-desktop",
            ("0.14.2", "0.15.0"),
            0.45,
        )
        for _ in range(2 * len(COURSES))
    ]
    courses: dict[str, Course] = {}
    for i, code in enumerate(COURSES):
        slots = tuple(sorted(rng.sample([(d, h) for d in range(5) for h in range(9, 17)], 2)))
        due = tuple(sorted({rng.choice((1, 2, 3, 6, 7, 8, 9, 10)) for _ in range(2)}))
        courses[code] = Course(
            code, lecturers[i].name, (tas[2 * i].name, tas[2 * i + 1].name), slots, due
        )
        lecturers[i].courses = (code,)
        tas[2 * i].courses = tas[2 * i + 1].courses = (code,)
    for k in range(students):
        international = rng.random() < 0.12
        p = add(
            "student",
            f"z{5_100_000 + rng.randint(0, 899_999):07d}"
            if k % 3
            else f"s{2_200_000 + rng.randint(0, 99_999)}",
            8.0 if international else 0.0,
            rng.uniform(9, 14),
            rng.uniform(21, 25.5),
            "course-assistant",
            "campus-assistant",
            ("1.8.2", "1.9.0"),
            0.6,
            courses=tuple(rng.sample(COURSES, 4)),
        )
        if p.name in used:
            people.pop()
            continue
        used.add(p.name)
        for c in p.courses:
            courses[c].students.append(p.name)
        p.upgrade_day = up  # the web assistant upgrades for everyone at once
    for g in GROUPS:
        for j in range(6):
            tz, s, e = 0.0, rng.uniform(8, 11), rng.uniform(17, 21)
            name = _name(rng, used, "r.")
            if j == 5 and g in GROUPS[: len(_ABROAD)]:  # a visiting researcher abroad
                tz = _ABROAD[GROUPS.index(g)][0]
                name = _name(rng, used, "v.")
            add(
                "researcher" if tz == 0 else "visiting",
                name,
                tz,
                s,
                e,
                "research-agent",
                rng.choice(("claude-code", "claude-code", "cursor")),
                ("2.0.31", "2.0.40"),
                0.35,
                group=g,
            )
    for role, prefix, n, agent, client in (
        ("it_admin", "it.", 5, "ops-copilot", "claude-code"),
        ("registrar", "reg.", 5, "office-assistant", "m365-copilot"),
        ("finance", "fin.", 5, "office-assistant", "m365-copilot"),
    ):
        for _ in range(n):
            add(
                role,
                _name(rng, used, prefix),
                0.0,
                rng.uniform(8, 9.5),
                rng.uniform(16.5, 18),
                agent,
                client,
                ("3.2.0", "3.2.1") if client != "claude-code" else ("2.0.31", "2.0.40"),
                0.05 if role != "it_admin" else 0.3,
            )
    for svc in (
        "svc-hpc-monitor",
        "svc-lms-sync",
        "svc-backup",
        "svc-idm",
        "svc-instr-massspec",
        "svc-instr-sequencer",
        "svc-instr-cryoem",
    ):
        add(
            "service",
            svc,
            0.0,
            0.0,
            24.0,
            svc.removeprefix("svc-") + "-bot",
            "tooltrail-sdk",
            ("1.4.0", "1.4.0"),
            1.0,
        )
    return Org(people, courses)
