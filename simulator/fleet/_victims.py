"""What the fleet's attack injector knows of a person: their history, read off the calls alone.

A :class:`History` holds, for one person, what they did before the scored days (tools and
servers with counts, seats, hour-of-week slots in UTC, the largest arguments per tool) and what
they used at all in the benign traffic (so a "new" tool is new for the whole fortnight). Built in
one pass; never raises.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Final

from ..model import SimCall, Simulation

__all__ = ["HOUR_US", "History", "args_size", "histories", "slot"]

HOUR_US: Final = 3_600_000_000
_WEEK_H: Final = 7 * 24


def args_size(args: object) -> int:
    """Bytes of the arguments' compact JSON (close to what the emitter counts)."""
    return len(json.dumps(args, separators=(",", ":"), sort_keys=True).encode())


def slot(ts: int) -> int:
    """The hour of the week (UTC, Monday 00:00 = 0) ``ts`` falls in."""
    return (ts // HOUR_US + 3 * 24) % _WEEK_H  # 1970-01-01 was a Thursday


@dataclass
class History:
    user: str
    calls: int = 0
    days: set[int] = field(default_factory=set)
    tools: Counter[tuple[str, str]] = field(default_factory=Counter)
    seats: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # agent, client, ver
    slots: set[int] = field(default_factory=set)
    max_args: dict[str, int] = field(default_factory=dict)
    ever_tools: set[tuple[str, str]] = field(default_factory=set)  # benign, any day
    ever_servers: set[str] = field(default_factory=set)
    ever_clients: set[str] = field(default_factory=set)

    @property
    def servers(self) -> set[str]:
        return {s for s, _ in self.tools}

    def seat(self) -> tuple[str, str, str]:
        """The seat (agent, client, version) used most before the scored days."""
        return self.seats.most_common(1)[0][0]

    def far_from_work(self, ts: int, margin: int = 2) -> bool:
        """No hour within ``margin`` of ``ts``'s hour of the week was ever worked."""
        s = slot(ts)
        return all((s + d) % _WEEK_H not in self.slots for d in range(-margin, margin + 1))


def histories(sim: Simulation) -> dict[str, History]:
    """Every person's :class:`History` (service accounts included; the caller filters)."""
    cut = sim.config.attack_start_us
    out: dict[str, History] = {}
    for c in sim.calls:
        if c.label and not c.label.startswith("benign:"):
            continue  # another attack: not the victim's own behaviour
        h = out.get(c.user)
        if h is None:
            h = out[c.user] = History(c.user)
        h.ever_servers.add(c.server)
        h.ever_clients.add(c.client)
        if c.tool:
            h.ever_tools.add((c.server, c.tool))
        if c.ts < cut:
            _learn(h, c, cut)
    return out


def _learn(h: History, c: SimCall, cut: int) -> None:
    h.calls += 1
    h.days.add((cut - c.ts) // (24 * HOUR_US))
    h.slots.add(slot(c.ts))
    h.seats[(c.agent, c.client, c.client_version)] += 1
    if c.tool and c.method == "tools/call":
        h.tools[(c.server, c.tool)] += 1
        size = args_size(c.args)
        if size > h.max_args.get(c.tool, 0):
            h.max_args[c.tool] = size
