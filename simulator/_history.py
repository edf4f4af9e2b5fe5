"""What each person did before the scored day, read from the calls alone (the attacks' victims).

A generator's attack injector picks its victims and shapes its attacks from :func:`histories`:
per user, the days and UTC hours they worked, the servers, tools and agents they used (with how
often), the largest arguments they sent each tool (as :func:`args_size` measures them) and their
calls themselves, in time order. Every call before ``attack_start_us`` counts, service accounts
included (the caller leaves out whom it will not attack). One pass over the calls; never raises.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Final

from .model import DAY_US, SimCall, Simulation

__all__ = ["HOUR_US", "History", "args_size", "histories"]

HOUR_US: Final = 3_600_000_000


def args_size(args: object) -> int:
    """Bytes of ``args`` as the emitter counts ``args_bytes``: compact JSON, UTF-8."""
    return len(json.dumps(args, separators=(",", ":"), ensure_ascii=False).encode())


@dataclass(slots=True)
class History:
    """One person before the scored day."""

    days: set[int] = field(default_factory=set)  # days since the simulation's start
    hours: set[int] = field(default_factory=set)  # UTC hours of the day
    servers: set[str] = field(default_factory=set)
    tools: Counter[str] = field(default_factory=Counter)  # tool → calls
    args_max: dict[str, int] = field(default_factory=dict)  # tool → largest arguments (bytes)
    agents: Counter[str] = field(default_factory=Counter)  # agent → calls
    calls: list[SimCall] = field(default_factory=list)  # in time order


def histories(sim: Simulation) -> dict[str, History]:
    """User → :class:`History` from ``sim``'s calls before ``attack_start_us`` (``sim.calls``
    are in time order)."""
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
        h.agents[c.agent] += 1
        h.calls.append(c)
        if c.tool:
            h.tools[c.tool] += 1
            size = args_size(c.args)
            if size > h.args_max.get(c.tool, 0):
                h.args_max[c.tool] = size
    return out
