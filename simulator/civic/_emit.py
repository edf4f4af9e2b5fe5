"""Turning a step of work into the calls an audited MCP server records.

A :class:`Session` is one assistant session of one person (or job) on one client; the first
time it touches a server it lists that server's tools (``tools/list``). A call fails on its own
at its tool's rate, and every billing call fails while the vendor is down. The assistant retries
a timeout or ``service_unavailable`` with the same arguments (after 1 s, then 2 s, plus its own
think time; three attempts at most); ``forbidden`` is recorded as ``denied``. Calls outside the
span are dropped, as a recording window would.
"""

from __future__ import annotations

import math
import random
from typing import Any, Final

from ..model import SimCall
from ._values import args_for, uri_for
from .catalog import TOOLS, Tool, server_of_uri
from .events import Calendar

__all__ = ["Recorder", "Session"]

_RESOURCE_KB: Final = {"kb://": 6, "plans://": 700, "gis://": 140, "docs://": 90, "minutes://": 45}
_WRITE_ERRORS: Final = (
    ("validation_error", 0.35), ("conflict", 0.25), ("timeout", 0.2), ("not_found", 0.1),
    ("forbidden", 0.1),
)  # fmt: skip
_READ_ERRORS: Final = (
    ("not_found", 0.45),
    ("timeout", 0.3),
    ("forbidden", 0.1),
    ("internal_error", 0.15),
)
_RETRIED: Final = frozenset({"timeout", "service_unavailable"})
_LIST_BYTES: Final = {
    s: sum(480 for t in TOOLS.values() if t.server == s) for s in {t.server for t in TOOLS.values()}
}


class Session:
    """One assistant session: who, which agent and client (at its version), what it listed."""

    __slots__ = ("agent", "client", "id", "listed", "user", "version")

    def __init__(self, user: str, agent: str, client: str, version: str, sid: str) -> None:
        self.user, self.agent, self.client, self.version, self.id = (
            user, agent, client, version, sid,
        )  # fmt: skip
        self.listed: set[str] = set()


class Recorder:
    """Collects the recorded calls of the span ``[lo, hi)``."""

    __slots__ = ("cal", "calls", "hi", "lo", "rng")

    def __init__(self, rng: random.Random, cal: Calendar, lo: int, hi: int) -> None:
        self.rng, self.cal, self.lo, self.hi = rng, cal, lo, hi
        self.calls: list[SimCall] = []

    def session(self, user: str, agent: str, client: str, ts: int) -> Session:
        return Session(user, agent, client, self.cal.version(client, ts), self.hex(16))

    def hex(self, n: int) -> str:
        return f"{self.rng.getrandbits(4 * n):0{n}x}"

    def _add(self, c: SimCall) -> None:
        if self.lo <= c.ts < self.hi:
            self.calls.append(c)

    def _size(self, median: int, sigma: float = 0.45) -> int:
        return max(60, int(median * math.exp(self.rng.gauss(0.0, sigma))))

    def _list(self, s: Session, server: str, ts: int, trace: str, label: str) -> int:
        dur = self._size(90_000, 0.3)
        self._add(SimCall(ts, server, "tools/list", None, None, {}, s.user, s.agent, s.client,
                          s.version, s.id, trace, "ok", None, dur,
                          self._size(_LIST_BYTES[server], 0.05), label))  # fmt: skip
        s.listed.add(server)
        return ts + dur + self.rng.randint(150_000, 900_000)

    def read(self, s: Session, ts: int, scheme: str, trace: str, label: str = "") -> int:
        """``s`` reads a resource of ``scheme``; returns when the assistant moves on."""
        server, uri = server_of_uri(scheme), uri_for(scheme, self.rng)
        if server not in s.listed:
            ts = self._list(s, server, ts, trace, label)
        dur = self._size(160_000)
        self._add(SimCall(ts, server, "resources/read", None, uri, {}, s.user, s.agent,
                          s.client, s.version, s.id, trace, "ok", None, dur,
                          self._size(_RESOURCE_KB[scheme] * 1000, 0.6), label))  # fmt: skip
        return ts + dur + self.rng.randint(2_000_000, 25_000_000)

    def _failure(self, t: Tool, ts: int) -> str | None:
        if t.server == "billing" and self.cal.down(ts) and self.rng.random() < 0.9:
            return "service_unavailable"
        if self.rng.random() >= t.fail:
            return None
        table = _READ_ERRORS if t.read else _WRITE_ERRORS
        return self.rng.choices([e for e, _ in table], [w for _, w in table])[0]

    def call(
        self,
        s: Session,
        ts: int,
        tool: str,
        trace: str,
        ctx: dict[str, Any],
        label: str = "",
        *,
        args: dict[str, Any] | None = None,
        error: str | None = None,
        result: int | None = None,
        retry: bool = True,
    ) -> int:
        """``s`` calls ``tool`` at ``ts`` (arguments from ``ctx`` unless given; ``error`` and
        ``result`` force the outcome and size); returns when the assistant moves on."""
        t = TOOLS[tool]
        if t.server not in s.listed:
            ts = self._list(s, t.server, ts, trace, label)
        a = args_for(t.fields, self.rng, ctx) if args is None else args
        forced = error is not None or result is not None
        for attempt in range(3):
            err = error if forced else self._failure(t, ts)
            if err is None:
                dur = self._size(t.ms * 1000)
                size = result if result is not None else self._size(t.result_bytes)
                outcome = "ok"
            else:
                dur = 30_000_000 if err == "timeout" else self._size(t.ms * 400)
                size = self._size(260, 0.3)
                outcome = "denied" if err == "forbidden" else "error"
            self._add(SimCall(ts, t.server, "tools/call", tool, None, a, s.user, s.agent,
                              s.client, s.version, s.id, trace, outcome, err, dur, size,
                              label))  # fmt: skip
            ts += dur
            if err not in _RETRIED or not retry or forced:
                break
            ts += (1 + attempt) * 1_000_000 + self.rng.randint(200_000, 3_000_000)
        return ts + self.rng.randint(1_500_000, 20_000_000)
