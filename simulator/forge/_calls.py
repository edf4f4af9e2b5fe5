"""How one MCP call of the org becomes a :class:`SimCall`: arguments, duration, size, outcome.

:class:`Recorder` collects calls. A call's arguments are built from its tool's keys, each filled
from the caller's context (``ctx``) or a plausible default; its duration and result size follow
the tool's kind (lognormal), and errors are small. Nothing here decides *when* or *whether* a
call happens: the work graph, the bots and the negatives do. Deterministic from the recorder's
``random.Random``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Final

from ..model import SimCall
from .catalog import DATABASES, SERVICES, TOOLS

__all__ = ["Actor", "Recorder", "Session", "text"]

_WORDS_TEXT: Final = (
    "fix handle retry timeout cache user order payment index query flag config parse build "
    "token render layout schema migrate update remove guard metric trace client server batch "
    "queue event stream window limit ledger invoice search ranking mobile widget session"
)
_WORDS: Final = _WORDS_TEXT.split(" ")
_CORPUS: Final = " ".join(random.Random(5).choice(_WORDS) for _ in range(12_000))

# kind → (median µs, sigma) and (median result bytes, sigma)
_DURATION: Final = {
    "read": (90_000, 0.8),
    "list": (60_000, 0.7),
    "write": (180_000, 0.7),
    "destructive": (150_000, 0.6),
    "exec": (14_000_000, 1.0),
    "export": (9_000_000, 0.9),
}
_RESULT: Final = {
    "read": (3_500, 1.0),
    "list": (1_600, 0.8),
    "write": (420, 0.5),
    "destructive": (180, 0.4),
    "exec": (9_000, 1.1),
    "export": (600_000, 0.9),
}


def text(rng: random.Random, n: int) -> str:
    """``n`` characters of plain prose-like text (at most the corpus's length)."""
    start = rng.randrange(0, len(_CORPUS) - n) if n < len(_CORPUS) else 0
    return _CORPUS[start : start + n]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who calls: the auth subject, the agent product, its client and version."""

    user: str
    agent: str
    client: str
    version: str


@dataclass(frozen=True, slots=True)
class Session:
    """One MCP session of an actor (an agent run, a bot run, a chat window)."""

    actor: Actor
    id: str
    label: str = ""


_VOCAB: Final[dict[str, tuple[str, ...]]] = {
    "database": tuple(DATABASES),
    "table": tuple(t for tables in DATABASES.values() for t in tables),
    "bucket": ("forge-artifacts", "forge-exports", "forge-static", "forge-backups"),
    "channel": ("#eng", "#deploys", "#incidents", "#release", "#help-ci", "#random"),
    "service": SERVICES,
    "env": ("prod", "prod", "staging"),
    "project": ("PAY", "SEA", "MOB", "WEB", "IDE", "DAT", "PLA", "SRE", "SEC"),
    "page": tuple(
        f"eng/{p}"
        for p in (
            "onboarding",
            "oncall",
            "runbooks",
            "architecture",
            "release-process",
            "code-review",
            "ci",
            "testing",
            "security",
            "data",
            "style-guide",
            "incident-process",
        )
    ),
    "window": ("15m", "1h", "6h", "24h"),
}
_FIXED: Final = {
    "ref": "main",
    "base": "main",
    "org": "forge",
    "format": "parquet",
    "state": "success",
    "status": "in_progress",
    "duration": "2h",
    "space": "eng",
    "pipeline": "build",
    "job": "test",
    "name": "build.tar.zst",
    "role": "deployer",
    "command": "make lint",
    "repo": "monorepo",
    "branch": "main",
    "head": "HEAD",
}


def _default(key: str, server: str, ctx: dict[str, Any], rng: random.Random) -> Any:
    """A plausible value for ``key`` of a ``server`` tool the caller did not give."""
    if key in ("content", "new", "body", "text", "message", "sql", "summary", "old"):
        size = {"content": 1400, "new": 500, "old": 300, "sql": 160}.get(key, 120)
        return text(rng, max(8, int(rng.lognormvariate(0, 0.7) * size)))
    if key in ("query", "pattern", "filter", "title"):
        return text(rng, rng.randint(6, 40)).strip() or "search"
    if key in ("run_id", "pr", "issue", "alert"):
        return f"{key}-{rng.randint(1000, 99999)}"
    if key == "replicas":
        return rng.randint(2, 12)
    if key == "path" and server == "secrets":
        return f"prod/{ctx.get('service') or rng.choice(SERVICES)}/api-key"
    if key in ("path", "source", "destination"):
        return f"/work/{ctx.get('repo', 'monorepo')}/src/{rng.choice(('main', 'util', 'api'))}.py"
    if key == "cwd":
        return f"/work/{ctx.get('repo', 'monorepo')}"
    if key == "key":
        return f"objects/{rng.randint(0, 400):04d}.json"
    if key in ("sha", "trace", "instance", "tag", "version"):
        return f"{rng.getrandbits(40):010x}"
    if key in _VOCAB:
        return rng.choice(_VOCAB[key])
    return _FIXED[key]


class Recorder:
    """Collects the org's calls (append-only; sorted once by the generator)."""

    __slots__ = ("calls", "rng")

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.calls: list[SimCall] = []

    def trace(self) -> str:
        return f"{self.rng.getrandbits(128) | 1:032x}"

    def session(self, actor: Actor, label: str = "") -> Session:
        return Session(actor, f"{self.rng.getrandbits(96):024x}", label)

    def args(self, tool: str, ctx: dict[str, Any]) -> dict[str, Any]:
        t = TOOLS[tool]
        return {k: ctx[k] if k in ctx else _default(k, t.server, ctx, self.rng) for k in t.keys}

    def call(
        self,
        ts: int,
        s: Session,
        tool: str,
        ctx: dict[str, Any] | None = None,
        *,
        outcome: str = "ok",
        error: str | None = None,
        result: int | None = None,
        duration: int | None = None,
        args: dict[str, Any] | None = None,
        trace: str | None = None,
    ) -> int:
        """Record ``tool`` at ``ts``; returns when the call ended (µs)."""
        t = TOOLS[tool]
        rng = self.rng
        med, sig = _DURATION[t.kind]
        dur = duration or max(1_000, int(med * rng.lognormvariate(0, sig)))
        if outcome != "ok":
            size = result or rng.randint(90, 420)
            error = error or ("forbidden" if outcome == "denied" else "tool_error")
        else:
            rmed, rsig = _RESULT[t.kind]
            size = result or max(40, int(rmed * rng.lognormvariate(0, rsig)))
        self._add(
            ts,
            s,
            t.server,
            "tools/call",
            tool,
            None,
            args or self.args(tool, ctx or {}),
            outcome,
            error,
            dur,
            size,
            trace,
        )
        return ts + dur

    def read(self, ts: int, s: Session, server: str, uri: str, result: int | None = None) -> int:
        """A ``resources/read`` of ``uri`` on ``server``."""
        dur = max(1_000, int(40_000 * self.rng.lognormvariate(0, 0.6)))
        size = result or max(200, int(4_000 * self.rng.lognormvariate(0, 1.0)))
        self._add(ts, s, server, "resources/read", None, uri, {"uri": uri}, "ok", None, dur, size)
        return ts + dur

    def list_tools(self, ts: int, s: Session, server: str) -> int:
        """The client's ``tools/list`` on ``server`` (at a session's start)."""
        size = 1_500 + 900 * sum(t.server == server for t in TOOLS.values())
        self._add(ts, s, server, "tools/list", None, None, {}, "ok", None, 12_000, size)
        return ts + 12_000

    def _add(
        self,
        ts: int,
        s: Session,
        server: str,
        method: str,
        tool: str | None,
        uri: str | None,
        args: dict[str, Any],
        outcome: str,
        error: str | None,
        dur: int,
        size: int,
        trace: str | None = None,
    ) -> None:
        a = s.actor
        self.calls.append(
            SimCall(
                ts,
                server,
                method,
                tool,
                uri,
                args,
                a.user,
                a.agent,
                a.client,
                a.version,
                s.id,
                trace or self.trace(),
                outcome,
                error if outcome != "ok" else None,
                dur,
                size,
                s.label,
            )
        )
