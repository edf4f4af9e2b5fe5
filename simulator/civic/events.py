"""What happens to the city over the span, placed relative to the scored (last) day.

Local day ``d`` (Central time) starts at ``start + d days + 6 h`` UTC; the scored UTC day ``D``
covers local day ``D−1`` from 18:00 to local day ``D`` at 18:00, so a council meeting on the
evening before is scored and so is the morning after.

=====================  ===============================================  =======================
what                   when (local)                                     effect
=====================  ===============================================  =======================
snowstorm              days D−10 and D−9 (a weekend by default)         311 ×2.3, crews 24 h
water main break       day D−5 14:10; day D 03:10 (scored)              311 and works ×1.8, 8 h
billing vendor outage  day D−7 09:00, 40 min; day D 08:00, 70 min       billing calls fail
planning commission    day D−8 evening                                  clerk staff stay
council meeting        day D−1 evening (scored)                         clerk staff stay
client updates         field apps day 7, assistant day 10, CLI day 9    new versions
=====================  ===============================================  =======================
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

__all__ = ["DAY_US", "HOUR_US", "MINUTE_US", "Calendar"]

DAY_US: Final = 86_400_000_000
HOUR_US: Final = 3_600_000_000
MINUTE_US: Final = 60_000_000
_LOCAL: Final = 6 * HOUR_US  # Central midnight in UTC

_VERSIONS: Final[dict[str, tuple[tuple[int, str], ...]]] = {
    "harlow-assist": ((0, "2027.1.2"), (10, "2027.1.3")),
    "field-tablet": ((0, "3.4.1"), (7, "3.5.0")),
    "field-phone": ((0, "3.4.1"), (7, "3.5.0")),
    "claude-desktop": ((0, "1.0.2245"),),
    "claude-code": ((0, "2.1.3"), (9, "2.1.9")),
    "vscode": ((0, "1.96.2"),),
    "harlow-batch": ((0, "1.8.2"),),
}

# 311 demand by local hour (calls per hour relative to a weekday's average)
_CURVE_311: Final = (
    0.25, 0.2, 0.2, 0.2, 0.25, 0.35, 0.55, 0.9, 1.3, 1.35, 1.3, 1.25,
    1.05, 1.2, 1.2, 1.15, 1.05, 0.9, 0.7, 0.6, 0.55, 0.45, 0.35, 0.3,
)  # fmt: skip


@dataclass(frozen=True)
class Calendar:
    """The city's span: its days, weekdays, storms, main breaks, outages and meetings."""

    start: datetime
    days: int

    @property
    def start_us(self) -> int:
        return int(self.start.timestamp()) * 1_000_000

    @property
    def scored(self) -> int:
        """The scored day's index (its UTC day, and the local day whose morning it holds)."""
        return self.days - 1

    def midnight(self, day: int) -> int:
        """Local (Central) midnight of local ``day``, in UTC µs."""
        return self.start_us + day * DAY_US + _LOCAL

    def at(self, day: int, hour: float) -> int:
        """Local ``hour`` of local ``day`` in UTC µs."""
        return self.midnight(day) + int(hour * HOUR_US)

    def weekday(self, day: int) -> int:
        """Monday 0 … Sunday 6 of local ``day``."""
        return (self.start.weekday() + day) % 7

    def local_day(self, ts: int) -> int:
        return (ts - self.start_us - _LOCAL) // DAY_US

    def local_hour(self, ts: int) -> float:
        return ((ts - self.start_us - _LOCAL) % DAY_US) / HOUR_US

    @property
    def storm_days(self) -> frozenset[int]:
        first = max(1, self.scored - 10)
        return frozenset({first, first + 1})

    @property
    def main_breaks(self) -> tuple[int, ...]:
        return (self.at(self.scored - 5, 14 + 1 / 6), self.at(self.scored, 3 + 1 / 6))

    @property
    def outages(self) -> tuple[tuple[int, int], ...]:
        """Billing vendor outages as (start, end) UTC µs."""
        a = self.at(self.scored - 7, 9.0)
        b = self.at(self.scored, 8.0)
        return (a, a + 40 * MINUTE_US), (b, b + 70 * MINUTE_US)

    @property
    def meeting_nights(self) -> frozenset[int]:
        """Local days with an evening meeting (planning commission, council)."""
        return frozenset({self.scored - 8, self.scored - 1})

    def down(self, ts: int) -> bool:
        """The billing vendor is down at ``ts``."""
        return any(a <= ts < b for a, b in self.outages)

    def surge(self, ts: int) -> float:
        """How much busier 311 and public works are at ``ts`` than on an ordinary day."""
        f = 2.3 if self.local_day(ts) in self.storm_days else 1.0
        if any(0 <= ts - b < 8 * HOUR_US for b in self.main_breaks):
            f *= 1.8
        return f

    def demand_311(self, ts: int) -> float:
        """311 calls at ``ts`` relative to a weekday's hourly average (weekends: 0.55)."""
        day = self.local_day(ts)
        weekend = 0.55 if self.weekday(day) >= 5 else 1.0
        return _CURVE_311[int(self.local_hour(ts))] * weekend * self.surge(ts)

    def version(self, client: str, ts: int) -> str:
        """``client``'s version in use at ``ts``."""
        day = self.local_day(ts)
        current = _VERSIONS[client][0][1]
        for since, v in _VERSIONS[client]:
            if day >= since:
                current = v
        return current
