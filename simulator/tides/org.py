"""The tides organisation: two offices, a 24/7 support rota, contractors, Zipf activity.

People live in an office (Berlin UTC+1 or San Francisco UTC-8; San Francisco has a holiday on
day 7) or on the support rota (three 8-hour shifts in UTC, four days on and three off). Activity
is Zipf-distributed over a random ranking (a few power users, a long tail), each person has a
sparse mixture of topics (:data:`~.topics.TOPICS`) that drifts from ``theta0`` to ``theta1``
over the fortnight, one to three seats (clients, some upgraded mid-way) and their own Hawkes
parameters (branching ratio, kernel time scale). Contractors appear for a few days only.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Final

from ._calls import Seat

__all__ = ["CLIENTS", "ROLE_TOPICS", "Person", "base_rate", "people"]

HOUR_US: Final = 3_600_000_000
DAY_US: Final = 24 * HOUR_US

ROLE_TOPICS: Final[dict[str, tuple[str, ...]]] = {
    "developer": ("coding", "review", "tickets", "chat", "docs", "web", "notes"),
    "sre": ("infra", "incident", "review", "chat", "tickets", "coding"),
    "data": ("analysis", "docs", "chat", "tickets", "notes"),
    "support": ("tickets", "chat", "docs", "web"),
    "product": ("docs", "tickets", "chat", "web"),
    "security": ("infra", "review", "tickets", "web", "incident"),
}
_ROLE_MIX: Final = (
    ("developer", 0.45),
    ("sre", 0.12),
    ("data", 0.15),
    ("product", 0.1),
    ("security", 0.05),
    ("support", 0.13),
)
#: client → (agent name, versions before / after an upgrade)
CLIENTS: Final[dict[str, tuple[str, str, str]]] = {
    "claude-desktop": ("claude", "0.13.4", "0.14.1"),
    "cursor": ("cursor-agent", "1.6.2", "1.7.0"),
    "claude-code": ("claude-code", "2.0.8", "2.0.14"),
    "vscode": ("copilot-agent", "1.104.1", "1.105.0"),
    "windsurf": ("cascade", "1.12.0", "1.12.3"),
    "zed": ("zed-agent", "0.207.3", "0.208.1"),
    "goose": ("goose", "1.9.0", "1.10.2"),
    "cline": ("cline", "3.32.1", "3.33.0"),
}
_OFFICES: Final = (("berlin", 1.0), ("sf", -8.0))
SF_HOLIDAY: Final = 7


@dataclass(frozen=True, slots=True)
class Person:
    """One person: where and when they work, how active, what about, on which seats."""

    name: str
    role: str
    office: str
    tz: float
    work_start: float
    work_end: float
    evening: float  # share of the daytime rate late in the evening
    weekend: float  # share on weekend days
    rate: float  # Hawkes immigrants (bursts) per working day
    branching: float  # mean follow-up calls per call
    tau_s: float  # the kernel's time scale, seconds
    theta0: dict[str, float]
    theta1: dict[str, float]
    seats: tuple[tuple[Seat, Seat, int, float], ...]  # (before, after upgrade, day, weight)
    first_day: int = 0
    last_day: int = 10**6
    shift: int = -1  # support rota: UTC start hour (0, 8, 16), -1 for office hours
    rota: int = 0  # support rota offset (four days on, three off)


def _theta(rng: random.Random, role: str) -> dict[str, float]:
    topics = ROLE_TOPICS[role]
    k = rng.choice((1, 2, 2, 3, 3))
    chosen = rng.sample(topics, k)
    w = {t: rng.gammavariate(0.6, 1.0) + 0.05 for t in chosen}
    z = sum(w.values())
    return {t: v / z for t, v in w.items()}


def _drift(rng: random.Random, role: str, theta: dict[str, float]) -> dict[str, float]:
    out = dict(theta)
    new = rng.choice(ROLE_TOPICS[role])
    out[new] = out.get(new, 0.0) + rng.uniform(0.0, 0.35)
    z = sum(out.values())
    return {t: v / z for t, v in out.items()}


def _seats(rng: random.Random, name: str, days: int) -> tuple[tuple[Seat, Seat, int, float], ...]:
    out = []
    for client in rng.sample(sorted(CLIENTS), rng.choice((1, 1, 2, 2, 3))):
        agent, v0, v1 = CLIENTS[client]
        before = Seat(name, agent, client, v0)
        upgrade = rng.randrange(2, days) if rng.random() < 0.4 else 10**6
        out.append((before, Seat(name, agent, client, v1), upgrade, rng.uniform(0.2, 1.0)))
    return tuple(out)


def make_person(rng: random.Random, name: str, role: str, rank: int, days: int) -> Person:
    """A person of ``role`` whose activity ranks ``rank`` (1 = most active)."""
    office, tz = rng.choice(_OFFICES)
    start = rng.uniform(7.0, 10.5)
    theta = _theta(rng, role)
    return Person(
        name=name,
        role=role,
        office=office,
        tz=tz,
        work_start=start,
        work_end=start + rng.uniform(7.5, 9.5),
        evening=rng.choice((0.0, 0.0, 0.03, 0.08, 0.2)),
        weekend=rng.choice((0.0, 0.0, 0.0, 0.05, 0.15)),
        rate=max(0.6, 50.0 / rank**0.85) * math.exp(rng.gauss(0, 0.2)),
        branching=rng.uniform(0.55, 0.9),
        tau_s=math.exp(rng.uniform(math.log(15), math.log(240))),
        theta0=theta,
        theta1=_drift(rng, role, theta),
        seats=_seats(rng, name, days),
    )


def people(rng: random.Random, n: int, days: int) -> list[Person]:
    """``n`` people: office staff, a support rota and two short-stay contractors."""
    ranks = list(range(1, n + 1))
    rng.shuffle(ranks)
    roles = [r for r, w in _ROLE_MIX for _ in range(max(1, round(w * n)))]
    out: list[Person] = []
    for i in range(n):
        role = roles[i] if i < len(roles) else "developer"
        p = make_person(rng, f"{role[:3]}{i:02d}", role, ranks[i], days)
        if role == "support":
            p = _replace(p, shift=(8 * i) % 24, rota=rng.randrange(7), tz=0.0, office="rota")
        out.append(p)
    for k in range(2):  # contractors for a few days in the first part of the fortnight
        first = rng.randrange(1, max(2, days - 6))
        c = make_person(rng, f"ctr{k:02d}", "developer", rng.randrange(5, 30), days)
        out.append(_replace(c, first_day=first, last_day=first + rng.randrange(2, 5)))
    return out


def _replace(p: Person, **kw: object) -> Person:
    from dataclasses import replace

    return replace(p, **kw)  # type: ignore[arg-type]


def base_rate(p: Person, hour_us: int, start_us: int) -> float:
    """Hawkes immigrants per hour for ``p`` in the UTC hour starting at ``hour_us``."""
    day = (hour_us - start_us) // DAY_US
    if day < p.first_day or day > p.last_day:
        return 0.0
    if p.shift >= 0:
        utc_h = (hour_us // HOUR_US) % 24
        on = (day + p.rota) % 7 < 4
        return p.rate / 8.0 if on and (utc_h - p.shift) % 24 < 8 else 0.0
    local = hour_us / HOUR_US + p.tz
    h = local % 24
    weekday = int((local // 24 + 3) % 7)  # 1970-01-01 was a Thursday: 0 = Monday
    scale = 1.0
    if weekday >= 5:
        scale = p.weekend
    if p.office == "sf" and (local - start_us / HOUR_US) // 24 == SF_HOLIDAY:
        scale *= 0.1
    span = p.work_end - p.work_start
    if p.work_start <= h < p.work_end:
        x = (h - p.work_start) / span
        shape = 0.6 + 0.8 * math.sin(math.pi * x) - (0.5 if abs(h - 12.5) < 0.7 else 0.0)
        return scale * p.rate * max(0.1, shape) / span
    if p.work_end <= h < 23.0:
        return scale * p.rate * p.evening / span
    return 0.0
