"""Parcels through the network: how many arrive, from whom, when, and what happens to them.

A parcel arrives on day ``d`` (from a partner's EDI feed or the web shop), is sorted at its depot
the following night and goes out for delivery the next day a driver of that depot works (none
on Sundays). Volume has a weekday pattern, a morning and an evening wave, a peak-season ramp
over the history and a Black-Friday jump; some parcels cross a border (customs), a few meet an
exception (not home, damaged, bad address) or prompt a "where is my parcel" enquiry.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from .org import DEPOTS, PARTNERS

__all__ = ["Parcel", "arrivals", "depot_counts", "schedule_of", "volume"]

_WEEKDAY: Final = (1.15, 1.0, 1.0, 1.05, 1.2, 0.35, 0.15)  # Monday first
_EXCEPTIONS: Final = (("not_home", 0.6), ("damaged", 0.2), ("address_wrong", 0.2))
#: arrival source → share of parcels (the rest comes through the web shop)
_SHARES: Final = {
    "northwind": 0.2,
    "kestrel-retail": 0.15,
    "bluefin-mart": 0.1,
    "orbis-pharma": 0.08,
    "tallgrass": 0.12,
    "quayline": 0.05,
}


@dataclass(frozen=True, slots=True)
class Parcel:
    """One shipment: id, depot, source, arrival (µs), border crossing, exception, enquiry."""

    id: str
    depot: str
    source: str  # a partner name or "webshop"
    arrived: int
    cross_border: bool
    exception: str  # "" or the reason
    enquiry: bool
    label: str = ""


def volume(date: datetime, per_depot: float, day: int, days: int) -> float:
    """Expected parcels per depot arriving on ``date``: weekday × peak ramp × Black Friday."""
    ramp = 1.0 + 0.4 * day / max(1, days - 1)
    black_friday = date.month == 11 and date.weekday() == 4 and date.day + 7 > 30
    return per_depot * _WEEKDAY[date.weekday()] * ramp * (1.7 if black_friday else 1.0)


def _wave_hour(rng: random.Random) -> float:
    """Hour (UTC-ish) an order lands: a morning wave, an evening wave, a thin night."""
    r = rng.random()
    if r < 0.45:
        return rng.gauss(10.0, 1.2)
    if r < 0.85:
        return rng.gauss(19.0, 1.5)
    return rng.uniform(0.0, 24.0)


def arrivals(
    rng: random.Random, day_start: int, date: datetime, n_per_depot: dict[str, int]
) -> list[Parcel]:
    """The parcels arriving on the day starting at ``day_start`` (µs), ``n_per_depot`` each."""
    sources, weights = list(_SHARES), list(_SHARES.values())
    sources.append("webshop")
    weights.append(1.0 - sum(weights))
    out: list[Parcel] = []
    tag = date.strftime("%y%m%d")
    for depot, n in n_per_depot.items():
        for i in range(n):
            hour = min(23.99, max(0.0, _wave_hour(rng)))
            r = rng.random()
            exception = ""
            if r < 0.045:
                acc = 0.0
                for reason, share in _EXCEPTIONS:
                    acc += share * 0.045
                    if r < acc:
                        exception = reason
                        break
            out.append(
                Parcel(
                    f"DP{tag}{depot[:3]}{i:05d}{rng.randint(0, 9)}",
                    depot,
                    rng.choices(sources, weights)[0],
                    day_start + int(hour * 3.6e9),
                    rng.random() < 0.08,
                    exception,
                    rng.random() < 0.02,
                )
            )
    return out


def depot_counts(
    rng: random.Random, date: datetime, per_depot: float, day: int, days: int
) -> dict[str, int]:
    """A Poisson-like draw of arrivals per depot for ``date``."""
    mean = volume(date, per_depot, day, days)
    return {d: max(0, int(rng.gauss(mean, mean**0.5))) for d in DEPOTS}


def schedule_of(source: str) -> str:
    return PARTNERS.get(source, "on_demand")
