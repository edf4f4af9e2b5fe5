"""An attack library that runs on any generator's traffic: five families, three intensities.

``inject(sim, families, intensity, seed)`` reads what each person did *before* the attack window
(their tools, servers, agents, client, hours, argument sizes: :class:`Victim`) from the calls
alone, so it works on both generators (and on recorded traffic) alike, and adds labelled attack
calls in the window. Calls are what an emitter records: no resource on tool calls.

Families (the knobs per intensity in :data:`KNOBS`: how many calls, how fast, how far from
the victim's normal):

``novelty_burst``   the victim's agent calls tools on servers the victim never used (anywhere in
                    the benign traffic, a role change on the attack day included), many in a
                    few minutes, during the victim's working hours (at least three distinct new
                    tools, on more servers than the knob's when they hold fewer; a victim with
                    fewer left to discover is passed over)
``off_hours``       the victim's own tools at the victim's own pace, at an hour of a day the
                    victim never worked (``far`` hours from any hour they did)
``destructive``     a burst of one destructive tool (annotation ``destructiveHint``, else a name
                    like delete/drop/remove), under any global rate limit
``error_storm``     injection probing: one tool the victim uses, mostly failing, with arguments
                    ``size`` times the victim's largest for it
``bulk_read``       exfiltration by volume: many reads with large results

Victims are people (not ``svc-*`` accounts) with enough history; each incident gets its own
victim while there are enough. Deterministic from ``seed``.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

from ..model import DAY_US, Incident, SimCall, Simulation

__all__ = [
    "FAMILIES",
    "INTENSITIES",
    "KNOBS",
    "Victim",
    "check_choice",
    "inject",
    "is_destructive_name",
]

S: Final = 1_000_000
FAMILIES: Final = ("novelty_burst", "off_hours", "destructive", "error_storm", "bulk_read")
INTENSITIES: Final = ("low", "mid", "high")
#: per family and intensity: ``n`` calls, ``gap`` seconds between them, and how far from normal
KNOBS: Final[Mapping[str, Mapping[str, Mapping[str, float]]]] = {
    "novelty_burst": {
        "low": {"n": 3, "gap": 20, "servers": 1},
        "mid": {"n": 8, "gap": 6, "servers": 3},
        "high": {"n": 16, "gap": 2, "servers": 5},
    },
    "off_hours": {
        "low": {"n": 6, "far": 2},
        "mid": {"n": 15, "far": 4},
        "high": {"n": 40, "far": 6},
    },
    "destructive": {
        "low": {"n": 8, "gap": 15},
        "mid": {"n": 25, "gap": 4},
        "high": {"n": 80, "gap": 1},
    },
    "error_storm": {
        "low": {"n": 6, "gap": 8, "size": 3},
        "mid": {"n": 15, "gap": 3, "size": 10},
        "high": {"n": 40, "gap": 1, "size": 50},
    },
    "bulk_read": {
        "low": {"n": 25, "gap": 6, "mb": 0.5},
        "mid": {"n": 60, "gap": 2, "mb": 2},
        "high": {"n": 200, "gap": 0.5, "mb": 4},
    },
}
_DESTRUCTIVE: Final = re.compile(
    r"(^|_)(delete|drop|remove|destroy|purge|truncate|wipe|erase|archive|rm)(_|$)"
)
_READ: Final = re.compile(r"(^|_)(get|read|fetch|export|download|query|unload|sql)(_|$)")


def is_destructive_name(tool: str) -> bool:
    return bool(_DESTRUCTIVE.search(tool))


@dataclass
class Victim:
    """What the history says about one person (everything before the attack window)."""

    user: str
    calls: int = 0
    tools: Counter[str] = field(default_factory=Counter)
    servers: set[str] = field(default_factory=set)
    agents: Counter[str] = field(default_factory=Counter)
    client: tuple[str, str] = ("", "")
    hours: Counter[int] = field(default_factory=Counter)  # UTC hour-of-day → calls
    weekend_hours: Counter[int] = field(default_factory=Counter)
    args_max: dict[str, int] = field(default_factory=dict)
    gaps: list[float] = field(default_factory=list)
    days_active: set[int] = field(default_factory=set)
    last: dict[str, SimCall] = field(default_factory=dict)
    #: tools and servers the victim used anywhere in the benign traffic (the attack days too)
    ever_tools: set[str] = field(default_factory=set)
    ever_servers: set[str] = field(default_factory=set)

    def busy_hours(self, weekend: bool) -> list[int]:
        hours = self.weekend_hours if weekend else self.hours
        return sorted(hours, key=lambda h: -hours[h])

    def median_gap(self) -> float:
        g = sorted(x for x in self.gaps if 0.3 <= x <= 600)
        return g[len(g) // 2] if g else 20.0


def _victims(sim: Simulation) -> dict[str, Victim]:
    cut = sim.config.attack_start_us
    out: dict[str, Victim] = {}
    prev: dict[str, SimCall] = {}
    for c in sim.calls:
        if c.label and not c.label.startswith("benign:"):
            continue  # another attack's calls say nothing about the victim
        if c.ts >= cut or c.label:
            # what the victim does on the attack days too (a role change, a release): a tool
            # used there is no longer new to them
            seen = out.setdefault(c.user, Victim(c.user))
            seen.ever_tools.add(c.tool or c.method)
            seen.ever_servers.add(c.server)
            continue
        v = out.setdefault(c.user, Victim(c.user))
        v.ever_tools.add(c.tool or c.method)
        v.ever_servers.add(c.server)
        v.calls += 1
        tool = c.tool or c.method
        v.tools[tool] += 1
        v.servers.add(c.server)
        v.agents[c.agent] += 1
        v.client = (c.client, c.client_version)
        hour = (c.ts // 3_600_000_000) % 24
        weekday = ((c.ts // DAY_US) + 3) % 7  # 1970-01-01 was a Thursday
        (v.weekend_hours if weekday >= 5 else v.hours)[hour] += 1
        v.days_active.add(c.ts // DAY_US)
        v.args_max[tool] = max(v.args_max.get(tool, 0), _size(c.args))
        p = prev.get(c.session_id)
        if p is not None:
            v.gaps.append((c.ts - p.ts) / S)
        prev[c.session_id] = c
    return out


def _size(args: Mapping[str, Any]) -> int:
    return sum(len(str(k)) + len(str(v)) for k, v in args.items())


class _Builder:
    """Calls of one incident: the victim's identity, a fresh session, the incident's label."""

    def __init__(self, rng: random.Random, victim: Victim, label: str, agent: str) -> None:
        self.rng, self.v, self.label, self.agent = rng, victim, label, agent
        self.session = format(rng.getrandbits(128), "032x")
        self.calls: list[SimCall] = []

    def call(self, ts: int, server: str, tool: str, args: dict[str, Any], **kw: Any) -> None:
        rng = self.rng
        self.calls.append(
            SimCall(
                ts=ts,
                server=server,
                method="tools/call",
                tool=tool,
                resource_uri=None,
                args=args,
                user=self.v.user,
                agent=self.agent,
                client=self.v.client[0],
                client_version=self.v.client[1],
                session_id=self.session,
                trace_id=format(rng.getrandbits(128) | 1, "032x"),
                outcome=kw.get("outcome", "ok"),
                error_type=kw.get("error_type"),
                duration_us=max(300, int(rng.lognormvariate(math.log(50_000), 0.8))),
                result_bytes=kw.get("size", int(rng.lognormvariate(math.log(2500), 1.0))),
                label=self.label,
            )
        )


def _working_time(rng: random.Random, sim: Simulation, v: Victim) -> int:
    """A time in the attack window in one of the victim's three busiest weekday hours."""
    lo = sim.config.attack_start_us
    days = max(1, (sim.config.end_us - lo) // DAY_US)
    hour = rng.choice(v.busy_hours(False)[:3] or [12])
    day0 = lo // DAY_US
    t = (day0 + rng.randrange(days)) * DAY_US + hour * 3600 * S + rng.randrange(40 * 60) * S
    return min(max(t, lo), sim.config.end_us - 3600 * S)


def _far_time(rng: random.Random, sim: Simulation, v: Victim, far: float) -> int | None:
    lo, hi = sim.config.attack_start_us, sim.config.end_us - 3600 * S
    spots = []
    for t in range(lo - lo % (3600 * S), hi, 3600 * S):
        hour = (t // 3_600_000_000) % 24
        weekend = ((t // DAY_US) + 3) % 7 >= 5
        busy = set(v.busy_hours(weekend))
        dist = min((min((hour - h) % 24, (h - hour) % 24) for h in busy), default=24)
        if dist >= far and t >= lo:
            spots.append(t)
    return rng.choice(spots) + rng.randrange(30 * 60) * S if spots else None


def _novelty(b: _Builder, sim: Simulation, k: Mapping[str, float], catalog: dict[str, str]) -> None:
    rng, v = b.rng, b.v
    unused = sorted({s for s in catalog.values()} - v.ever_servers)
    rng.shuffle(unused)
    servers: list[str] = []
    tools: list[str] = []
    # the knob's servers, and more while they hold fewer than three tools: the burst must be
    # one of novelty, not of repeats
    for server in unused:
        if len(servers) >= k["servers"] and len(tools) >= min(3, int(k["n"])):
            break
        servers.append(server)
        tools += [t for t, s in sorted(catalog.items()) if s == server and t not in v.ever_tools]
    if len(tools) < min(3, int(k["n"])):
        raise LookupError(f"{v.user} has too few unused tools on servers new to them")
    rng.shuffle(tools)
    t = _working_time(rng, sim, v)
    for i in range(int(k["n"])):
        tool = tools[i % len(tools)]
        b.call(t, catalog[tool], tool, {"id": f"x-{rng.randint(1, 999)}"})
        t += int(rng.uniform(0.5, 1.5) * k["gap"] * S)


def _off_hours(
    b: _Builder, sim: Simulation, k: Mapping[str, float], catalog: dict[str, str]
) -> None:
    rng, v = b.rng, b.v
    t = _far_time(rng, sim, v, k["far"])
    if t is None:
        raise LookupError(f"{v.user} has no hour far enough from their habits")
    tools = list(v.tools)
    weights = [v.tools[x] for x in tools]
    gap = v.median_gap()
    for _ in range(int(k["n"])):
        tool = rng.choices(tools, weights)[0]
        if tool not in catalog:
            continue
        b.call(t, catalog[tool], tool, {"id": f"{rng.randint(1, 999)}"})
        t += int(max(0.5, rng.expovariate(1 / gap)) * S)


def _destructive(
    b: _Builder,
    sim: Simulation,
    k: Mapping[str, float],
    catalog: dict[str, str],
    destructive: Callable[[str], bool],
) -> None:
    rng, v = b.rng, b.v
    mine = [t for t in catalog if destructive(t) and catalog[t] in v.servers]
    anywhere = [t for t in catalog if destructive(t)]
    if mine or anywhere:
        tool = rng.choice(sorted(mine or anywhere))
        server = catalog[tool]
    else:  # the victim's busiest server has a delete tool nobody used yet
        server = Counter(catalog.get(t, "") for t in v.tools.elements()).most_common(1)[0][0]
        tool = "delete_item"
    t = _working_time(rng, sim, v)
    for _ in range(int(k["n"])):
        b.call(t, server, tool, {"id": f"{rng.getrandbits(32):08x}"}, size=rng.randint(40, 200))
        t += int(rng.uniform(0.5, 1.5) * k["gap"] * S)


def _error_storm(
    b: _Builder, sim: Simulation, k: Mapping[str, float], catalog: dict[str, str]
) -> None:
    rng, v = b.rng, b.v
    tool = rng.choice([t for t, _ in v.tools.most_common(5) if t in catalog])
    big = int(max(v.args_max.get(tool, 200), 200) * k["size"])
    t = _working_time(rng, sim, v)
    for _ in range(int(k["n"])):
        payload = "' OR 1=1; -- " + "A" * int(big * rng.uniform(0.8, 1.2))
        failed = rng.random() < 0.85
        b.call(
            t,
            catalog[tool],
            tool,
            {"input": payload},
            outcome="error" if failed else "ok",
            error_type="InvalidArgument" if failed else None,
            size=rng.randint(80, 300),
        )
        t += int(rng.uniform(0.5, 1.5) * k["gap"] * S)


def _bulk_read(
    b: _Builder, sim: Simulation, k: Mapping[str, float], catalog: dict[str, str]
) -> None:
    rng, v = b.rng, b.v
    reads = [t for t in v.tools if t in catalog and _READ.search(t)] or [
        t for t in v.tools if t in catalog
    ]
    t = _working_time(rng, sim, v)
    mean = k["mb"] * 2**20
    for _ in range(int(k["n"])):
        tool = rng.choice(reads)
        b.call(
            t,
            catalog[tool],
            tool,
            {"id": f"{rng.randint(1, 99999)}"},
            size=int(mean * rng.uniform(0.6, 1.4)),
        )
        t += int(rng.uniform(0.5, 1.5) * k["gap"] * S)


def check_choice(families: Sequence[str], intensity: str) -> None:
    """ValueError naming the argument unless every family is one of :data:`FAMILIES` and
    ``intensity`` one of :data:`INTENSITIES` (every generator's injector takes these)."""
    if intensity not in INTENSITIES:
        raise ValueError(f"intensity: {intensity!r} is not one of {', '.join(INTENSITIES)}")
    unknown = [f for f in families if f not in FAMILIES]
    if unknown:
        raise ValueError(f"families: unknown {unknown}; choose from {', '.join(FAMILIES)}")


def inject(
    sim: Simulation,
    families: Sequence[str] = FAMILIES,
    intensity: str = "mid",
    *,
    seed: int = 0,
    per_family: int = 1,
    annotations: Mapping[str, Mapping[str, bool]] | None = None,
) -> Simulation:
    """``sim`` with ``per_family`` incidents of each family at ``intensity`` added (labelled
    ``family#k``); the benign calls are unchanged. ``annotations`` (tool → MCP annotations)
    decide which tools are destructive; without them, tool names do."""
    check_choice(families, intensity)
    rng = random.Random(f"inject:{seed}:{intensity}")
    victims = _victims(sim)
    catalog: dict[str, str] = {}
    for c in sim.calls:
        if c.tool:
            catalog.setdefault(c.tool, c.server)
    ann = annotations or {}

    def destructive(tool: str) -> bool:
        hint = ann.get(tool, {}).get("destructiveHint")
        return bool(hint) if hint is not None else is_destructive_name(tool)

    people = sorted(
        (
            v
            for v in victims.values()
            if not v.user.startswith("svc-") and v.calls >= 200 and len(v.days_active) >= 4
        ),
        key=lambda v: v.user,
    )
    rng.shuffle(people)
    added: list[SimCall] = []
    incidents = list(sim.incidents)
    n = 0
    for family in families:
        for k in range(per_family):
            for attempt in range(len(people)):
                v = people[(n + attempt) % len(people)]
                label = f"{family}#{k}"
                agent = v.agents.most_common(1)[0][0]
                b = _Builder(random.Random(f"inject:{seed}:{intensity}:{label}"), v, label, agent)
                knobs = KNOBS[family][intensity]
                try:
                    if family == "novelty_burst":
                        _novelty(b, sim, knobs, catalog)
                    elif family == "off_hours":
                        _off_hours(b, sim, knobs, catalog)
                    elif family == "destructive":
                        _destructive(b, sim, knobs, catalog, destructive)
                    elif family == "error_storm":
                        _error_storm(b, sim, knobs, catalog)
                    else:
                        _bulk_read(b, sim, knobs, catalog)
                except (LookupError, IndexError, ValueError):
                    continue
                if not b.calls:
                    continue
                n += attempt + 1
                added += b.calls
                incidents.append(
                    Incident(
                        label,
                        family,
                        v.user,
                        agent,
                        v.client[0],
                        b.calls[0].ts,
                        b.calls[-1].ts,
                        len(b.calls),
                        f"{family} ({intensity}) on {v.user}",
                    )
                )
                break
    lo, hi = sim.config.attack_start_us, sim.config.end_us
    kept = [c for c in added if lo <= c.ts < hi]
    calls = sorted([*sim.calls, *kept], key=lambda c: c.ts)
    by = {c.label for c in kept}
    return replace(
        sim, calls=calls, incidents=[i for i in incidents if i.id in by or i in sim.incidents]
    )
