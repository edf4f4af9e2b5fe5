"""The plans generator's own attack injector: five families, three intensities, own shapes.

``inject(sim, families, intensity, seed=...)`` adds one labelled incident per family (``family#k``)
on the scored day, each on its own victim: a person with at least five days of history, with no
part in a hard negative, who (except for ``off_hours``) is active on the scored day; the attack
happens inside their active span, through the victim's usual agent and client, on the victim's
own repositories, tables and files (their workspace, rebuilt from the config). The benign calls
are returned unchanged. Shapes (one picked
per incident from the seed) and what the knobs in :data:`KNOBS` mean:

``novelty_burst``  ``servers`` servers the victim never used (anywhere in the traffic; a victim
                   with fewer left is passed over), ``tools`` tools on each (fewer where a
                   server has fewer), ``calls`` calls in ``minutes``. Shapes: ``recon``
                   (listings and reads), ``pivot`` (a read, then an exec or write, per server),
                   ``subagent`` (a sub-agent of the victim's agent, one session per server)
``off_hours``      ``calls`` of the victim's own calls (their tools, their arguments replayed) in
                   episodes at their own pace over ``minutes``, starting at a UTC hour at least
                   ``gap_hours`` from any hour they were ever active. Shapes: ``replay`` (one
                   session), ``split`` (two sessions, the second 10-30 minutes later)
``destructive``    ``calls`` calls of one deleting tool on a server the victim uses, one every
                   ``interval_s`` seconds (±50 %), each on a different target. Shapes: ``burst``,
                   ``list_then_delete`` (a listing before each delete), ``parallel`` (4 at once)
``error_storm``    ``calls`` calls of one tool the victim uses, in ``minutes``, a share
                   ``error_rate`` failing or denied, each with arguments ``arg_factor`` times the
                   victim's largest for that tool (the extra is an injection payload). Shapes:
                   ``sql``, ``traversal``, ``prompt`` (what the payload is)
``bulk_read``      ``calls`` reads with one read tool the victim uses, on distinct resources, each
                   result ``result_factor`` times the victim's 90th percentile for it, in
                   ``minutes``. Shapes: ``sequential``, ``parallel`` (4 at once)

``low`` is meant to be subtle, ``mid`` what a security team clearly wants paged, ``high`` blatant.
Deterministic from ``seed``: victims and shapes depend on the seed and the family only, so the
three intensities of one seed hit the same victims with the same shape.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Final

from ..inject import FAMILIES, INTENSITIES
from ..model import Incident, SimCall, Simulation
from .config import PlansConfig, PlansError
from .execute import Run, hexid
from .org import Agent, build_org, workspace_for
from .shapes import BUILDERS, SHAPES, Attack
from .victims import History, histories
from .workspace import Workspace
from .world import World

__all__ = ["FAMILIES", "INTENSITIES", "KNOBS", "inject"]

#: family → intensity → knob → value
KNOBS: Final[dict[str, dict[str, dict[str, float]]]] = {
    "novelty_burst": {
        "low": {"servers": 2, "tools": 2, "calls": 8, "minutes": 25},
        "mid": {"servers": 4, "tools": 3, "calls": 30, "minutes": 8},
        "high": {"servers": 7, "tools": 3, "calls": 90, "minutes": 6},
    },
    "off_hours": {
        "low": {"calls": 15, "minutes": 45, "gap_hours": 2},
        "mid": {"calls": 40, "minutes": 60, "gap_hours": 4},
        "high": {"calls": 120, "minutes": 90, "gap_hours": 6},
    },
    "destructive": {
        "low": {"calls": 8, "interval_s": 40},
        "mid": {"calls": 30, "interval_s": 10},
        "high": {"calls": 100, "interval_s": 3},
    },
    "error_storm": {
        "low": {"calls": 10, "error_rate": 0.6, "arg_factor": 3, "minutes": 15},
        "mid": {"calls": 40, "error_rate": 0.85, "arg_factor": 8, "minutes": 10},
        "high": {"calls": 120, "error_rate": 0.95, "arg_factor": 20, "minutes": 8},
    },
    "bulk_read": {
        "low": {"calls": 40, "result_factor": 3, "minutes": 45},
        "mid": {"calls": 150, "result_factor": 6, "minutes": 20},
        "high": {"calls": 500, "result_factor": 12, "minutes": 15},
    },
}
_MIN: Final = 60_000_000


def _check(
    sim: object, families: Sequence[str], intensity: str, seed: object, per_family: object
) -> None:
    if not isinstance(sim, Simulation):
        raise PlansError(f"sim: must be a Simulation, got {type(sim).__name__}")
    if isinstance(families, str) or not isinstance(families, Sequence):
        raise PlansError("families: must be a sequence of family names, not a string")
    odd = [f for f in families if f not in FAMILIES]
    if odd:
        raise PlansError(f"families: unknown {odd}; choose from {', '.join(FAMILIES)}")
    if len(set(families)) != len(families):
        raise PlansError("families: each family at most once (use per_family for more)")
    if intensity not in INTENSITIES:
        raise PlansError(f"intensity: {intensity!r} is not one of {', '.join(INTENSITIES)}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise PlansError(f"seed: must be an integer, got {seed!r}")
    if isinstance(per_family, bool) or not isinstance(per_family, int) or per_family < 1:
        raise PlansError(f"per_family: must be a positive integer, got {per_family!r}")


def inject(
    sim: Simulation,
    families: Sequence[str] = FAMILIES,
    intensity: str = "mid",
    *,
    seed: int = 0,
    per_family: int = 1,
    annotations: Mapping[str, Mapping[str, object]] | None = None,
) -> Simulation:
    """``sim`` with ``per_family`` incidents of each family at ``intensity`` (``family#k``);
    ``annotations`` (tool → MCP annotations) decide which tools count as deleting where they
    say so. Raises :class:`PlansError` on a bad argument or when no person can be a victim."""
    _check(sim, families, intensity, seed, per_family)
    hist = histories(sim)
    spaces = _workspaces(sim)
    used: set[str] = set()
    added: list[SimCall] = []
    incidents: list[Incident] = []
    for family in FAMILIES:
        if family not in families:
            continue
        for k in range(per_family):
            rng = random.Random(f"plans-attack:{seed}:{family}:{k}")
            knobs = KNOBS[family][intensity]
            shape = SHAPES[family][rng.randrange(len(SHAPES[family]))]
            victims = sorted(hist)  # one order per seed and family, whatever the intensity
            rng.shuffle(victims)
            victims = [u for u in victims if _eligible(hist[u], family, knobs, used)]
            attack = None
            for user in victims:
                attack = _attack(sim, hist[user], family, shape, knobs, rng, annotations, spaces)
                if attack is not None:
                    break
            if attack is None:
                raise PlansError(
                    f"families: no person qualifies as a {family} victim (history ≥ 5 days, "
                    "active on the scored day, not in a hard negative, not already a victim)"
                )
            used.add(attack.user)
            label = f"{family}#{k}"
            calls = [replace(c, label=label) for c in attack.calls if c.ts < sim.config.end_us]
            added.extend(calls)
            incidents.append(
                Incident(
                    id=label,
                    scenario=family,
                    user=attack.user,
                    agent=calls[0].agent,
                    client=calls[0].client,
                    start=calls[0].ts,
                    end=calls[-1].ts,
                    calls=len(calls),
                    description=f"{shape}: {attack.description}",
                )
            )
    merged = sorted([*sim.calls, *added], key=lambda c: c.ts)
    return replace(sim, calls=merged, incidents=[*sim.incidents, *incidents])


def _workspaces(sim: Simulation) -> dict[str, Workspace]:
    """The people's own workspaces, rebuilt from the config when the traffic is this
    generator's (the same keyed stream draws the same organisation); else none."""
    c = sim.config
    try:
        cfg = PlansConfig(seed=c.seed, people=c.users, days=c.days, start=c.start)
    except PlansError:
        return {}
    return {p.name: p.ws for p in build_org(World(cfg, []).rng("org"), cfg.people, cfg.days)}


def _eligible(h: History, family: str, knobs: Mapping[str, float], used: set[str]) -> bool:
    if h.user in used or h.labelled or len(h.days) < 5 or not h.tools:
        return False
    if family == "off_hours":
        far = h.far_hours()
        return bool(far) and far[0][0] >= knobs["gap_hours"]
    return len(h.scored) >= 10 and h.scored[-1] - h.scored[0] >= 45 * _MIN


def _attack(
    sim: Simulation,
    h: History,
    family: str,
    shape: str,
    knobs: Mapping[str, float],
    rng: random.Random,
    annotations: Mapping[str, Mapping[str, object]] | None,
    spaces: Mapping[str, Workspace],
) -> Attack | None:
    agent_name, client, version = h.agent
    fresh = random.Random(f"{h.user}:{rng.random()}")
    ws = spaces.get(h.user) or workspace_for(fresh, h.user)
    lo, hi = sim.config.attack_start_us, sim.config.end_us
    if family == "off_hours":
        gap = knobs["gap_hours"]
        fits = 24 * 60 - knobs["minutes"] - 50  # the whole incident inside the scored day
        hours = [hr for d, hr in h.far_hours() if d >= gap and hr * 60 <= fits]
        if not hours:
            return None
        t0 = lo + rng.choice(hours) * 3_600_000_000 + rng.randrange(0, 20 * _MIN)
    else:
        span = max(h.scored[0], h.scored[-1] - 60 * _MIN)
        t0 = rng.randrange(h.scored[0], max(span, h.scored[0] + 1))
        t0 = min(max(t0, lo), hi - 3_600_000_000)
    run = Run(
        rng,
        h.user,
        Agent(agent_name, client, version, 1.0),
        frozenset(h.servers),
        ws,
        t0,
        interactive=False,
        session=hexid(rng),
        retries=2,
    )
    return BUILDERS[family](run, h, knobs, rng, annotations, shape)
