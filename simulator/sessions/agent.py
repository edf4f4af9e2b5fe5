"""An LLM agent carrying out one task: a run of MCP calls with think time, retries and pauses.

:func:`run_task` expands a task template (``tasks.py``) into steps and records each call the
way the audited servers would: per-server MCP session ids that live as long as the client's
connection (one process per task for CLI agents, the whole day for IDEs and desktop apps),
W3C trace ids from clients that propagate them (one trace per task), durations and result
sizes from the tool's profile with the occasional very long output, failures with an
``error.type`` of the server's kind, retries (same arguments after a transient failure, new
ones after a bad call), approvals a person declines (``denied``), parallel reads, and pauses
while the person reads or is called away. Nothing here draws from a global random state.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass, field
from typing import Final

from ..model import Incident, SimCall
from ._args import ARGS, Context
from .catalog import Tool, tool
from .tasks import expand

__all__ = ["Actor", "Out", "run_task"]

S: Final = 1_000_000
_ERRORS: Final = {
    "filesystem": ("ENOENT", "ENOENT", "EACCES"),
    "git": ("GitCommandError",),
    "github": ("NotFound", "RateLimitExceeded", "-32603"),
    "postgres": ("SyntaxError", "UndefinedColumn", "UndefinedTable"),
    "bigquery": ("BadRequest", "BadRequest", "Forbidden"),
    "playwright": ("TimeoutError", "TimeoutError", "-32603"),
    "kubernetes": ("NotFound", "Forbidden", "Conflict"),
    "fetch": ("HTTPError", "TimeoutError"),
}
_TRANSIENT: Final = frozenset({"RateLimitExceeded", "TimeoutError", "-32603", "Conflict"})
_READ_PREFIX: Final = ("read", "get", "list", "search", "query", "describe", "find", "open")
_RESOURCE_URI: Final = {
    "postgres": lambda c: f"postgres://analytics-db/{c.rng.choice(c.project.tables)}/schema",
    "github": lambda c: f"repo://acme/{c.project.repo}/contents/{c.file()}",
}


@dataclass(frozen=True, slots=True)
class Actor:
    """Who calls: a person's agent or a service account's job."""

    user: str
    agent: str
    client: str
    client_version: str
    servers: frozenset[str]
    think: float = 5.0
    cli: bool = False  # one client process (so one MCP session per server) per task
    traces: bool = False
    parallel: bool = False
    approvals: bool = True  # the client asks before a write


@dataclass
class Out:
    """The calls recorded so far and the labelled episodes they belong to."""

    seed: int
    calls: list[SimCall] = field(default_factory=list)
    episodes: dict[str, tuple[str, str, str, str, str]] = field(default_factory=dict)
    _counts: dict[str, int] = field(default_factory=dict)

    def episode(self, scenario: str, actor: Actor, description: str) -> str:
        """A new label ``scenario#k`` for one episode of ``actor``'s."""
        k = self._counts.get(scenario, 0)
        self._counts[scenario] = k + 1
        label = f"{scenario}#{k}"
        self.episodes[label] = (scenario, actor.user, actor.agent, actor.client, description)
        return label

    def session(self, actor: Actor, server: str, key: str) -> str:
        raw = f"{self.seed}|{actor.user}|{actor.agent}|{server}|{key}".encode()
        return hashlib.blake2b(raw, digest_size=16).hexdigest()

    def incidents(self, lo: int, hi: int) -> list[Incident]:
        """One :class:`Incident` per episode with calls in ``[lo, hi)``, in label order."""
        spans: dict[str, list[int]] = {}
        for c in self.calls:
            if c.label and lo <= c.ts < hi:
                s = spans.setdefault(c.label, [c.ts, c.ts, 0])
                s[0], s[1], s[2] = min(s[0], c.ts), max(s[1], c.ts), s[2] + 1
        out = []
        for label, (scenario, user, agent, client, desc) in self.episodes.items():
            if label in spans:
                first, last, n = spans[label]
                out.append(Incident(label, scenario, user, agent, client, first, last, n, desc))
        return out


def _is_write(t: Tool) -> bool:
    if t.hints is not None:
        return not t.hints.get("readOnlyHint", False)
    return not t.name.replace("-", "_").startswith(_READ_PREFIX)


def run_task(
    out: Out,
    actor: Actor,
    template: str,
    t0: int,
    ctx: Context,
    *,
    session_key: str,
    label: str = "",
    label_servers: frozenset[str] | None = None,
    until: int | None = None,
    size_scale: float = 1.0,
) -> int:
    """Record one run of ``template`` by ``actor`` from ``t0``; returns the time it ended.

    ``label`` marks its calls (only those on ``label_servers`` when given); calls after
    ``until`` are not made (the person stopped for the day); ``size_scale`` multiplies the
    results of reads and queries."""
    rng = ctx.rng
    steps = [s for s in expand(template, rng) if _usable(s, actor)]
    if rng.random() < 0.05 and len(steps) > 2:  # abandoned half way
        steps = steps[: rng.randint(1, len(steps) - 1)]
    trace = format(rng.getrandbits(128) | 1, "032x") if actor.traces else ""
    t = t0
    for i, step in enumerate(steps):
        if until is not None and t >= until:
            break
        if step.startswith("@"):
            server = step[1:]
            uri = _RESOURCE_URI[server](ctx)
            tl = None
        else:
            tl = tool(step)
            server = tl.server
        lab = label if label and (label_servers is None or server in label_servers) else ""
        session = out.session(actor, server, session_key)
        if tl is None:
            _record(out, actor, ctx, t, server, None, {}, uri, session, trace, lab)
            t += int(rng.uniform(0.05, 1.5) * S)
            continue
        args = ARGS[tl.args](ctx)
        if tl.name == "start_process":
            ctx.pid = rng.randint(1000, 65000)
        attempts = 0
        while True:
            attempts += 1
            outcome, err = _fate(rng, tl)
            size, took = _record(
                out,
                actor,
                ctx,
                t,
                server,
                tl,
                args,
                None,
                session,
                trace,
                lab,
                outcome,
                err,
                scale=size_scale,
            )
            t += took
            if outcome == "ok" or outcome == "denied" or attempts >= 3:
                break
            if err in _TRANSIENT and rng.random() < 0.8:  # same call again, after a moment
                t += int(rng.uniform(0.5, 4.0) * S)
            elif rng.random() < 0.6:  # the model fixes its arguments
                args = ARGS[tl.args](ctx)
                t += int(rng.lognormvariate(math.log(actor.think), 0.5) * S)
            else:
                break
        t += _gap(rng, actor, tl, steps[i + 1] if i + 1 < len(steps) else "", size)
    return t


def _usable(step: str, actor: Actor) -> bool:
    server = step[1:] if step.startswith("@") else tool(step).server
    return server in actor.servers


def _fate(rng: random.Random, tl: Tool) -> tuple[str, str | None]:
    if _is_write(tl) and rng.random() < 0.012:
        return "denied", "UserDeclined"
    if rng.random() < tl.errors:
        return "error", rng.choice(_ERRORS.get(tl.server, ("-32603", "-32602")))
    return "ok", None


def _gap(rng: random.Random, actor: Actor, tl: Tool, nxt: str, size: int) -> int:
    """µs from the end of one call to the start of the next."""
    reading = tl.name.startswith(_READ_PREFIX)
    if actor.parallel and reading and nxt.startswith(_READ_PREFIX) and rng.random() < 0.5:
        return int(rng.uniform(0.01, 0.4) * S)  # issued in the same model turn
    gap = rng.lognormvariate(math.log(actor.think), 0.55) + size / 40_000
    if actor.approvals and _is_write(tl) and not actor.cli:
        gap += rng.lognormvariate(math.log(6.0), 0.7)  # the person approves the next write
    if rng.random() < 0.03:
        gap += rng.uniform(30, 480)  # the person reads, or is called away
    return int(gap * S)


def _record(
    out: Out,
    actor: Actor,
    ctx: Context,
    t: int,
    server: str,
    tl: Tool | None,
    args: dict[str, object],
    uri: str | None,
    session: str,
    trace: str,
    label: str,
    outcome: str = "ok",
    err: str | None = None,
    *,
    scale: float = 1.0,
) -> tuple[int, int]:
    """Append the call; its result size and duration (µs)."""
    rng = ctx.rng
    if outcome != "ok":
        size = rng.randint(60, 420)
    elif tl is None:
        size = int(rng.lognormvariate(math.log(2400), 0.7))
    else:
        size = int(rng.lognormvariate(math.log(tl.out), 0.9))
        if scale != 1.0 and tl.name.startswith((*_READ_PREFIX, "execute")):
            size = int(size * scale)
        if rng.random() < 0.02:
            size *= rng.randint(10, 60)  # a very long output (a log, a big file, a wide table)
    ms = tl.ms if tl is not None else 40.0
    took = max(200, int(rng.lognormvariate(math.log(ms * 1000), 0.6)))
    out.calls.append(
        SimCall(
            ts=t,
            server=server,
            method="tools/call" if tl is not None else "resources/read",
            tool=tl.name if tl is not None else None,
            resource_uri=uri,
            args=args,
            user=actor.user,
            agent=actor.agent,
            client=actor.client,
            client_version=actor.client_version,
            session_id=session,
            trace_id=trace or format(rng.getrandbits(128) | 1, "032x"),
            outcome=outcome,
            error_type=err,
            duration_us=took,
            result_bytes=size,
            label=label,
        )
    )
    return size, took
