"""Generate the grid's traffic: the world's ordinary days, then the scored day's hard negatives.

The world (``world.py``) makes every day's traffic from weather, load, the rota and the clocks;
``negatives.py`` adds the scored day's labelled hard negatives; calls are sorted by time (stable)
and cut at the configured end.
"""

from __future__ import annotations

from tooltrail.simulator import Incident, SimCall, Simulation

from ._writer import Writer, sub_rng
from .config import GridConfig
from .negatives import scored_day
from .org import build_org
from .world import World, populate

__all__ = ["GridConfig", "generate"]


def generate(config: GridConfig | None = None) -> Simulation:
    """The utility's traffic over ``config.days`` days, hard negatives on the last one."""
    config = config or GridConfig()
    w = World(config, build_org(sub_rng(config.seed, "org"), config.days))
    wr = Writer(sub_rng(config.seed, "calls"))
    populate(w, wr, config.seed)
    described = scored_day(w, wr, sub_rng(config.seed, "negatives"))
    end = config.end_us
    calls = sorted((c for c in wr.calls if c.ts < end), key=lambda c: c.ts)
    return Simulation(config, calls, [], _bursts(calls, described), w.org.profiles())


def _bursts(calls: list[SimCall], described: dict[str, str]) -> list[Incident]:
    """Each hard negative as an episode, from its labelled calls."""
    mine: dict[str, list[SimCall]] = {}
    for c in calls:
        if c.label:
            mine.setdefault(c.label, []).append(c)
    out = []
    for label, text in described.items():
        got = mine[label]
        first = got[0]
        out.append(
            Incident(
                label,
                label.split("#")[0],
                first.user,
                first.agent,
                first.client,
                got[0].ts,
                got[-1].ts,
                len(got),
                text,
            )
        )
    return out
