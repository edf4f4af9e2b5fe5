"""What each identity did before the scored day, read from the calls alone (for the injector)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..model import DAY_US, SimCall, Simulation

__all__ = ["History", "args_size", "histories"]

_HOUR_US = 3_600_000_000


def args_size(args: dict[str, Any]) -> int:
    """The arguments' size as compact JSON (what an emitter records as ``args_bytes``)."""
    return len(json.dumps(args, separators=(",", ":"), ensure_ascii=False))


@dataclass
class History:
    """One identity's history: days and UTC hours active, tools and servers, largest arguments
    per tool, and its calls (for their arguments)."""

    days: set[int] = field(default_factory=set)
    hours: set[int] = field(default_factory=set)
    tools: Counter[str] = field(default_factory=Counter)
    servers: set[str] = field(default_factory=set)
    args_max: dict[str, int] = field(default_factory=dict)
    calls: list[SimCall] = field(default_factory=list)


def histories(sim: Simulation) -> dict[str, History]:
    """User → :class:`History` over the calls before the scored window."""
    out: dict[str, History] = {}
    start, cut = sim.config.start_us, sim.config.attack_start_us
    for c in sim.calls:
        if c.ts >= cut:
            break
        h = out.setdefault(c.user, History())
        h.days.add((c.ts - start) // DAY_US)
        h.hours.add(c.ts % DAY_US // _HOUR_US)
        h.servers.add(c.server)
        h.calls.append(c)
        if c.tool:
            h.tools[c.tool] += 1
            h.args_max[c.tool] = max(h.args_max.get(c.tool, 0), args_size(c.args))
    return out
