"""A person's day as a semi-Markov process: states with their own durations and transitions.

States: ``focus`` (agents busy), ``meeting`` (a quick lookup now and then), ``break``,
``lunch``, ``commute`` (nothing), then an optional ``evening`` check; ``page`` blocks come
from on-call pages at night. Each state's duration is drawn from its own distribution and the
next state from a transition table that depends on the role (managers and PMs meet more) and
the hour (lunch once, around noon). The day starts at the person's usual hour (plus their own
jitter, shifted for early/late shifts and jet lag) in the zone they are in that day, so
daylight-saving changes and trips move the blocks in UTC. :func:`day_blocks` returns the
blocks in UTC µs; days off (weekends, holidays, part-timers' free days) give at most a short
weekend block.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from .clock import is_holiday, local_midnight_us
from .org import Person

__all__ = ["Block", "day_blocks", "local_day", "pages", "poisson"]

_MIN: Final = 60_000_000
_HOUR: Final = 60 * _MIN

#: from state → [(to state, weight)] during working hours
_NEXT: Final[dict[str, list[tuple[str, float]]]] = {
    "focus": [("meeting", 0.40), ("break", 0.35), ("focus", 0.25)],
    "meeting": [("focus", 0.6), ("meeting", 0.25), ("break", 0.15)],
    "break": [("focus", 0.75), ("meeting", 0.25)],
    "lunch": [("focus", 0.7), ("meeting", 0.3)],
    "commute": [("focus", 0.8), ("meeting", 0.2)],
}
_MEETING_HEAVY: Final = {"manager": 2.2, "pm": 1.8, "support": 0.5, "sre": 0.8}


@dataclass(frozen=True, slots=True)
class Block:
    kind: str  # focus | meeting | evening | weekend | page
    start: int
    end: int


def _duration(rng: random.Random, state: str) -> float:
    """Minutes in ``state``."""
    if state == "focus":
        return min(240.0, rng.lognormvariate(0, 0.5) * 65)
    if state == "meeting":
        return rng.choice([25, 30, 30, 45, 50, 60])
    if state == "break":
        return rng.uniform(5, 20)
    if state == "lunch":
        return rng.uniform(30, 65)
    return rng.uniform(20, 55)  # commute


def local_day(start: date, day: int) -> date:
    return start + timedelta(days=day)


def day_blocks(rng: random.Random, p: Person, start: date, day: int) -> list[Block]:
    """The blocks of ``p``'s day ``day`` (index from ``start``) in UTC µs, in time order."""
    if not p.active_on(day):
        return []
    where, zone = p.zone_on(day)
    d = local_day(start, day)
    midnight = local_midnight_us(zone, d)
    working = d.weekday() in p.workdays and not is_holiday(p.country, d)
    if p.trip and day == p.trip[0]:
        working = False  # the flight
    if not working:
        if p.role in ("backend", "frontend", "sre", "data") and rng.random() < 0.08:
            s = midnight + int(rng.uniform(10, 20) * _HOUR)
            return [Block("weekend", s, s + int(rng.uniform(20, 80) * _MIN))]
        return []
    shift = p.swaps.get(day, p.shift)
    begin = {"early": 6.0, "late": 14.0}.get(shift, p.start_h)
    if p.trip and p.trip[0] < day <= p.trip[0] + 2 and where != p.country:
        begin += rng.choice([-2.0, -1.5, 1.5, 2.5])  # jet lag
    t = midnight + int((begin + rng.gauss(0, 0.35)) * _HOUR)
    end = t + int((p.hours + rng.gauss(0, 0.5)) * _HOUR)
    heavy = _MEETING_HEAVY.get(p.role_on(day), 1.0)
    out: list[Block] = []
    state = "commute" if rng.random() < 0.4 else "focus"
    lunched = False
    while t < end:
        hour = (t - midnight) / _HOUR - begin
        if not lunched and hour >= 3.2 and state != "lunch":
            state, lunched = "lunch", True
        mins = _duration(rng, state)
        stop = min(end, t + int(mins * _MIN))
        if state in ("focus", "meeting"):
            out.append(Block(state, t, stop))
        t = stop
        choices = _NEXT[state]
        weights = [w * (heavy if s == "meeting" else 1.0) for s, w in choices]
        state = rng.choices([s for s, _ in choices], weights=weights)[0]
    if rng.random() < 0.2:
        s = midnight + int(rng.uniform(20, 22.5) * _HOUR)
        out.append(Block("evening", s, s + int(rng.uniform(10, 40) * _MIN)))
    return out


def pages(rng: random.Random, p: Person, start: date, day: int, rate: float) -> list[Block]:
    """On-call pages for ``p`` in the night after ``day`` (local 22:00-06:00)."""
    _where, zone = p.zone_on(day)
    midnight = local_midnight_us(zone, local_day(start, day))
    out = []
    for _ in range(poisson(rng, rate)):
        s = midnight + int(rng.uniform(22, 30) * _HOUR)
        out.append(Block("page", s, s + int(rng.uniform(20, 70) * _MIN)))
    return out


def poisson(rng: random.Random, lam: float) -> int:
    n, t = 0, rng.expovariate(1.0)
    while t < lam:
        n += 1
        t += rng.expovariate(1.0)
    return n
