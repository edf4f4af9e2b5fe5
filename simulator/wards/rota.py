"""Who is on shift when: the rota, built day by day the way a ward manager fills slots.

Rota'd roles (nurses, junior doctors, bed managers) have slots per unit and day (``_SLOTS``)
filled greedily: nobody twice a day, no day shift straight after a night, at most four shifts
in seven days and four in a row, preferences honoured when the numbers allow; agency staff work
the days they are booked for. Week to week the weekends and the day/night mix therefore change by
themselves. Office roles work weekdays with a few minutes' jitter; consultants, radiologists
and IT take turns on call from home (``oncall`` shifts: only pages reach them). Hours are the
hospital's local time, which is UTC (a UK hospital in November).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from .org import Person, Staff

__all__ = ["COVER", "HOUR_US", "SHIFT_TIMES", "Rostering", "Rota", "Shift"]

HOUR_US: Final = 3_600_000_000
DAY_US: Final = 24 * HOUR_US

#: kind: (start hour, hours)
SHIFT_TIMES: Final[dict[str, tuple[float, float]]] = {
    "day": (7.0, 12.5),  # nurses
    "night": (19.0, 12.5),
    "dday": (8.0, 9.0),  # doctors
    "long": (8.0, 13.0),
    "dnight": (20.5, 12.5),
    "fday": (8.0, 12.0),  # bed managers
    "fnight": (20.0, 12.0),
}
_NIGHTS: Final = frozenset({"night", "dnight", "fnight"})
# role: unit: kind: (weekday need, weekend need)
_SLOTS: Final[dict[str, dict[str, dict[str, tuple[int, int]]]]] = {
    "nurse": {
        "ED": {"day": (3, 3), "night": (2, 2)},
        "AMU": {"day": (2, 2), "night": (1, 1)},
        "MED": {"day": (2, 2), "night": (2, 2)},
        "SURG": {"day": (2, 2), "night": (2, 2)},
        "ICU": {"day": (2, 2), "night": (2, 2)},
    },
    "doctor": {
        "ED": {"dday": (1, 1), "long": (1, 1), "dnight": (1, 1)},
        "AMU": {"dday": (1, 0), "long": (1, 1)},
        "MED": {"dday": (2, 1), "dnight": (1, 0)},
        "SURG": {"dday": (2, 1), "dnight": (0, 1)},
        "ICU": {"dday": (1, 1), "dnight": (1, 1)},
    },
    "bed_manager": {"FLOW": {"fday": (1, 1), "fnight": (1, 1)}},
}
# role: (start hour, hours, weekdays worked)
_OFFICE: Final[dict[str, tuple[float, float, tuple[int, ...]]]] = {
    "consultant": (8.0, 10.0, (0, 1, 2, 3, 4)),
    "radiologist": (8.5, 9.0, (0, 1, 2, 3, 4)),
    "pharmacist": (8.5, 8.5, (0, 1, 2, 3, 4)),
    "scheduler": (8.0, 8.0, (0, 1, 2, 3, 4)),
    "coder": (9.0, 8.0, (0, 1, 2, 3, 4)),
    "it_ops": (8.0, 10.0, (0, 1, 2, 3, 4)),
    "analyst": (9.5, 8.0, (0, 1, 2, 3, 4)),
    "auditor": (9.0, 7.0, (0, 1, 2, 3)),
}
#: ward cover: who stands in when a unit has nobody of a role on shift
COVER: Final[dict[str, tuple[str, ...]]] = {
    "ED": ("ED",),
    "AMU": ("AMU", "MED", "SURG"),
    "MED": ("MED", "AMU", "SURG"),
    "SURG": ("SURG", "MED", "AMU"),
    "ICU": ("ICU",),
}


@dataclass(frozen=True, slots=True)
class Shift:
    """One shift of one person: unit, kind (``day``, ``night``, ``office``, ``oncall``...)."""

    person: Person
    unit: str
    kind: str
    start: int
    end: int

    @property
    def night(self) -> bool:
        return self.kind in _NIGHTS


def _shift(p: Person, unit: str, kind: str, day_start: int, hour: float, hours: float) -> Shift:
    start = day_start + int(hour * HOUR_US)
    return Shift(p, unit, kind, start, start + int(hours * HOUR_US))


class Rostering:
    """Fills the rota one day at a time (``day``), so that a day can be given fixed shifts."""

    def __init__(self, rng: random.Random, staff: Staff, start_us: int, weekday0: int) -> None:
        self.rng, self.staff, self.start_us, self.weekday0 = rng, staff, start_us, weekday0
        self.shifts: list[Shift] = []
        self._worked: dict[str, list[int]] = defaultdict(list)  # name → day indices worked
        self._night_before: set[tuple[str, int]] = set()

    def weekday(self, day: int) -> int:
        return (self.weekday0 + day) % 7

    def day(self, d: int, fixed: Iterable[Shift] = ()) -> None:
        """Roster day ``d``; the people of ``fixed`` work exactly those shifts that day."""
        taken: set[str] = set()
        for s in fixed:
            self._take(s, d)
            taken.add(s.person.name)
        weekend = self.weekday(d) >= 5
        day_start = self.start_us + d * DAY_US
        for role, units in _SLOTS.items():
            for unit, kinds in units.items():
                pool = [p for p in self.staff.by_role[role] if p.unit_on(d) == unit]
                for kind, (wd, we) in kinds.items():
                    need = we if weekend else wd
                    for p in self._pick(pool, d, kind, need, taken):
                        taken.add(p.name)
                        hour, hours = SHIFT_TIMES[kind]
                        self._take(_shift(p, unit, kind, day_start, hour, hours), d)
        self._office(d, day_start, weekend, taken)

    def _take(self, s: Shift, d: int) -> None:
        self.shifts.append(s)
        if s.kind != "oncall":
            self._worked[s.person.name].append(d)
        if s.night:
            self._night_before.add((s.person.name, d + 1))

    def _pick(
        self, pool: list[Person], d: int, kind: str, need: int, taken: set[str]
    ) -> list[Person]:
        night = kind in _NIGHTS
        scored = []
        for p in pool:
            if p.name in taken or not p.available(d):
                continue
            if not night and (p.name, d) in self._night_before:
                continue
            worked = self._worked[p.name]
            recent = sum(1 for x in worked if d - 7 < x < d)
            if not p.agency and (recent >= 4 or all(d - k in worked for k in (1, 2, 3, 4))):
                continue
            mismatch = p.night_pref != "any" and (p.night_pref == "night") != night
            score = -10 * p.agency + 3 * mismatch + recent + self.rng.random()
            scored.append((score, p.name, p))
        scored.sort(key=lambda t: (t[0], t[1]))
        return [p for _, _, p in scored[:need]]

    def _office(self, d: int, day_start: int, weekend: bool, taken: set[str]) -> None:
        wd, week = self.weekday(d), d // 7
        for role, (hour, hours, days) in _OFFICE.items():
            people = self.staff.by_role[role]
            for p in people:
                if wd in days and p.available(d) and p.name not in taken:
                    h = hour + self.rng.gauss(0, 0.3)
                    self._take(_shift(p, p.unit, "office", day_start, h, hours), d)
            if role in ("consultant", "radiologist", "it_ops"):
                by_unit: dict[str, list[Person]] = defaultdict(list)
                for p in people:
                    by_unit[p.unit].append(p)
                for unit, group in sorted(by_unit.items()):
                    p = group[(d + week) % len(group)]
                    if weekend and role == "consultant":  # the weekend ward round
                        self._take(_shift(p, unit, "office", day_start, 8.5, 6.0), d)
                    self._take(_shift(p, unit, "oncall", day_start, 18.0, 14.0), d)
            if weekend and role == "pharmacist":
                p = people[(d + week) % len(people)]
                self._take(_shift(p, p.unit, "office", day_start, 9.0, 8.0), d)
            if role == "radiologist":  # the evening list
                p = people[(d + 1) % len(people)]
                self._take(_shift(p, p.unit, "evening", day_start, 17.5, 4.5), d)


class Rota:
    """The shifts, indexed by role, unit and hour: who is on (or on call) at a time."""

    def __init__(self, shifts: list[Shift]) -> None:
        self.shifts = shifts
        self._at: dict[tuple[str, str, int], list[Shift]] = defaultdict(list)
        self._of: dict[str, list[Shift]] = defaultdict(list)
        for s in shifts:
            self._of[s.person.name].append(s)
            for h in range(s.start // HOUR_US, (s.end - 1) // HOUR_US + 1):
                self._at[(s.person.role, s.unit, h)].append(s)

    def on(
        self, role: str, unit: str, ts: int, key: int = 0, *, oncall: bool = False
    ) -> Shift | None:
        """The shift of someone of ``role`` working ``unit`` (or covering it) at ``ts``; ``key``
        keeps one patient with one person while the shift lasts. ``oncall``: only on-call."""
        for u in COVER.get(unit, (unit,)):
            here = [
                s
                for s in self._at.get((role, u, ts // HOUR_US), ())
                if s.start <= ts < s.end and (s.kind == "oncall") == oncall
            ]
            if here:
                return here[key % len(here)]
        return None

    def of(self, name: str) -> list[Shift]:
        return self._of.get(name, [])

    def working(self, unit: str, ts: int) -> list[Shift]:
        """Everyone working (not on call) ``unit`` at ``ts``, any role."""
        roles = {k[0] for k in self._at if k[1] == unit}
        return [
            s
            for r in sorted(roles)
            for s in self._at.get((r, unit, ts // HOUR_US), ())
            if s.start <= ts < s.end and s.kind != "oncall"
        ]
