"""Sessions that write calls: a person's assistant opens a session (``tools/list`` on each
server it will use), then calls tools and reads resources one after another at a human pace.

Errors happen where they would: validation errors on hand-typed arguments, timeouts on the
SCADA gateway and the historian (more under load), ``forbidden`` (outcome ``denied``) when a
role lacks the right, ``not_found`` on lookups, ``conflict`` on a step already confirmed.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from tooltrail.simulator import SimCall

from .catalog import KIND, SIZES, TOOLS

__all__ = ["Actor", "Session", "Writer", "sub_rng"]

_URI_SERVER = {"scada": "scada", "gis": "gis", "docs": "docs", "oms": "oms", "otcfg": "otconfig"}


def sub_rng(seed: int, *parts: object) -> random.Random:
    """A generator of its own for ``parts`` (no reliance on ``hash``: PYTHONHASHSEED-proof)."""
    key = "/".join(str(p) for p in (seed, *parts))
    return random.Random(key)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who calls: a person or a service account, its assistant, client and role."""

    name: str
    role: str
    agent: str
    client: str
    client_version: str
    tz_hours: float


class Writer:
    """Collects calls; hands out sessions with their own ids."""

    __slots__ = ("_n", "calls", "rng", "strain")

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.calls: list[SimCall] = []
        self.strain = 0.0  # extra timeout chance while the grid is under stress
        self._n = 0

    def session(
        self, actor: Actor, ts: int, servers: tuple[str, ...] = (), label: str = ""
    ) -> Session:
        self._n += 1
        sid = f"{actor.name[:3]}-{self.rng.getrandbits(40):010x}"
        s = Session(self, actor, ts, sid, label)
        for server in servers:
            s.list_tools(server)
        return s


class Session:
    """One assistant session: calls in order, each a few seconds after the last."""

    __slots__ = ("actor", "denied", "label", "sid", "trace", "ts", "w")

    def __init__(self, w: Writer, actor: Actor, ts: int, sid: str, label: str) -> None:
        self.w, self.actor, self.ts, self.sid, self.label = w, actor, ts, sid, label
        self.trace = f"{w.rng.getrandbits(64):016x}"
        self.denied: frozenset[str] = frozenset()

    def wait(self, lo: float, hi: float) -> None:
        self.ts += int(self.w.rng.uniform(lo, hi) * 1e6)

    def _emit(
        self,
        server: str,
        method: str,
        tool: str | None,
        uri: str | None,
        args: dict[str, Any],
        size: int,
        error: str | None,
        label: str | None,
    ) -> SimCall:
        rng = self.w.rng
        base = 120_000 if method == "tools/list" else 40_000 + size * 8
        duration = int(base * rng.lognormvariate(0.0, 0.5)) + 1_000
        if error == "timeout":
            duration = 30_000_000 + rng.randrange(500_000)
        outcome = "ok" if error is None else ("denied" if error == "forbidden" else "error")
        call = SimCall(
            ts=self.ts,
            server=server,
            method=method,
            tool=tool,
            resource_uri=uri,
            args=args,
            user=self.actor.name,
            agent=self.actor.agent,
            client=self.actor.client,
            client_version=self.actor.client_version,
            session_id=self.sid,
            trace_id=self.trace,
            outcome=outcome,
            error_type=error,
            duration_us=duration,
            result_bytes=max(60, size if error is None else 180),
            label=self.label if label is None else label,
        )
        self.w.calls.append(call)
        self.ts += duration
        return call

    def list_tools(self, server: str) -> None:
        n = sum(1 for s in TOOLS.values() if s == server)
        self._emit(server, "tools/list", None, None, {}, 900 * n, None, None)
        self.wait(0.5, 3)

    def read(self, uri: str, size: int = 0, label: str | None = None) -> SimCall:
        server = _URI_SERVER[uri.split("://", 1)[0]]
        size = size or int(self.w.rng.uniform(3_000, 60_000))
        call = self._emit(server, "resources/read", None, uri, {}, size, None, label)
        self.wait(5, 40)
        return call

    def call(
        self,
        tool: str,
        args: dict[str, Any],
        *,
        size: int = 0,
        error: str | None = None,
        label: str | None = None,
        think: tuple[float, float] = (4, 45),
        fated: bool = True,
    ) -> SimCall:
        """Call ``tool``; ``fated``: the server may fail it (else it ends as ``error`` says)."""
        rng = self.w.rng
        kind = KIND[tool]
        if not size:
            lo, hi = SIZES[kind]
            size = int(math.exp(rng.uniform(math.log(lo), math.log(hi))))
        if error is None and fated:
            error = self._fate(tool, kind)
        call = self._emit(TOOLS[tool], "tools/call", tool, None, args, size, error, label)
        self.wait(*think)
        if fated and error == "validation_error" and rng.random() < 0.8:  # fixed and sent again
            call = self._emit(TOOLS[tool], "tools/call", tool, None, args, size, None, label)
            self.wait(*think)
        return call

    def _fate(self, tool: str, kind: str) -> str | None:
        r = self.w.rng.random()
        if tool in self.denied:
            return "forbidden"
        server = TOOLS[tool]
        if server in ("scada", "historian") and r < 0.004 + self.w.strain:
            return "timeout"
        if server == "oms" and r < 0.002 + self.w.strain / 2:
            return "service_unavailable"
        if r > 0.985 and kind == "w":
            return "validation_error"
        if r > 0.992 and kind == "r":
            return "not_found"
        return None
