"""``generate``: a multi-tenant SaaS platform's MCP gateway over ``days`` days, last day scored.

Builds the tenants and their installs (:mod:`.tenancy`), plans the scored day's hard negatives
(:mod:`.negatives`) and two unlabelled platform incidents earlier on, then runs every install
day by day through one :class:`~._calls.Gateway` (rate limits, incidents, retries). The result
is a :class:`~tooltrail.simulator.Simulation` whose calls are sorted by time, whose hard
negatives are its ``benign_bursts``, and with no attack (``inject`` adds them). Deterministic
from ``TenantsConfig.seed``; a bad config raises ``ValueError`` naming the field.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from ..model import DAY_US, Incident, SimCall, SimConfig, Simulation, UserProfile
from ._calls import Gateway, Outage
from .catalog import SERVERS
from .negatives import Negative, plan
from .tenancy import Install, build
from .traffic import run_day

__all__ = ["TenantsConfig", "generate"]

_HOUR = 3_600_000_000


@dataclass(frozen=True)
class TenantsConfig:
    """What to generate: ``tenants`` organisations over ``days`` days from ``start`` (UTC)."""

    seed: int = 1
    tenants: int = 50
    days: int = 14
    start: datetime = datetime(2026, 11, 17, tzinfo=UTC)  # the scored day is Mon 30 Nov

    def __post_init__(self) -> None:
        if not 8 <= self.tenants <= 400:
            raise ValueError(f"tenants must be between 8 and 400, not {self.tenants}")
        if not 8 <= self.days <= 60:
            raise ValueError(
                f"days must be between 8 and 60 (history for victims), not {self.days}"
            )
        if self.start.tzinfo is None or self.start.utcoffset() != UTC.utcoffset(None):
            raise ValueError("start must be an aware datetime in UTC")
        if self.start.hour or self.start.minute or self.start.second or self.start.microsecond:
            raise ValueError("start must be midnight UTC")

    def sim_config(self, users: int) -> SimConfig:
        """The :class:`SimConfig` a benchmark reads (``attack_start_us``: the last day)."""
        return SimConfig(
            seed=self.seed, users=max(1, users), days=self.days, start=self.start, attack_days=1,
            scenarios=(), incidents_per_scenario=0, new_users=0,
        )  # fmt: skip


def _history_outages(rng: random.Random, cfg: TenantsConfig, start: int) -> list[Outage]:
    out = []
    for day in rng.sample(range(1, cfg.days - 1), 2):
        s = start + day * DAY_US + rng.randint(2, 21) * _HOUR
        servers = frozenset(rng.sample(SERVERS, rng.randint(1, 3)))
        out.append(Outage(s, s + rng.randint(15, 50) * 60_000_000, servers, rng.uniform(0.3, 0.7)))
    return out


def _bursts(calls: list[SimCall], negs: list[Negative]) -> list[Incident]:
    by: dict[str, list[SimCall]] = {}
    for c in calls:
        if c.label.startswith("benign:"):
            by.setdefault(c.label, []).append(c)
    desc = {n.label: n.description for n in negs}
    out = []
    for label, cs in sorted(by.items()):
        user = Counter(c.user for c in cs).most_common(1)[0][0]
        first = next(c for c in cs if c.user == user)
        out.append(
            Incident(
                id=label,
                scenario=label.split("#")[0],
                user=user,
                agent=first.agent,
                client=first.client,
                start=cs[0].ts,
                end=cs[-1].ts,
                calls=len(cs),
                description=desc.get(label, ""),
            )
        )
    return out


def _profiles(installs: list[Install]) -> list[UserProfile]:
    return [
        UserProfile(
            name=i.actor.user,
            role="operator" if i.actor.human else "service",
            tz_hours=i.tenant.tz,
            work_start=i.hour if i.actor.human else 0.0,
            work_end=i.hour + 9 if i.actor.human else 24.0,
            agents=(i.actor.agent,),
            client=i.actor.client,
            client_version=i.actor.version,
            first_day=i.tenant.first_day,
        )
        for i in installs
    ]


def generate(cfg: TenantsConfig | None = None) -> Simulation:
    """The platform's benign traffic with its labelled hard negatives on the last day."""
    cfg = cfg or TenantsConfig()
    rng = random.Random(f"tenants:{cfg.seed}")
    start = int(cfg.start.timestamp()) * 1_000_000
    orgs, installs = build(rng, cfg.tenants, cfg.days)
    scored = cfg.days - 1
    negs, outages = plan(rng, orgs, installs, scored, start + scored * DAY_US)
    taken = set().union(*(n.takes for n in negs))
    gw = Gateway(
        rng=random.Random(f"gateway:{cfg.seed}"),
        limit_per_min={t.slug: t.limit_per_min for t in orgs},
        outages=_history_outages(rng, cfg, start) + outages,
    )
    for day in range(cfg.days):
        day0 = start + day * DAY_US
        for ins in installs:
            if day == scored and (ins.actor.user, ins.actor.agent) in taken:
                continue
            run_day(gw, rng, ins, day, day0)
    for neg in negs:
        gw.default_label = neg.label
        try:
            neg.run(gw, rng)
        finally:
            gw.default_label = ""
    end = start + cfg.days * DAY_US
    calls = sorted((c for c in gw.calls if start <= c.ts < end), key=lambda c: c.ts)
    return Simulation(
        config=cfg.sim_config(len({c.user for c in calls})),
        calls=calls,
        incidents=[],
        benign_bursts=_bursts(calls, negs),
        users=_profiles(installs),
    )
