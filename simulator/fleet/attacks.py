"""The fleet's own attack injector: the five families of ``simulator.inject``, shapes of its own.

``inject(sim, families, intensity, seed=…)`` adds labelled incidents (``<family>#<n>``, the
label on every call) on the scored days, each on a person with history (≥ 4 days and ≥ 150
calls before the scored days; one victim per incident). Written from the families' descriptions,
not from the library's code. Shapes, varied by seed:

``novelty_burst``  servers and tools the victim never used (in the whole benign fortnight), in a
                   few minutes of the victim's working hours: by the victim's own agent (a
                   compromised agent), or by a client the victim never used (a stolen token)
``off_hours``      the victim's own tools, seat and pace at hours of the week the victim never
                   worked (no worked hour within 2 h): on the Sunday, or in a weekday night
``destructive``    a burst of one destructive tool on a server the victim uses where possible:
                   one its server annotates ``destructiveHint`` (``delete_file``, ``delete-many``,
                   ``drop-collection``), or one no annotation marks but its name says delete
                   (``kubectl_delete``, ``delete_object``, ``jira_delete_issue``)
``error_storm``    one tool the victim used, mostly failing, arguments several times the
                   victim's largest for it: path traversal probes, SQL injection, SSRF via fetch
``bulk_read``      many small reads of one read tool the victim uses, or a few huge ones

Intensity (:data:`KNOBS`): ``low`` is subtle, ``mid`` an incident a security team wants paged,
``high`` blatant. Raises ``ValueError`` naming the argument for an unknown family or intensity.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any, Final

from ..inject import FAMILIES, check_choice
from ..model import DAY_US, Incident, SimCall, Simulation
from ._calls import args_for, text, workspace
from ._victims import HOUR_US, History, args_size, histories, slot
from .catalog import ANNOTATIONS, SERVERS, Tool, tool
from .org import TEAM

__all__ = ["KNOBS", "inject"]

_MIN: Final = 60_000_000
#: family → intensity → (calls, minutes, extra): extra is new servers (novelty), the share of
#: failures (error storm) or, for a few huge reads, the MiB per read
KNOBS: Final[dict[str, dict[str, tuple[int, float, float]]]] = {
    "novelty_burst": {"low": (7, 20, 2), "mid": (26, 6, 4), "high": (60, 5, 6)},
    "off_hours": {"low": (8, 45, 0), "mid": (30, 60, 0), "high": (90, 90, 0)},
    "destructive": {"low": (6, 12, 0), "mid": (24, 5, 0), "high": (70, 6, 0)},
    "error_storm": {"low": (10, 10, 0.6), "mid": (35, 5, 0.85), "high": (110, 4, 0.95)},
    "bulk_read": {"low": (50, 30, 25), "mid": (220, 15, 120), "high": (700, 20, 600)},
}
_ARG_FACTOR: Final = {"low": 2.5, "mid": 6.0, "high": 15.0}
_HUGE: Final = {"low": 3, "mid": 6, "high": 10}
_KIND: Final = {t.name: t.kind for s in SERVERS for t in s.tools}
_SERVER: Final = {t.name: s.name for s in SERVERS for t in s.tools}
_FOREIGN: Final = (
    ("cline", "3.35.0"),
    ("mcp-inspector", "0.17.2"),
    ("goose", "1.12.1"),
    ("python-mcp", "1.21.0"),
)


class _Ctx:
    """One incident being built: victim, seat, session per server, the calls so far."""

    def __init__(self, rng: random.Random, h: History, label: str, team: str) -> None:
        self.rng, self.h, self.label, self.ws = rng, h, label, workspace(h.user, team)
        self.agent, self.client, self.version = h.seat()
        self.calls: list[SimCall] = []
        self.strict = False
        self._sid: dict[str, str] = {}

    def foreign(self) -> None:
        client, version = next(
            ((c, v) for c, v in _FOREIGN if c not in self.h.ever_clients), ("curl-mcp", "0.1")
        )
        self.agent, self.client, self.version = f"{client}:{self.h.user}", client, version

    def call(
        self,
        t: int,
        spec: Tool,
        args: dict[str, Any],
        *,
        ok: bool = True,
        kb: float | None = None,
        method: str = "tools/call",
    ) -> None:
        server = _SERVER[spec.name]
        sid = self._sid.get(server)
        if sid is None:  # the incident's own session: the client initialises it, lists tools
            sid = f"{self.rng.getrandbits(128):032x}"
            for i, m in enumerate(("initialize", "tools/list")):
                self._emit(t - (2 - i) * 300_000, server, m, None, {}, sid, "ok", None, 900)
        self._sid[server] = sid
        size = int((kb if kb is not None else spec.result_kb) * 1024 * self.rng.uniform(0.6, 1.6))
        err = None if ok else "tool_error"
        self._emit(
            t,
            server,
            method,
            spec.name,
            args,
            sid,
            "ok" if ok else "error",
            err,
            size if ok else self.rng.randrange(90, 500),
        )

    def _emit(
        self,
        t: int,
        server: str,
        method: str,
        name: str | None,
        args: dict[str, Any],
        sid: str,
        outcome: str,
        err: str | None,
        size: int,
    ) -> None:
        dur = max(500, int(self.rng.lognormvariate(0.0, 0.6) * 400_000))
        self.calls.append(
            SimCall(
                ts=t,
                server=server,
                method=method,
                tool=name,
                resource_uri=None,
                args=args,
                user=self.h.user,
                agent=self.agent,
                client=self.client,
                client_version=self.version,
                session_id=sid,
                trace_id=f"{self.rng.getrandbits(128):032x}",
                outcome=outcome,
                error_type=err,
                duration_us=dur,
                result_bytes=size,
                label=self.label,
            )
        )


def _times(rng: random.Random, t0: int, n: int, minutes: float) -> list[int]:
    span = int(minutes * _MIN)
    return sorted(t0 + rng.randrange(0, max(1, span)) for _ in range(n))


def _args(ctx: _Ctx, spec: Tool) -> dict[str, Any]:
    return args_for(spec.shape, ctx.rng, ctx.ws)


def _novelty(ctx: _Ctx, lvl: str, t0: int, variant: int) -> bool:
    n, minutes, n_servers = KNOBS["novelty_burst"][lvl]
    fresh = [s for s in SERVERS if s.name not in ctx.h.ever_servers]
    if len(fresh) < n_servers:
        return False
    if variant:
        ctx.foreign()
    servers = ctx.rng.sample(fresh, int(n_servers))
    recon = [
        [t for t in s.tools if t.kind in ("read", "list", "search", "export")] for s in servers
    ]
    picks = [ctx.rng.choice(ts) for ts in recon]  # every new server touched, then more tools
    rest = [t for ts in recon for t in ts if t not in picks]
    want = {"low": 3, "mid": 8, "high": 14}[lvl]
    picks += ctx.rng.sample(rest, max(0, min(len(rest), want - len(picks))))
    for i, t in enumerate(_times(ctx.rng, t0, n, minutes)):
        spec = picks[i % len(picks)]
        ctx.call(t, spec, _args(ctx, spec), ok=ctx.rng.random() > 0.1)
    return True


def _off_hours(ctx: _Ctx, lvl: str, t0: int, variant: int) -> bool:
    n, minutes, _ = KNOBS["off_hours"][lvl]
    names, weights = zip(*ctx.h.tools.items(), strict=True)
    for t in _times(ctx.rng, t0, n, minutes):
        server, name = ctx.rng.choices(names, weights)[0]
        spec = tool(server, name)
        ctx.call(t, spec, _args(ctx, spec), ok=ctx.rng.random() > spec.fail)
    return True


def _destructive(ctx: _Ctx, lvl: str, t0: int, variant: int, ann: Mapping[str, Any]) -> bool:
    n, minutes, _ = KNOBS["destructive"][lvl]
    deletes = [t for s in SERVERS for t in s.tools if t.kind == "delete"]
    annotated = [t for t in deletes if ann.get(t.name, {}).get("destructiveHint") is True]
    named = [t for t in deletes if t.name not in ann]
    first, second = (annotated, named) if variant == 0 else (named, annotated)
    mine = [[t for t in ts if _SERVER[t.name] in ctx.h.servers] for ts in (first, second)]
    if ctx.strict and not mine[0]:
        return False
    spec = ctx.rng.choice(mine[0] or mine[1] or first)
    for t in _times(ctx.rng, t0, n, minutes):
        ctx.call(t, spec, _args(ctx, spec), ok=ctx.rng.random() > 0.05)
    return True


def _payload(kind: int, rng: random.Random, size: int) -> str:
    if kind == 0:
        return "../" * max(4, size // 6) + rng.choice(
            ("etc/passwd", ".ssh/id_rsa", ".aws/credentials")
        )
    if kind == 1:
        head = "SELECT id FROM accounts WHERE name = '' OR 1=1 UNION SELECT "
        return head + ", ".join(f"pg_read_file('/etc/{w}')" for w in text(rng, size).split())
    return "http://169.254.169.254/latest/meta-data/iam/?" + "&x=".join(text(rng, size).split())


_PROBES: Final = (
    ("read_text_file", "path"),
    ("execute_sql", "sql"),
    ("fetch", "url"),
    ("get_file_contents", "path"),
)


def _error_storm(ctx: _Ctx, lvl: str, t0: int, variant: int) -> bool:
    n, minutes, fail = KNOBS["error_storm"][lvl]
    used = [(name, key) for name, key in _PROBES if name in ctx.h.max_args]
    if not used:
        return False
    name, key = used[variant % len(used)]
    spec, kind = tool(_SERVER[name], name), {"path": 0, "sql": 1, "url": 2}[key]
    target = int(ctx.h.max_args[name] * _ARG_FACTOR[lvl])
    for t in _times(ctx.rng, t0, n, minutes):
        args = _args(ctx, spec)
        args[key] = _payload(kind, ctx.rng, target)
        while args_size(args) < target:
            args[key] += _payload(kind, ctx.rng, target - args_size(args) + 16)
        ctx.call(t, spec, args, ok=ctx.rng.random() > fail)
    return True


_READS: Final = (
    "get_file_contents",
    "read_text_file",
    "get_object",
    "notion-fetch",
    "jira_get_issue",
    "gdrive_read_file",
    "confluence_get_page",
    "find",
)
_HUGE_READS: Final = ("execute_sql", "export", "get_object", "gsheets_read", "query_loki_logs")


def _bulk_read(ctx: _Ctx, lvl: str, t0: int, variant: int) -> bool:
    n, minutes, mib = KNOBS["bulk_read"][lvl]
    choices = [_READS, _HUGE_READS] if variant == 0 else [_HUGE_READS, _READS]
    for names in choices:
        mine = [nm for nm in names if nm in ctx.h.max_args]
        if not mine:
            continue
        spec = tool(_SERVER[mine[0]], mine[0])
        huge = names is _HUGE_READS
        count = _HUGE[lvl] if huge else n
        for t in _times(ctx.rng, t0, count, minutes):
            ctx.call(t, spec, _args(ctx, spec), kb=mib * 1024 if huge else spec.result_kb * 2)
        return True
    return False


def _when(
    rng: random.Random, h: History, since: int, until: int, off: bool, variant: int, span_min: float
) -> int | None:
    """A start in [since, until - span): in an hour the victim works, or (``off``) far from
    any hour they ever worked, on the weekend (variant 0) or in a weekday night (variant 1)."""
    hours = range(since // HOUR_US, (until - int(span_min * _MIN)) // HOUR_US - 1)
    if off:
        good = [x * HOUR_US for x in hours if h.far_from_work(x * HOUR_US)]
        weekend = [t for t in good if ((t // DAY_US) + 3) % 7 >= 5]
        good = (
            (weekend or good) if variant == 0 else ([t for t in good if t not in weekend] or good)
        )
    else:  # an hour of the week they worked; else an hour of a weekday they worked at
        good = [x * HOUR_US for x in hours if slot(x * HOUR_US) in h.slots]
        if not good:
            day_hours = {s % 24 for s in h.slots if s < 5 * 24}
            good = [
                x * HOUR_US for x in hours if slot(x * HOUR_US) < 5 * 24 and x % 24 in day_hours
            ]
    if not good:
        return None
    return rng.choice(good) + rng.randrange(0, 40) * _MIN


def _build(family: str, ctx: _Ctx, lvl: str, t0: int, variant: int, ann: Mapping[str, Any]) -> bool:
    if family == "novelty_burst":
        return _novelty(ctx, lvl, t0, variant)
    if family == "off_hours":
        return _off_hours(ctx, lvl, t0, variant)
    if family == "destructive":
        return _destructive(ctx, lvl, t0, variant, ann)
    if family == "error_storm":
        return _error_storm(ctx, lvl, t0, variant)
    return _bulk_read(ctx, lvl, t0, variant)


def inject(
    sim: Simulation,
    families: Sequence[str] = FAMILIES,
    intensity: str = "mid",
    *,
    seed: int = 0,
    per_family: int = 1,
    annotations: Mapping[str, Mapping[str, bool]] | None = None,
) -> Simulation:
    """``sim`` with ``per_family`` incidents of every family in ``families`` added."""
    check_choice(families, intensity)
    if per_family < 0:
        raise ValueError("per_family must not be negative")
    ann = ANNOTATIONS if annotations is None else annotations
    rng = random.Random(f"fleet-attacks:{seed}:{intensity}")
    since, until = sim.config.attack_start_us, sim.config.end_us
    teams = {u.name: u.role for u in sim.users}
    pool = [
        h
        for h in histories(sim).values()
        if not h.user.startswith("svc-") and len(h.days) >= 4 and h.calls >= 150
    ]
    pool.sort(key=lambda h: h.user)
    rng.shuffle(pool)
    used: set[str] = set()
    new_calls: list[SimCall] = []
    incidents: list[Incident] = []
    for family in families:
        for k in range(per_family):
            label = f"{family}#{k}"
            variant = random.Random(f"{seed}:{family}:{k}").randrange(2)
            for strict, h in [(s, h) for s in (True, False) for h in pool]:
                if h.user in used:
                    continue
                team = teams.get(h.user, "")
                ctx = _Ctx(rng, h, label, team if team in TEAM else "backend")
                ctx.strict = strict  # first look for a victim the variant fits as it is
                span = KNOBS[family][intensity][1]
                t0 = _when(rng, h, since, until, family == "off_hours", variant, span)
                if t0 is None:
                    continue
                built = _build(family, ctx, intensity, t0, variant, ann)
                if not built or not ctx.calls:
                    continue
                used.add(h.user)
                ctx.calls.sort(key=lambda c: c.ts)
                new_calls += ctx.calls
                first = ctx.calls[0]
                incidents.append(
                    Incident(
                        id=label,
                        scenario=family,
                        user=h.user,
                        agent=first.agent,
                        client=first.client,
                        start=first.ts,
                        end=ctx.calls[-1].ts,
                        calls=len(ctx.calls),
                        description=f"{family} ({intensity}) on {h.user}",
                    )
                )
                break
    calls = sorted([*sim.calls, *new_calls], key=lambda c: c.ts)
    return Simulation(
        config=sim.config,
        calls=calls,
        incidents=[*sim.incidents, *incidents],
        benign_bursts=list(sim.benign_bursts),
        users=list(sim.users),
    )
