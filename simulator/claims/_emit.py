"""Turning one step of someone's work into the calls an emitter would record.

A session lists a server's tools (``tools/list``) the first time it calls that server. A
timeout or ``service_unavailable`` is retried by the agent with the same arguments (after 1 s,
then 2 s, plus think time; three attempts at most). ``forbidden`` is recorded as ``denied``.
Sizes and latencies are lognormal around the catalog's medians.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any, Final

from ..model import SimCall
from .catalog import SCHEME_SERVER, TOOLS

__all__ = ["Actor", "Recorder"]

SECOND: Final = 1_000_000
#: base chance of each error cause, by tool kind
_ERRORS: Final[dict[str, tuple[tuple[str, float], ...]]] = {
    "read": (("not_found", 0.006), ("timeout", 0.002)),
    "search": (("timeout", 0.004), ("validation_error", 0.002)),
    "export": (("timeout", 0.02),),
    "write": (("validation_error", 0.008), ("conflict", 0.004), ("timeout", 0.002)),
    "destructive": (("conflict", 0.01), ("forbidden", 0.004)),
}
#: servers whose upstream is flaky (vendor portals, the bank, the weather feed)
_FLAKY: Final = {"vendors": 0.012, "geo": 0.006, "fraud": 0.004, "payments": 0.002}
_RETRY: Final = frozenset({"timeout", "service_unavailable"})


@dataclass(frozen=True, slots=True)
class Actor:
    """Who calls: a person (or job), through which agent and client, in which session."""

    user: str
    agent: str
    client: str
    version: str
    session: str


class Recorder:
    """Collects calls; ``rng`` draws sizes, latencies, errors and ids."""

    __slots__ = ("_listed", "calls", "rng")

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.calls: list[SimCall] = []
        self._listed: set[tuple[str, str]] = set()

    def session(self) -> str:
        return f"{self.rng.getrandbits(64):016x}"

    def trace(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"

    def _add(
        self,
        a: Actor,
        ts: int,
        server: str,
        method: str,
        tool: str | None,
        uri: str | None,
        args: dict[str, Any],
        trace: str,
        error: str | None,
        dur: int,
        size: int,
        label: str,
    ) -> None:
        self.calls.append(
            SimCall(
                ts=ts, server=server, method=method, tool=tool, resource_uri=uri, args=args,
                user=a.user, agent=a.agent, client=a.client, client_version=a.version,
                session_id=a.session, trace_id=trace,
                outcome="ok" if error is None else "denied" if error == "forbidden" else "error",
                error_type=error, duration_us=max(dur, 1000), result_bytes=max(size, 40),
                label=label,
            )
        )  # fmt: skip

    def _list(self, a: Actor, ts: int, server: str, trace: str, label: str) -> int:
        if (a.session, server) in self._listed:
            return ts
        self._listed.add((a.session, server))
        n = sum(1 for t in TOOLS.values() if t.server == server)
        dur = int(self.rng.lognormvariate(math.log(60_000), 0.4))
        self._add(a, ts, server, "tools/list", None, None, {}, trace, None, dur, 380 * n, label)
        return ts + dur + self.rng.randint(200_000, 900_000)

    def call(
        self,
        a: Actor,
        ts: int,
        tool: str,
        args: dict[str, Any],
        *,
        trace: str | None = None,
        label: str = "",
        kb: float | None = None,
        error: str | None = None,
        errors: bool = True,
        attempts: int = 3,
    ) -> int:
        """Record ``tool`` called at ``ts`` (after listing its server's tools, the first time
        in the session), retried as an agent would; returns when the agent is done with it.
        ``error``: the cause this call fails with (drawn from the tool's rates otherwise, when
        ``errors``); ``kb``: its median result size instead of the catalog's; ``attempts``: how
        many tries at most."""
        t = TOOLS[tool]
        rng = self.rng
        trace = trace or self.trace()
        ts = self._list(a, ts, t.server, trace, label)
        for attempt in range(attempts):
            if attempt == 0 and error is not None:
                cause: str | None = error
            else:
                cause = self._draw(t.kind, t.server) if errors else None
            if cause == "timeout":
                dur = rng.randint(29, 31) * SECOND
            else:
                dur = int(rng.lognormvariate(math.log(t.ms * 1000), 0.45))
            size = (
                int(rng.lognormvariate(math.log((kb or t.kb) * 1000), 0.5))
                if cause is None
                else rng.randint(120, 420)
            )
            self._add(a, ts, t.server, "tools/call", tool, None, args, trace, cause, dur, size,
                      label)  # fmt: skip
            ts += dur
            if cause not in _RETRY:
                break
            ts += (1 + attempt) * SECOND + rng.randint(300_000, 4_000_000)
        return ts + rng.randint(1, 6) * SECOND

    def read(
        self, a: Actor, ts: int, uri: str, kb: float, *, trace: str | None = None, label: str = ""
    ) -> int:
        """Record a ``resources/read`` of ``uri`` (on the server its scheme belongs to)."""
        server = next(s for p, s in SCHEME_SERVER.items() if uri.startswith(p))
        rng = self.rng
        cause = "not_found" if rng.random() < 0.004 else None
        dur = int(rng.lognormvariate(math.log(250_000), 0.5))
        size = int(rng.lognormvariate(math.log(kb * 1000), 0.5)) if cause is None else 160
        self._add(a, ts, server, "resources/read", None, uri, {}, trace or self.trace(), cause,
                  dur, size, label)  # fmt: skip
        return ts + dur + rng.randint(2, 20) * SECOND

    def _draw(self, kind: str, server: str) -> str | None:
        x = self.rng.random()
        flaky = _FLAKY.get(server, 0.0)
        if x < flaky:
            return "service_unavailable"
        x -= flaky
        for cause, p in _ERRORS[kind]:
            if x < p:
                return cause
            x -= p
        return None
