"""What each person did before the scored day, read from the calls alone: the days and UTC hours
they worked, the tools and servers they used, their largest arguments per tool."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..model import Simulation

__all__ = ["History", "args_size", "histories"]


@dataclass
class History:
    days: set[int] = field(default_factory=set)
    hours: set[int] = field(default_factory=set)  # UTC hours
    tools: Counter[str] = field(default_factory=Counter)
    servers: set[str] = field(default_factory=set)
    args_max: dict[str, int] = field(default_factory=dict)
    agents: Counter[str] = field(default_factory=Counter)


def args_size(args: Any) -> int:
    """The size of a call's arguments as JSON (compact, keys sorted), in bytes."""
    return len(json.dumps(args, sort_keys=True, separators=(",", ":")).encode())


def histories(sim: Simulation) -> dict[str, History]:
    """Each user's history from the calls before the scored day (``attack_start_us``)."""
    cut, start = sim.config.attack_start_us, sim.config.start_us
    out: dict[str, History] = {}
    day_us, hour_us = 86_400_000_000, 3_600_000_000
    for c in sim.calls:
        if c.ts >= cut:
            continue
        h = out.setdefault(c.user, History())
        h.days.add((c.ts - start) // day_us)
        h.hours.add(c.ts % day_us // hour_us)
        h.servers.add(c.server)
        h.agents[c.agent] += 1
        if c.tool:
            h.tools[c.tool] += 1
            size = args_size(c.args)
            if size > h.args_max.get(c.tool, 0):
                h.args_max[c.tool] = size
    return out
