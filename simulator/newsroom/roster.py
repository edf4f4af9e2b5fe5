"""Who is on shift: the lookup every step of a story uses to find its next pair of hands."""

from __future__ import annotations

import bisect
import random

from .org import Person, Staff

__all__ = ["Roster"]


class Roster:
    """Shifts by role, sorted by start: who is working at ``t``, else who starts next."""

    __slots__ = ("_ends", "_starts", "_who")

    def __init__(self, staff: Staff) -> None:
        self._starts: dict[str, list[int]] = {}
        self._ends: dict[str, list[int]] = {}
        self._who: dict[str, list[Person]] = {}
        for role, members in staff.by_role.items():
            rows = sorted((s, e, i, p) for i, p in enumerate(members) for s, e in p.shifts)
            self._starts[role] = [r[0] for r in rows]
            self._ends[role] = [r[1] for r in rows]
            self._who[role] = [r[3] for r in rows]

    def at(self, roles: tuple[str, ...], t: int) -> list[tuple[Person, int]]:
        """Everyone of ``roles`` working at ``t``, with the end of their shift."""
        out: list[tuple[Person, int]] = []
        for role in roles:
            starts, ends, who = self._starts.get(role, []), self._ends[role], self._who[role]
            hi = bisect.bisect_right(starts, t)
            for k in range(max(0, hi - 60), hi):
                if ends[k] > t + 60_000_000:
                    out.append((who[k], ends[k]))
        return out

    def pick(
        self, rng: random.Random, roles: tuple[str, ...], t: int, bureau: str = ""
    ) -> tuple[Person, int] | None:
        """Someone of ``roles`` to do a step at ``t`` (same bureau first) and when they can
        start: now if on shift, else at the next shift start; None if nobody works again."""
        here = self.at(roles, t)
        if here:
            mine = [h for h in here if h[0].bureau == bureau] or here
            return rng.choice(mine)[0], t
        nxt: tuple[int, Person] | None = None
        for role in roles:
            starts = self._starts.get(role, [])
            k = bisect.bisect_right(starts, t)
            if k < len(starts) and (nxt is None or starts[k] < nxt[0]):
                nxt = (starts[k], self._who[role][k])
        if nxt is None:
            return None
        return nxt[1], nxt[0] + rng.randint(5, 40) * 60_000_000

    def shift_end(self, p: Person, t: int) -> int | None:
        """The end of ``p``'s shift that holds ``t``, else None."""
        for s, e in p.shifts:
            if s <= t < e:
                return e
        return None
