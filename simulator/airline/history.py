"""What each person did before the scored day, read from the calls alone (the attacks' victims)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..model import DAY_US, Simulation

__all__ = ["History", "args_size", "histories"]

HOUR_US = 3_600_000_000


def args_size(args: Any) -> int:
    """The arguments' size in bytes, as compact JSON."""
    return len(json.dumps(args, separators=(",", ":"), sort_keys=True).encode())


@dataclass
class History:
    days: set[int] = field(default_factory=set)
    hours: set[int] = field(default_factory=set)  # UTC hours
    tools: set[str] = field(default_factory=set)
    servers: set[str] = field(default_factory=set)
    args_max: dict[str, int] = field(default_factory=dict)
    last: Any = None  # the person's last call before the scored day


def histories(sim: Simulation) -> dict[str, History]:
    """Person → what they did before ``attack_start_us`` (days, UTC hours, tools, sizes)."""
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
            h.tools.add(c.tool)
            h.args_max[c.tool] = max(h.args_max.get(c.tool, 0), args_size(c.args))
    return out
