"""What each identity did before the scored day, read off the calls alone (for the injector).

:func:`histories` gives per user: active days, servers, tools (with counts), UTC hours, the
largest argument size per tool (compact JSON, as :func:`args_size` measures), sample arguments
per tool, the actors (agent, client, version) by use with each agent's last-seen version, and
the typical gap between calls of one session. Unlabelled calls before ``attack_start_us`` only.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..model import Simulation
from ._calls import Actor

__all__ = ["History", "args_size", "histories"]


def args_size(args: dict[str, Any]) -> int:
    """Bytes of ``args`` as compact JSON (what an emitter counts as ``args_bytes``)."""
    return len(json.dumps(args, separators=(",", ":"), ensure_ascii=False))


@dataclass
class History:
    """One identity's behaviour before the scored day."""

    user: str
    days: set[int] = field(default_factory=set)
    servers: set[str] = field(default_factory=set)
    tools: Counter[str] = field(default_factory=Counter)
    hours: set[int] = field(default_factory=set)
    hour_counts: Counter[int] = field(default_factory=Counter)
    args_max: dict[str, int] = field(default_factory=dict)
    samples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    actors: Counter[Actor] = field(default_factory=Counter)
    server_actors: dict[str, Counter[Actor]] = field(default_factory=dict)
    gaps: list[int] = field(default_factory=list)
    versions: dict[tuple[str, str], str] = field(default_factory=dict)  # last seen

    def actor(self, server: str | None = None) -> Actor:
        """The actor this identity uses most (on ``server``, when given and used), at the
        version it was last seen with (agents auto-update)."""
        pool = self.server_actors.get(server or "", self.actors)
        return self._latest(pool.most_common(1)[0][0])

    def coder(self) -> Actor:
        """The coding agent if it has one, else its most used actor (latest version)."""
        coders = [a for a, _ in self.actors.most_common() if a.agent != "assistant"]
        return self._latest(coders[0]) if coders else self.actor()

    def _latest(self, a: Actor) -> Actor:
        return Actor(a.user, a.agent, a.client, self.versions.get((a.agent, a.client), a.version))

    def gap(self) -> int:
        """The median gap between consecutive calls of one session (µs)."""
        g = sorted(self.gaps)
        return g[len(g) // 2] if g else 30_000_000


def histories(sim: Simulation) -> dict[str, History]:
    """Per user, what the benign calls before the attack window show."""
    start, cut = sim.config.start_us, sim.config.attack_start_us
    out: dict[str, History] = {}
    last: dict[str, int] = {}
    for c in sim.calls:
        if c.ts >= cut or c.label:
            continue
        h = out.get(c.user) or out.setdefault(c.user, History(c.user))
        h.days.add((c.ts - start) // 86_400_000_000)
        h.servers.add(c.server)
        hour = c.ts % 86_400_000_000 // 3_600_000_000
        h.hours.add(hour)
        h.hour_counts[hour] += 1
        a = Actor(c.user, c.agent, c.client, c.client_version)
        h.actors[a] += 1
        h.versions[(c.agent, c.client)] = c.client_version
        h.server_actors.setdefault(c.server, Counter())[a] += 1
        if (prev := last.get(c.session_id)) is not None and len(h.gaps) < 4000:
            h.gaps.append(c.ts - prev)
        last[c.session_id] = c.ts
        if c.method == "tools/call" and c.tool:
            h.tools[c.tool] += 1
            size = args_size(c.args)
            h.args_max[c.tool] = max(h.args_max.get(c.tool, 0), size)
            kept = h.samples.setdefault(c.tool, [])
            if len(kept) < 20:
                kept.append(c.args)
    return out
