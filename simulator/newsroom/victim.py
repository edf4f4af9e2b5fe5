"""The victim's side of an incident: calls recorded as the victim's identity would record
them, and when they happen (in the victim's usual hours, or hours they never worked)."""

from __future__ import annotations

import hashlib
import math
import random
from typing import Any, Final

from ..model import DAY_US, SimCall
from .catalog import TOOLS
from .habits import Habit

__all__ = ["Victim", "far_hours", "habitual", "in_hours", "runs", "spread", "work_start"]

_HOUR: Final = 3_600_000_000
_MIN: Final = 60_000_000


class Victim:
    """The calls of one incident, as the victim's identity would record them."""

    def __init__(self, rng: random.Random, h: Habit, label: str, agent: str) -> None:
        self.rng, self.h, self.label, self.agent = rng, h, label, agent
        self.trace = f"{rng.getrandbits(128):032x}"
        self.calls: list[SimCall] = []

    def session(self, server: str) -> str:
        """One new session per incident and server (a stolen token's, or a fresh agent task's)."""
        key = f"{self.label}|{self.h.user}|{server}|{self.trace}".encode()
        return hashlib.blake2b(key, digest_size=16).hexdigest()

    def call(
        self,
        ts: int,
        tool: str,
        args: dict[str, Any],
        *,
        outcome: str = "ok",
        error: str | None = None,
        result: int | None = None,
    ) -> None:
        spec, rng = TOOLS[tool], self.rng
        size = (
            rng.randint(90, 320)
            if outcome != "ok"
            else result or max(40, int(spec.result * math.exp(rng.gauss(0, 0.5))))
        )
        self.calls.append(
            SimCall(
                ts=ts,
                server=spec.server,
                method="tools/call",
                tool=tool,
                resource_uri=None,
                args=args,
                user=self.h.user,
                agent=self.agent,
                client=self.h.client,
                client_version=self.h.version,
                session_id=self.session(spec.server),
                trace_id=self.trace,
                outcome=outcome,
                error_type=error,
                duration_us=max(800, int(spec.ms * 1000 * math.exp(rng.gauss(0, 0.4)))),
                result_bytes=size,
                label=self.label,
            )
        )

    def read(self, ts: int, uri: str) -> None:
        self.calls.append(
            SimCall(
                ts=ts,
                server="wire-desk",
                method="resources/read",
                tool=None,
                resource_uri=uri,
                args={"uri": uri},
                user=self.h.user,
                agent=self.agent,
                client=self.h.client,
                client_version=self.h.version,
                session_id=self.session("wire-desk"),
                trace_id=self.trace,
                outcome="ok",
                error_type=None,
                duration_us=35_000,
                result_bytes=self.rng.randint(3_000, 6_000),
                label=self.label,
            )
        )


def spread(rng: random.Random, start: int, n: int, minutes: float) -> list[int]:
    """``n`` increasing times from ``start`` spanning at most ``minutes`` (jittered pacing)."""
    span = int(minutes * _MIN * rng.uniform(0.75, 0.98))
    marks = sorted(rng.random() for _ in range(max(0, n - 2)))
    return [start, *(start + int(m * span) for m in marks), start + span][:n]


def work_start(rng: random.Random, h: Habit, cut: int, minutes: float, late: bool) -> int:
    """A start on the scored day in one of the victim's usual hours (their last one if
    ``late``) with room for ``minutes`` before the day ends."""
    common = [hr for hr, n in h.hours.most_common() if n >= 0.04 * h.calls] or [12]
    if late:  # the last hour of their longest working block
        first, length = max(runs(common), key=lambda r: r[1])
        hr = (first + length - 1) % 24
    else:
        hr = rng.choice(common)
    t = cut + hr * _HOUR + rng.randint(0, 40) * _MIN
    return min(t, cut + DAY_US - int(minutes * _MIN) - _MIN)


def far_hours(h: Habit, far: float) -> list[int]:
    worked = set(h.hours)
    return [x for x in range(24) if all(min((x - y) % 24, (y - x) % 24) >= far for y in worked)]


def habitual(v: Victim, pool: tuple[str, ...]) -> str | None:
    """A tool of ``pool`` the victim used at least three times (None if none)."""
    mine = [t for t in pool if v.h.tools[t] >= 3]
    return v.rng.choice(mine) if mine else None


def in_hours(v: Victim, k: dict[str, float], cut: int, late: bool = False) -> list[int]:
    """The incident's call times: ``calls`` of them within ``minutes`` from a usual hour (the
    end of the victim's working block if ``late``)."""
    at = work_start(v.rng, v.h, cut, k["minutes"], late)
    return spread(v.rng, at, int(k["calls"]), k["minutes"])


def runs(hours: list[int]) -> list[tuple[int, int]]:
    """Runs of consecutive hours within one day: (first hour, length)."""
    out: list[tuple[int, int]] = []
    for x in sorted(hours):
        if out and out[-1][0] + out[-1][1] == x:
            out[-1] = (out[-1][0], out[-1][1] + 1)
        else:
            out.append((x, 1))
    return out
