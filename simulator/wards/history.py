"""What each person did before the scored day, read off the calls alone.

The attack injector picks its victims and shapes from this, and the tests check the shapes
against it: the days and hours (UTC, the hospital's time) someone worked, the tools and servers
they used, each tool's largest arguments (as an emitter measures them: compact JSON, UTF-8), their
agents and their usual pace.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final

from ..model import DAY_US, SimCall, Simulation

__all__ = ["History", "args_size", "histories"]

_HOUR_US: Final = 3_600_000_000


def args_size(args: dict[str, Any]) -> int:
    """The arguments' size as the emitter records ``args_bytes``: compact JSON, UTF-8."""
    return len(json.dumps(args, separators=(",", ":"), ensure_ascii=False).encode())


@dataclass
class History:
    """One person's history before the scored day."""

    days: set[int] = field(default_factory=set)
    hours: set[int] = field(default_factory=set)
    tools: Counter[str] = field(default_factory=Counter)
    servers: set[str] = field(default_factory=set)
    args_max: dict[str, int] = field(default_factory=dict)
    agents: Counter[str] = field(default_factory=Counter)
    examples: dict[str, dict[str, Any]] = field(default_factory=dict)
    gaps: list[int] = field(default_factory=list)
    _last: int = 0

    def add(self, c: SimCall, start_us: int) -> None:
        self.days.add((c.ts - start_us) // DAY_US)
        self.hours.add(c.ts % DAY_US // _HOUR_US)
        self.servers.add(c.server)
        self.agents[c.agent] += 1
        if c.tool:
            self.tools[c.tool] += 1
            self.args_max[c.tool] = max(self.args_max.get(c.tool, 0), args_size(c.args))
            self.examples.setdefault(c.tool, c.args)
        if self._last and c.ts - self._last < 30 * 60_000_000:
            self.gaps.append(c.ts - self._last)
        self._last = c.ts

    def pace_us(self) -> int:
        """The median gap between this person's consecutive calls within half an hour."""
        gaps = sorted(self.gaps) or [60_000_000]
        return gaps[len(gaps) // 2]


def histories(sim: Simulation) -> dict[str, History]:
    """Per person (``svc-`` accounts left out), what they did before the scored day."""
    out: dict[str, History] = {}
    cut, start = sim.config.attack_start_us, sim.config.start_us
    for c in sim.calls:
        if c.ts >= cut:
            break
        if not c.user.startswith("svc-"):
            out.setdefault(c.user, History()).add(c, start)
    return out
