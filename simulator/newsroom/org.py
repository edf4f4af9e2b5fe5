"""Who works in the newsroom, where, and when: bureaus, desks, roles and their shifts.

Bureaus keep local time with daylight saving as their cities do (London leaves BST on
25 October, New York leaves EDT on 1 November), so a person's working hours move by an hour in
UTC half way through the default fourteen days. A shift is a local pattern (start, end, the
weekdays it runs) with a little daily jitter; rota roles (weekend reporters, the night desk,
stringers) work only some days. Service accounts are ``svc-*`` and run from fixed schedules in
``routines.py``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

__all__ = ["BUREAUS", "HOUR_US", "Person", "Staff", "build_staff", "offset_hours"]

HOUR_US: Final = 3_600_000_000
_MIN_US: Final = 60_000_000


def _utc(y: int, m: int, d: int, h: int) -> int:
    return int(datetime(y, m, d, h, tzinfo=UTC).timestamp()) * 1_000_000


#: bureau → (standard offset, summer offset, first µs of standard time in autumn 2026)
BUREAUS: Final[dict[str, tuple[float, float, int]]] = {
    "london": (0.0, 1.0, _utc(2026, 10, 25, 1)),
    "new-york": (-5.0, -4.0, _utc(2026, 11, 1, 6)),
    "washington": (-5.0, -4.0, _utc(2026, 11, 1, 6)),
    "hong-kong": (8.0, 8.0, 0),
    "nairobi": (3.0, 3.0, 0),
    "sydney": (11.0, 11.0, 0),  # AEDT all through October and November
    "sao-paulo": (-3.0, -3.0, 0),
}


def offset_hours(bureau: str, ts: int) -> float:
    """The bureau's UTC offset at ``ts`` (hours)."""
    std, summer, switch = BUREAUS[bureau]
    return std if ts >= switch else summer


@dataclass(frozen=True, slots=True)
class Shift:
    """A local working pattern: hours (may pass midnight), weekdays (0 = Monday), jitter."""

    start: float
    end: float
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    share: float = 1.0  # chance of working a day of the pattern (stringers, rotas)


@dataclass(slots=True)
class Person:
    """A member of staff or a service account, with the MCP client their work runs through."""

    name: str
    role: str
    desk: str
    bureau: str
    shift: Shift
    agents: tuple[str, ...]
    client: str
    versions: tuple[tuple[int, str], ...]  # (from day, client version)
    first_day: int = 0
    shifts: list[tuple[int, int]] = field(default_factory=list)  # (start µs, end µs) in UTC

    def version(self, day: int) -> str:
        v = self.versions[0][1]
        for since, ver in self.versions:
            if day >= since:
                v = ver
        return v


# fmt: off
_FIRST = (
    "amara", "adam", "bea", "carlos", "chen", "dana", "emeka", "farah", "gus", "hana", "ines",
    "jon", "kemi", "lars", "mei", "nadia", "omar", "priya", "quinn", "rosa", "sam", "tomas",
    "uma", "vik", "wen", "xena", "yusuf", "zoe", "ali", "bruno", "cleo", "dev", "elif", "fin",
    "gita", "hugo", "ivy", "jude", "kofi", "lena", "mo", "nora", "otto", "pia", "raj", "sofia",
    "theo", "ugo", "vera", "wale",
)
# fmt: on
# fmt: off
_LAST = (
    "okafor", "lindqvist", "moreau", "tanaka", "santos", "novak", "haddad", "kowalski",
    "mensah", "oconnell", "rossi", "ferreira", "nakamura", "ibrahim", "varga", "kim", "dubois",
    "schmidt", "walsh", "osei", "nguyen", "petrov", "alvarez", "bauer", "cohen", "diallo",
    "eriksen", "fischer", "garcia", "hughes",
)
# fmt: on

_REPORTER_HOMES = (
    "london",
    "london",
    "new-york",
    "london",
    "washington",
    "hong-kong",
    "london",
    "new-york",
    "nairobi",
    "sydney",
    "london",
    "sao-paulo",
    "new-york",
    "london",
    "washington",
    "hong-kong",
)
_DESKS = ("politics", "business", "world", "culture", "sport", "science")
_BUREAU_DESK = {
    "washington": "politics",
    "hong-kong": "world",
    "nairobi": "world",
    "sydney": "world",
    "sao-paulo": "world",
}

_WEEKEND = (5, 6)
_EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)

# role → (bureau, desk, shift, agents, client) of each member beyond the reporters
_DESK_STAFF: Final = (
    ("editor", "london", "politics", Shift(7.0, 16.0, _EVERY_DAY, 0.72)),
    ("editor", "london", "business", Shift(7.5, 16.5)),
    ("editor", "london", "world", Shift(12.0, 21.0, _EVERY_DAY, 0.72)),
    ("editor", "london", "culture", Shift(9.0, 18.0)),
    ("editor", "new-york", "politics", Shift(9.0, 18.0)),
    ("editor", "new-york", "business", Shift(14.0, 23.0, (0, 1, 2, 3, 6))),
    ("editor", "hong-kong", "world", Shift(8.0, 17.0)),
    ("night-editor", "london", "night", Shift(22.0, 7.0, (0, 1, 2, 3, 6))),
    ("night-editor", "london", "night", Shift(22.0, 7.0, (3, 4, 5, 6))),
    ("standards", "london", "standards", Shift(9.5, 18.0)),
    ("photo-editor", "london", "photo", Shift(8.0, 17.0, _EVERY_DAY, 0.7)),
    ("photo-editor", "new-york", "photo", Shift(10.0, 19.0)),
    ("photographer", "london", "photo", Shift(7.0, 15.0, _EVERY_DAY, 0.6)),
    ("photographer", "new-york", "photo", Shift(8.0, 16.0, _EVERY_DAY, 0.6)),
    ("lawyer", "london", "legal", Shift(9.5, 18.0)),
    ("lawyer", "london", "legal", Shift(9.0, 17.5)),
    ("social", "london", "social", Shift(6.0, 14.0, _EVERY_DAY, 0.7)),
    ("social", "london", "social", Shift(14.0, 22.0, _EVERY_DAY, 0.7)),
    ("social", "new-york", "social", Shift(10.0, 19.0)),
    ("data", "london", "data", Shift(10.0, 19.0)),
    ("data", "london", "data", Shift(9.0, 17.5)),
    ("data", "new-york", "data", Shift(10.0, 18.5)),
    ("audience", "london", "reader-care", Shift(8.0, 16.5, (0, 1, 2, 3, 4, 5))),
    ("audience", "london", "reader-care", Shift(8.5, 17.0)),
    ("audience", "new-york", "reader-care", Shift(9.0, 17.5)),
    ("paywall", "london", "product", Shift(9.0, 18.0)),
    ("librarian", "london", "research", Shift(9.0, 17.0)),
)

_AGENTS: Final[dict[str, tuple[str, ...]]] = {
    "reporter": ("drafting-assistant", "research-agent"),
    "stringer": ("drafting-assistant",),
    "editor": ("desk-copilot",),
    "night-editor": ("desk-copilot",),
    "standards": ("desk-copilot",),
    "photo-editor": ("picture-desk-agent",),
    "photographer": ("picture-desk-agent",),
    "lawyer": ("legal-reader",),
    "social": ("social-planner",),
    "data": ("sql-notebook-agent", "research-agent"),
    "audience": ("reader-care-agent",),
    "paywall": ("product-agent",),
    "librarian": ("research-agent",),
}
_CLIENT: Final[dict[str, str]] = {
    "reporter": "newsdesk-assistant",
    "stringer": "claude-desktop",
    "data": "vscode-copilot",
    "lawyer": "claude-desktop",
    "paywall": "claude-desktop",
}
_VERSIONS: Final[dict[str, tuple[tuple[int, str], ...]]] = {
    "newsdesk-assistant": ((0, "3.4.2"), (8, "3.5.0")),  # the in-house app shipped mid-way
    "claude-desktop": ((0, "1.9.4"),),
    "vscode-copilot": ((0, "1.106.1"),),
    "python-mcp-sdk": ((0, "2.3.0"),),
}

#: service accounts: name → (agent, local start hour of their main run in London)
SERVICES: Final[tuple[str, ...]] = (
    "svc-wire-ingest",
    "svc-newsletter",
    "svc-billing",
    "svc-sitemap",
    "svc-social-metrics",
)


@dataclass(slots=True)
class Staff:
    """Everyone, by name and by role."""

    people: list[Person]
    by_role: dict[str, list[Person]]

    def named(self, name: str) -> Person:
        return next(p for p in self.people if p.name == name)


def _names(rng: random.Random, n: int) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        name = f"{rng.choice(_FIRST)}.{rng.choice(_LAST)}"
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


def _person(name: str, role: str, desk: str, bureau: str, shift: Shift) -> Person:
    client = _CLIENT.get(role, "newsdesk-assistant")
    return Person(name, role, desk, bureau, shift, _AGENTS[role], client, _VERSIONS[client])


def build_staff(rng: random.Random, reporters: int, stringers: int) -> Staff:
    """The organisation: ``reporters`` staff reporters across the bureaus, ``stringers``
    freelancers, the desks above them and the service accounts."""
    names = iter(_names(rng, reporters + stringers + len(_DESK_STAFF) + 4))
    people: list[Person] = []
    for i in range(reporters):
        bureau = _REPORTER_HOMES[i % len(_REPORTER_HOMES)]
        desk = _BUREAU_DESK.get(bureau, _DESKS[i % len(_DESKS)])
        start = rng.choice((8.5, 9.0, 9.5, 10.0, 10.5))
        days = (0, 1, 2, 3, 4) if i % 3 else (1, 2, 3, 4, 5)  # a third work Tue-Sat
        people.append(_person(next(names), "reporter", desk, bureau, Shift(start, start + 9, days)))
    for _ in range(stringers):
        bureau = rng.choice(("nairobi", "sao-paulo", "london", "hong-kong"))
        start = rng.choice((7.0, 10.0, 13.0))
        shift = Shift(start, start + rng.choice((4.0, 6.0)), _EVERY_DAY, 0.45)
        people.append(_person(next(names), "stringer", "world", bureau, shift))
    for role, bureau, desk, shift in _DESK_STAFF:
        people.append(_person(next(names), role, desk, bureau, shift))
    for svc in SERVICES:
        agent = svc.removeprefix("svc-") + "-job"
        people.append(
            Person(
                svc,
                "service",
                "platform",
                "london",
                Shift(0.0, 24.0, _EVERY_DAY),
                (agent,),
                "python-mcp-sdk",
                _VERSIONS["python-mcp-sdk"],
            )
        )
    by_role: dict[str, list[Person]] = {}
    for p in people:
        by_role.setdefault(p.role, []).append(p)
    return Staff(people, by_role)


def plan_shifts(rng: random.Random, staff: Staff, start_us: int, days: int) -> None:
    """Fill each person's ``shifts`` (UTC µs) for ``days`` days from ``start_us`` (a Thursday
    00:00 UTC by default; the weekday of day ``d`` is taken from ``start_us``)."""
    first_weekday = datetime.fromtimestamp(start_us / 1e6, UTC).weekday()
    for p in staff.people:
        if p.role == "service":
            p.shifts = [(start_us, start_us + days * 24 * HOUR_US)]
            continue
        p.shifts = []
        for d in range(p.first_day, days):
            s = p.shift
            if (first_weekday + d) % 7 not in s.weekdays or rng.random() > s.share:
                continue
            midnight = start_us + d * 24 * HOUR_US
            off = offset_hours(p.bureau, midnight + int(12 * HOUR_US))
            length = (s.end - s.start) % 24 or 24.0
            begin = midnight + int((s.start - off) * HOUR_US) + rng.randint(-25, 25) * _MIN_US
            end = begin + int(length * HOUR_US) + rng.randint(-30, 50) * _MIN_US
            p.shifts.append((begin, end))
