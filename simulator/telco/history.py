"""What each person did before the scored day: the history an attack is measured against.

:func:`histories` reads the unlabelled calls before ``config.attack_start_us`` only: the days
and UTC hours a person worked, their tools (with counts), servers and agents, the largest
arguments they sent to each tool (:func:`args_size`, the bytes of the canonical JSON), and their
median gap between calls inside a session.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final

from ..model import Simulation

__all__ = ["History", "args_size", "histories"]

DAY_US: Final = 86_400_000_000
HOUR_US: Final = 3_600_000_000


def args_size(args: Any) -> int:
    """The bytes of ``args`` as compact, sorted JSON."""
    return len(json.dumps(args, sort_keys=True, separators=(",", ":"), default=str).encode())


@dataclass
class History:
    """One person's (or job's) calls before the scored day."""

    days: set[int] = field(default_factory=set)
    hours: set[int] = field(default_factory=set)
    tools: Counter[str] = field(default_factory=Counter)
    servers: set[str] = field(default_factory=set)
    agents: Counter[str] = field(default_factory=Counter)
    args_max: dict[str, int] = field(default_factory=dict)
    gap_s: float = 60.0


def histories(sim: Simulation) -> dict[str, History]:
    """Everyone's :class:`History` from ``sim``'s unlabelled calls before the scored day."""
    cut, start = sim.config.attack_start_us, sim.config.start_us
    out: dict[str, History] = {}
    last: dict[str, int] = {}
    gaps: dict[str, list[float]] = {}
    for c in sim.calls:
        if c.ts >= cut:
            break
        if c.label:
            continue
        h = out.get(c.user)
        if h is None:
            h = out[c.user] = History()
        h.days.add((c.ts - start) // DAY_US)
        h.hours.add(c.ts % DAY_US // HOUR_US)
        h.servers.add(c.server)
        h.agents[c.agent] += 1
        if c.tool:
            h.tools[c.tool] += 1
            n = args_size(c.args)
            if n > h.args_max.get(c.tool, 0):
                h.args_max[c.tool] = n
        if c.session_id in last:
            gaps.setdefault(c.user, []).append((c.ts - last[c.session_id]) / 1e6)
        last[c.session_id] = c.ts
    for user, g in gaps.items():
        out[user].gap_s = statistics.median(g)
    return out
