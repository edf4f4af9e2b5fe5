"""Turns intended actions into :class:`SimCall` rows: sizes, durations, errors, sessions.

A :class:`Trail` holds the calls of one generation and a seeded ``random.Random``; a session
opens with ``tools/list`` on each server it is about to use (what an MCP client does when it
connects), then its calls follow at human or machine pace.
"""

from __future__ import annotations

import random
from typing import Any, Final

from tooltrail.simulator.model import SimCall

from .catalog import TOOLS

__all__ = ["LIST_BYTES", "Trail"]

LIST_BYTES: Final = {
    "lms": 9_400,
    "rds": 3_900,
    "hpc": 3_100,
    "library": 2_600,
    "identity": 4_800,
    "mail": 2_900,
    "finance": 3_700,
    "helpdesk": 3_300,
    "registrar": 3_500,
    "git": 3_200,
    "instruments": 2_200,
}
_READ_BYTES: Final = {
    "lms://": (20_000, 900_000),
    "rds://": (5_000, 2_000_000),
    "library://": (3_000, 40_000),
    "hpc://": (2_000, 200_000),
    "kb://": (1_000, 8_000),
}
_READ_SERVER: Final = {
    "lms://": "lms",
    "rds://": "rds",
    "library://": "library",
    "hpc://": "hpc",
    "kb://": "helpdesk",
}
#: background failure rates for ordinary calls: (probability, outcome, error type)
_NOISE: Final = (
    (0.006, "error", "timeout"),
    (0.012, "error", "validation_error"),
    (0.004, "error", "not_found"),
    (0.002, "denied", "forbidden"),
)


class Trail:
    """The calls of one simulation, with the seeded randomness that sizes them."""

    __slots__ = ("_n", "calls", "rng")

    def __init__(self, rng: random.Random) -> None:
        self.calls: list[SimCall] = []
        self.rng = rng
        self._n = 0

    def session(self, user: str) -> str:
        self._n += 1
        return f"{user[:24]}-{self._n:07d}"

    def listing(
        self, ts: int, server: str, who: tuple[str, str, str, str], sid: str, label: str = ""
    ) -> SimCall:
        """``tools/list`` on ``server`` at ``ts``."""
        r = self.rng
        c = SimCall(
            ts,
            server,
            "tools/list",
            None,
            None,
            {},
            *who,
            sid,
            f"{sid}-l{server}",
            "ok",
            None,
            r.randint(20, 90) * 1000,
            LIST_BYTES[server],
            label,
        )
        self.calls.append(c)
        return c

    def tool(
        self,
        ts: int,
        tool: str,
        args: dict[str, Any],
        who: tuple[str, str, str, str],
        sid: str,
        label: str = "",
        *,
        outcome: str = "",
        error: str | None = None,
        result: int = 0,
    ) -> SimCall:
        """One ``tools/call``; ``outcome`` forces one (else background noise decides), ``result``
        forces the result size."""
        r = self.rng
        server, (blo, bhi), (dlo, dhi) = TOOLS[tool]
        if not outcome:
            outcome, x = "ok", r.random()
            for p, o, e in _NOISE:
                if x < p:
                    outcome, error = o, e
                    break
                x -= p
        ms = r.randint(dlo, dhi)
        if outcome == "ok":
            size = result or int(blo * (bhi / blo) ** r.random())
        else:
            size = r.randint(120, 400)
            if error == "timeout":
                ms = dhi * 3 + r.randint(0, 30_000)
        c = SimCall(
            ts,
            server,
            "tools/call",
            tool,
            None,
            args,
            *who,
            sid,
            f"{sid}-{len(self.calls) % 100_000:05d}",
            outcome,
            error,
            ms * 1000,
            size,
            label,
        )
        self.calls.append(c)
        return c

    def read(
        self, ts: int, uri: str, who: tuple[str, str, str, str], sid: str, label: str = ""
    ) -> SimCall:
        """One ``resources/read`` of ``uri``."""
        r = self.rng
        scheme = uri[: uri.index("://") + 3]
        lo, hi = _READ_BYTES[scheme]
        c = SimCall(
            ts,
            _READ_SERVER[scheme],
            "resources/read",
            None,
            uri,
            {},
            *who,
            sid,
            f"{sid}-r{len(self.calls) % 100_000:05d}",
            "ok",
            None,
            r.randint(30, 600) * 1000,
            int(lo * (hi / lo) ** r.random()),
            label,
        )
        self.calls.append(c)
        return c
