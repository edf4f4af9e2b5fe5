"""This world's attacks: five families, three intensities, one victim each on the scored day.

The attackers blend in: they act through the victim's own agent and client version, in a fresh
session that opens with ``tools/list`` on each server it uses, at a human agent's pace.

``novelty_burst``  a student's course assistant, prompt-injected by a forum post, reaches
                   admin servers the student never used (identity, registrar, finance, research
                   storage, HPC): mostly look-ups, a group membership and a job slipped in
``off_hours``      a stolen session replayed at night: the victim's own calls (tools and
                   arguments copied from their history) at hours they never work
``destructive``    an insider deletes a research group's datasets one by one, paced like
                   clean-up work and under any rate limit
``error_storm``    injection probing against the LMS forum search (or the library catalogue)
                   with SQL, template and path payloads: mostly refused, some let through
``bulk_read``      a compromised TA token pulling submissions and exam papers, large results
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any, Final

from tooltrail.simulator._history import History, args_size, histories
from tooltrail.simulator.inject import FAMILIES, INTENSITIES
from tooltrail.simulator.model import DAY_US, Incident, SimCall, Simulation

from ._trail import Trail
from .catalog import ANNOTATIONS, TOOLS

__all__ = ["FAMILIES", "INTENSITIES", "KNOBS", "inject"]

_H: Final = 3_600_000_000
#: one planned attack call: (ts, tool, args, outcome, error type, result bytes)
Planned = tuple[int, str, dict[str, Any], str, str | None, int]
_S: Final = 1_000_000

#: family -> intensity -> knob: ``calls`` tool calls within ``minutes``; how far from normal
KNOBS: Final[dict[str, dict[str, dict[str, Any]]]] = {
    "novelty_burst": {
        "low": {"calls": 6, "minutes": 40, "new_servers": 2},
        "mid": {"calls": 10, "minutes": 20, "new_servers": 3},
        "high": {"calls": 18, "minutes": 8, "new_servers": 4},
    },
    "off_hours": {
        "low": {"calls": 8, "minutes": 55, "far_hours": 2},
        "mid": {"calls": 16, "minutes": 40, "far_hours": 3},
        "high": {"calls": 30, "minutes": 25, "far_hours": 4},
    },
    "destructive": {
        "low": {"calls": 8, "minutes": 45},
        "mid": {"calls": 20, "minutes": 25},
        "high": {"calls": 45, "minutes": 10},
    },
    "error_storm": {
        "low": {"calls": 12, "minutes": 40, "fail": 0.4, "size": 2, "min_bytes": 200},
        "mid": {"calls": 30, "minutes": 20, "fail": 0.6, "size": 4, "min_bytes": 400},
        "high": {"calls": 60, "minutes": 8, "fail": 0.85, "size": 8, "min_bytes": 800},
    },
    "bulk_read": {
        "low": {"calls": 15, "minutes": 90, "result_kb": 300},
        "mid": {"calls": 40, "minutes": 45, "result_kb": 800},
        "high": {"calls": 100, "minutes": 20, "result_kb": 1500},
    },
}

#: what a hijacked course assistant reaches for on each admin server
_RECON: Final = {
    "identity": ("account_get", "account_get", "group_add_member"),
    "registrar": ("student_get", "transcript_get", "enrolment_list"),
    "finance": ("invoice_get", "budget_report"),
    "rds": ("rds_list", "rds_read"),
    "hpc": ("queue_list", "job_submit"),
    "instruments": ("run_list", "calibration_get"),
}
_PAYLOADS: Final = (
    "' OR '1'='1' -- ",
    "{{7*7}}${7*7}",
    "../../../../etc/passwd",
    "'; SELECT grade FROM grades WHERE '1'='1",
    "<script>fetch('//x')</script>",
    "UNION SELECT username,password_hash FROM mdl_user-- ",
)


def _check(sim: Simulation, families: Sequence[str], intensity: str, per_family: int) -> None:
    odd = [f for f in families if f not in FAMILIES]
    if odd or isinstance(families, str):
        raise ValueError(f"families: unknown {odd or families}; choose from {', '.join(FAMILIES)}")
    if intensity not in INTENSITIES:
        raise ValueError(f"intensity: {intensity!r}; choose from {', '.join(INTENSITIES)}")
    if per_family < 0:
        raise ValueError("per_family must not be negative")
    alien = {c.tool for c in sim.calls if c.tool and c.tool not in TOOLS}
    if alien:
        raise ValueError(f"base: tools no campus server has: {sorted(alien)[:5]}")


class _Ctx:
    """The base traffic read once: histories, what each user ever touched, their identity."""

    def __init__(self, base: Simulation) -> None:
        self.hist = histories(base)
        self.cut, self.end = base.config.attack_start_us, base.config.end_us
        self.ever: dict[str, set[str]] = {}
        self.today: dict[str, set[int]] = {}
        self.last: dict[tuple[str, str], SimCall] = {}
        self.past: dict[str, list[SimCall]] = {}
        negative: set[str] = set()
        for c in base.calls:
            self.ever.setdefault(c.user, set()).add(c.server)
            self.last[(c.user, c.agent)] = c
            if c.label:
                negative.add(c.user)
            if c.ts >= self.cut:
                self.today.setdefault(c.user, set()).add(c.ts % DAY_US // _H)
            elif c.method == "tools/call":
                self.past.setdefault(c.user, []).append(c)
        self.pool = sorted(
            u
            for u, h in self.hist.items()
            if len(h.days) >= 5 and u not in negative and not u.startswith("svc-")
        )


def _who(ctx: _Ctx, user: str) -> tuple[str, str, str, str]:
    agent = ctx.hist[user].agents.most_common(1)[0][0]
    last = ctx.last[(user, agent)]
    return (user, agent, last.client, last.client_version)


def _times(rng: random.Random, t0: int, n: int, minutes: float) -> list[int]:
    """``n`` call times from ``t0`` spread irregularly over at most 85% of ``minutes``."""
    span = int(minutes * 60 * _S * rng.uniform(0.6, 0.85))
    gaps = [rng.expovariate(1.0) + 0.2 for _ in range(n)]
    scale = span / sum(gaps)
    out, t = [], t0
    for g in gaps:
        t += max(1, int(g * scale))
        out.append(t)
    return out


def _in_hours_start(rng: random.Random, ctx: _Ctx, h: History, minutes: float) -> int:
    hours = sorted(x for x in h.hours if ctx.cut + (x + 1) * _H + minutes * 60 * _S < ctx.end)
    return ctx.cut + rng.choice(hours or [9]) * _H + rng.randint(0, 50) * 60 * _S


def _plan(
    family: str,
    rng: random.Random,
    ctx: _Ctx,
    user: str,
    knob: Mapping[str, Any],
    annotations: Mapping[str, Mapping[str, Any]],
) -> list[Planned] | None:
    """The attack calls ``(ts, tool, args, outcome, error, result bytes)`` on ``user``, or
    ``None`` when ``user`` cannot be this family's victim."""
    h = ctx.hist[user]
    n, minutes = knob["calls"], knob["minutes"]
    if family == "novelty_burst":
        if "submission_upload" not in h.tools:  # a student's course assistant
            return None
        fresh = [s for s in _RECON if s not in ctx.ever[user]]
        if len(fresh) < knob["new_servers"]:
            return None
        servers = rng.sample(fresh, knob["new_servers"])
        tools = [_RECON[servers[k % len(servers)]][k // len(servers) % 2] for k in range(n)]
        ts = _times(rng, _in_hours_start(rng, ctx, h, minutes), n, minutes)
        return [
            (t, tool, _recon_args(rng, tool, user), "", None, 0)
            for t, tool in zip(ts, tools, strict=True)
        ]
    if family == "off_hours":
        busy = h.hours | ctx.today.get(user, set())
        far = [
            x
            for x in range(24)
            if all(min((x - y) % 24, (y - x) % 24) >= knob["far_hours"] for y in busy)
        ]
        ok = [x for x in far if (x + 1) % 24 in far and x < 23]
        if not ok or len(h.tools) < 3:
            return None
        t0 = ctx.cut + rng.choice(ok) * _H + rng.randint(0, 20) * 60 * _S
        past = ctx.past[user]
        return [
            (t, c.tool or "", dict(c.args), "", None, 0)
            for t, c in zip(_times(rng, t0, n, minutes), rng.choices(past, k=n), strict=True)
        ]
    if family == "destructive":
        tool = "dataset_delete"
        if not ({"rds_read", "rds_list"} & set(h.tools)) or not annotations.get(tool, {}).get(
            "destructiveHint"
        ):
            return None
        paths = sorted(
            {
                c.args["path"].rsplit("/", 1)[0]
                for c in ctx.past[user]
                if c.server == "rds" and "path" in c.args
            }
        )
        group = paths[0].split("/")[2] if paths else "shared"
        runs = rng.sample(range(100, 1000), n)
        ts = _times(rng, _in_hours_start(rng, ctx, h, minutes), n, minutes)
        return [
            (t, tool, {"path": f"/projects/{group}/runs/r{r}", "recursive": True}, "", None, 0)
            for t, r in zip(ts, runs, strict=True)
        ]
    if family == "error_storm":
        probe = next((t for t in ("forum_search", "catalogue_search") if t in h.tools), "")
        if not probe:
            return None
        want = max(knob["size"] * h.args_max[probe], knob["min_bytes"]) + 1
        fails = set(rng.sample(range(n), -(-int(knob["fail"] * n * 100) // 100)))
        ts = _times(rng, _in_hours_start(rng, ctx, h, minutes), n, minutes)
        course = next((c.args.get("course", "") for c in ctx.past[user] if c.tool == probe), "")
        out: list[Planned] = []
        for k, t in enumerate(ts):
            args = {"course": course, "query": ""} if course else {"query": "", "type": "book"}
            q = rng.choice(_PAYLOADS)
            while args_size(args) < want + rng.randint(0, 120):
                args["query"] = q = q + " " + rng.choice(_PAYLOADS)
            err = rng.choice(("validation_error", "validation_error", "forbidden"))
            out.append(
                (t, probe, args, "denied" if err == "forbidden" else "error", err, 0)
                if k in fails
                else (t, probe, args, "ok", None, 0)
            )
        return out
    # bulk_read: a TA's token pulls submissions of every course it can see, and exam papers
    if "submission_download" not in h.tools:
        return None
    course = next(c.args["course"] for c in ctx.past[user] if c.tool == "submission_download")
    lo = knob["result_kb"] * 1000
    ts = _times(rng, _in_hours_start(rng, ctx, h, minutes), n, minutes)
    out2: list[Planned] = []
    for k, t in enumerate(ts):
        if k % 7 == 3:
            out2.append(
                (
                    t,
                    "exam_paper_get",
                    {"course": course, "paper": "final"},
                    "ok",
                    None,
                    rng.randint(lo, 3 * lo),
                )
            )
        else:
            args = {
                "course": course,
                "assignment": f"a{rng.randint(1, 3)}",
                "student": f"z{rng.randint(5_100_000, 5_999_999)}",
            }
            out2.append((t, "submission_download", args, "ok", None, rng.randint(lo, 3 * lo)))
    return out2


def _recon_args(rng: random.Random, tool: str, user: str) -> dict[str, Any]:
    if tool in ("account_get", "student_get", "transcript_get"):
        sid = f"z{rng.randint(5_100_000, 5_999_999)}"
        return {"user" if tool == "account_get" else "student": sid}
    if tool == "group_add_member":
        return {"user": user, "group": "lms-course-admins"}
    if tool == "job_submit":
        return {"script": "~/.cache/.x/run.sh", "gpus": 1, "hours": 24}
    return {"path": "/projects"} if tool.startswith("rds") else {"scope": "all"}


def inject(
    sim: Simulation,
    families: Sequence[str] = FAMILIES,
    intensity: str = "mid",
    *,
    seed: int = 0,
    per_family: int = 1,
    annotations: Mapping[str, Mapping[str, Any]] | None = None,
) -> Simulation:
    """``sim`` with ``per_family`` incidents of each of ``families`` at ``intensity`` on the
    scored day (labelled ``family#k``), each on its own victim; the base calls unchanged."""
    _check(sim, families, intensity, per_family)
    annotations = ANNOTATIONS if annotations is None else annotations
    rng = random.Random(f"campus-attack:{seed}:{intensity}")
    ctx = _Ctx(sim)
    trail = Trail(rng)
    used: set[str] = set()
    incidents: list[Incident] = []
    for family in families:
        for k in range(per_family):
            pool = [u for u in ctx.pool if u not in used]
            rng.shuffle(pool)
            for user in pool:
                plan = _plan(family, rng, ctx, user, KNOBS[family][intensity], annotations)
                if plan is not None:
                    break
            else:
                raise ValueError(f"per_family: no victim left for {family}#{k} on this traffic")
            used.add(user)
            incidents.append(_emit(trail, ctx, family, k, user, plan))
    calls = sorted([*sim.calls, *trail.calls], key=lambda c: c.ts)
    return Simulation(sim.config, calls, [*sim.incidents, *incidents], sim.benign_bursts, sim.users)


def _emit(
    trail: Trail,
    ctx: _Ctx,
    family: str,
    k: int,
    user: str,
    plan: list[Planned],
) -> Incident:
    label = f"{family}#{k}"
    who = _who(ctx, user)
    sid = trail.session(user)
    first = len(trail.calls)
    listed: set[str] = set()
    for ts, tool, args, outcome, error, result in plan:
        server = TOOLS[tool][0]
        if server not in listed:
            listed.add(server)
            trail.listing(ts - trail.rng.randint(200, 900) * 1000, server, who, sid, label)
        trail.tool(
            ts, tool, args, who, sid, label, outcome=outcome or "ok", error=error, result=result
        )
    mine = trail.calls[first:]
    return Incident(
        label,
        family,
        user,
        who[1],
        who[2],
        min(c.ts for c in mine),
        max(c.ts for c in mine),
        len(mine),
        _what(family),
    )


def _what(family: str) -> str:
    """The family's line of this module's docstring, as one sentence."""
    text = (__doc__ or "").split(f"``{family}``", 1)[-1].split("\n``", 1)[0]
    return " ".join(text.split()) or family
