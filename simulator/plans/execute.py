"""Run a plan: walk a goal's decomposition and emit the calls an audited server records.

One :class:`Run` is one agent working on one goal in one MCP session. Time advances by the
model's think time between steps (shorter when nobody is watching), the tools' latencies
(lognormal around each tool's median), human approvals (interactive runs only) and sub-agents
(their own session and agent name, the same trace; the parent waits for them). Parallel steps
start together and the run goes on when the slowest returns. A listing is followed page by
page. A transient failure (``timeout``, ``rate_limited``, ``unavailable``) is retried with
exponential backoff and jitter up to the agent's retry budget; a ``flaky`` window makes a
server fail often. Calls carry only what a server records: a resource only on
``resources/read``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Final

from ..model import SimCall
from .args import build_args
from .catalogue import RESOURCE_SCHEMES, TOOLS, Tool
from .htn import DOMAIN, Approve, Res, Step, Sub
from .org import Agent
from .workspace import Workspace, heavy

__all__ = ["Flaky", "Run", "hexid", "run_goal", "tool_call"]

_S: Final = 1_000_000
_TRANSIENT: Final = ("timeout", "rate_limited", "unavailable")


def hexid(rng: random.Random, digits: int = 32) -> str:
    return f"{rng.getrandbits(4 * digits):0{digits}x}"


@dataclass(frozen=True, slots=True)
class Flaky:
    """A server failing transiently with probability ``rate`` in ``[start, end)``."""

    server: str
    start: int
    end: int
    rate: float


@dataclass
class Run:
    """One agent pursuing one goal; ``t`` is its clock (µs), ``out`` collects its calls."""

    rng: random.Random
    user: str
    agent: Agent
    servers: frozenset[str]
    ws: Workspace
    t: int
    interactive: bool = True
    label: str = ""
    session: str = ""
    trace: str = ""
    retries: int = 3
    flaky: Mapping[str, list[Flaky]] = field(default_factory=dict)
    out: list[SimCall] = field(default_factory=list)
    depth: int = 0

    def __post_init__(self) -> None:
        self.session = self.session or hexid(self.rng)
        self.trace = self.trace or hexid(self.rng)

    def think(self, scale: float = 1.0) -> None:
        median = 3.5 if self.interactive else 2.0
        self.t += int(self.rng.lognormvariate(0, 0.7) * median * scale * _S)


def _fail_rate(run: Run, tool: Tool, ts: int) -> tuple[float, str]:
    for w in run.flaky.get(tool.server, ()):
        if w.start <= ts < w.end:
            return w.rate, "unavailable"
    base = {"exec": 0.05, "write": 0.02, "delete": 0.02}.get(tool.kind, 0.012)
    return base, ""


def tool_call(
    run: Run,
    tool: str,
    ts: int,
    *,
    args: dict[str, object] | None = None,
    result_scale: float = 1.0,
    outcome: tuple[str, str] | None = None,
) -> int:
    """Record one ``tools/call`` of ``tool`` at ``ts`` (with its retries); returns its end."""
    spec = TOOLS[tool]
    rng = run.rng
    a = args if args is not None else build_args(tool, rng, run.ws)
    for attempt in range(run.retries + 1):
        dur = max(200, int(rng.lognormvariate(0, 0.7) * spec.latency_ms * 1000))
        rate, forced = _fail_rate(run, spec, ts)
        if outcome is not None:
            status, err = outcome
        elif rng.random() < rate:
            if forced:
                status, err = "error", forced
            elif rng.random() < 0.2:
                status, err = "error", rng.choice(_TRANSIENT)
            elif rng.random() < 0.12:
                status, err = "denied", "permission_denied"
            else:
                status, err = "error", rng.choice(_ERRORS[spec.kind])
        else:
            status, err = "ok", ""
        if err in _TRANSIENT:
            dur = max(dur, int(rng.uniform(5, 30) * _S)) if err == "timeout" else dur // 4 + 1
        size = (
            heavy(rng, spec.result_bytes * result_scale) if status == "ok" else rng.randint(60, 240)
        )
        run.out.append(_call(run, spec, ts, a, status, err, dur, size))
        end = ts + dur
        if err not in _TRANSIENT or attempt == run.retries or outcome is not None:
            return end
        ts = end + int((2**attempt) * rng.uniform(0.7, 1.3) * _S)  # backoff with jitter
    return ts  # pragma: no cover - the loop always returns


_ERRORS: Final[dict[str, tuple[str, ...]]] = {
    "read": ("not_found", "invalid_params"),
    "list": ("invalid_params",),
    "search": ("invalid_params", "query_too_broad"),
    "write": ("conflict", "invalid_params", "not_found"),
    "delete": ("not_found", "conflict"),
    "exec": ("query_error", "invalid_params", "execution_failed"),
    "notify": ("channel_not_found",),
    "meta": ("invalid_params",),
}


def _call(
    run: Run,
    spec: Tool,
    ts: int,
    args: dict[str, object],
    status: str,
    err: str,
    dur: int,
    size: int,
) -> SimCall:
    """A ``tools/call`` of ``spec`` by ``run``'s actor, session and trace."""
    return _record(run, spec.server, ts, args, status, err, dur, size, tool=spec.name)


def _record(
    run: Run,
    server: str,
    ts: int,
    args: dict[str, object],
    status: str,
    err: str,
    dur: int,
    size: int,
    *,
    tool: str | None = None,
    uri: str | None = None,
) -> SimCall:
    return SimCall(
        ts=ts,
        server=server,
        method="tools/call" if tool else "resources/read",
        tool=tool,
        resource_uri=uri,
        args=args,
        user=run.user,
        agent=run.agent.name,
        client=run.agent.client,
        client_version=run.agent.version,
        session_id=run.session,
        trace_id=run.trace,
        outcome=status,
        error_type=err or None,
        duration_us=dur,
        result_bytes=size,
        label=run.label,
    )


def resource_uri(rng: random.Random, server: str, ws: Workspace) -> str:
    if server == "filesystem":
        return "file://" + ws.local(rng)
    if server == "postgres":
        return f"postgres://warehouse/{ws.pick(rng, ws.tables)}/schema"
    if server == "github":
        repo, path = ws.file(rng)
        return f"repo://{repo}/contents/{path}"
    return f"gdrive:///{ws.pick(rng, ws.docs)}"


def resource_read(run: Run, server: str, ts: int, uri: str | None = None) -> int:
    """Record one ``resources/read`` on ``server``; returns its end."""
    rng = run.rng
    u = uri or resource_uri(rng, server, run.ws)
    ok = rng.random() > 0.015
    dur = max(300, int(rng.lognormvariate(0, 0.6) * 25_000))
    size = heavy(rng, 4200) if ok else rng.randint(60, 200)
    status, err = ("ok", "") if ok else ("error", "not_found")
    run.out.append(_record(run, server, ts, {"uri": u}, status, err, dur, size, uri=u))
    return ts + dur


def _count(rng: random.Random, n: tuple[int, int]) -> int:
    return rng.randint(*n)


def _step(run: Run, step: Step) -> None:
    rng = run.rng
    if isinstance(step, Approve):
        if run.interactive and rng.random() < step.p:
            run.t += int(rng.lognormvariate(0, 1.0) * 25 * _S)
        return
    if isinstance(step, Sub):
        if rng.random() >= step.p:
            return
        reps = 1
        while step.loop and rng.random() < step.loop / (1 + step.loop):
            reps += 1
        for _ in range(reps):
            if step.delegate and run.depth == 0:
                sub = replace(
                    run,
                    agent=replace(run.agent, name=f"{run.agent.name}/task"),
                    session=hexid(rng),
                    out=[],
                    depth=1,
                )
                run_goal(sub, step.goal)
                run.out.extend(sub.out)
                run.t = max(run.t, sub.t)
            else:
                run_goal(run, step.goal)
        return
    if rng.random() >= step.p:
        return
    if isinstance(step, Res):
        if step.server not in run.servers or step.server not in RESOURCE_SCHEMES:
            return
        for _ in range(_count(rng, step.n)):
            run.think(0.3)
            run.t = resource_read(run, step.server, run.t)
        return
    spec = TOOLS[step.tool]
    if spec.server not in run.servers:
        return
    left = _count(rng, step.n)
    while left > 0:
        batch = min(left, rng.randint(1, step.par))
        left -= batch
        run.think(0.6 if batch > 1 else 1.0)
        start, end = run.t, run.t
        for i in range(batch):
            end = max(end, tool_call(run, step.tool, start + i * rng.randint(200, 3000)))
        run.t = end
        pages = 0
        while spec.pages and rng.random() < spec.pages / (1 + spec.pages) and pages < 12:
            pages += 1
            a = build_args(step.tool, rng, run.ws)
            a["page"] = pages + 1
            run.t = tool_call(run, step.tool, run.t + int(rng.uniform(0.2, 1.2) * _S), args=a)


def run_goal(run: Run, goal: str) -> None:
    """Pursue ``goal``: pick one of its methods and run its steps in order."""
    methods = DOMAIN[goal]
    _w, steps = run.rng.choices(methods, weights=[m[0] for m in methods])[0]
    for step in steps:
        _step(run, step)
