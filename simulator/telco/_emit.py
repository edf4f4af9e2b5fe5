"""Turning an intended call into what the audited server records: errors, retries, tools/list.

A :class:`Session` is one agent session of one person (or job): it lists a server's tools the
first time it calls that server, and its agent retries a ``timeout`` or ``service_unavailable``
with the same arguments (1 s then 3 s backoff plus think time; three attempts at most).
``forbidden`` is recorded as ``denied``. A :class:`Recorder` holds the calls and names traces
and sessions with opaque ids (a hash of its salt and a counter), so an id says nothing of when
or by whom it was made.
"""

from __future__ import annotations

import hashlib
import math
import random
from typing import Any, Final

from ..model import SimCall
from .catalog import TOOLS, URI_SERVER

__all__ = ["Recorder", "Session"]

SEC: Final = 1_000_000

#: base error rates by kind of tool: (cause, probability)
_ERRORS: Final[dict[str, tuple[tuple[str, float], ...]]] = {
    "read": (("not_found", 0.018), ("timeout", 0.003)),
    "search": (("validation_error", 0.006), ("timeout", 0.005)),
    "export": (("timeout", 0.02),),
    "write": (("validation_error", 0.012), ("conflict", 0.006), ("timeout", 0.003)),
    "destroy": (("not_found", 0.02), ("conflict", 0.01)),
}
_RETRIED: Final = frozenset({"timeout", "service_unavailable"})


class Recorder:
    """The calls made so far, and the counters that name traces and sessions."""

    __slots__ = ("_salt", "_session", "_trace", "calls")

    def __init__(self, salt: str = "") -> None:
        self.calls: list[SimCall] = []
        self._salt = salt
        self._trace = 0
        self._session = 0

    def _id(self, kind: str, n: int) -> str:
        return hashlib.blake2b(f"{self._salt}:{kind}:{n}".encode(), digest_size=6).hexdigest()

    def trace(self) -> str:
        self._trace += 1
        return f"tr-{self._id('trace', self._trace)}"

    def session(self, user: str, agent: str, client: str, version: str, label: str = "") -> Session:
        self._session += 1
        sid = f"ses-{self._id('session', self._session)}"
        return Session(self, user, agent, client, version, sid, label)


class Session:
    """One agent session: who, which client, which servers it has listed."""

    __slots__ = ("agent", "client", "label", "listed", "rec", "sid", "user", "version")

    def __init__(
        self, rec: Recorder, user: str, agent: str, client: str, version: str, sid: str,
        label: str,
    ) -> None:  # fmt: skip
        self.rec, self.user, self.agent, self.client = rec, user, agent, client
        self.version, self.sid, self.label = version, sid, label
        self.listed: set[str] = set()

    def _add(
        self, ts: int, server: str, method: str, tool: str | None, uri: str | None,
        args: dict[str, Any], trace: str, outcome: str, error: str | None, dur: int, size: int,
    ) -> None:  # fmt: skip
        self.rec.calls.append(
            SimCall(ts, server, method, tool, uri, args, self.user, self.agent, self.client,
                    self.version, self.sid, trace, outcome, error, max(dur, 1), max(size, 1),
                    self.label)
        )  # fmt: skip

    def list_tools(self, ts: int, server: str, trace: str, rng: random.Random) -> int:
        """List ``server``'s tools if this session has not; the time after it."""
        if server in self.listed:
            return ts
        self.listed.add(server)
        n = sum(1 for t in TOOLS.values() if t.server == server)
        dur = int(rng.uniform(40, 120) * 1000)
        self._add(ts, server, "tools/list", None, None, {}, trace, "ok", None, dur, 420 * n)
        return ts + dur + int(rng.uniform(0.05, 0.3) * SEC)

    def call(
        self,
        ts: int,
        tool: str,
        args: dict[str, Any],
        trace: str,
        rng: random.Random,
        *,
        error: str | None = None,
        fail: float = 1.0,
        size: int | None = None,
        retry: bool = True,
    ) -> int:
        """Call ``tool`` at ``ts`` (listing its server first); the time the agent is done.

        ``error``: this cause with probability ``fail`` instead of the tool's usual errors;
        ``size``: the result's bytes instead of the tool's usual."""
        t = TOOLS[tool]
        ts = self.list_tools(ts, t.server, trace, rng)
        for attempt in range(3):
            cause = error if error is not None and rng.random() < fail else None
            if error is None:
                for name, p in _ERRORS[t.kind]:
                    if rng.random() < p:
                        cause = name
                        break
            if cause == "timeout":
                dur = int(30 * SEC * rng.uniform(0.98, 1.02))
            else:
                dur = int(t.ms * 1000 * math.exp(rng.gauss(0, 0.45)))
            if cause is None:
                got = size if size is not None else int(t.kb * 1000 * math.exp(rng.gauss(0, 0.6)))
                self._add(ts, t.server, "tools/call", tool, None, args, trace, "ok", None, dur,
                          got)  # fmt: skip
                return ts + dur
            outcome = "denied" if cause == "forbidden" else "error"
            body = int(rng.uniform(90, 320))
            self._add(ts, t.server, "tools/call", tool, None, args, trace, outcome, cause, dur,
                      body)  # fmt: skip
            if not retry or cause not in _RETRIED:
                return ts + dur
            ts += dur + (1 + 2 * attempt) * SEC + int(rng.uniform(0.2, 2.0) * SEC)
        return ts

    def read(self, ts: int, uri: str, trace: str, rng: random.Random, kb: float = 8) -> int:
        """Read a resource (``resources/read``); the time after it."""
        server = next(s for p, s in URI_SERVER.items() if uri.startswith(p))
        dur = int(rng.uniform(30, 200) * 1000)
        size = int(kb * 1000 * math.exp(rng.gauss(0, 0.5)))
        self._add(ts, server, "resources/read", None, uri, {}, trace, "ok", None, dur, size)
        return ts + dur
