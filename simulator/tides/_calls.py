"""Turning "this seat calls that tool now" into a :class:`SimCall` a real emitter would record.

Arguments follow each tool's template (paths, repos, SQL, keys, issue keys, channels, pages,
URLs, cluster objects) with log-normal lengths; results are log-normal per tool with a Pareto
tail; latency is log-normal per server; errors follow each server's rate times a per-day factor
(flaky upstreams have bad days). Tool calls carry no resource; only ``resources/read`` names a
URI. Pure functions of the given ``random.Random``.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any, Final

from ..model import SimCall
from .catalog import SERVERS, Tool, server_of, tool

__all__ = ["CallMaker", "Seat", "args_size"]

_REPOS: Final = ("api", "web", "billing", "infra", "ml-pipeline", "mobile", "docs", "auth")
_FILES: Final = (
    "main.py",
    "handlers.go",
    "README.md",
    "config.yaml",
    "index.ts",
    "models.py",
    "Dockerfile",
    "schema.sql",
    "utils.rs",
    "app.tsx",
)
_TABLES: Final = ("orders", "customers", "events", "invoices", "sessions", "products")
_WORDS: Final = (
    "latency",
    "timeout",
    "checkout",
    "login",
    "refund",
    "deploy",
    "cache",
    "retry",
    "migration",
    "flaky",
    "oncall",
    "quota",
    "webhook",
    "export",
    "invoice",
)
_NS: Final = ("default", "payments", "web", "data", "monitoring")
_ERRORS: Final = ("timeout", "upstream_error", "rate_limited", "not_found", "invalid_params")


@dataclass(frozen=True, slots=True)
class Seat:
    """Who calls: a person (or service account) on one client, as the emitter's actor."""

    user: str
    agent: str
    client: str
    client_version: str


def args_size(args: dict[str, Any]) -> int:
    """A rough size of the arguments (characters of their values), for tests and attacks."""
    return sum(len(str(v)) for v in args.values())


class CallMaker:
    """Builds calls for one simulation: per-server daily error factors, ids from ``rng``."""

    def __init__(self, rng: random.Random, days: int, start_us: int) -> None:
        self.rng = rng
        self.start_us = start_us
        self.days = days
        self.error_factor: dict[tuple[str, int], float] = {}
        for s in SERVERS:
            bad = {rng.randrange(days) for _ in range(2)} if s.flaky else set()
            for d in range(days):
                f = math.exp(rng.gauss(0.0, 0.6))
                self.error_factor[(s.name, d)] = f * (rng.uniform(6, 14) if d in bad else 1.0)

    def hex(self, bits: int = 128) -> str:
        return f"{self.rng.getrandbits(bits):0{bits // 4}x}"

    def words(self, scale: float = 1.0) -> str:
        n = max(1, int(math.exp(self.rng.gauss(1.2, 0.7)) * scale))
        return " ".join(self.rng.choice(_WORDS) for _ in range(n))

    def args(self, t: Tool, user: str, scale: float = 1.0) -> dict[str, Any]:
        """Arguments for one call of ``t`` by ``user`` (``scale`` stretches free text)."""
        r = self.rng
        repo = r.choice(_REPOS)
        a: dict[str, Any]
        if t.args == "path":
            a = {"path": f"/home/{user}/src/{repo}/{r.choice(_FILES)}"}
            if t.kind == "write" and t.name != "move_file":
                a["content"] = self.words(6 * scale)
            if t.name == "move_file":
                a["destination"] = a["path"] + ".bak"
        elif t.args == "repo":
            a = {"owner": "tides-co", "repo": repo}
            if t.kind == "read":
                a["number"] = r.randrange(1, 4000)
            else:
                a["body"] = self.words(3 * scale)
            if t.name in ("get_file_contents", "delete_file"):
                a["path"] = r.choice(_FILES)
        elif t.args == "query":
            if server_of(t.name) in ("postgres", "mysql", "sqlite"):
                tbl = r.choice(_TABLES)
                limit = r.choice((10, 50, 100, 500))
                sql = " ".join(("SELECT * FROM", tbl, "WHERE note LIKE", repr(self.words(scale))))
                a = {"sql": f"{sql} LIMIT {limit}"}
            else:
                a = {"query": self.words(scale)}
        elif t.args == "key":
            a = {"key": f"{r.choice(_WORDS)}:{r.randrange(1, 99999)}"}
        elif t.args == "issue":
            a = {"issue_key": f"{r.choice(('ENG', 'OPS', 'SUP', 'DATA'))}-{r.randrange(1, 9000)}"}
            if t.kind == "write":
                a["fields"] = {"summary": self.words(2 * scale)}
        elif t.args == "channel":
            a = {"channel_id": f"C{r.randrange(10**8, 10**9)}"}
            if t.kind == "write":
                a["text"] = self.words(4 * scale)
        elif t.args == "page":
            a = {"page_id": self.hex(64)}
            if t.kind == "write":
                a["content"] = self.words(5 * scale)
        elif t.args == "url":
            a = {
                "url": f"https://{r.choice(('docs', 'status', 'blog', 'api'))}.example.com/"
                f"{r.choice(_WORDS)}"
            }
        elif t.args == "cluster":
            a = {
                "namespace": r.choice(_NS),
                "resource": r.choice(("pods", "deployments")),
                "name": f"{repo}-{self.hex(20)}",
            }
        else:
            a = {}
        return a

    def result_bytes(self, t: Tool, factor: float = 1.0) -> int:
        """Log-normal around the tool's median, with a Pareto tail (2% of calls)."""
        size = t.median * math.exp(self.rng.gauss(0.0, t.sigma)) * factor
        if self.rng.random() < 0.02:
            size *= self.rng.paretovariate(1.3)
        return max(16, int(size))

    def outcome(self, server: str, day: int, boost: float = 1.0) -> tuple[str, str | None]:
        """``(outcome, error_type)`` from the server's rate and its day's factor."""
        spec = next(s for s in SERVERS if s.name == server)
        rate = min(0.9, spec.error_rate * self.error_factor[(server, day)] * boost)
        u = self.rng.random()
        if u < 0.003:
            return "denied", "permission_denied"
        if u < 0.003 + rate:
            return "error", self.rng.choice(_ERRORS)
        return "ok", None

    def call(
        self,
        ts: int,
        seat: Seat,
        session: str,
        name: str,
        *,
        label: str = "",
        args: dict[str, Any] | None = None,
        outcome: tuple[str, str | None] | None = None,
        result: int | None = None,
    ) -> SimCall:
        """One ``tools/call`` of ``name`` at ``ts`` (defaults drawn from the models above)."""
        t, server = tool(name), server_of(name)
        day = min(max(0, (ts - self.start_us) // 86_400_000_000), self.days - 1)
        out, err = outcome if outcome is not None else self.outcome(server, day)
        spec = next(s for s in SERVERS if s.name == server)
        dur = int(spec.latency_ms * 1000 * math.exp(self.rng.gauss(0.0, 0.7))) + 200
        size = result if result is not None else self.result_bytes(t)
        return self._make(ts, seat, session, server, "tools/call", name, None,
                          args if args is not None else self.args(t, seat.user),
                          (out, err), dur, size if out == "ok" else 120, label)  # fmt: skip

    def control(
        self,
        ts: int,
        seat: Seat,
        session: str,
        server: str,
        method: str,
        label: str = "",
        uri: str | None = None,
    ) -> SimCall:
        """An ``initialize`` / ``tools/list`` / ``resources/read`` on ``server``."""
        size = {"initialize": 600, "tools/list": 4000}.get(method, 0)
        if method == "resources/read":
            size = self.result_bytes(Tool("resource", "read", 8000, 1.3, "none"))
        dur = int(1000 * math.exp(self.rng.gauss(2.0, 0.6))) + 100
        args = {"uri": uri} if uri else {}
        return self._make(ts, seat, session, server, method, None, uri, args, ("ok", None), dur,
                          size, label)  # fmt: skip

    def _make(
        self,
        ts: int,
        seat: Seat,
        session: str,
        server: str,
        method: str,
        name: str | None,
        uri: str | None,
        args: dict[str, Any],
        outcome: tuple[str, str | None],
        dur: int,
        size: int,
        label: str,
    ) -> SimCall:
        return SimCall(ts, server, method, name, uri, args, seat.user, seat.agent, seat.client,
                       seat.client_version, session, self.hex(), outcome[0], outcome[1], dur,
                       size, label)  # fmt: skip
