"""Who works at the airline, where, and when: stations, roles, shifts, agents and clients.

Operations control, crew control and dispatch sit at the Denver hub around the clock on
rotating shifts (four days on, four off, the shift moving day → swing → night each cycle, the
desk staffed at every hour). Line
mechanics keep fixed day or night shifts at five stations; station agents cover the morning and
afternoon banks at six; customer care works in Denver and, overnight for America, in Manila.
Revenue, safety and IT keep office hours on weekdays. Services run on their own clocks.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final

from ..model import DAY_US, UserProfile

__all__ = ["HOUR_US", "STATIONS", "Person", "roster", "shifts"]

HOUR_US: Final = 3_600_000_000
#: station → UTC offset in December
STATIONS: Final[dict[str, float]] = {
    "DEN": -7.0,
    "ORD": -6.0,
    "JFK": -5.0,
    "LHR": 0.0,
    "NRT": 9.0,
    "HNL": -10.0,
}

# role → (agent, client, client version, server the role's agent lists on a session's start)
_TOOLING: Final[dict[str, tuple[str, str, str]]] = {
    "occ": ("occ-copilot", "ops-console", "4.2.0"),
    "crew": ("crew-assistant", "ops-console", "4.2.0"),
    "dispatch": ("dispatch-copilot", "ops-console", "4.2.0"),
    "mro": ("techbot", "mro-tablet", "2.3.1"),
    "station": ("ramp-assistant", "station-app", "1.9.4"),
    "revenue": ("claude-desktop", "claude-desktop", "0.14.2"),
    "care": ("care-assistant", "care-desk", "5.1.0"),
    "it": ("claude-code", "claude-code", "2.0.31"),
    "safety": ("claude-desktop", "claude-desktop", "0.14.2"),
    "service": ("batch", "ops-jobs", "3.0.7"),
}
#: a client that updated in the middle of the history: (client, day index, new version)
UPDATES: Final[dict[str, tuple[int, str]]] = {
    "mro-tablet": (6, "2.4.0"),
    "claude-code": (9, "2.0.40"),
}


@dataclass(frozen=True, slots=True)
class Person:
    """A person (or a service) and the rhythm of their work."""

    profile: UserProfile
    station: str
    pattern: str  # rotating | fixed | office | service
    shift_start: float  # local hour of the first shift (rotating: of the day shift)
    offset: int  # where in the rota they start

    @property
    def name(self) -> str:
        return self.profile.name

    @property
    def role(self) -> str:
        return self.profile.role

    def version(self, day: int) -> str:
        client = self.profile.client
        if client in UPDATES and day >= UPDATES[client][0]:
            return UPDATES[client][1]
        return self.profile.client_version


def _person(
    role: str, name: str, station: str, pattern: str, start: float, offset: int, first_day: int = 0
) -> Person:
    agent, client, version = _TOOLING[role]
    tz = STATIONS.get(station, 8.0)  # Manila: +8
    length = 8.0 if pattern != "office" else 9.0
    profile = UserProfile(
        name, role, tz, start, (start + length) % 24, (agent,), client, version, first_day
    )
    return Person(profile, station, pattern, start, offset)


def roster(seed: int) -> list[Person]:
    """Everyone, deterministic from ``seed`` (names, offsets and office hours vary by seed)."""
    rng = random.Random(f"airline:roster:{seed}")
    first = [
        "ana",
        "ben",
        "chloe",
        "dev",
        "emi",
        "femi",
        "gus",
        "hana",
        "ivan",
        "jo",
        "kai",
        "lena",
        "mo",
        "nia",
        "omar",
        "pia",
        "raj",
        "sol",
        "tariq",
        "uma",
        "vik",
        "wen",
        "yara",
        "zoe",
        "aiko",
        "bryn",
        "cruz",
        "dana",
        "eli",
        "faye",
    ]
    rng.shuffle(first)
    used: set[str] = set()

    def name(tag: str) -> str:
        while True:
            n = f"{rng.choice(first)}.{rng.choice('abcdefghklmnprstw')}{tag}"
            if n not in used:
                used.add(n)
                return n

    people: list[Person] = []
    for role, count in (("occ", 8), ("crew", 6), ("dispatch", 6)):
        # offsets base, base+4, ... base+20 staff every shift of every day exactly once; the
        # OCC's two more double up where the rota puts them
        base = rng.randrange(24)
        for i in range(count):
            offset = (base + 4 * i) % 24 if i < 6 else rng.randrange(24)
            people.append(_person(role, name(""), "DEN", "rotating", 6.0, offset))
    for st in ("DEN", "ORD", "JFK", "LHR", "NRT"):
        people.append(_person("mro", name(""), st, "fixed", 22.0, rng.randrange(7)))
        people.append(_person("mro", name(""), st, "fixed", 7.0, rng.randrange(7)))
    for st in STATIONS:
        people.append(_person("station", name(""), st, "fixed", 5.0, rng.randrange(7)))
        people.append(_person("station", name(""), st, "fixed", 13.0, rng.randrange(7)))
    for _ in range(4):
        people.append(_person("revenue", name(""), "DEN", "office", 7.5 + rng.random() * 1.5, 0))
    people.append(_person("revenue", name(""), "LHR", "office", 8.5 + rng.random(), 0))
    for i in range(6):
        people.append(
            _person("care", name(""), "DEN", "fixed", (7.0, 15.0)[i % 2], rng.randrange(7))
        )
    for _ in range(4):
        people.append(_person("care", name(""), "MNL", "fixed", 9.0, rng.randrange(7)))
    for _ in range(3):
        people.append(_person("it", name(""), "DEN", "office", 8.0 + rng.random(), 0))
    for _ in range(2):
        people.append(_person("safety", name(""), "DEN", "office", 8.0 + rng.random() * 0.5, 0))
    for svc in ("svc-flightplan", "svc-acars", "svc-fares", "svc-crewlegality"):
        people.append(_person("service", svc, "DEN", "service", 0.0, 0))
    return people


def shifts(p: Person, day: int, weekday0: int) -> list[tuple[int, int]]:
    """``p``'s shifts (µs from the simulation's start) that begin on local ``day``;
    ``weekday0``: the weekday of day 0 (Monday 0)."""
    tz = p.profile.tz_hours
    weekday = (weekday0 + day) % 7
    if p.pattern == "service":
        return [(day * DAY_US, (day + 1) * DAY_US)]
    if p.pattern == "office":
        if weekday >= 5:
            return []
        start = p.shift_start
    elif p.pattern == "fixed":
        if (day + p.offset) % 7 >= 5:
            return []
        start = p.shift_start
    else:
        if (day + p.offset) % 8 >= 4:
            return []
        start = (6.0, 14.0, 22.0)[((day + p.offset) // 8) % 3]
    length = 9.0 if p.pattern == "office" else 8.5  # handover
    lo = day * DAY_US + int((start - tz) * HOUR_US)
    return [(lo, lo + int(length * HOUR_US))]
