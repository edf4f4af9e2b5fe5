"""What each identity did before the scored day, read from the calls alone (as a detector could).

``histories(sim)`` gives, per user, the days and UTC hours they worked, the tools and servers
they called (each call's tool and arguments) and the largest arguments sent to each tool;
``args_size`` is an argument object's size as the emitter measures it (compact JSON).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tooltrail.simulator import Simulation

__all__ = ["History", "args_size", "histories"]

_DAY = 86_400_000_000
_HOUR = 3_600_000_000


@dataclass
class History:
    """One identity's history before the scored day."""

    days: set[int] = field(default_factory=set)
    hours: set[int] = field(default_factory=set)
    tools: set[str] = field(default_factory=set)
    servers: set[str] = field(default_factory=set)
    args_max: dict[str, int] = field(default_factory=dict)
    work: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (tool, args) calls


def args_size(args: Any) -> int:
    """Bytes of ``args`` as compact JSON."""
    return len(json.dumps(args, separators=(",", ":")))


def histories(sim: Simulation) -> dict[str, History]:
    """User → :class:`History` from the unlabelled calls before the scored day."""
    out: dict[str, History] = {}
    cut = sim.config.attack_start_us
    for c in sim.calls:
        if c.ts >= cut or c.label:
            continue
        h = out.setdefault(c.user, History())
        h.days.add(c.ts // _DAY)
        h.hours.add(c.ts % _DAY // _HOUR)
        h.servers.add(c.server)
        if c.tool:
            h.tools.add(c.tool)
            h.work.append((c.tool, c.args))
            size = args_size(c.args)
            if size > h.args_max.get(c.tool, 0):
                h.args_max[c.tool] = size
    return out
