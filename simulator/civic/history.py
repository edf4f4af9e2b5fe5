"""What each person or job did before the scored day, read from the calls alone.

The attacks pick victims from it and shape themselves after it; the tests check the attacks
against it. A call counts when it is earlier than ``config.attack_start_us``.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..model import DAY_US, Simulation

__all__ = ["History", "args_size", "histories"]

_HOUR_US = 3_600_000_000


def args_size(args: Any) -> int:
    """Bytes of ``args`` as compact JSON (UTF-8)."""
    return len(json.dumps(args, separators=(",", ":"), ensure_ascii=False).encode())


@dataclass
class History:
    """One actor's past: days and UTC hours active, tools (with counts), servers, agents, the
    largest arguments per tool and the typical result size per tool."""

    days: set[int] = field(default_factory=set)
    hours: set[int] = field(default_factory=set)
    tools: Counter[str] = field(default_factory=Counter)
    servers: set[str] = field(default_factory=set)
    agents: Counter[str] = field(default_factory=Counter)
    args_max: dict[str, int] = field(default_factory=dict)
    examples: dict[str, dict[str, Any]] = field(default_factory=dict)


def histories(sim: Simulation) -> dict[str, History]:
    """Each actor's :class:`History` before the scored day."""
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
        if c.tool is not None:
            h.tools[c.tool] += 1
            size = args_size(c.args)
            if size >= h.args_max.get(c.tool, -1):
                h.args_max[c.tool] = size
                h.examples[c.tool] = c.args
    return out
