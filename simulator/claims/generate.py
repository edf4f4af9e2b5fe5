"""``generate``: fourteen days of the insurer's traffic, the last one scored.

From Thursday 17 September 2026 (00:00 UTC) to the end of Wednesday 30 September, quarter end.
A south-territory wind/flood storm hits on day 5 (Tuesday 22 September); a hail storm crosses
the central territory at 16:00 Central on day 12 (Tuesday 29 September), so the scored UTC day
(19:00 Central on the 29th to 19:00 on the 30th) opens in the storm's first evening.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from ..model import Incident, SimCall, Simulation, UserProfile
from ._emit import Recorder
from .claimflow import Ledger, arrivals, work_claim
from .negatives import plan_negatives
from .people import REGIONS, ROLES, SERVICES, roster
from .routine import jobs, shift_work
from .world import DAY, World

__all__ = ["ClaimsConfig", "generate"]


@dataclass(frozen=True)
class ClaimsConfig:
    """What to generate: everything follows from ``seed``. ``days`` ≥ 8 (a week of history
    before the scored day); ``start`` an aware UTC midnight."""

    seed: int = 1
    days: int = 14
    start: datetime = datetime(2026, 9, 17, tzinfo=UTC)  # a Thursday

    def __post_init__(self) -> None:
        if self.days < 8:
            raise ValueError(f"days must be at least 8 (a week of history), not {self.days}")
        if self.start.tzinfo is None or self.start.utcoffset() != UTC.utcoffset(None):
            raise ValueError("start must be an aware datetime in UTC")
        if (self.start.hour, self.start.minute, self.start.second, self.start.microsecond) != (
            0,
            0,
            0,
            0,
        ):
            raise ValueError("start must be a midnight (UTC)")

    # the shape Simulation.labels() expects of a config
    @property
    def start_us(self) -> int:
        return int(self.start.timestamp()) * 1_000_000

    @property
    def end_us(self) -> int:
        return self.start_us + self.days * DAY

    @property
    def attack_start_us(self) -> int:
        """The scored day's midnight (UTC): no hard negative or attack is earlier."""
        return self.end_us - DAY

    def to_json(self) -> dict[str, object]:
        return {
            "generator": "claims",
            "seed": self.seed,
            "days": self.days,
            "start": self.start.isoformat().replace("+00:00", "Z"),
        }


def generate(config: ClaimsConfig | None = None) -> Simulation:
    """The insurer's traffic for ``config``: calls sorted by time, hard negatives labelled."""
    cfg = config or ClaimsConfig()
    seed = cfg.seed
    people = roster(random.Random(f"claims:people:{seed}"), cfg.days)
    plan = plan_negatives(people, random.Random(f"claims:negatives:{seed}"), cfg.days)
    rec = Recorder(random.Random(f"claims:emit:{seed}"))
    rng = random.Random(f"claims:traffic:{seed}")
    w = World(cfg.start_us, cfg.days, cfg.start.weekday(), people, rec, rng,
              cut=cfg.attack_start_us, skip=plan.skip)  # fmt: skip
    staff: dict[str, list[str]] = {r: [p.name for p in people if p.role == r] for r in ROLES}
    for region in REGIONS:
        staff[f"field:{region}"] = [
            p.name for p in people if p.role == "field_adjuster" and p.region == region
        ]
    ledger = Ledger()
    claims = arrivals(w, rng)
    for c in claims:
        work_claim(w, c, rng, staff, ledger)
    reported = [c.reported for c in claims]
    for p in people:
        for s in w.shifts[p.name]:
            shift_work(w, s, rng, claims, reported)
    episodes = plan.emit(w, claims)
    jobs(w, rng, ledger, no_batch=cfg.days - 2)  # that night's batch fails: a hard negative
    calls = sorted((c for c in rec.calls if cfg.start_us <= c.ts < cfg.end_us), key=lambda c: c.ts)
    bursts = _bursts(calls, episodes)
    users = [
        UserProfile(p.name, p.role, p.tz, p.start, p.start + p.length, (p.agent,), p.client,
                    p.version(p.client, 0))
        for p in people
    ] + [
        UserProfile(n, "service", -5.0, 0.0, 24.0, (a,), c, "") for n, (a, c) in SERVICES.items()
    ] + plan.newcomers  # fmt: skip
    return Simulation(cfg, calls, [], bursts, users)  # type: ignore[arg-type]


def _bursts(calls: Sequence[SimCall], episodes: Sequence[tuple[str, str, str]]) -> list[Incident]:
    """Each hard negative as an incident: its calls' span, count and actor."""
    by: dict[str, list[SimCall]] = {}
    for c in calls:
        if c.label:
            by.setdefault(c.label, []).append(c)
    out = []
    for label, scenario, what in episodes:
        mine = by.get(label, [])
        if mine:
            first = mine[0]
            out.append(Incident(label, scenario, first.user, first.agent, first.client,
                                first.ts, mine[-1].ts, len(mine), what))  # fmt: skip
    return out
