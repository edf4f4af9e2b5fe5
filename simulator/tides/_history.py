"""What each person did before the scored day, read off the calls alone (for the attacks).

A :class:`History` holds the days a person was active, the servers, tools, clients and seats
they used, the UTC hour-of-week slots they worked in, their largest arguments per tool and their
calls per tool; :func:`slot` maps a time to its hour-of-week.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..model import Simulation
from ._calls import Seat, args_size
from .org import DAY_US, HOUR_US

__all__ = ["History", "histories", "slot"]


def slot(ts: int) -> tuple[int, int]:
    """``(weekday, hour)`` in UTC of ``ts`` (0 = Monday)."""
    return int((ts // DAY_US + 3) % 7), int((ts // HOUR_US) % 24)


@dataclass
class History:
    """One person's past, before the scored day."""

    days: set[int] = field(default_factory=set)
    servers: set[str] = field(default_factory=set)
    tools: Counter[str] = field(default_factory=Counter)
    clients: set[str] = field(default_factory=set)
    seats: Counter[Seat] = field(default_factory=Counter)
    slots: set[tuple[int, int]] = field(default_factory=set)
    hours: Counter[int] = field(default_factory=Counter)
    max_args: dict[str, int] = field(default_factory=dict)

    @property
    def seat(self) -> Seat:
        """The seat the person used most."""
        return self.seats.most_common(1)[0][0]


def histories(sim: Simulation) -> dict[str, History]:
    """Person → :class:`History` from every call before ``attack_start_us``."""
    cut = sim.config.attack_start_us
    out: dict[str, History] = {}
    for c in sim.calls:
        if c.ts >= cut:
            break
        h = out.setdefault(c.user, History())
        h.days.add(c.ts // DAY_US)
        h.servers.add(c.server)
        h.clients.add(c.client)
        h.seats[Seat(c.user, c.agent, c.client, c.client_version)] += 1
        h.slots.add(slot(c.ts))
        h.hours[int((c.ts // HOUR_US) % 24)] += 1
        if c.tool:
            h.tools[c.tool] += 1
            h.max_args[c.tool] = max(h.max_args.get(c.tool, 0), args_size(c.args))
    return out
