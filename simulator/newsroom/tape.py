"""The recorder of the simulated newsroom: one :class:`SimCall` per MCP request, as a server
would record it.

Latency and result size are log-normal around the tool's medians (``catalog.TOOLS``); an error
or a refusal returns a short JSON-RPC error body instead of the result. A session is one
person's agent connected to one server for a sitting (four hours); a trace is one task
(a story step, a ticket, a job run). Every call may time out (0.3 %), as any network call can.
"""

from __future__ import annotations

import hashlib
import math
import random
from typing import Any, Final

from ..model import SimCall
from .catalog import SCHEME_SERVER, TOOLS
from .org import HOUR_US, Person

__all__ = ["Tape", "text"]

_SITTING_US: Final = 4 * HOUR_US
# fmt: off
_WORDS: Final = (
    "the", "minister", "said", "on", "tuesday", "that", "talks", "would", "resume", "after",
    "the", "vote", "while", "officials", "in", "the", "capital", "warned", "of", "further",
    "delays", "to", "the", "budget", "which", "analysts", "expect", "to", "pass", "with", "a",
    "narrow", "majority", "despite", "protests", "outside", "parliament", "and", "a", "sharp",
    "fall", "in", "the", "currency",
)
# fmt: on
_TEXT: Final = " ".join(_WORDS * 400)
_CUTS: dict[int, str] = {}


def text(n: int) -> str:
    """About ``n`` characters of copy (cached by 100-character steps: drafts share buffers)."""
    n = max(20, min(n, len(_TEXT)) // 100 * 100)
    got = _CUTS.get(n)
    if got is None:
        got = _CUTS[n] = _TEXT[:n]
    return got


class Tape:
    """Appends calls; ``day_of(ts)`` picks each person's client version for the day."""

    __slots__ = ("_sessions", "calls", "marks", "rng", "start_us")

    def __init__(self, rng: random.Random, start_us: int) -> None:
        self.rng = rng
        self.start_us = start_us
        self.calls: list[SimCall] = []
        self._sessions: dict[tuple[str, str, str, int], str] = {}
        #: user → (from µs, to µs, label): that person's calls in the span carry the label
        self.marks: dict[str, tuple[int, int, str]] = {}

    def trace(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"

    def session(self, user: str, agent: str, server: str, ts: int) -> str:
        key = (user, agent, server, ts // _SITTING_US)
        sid = self._sessions.get(key)
        if sid is None:
            raw = "|".join(map(str, key)).encode()
            sid = self._sessions[key] = hashlib.blake2b(raw, digest_size=16).hexdigest()
        return sid

    def call(
        self,
        p: Person,
        ts: int,
        tool: str,
        args: dict[str, Any],
        *,
        trace: str = "",
        agent: str | None = None,
        label: str = "",
        outcome: str = "ok",
        error: str | None = None,
        result: int | None = None,
        ms: float | None = None,
    ) -> int:
        """Record ``tool`` called by ``p`` at ``ts``; returns the time it finished (µs)."""
        spec = TOOLS[tool]
        rng = self.rng
        if outcome == "ok" and rng.random() < 0.003:
            outcome, error = "error", "timeout"
        if outcome == "error" and error == "timeout":
            dur = int(30_000_000 * (1 + rng.random() * 0.1))
        else:
            dur = max(800, int((ms or spec.ms) * 1000 * math.exp(rng.gauss(0, 0.45))))
        if outcome != "ok":
            size = rng.randint(90, 320)
        elif result is not None:
            size = max(40, result)
        else:
            size = max(40, int(spec.result * math.exp(rng.gauss(0, 0.55))))
        self._add(
            p,
            ts,
            spec.server,
            "tools/call",
            tool,
            None,
            args,
            trace,
            agent,
            label,
            outcome,
            error,
            dur,
            size,
        )
        return ts + dur

    def read(
        self,
        p: Person,
        ts: int,
        uri: str,
        *,
        trace: str = "",
        agent: str | None = None,
        label: str = "",
        size: int = 6_000,
    ) -> int:
        """A ``resources/read`` of ``uri`` (its scheme names the server)."""
        server = next(s for scheme, s in SCHEME_SERVER.items() if uri.startswith(scheme))
        dur = max(800, int(40_000 * math.exp(self.rng.gauss(0, 0.4))))
        size = max(200, int(size * math.exp(self.rng.gauss(0, 0.5))))
        self._add(
            p,
            ts,
            server,
            "resources/read",
            None,
            uri,
            {"uri": uri},
            trace,
            agent,
            label,
            "ok",
            None,
            dur,
            size,
        )
        return ts + dur

    def listing(self, p: Person, ts: int, server: str, agent: str, size: int) -> None:
        """A ``tools/list`` on ``server`` (what a hook records after the server restarted)."""
        self._add(
            p,
            ts,
            server,
            "tools/list",
            None,
            None,
            {},
            "",
            agent,
            "",
            "ok",
            None,
            max(800, int(9_000 * math.exp(self.rng.gauss(0, 0.3)))),
            size,
        )

    def _add(
        self,
        p: Person,
        ts: int,
        server: str,
        method: str,
        tool: str | None,
        uri: str | None,
        args: dict[str, Any],
        trace: str,
        agent: str | None,
        label: str,
        outcome: str,
        error: str | None,
        dur: int,
        size: int,
    ) -> None:
        who = agent or p.agents[0]
        mark = self.marks.get(p.name)
        if mark is not None and not label and mark[0] <= ts < mark[1]:
            label = mark[2]
        day = (ts - self.start_us) // (24 * HOUR_US)
        self.calls.append(
            SimCall(
                ts=ts,
                server=server,
                method=method,
                tool=tool,
                resource_uri=uri,
                args=args,
                user=p.name,
                agent=who,
                client=p.client,
                client_version=p.version(day),
                session_id=self.session(p.name, who, server, ts),
                trace_id=trace or self.trace(),
                outcome=outcome,
                error_type=error,
                duration_us=dur,
                result_bytes=size,
                label=label,
            )
        )
