"""What each person did before the scored day, read from the calls alone: the days and UTC
hours they worked, their tools (with the largest arguments they sent each) and servers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Final

from ..model import DAY_US, Simulation

__all__ = ["HOUR_US", "History", "args_size", "histories"]

HOUR_US: Final = 3_600_000_000


def args_size(args: Any) -> int:
    """Bytes of ``args`` as compact JSON (UTF-8)."""
    return len(json.dumps(args, separators=(",", ":"), ensure_ascii=False).encode())


@dataclass(slots=True)
class History:
    days: set[int] = field(default_factory=set)
    hours: set[int] = field(default_factory=set)  # UTC hours of the day
    tools: dict[str, int] = field(default_factory=dict)  # tool → calls
    args_max: dict[str, int] = field(default_factory=dict)  # tool → largest arguments
    servers: set[str] = field(default_factory=set)


def histories(sim: Simulation) -> dict[str, History]:
    """Per user, their calls before ``sim.config.attack_start_us``."""
    cut, start = sim.config.attack_start_us, sim.config.start_us
    out: dict[str, History] = {}
    for c in sim.calls:
        if c.ts >= cut:
            break
        h = out.get(c.user)
        if h is None:
            h = out[c.user] = History()
        h.days.add((c.ts - start) // DAY_US)
        h.hours.add(c.ts % DAY_US // HOUR_US)
        h.servers.add(c.server)
        if c.tool:
            h.tools[c.tool] = h.tools.get(c.tool, 0) + 1
            size = args_size(c.args)
            if size > h.args_max.get(c.tool, 0):
                h.args_max[c.tool] = size
    return out
