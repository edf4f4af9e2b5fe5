"""``generate``: fourteen days of the engineering org's MCP traffic, the last one scored.

Order of construction (each step reads the queues the previous ones filled): day by day, the
pages (their follow-ups join the queues) and the engineers' workdays (the work graph); then the
release train (what was merged), the scored day's hard negatives, the dependency
and review bots, every CI run asked for, the nightly jobs, the pollers. Then the calls are sorted
by time (stable) and cut to ``[start_us, end_us)``. Deterministic from ``seed``.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from ..model import Incident, SimCall, SimConfig, Simulation, UserProfile
from ._calls import Recorder
from ._state import DAY, HOUR, MIN, World
from .bots import BOTS, ci_runs, nightly, pollers, reviews_and_deps
from .negatives import DESCRIPTIONS, HARD_NEGATIVES, add_negatives, cast
from .oncall import pages_on, release_train
from .org import build_org
from .work import extra_block, seed_backlog, workday

__all__ = ["ForgeConfig", "generate"]


@dataclass(frozen=True)
class ForgeConfig(SimConfig):
    """What to generate: ``users`` engineers over ``days`` days from ``start`` (a Wednesday, so
    the scored last day is a Tuesday: release day). No attacks: :func:`~.attacks.inject` adds
    them."""

    seed: int = 1
    users: int = 100
    days: int = 14
    start: datetime = datetime(2026, 11, 4, tzinfo=UTC)
    scenarios: tuple[str, ...] = ()
    incidents_per_scenario: int = 0
    new_users: int = 0

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 40 <= self.users <= 200:
            raise ValueError(f"users must be between 40 and 200 (got {self.users})")
        if not 8 <= self.days <= 28:
            raise ValueError(f"days must be between 8 and 28 (got {self.days})")
        if self.attack_days != 1:
            raise ValueError("attack_days must be 1: the last day is scored")


def _profiles(w: World, extra: list[UserProfile]) -> list[UserProfile]:
    out = [
        UserProfile(
            e.name,
            e.role,
            e.tz,
            e.start_h,
            e.start_h + e.hours,
            tuple(a.agent for a in (e.desk, e.coder) if a),
            e.hands(w.scored).client,
            e.hands(w.scored).version,
            e.first_day,
        )
        for e in w.engineers
    ]
    bots = [
        UserProfile(a.user, "service", 0.0, 0.0, 24.0, (a.agent,), a.client, a.version)
        for a in dict((a.user, a) for a in BOTS.values()).values()
    ]
    return out + extra + bots


def generate(config: ForgeConfig | None = None) -> Simulation:
    """The org's benign traffic with the scored day's labelled hard negatives."""
    cfg = config or ForgeConfig()
    rng = random.Random(cfg.seed * 7919 + 13)
    engineers = build_org(rng, cfg.users, cfg.days)
    w = World(rng, Recorder(rng), cfg.start_us, cfg.days, engineers)
    roles = cast(w)
    seed_backlog(w)
    for day in range(cfg.days):
        if day < w.scored:
            pages_on(w, day)  # the scored day's night page is a hard negative
        for e in engineers:
            if day == w.scored and e is roles.mover:
                continue  # their scored day is the role change
            if (win := w.window(e, day)) is not None:
                workday(w, e, day, *win)
            elif day >= e.first_day and day not in e.leave and rng.random() < 0.03:
                local = cfg.start_us + day * DAY - int(e.tz * HOUR)  # a weekend hour or two
                extra_block(w, e, day, local + rng.randint(10 * 60, 20 * 60) * MIN)
    release_train(w)
    extra = add_negatives(w, roles)
    reviews_and_deps(w)
    ci_runs(w)
    nightly(w)
    pollers(w)
    calls = sorted(
        (c for c in w.rec.calls if cfg.start_us <= c.ts < cfg.end_us - HOUR // 60),
        key=lambda c: c.ts,
    )
    return Simulation(cfg, calls, [], _bursts(calls), _profiles(w, extra))


def _bursts(calls: list[SimCall]) -> list[Incident]:
    by: dict[str, list[SimCall]] = {}
    for c in calls:
        if c.label:
            by.setdefault(c.label, []).append(c)
    out = []
    for name in HARD_NEGATIVES:
        part = by.get(f"{name}#0")
        if not part:
            raise RuntimeError(f"hard negative {name} has no calls in the simulated time")
        a = Counter((c.user, c.agent, c.client) for c in part).most_common(1)[0][0]
        out.append(
            Incident(f"{name}#0", name, *a, part[0].ts, part[-1].ts, len(part), DESCRIPTIONS[name])
        )
    return out
