"""What each account did in a simulation, as the attacks (and their tests) read it.

``histories(sim)`` gives, per user, the days and UTC hours they worked, the tools and servers
they used, their agents, and the largest arguments they sent per tool; ``args_size`` is the size
of a call's arguments as compact JSON, the measure the attacks scale from.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..model import DAY_US, Simulation

__all__ = ["History", "args_size", "histories"]

HOUR_US = 3_600_000_000


def args_size(args: Mapping[str, Any]) -> int:
    """Bytes of ``args`` as compact JSON (UTF-8)."""
    return len(json.dumps(args, separators=(",", ":"), sort_keys=True).encode())


@dataclass
class History:
    days: set[int] = field(default_factory=set)
    hours: set[int] = field(default_factory=set)
    tools: dict[str, int] = field(default_factory=dict)  # tool -> calls
    servers: set[str] = field(default_factory=set)
    agents: set[str] = field(default_factory=set)
    args_max: dict[str, int] = field(default_factory=dict)


def histories(sim: Simulation) -> dict[str, History]:
    """Per user: every call of ``sim`` that is not an attack's (hard negatives count)."""
    out: dict[str, History] = {}
    start = sim.config.start_us
    for c in sim.calls:
        if c.label and not c.label.startswith("benign:"):
            continue
        h = out.get(c.user)
        if h is None:
            h = out[c.user] = History()
        h.days.add((c.ts - start) // DAY_US)
        h.hours.add(c.ts % DAY_US // HOUR_US)
        h.servers.add(c.server)
        h.agents.add(c.agent)
        if c.tool:
            h.tools[c.tool] = h.tools.get(c.tool, 0) + 1
            n = args_size(c.args)
            if n > h.args_max.get(c.tool, 0):
                h.args_max[c.tool] = n
    return out
