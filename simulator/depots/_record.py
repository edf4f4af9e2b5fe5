"""The one place a depots call is built: sizes, durations, failures and retries per tool kind.

An :class:`Actor` is who calls (a person's assistant or a service identity); a :class:`Log`
collects calls. ``Log.call`` samples the outcome from the tool's kind and the actor's network
(a handheld on a mobile network times out and retries the same arguments).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any, Final

from ..model import SimCall
from .catalog import KINDS, TOOLS, server_of

__all__ = ["Actor", "Log"]

_MS: Final = 1_000

#: kind → (error rate, error types); denials are separate
_ERRORS: Final[dict[str, tuple[float, tuple[str, ...]]]] = {
    "read": (0.012, ("not_found", "timeout")),
    "write": (0.02, ("validation_error", "conflict", "timeout")),
    "delete": (0.01, ("not_found", "conflict")),
    "bulk": (0.03, ("timeout", "rate_limited")),
    "send": (0.02, ("provider_error", "rate_limited")),
    "admin": (0.02, ("validation_error", "conflict")),
}


@dataclass(frozen=True, slots=True)
class Actor:
    """Who calls: user (or service identity), its agent, client and the client's version."""

    user: str
    agent: str
    client: str
    client_version: str
    mobile: bool = False  # a handheld on a mobile network: timeouts, retries


class Log:
    """Calls as they are produced (unsorted), from one seeded ``random.Random``."""

    __slots__ = ("calls", "rng")

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.calls: list[SimCall] = []

    def session(self, actor: Actor, ts: int) -> str:
        return f"{actor.user}-{ts // 60_000_000:x}-{self.rng.getrandbits(24):06x}"

    def _trace(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"

    def _spread(self, median: float, factor: float) -> float:
        return median * math.exp(self.rng.gauss(0.0, math.log(factor) / 2))

    def _add(
        self,
        ts: int,
        server: str,
        method: str,
        tool: str | None,
        uri: str | None,
        args: dict[str, Any],
        actor: Actor,
        session: str,
        rest: tuple[str, str | None, int, int, str],
    ) -> None:
        """Append one call; ``rest``: outcome, error type, duration, result size, label."""
        outcome, error, dur, size, label = rest
        self.calls.append(
            SimCall(
                ts,
                server,
                method,
                tool,
                uri,
                args,
                actor.user,
                actor.agent,
                actor.client,
                actor.client_version,
                session,
                self._trace(),
                outcome,
                error,
                dur,
                size,
                label,
            )
        )

    def call(
        self,
        ts: int,
        actor: Actor,
        tool: str,
        args: dict[str, Any],
        session: str,
        *,
        label: str = "",
        result: int | None = None,
        least: int = 40,
        fail: tuple[str, str | None] | None = None,
    ) -> int:
        """Record one tools/call (and, on a handheld that timed out, its retries); returns the
        time after the last attempt. ``fail``: force this (outcome, error type), ``("ok", None)``
        included; ``result``: the median result size instead of the kind's, at least ``least``."""
        kind = TOOLS[tool]
        size, ms, factor = KINDS[kind]
        rate, kinds = _ERRORS[kind]
        rng = self.rng
        for _attempt in range(4):
            outcome, error = "ok", None
            if fail is not None:
                outcome, error = fail
            elif actor.mobile and rng.random() < 0.05:
                outcome, error = "error", "timeout"
            elif rng.random() < rate:
                outcome, error = "error", rng.choice(kinds)
            elif rng.random() < 0.003:
                outcome, error = "denied", "forbidden"
            dur = max(1, int(self._spread(ms, factor) * _MS))
            if error == "timeout":
                dur = int((8_000 if actor.mobile else 30_000) * _MS * (0.9 + 0.2 * rng.random()))
            got = self._spread(result or size, factor) if outcome == "ok" else 180
            size = max(least, int(got))
            self._add(
                ts,
                server_of(tool),
                "tools/call",
                tool,
                None,
                args,
                actor,
                session,
                (outcome, error, dur, size, label),
            )
            ts += dur + int(rng.uniform(0.5, 4.0) * 1_000_000)
            if not (actor.mobile and error == "timeout" and fail is None):
                break
        return ts

    def read(self, ts: int, actor: Actor, uri: str, session: str, *, label: str = "") -> int:
        """Record one resources/read of ``uri``; returns the time after it."""
        dur = max(1, int(self._spread(60, 1.8) * _MS))
        size = int(self._spread(45_000 if uri.endswith(".jpg") else 2_500, 1.8))
        self._add(
            ts,
            server_of(uri),
            "resources/read",
            None,
            uri,
            {"uri": uri},
            actor,
            session,
            ("ok", None, dur, size, label),
        )
        return ts + dur + int(self.rng.uniform(0.3, 2.0) * 1_000_000)

    def listing(self, ts: int, actor: Actor, server: str, session: str, *, label: str = "") -> int:
        """Record one tools/list on ``server`` (a client connecting); returns the time after."""
        dur = max(1, int(self._spread(25, 1.5) * _MS))
        size = int(self._spread(4_000, 1.3))
        self._add(
            ts, server, "tools/list", None, None, {}, actor, session, ("ok", None, dur, size, label)
        )
        return ts + dur + 200_000
