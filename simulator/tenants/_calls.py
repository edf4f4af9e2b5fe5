"""How one call of the platform is made: its arguments, size, duration, outcome and retries.

:class:`Gateway` is the platform's edge as the generators see it: it appends each call to its list
and applies what the gateway does to it: a per-tenant, per-server rate limit per minute (``429``:
``rate_limited``, the client backs off exponentially and tries again), platform incidents (a
server failing a share of every tenant's calls for a while; clients retry), and a small floor of
ordinary failures (not found, invalid parameters, timeouts). It never drops a call: every attempt
is a call, with its own outcome.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final

from ..model import SimCall
from .catalog import TOOLS

__all__ = ["Actor", "Gateway", "Outage", "hexid", "make_args"]

_MIN_US: Final = 60_000_000
_S: Final = 1_000_000

# kind -> (median result bytes, sigma, median duration ms)
_SIZE: Final[dict[str, tuple[float, float, float]]] = {
    "get": (1900.0, 0.6, 45.0),
    "list": (9000.0, 0.7, 160.0),
    "search": (4200.0, 0.6, 260.0),
    "write": (620.0, 0.4, 95.0),
    "delete": (210.0, 0.3, 80.0),
    "export": (36000.0, 0.9, 1900.0),
    "send": (380.0, 0.3, 210.0),
    "admin": (540.0, 0.4, 140.0),
}
_WORDS: Final = (
    "renewal", "invoice", "refund", "onboarding", "churn", "pricing", "enterprise", "trial",
    "escalation", "shipping", "login", "export", "integration", "q4", "priority", "contract",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Actor:
    """Who calls: the tenant, the identity (``user``), the integration (``agent``), its client."""

    tenant: str
    user: str
    agent: str
    client: str
    version: str
    human: bool = False


@dataclass(frozen=True, slots=True)
class Outage:
    """A platform incident: ``servers`` fail a share ``fail`` of calls in ``[start, end)``."""

    start: int
    end: int
    servers: frozenset[str]
    fail: float
    label: str = ""  # calls touched by it get this label (a scored-day hard negative)


def hexid(rng: random.Random, bits: int = 64) -> str:
    """``bits`` random bits as lowercase hex (a session, trace or object id)."""
    return f"{rng.getrandbits(bits):0{bits // 4}x}"


def make_args(tool: str, tenant: str, rng: random.Random, *, pad: int = 0) -> dict[str, Any]:
    """Arguments a client sends to ``tool`` for ``tenant`` (``pad``: extra characters in the
    free-text field, as a probe stuffing a payload into it)."""
    t = TOOLS[tool]
    oid = f"{t.obj[:3]}_{hexid(rng, 32)}"
    args: dict[str, Any] = {"workspace": tenant}
    if t.server == "files":
        args["bucket"] = f"{tenant}-files"
        args["key"] = f"{rng.choice(('exports', 'uploads', 'contracts', 'media'))}/{oid}.pdf"
    elif t.server == "insights":
        args["dataset"] = rng.choice(("events", "sessions", "orders", "pageviews"))
    if t.kind == "get":
        args[f"{t.obj}_id"] = oid
        if rng.random() < 0.3:
            args["expand"] = ["owner", "tags"]
    elif t.kind == "list":
        args["limit"] = rng.choice((25, 50, 100, 100, 200))
        if rng.random() < 0.5:
            args["cursor"] = hexid(rng, 48)
        args["updated_since"] = f"2026-11-{rng.randint(1, 28):02d}T00:00:00Z"
    elif t.kind == "search":
        if tool == "query_sql":
            # the text a client sends (never run here)
            args["sql"] = f"SELECT count(*) FROM {args['dataset']} WHERE day >= today() - 7"  # noqa: S608
        else:
            args["query"] = " ".join(rng.sample(_WORDS, rng.randint(1, 3)))
            args["limit"] = 20
    elif t.kind in ("write", "admin"):
        args[f"{t.obj}_id"] = oid
        args["fields"] = {rng.choice(_WORDS): rng.choice(_WORDS) for _ in range(rng.randint(1, 4))}
    elif t.kind == "delete":
        args[f"{t.obj}_id"] = oid
    elif t.kind == "export":
        args["format"] = rng.choice(("csv", "json", "parquet"))
        args["range"] = {"from": f"2026-11-{rng.randint(1, 15):02d}", "to": "2026-11-30"}
    elif t.kind == "send":
        args["template_id"] = f"tpl_{rng.randint(1, 40)}"
        args["recipient_id"] = oid
    if pad:
        args["note"] = "x" * pad
    return args


@dataclass
class Gateway:
    """The calls made so far, with the platform's rate limits, incidents and failure floor."""

    rng: random.Random
    limit_per_min: dict[str, int]  # tenant -> calls per server per minute
    outages: list[Outage] = field(default_factory=list)
    #: the label of calls made without one (a hard negative running ordinary behaviour)
    default_label: str = ""
    calls: list[SimCall] = field(default_factory=list)
    _minute: Counter[tuple[str, str, int]] = field(default_factory=Counter)

    def call(
        self,
        ts: int,
        who: Actor,
        tool: str | None,
        *,
        session: str,
        trace: str,
        label: str = "",
        uri: str | None = None,
        args: dict[str, Any] | None = None,
        result_scale: float = 1.0,
        outcome: str = "",
        error: str | None = None,
        retries: int = 4,
    ) -> int:
        """Make the call at ``ts`` (retrying a 429 or an outage failure up to ``retries`` times
        with exponential backoff); the time the client goes on, after its last attempt."""
        rng = self.rng
        server = TOOLS[tool].server if tool else ("kb" if uri and uri.startswith("kb") else "files")
        kind = TOOLS[tool].kind if tool else "get"
        method = "tools/call" if tool else "resources/read"
        if tool is None and uri is None:
            method, kind = "tools/list", "list"
        if args is None:
            args = make_args(tool, who.tenant, rng) if tool else ({"uri": uri} if uri else {})
        med, sigma, ms = _SIZE[kind]
        attempt = 0
        label = label or self.default_label
        while True:
            oc, err = outcome or "ok", error
            minute = (who.tenant, server, ts // _MIN_US)
            self._minute[minute] += 1
            hit = next(
                (o for o in self.outages if o.start <= ts < o.end and server in o.servers), None
            )
            if not outcome:
                if self._minute[minute] > self.limit_per_min.get(who.tenant, 120):
                    oc, err = "error", "rate_limited"
                elif hit is not None and rng.random() < hit.fail:
                    oc, err = "error", rng.choice(("upstream_unavailable", "internal", "timeout"))
                else:
                    oc, err = self._floor(kind)
            if hit is not None and hit.label and not label:
                label = hit.label  # its retries too
            dur_ms = ms * math.exp(rng.gauss(0, 0.5)) * (6 if err == "timeout" else 1)
            size = med * math.exp(rng.gauss(0, sigma)) * result_scale if oc == "ok" else 0
            self.calls.append(
                SimCall(
                    ts=ts,
                    server=server,
                    method=method,
                    tool=tool,
                    resource_uri=uri if method == "resources/read" else None,
                    args=args,
                    user=who.user,
                    agent=who.agent,
                    client=who.client,
                    client_version=who.version,
                    session_id=session,
                    trace_id=trace,
                    outcome=oc,
                    error_type=err,
                    duration_us=max(1_000, int(dur_ms * 1000)),
                    result_bytes=max(90, int(size)) if oc == "ok" else rng.randint(90, 260),
                    label=label,
                )
            )
            done = ts + int(dur_ms * 1000)
            retryable = err in ("rate_limited", "upstream_unavailable", "internal", "timeout")
            if not retryable or attempt >= retries or outcome:
                return done
            attempt += 1
            ts = done + int((2**attempt) * _S * (0.5 + rng.random()))

    def _floor(self, kind: str) -> tuple[str, str | None]:
        r = self.rng.random()
        if kind == "get" and r < 0.006:
            return "error", "not_found"
        if kind in ("write", "admin") and r < 0.005:
            return "error", "invalid_params"
        if kind == "admin" and r < 0.012:
            return "denied", "permission_denied"
        if r > 0.9985:
            return "error", "timeout"
        return "ok", None
