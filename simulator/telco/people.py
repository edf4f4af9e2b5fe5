"""Who works at the carrier, where, and when: the roster and each person's rhythm.

Rhythms (local time, converted to UTC by the person's offset):

``rota``     the NOC's 10-day cycle: 2 days (07-15), 2 evenings (15-23), 2 nights (23-07), 4 off,
             each engineer at their own offset, so every hour is staffed
``office``   weekdays from the person's own start (07:30-09:45, ±20 min a day), ~8.5 h
``care``     5 of 7 days (two fixed days off), an early (08-16) or late (12-20) shift
``partner``  the outsourced care partner in Kuala Lumpur (+8): 05:00-13:30 there, the carrier's
             night, Monday to Saturday there
``field``    07:30-16:30 weekdays; every other Saturday morning for half of them
``shop``     5 of 7 days (Sunday off for all), 10:00-19:00 or 11:00-20:00
``fraud``    12 h days (08-20), two on, two off
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final

__all__ = ["Person", "local_shifts", "roster"]

_FIRST: Final = ("ana", "joao", "rita", "miguel", "ines", "tiago", "sofia", "pedro", "marta",
                 "rui", "catarina", "nuno", "beatriz", "hugo", "carla", "diogo", "leonor",
                 "bruno", "filipa", "andre", "helena", "vasco", "joana", "luis", "raquel",
                 "goncalo", "teresa", "paulo", "clara", "fabio", "mariana", "sergio")  # fmt: skip
_LAST: Final = ("silva", "costa", "sousa", "lopes", "faria", "nunes", "pires", "matos", "reis",
                "moura", "cunha", "rocha", "pinto", "vaz", "brito", "leite", "cardoso", "melo",
                "ramos", "teixeira", "barros", "correia", "campos", "mendes")  # fmt: skip
_KL: Final = ("aisyah", "farid", "mei.ling", "arjun", "siti", "wei.jie", "nurul", "kumar",
              "hafiz", "li.na", "ravi", "zara")  # fmt: skip


@dataclass
class Person:
    """One member of staff (or contractor): role, offset, rhythm, assistant and client."""

    name: str
    role: str
    tz: float
    rhythm: str
    agent: str
    client: str
    versions: tuple[tuple[int, str], ...]  # (from day, version)
    start: float = 8.5  # local start of an office day / shift variant
    offset: int = 0  # rota offset, days off, fortnight parity
    first_day: int = 0
    moves: tuple[int, str] | None = None  # (from day, new role)
    last_day: int | None = None  # no ordinary shifts from this day (a hard negative's script)

    def role_on(self, day: int) -> str:
        if self.moves is not None and day >= self.moves[0]:
            return self.moves[1]
        return self.role

    def version_on(self, day: int) -> str:
        v = self.versions[0][1]
        for d, ver in self.versions:
            if day >= d:
                v = ver
        return v


def local_shifts(
    p: Person, day: int, weekday: int, rng: random.Random
) -> list[tuple[float, float]]:
    """``p``'s working hours on local day ``day`` (``weekday`` 0 = Monday), as local hours from
    that day's midnight (a night shift may end past 24)."""
    if day < p.first_day:
        return []
    if p.rhythm == "rota":
        slot = (day + p.offset) % 10
        return [((7.0, 15.0), (7.0, 15.0), (15.0, 23.0), (15.0, 23.0), (23.0, 31.0),
                 (23.0, 31.0))[slot]] if slot < 6 else []  # fmt: skip
    jit = rng.uniform(-0.33, 0.33)
    if p.rhythm == "office":
        if weekday >= 5:
            return []
        return [(p.start + jit, p.start + 8.5 + jit + rng.uniform(-0.3, 0.6))]
    if p.rhythm == "care":
        if weekday in (p.offset % 7, (p.offset + 1) % 7):
            return []
        return [(p.start + jit / 3, p.start + 8 + jit / 3)]
    if p.rhythm == "partner":
        if weekday == 6:
            return []
        return [(5.0 + jit / 3, 13.5 + jit / 3)]
    if p.rhythm == "field":
        if weekday < 5:
            return [(7.5 + jit, 16.5 + jit)]
        if weekday == 5 and p.offset % 2 == 0 and (day // 7 + p.offset // 2) % 2 == 0:
            return [(8.0 + jit, 12.5 + jit)]
        return []
    if p.rhythm == "shop":
        if weekday == 6 or weekday == p.offset % 6:
            return []
        return [(p.start, p.start + 9)]
    if p.rhythm == "fraud":
        if (day + p.offset) % 4 >= 2:
            return []
        return [(8.0 + jit / 3, 20.0 + jit / 3)]
    raise ValueError(f"rhythm: unknown {p.rhythm!r}")


def roster(care_agents: int, field_techs: int, days: int, rng: random.Random) -> list[Person]:
    """The carrier's staff for a span of ``days``: roles, offsets, rhythms, assistants."""
    order = sorted({f"{f}.{s}" for f in _FIRST for s in _LAST})
    rng.shuffle(order)
    names = iter(order)
    people: list[Person] = []

    def add(role: str, n: int, rhythm: str, agent: str, client: str,
            versions: tuple[tuple[int, str], ...], tz: float = 1.0) -> list[Person]:  # fmt: skip
        made = [
            Person(next(names), role, tz, rhythm, agent, client, versions, offset=i)
            for i in range(n)
        ]
        people.extend(made)
        return made

    noc = add("noc", 10, "rota", "noc-copilot", "noc-console", ((0, "3.8.2"), (8, "3.9.0")))
    for i, p in enumerate(noc):
        p.offset = (i * 3 + rng.randrange(2)) % 10
    for p in add("noc_senior", 3, "office", "claude-code", "claude-cli", ((0, "1.4.0"),)):
        p.start = rng.choice((8.0, 8.5, 9.0))
    techs = add("field", field_techs, "field", "field-assist", "fieldapp",
                ((0, "5.2.0"), (6, "5.3.1")))  # fmt: skip
    for i, p in enumerate(techs):
        if i % 3 == 2:
            p.agent = "tower-assist"  # the climbing crews' profile of the field assistant
        if i >= field_techs - 2:
            p.tz = 0.0  # the island region's tower crew
        if i % 6 == 1:
            p.name = "ctr-" + p.name  # contractors from the splicing subcontractor
    techs[-3].first_day = min(4, days - 6)  # a contractor starting mid-span
    care = add("care", care_agents, "care", "care-copilot", "care-desktop",
               ((0, "7.4.1"), (10, "7.5.0")))  # fmt: skip
    for i, p in enumerate(care):
        p.start = 8.0 if i % 2 == 0 else 12.0
        p.offset = rng.randrange(7)
    care[-1].first_day = min(8, days - 6)  # a new hire in their first week
    care[3].moves = (min(7, days - 6), "porting")  # a care agent moving to the porting desk
    kl = iter(f"bpo.{n}" for n in _KL)
    for p in add("partner", max(4, care_agents // 3), "partner", "care-copilot", "partnerdesk",
                 ((0, "2.1.3"),), tz=8.0):  # fmt: skip
        p.name = next(kl, p.name)
    for p in add("porting", 4, "office", "porting-assist", "claude-desktop", ((0, "0.9.12"),)):
        p.start = rng.choice((8.0, 8.5, 9.0))
    for p in add("billing", 5, "office", "ra-analyst", "claude-desktop", ((0, "0.9.12"),)):
        p.start = rng.choice((8.5, 9.0, 9.5))
    add("fraud", 4, "fraud", "fraud-copilot", "case-console", ((0, "2.0.4"),))
    for p in add("lawful", 3, "office", "li-desk", "li-terminal", ((0, "1.1.0"),)):
        p.start = rng.choice((8.5, 9.0))
    for p in add("change", 2, "office", "claude-code", "claude-cli", ((0, "1.4.0"),)):
        p.start = 8.0
    for p in add("provisioning", 3, "office", "oss-copilot", "claude-desktop", ((0, "0.9.12"),)):
        p.start = rng.choice((7.5, 8.0, 9.0))
    for i, p in enumerate(add("shop", 10, "shop", "shop-assist", "pos-tablet", ((0, "11.2"),))):
        p.start = 10.0 if i % 2 else 11.0
        p.offset = rng.randrange(6)
        if i >= 8:
            p.tz = 0.0  # the island shops
    for p in add("noc", 1, "office", "noc-copilot", "noc-console", ((0, "3.9.0"),)):
        p.start, p.first_day = 8.0, days - 4  # a new NOC engineer, shadowing days
    for p in add("regulatory", 1, "office", "ra-analyst", "claude-desktop", ((0, "0.9.12"),)):
        p.start = 9.5
    for p in add("audit", 1, "office", "claude-code", "claude-desktop", ((0, "0.9.12"),)):
        p.start = 9.0
    return people
