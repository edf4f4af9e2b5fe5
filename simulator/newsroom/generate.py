"""``generate``: fourteen days of a news organisation's MCP traffic, the last one scored.

The order of making: the staff and their shifts; the scored day's plan (who travels, who works
election night); the wire items; the service accounts' schedules; every story's lifecycle;
each desk's hourly work; a few breaking events in the history; the scored day's hard
negatives; then ``tools/list`` where a server restarted (a deploy) and its first caller listed
the tools again. Calls are clipped to the simulated period and sorted by time (stable).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from ..model import DAY_US, Incident, SimCall, SimConfig, Simulation, UserProfile
from .catalog import SERVERS, TOOLS
from .negatives import DESCRIPTIONS, HARD_NEGATIVES, play, prepare
from .org import HOUR_US, Person, build_staff, offset_hours, plan_shifts
from .roster import Roster
from .routines import desk_work, flash, services, story_plan, wire_items
from .stories import run_story
from .tape import Tape

__all__ = ["NewsroomConfig", "generate"]


@dataclass(frozen=True)
class NewsroomConfig:
    """What to simulate: everything follows from ``seed``. The default fourteen days run from
    Thursday 22 October 2026; the last day (4 November, US election night) is scored."""

    seed: int = 7
    days: int = 14
    start: datetime = datetime(2026, 10, 22, tzinfo=UTC)
    reporters: int = 24
    stringers: int = 4

    def __post_init__(self) -> None:
        if self.days < 5:
            raise ValueError("days must be at least 5 (attacks need a history to depart from)")
        if self.reporters < 8:
            raise ValueError("reporters must be at least 8")
        if self.stringers < 1:
            raise ValueError("stringers must be at least 1")
        if self.start.tzinfo is None or self.start.utcoffset() != UTC.utcoffset(None):
            raise ValueError("start must be an aware datetime in UTC")

    @property
    def start_us(self) -> int:
        return int(self.start.timestamp()) * 1_000_000

    @property
    def scored_us(self) -> int:
        return self.start_us + (self.days - 1) * DAY_US


# server → weekdays it is redeployed at 10:00 London time (then its first caller lists tools)
_DEPLOYS: dict[str, tuple[int, ...]] = {s: (2,) for s in SERVERS} | {"newsroom-cms": (1, 3)}


def _relist(calls: list[SimCall], start: int, days: int, rng: random.Random) -> list[SimCall]:
    first_weekday = datetime.fromtimestamp(start / 1e6, UTC).weekday()
    restarts: list[tuple[int, str]] = []
    for d in range(days):
        midnight = start + d * DAY_US
        at = midnight + int((10 - offset_hours("london", midnight)) * HOUR_US)
        restarts += [(at, s) for s, wd in _DEPLOYS.items() if (first_weekday + d) % 7 in wd]
    tools = {s: sum(t.server == s for t in TOOLS.values()) for s in SERVERS}
    out = list(calls)
    for at, server in restarts:
        first = next((c for c in calls if c.ts >= at and c.server == server), None)
        if first is None:
            continue
        out.append(
            replace(
                first,
                ts=max(at, first.ts - 40_000),
                method="tools/list",
                tool=None,
                resource_uri=None,
                args={},
                outcome="ok",
                error_type=None,
                duration_us=rng.randint(4_000, 15_000),
                result_bytes=tools[server] * rng.randint(600, 760),
                label="",
            )
        )
    out.sort(key=lambda c: c.ts)
    return out


def _profile(p: Person, start: int, tz_at: int) -> UserProfile:
    s = p.shift
    return UserProfile(
        p.name,
        p.role,
        offset_hours(p.bureau, tz_at),
        s.start,
        s.end,
        p.agents,
        p.client,
        p.versions[-1][1],
        (p.shifts[0][0] - start) // DAY_US if p.shifts and p.role != "service" else p.first_day,
    )


def generate(config: NewsroomConfig | None = None) -> Simulation:
    """The newsroom's traffic for ``config`` (deterministic), hard negatives labelled."""
    cfg = config or NewsroomConfig()
    rng = random.Random(f"newsroom:{cfg.seed}")
    start, end, cut = cfg.start_us, cfg.start_us + cfg.days * DAY_US, cfg.scored_us
    staff = build_staff(rng, cfg.reporters, cfg.stringers)
    plan_shifts(rng, staff, start, cfg.days)
    plan = prepare(rng, staff, cut)
    roster = Roster(staff)
    tape = Tape(rng, start)
    items = wire_items(rng, start - 2 * HOUR_US, end)
    services(tape, staff, items, start, cfg.days, outage=plan.outage)
    for story in story_plan(rng, staff, items):
        run_story(tape, story, roster)
    desk_work(tape, staff, roster, items)
    t = start + rng.randint(20, 60) * HOUR_US
    while t < cut - 12 * HOUR_US:  # breaking news in the history: whoever is on shift
        flash(tape, roster, t)
        t += rng.randint(40, 90) * HOUR_US
    play(tape, plan, staff, roster)
    calls = [c for c in tape.calls if start <= c.ts < end and (not c.label or c.ts >= cut)]
    calls.sort(key=lambda c: c.ts)
    calls = _relist(calls, start, cfg.days, rng)
    bursts: list[Incident] = []
    for name in HARD_NEGATIVES:
        mine = [c for c in calls if c.label == f"{name}#0"]
        if mine:
            bursts.append(
                Incident(
                    f"{name}#0",
                    name,
                    mine[0].user,
                    mine[0].agent,
                    mine[0].client,
                    mine[0].ts,
                    mine[-1].ts,
                    len(mine),
                    DESCRIPTIONS[name],
                )
            )
    for p in plan.extra:
        p.first_day = cfg.days - 1
    people = [*staff.people, *plan.extra]
    sim_config = SimConfig(
        seed=cfg.seed,
        users=len(people),
        days=cfg.days,
        start=cfg.start,
        attack_days=1,
        scenarios=(),
        incidents_per_scenario=0,
        new_users=1,
    )
    users = [_profile(p, start, cut) for p in people]
    return Simulation(sim_config, calls, [], bursts, users)
