"""Benign traffic: ordinary users' sessions and the labelled benign bursts.

Ordinary sessions start in the user's local working hours (one in ten in the evening), 2-8 per
workday, about one every other weekend day; each lasts 5-60 min with exponential gaps between
calls (mean 15-60 s per session) and walks the role's tool chain. Bursts (``benign:*``) are
regular, heavy, and harmless: detectors must learn them from history, not alert on them.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Mapping
from datetime import timedelta
from typing import Final

from ._calls import (
    MAX_RESULT,
    Episode,
    S,
    Session,
    Who,
    hex_id,
    local_midnight,
    lognormal,
    make_call,
    select,
    trace_id,
)
from .model import DAY_US, SimCall, SimConfig, UserProfile
from .world import PROJECTS, TABLES, TRANSITIONS, WORDS, WorkingSet, target

__all__ = [
    "SVC_CI",
    "SVC_ETL",
    "ci_bot",
    "nightly_batch",
    "run_session",
    "user_sessions",
    "weekly_report",
]

SVC_ETL: Final = UserProfile(
    "svc-etl", "service", 0.0, 0.0, 24.0, ("etl-runner",), "python-mcp", "1.9.0"
)
SVC_CI: Final = UserProfile(
    "svc-ci", "service", 0.0, 0.0, 24.0, ("ci-agent",), "github-actions-mcp", "0.8.1"
)
_ETL_SOURCES: Final = ("orders", "payments", "clickstream", "crm", "inventory", "tickets")


def run_session(
    rng: random.Random,
    user: UserProfile,
    ws: WorkingSet,
    start: int,
    *,
    label: str = "",
    chain: Mapping[str, tuple[list[str], list[float]]] | None = None,
) -> Session:
    """One ordinary session of ``user`` from ``start``: a walk over the role's tool chain (or
    over ``chain``, in the shape of :data:`~.world.TRANSITIONS`)."""
    session = Session(hex_id(rng), Who.of(user, rng.choice(user.agents)))
    end = start + int(rng.uniform(5, 60) * 60 * S)
    mean_gap = rng.uniform(15, 60)
    chain = chain or TRANSITIONS[user.role]
    state, t, trace = "start", start, trace_id(rng)
    while t < end:
        nexts, cum = chain[state]
        tool = nexts[bisect.bisect(cum, rng.random() * cum[-1])]
        args, uri = target(rng, ws, tool)
        if rng.random() < 0.6:  # a trace spans one call or a few
            trace = trace_id(rng)
        session.calls.append(
            make_call(
                rng,
                ts=t,
                who=session.who,
                session_id=session.id,
                trace=trace,
                tool=tool,
                args=args,
                uri=uri,
                label=label,
            )
        )
        state = tool
        t += int(max(0.5, rng.expovariate(1 / mean_gap)) * S)
    return session


def user_sessions(
    cfg: SimConfig,
    rng: random.Random,
    user: UserProfile,
    ws: WorkingSet,
    *,
    label: str = "",
    every_day_a_workday: bool = False,
) -> list[Session]:
    """All sessions of ``user`` from their first day on; the working set grows a little daily."""
    sessions: list[Session] = []
    for day in range(user.first_day, cfg.days):
        if day > user.first_day:
            ws.add_new(rng, rng.randint(2, 5))
        workday = every_day_a_workday or (cfg.start.weekday() + day) % 7 < 5
        count = rng.randint(2, 8) if workday else int(rng.random() < 0.5)
        midnight = local_midnight(cfg, user, day)
        for _ in range(count):
            if rng.random() < 0.1:
                hour = rng.uniform(19.0, 22.5)
            else:
                hour = rng.uniform(user.work_start, user.work_end - 0.25)
            start = midnight + int(hour * 3600 * S)
            sessions.append(run_session(rng, user, ws, start, label=label))
    return sessions


def nightly_batch(cfg: SimConfig, day: int, n: int) -> tuple[Episode, list[SimCall]]:
    """02:00 UTC, ~10 min: svc-etl reads 400-700 partition files and exports 5-10 tables."""
    rng = random.Random(f"{cfg.seed}:benign:nightly_batch:{day}")
    ep = Episode(
        f"benign:nightly_batch#{n}",
        "benign:nightly_batch",
        Who.of(SVC_ETL),
        "nightly ETL: svc-etl reads yesterday's partitions and exports warehouse tables",
    )
    start = cfg.start_us + day * DAY_US + 2 * 3600 * S + int(rng.uniform(0, 90) * S)
    span = rng.uniform(540, 660)
    n_files, n_exports = rng.randint(400, 700), rng.randint(5, 10)
    date = (cfg.start + timedelta(days=day - 1)).date().isoformat()
    jobs = [("read_file", i) for i in range(n_files)]
    jobs += [("export_table", i) for i in range(n_exports)]
    rng.shuffle(jobs)
    times = sorted(start + int(rng.uniform(0, span) * S) for _ in jobs)
    session = hex_id(rng)
    exports = rng.sample(TABLES, n_exports)
    calls = []
    for t, (tool, i) in zip(times, jobs, strict=True):
        if tool == "read_file":
            path = f"/data/landing/{_ETL_SOURCES[i % 6]}/{date}/part-{i // 6:05d}.parquet"
            args, uri, size = {"path": path}, f"file://{path}", int(lognormal(rng, 60_000, 0.6))
        else:
            uri = exports[i]
            args = {"table": uri.removeprefix("db://").replace("/", "."), "format": "parquet"}
            size = min(MAX_RESULT, int(lognormal(rng, 1_500_000, 0.5)))
        calls.append(ep.call(rng, session, ts=t, tool=tool, args=args, uri=uri, size=size))
    return ep, calls


def ci_bot(cfg: SimConfig, day: int, first: int) -> list[tuple[Episode, list[SimCall]]]:
    """3-6 bursts a day at any hour: svc-ci makes 30-80 GitHub calls in 2-3 minutes."""
    rng = random.Random(f"{cfg.seed}:benign:ci_bot:{day}")
    tools, weights = (
        ("get_file_contents", "search_code", "list_issues", "create_pull_request"),
        (0.5, 0.25, 0.15, 0.1),
    )
    out: list[tuple[Episode, list[SimCall]]] = []
    for b in range(rng.randint(3, 6)):
        ep = Episode(
            f"benign:ci_bot#{first + b}",
            "benign:ci_bot",
            Who.of(SVC_CI),
            "CI run: svc-ci reads and searches repositories and opens a pull request",
        )
        start = cfg.start_us + day * DAY_US + int(rng.uniform(0, 86_400 - 200) * S)
        span, count = rng.uniform(120, 180), rng.randint(30, 80)
        repo = f"acme/{rng.choice(PROJECTS)}"
        session, trace = hex_id(rng), trace_id(rng)
        calls = []
        for t in sorted(start + int(rng.uniform(0, span) * S) for _ in range(count)):
            tool = rng.choices(tools, weights)[0]
            args = {"repo": repo}
            uri = f"https://github.com/{repo}"
            if tool == "get_file_contents":
                args["path"] = f"src/{rng.choice(WORDS)}.py"
                uri += f"/blob/main/{args['path']}"
            elif tool == "search_code":
                args["query"] = rng.choice(WORDS)
            calls.append(ep.call(rng, session, ts=t, trace=trace, tool=tool, args=args, uri=uri))
        out.append((ep, calls))
    return out


def weekly_report(
    cfg: SimConfig, analyst: UserProfile, ws: WorkingSet
) -> list[tuple[Episode, list[SimCall]]]:
    """Every Monday ~09:00 local: the analyst's report, 40-60 run_query in about 5 minutes."""
    rng = random.Random(f"{cfg.seed}:benign:weekly_report:{analyst.name}")
    tables = ws.items["table"] or list(TABLES)
    queries = []  # the same report every week: the same fingerprints
    for _ in range(12):
        uri = rng.choice(tables)
        column = rng.choice(("count(*)", "sum(amount)", "avg(value)", "uniq(user_id)"))
        table = uri.removeprefix("db://").replace("/", ".")
        queries.append((uri, select(f"week, {column}", table, " GROUP BY week ORDER BY week")))
    out: list[tuple[Episode, list[SimCall]]] = []
    for day in range(cfg.days):
        if (cfg.start.weekday() + day) % 7 != 0:
            continue
        ep = Episode(
            f"benign:weekly_report#{len(out)}",
            "benign:weekly_report",
            Who.of(analyst),
            f"weekly report: {analyst.name} runs the same 40-60 queries on Monday morning",
        )
        start = local_midnight(cfg, analyst, day) + int(rng.uniform(9.0, 9.25) * 3600 * S)
        span, count = rng.uniform(240, 330), rng.randint(40, 60)
        session = hex_id(rng)
        calls = []
        for i, t in enumerate(sorted(start + int(rng.uniform(0, span) * S) for _ in range(count))):
            uri, query = queries[i % len(queries)]
            calls.append(
                ep.call(rng, session, ts=t, tool="run_query", args={"query": query}, uri=uri)
            )
        out.append((ep, calls))
    return out
