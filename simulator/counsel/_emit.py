"""Turning what a person's agent does into recorded calls, as an MCP client and server behave.

A :class:`Session` is one agent session: the first call to a server lists its tools
(``tools/list``); a timeout or ``service_unavailable`` (a server inside one of the recorder's
outage windows) is retried by the agent with the same arguments, after 1 s and then 2 s plus
think time, three attempts at most; ``forbidden`` is recorded as ``denied``; other errors are
the caller's to give and are not retried. Sizes and durations are lognormal around the
catalog's medians. Calls after the span's end are dropped by :func:`generate`, not here.
"""

from __future__ import annotations

import math
import random
from typing import Any, Final

from ..model import SimCall
from .catalog import RESOURCE_SERVER, TOOLS

__all__ = ["Recorder", "Session"]

SECOND: Final = 1_000_000
_TRANSIENT: Final = ("timeout", "service_unavailable")
_TIMEOUT_RATE: Final = 0.0025


class Recorder:
    """The calls made so far, and the windows (µs) in which a server is unavailable."""

    __slots__ = ("_n", "calls", "outages", "rng")

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.calls: list[SimCall] = []
        self.outages: dict[str, list[tuple[int, int]]] = {}
        self._n = 0

    def new_id(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}-{self._n:06d}-{self.rng.getrandbits(32):08x}"

    def down(self, server: str, ts: int) -> bool:
        return any(a <= ts < b for a, b in self.outages.get(server, ()))

    def session(self, user: str, agent: str, client: str, version: str, label: str = "") -> Session:
        return Session(self, user, agent, client, version, self.new_id("s"), label)


class Session:
    """One agent session of one user: lists a server's tools on its first call there."""

    __slots__ = ("agent", "client", "id", "label", "listed", "rec", "trace", "user", "version")

    def __init__(
        self, rec: Recorder, user: str, agent: str, client: str, version: str, sid: str, label: str
    ) -> None:
        self.rec, self.user, self.agent, self.client = rec, user, agent, client
        self.version, self.id, self.label = version, sid, label
        self.listed: set[str] = set()
        self.trace = rec.new_id("t")

    def task(self) -> Session:
        """Start a new piece of work (a new trace)."""
        self.trace = self.rec.new_id("t")
        return self

    def _add(self, ts: int, server: str, method: str, tool: str | None, uri: str | None,
             args: dict[str, Any], err: str | None, dur: int, size: int) -> None:  # fmt: skip
        outcome = "ok" if err is None else "denied" if err == "forbidden" else "error"
        self.rec.calls.append(
            SimCall(ts, server, method, tool, uri, args, self.user, self.agent, self.client,
                    self.version, self.id, self.trace, outcome, err, max(dur, 1000),
                    max(size, 60), self.label)
        )  # fmt: skip

    def _list(self, ts: int, server: str) -> int:
        if server in self.listed:
            return ts
        self.listed.add(server)
        rng = self.rec.rng
        tools = sum(1 for t in TOOLS.values() if t[0] == server)
        dur = int(rng.lognormvariate(math.log(140_000), 0.4))
        self._add(ts, server, "tools/list", None, None, {}, None, dur, tools * 430 + 220)
        return ts + dur + rng.randint(200_000, 900_000)

    def call(
        self,
        ts: int,
        tool: str,
        args: dict[str, Any],
        *,
        error: str | None = None,
        result: int | None = None,
        think: float = 20.0,
    ) -> int:
        """Call ``tool`` at ``ts`` (``error``: how it fails; ``result``: its size); returns
        when the agent is ready for its next call (after ``think`` seconds, on average)."""
        server, _, _, median, ms = TOOLS[tool]
        rng = self.rec.rng
        ts = self._list(ts, server)
        for attempt in range(3):
            err = error
            if err is None and self.rec.down(server, ts) and rng.random() < 0.97:
                err = "service_unavailable"
            elif err is None and rng.random() < _TIMEOUT_RATE:
                err = "timeout"
            if err == "timeout":
                dur, size = 30 * SECOND, 180
            elif err is not None:
                dur, size = int(rng.uniform(40_000, 300_000)), rng.randint(150, 420)
            else:
                dur = int(rng.lognormvariate(math.log(ms * 1000), 0.5))
                size = (
                    result if result is not None else int(rng.lognormvariate(math.log(median), 0.6))
                )
            self._add(ts, server, "tools/call", tool, None, args, err, dur, size)
            ts += dur
            if err not in _TRANSIENT:
                break
            ts += (1 << attempt) * SECOND + int(rng.uniform(0.2, 3.0) * SECOND)
        return ts + int(rng.expovariate(1 / think) * SECOND) + SECOND

    def read(self, ts: int, uri: str, *, result: int | None = None, think: float = 20.0) -> int:
        """Read the resource ``uri`` (a document opened into the agent's context)."""
        server = RESOURCE_SERVER[uri[: uri.index("://") + 3]]
        rng = self.rec.rng
        ts = self._list(ts, server)
        dur = int(rng.lognormvariate(math.log(300_000), 0.5))
        size = result if result is not None else int(rng.lognormvariate(math.log(40_000), 0.7))
        self._add(ts, server, "resources/read", None, uri, {}, None, dur, size)
        return ts + dur + int(rng.expovariate(1 / think) * SECOND) + SECOND
