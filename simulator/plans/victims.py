"""What the attack injector knows about each person: their history, read off the calls alone.

:func:`histories` reads every call before the scored day (and, for the scored day, only when
each person was active and whether any of their calls carries a hard-negative label): the days
and UTC hours they were active, the servers and tools they used (anywhere in the traffic, so a
"never used" server is never used), their usual agent (agent, client, version), their own
calls per tool (to replay their arguments), the largest arguments and typical results per tool,
and their pace (median gap between calls in a session). People are accounts not named
``svc-*``. Nothing here looks at labels beyond that.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ..model import DAY_US, SimCall, Simulation

__all__ = ["History", "args_size", "histories"]


def args_size(args: object) -> int:
    """Compact JSON size of a call's arguments (what the emitter counts as ``args_bytes``)."""
    return len(json.dumps(args, separators=(",", ":"), ensure_ascii=False).encode())


@dataclass
class History:
    user: str
    days: set[int] = field(default_factory=set)
    hours: Counter[int] = field(default_factory=Counter)  # UTC hour of day → calls
    servers: set[str] = field(default_factory=set)  # used anywhere in the benign traffic
    tools: Counter[str] = field(default_factory=Counter)  # in the history
    agents: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    calls: dict[str, list[SimCall]] = field(default_factory=lambda: defaultdict(list))
    gaps: list[int] = field(default_factory=list)
    scored: list[int] = field(default_factory=list)  # ts of their unlabelled scored-day calls
    labelled: bool = False  # part of a hard negative on the scored day

    @property
    def agent(self) -> tuple[str, str, str]:
        return self.agents.most_common(1)[0][0]

    def pace_us(self) -> int:
        """Median gap between consecutive calls of one session (at least 1 s)."""
        return max(1_000_000, int(statistics.median(self.gaps))) if self.gaps else 5_000_000

    def max_args(self, tool: str) -> int:
        return max((args_size(c.args) for c in self.calls[tool][:400]), default=64)

    def result_p90(self, tool: str) -> int:
        sizes = sorted(c.result_bytes for c in self.calls[tool] if c.outcome == "ok")
        return sizes[int(0.9 * (len(sizes) - 1))] if sizes else 4096

    def far_hours(self) -> list[tuple[int, int]]:
        """(distance in hours to the nearest hour they were active, UTC hour), farthest first."""
        active = [h for h, n in self.hours.items() if n > 0]
        if not active:
            return []
        out = []
        for h in range(24):
            dist = min(min((h - a) % 24, (a - h) % 24) for a in active)
            out.append((dist, h))
        return sorted(out, key=lambda x: (-x[0], x[1]))


def histories(sim: Simulation) -> dict[str, History]:
    """Per person (``svc-*`` accounts left out), from ``sim``'s calls."""
    cut = sim.config.attack_start_us
    start = sim.config.start_us
    out: dict[str, History] = {}
    last: dict[str, int] = {}
    for c in sim.calls:
        if c.user.startswith("svc-"):
            continue
        h = out.get(c.user)
        if h is None:
            h = out[c.user] = History(c.user)
        if c.method == "tools/call" or c.method == "resources/read":
            h.servers.add(c.server)
        if c.ts >= cut:
            if c.label.startswith("benign:"):
                h.labelled = True
            elif not c.label:
                h.scored.append(c.ts)
            continue
        if c.method == "tools/list":
            continue
        h.days.add((c.ts - start) // DAY_US)
        h.hours[(c.ts // 3_600_000_000) % 24] += 1
        h.agents[(c.agent, c.client, c.client_version)] += 1
        if c.tool:
            h.tools[c.tool] += 1
            h.calls[c.tool].append(c)
        prev = last.get(c.session_id)
        if prev is not None and c.ts - prev < 600_000_000:
            h.gaps.append(c.ts - prev)
        last[c.session_id] = c.ts
    return out
