"""What each person did before the scored day, read from the calls alone (victim choice)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tooltrail.simulator.model import DAY_US, Simulation

__all__ = ["History", "args_size", "histories"]

_HOUR_US = 3_600_000_000


def args_size(args: Any) -> int:
    """Bytes of ``args`` as compact JSON (the size an emitter sees)."""
    return len(json.dumps(args, separators=(",", ":"), sort_keys=True))


@dataclass(slots=True)
class History:
    """One person's history before the scored day: active days, UTC hours, tools (with the
    largest arguments seen), servers, agents and the calls themselves."""

    days: set[int] = field(default_factory=set)
    hours: set[int] = field(default_factory=set)
    tools: Counter[str] = field(default_factory=Counter)
    args_max: dict[str, int] = field(default_factory=dict)
    servers: set[str] = field(default_factory=set)
    agents: Counter[str] = field(default_factory=Counter)


def histories(sim: Simulation) -> dict[str, History]:
    """Each user's :class:`History` from ``sim``'s calls before ``attack_start_us``."""
    cut, start = sim.config.attack_start_us, sim.config.start_us
    out: dict[str, History] = {}
    for c in sim.calls:
        if c.ts >= cut:
            break
        h = out.get(c.user)
        if h is None:
            h = out[c.user] = History()
        h.days.add((c.ts - start) // DAY_US)
        h.hours.add(c.ts % DAY_US // _HOUR_US)
        h.servers.add(c.server)
        h.agents[c.agent] += 1
        if c.tool:
            h.tools[c.tool] += 1
            n = args_size(c.args)
            if n > h.args_max.get(c.tool, 0):
                h.args_max[c.tool] = n
    return out
