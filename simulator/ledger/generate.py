"""The payments company's traffic, caused by the money moving through it.

Card payments arrive in three regions around the clock; a share of them raises fraud alerts and
customer contacts, chargebacks come back on the card network's daily file, merchants sign up
and need KYC review, each region settles at its local end of day, partner banks drop
confirmation files, reconciliation raises exceptions, and treasury funds the accounts. Every
work item waits in its team's queue until someone on shift is free (follow-the-sun: an alert at
03:00 London is taken in Bengaluru; the weekend's backlog is worked on Monday). The last day is
scored and carries the hard negatives (``negatives.py``).
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tooltrail.simulator import Incident, SimCall, SimConfig, Simulation, UserProfile

from .org import SERVICES, Person, staff
from .trail import Actor, Trail

__all__ = ["LedgerConfig", "World", "generate"]

H = 3_600_000_000
M = 60_000_000
S = 1_000_000
DAY = 24 * H
#: region → (UTC offset, card authorisations in a typical hour at the daily peak)
REGIONS = {"eu": (0.0, 60_000), "us": (-5.0, 80_000), "apac": (8.0, 40_000)}
#: local hour → share of the peak hour's payments
_CURVE = (0.12, 0.08, 0.06, 0.05, 0.06, 0.1, 0.2, 0.35, 0.55, 0.7, 0.8, 0.9, 1.0, 0.95, 0.85,
          0.8, 0.8, 0.85, 0.9, 0.95, 0.9, 0.7, 0.45, 0.25)  # fmt: skip
#: date → payment volume factor (Black Friday weekend, Cyber Monday on the scored day)
_PEAKS = {(11, 27): 2.2, (11, 28): 1.4, (11, 29): 1.3, (11, 30): 1.8}
BANKS = {"northbank": 0.0, "eastbridge": 8.0, "liberty": -5.0}


@dataclass(frozen=True)
class LedgerConfig(SimConfig):
    """Fourteen days from Tuesday 17 Nov 2026; the last (Monday 30 Nov, month end) is scored.
    ``users`` is not used: the staff are the company's roster (``org.py``)."""

    days: int = 14
    start: datetime = datetime(2026, 11, 17, tzinfo=UTC)
    scenarios: tuple[str, ...] = ()
    new_users: int = 0

    def __post_init__(self) -> None:
        if self.days < 7:
            raise ValueError("days must be at least 7 (victims need five days of history)")
        super().__post_init__()


@dataclass
class World:
    """What the flows and the hard negatives share: the config, staff, shifts, the trail."""

    config: LedgerConfig
    rng: random.Random
    people: list[Person]
    trail: Trail
    shifts: dict[str, list[tuple[int, int, int]]] = field(default_factory=dict)

    def day_start(self, d: int) -> int:
        return self.config.start_us + d * DAY

    def weekday(self, d: int) -> int:
        return (self.config.start.weekday() + d) % 7

    def volume(self, region: str, ts: int) -> float:
        """Card authorisations in the hour of ``ts`` in ``region``."""
        tz, peak = REGIONS[region]
        local = ts + int(tz * H)
        date = datetime.fromtimestamp(local // S, UTC)
        factor = (1.0, 1.0, 1.0, 1.0, 1.15, 0.9, 0.8)[date.weekday()]
        return peak * _CURVE[date.hour] * factor * _PEAKS.get((date.month, date.day), 1.0)

    def actor(self, p: Person, d: int) -> Actor:
        version = p.version
        if p.client == "claude-code" and d >= 7:  # the CLI updated mid-history
            version = "2.0.40"
        return Actor(p.name, p.agent, p.client, version, p.servers())

    def service(self, name: str) -> Actor:
        servers, agent, client, version, _ = SERVICES[name]
        return Actor(name, agent, client, version, servers)

    def roster(self, p: Person) -> list[tuple[int, int, int]]:
        """``p``'s shifts (start, end, day) in UTC µs."""
        out = []
        for d in range(self.config.days):
            wd = self.weekday(d)
            works = wd not in (1, 2) if p.weekends else wd < 5
            if works:
                s = self.day_start(d) + int((p.shift_start - p.tz) * H)
                out.append((s, s + int(p.shift_len * H), d))
        return out

    def gap(self, lo: float = 4, hi: float = 45) -> int:
        return int(self.rng.uniform(lo, hi) * S)


Item = tuple[int, int, str, dict[str, Any]]
Handler = Callable[[World, Person, int, int, str, dict[str, Any]], int]


def serve(world: World, role: str, items: list[Item], handle: Handler) -> None:
    """Give each item, in the order it became ready, to whoever of ``role`` on shift is free
    first; the handler records the work and returns when the person is done."""
    team = [p for p in world.people if p.role == role]
    free = {p.name: 0 for p in team}
    ends = {p.name: [e for _, e, _ in world.shifts[p.name]] for p in team}
    for ready, _, kind, payload in sorted(items, key=lambda x: (x[0], x[1])):
        best: tuple[int, float, Person, int] | None = None
        for p in team:
            t = max(ready, free[p.name])
            k = bisect.bisect_right(ends[p.name], t + 10 * M)
            if k == len(ends[p.name]):
                continue
            s, _, d = world.shifts[p.name][k]
            cand = (max(t, s + world.gap(60, 900)), world.rng.random(), p, d)
            if best is None or cand[:2] < best[:2]:
                best = cand
        if best is None or best[0] >= world.config.end_us - 20 * M:
            continue
        start, _, person, d = best
        free[person.name] = handle(world, person, start, d, kind, payload) + world.gap(30, 240)


def generate(config: LedgerConfig) -> Simulation:
    """The payments company's traffic for ``config``: deterministic from ``config.seed``."""
    from . import flows, negatives

    rng = random.Random(f"ledger:{config.seed}")
    world = World(config, rng, staff(random.Random(f"ledger-org:{config.seed}")), Trail(rng))
    world.shifts = {p.name: world.roster(p) for p in world.people}
    flows.run(world)
    bursts: list[Incident] = negatives.run(world)
    calls: list[SimCall] = sorted(
        (c for c in world.trail.calls if config.start_us <= c.ts < config.end_us),
        key=lambda c: c.ts,
    )
    kept = {c.label for c in calls}
    bursts = [b for b in bursts if b.id in kept]
    return Simulation(config, calls, [], bursts, _profiles(world))


def _profiles(world: World) -> list[UserProfile]:
    out = [
        UserProfile(p.name, "analyst" if p.role != "engineer" else "developer", p.tz,
                    p.shift_start, p.shift_start + p.shift_len, (p.agent,), p.client, p.version)
        for p in world.people
    ]  # fmt: skip
    for name, (_, agent, client, version, tz) in SERVICES.items():
        out.append(UserProfile(name, "service", tz, 0.0, 24.0, (agent,), client, version))
    return out
