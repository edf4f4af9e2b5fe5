"""The insurer's clock and staff on it: who is at work when, in which session, and how a piece
of work (a list of steps) becomes calls."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from ._args import Ids, args_for
from ._emit import Actor, Recorder
from .people import CLIENT_VERSIONS, FIELD_AGENT, SERVICES, Person

__all__ = ["DAY", "HOUR", "MINUTE", "Shift", "Step", "World"]

MINUTE: Final = 60_000_000
HOUR: Final = 60 * MINUTE
DAY: Final = 24 * HOUR

#: a step: a tool name, ``(tool, kb)`` with its own median result size, or ``(uri, kb)``
#: for a resource read (a URI has ``://``)
Step = str | tuple[str, float]


@dataclass(frozen=True, slots=True)
class Shift:
    """One block of work in UTC µs, with the actor (session) it is done through."""

    person: Person
    start: int
    end: int
    mode: str
    actor: Actor


class World:
    """Everyone's shifts over the span and the recorder the work goes to."""

    def __init__(
        self,
        start_us: int,
        days: int,
        weekday0: int,
        people: Sequence[Person],
        rec: Recorder,
        rng: random.Random,
        *,
        cut: int,
        skip: frozenset[str] = frozenset(),
    ) -> None:
        self.start_us, self.days, self.weekday0 = start_us, days, weekday0
        self.rec, self.rng, self.cut = rec, rng, cut
        self.people = list(people)
        self.shifts: dict[str, list[Shift]] = {}
        for p in self.people:
            out = []
            for d in range(days):
                for b in p.blocks(d, self.weekday(d), self.storm(d)):
                    t0, t1 = self.utc(p, d, b.start), self.utc(p, d, b.end)
                    if p.name in skip:
                        t1 = min(t1, cut)
                    if t1 <= t0:
                        continue
                    agent, client = (p.agent, p.client) if b.mode == "desk" else FIELD_AGENT
                    actor = Actor(p.name, agent, client, p.version(client, d), rec.session())
                    out.append(Shift(p, t0, t1, b.mode, actor))
            self.shifts[p.name] = out
        self._services: dict[tuple[str, int], Actor] = {}

    def weekday(self, day: int) -> int:
        return (self.weekday0 + day) % 7

    def storm(self, day: int) -> int:
        """1 on the south wind/flood day, 2 on the hail evening (the day before the last)."""
        if day == self.days - 2:
            return 2
        return 1 if day == 5 else 0

    def utc(self, p: Person, day: int, hour: float) -> int:
        return self.start_us + day * DAY + int((hour - p.tz) * HOUR)

    def at_work(self, name: str, ts: int, mode: str | None = None) -> Shift | None:
        """The shift ``name`` is on at ``ts`` or the next one (of ``mode``, when given)."""
        for s in self.shifts[name]:
            if s.end > ts and (mode is None or s.mode == mode):
                return s
        return None

    def on_duty(self, names: Sequence[str], ts: int) -> list[Shift]:
        """The shifts of ``names`` that cover ``ts``."""
        return [s for n in names for s in self.shifts[n] if s.start <= ts < s.end]

    def service(self, name: str, ts: int) -> Actor:
        """A job's actor: one session per job per day."""
        day = (ts - self.start_us) // DAY
        key = (name, day)
        if key not in self._services:
            agent, client = SERVICES[name]
            self._services[key] = Actor(
                name, agent, client, CLIENT_VERSIONS[client][0], self.rec.session()
            )
        return self._services[key]

    def run(
        self,
        actor: Actor,
        ts: int,
        steps: Sequence[Step],
        ids: Ids,
        *,
        label: str = "",
        think: tuple[int, int] = (4, 45),
        until: int | None = None,
    ) -> int:
        """Do ``steps`` one after another from ``ts`` as ``actor`` (one agent request: one
        trace); stops at ``until``. Returns when done."""
        rec, rng = self.rec, self.rng
        trace = rec.trace()
        for step in steps:
            if until is not None and ts >= until:
                break
            kb: float | None = None
            if isinstance(step, tuple):
                step, kb = step
            if "://" in step:
                ts = rec.read(actor, ts, step, kb or 40.0, trace=trace, label=label)
            else:
                args = args_for(step, ids, rng, actor.user)
                ts = rec.call(actor, ts, step, args, trace=trace, label=label, kb=kb)
            ts += rng.randint(*think) * 1_000_000
        return ts
