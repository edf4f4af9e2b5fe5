"""Who works at the CRO, its sites and its sponsor, where, and when each is on duty.

The roster is fixed in shape (roles, offices, sites) and drawn by seed in names, starting hours
and rota offsets. Duty is a list of intervals per person (UTC µs) built day by day from the role's
rhythm in the person's local time: office hours on weekdays with a lunch break, clinic hours at
the sites, a 24/7 three-shift rota for the Bangalore safety desk, monitoring-visit days when a
clinical research associate works at a site (in the site's time zone) and writes up at the hotel
in the evening.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Final

from ..model import DAY_US

__all__ = ["SITES", "STUDIES", "Person", "Site", "roster"]

HOUR_US: Final = 3_600_000_000


@dataclass(frozen=True, slots=True)
class Site:
    code: str
    study: str
    city: str
    tz: float
    first_day: int = 0  # the day the site is initiated (activated in CTMS)


STUDIES: Final = ("ONC-301", "CARD-210", "NEURO-115")
SITES: Final[tuple[Site, ...]] = (
    Site("101", "ONC-301", "Boston", -5),
    Site("102", "ONC-301", "Houston", -6),
    Site("103", "ONC-301", "Heidelberg", 1),
    Site("104", "ONC-301", "Warsaw", 1),
    Site("105", "ONC-301", "Madrid", 1),
    Site("106", "ONC-301", "Tokyo", 9),
    Site("107", "ONC-301", "Osaka", 9, first_day=6),
    Site("108", "ONC-301", "Seoul", 9),
    Site("201", "CARD-210", "Leeds", 0),
    Site("202", "CARD-210", "Lyon", 1),
    Site("203", "CARD-210", "Krakow", 1),
    Site("204", "CARD-210", "Sao Paulo", -3),
    Site("205", "CARD-210", "Milan", 1),
    Site("301", "NEURO-115", "Denver", -7),
    Site("302", "NEURO-115", "Seattle", -8),
    Site("303", "NEURO-115", "Melbourne", 11),
    Site("304", "NEURO-115", "Toronto", -5),
)


@dataclass(slots=True)
class Person:
    """One account: a person (``role``) or a job (``svc-*``, role ``service``)."""

    name: str
    role: str
    tz: float
    start: float  # local hour the working day starts
    end: float
    agent: str
    client: str
    version: str
    first_day: int = 0
    sites: tuple[str, ...] = ()  # the sites a CRA monitors, or a site staff member's site
    shift: int = 0  # rota offset (safety desk) / weekday of the monitoring visit (CRA)
    update_day: int | None = None  # the day the client auto-updates
    new_version: str = ""
    duty: list[tuple[int, int]] = field(default_factory=list)
    visits: dict[int, str] = field(default_factory=dict)  # day -> site (CRA monitoring visits)


_SURNAMES: Final = {
    "us": "okafor miller nguyen patel garcia brennan kowalski reyes hale tran murphy shah "
    "coleman rivera chen foster",
    "uk": "hughes ashworth begum clarke doyle pritchard osei lambert",
    "eu": "schneider nowak fernandez rossi dubois wojcik keller moreau ricci lopez wagner "
    "zielinska",
    "in": "iyer reddy menon nair krishnan banerjee rao kulkarni desai pillai joshi",
    "ph": "santos reyes delacruz bautista",
    "jp": "tanaka sato kim park yamamoto watanabe",
    "au": "walsh nguyen oconnor",
    "br": "souza oliveira",
}
# (role, count, region, tz, start, end, agent, client, version)
_OFFICES: Final = (
    ("dm", 4, "us", -5, 8.5, 17.0, "assistant", "claude-desktop", "0.9.3"),
    ("dm", 2, "uk", 0, 8.5, 17.0, "assistant", "claude-desktop", "0.9.3"),
    ("dm", 2, "in", 5.5, 9.5, 18.0, "assistant", "claude-desktop", "0.9.3"),
    ("coder", 2, "in", 5.5, 9.0, 17.5, "assistant", "coding-workbench", "4.2.0"),
    ("coder", 1, "ph", 8, 8.0, 17.0, "assistant", "coding-workbench", "4.2.0"),
    ("biostat", 3, "us", -5, 9.0, 17.5, "sas-agent", "rstudio-mcp", "2024.12.1"),
    ("biostat", 2, "uk", 0, 9.0, 17.5, "sas-agent", "rstudio-mcp", "2024.12.1"),
    ("unblinded", 1, "uk", 0, 9.0, 17.0, "sas-agent", "rstudio-mcp", "2024.12.1"),
    ("pv", 6, "in", 5.5, 0.0, 0.0, "pv-assistant", "argus-bridge", "8.4.2"),
    ("pv", 2, "uk", 0, 8.0, 16.5, "pv-assistant", "argus-bridge", "8.4.2"),
    ("pv", 2, "us", -5, 8.0, 16.5, "pv-assistant", "argus-bridge", "8.4.2"),
    ("medmon", 1, "us", -5, 8.0, 17.0, "assistant", "claude-desktop", "0.9.3"),
    ("medmon", 1, "eu", 1, 8.0, 17.0, "assistant", "claude-desktop", "0.9.3"),
    ("regaff", 2, "uk", 0, 9.0, 17.0, "assistant", "claude-desktop", "0.9.3"),
    ("regaff", 1, "us", -5, 9.0, 17.0, "assistant", "claude-desktop", "0.9.3"),
    ("supply", 2, "eu", 1, 8.0, 16.5, "assistant", "claude-desktop", "0.9.3"),
    ("tmf", 3, "ph", 8, 8.0, 17.0, "assistant", "claude-desktop", "0.9.3"),
    ("it", 2, "us", -5, 8.0, 17.0, "admin-cli", "tt-admin", "3.1.0"),
    ("it", 1, "in", 5.5, 9.0, 18.0, "admin-cli", "tt-admin", "3.1.0"),
    ("qa", 2, "uk", 0, 9.0, 17.0, "assistant", "claude-desktop", "0.9.3"),
    ("sponsor", 2, "us", -5, 9.0, 17.0, "portal-assistant", "sponsor-web", "5.0.0"),
    ("sponsor", 1, "eu", 1, 9.0, 17.0, "portal-assistant", "sponsor-web", "5.0.0"),
    ("sponsor", 1, "jp", 9, 9.0, 18.0, "portal-assistant", "sponsor-web", "5.0.0"),
)
# CRAs: home region, tz, the sites they monitor
_CRAS: Final = (
    ("us", -5, ("101", "304")),
    ("us", -6, ("102",)),
    ("us", -7, ("301", "302")),
    ("us", -8, ("302",)),
    ("eu", 1, ("103",)),
    ("eu", 1, ("104", "203")),
    ("eu", 1, ("105", "205")),
    ("eu", 1, ("202", "205")),
    ("uk", 0, ("201",)),
    ("jp", 9, ("106", "107")),
    ("jp", 9, ("108", "107")),
    ("au", 11, ("303",)),
    ("br", -3, ("204",)),
    ("us", -5, ("101", "102")),
)
_UPDATED: Final = {"claude-desktop": "0.10.1", "argus-bridge": "8.5.0"}


def roster(rng: random.Random, days: int) -> list[Person]:
    """Everyone who works in the span (the jobs excluded), their duty built for ``days``."""
    pool = {k: v.split() for k, v in _SURNAMES.items()}
    for names in pool.values():
        rng.shuffle(names)
    taken: set[str] = set()

    def name(region: str) -> str:
        while True:
            sur = pool[region].pop() if pool[region] else rng.choice(_SURNAMES[region].split())
            cand = f"{rng.choice('abcdefghijklmnoprstvwy')}.{sur}"
            if cand not in taken:
                taken.add(cand)
                return cand

    people: list[Person] = []
    for role, n, region, tz, start, end, agent, client, version in _OFFICES:
        for k in range(n):
            p = Person(name(region), role, tz, start + rng.uniform(-0.5, 0.5),
                       end + rng.uniform(-0.5, 0.75), agent, client, version, shift=k)  # fmt: skip
            if client in _UPDATED:  # auto-update on a restart, some days into the span
                p.update_day, p.new_version = rng.randint(5, 9), _UPDATED[client]
            people.append(p)
    for k, (region, tz, sites) in enumerate(_CRAS):
        people.append(
            Person(
                name(region),
                "cra",
                tz,
                8.0 + rng.uniform(-0.5, 0.75),
                17.0 + rng.uniform(-0.5, 1.0),
                "assistant",
                "cra-laptop",
                "1.7.4",
                sites=sites,
                shift=k % 4,
            )
        )
    regions = {-5: "us", -6: "us", -7: "us", -8: "us", -3: "br", 0: "uk", 9: "jp", 11: "au"}
    for site in SITES:
        reg = regions.get(int(site.tz), "eu")
        for role, start, end in (("coordinator", 8.0, 16.5), ("investigator", 8.0, 18.0)):
            people.append(
                Person(
                    name(reg),
                    role,
                    site.tz,
                    start + rng.uniform(-0.5, 0.5),
                    end + rng.uniform(-0.5, 0.5),
                    "site-assistant",
                    "edc-web",
                    "12.3",
                    first_day=site.first_day + (1 if site.first_day else 0),
                    sites=(site.code,),
                )
            )
    # a data manager hired on day 4: an ordinary first week, before the scored day
    hired = next(p for p in people if p.role == "dm" and p.tz == 0)
    people.append(
        Person(
            name("uk"),
            "dm",
            0,
            8.75,
            17.25,
            hired.agent,
            hired.client,
            "0.10.1",
            first_day=min(4, days - 1),
        )
    )
    for p in people:
        p.duty = _duty(p, rng, days)
    return people


def _day_block(day: int, tz: float, a: float, b: float) -> tuple[int, int]:
    """Local hours ``a``..``b`` of ``day`` as UTC µs from the span's start (day 0, 00:00 UTC)."""
    return int((day * 24 + a - tz) * HOUR_US), int((day * 24 + b - tz) * HOUR_US)


def _office(p: Person, rng: random.Random, day: int, weekday: int) -> list[tuple[int, int]]:
    if weekday >= 5:
        # a weekend hour of catch-up, now and then
        if p.role in ("biostat", "dm", "regaff") and rng.random() < 0.12:
            h = rng.uniform(10, 16)
            return [_day_block(day, p.tz, h, h + rng.uniform(0.5, 1.5))]
        return []
    if rng.random() < 0.05:  # leave or a sick day
        return []
    s = p.start + rng.gauss(0, 0.25)
    e = p.end + rng.gauss(0, 0.4)
    lunch = (s + e) / 2 + rng.uniform(-0.5, 0.5)
    out = [_day_block(day, p.tz, s, lunch), _day_block(day, p.tz, lunch + rng.uniform(0.5, 1), e)]
    if p.role in ("biostat", "medmon", "regaff", "cra") and rng.random() < 0.15:
        h = rng.uniform(20.0, 22.0)  # an evening look at the laptop
        out.append(_day_block(day, p.tz, h, h + rng.uniform(0.3, 0.8)))
    return out


def _rota(p: Person, day: int) -> list[tuple[int, int]]:
    """Bangalore's safety desk: six people, two per shift, the shift moving weekly, each off
    two days a week (staggered)."""
    week = day // 7
    shift = (p.shift // 2 + week) % 3
    if (day + p.shift) % 7 in (5, 6):
        return []
    a = (6.0, 14.0, 22.0)[shift] + (0.25 if p.shift % 2 else 0.0)
    return [_day_block(day, p.tz, a, a + 8.25)]


def _cra(p: Person, rng: random.Random, day: int, weekday: int) -> list[tuple[int, int]]:
    site = p.visits.get(day)
    if site is None:
        return _office(p, rng, day, weekday)
    tz = next(s.tz for s in SITES if s.code == site)
    # on site through clinic hours, then the hotel desk in the evening (the site's time)
    return [_day_block(day, tz, 8.5, 12.5), _day_block(day, tz, 13.25, 16.5),
            _day_block(day, tz, 19.5, 19.5 + rng.uniform(1.0, 2.5))]  # fmt: skip


def _duty(p: Person, rng: random.Random, days: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    if p.role == "cra":
        # a monitoring visit about weekly at one of their sites, on their own weekday
        for day in range(days):
            wd = (day + 3) % 7  # the span starts on a Thursday
            if wd == p.shift and rng.random() < 0.85:
                p.visits[day] = rng.choice(p.sites)
    for day in range(p.first_day, days):
        wd = (day + 3) % 7
        if p.role == "pv" and p.tz == 5.5:
            out += _rota(p, day)
        elif p.role == "cra":
            out += _cra(p, rng, day, wd)
        elif p.role in ("coordinator", "investigator"):
            if wd < 5 and rng.random() < 0.93:
                out += _office(p, rng, day, wd)[:2]
        else:
            out += _office(p, rng, day, wd)
    return sorted((max(a, 0), b) for a, b in out if b > 0 and a < days * DAY_US)
