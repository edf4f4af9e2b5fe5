"""``generate``: a fortnight of agent runs driven by people's calendars and plans.

Order of construction (each step has its own keyed random stream): the organisation and its
life events; the on-call rotation; the scored day's arrangements (hard negatives); every
person's days (:func:`~.world.person_day`); the hard negatives that are episodes of their own;
the scheduled service accounts and the CI review runs that the day's pull requests trigger;
the flaky window's label; the clip to the simulated window; the ``tools/list`` each client
sends on its first use of a server in a day (all configured servers after a client upgrade).
The result is a :class:`~tooltrail.simulator.Simulation` whose calls are sorted by time,
without attacks (``incidents`` is empty; see :func:`~.inject.inject`) and with the hard
negatives in ``benign_bursts``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Final

from ..model import DAY_US, Incident, SimCall, Simulation, UserProfile
from .catalogue import TOOLS
from .config import PlansConfig, PlansError
from .negatives import arrange, emit, label_flaky
from .org import build_org
from .services import ci_reviews, scheduled
from .world import World, person_day, plan_rotation

__all__ = ["generate"]

_TOOLS_PER_SERVER: Final = Counter(t.server for t in TOOLS.values())
_DESCRIPTIONS: Final = {
    "benign:travel": "works from a zone 9+ hours away (jet lag), at UTC hours never worked",
    "benign:overnight_refactor": "an unattended agent refactors for hours from 18:30 local",
    "benign:war_room": "a 02:00 local incident: on-call SRE, two colleagues, a developer",
    "benign:quarter_end_export": "fiscal quarter export: dozens of very large query results",
    "benign:new_hire": "first day: onboarding reads across every configured server",
    "benign:approved_cleanup": "a mass rename and delete, approved by a human in batches",
    "benign:pentest": "the security team's announced staging scan: payload URLs, mostly failing",
    "benign:ticketed_migration": "a ticketed purge of old rows in batched DELETE statements",
    "benign:client_upgrade": "a new client version re-lists every configured server's tools",
    "benign:flaky_server": "one server fails ~45% of calls for an hour; agents retry",
}


def generate(config: PlansConfig | None = None) -> Simulation:
    """The benign fortnight for ``config`` (default :class:`PlansConfig`); deterministic."""
    cfg = PlansConfig() if config is None else config
    if not isinstance(cfg, PlansConfig):
        raise PlansError(f"config: must be a PlansConfig, got {type(cfg).__name__}")
    world = World(cfg, build_org(World(cfg, []).rng("org"), cfg.people, cfg.days))
    plan_rotation(world, world.rng("rotation"))
    who = arrange(world, world.rng("arrange"))
    calls: list[SimCall] = []
    for p in world.people:
        for day in range(cfg.days):
            calls.extend(person_day(world, p, day))
    calls.extend(emit(world, who))
    calls.sort(key=lambda c: c.ts)
    calls.extend(ci_reviews(world.rng("ci"), calls, cfg.end_us, world.flaky))
    calls.extend(scheduled(world.rng("svc"), cfg.start_us, cfg.end_us, world.flaky))
    calls = label_flaky(world, who, calls)
    calls = [c for c in calls if cfg.start_us <= c.ts < cfg.end_us]
    calls.sort(key=lambda c: c.ts)
    calls.extend(_tool_lists(world, calls))
    calls = [c for c in calls if cfg.start_us <= c.ts < cfg.end_us]
    calls.sort(key=lambda c: c.ts)
    return Simulation(
        config=cfg.sim_config(),
        calls=calls,
        incidents=[],
        benign_bursts=_bursts(calls, who),
        users=_profiles(world, calls),
    )


def _listing(c: SimCall, server: str, ts: int, label: str, k: int) -> SimCall:
    size = _TOOLS_PER_SERVER[server] * 640 + 180
    return replace(
        c,
        ts=ts,
        server=server,
        method="tools/list",
        tool=None,
        resource_uri=None,
        args={},
        outcome="ok",
        error_type=None,
        duration_us=2_500 + (k * 7919 + ts) % 30_000,
        result_bytes=size,
        label=label,
    )


def _tool_lists(world: World, calls: list[SimCall]) -> list[SimCall]:
    """The ``tools/list`` a client sends on its first use of a server each day."""
    seen: set[tuple[str, int, str]] = set()
    out: list[SimCall] = []
    for c in calls:
        day = (c.ts - world.cfg.start_us) // DAY_US
        up = world.upgrades.get(c.user)
        if up and day == world.scored and c.label == up[2] and (c.user, day, "*") not in seen:
            seen.add((c.user, day, "*"))
            servers = world.person(c.user).servers_on(day)
            for k, s in enumerate(servers):  # the new version lists every configured server
                seen.add((c.user, day, s))
                at = max(world.cfg.scored_us, c.ts - 2_000_000) + k * 40_000
                out.append(_listing(c, s, at, up[2], k))
            continue
        if (c.user, day, c.server) in seen:
            continue
        seen.add((c.user, day, c.server))
        out.append(_listing(c, c.server, c.ts - 150_000 - c.ts % 700_000, c.label, 0))
    return out


def _bursts(calls: list[SimCall], who: dict[str, list[str]]) -> list[Incident]:
    groups: dict[str, list[SimCall]] = {}
    for c in calls:
        if c.label.startswith("benign:"):
            groups.setdefault(c.label, []).append(c)
    out = []
    for label, cs in groups.items():
        scenario = label.partition("#")[0]
        named = [u for u in who.get(scenario, []) if any(c.user == u for c in cs)]
        user = named[0] if named else Counter(c.user for c in cs).most_common(1)[0][0]
        first = next(c for c in cs if c.user == user)
        out.append(
            Incident(
                id=label,
                scenario=scenario,
                user=user,
                agent=first.agent,
                client=first.client,
                start=cs[0].ts,
                end=cs[-1].ts,
                calls=len(cs),
                description=_DESCRIPTIONS.get(scenario, scenario),
            )
        )
    return sorted(out, key=lambda i: (i.start, i.id))


def _profiles(world: World, calls: list[SimCall]) -> list[UserProfile]:
    out = []
    at = world.cfg.scored_us
    for p in world.people:
        _c, zone = p.zone_on(world.scored)
        a = p.agents[0]
        out.append(
            UserProfile(
                name=p.name,
                role=p.role,
                tz_hours=zone.offset(at),
                work_start=round(p.start_h, 2),
                work_end=round(p.start_h + p.hours, 2),
                agents=tuple(x.name for x in p.agents),
                client=a.client,
                client_version=a.version,
                first_day=p.first_day,
            )
        )
    svc = sorted(
        {(c.user, c.agent, c.client, c.client_version) for c in calls if c.user.startswith("svc-")}
    )
    for user, agent, client, version in svc:
        out.append(UserProfile(user, "service", 0.0, 0.0, 24.0, (agent,), client, version))
    return out
