"""The airline's configuration and ``generate``: 14 days of operations, the last one scored."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from ..model import Incident, SimConfig, Simulation
from ._emit import Recorder
from .negatives import HARD_NEGATIVES, hard_negatives, newcomers
from .people import roster
from .traffic import Duty, ordinary

__all__ = ["AirlineConfig", "generate"]

DAYS: Final = 14
_DESCRIPTIONS: Final = {n: n.removeprefix("benign:").replace("_", " ") for n in HARD_NEGATIVES}


@dataclass(frozen=True)
class AirlineConfig(SimConfig):
    """Fourteen days from Friday 18 December 2026; the scored day is New Year's Eve."""

    days: int = DAYS
    start: datetime = datetime(2026, 12, 18, tzinfo=UTC)
    scenarios: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.days != DAYS:
            raise ValueError(
                f"days must be {DAYS} (the history and the scored day), not {self.days}"
            )


def generate(config: AirlineConfig) -> Simulation:
    """The airline's traffic for ``config.seed``: ordinary work, and the scored day's hard
    negatives labelled. No attack: :func:`inject` adds them."""
    scored = config.days - 1
    people = roster(config.seed) + newcomers(config.seed, scored)
    origin = config.start_us
    duty = Duty(people, config.days, origin, config.start.weekday())
    rec = Recorder(origin, random.Random(f"airline:calls:{config.seed}"))
    snow = {4: {"ORD"}, 9: {"DEN"}, scored: {"ORD", "DEN"}}
    ordinary(rec, duty, people, config.days, config.seed, config.start.weekday(), snow)
    hard_negatives(rec, duty, people, scored, config.seed)
    calls = sorted((c for c in rec.calls if origin <= c.ts < config.end_us), key=lambda c: c.ts)
    bursts: dict[str, list[int]] = {}
    first: dict[str, tuple[str, str, str]] = {}
    for c in calls:
        if c.label:
            bursts.setdefault(c.label, []).append(c.ts)
            first.setdefault(c.label, (c.user, c.agent, c.client))
    benign = [
        Incident(
            label,
            label.partition("#")[0],
            *first[label],
            ts[0],
            ts[-1],
            len(ts),
            _DESCRIPTIONS[label.partition("#")[0]],
        )
        for label, ts in sorted(bursts.items(), key=lambda kv: kv[1][0])
    ]
    return Simulation(config, calls, [], benign, [p.profile for p in people])
