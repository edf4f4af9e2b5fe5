"""The shared state of one generation and one person's day of agent runs.

A :class:`World` holds the config, the people, the flaky windows, who is on call, and the
scored day's arrangements (whose calls on which day carry which hard-negative label, who runs
an upgraded client, who is onboarding). :func:`person_day` turns a person's calendar blocks into
agent runs: in focus blocks goals from the person's role (a Poisson number per hour), in
meetings quick lookups, in the evening or on a weekend a status check, on an on-call page the
incident response, and now and then an unattended run started at the end of the day. Every
random stream is keyed by what it is for, so a person's day does not change when another
person's does.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Final

from ..model import SimCall
from .calendar import Block, day_blocks, pages, poisson
from .config import PlansConfig
from .execute import Flaky, Run, hexid, run_goal
from .htn import ROLE_GOALS
from .org import Agent, Person

__all__ = ["World", "person_day", "plan_rotation"]

_HOUR: Final = 3_600_000_000
_RETRIES: Final = {
    "claude-code": 3,
    "cursor-agent": 2,
    "codex": 4,
    "goose": 3,
    "copilot-agent": 1,
    "assistant": 2,
}
_RATE: Final = {"focus": 2.2, "meeting": 0.35, "evening": 1.2, "weekend": 1.0, "page": 2.5}


@dataclass
class World:
    """One generation's shared state; days are indexes from ``start`` (the last is scored)."""

    cfg: PlansConfig
    people: list[Person]
    flaky: dict[str, list[Flaky]] = field(default_factory=dict)
    day_labels: dict[tuple[str, int], str] = field(default_factory=dict)
    upgrades: dict[str, tuple[str, str, str]] = field(
        default_factory=dict
    )  # user → client, v, label
    onboarding: set[str] = field(default_factory=set)
    oncall: dict[int, str] = field(default_factory=dict)  # day → the SRE on call that night

    @property
    def start(self) -> date:
        return self.cfg.start.date()

    @property
    def scored(self) -> int:
        return self.cfg.days - 1

    def rng(self, *key: object) -> random.Random:
        return random.Random(":".join(map(str, (self.cfg.seed, *key))))

    def person(self, name: str) -> Person:
        return next(p for p in self.people if p.name == name)

    def run(
        self, rng: random.Random, p: Person, agent: Agent, day: int, t: int, **kw: object
    ) -> Run:
        """A run of ``p``'s ``agent`` on ``day`` from ``t`` (keyword overrides: label, …)."""
        run = Run(
            rng,
            p.name,
            agent,
            frozenset(p.servers_on(day)),
            p.ws,
            t,
            retries=_RETRIES.get(agent.name.split("/")[0], 2),
            flaky=self.flaky,
        )
        for k, v in kw.items():
            setattr(run, k, v)
        return run

    def agents_on(self, p: Person, day: int) -> list[Agent]:
        up = self.upgrades.get(p.name) if day == self.scored else None
        if up is None:
            return p.agents
        return [replace(a, version=up[1]) if a.client == up[0] else a for a in p.agents]


def plan_rotation(world: World, rng: random.Random) -> None:
    """The SREs' weekly on-call rotation (handover on Mondays) with one swapped night."""
    sres = sorted(p.name for p in world.people if p.role == "sre" and p.first_day == 0)
    if not sres:
        return
    first_monday = (7 - world.start.weekday()) % 7
    for day in range(world.cfg.days):
        week = (day - first_monday) // 7 + 1
        world.oncall[day] = sres[week % len(sres)]
    if len(sres) > 1 and world.scored > 3:
        d = rng.randint(1, world.scored - 2)
        world.oncall[d] = next(s for s in sres if s != world.oncall[d])


def _goal(rng: random.Random, world: World, p: Person, block: Block, day: int) -> str:
    if block.kind == "page":
        return "respond_page"
    if block.kind in ("evening", "weekend"):
        return "check_status"
    if block.kind == "meeting":
        return rng.choice(["quick_lookup", "quick_lookup", "answer_question"])
    if p.name in world.onboarding and day == world.scored:
        return "onboard"
    goals = ROLE_GOALS[p.role_on(day)]
    return rng.choices(list(goals), weights=list(goals.values()))[0]


def person_day(world: World, p: Person, day: int) -> list[SimCall]:
    """Every call ``p``'s agents make on ``day`` (pages in the night after it included)."""
    rng = world.rng("day", p.name, day)
    blocks = day_blocks(rng, p, world.start, day)
    if world.oncall.get(day) == p.name and p.active_on(day):
        blocks += pages(rng, p, world.start, day, world.cfg.page_rate)
    label = world.day_labels.get((p.name, day), "")
    agents = world.agents_on(p, day)
    up = world.upgrades.get(p.name) if day == world.scored else None
    out: list[SimCall] = []
    for b in blocks:
        hours = (b.end - b.start) / _HOUR
        n = poisson(rng, _RATE[b.kind] * hours)
        if b.kind in ("evening", "weekend", "page"):
            n = max(1, n)
        sessions: dict[str, str] = {}
        for _ in range(n):
            t = rng.randrange(b.start, max(b.end, b.start + 1))
            scored = t >= world.cfg.scored_us  # a local day can begin before the UTC one
            mine = agents if scored else p.agents
            agent = rng.choices(mine, weights=[a.weight for a in mine])[0]
            lab = (label or (up[2] if up and agent.client == up[0] else "")) if scored else ""
            session = sessions.setdefault(agent.name, hexid(rng))
            run = world.run(rng, p, agent, day, t, label=lab, session=session)
            run_goal(run, _goal(rng, world, p, b, day))
            out.extend(run.out)
    if blocks and p.unattended and rng.random() < p.unattended:
        t = max(b.end for b in blocks if b.kind != "page") + int(rng.uniform(0.05, 0.5) * _HOUR)
        scored = t >= world.cfg.scored_us
        agent = (agents if scored else p.agents)[0]
        lab = (label or (up[2] if up and agent.client == up[0] else "")) if scored else ""
        run = world.run(rng, p, agent, day, t, interactive=False, label=lab)
        for _ in range(rng.randint(1, 3)):
            run_goal(run, "long_refactor")
            run.t += int(rng.uniform(4, 15) * _HOUR / 60)  # tests run in a shell (no MCP)
        out.extend(run.out)
    return out
