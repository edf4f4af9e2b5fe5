"""The carrier's calendar: what happens on which day, in UTC microseconds.

- **Handset launch** (day 2, a Friday with the default start): shops fulfil pre-orders from
  opening, care takes device orders, the provisioning bot activates three times the SIMs.
- **Fibre cut** (day 6, 14:20 local): a backbone cable is dug up; alarms flood the NOC until the
  splice crews finish at 04:30; care takes outage tickets at twice its pace.
- **Month-end bill run** (local midnight of each 1st of a month in the span): the bill-run job
  starts the cycles and polls them; billing works on, care answers invoice questions for two days.
- **Maintenance windows** Tuesday and Thursday 00:00-05:00 local: the change runner and the NOC
  night shift implement approved changes (reboots and reroutes included).
- **HLR blip** (day 10, 10:05 UTC): the HLR is unavailable for 12 minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

__all__ = ["HOUR", "MINUTE", "World"]

MINUTE: Final = 60_000_000
HOUR: Final = 60 * MINUTE
DAY: Final = 24 * HOUR
HOME_TZ: Final = 1.0  # the carrier's local offset (summer time, fixed for the span)


@dataclass(frozen=True)
class World:
    """The span and its events; ``local(day, hour)``: UTC µs of a local hour on a span day."""

    start_us: int
    days: int
    start: datetime

    @property
    def end_us(self) -> int:
        return self.start_us + self.days * DAY

    @property
    def scored(self) -> int:
        return self.days - 1

    def weekday(self, day: int) -> int:
        return (self.start.weekday() + day) % 7

    def local(self, day: int, hour: float, tz: float = HOME_TZ) -> int:
        return self.start_us + day * DAY + int((hour - tz) * HOUR)

    def local_hour(self, ts: int, tz: float = HOME_TZ) -> float:
        return ((ts - self.start_us) / HOUR + tz) % 24

    def local_day(self, ts: int, tz: float = HOME_TZ) -> int:
        return int(((ts - self.start_us) / HOUR + tz) // 24)

    @property
    def launch_day(self) -> int:
        return 2

    @property
    def cut_day(self) -> int:
        return min(6, self.days - 3)

    @property
    def cut(self) -> tuple[int, int]:
        return self.local(self.cut_day, 14 + 20 / 60), self.local(self.cut_day, 28.5)

    def in_cut(self, ts: int) -> bool:
        a, b = self.cut
        return a <= ts < b

    @property
    def bill_days(self) -> tuple[int, ...]:
        return tuple(d for d in range(self.days) if (self.start + timedelta(days=d)).day == 1)

    def windows(self) -> list[tuple[int, int]]:
        """Maintenance windows (Tue and Thu 00:00-05:00 local) touching the span."""
        return [
            (self.local(d, 0), self.local(d, 5))
            for d in range(self.days + 1)
            if self.weekday(d) in (1, 3)
        ]

    def in_window(self, ts: int) -> bool:
        return any(a <= ts < b for a, b in self.windows())

    @property
    def hlr_blip(self) -> tuple[int, int]:
        day = min(10, self.days - 2)
        a = self.start_us + day * DAY + 10 * HOUR + 5 * MINUTE
        return a, a + 12 * MINUTE
