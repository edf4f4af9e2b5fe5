"""Machine traffic: CI-triggered review agents and scheduled service accounts.

``svc-ci-review`` reviews every pull request people's agents open (a run 1-6 minutes after each
``create_pull_request``), so its volume follows the humans' working hours. The scheduled
accounts run on cron in UTC whatever the day: ``svc-etl`` (hourly queries, a heavy 02:00 run),
``svc-triage`` (Sentry → Linear every 15 minutes), ``svc-janitor`` (a nightly S3 clean-up
through ``call_aws``), ``svc-docs-sync`` (Confluence every 6 hours) and ``svc-oncall-bot``
(the morning on-call post). Deterministic from the stream.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from typing import Final

from ..model import SimCall
from .execute import Flaky, Run, tool_call
from .org import Agent
from .workspace import Workspace

__all__ = ["ci_reviews", "scheduled"]

_MIN: Final = 60_000_000
_HOUR: Final = 60 * _MIN
_Flaky = Mapping[str, list[Flaky]]
_CI: Final = Agent("ci-review-bot", "github-actions", "2.328.0", 1.0)


def _svc_ws(name: str) -> Workspace:
    teams = ("payments", "search", "web", "platform", "data", "growth", "identity")
    return Workspace(
        user=name,
        home="/home/runner",
        repos=[f"acme/{t}-api" for t in teams],
        files={
            f"acme/{t}-api": [
                "src/main.py",
                "src/handlers/api.py",
                "tests/test_api.py",
                "README.md",
                "config/app.yaml",
            ]
            for t in teams
        },
        tables=["orders", "events", "ledger_entries", "customers"],
        datasets=["analytics.events", "analytics.revenue_daily"],
        channels=["C0GENERAL01", "C0INCIDENT1", "C0ONCALL001"],
        namespaces=["platform", "payments", "search"],
        projects=list(teams[:4]),
        docs=[f"ops-backups-{i}" for i in range(3)] + [f"9{i:015d}" for i in range(5)],
        urls=["https://status.acme.dev/"],
        entities=["ops"],
    )


def ci_reviews(
    rng: random.Random, calls: Iterable[SimCall], end_us: int, flaky: _Flaky
) -> list[SimCall]:
    """One review run per pull request opened in ``calls``."""
    ws = _svc_ws("svc-ci-review")
    out: list[SimCall] = []
    for c in calls:
        if c.tool != "create_pull_request" or c.outcome != "ok":
            continue
        t = c.ts + int(rng.uniform(1, 6) * _MIN)
        if t >= end_us:
            continue
        run = Run(rng, "svc-ci-review", _CI, frozenset({"github"}), ws, t, False, flaky=flaky)
        a = dict(c.args)
        t = tool_call(
            run,
            "get_pull_request",
            t,
            args={"owner": a["owner"], "repo": a["repo"], "pullNumber": rng.randrange(3000)},
        )
        t = tool_call(run, "get_pull_request_files", t + 400_000)
        for i in range(rng.randint(2, 10)):  # four at a time
            t0 = t + (i // 4) * 900_000
            t = max(t, tool_call(run, "get_file_contents", t0 + (i % 4) * 30_000))
        tool_call(run, "create_pull_request_review", t + int(rng.uniform(8, 40) * 1e6))
        out.extend(run.out)
    return out


def _every(start_us: int, end_us: int, period: int, offset: int) -> range:
    return range(start_us + offset, end_us, period)


def scheduled(rng: random.Random, start_us: int, end_us: int, flaky: _Flaky) -> list[SimCall]:
    """Every scheduled service account's runs in ``[start_us, end_us)``."""
    out: list[SimCall] = []

    def run(user: str, agent: Agent, servers: set[str], t: int) -> Run:
        return Run(rng, user, agent, frozenset(servers), _svc_ws(user), t, False, flaky=flaky)

    etl = Agent("etl-agent", "mcp-python-sdk", "1.19.0", 1.0)
    for t in _every(start_us, end_us, _HOUR, 5 * _MIN):
        r = run("svc-etl", etl, {"bigquery"}, t + rng.randint(0, 40_000_000))
        nightly = (t - start_us) % (24 * _HOUR) == 2 * _HOUR + 5 * _MIN
        for _ in range(rng.randint(12, 20) if nightly else rng.randint(2, 5)):
            r.t = tool_call(r, "execute-query", r.t, result_scale=4.0 if nightly else 1.0)
            r.think(0.2)
        if rng.random() < 0.1:
            tool_call(r, "list-tables", r.t)
        out.extend(r.out)
    triage = Agent("triage-bot", "mcp-python-sdk", "1.19.0", 1.0)
    for t in _every(start_us, end_us, 15 * _MIN, 2 * _MIN):
        r = run("svc-triage", triage, {"sentry", "linear"}, t + rng.randint(0, 20_000_000))
        r.t = tool_call(r, "search_issues", r.t)
        for _ in range(rng.choice([0, 0, 1, 2, 3])):
            r.t = tool_call(r, "get_issue_details", r.t + 500_000)
            if rng.random() < 0.15:
                r.t = tool_call(r, "linear_create_issue", r.t + 800_000)
        out.extend(r.out)
    janitor = Agent("janitor", "aws-lambda", "python3.12", 1.0)
    for t in _every(start_us, end_us, 24 * _HOUR, 3 * _HOUR + 30 * _MIN):
        r = run("svc-janitor", janitor, {"aws-api"}, t + rng.randint(0, 60_000_000))
        for i in range(rng.randint(6, 14)):
            day = f"2026-{rng.randint(1, 9):02d}-{rng.randint(1, 28):02d}"
            cmd = (
                f"aws s3 rm s3://ops-backups-{i % 3}/snapshots/{day}/ --recursive"
                if i % 2
                else f"aws s3 ls s3://ops-backups-{i % 3}/snapshots/"
            )
            r.t = tool_call(r, "call_aws", r.t + 300_000, args={"cli_command": cmd})
        out.extend(r.out)
    docs = Agent("docs-sync", "mcp-python-sdk", "1.19.0", 1.0)
    for t in _every(start_us, end_us, 6 * _HOUR, 40 * _MIN):
        r = run("svc-docs-sync", docs, {"atlassian", "github"}, t + rng.randint(0, 60_000_000))
        r.t = tool_call(r, "confluence_search", r.t)
        for _ in range(rng.randint(2, 6)):
            r.t = tool_call(r, "get_file_contents", r.t + 200_000)
            r.t = tool_call(r, "confluence_get_page", r.t + 200_000)
        for _ in range(rng.randint(0, 2)):
            r.t = tool_call(r, "confluence_update_page", r.t + 400_000)
        out.extend(r.out)
    bot = Agent("oncall-bot", "mcp-python-sdk", "1.19.0", 1.0)
    for t in _every(start_us, end_us, 24 * _HOUR, 8 * _HOUR + 55 * _MIN):
        r = run("svc-oncall-bot", bot, {"pagerduty", "slack"}, t)
        r.t = tool_call(r, "list_oncalls", r.t)
        tool_call(r, "slack_post_message", r.t + 500_000)
        out.extend(r.out)
    return out
