"""An agent working one item: a plan of tool calls carried out as an MCP client would.

:class:`Runner` turns a plan (``[(server, tool), ...]``) into :class:`SimCall` records: model
think time between calls, a new MCP session (``initialize``, ``tools/list``) the first time a
seat talks to a server in a session scope (a day for IDE and chat apps, an item for CLI
agents), failures (a bad path or bad SQL that the agent fixes and retries once, timeouts,
denials), servers that are down or rate-limiting in bursts (``outages``; a per-user limit on
GitHub and Slack) answered by retries with exponential backoff. Every call is what a server's
emitter records: a tool call names no resource (only ``resources/read`` does). Deterministic
given its random generator; raises only on an unknown server or tool (a data bug).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Final

from ..model import SimCall
from ._calls import Workspace, args_for, result_bytes
from .catalog import SERVERS, tool
from .org import DAY_US, Seat

__all__ = ["Runner", "Step", "expand"]

_SECOND: Final = 1_000_000
_RATE_LIMITED: Final = {"github": 40, "slack": 30}  # calls per user per minute
_TOOLS_LIST_KB: Final = {s.name: 0.6 * len(s.tools) for s in SERVERS}


@dataclass(frozen=True, slots=True)
class Step:
    """``lo``–``hi`` calls of ``server``'s ``tool``, the step taken with probability ``p``."""

    server: str
    tool: str
    lo: int = 1
    hi: int = 1
    p: float = 1.0


def expand(
    steps: tuple[Step, ...],
    rng: random.Random,
    servers: frozenset[str] | None = None,
    scale: float = 1.0,
) -> list[tuple[str, str]]:
    """A plan from template steps: the steps taken, repeated, on the ``servers`` given only."""
    plan: list[tuple[str, str]] = []
    for s in steps:
        if (servers is not None and s.server not in servers) or rng.random() >= s.p:
            continue
        n = rng.randint(s.lo, max(s.lo, round(s.hi * scale)))
        plan.extend([(s.server, s.tool)] * n)
    return plan


@dataclass
class Runner:
    """Collects the calls of every item it runs (``calls``) and the PRs opened (``prs``)."""

    rng: random.Random
    start_us: int
    outages: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    calls: list[SimCall] = field(default_factory=list)
    prs: list[tuple[int, str]] = field(default_factory=list)
    _sessions: dict[tuple[str, str, str], str] = field(default_factory=dict)
    _recent: dict[tuple[str, str, int], int] = field(default_factory=dict)

    def run(
        self,
        plan: list[tuple[str, str]],
        *,
        user: str,
        ws: Workspace,
        seat: Seat,
        t0: int,
        scope: str,
        label: str = "",
        think_s: float = 0.0,
        size: float = 1.0,
    ) -> int:
        """Carry out ``plan`` from ``t0``; returns the time the last call ended.

        ``scope`` names the session scope; ``think_s`` the median model think time (by seat
        kind when 0); ``size`` scales the results (an export reads more than a lookup)."""
        rng, t = self.rng, t0
        trace = f"{rng.getrandbits(128):032x}"
        median = think_s or {"cli": 3.5, "ide": 6.0, "chat": 9.0}.get(seat.kind, 6.0)
        for server, name in plan:
            t += int(rng.lognormvariate(0.0, 0.7) * median * _SECOND)
            if rng.random() < 0.05:  # the person reads the output, answers the agent
                t += int(rng.uniform(30, 300) * _SECOND)
            sid = self._session(seat, server, scope, user, t, label, trace)
            t = self._call(server, name, user, ws, seat, sid, trace, t + 200_000, label, size)
        return t

    # -- one session, one call ------------------------------------------------------------------

    def _session(
        self, seat: Seat, server: str, scope: str, user: str, t: int, label: str, trace: str
    ) -> str:
        key = (seat.agent, server, scope)
        sid = self._sessions.get(key)
        if sid is None:
            sid = self._sessions[key] = f"{self.rng.getrandbits(128):032x}"
            kb = _TOOLS_LIST_KB[server]
            for i, (method, size) in enumerate((("initialize", 0.4), ("tools/list", kb))):
                self._emit(
                    server,
                    method,
                    None,
                    {},
                    user,
                    seat,
                    sid,
                    trace,
                    t + i * 40_000,
                    "ok",
                    None,
                    self.rng.randrange(2_000, 60_000),
                    int(size * 1024 * self.rng.uniform(0.9, 1.1)),
                    label,
                )
        return sid

    def _call(
        self,
        server: str,
        name: str,
        user: str,
        ws: Workspace,
        seat: Seat,
        sid: str,
        trace: str,
        t: int,
        label: str,
        scale: float,
    ) -> int:
        rng, spec = self.rng, tool(server, name)
        args = args_for(spec.shape, rng, ws)
        method, uri = "tools/call", None
        tool_name_: str | None = name
        if name == "gdrive_read_file" and rng.random() < 0.35:  # the client reads the resource
            method, tool_name_, uri = "resources/read", None, f"gdrive:///{args['fileId']}"
            args = {"uri": uri}
        fixed = False
        for attempt in range(5):
            ok, err, transient = self._outcome(spec.fail, spec.ms, spec.kind, server, user, t)
            dur = max(300, int(rng.lognormvariate(0.0, 0.8) * spec.ms * 1000))
            if err == "-32001":
                dur = rng.randrange(30, 60) * _SECOND
            size = result_bytes(rng, spec.result_kb * scale, ok)
            outcome = "ok" if ok else ("denied" if err == "not_permitted" else "error")
            self._emit(
                server,
                method,
                tool_name_,
                args,
                user,
                seat,
                sid,
                trace,
                t,
                outcome,
                err,
                dur,
                size,
                label,
                uri,
            )
            t += dur
            if ok or outcome == "denied":
                break
            if transient and attempt < 3:  # back off and retry: 1 s, 2 s, 4 s … with jitter
                t += int((2**attempt) * rng.uniform(0.8, 1.6) * _SECOND)
                continue
            if not transient and not fixed and rng.random() < 0.6:  # the agent fixes its call
                fixed = True
                t += int(rng.lognormvariate(0.0, 0.6) * 5 * _SECOND)
                args = args_for(spec.shape, rng, ws) if uri is None else args
                continue
            break
        if ok and name == "create_pull_request":
            self.prs.append((t, str(args.get("repo", ""))))
        return t

    def _outcome(
        self, fail: float, ms: float, kind: str, server: str, user: str, t: int
    ) -> tuple[bool, str | None, bool]:
        """(ok, error type, transient) for a call of a tool at ``t``."""
        rng = self.rng
        for a, b in self.outages.get(server, ()):
            if a <= t < b and rng.random() < 0.7:
                return False, ("tool_error" if rng.random() < 0.7 else "-32603"), True
        limit = _RATE_LIMITED.get(server)
        if limit is not None:  # a fixed one-minute window per user, as most APIs count
            key = (user, server, t // (60 * _SECOND))
            self._recent[key] = n = self._recent.get(key, 0) + 1
            if n > limit:
                return False, "tool_error", True
        if ms > 1000 and rng.random() < 0.008:
            return False, "-32001", True
        if kind in ("write", "delete", "exec") and rng.random() < 0.004:
            return False, "not_permitted", False
        if rng.random() < fail:
            return False, ("tool_error" if rng.random() < 0.85 else "-32602"), False
        return True, None, False

    def _emit(
        self,
        server: str,
        method: str,
        tool_name: str | None,
        args: dict[str, Any],
        user: str,
        seat: Seat,
        sid: str,
        trace: str,
        t: int,
        outcome: str,
        err: str | None,
        dur: int,
        size: int,
        label: str,
        uri: str | None = None,
    ) -> None:
        day = (t - self.start_us) // DAY_US
        self.calls.append(
            SimCall(
                ts=t,
                server=server,
                method=method,
                tool=tool_name,
                resource_uri=uri,
                args=args,
                user=user,
                agent=seat.agent,
                client=seat.client,
                client_version=seat.version(day),
                session_id=sid,
                trace_id=trace,
                outcome=outcome,
                error_type=err,
                duration_us=dur,
                result_bytes=size,
                label=label,
            )
        )
