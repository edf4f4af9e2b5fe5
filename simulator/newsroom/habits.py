"""What each person did before the scored day, read off the calls alone: the normal an attack
departs from (days, UTC hours, tools, servers, agents, client, pace, argument sizes)."""

from __future__ import annotations

import json
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..model import DAY_US, SimCall, Simulation

__all__ = ["Habit", "args_size", "habits"]

_HOUR_US = 3_600_000_000


def args_size(args: dict[str, Any]) -> int:
    """The arguments' size as the emitter measures it (compact JSON, UTF-8)."""
    return len(json.dumps(args, separators=(",", ":"), ensure_ascii=False).encode())


@dataclass(slots=True)
class Habit:
    """One person's history before the scored day."""

    user: str
    calls: int = 0
    days: set[int] = field(default_factory=set)
    hours: Counter[int] = field(default_factory=Counter)  # UTC hour → calls
    tools: Counter[str] = field(default_factory=Counter)
    servers: set[str] = field(default_factory=set)
    agents: Counter[str] = field(default_factory=Counter)
    client: str = ""
    version: str = ""
    gaps: list[int] = field(default_factory=list)  # µs between calls of one sitting
    examples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # tool → args
    _last: int = 0

    def pace_us(self) -> int:
        """The median time between two calls of a sitting (30 s when there is too little)."""
        return int(statistics.median(self.gaps)) if len(self.gaps) >= 5 else 30_000_000

    def args_max(self, tool: str) -> int:
        """The largest arguments this person ever sent to ``tool`` (bytes)."""
        return max((args_size(a) for a in self.examples.get(tool, [])), default=0)


def habits(sim: Simulation) -> dict[str, Habit]:
    """Every user's :class:`Habit` from the calls before ``sim``'s scored day."""
    cut, start = sim.config.attack_start_us, sim.config.start_us
    out: dict[str, Habit] = {}
    for c in sim.calls:
        if c.ts >= cut:
            break
        h = out.get(c.user)
        if h is None:
            h = out[c.user] = Habit(c.user)
        _add(h, c, start)
    return out


def _add(h: Habit, c: SimCall, start: int) -> None:
    h.calls += 1
    h.days.add((c.ts - start) // DAY_US)
    h.hours[c.ts % DAY_US // _HOUR_US] += 1
    h.servers.add(c.server)
    h.agents[c.agent] += 1
    h.client, h.version = c.client, c.client_version
    if c.tool:
        h.tools[c.tool] += 1
        h.examples.setdefault(c.tool, []).append(c.args)
    if h._last and c.ts - h._last < 20 * 60_000_000:
        h.gaps.append(c.ts - h._last)
    h._last = c.ts
