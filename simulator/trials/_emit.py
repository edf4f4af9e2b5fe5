"""Turning a step of work into the calls an audited MCP server records.

A :class:`Session` is one agent connection: it lists a server's tools (``tools/list``) the first
time it calls that server. :meth:`Emitter.call` draws the outcome, duration and answer size of a
tool call from the tool's scales and the moment (an outage window answers
``service_unavailable``); a timeout or ``service_unavailable`` is retried with the same arguments
(1 s then 2 s backoff plus think time, three attempts at most); ``forbidden`` is recorded as
``denied``. Calls outside the span are dropped, as a recording window would.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, replace
from typing import Any, Final

from ..model import SimCall
from .catalog import TOOLS

__all__ = ["Emitter", "Session", "with_lists"]

SECOND: Final = 1_000_000
_TRANSIENT: Final = ("timeout", "service_unavailable")
_PROSE: Final = (
    "Subject reported grade 2 nausea on day 3 of cycle 2, resolved without sequelae; "
    "concomitant ondansetron 8 mg. Investigator assessed as possibly related to study drug. "
    "ECG QTcF 438 ms, within range. Vital signs stable, BP 128/82, HR 74. Dose not modified. "
    "Source document verified against clinic notes; visit window met; informed consent v3 "
    "signed before procedures. Lab values: ALT 41 U/L, AST 38 U/L, creatinine 0.9 mg/dL. "
)


@dataclass(slots=True)
class Session:
    user: str
    agent: str
    client: str
    version: str
    sid: str
    listed: set[str] = field(default_factory=set)


class Emitter:
    """Collects the calls of one simulation; ``origin`` is the span's first µs."""

    __slots__ = ("auto_list", "calls", "end", "error_boost", "origin", "outages", "rng")

    def __init__(
        self, rng: random.Random, origin: int, end: int, outages: list[tuple[str, int, int]]
    ) -> None:
        self.rng = rng
        self.origin = origin
        self.end = end
        self.outages = outages
        self.calls: list[SimCall] = []
        #: list a server's tools on a session's first call to it as calls are made; off when
        #: calls are made out of time order and :func:`with_lists` adds the lists afterwards
        self.auto_list = True
        #: (server, from, to) -> extra probability of a validation error on writes
        self.error_boost: list[tuple[str, int, int, float]] = []

    def hexid(self, bits: int = 64) -> str:
        return f"{self.rng.getrandbits(bits):0{bits // 4}x}"

    def session(self, user: str, agent: str, client: str, version: str) -> Session:
        return Session(user, agent, client, version, self.hexid(96))

    def _add(self, s: Session, ts: int, server: str, method: str, tool: str | None,
             uri: str | None, args: dict[str, Any], trace: str, outcome: str,
             error: str | None, dur: int, size: int, label: str) -> None:  # fmt: skip
        if self.origin <= ts < self.end:
            self.calls.append(
                SimCall(
                    ts,
                    server,
                    method,
                    tool,
                    uri,
                    args,
                    s.user,
                    s.agent,
                    s.client,
                    s.version,
                    s.sid,
                    trace,
                    outcome,
                    error,
                    dur,
                    size,
                    label,
                )
            )

    def list_tools(self, s: Session, ts: int, server: str, trace: str, label: str = "") -> int:
        """``tools/list`` on ``server`` unless the session already did; returns the next µs."""
        if server in s.listed:
            return ts
        s.listed.add(server)
        dur = int(self.rng.lognormvariate(math.log(45_000), 0.4)) + 1
        size = int(self.rng.lognormvariate(math.log(5200), 0.15))
        self._add(s, ts, server, "tools/list", None, None, {}, trace, "ok", None, dur, size, label)
        return ts + dur + int(self.rng.uniform(0.2, 1.2) * SECOND)

    def read(self, s: Session, ts: int, server: str, uri: str, trace: str, size: int,
             label: str = "") -> int:  # fmt: skip
        """A ``resources/read`` of ``uri``; returns when it ends."""
        rng = self.rng
        dur = int(rng.lognormvariate(math.log(150_000 + size / 8), 0.5)) + 1
        if rng.random() < 0.01:
            self._add(s, ts, server, "resources/read", None, uri, {}, trace, "error",
                      "not_found", dur // 4 + 1, 180, label)  # fmt: skip
            return ts + dur // 4 + 1
        self._add(s, ts, server, "resources/read", None, uri, {}, trace, "ok", None, dur,
                  max(200, size), label)  # fmt: skip
        return ts + dur

    def call(self, s: Session, ts: int, tool: str, args: dict[str, Any], trace: str, *,
             label: str = "", result: int | None = None, error: str | None = None,
             list_first: bool = True) -> tuple[int, bool]:  # fmt: skip
        """One tool call (retried if it fails transiently); returns (µs it ends, succeeded).

        ``result``: the answer's size instead of the tool's scale; ``error``: the first attempt
        fails so (a transient one is then retried)."""
        t = TOOLS[tool]
        rng = self.rng
        if list_first and self.auto_list:
            ts = self.list_tools(s, ts, t.server, trace, label)
        for attempt in range(3):
            cause = error if attempt == 0 else None
            if cause is None:
                cause = self._outcome(t.server, t.kind, ts)
            if cause is None:
                dur = int(rng.lognormvariate(math.log(t.ms * 1000), 0.55)) + 1
                size = result if result is not None else self.size(tool)
                self._add(s, ts, t.server, "tools/call", tool, None, args, trace, "ok", None,
                          dur, size, label)  # fmt: skip
                return ts + dur, True
            if cause == "timeout":
                dur = int(rng.uniform(29.5, 30.5) * SECOND)
            else:
                dur = int(rng.lognormvariate(math.log(t.ms * 300), 0.5)) + 1
            outcome = "denied" if cause == "forbidden" else "error"
            size = int(rng.uniform(150, 420))
            self._add(s, ts, t.server, "tools/call", tool, None, args, trace, outcome, cause, dur,
                      size, label)  # fmt: skip
            ts += dur
            if cause not in _TRANSIENT:
                return ts, False
            ts += (1 << attempt) * SECOND + int(rng.uniform(0.1, 1.5) * SECOND)
        return ts, False

    def size(self, tool: str) -> int:
        t = TOOLS[tool]
        return max(120, int(self.rng.lognormvariate(math.log(t.result), 0.6)))

    def text(self, tool: str, scale: float = 1.0) -> str:
        """Free text of about the tool's usual length (a narrative, a form's values)."""
        n = max(8, int(self.rng.lognormvariate(math.log(TOOLS[tool].text * scale + 1), 0.5)))
        at = self.rng.randrange(len(_PROSE))
        return (_PROSE * (n // len(_PROSE) + 2))[at : at + n]

    def _outcome(self, server: str, kind: str, ts: int) -> str | None:
        for srv, a, b in self.outages:
            if srv == server and a <= ts < b:
                return "service_unavailable"
        r = self.rng.random()
        if r < 0.0025:
            return "timeout"
        if r < 0.0035:
            return "service_unavailable"
        if kind == "read":
            return "not_found" if r < 0.0095 else None
        boost = 0.0
        for srv, a, b, p in self.error_boost:
            if srv == server and a <= ts < b:
                boost = p
        if r < 0.016 + boost:
            return "validation_error"
        if r < 0.021 + boost:
            return "conflict"
        if r < 0.0245 + boost:
            return "forbidden"
        return None


def with_lists(rng: random.Random, calls: list[SimCall]) -> list[SimCall]:
    """``calls`` (in time order) with a ``tools/list`` 0.3-1.5 s before each session's first
    tool call on a server it has not listed yet (same trace and label as that call)."""
    listed: set[tuple[str, str]] = set()
    out: list[SimCall] = []
    for c in calls:
        key = (c.session_id, c.server)
        if c.method == "tools/list":
            listed.add(key)
        elif c.method == "tools/call" and key not in listed:
            listed.add(key)
            ts = c.ts - int(rng.uniform(0.3, 1.5) * SECOND)
            dur = min(int(rng.lognormvariate(math.log(45_000), 0.4)) + 1, c.ts - ts - 1)
            size = int(rng.lognormvariate(math.log(5200), 0.15))
            out.append(
                replace(
                    c,
                    ts=ts,
                    method="tools/list",
                    tool=None,
                    args={},
                    outcome="ok",
                    error_type=None,
                    duration_us=dur,
                    result_bytes=size,
                )
            )
        out.append(c)
    out.sort(key=lambda c: c.ts)  # a list lands before its call, after earlier calls
    return out
