"""What each person did before the scored day, read from the calls alone (victims for attacks)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tooltrail.simulator import SimCall, Simulation
from tooltrail.simulator.model import DAY_US

__all__ = ["History", "args_size", "histories"]

HOUR_US = 3_600_000_000


def args_size(args: Any) -> int:
    """Bytes of the arguments as compact JSON (keys sorted), as a server would receive them."""
    return len(json.dumps(args, sort_keys=True, separators=(",", ":")).encode())


@dataclass
class History:
    """One actor before the scored day: days and UTC hours worked, tools, servers, calls."""

    days: set[int] = field(default_factory=set)
    hours: set[int] = field(default_factory=set)
    tools: dict[str, int] = field(default_factory=dict)  # tool -> calls
    servers: set[str] = field(default_factory=set)
    args_max: dict[str, int] = field(default_factory=dict)
    last: SimCall | None = None


def histories(sim: Simulation) -> dict[str, History]:
    """Actor -> :class:`History` from the calls before ``attack_start_us``."""
    cut, start = sim.config.attack_start_us, sim.config.start_us
    out: dict[str, History] = {}
    for c in sim.calls:
        if c.ts >= cut:
            break
        h = out.setdefault(c.user, History())
        h.days.add((c.ts - start) // DAY_US)
        h.hours.add(c.ts % DAY_US // HOUR_US)
        h.servers.add(c.server)
        h.last = c
        if c.tool:
            h.tools[c.tool] = h.tools.get(c.tool, 0) + 1
            size = args_size(c.args)
            if size > h.args_max.get(c.tool, 0):
                h.args_max[c.tool] = size
    return out
