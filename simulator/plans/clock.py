"""Where and when people are: time zones with their daylight-saving rules, and public holidays.

A :class:`Zone` gives the UTC offset at any instant from its standard offset and one of four
rules (``eu``, ``us``, ``au``, ``none``), computed from the calendar year, so a fortnight that
crosses the last Sunday of October (Europe) or the first Sunday of November (US) shifts those
people's hours by one in UTC mid-simulation, as their laptops' clocks do. No tz database is
read (deterministic on any machine). Holidays are fixed dates per country (the 2026 ones that
matter for an autumn fortnight); a date not listed is a normal day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final

__all__ = ["HOLIDAYS", "ZONES", "Zone", "is_holiday", "local_midnight_us"]

_HOUR_US: Final = 3_600_000_000


def _sunday(year: int, month: int, nth: int) -> date:
    """The ``nth`` Sunday of the month (``nth = -1``: the last)."""
    if nth > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(6 - first.weekday()) % 7 + 7 * (nth - 1))
    last = (date(year, month + 1, 1) if month < 12 else date(year + 1, 1, 1)) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - 6) % 7)


def _at(d: date, hour_utc: float) -> int:
    base = datetime(d.year, d.month, d.day, tzinfo=UTC)
    return int(base.timestamp()) * 1_000_000 + int(hour_utc * _HOUR_US)


@dataclass(frozen=True, slots=True)
class Zone:
    """A named zone: standard offset from UTC in hours and its daylight-saving rule."""

    name: str
    std: float
    rule: str  # eu | us | au | none

    def offset(self, ts_us: int) -> float:
        """Hours ahead of UTC at the instant ``ts_us`` (µs since the epoch, UTC)."""
        if self.rule == "none":
            return self.std
        year = datetime.fromtimestamp(ts_us / 1e6, UTC).year
        if self.rule == "eu":  # last Sunday of March/October, 01:00 UTC
            on = _at(_sunday(year, 3, -1), 1.0)
            off = _at(_sunday(year, 10, -1), 1.0)
            return self.std + 1 if on <= ts_us < off else self.std
        if self.rule == "us":  # second Sunday of March 02:00 local, first Sunday of Nov 02:00
            on = _at(_sunday(year, 3, 2), 2.0 - self.std)
            off = _at(_sunday(year, 11, 1), 2.0 - self.std - 1)
            return self.std + 1 if on <= ts_us < off else self.std
        # au: summer time from the first Sunday of October to the first Sunday of April
        off = _at(_sunday(year, 4, 1), 3.0 - self.std - 1)
        on = _at(_sunday(year, 10, 1), 2.0 - self.std)
        return self.std if off <= ts_us < on else self.std + 1


#: country → its zone (one per country here: the office city)
ZONES: Final[dict[str, Zone]] = {
    "US-W": Zone("America/Los_Angeles", -8, "us"),
    "US-E": Zone("America/New_York", -5, "us"),
    "BR": Zone("America/Sao_Paulo", -3, "none"),
    "GB": Zone("Europe/London", 0, "eu"),
    "IE": Zone("Europe/Dublin", 0, "eu"),
    "DE": Zone("Europe/Berlin", 1, "eu"),
    "IN": Zone("Asia/Kolkata", 5.5, "none"),
    "JP": Zone("Asia/Tokyo", 9, "none"),
    "AU": Zone("Australia/Sydney", 10, "au"),
}

#: country → public holidays (ISO dates) in the autumn of 2026
HOLIDAYS: Final[dict[str, frozenset[str]]] = {
    "US-W": frozenset({"2026-11-26", "2026-11-27"}),
    "US-E": frozenset({"2026-11-26", "2026-11-27"}),
    "BR": frozenset({"2026-10-12", "2026-11-02", "2026-11-15", "2026-11-20"}),  # Finados 11-02
    "GB": frozenset({"2026-12-25"}),
    "IE": frozenset({"2026-10-26"}),  # October bank holiday
    "DE": frozenset({"2026-10-03", "2026-10-31"}),
    "IN": frozenset({"2026-10-02", "2026-10-20", "2026-11-08"}),  # Dussehra 10-20
    "JP": frozenset({"2026-10-12", "2026-11-03", "2026-11-23"}),
    "AU": frozenset({"2026-10-05", "2026-12-25"}),
}


def is_holiday(country: str, day: date) -> bool:
    return day.isoformat() in HOLIDAYS.get(country, frozenset())


def local_midnight_us(zone: Zone, day: date) -> int:
    """The UTC instant of 00:00 local time on ``day`` in ``zone`` (offset read at local noon)."""
    noon = _at(day, 12.0 - zone.std)
    return _at(day, 0.0) - int(zone.offset(noon) * _HOUR_US)
