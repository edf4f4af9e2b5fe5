"""Turns an actor's action into the :class:`SimCall` a real emitter would record.

Durations and result sizes scatter around each tool's typical cost; a session opens with
``tools/list`` on each server the actor reaches; trace ids are random per call.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from tooltrail.simulator import SimCall

from .catalog import COST, URI_SERVER, server_of

__all__ = ["Actor", "Trail"]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who calls: a person or a service account, with the servers it lists on a new session."""

    name: str
    agent: str
    client: str
    version: str
    servers: tuple[str, ...]


@dataclass
class Trail:
    """The calls made so far; ``sessions`` keys (actor, shift) to a session id. A session's
    ``tools/list`` calls carry the label of the call that opened it."""

    rng: random.Random
    calls: list[SimCall] = field(default_factory=list)
    sessions: dict[tuple[str, int], str] = field(default_factory=dict)

    def _session(self, who: Actor, ts: int, shift: int, label: str) -> str:
        key = (who.name, shift)
        sid = self.sessions.get(key)
        if sid is None:
            sid = f"{self.rng.getrandbits(64):016x}"
            self.sessions[key] = sid
            for k, server in enumerate(who.servers):
                at = ts - (len(who.servers) - k) * 400_000
                size = 3_000 + 900 * k
                self._add(at, server, "tools/list", None, None, {}, who, sid, "ok", None,
                          60_000, size, label)  # fmt: skip
        return sid

    def _add(self, ts: int, server: str, method: str, tool: str | None, uri: str | None,
             args: dict[str, Any], who: Actor, sid: str, outcome: str, err: str | None,
             dur: int, size: int, label: str) -> None:  # fmt: skip
        self.calls.append(
            SimCall(ts, server, method, tool, uri, args, who.name, who.agent, who.client,
                    who.version, sid, f"{self.rng.getrandbits(64):016x}", outcome, err,
                    max(1, dur), max(1, size), label)
        )  # fmt: skip

    def call(
        self,
        ts: int,
        who: Actor,
        tool: str,
        args: dict[str, Any],
        *,
        shift: int,
        err: str | None = None,
        size: float = 1.0,
        nbytes: int | None = None,
        label: str = "",
    ) -> int:
        """Record a tool call (``err``: its error type; ``size``: result scale, ``nbytes``:
        the exact result size); returns when it ends."""
        sid = self._session(who, ts, shift, label)
        ms = COST[tool][0]
        dur = int(ms * 1000 * self.rng.lognormvariate(0, 0.35))
        outcome = "ok" if err is None else ("denied" if err == "forbidden" else "error")
        if err == "timeout":
            dur = 30_000_000
        typical = int(COST[tool][1] * size * self.rng.lognormvariate(0, 0.3))
        out = 180 if err is not None else (typical if nbytes is None else nbytes)
        self._add(ts, server_of(tool), "tools/call", tool, None, args, who, sid, outcome, err,
                  dur, out, label)  # fmt: skip
        return ts + dur

    def read(
        self, ts: int, who: Actor, uri: str, nbytes: int, *, shift: int, label: str = ""
    ) -> int:
        """Record a resources/read of ``uri``; returns when it ends."""
        sid = self._session(who, ts, shift, label)
        server = next(s for p, s in URI_SERVER.items() if uri.startswith(p))
        dur = int((50_000 + nbytes / 20) * self.rng.lognormvariate(0, 0.3))
        self._add(ts, server, "resources/read", None, uri, {"uri": uri}, who, sid, "ok", None,
                  dur, int(nbytes * self.rng.lognormvariate(0, 0.2)), label)  # fmt: skip
        return ts + dur
