"""Service accounts and the jobs that share them.

``svc-etl``         the nightly extract (01:30 UTC): a query and an upload per partition; fewer
                    partitions on weekends
``svc-backup``      the daily backup rotation (03:00 UTC): copies and deletes old backups
``svc-ci``          shared by three jobs: a CI agent that follows every pull request people open,
                    the morning dependency-update triage and the release bot
``svc-automation``  shared by the daily Jira sweeper and the Monday report
``svc-helpdesk``    a Slack bot answering questions from the knowledge base in business hours

Each job is its own agent and client on the shared account, as in a real deployment. The
scheduled runs on the scored days are labelled by the caller where they are hard negatives.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Final

from ._calls import workspace
from .agent import Runner, Step, expand
from .org import DAY_US, HOUR_US, Seat

__all__ = ["SERVICE_ACCOUNTS", "nightly_etl", "run_services"]

_MIN: Final = 60_000_000
SERVICE_ACCOUNTS: Final = ("svc-etl", "svc-backup", "svc-ci", "svc-automation", "svc-helpdesk")


def _seat(client: str, agent: str, version: str) -> Seat:
    return Seat(client, "svc", agent, (version,), 1 << 30)


_ETL: Final = _seat("airflow-mcp", "airflow-worker", "2.10.3")
_BACKUP: Final = _seat("cron-mcp", "backup-rotation", "0.4.1")
_CI: Final = _seat("github-actions-mcp", "ci-runner", "1.4.0")
_DEPS: Final = _seat("github-actions-mcp", "deps-triage", "1.4.0")
RELEASE_BOT: Final = _seat("github-actions-mcp", "release-bot", "1.4.0")
_SWEEP: Final = _seat("python-mcp", "jira-sweeper", "1.21.0")
_REPORT: Final = _seat("python-mcp", "weekly-report", "1.21.0")
_BOT: Final = _seat("slack-bolt-mcp", "helpdesk-bot", "3.2.0")


def nightly_etl(runner: Runner, rng: random.Random, t: int, weekend: bool, label: str) -> int:
    """One run of the nightly extract from ``t``; returns when it ended."""
    ws = workspace("svc-etl", "data")
    plan = [("aws-s3", "list_objects_v2")]
    for _ in range(rng.randint(10, 16) if weekend else rng.randint(22, 34)):
        plan += [("postgres", "execute_sql"), ("aws-s3", "put_object")]
    plan += [("mongodb", "aggregate")] * rng.randint(2, 5) + [("slack", "slack_post_message")]
    scope = f"etl{t}"
    return runner.run(
        plan, user="svc-etl", ws=ws, seat=_ETL, t0=t, scope=scope, label=label, think_s=0.6
    )


def run_services(
    runner: Runner, rng: random.Random, start_us: int, days: int, scored_from: int
) -> list[tuple[str, int, int]]:
    """Every job over the simulation; returns (job, start, end) of the nightly ETL runs on or
    after day ``scored_from`` (the caller labels them)."""
    etl_runs: list[tuple[str, int, int]] = []
    weekday0 = datetime.fromtimestamp(start_us // 1_000_000, UTC).weekday()
    for d in range(days):
        day0 = start_us + d * DAY_US
        weekday = (weekday0 + d) % 7
        t = day0 + int(1.5 * HOUR_US) + rng.randrange(0, 10 * _MIN)
        if d >= scored_from:
            label = f"benign:nightly_batch#{len(etl_runs)}"
            end = nightly_etl(runner, rng, t, weekday >= 5, label)
            etl_runs.append((label, t, end))
        else:
            nightly_etl(runner, rng, t, weekday >= 5, "")
        t = day0 + 3 * HOUR_US + rng.randrange(0, 5 * _MIN)
        plan = [("aws-s3", "list_objects_v2")] * 2
        plan += [("aws-s3", "copy_object")] * rng.randint(8, 16)
        plan += [("aws-s3", "delete_object")] * rng.randint(4, 12)
        runner.run(
            plan,
            user="svc-backup",
            ws=workspace("svc-backup", "platform"),
            seat=_BACKUP,
            t0=t,
            scope=f"bk{d}",
            think_s=0.4,
        )
        t = day0 + 6 * HOUR_US + rng.randrange(0, 20 * _MIN)
        plan = expand(
            (
                Step("github", "list_pull_requests", 2, 4),
                Step("github", "get_pull_request", 2, 8),
                Step("github", "get_pull_request_diff", 1, 5),
                Step("github", "merge_pull_request", 0, 2, 0.5),
            ),
            rng,
        )
        runner.run(
            plan,
            user="svc-ci",
            ws=workspace("svc-ci", "platform"),
            seat=_DEPS,
            t0=t,
            scope=f"deps{d}",
            think_s=1.0,
        )
        t = day0 + 5 * HOUR_US + rng.randrange(0, 10 * _MIN)
        plan = expand(
            (
                Step("atlassian", "jira_search", 2, 4),
                Step("atlassian", "jira_update_issue", 3, 20),
                Step("atlassian", "jira_add_comment", 1, 6),
            ),
            rng,
        )
        runner.run(
            plan,
            user="svc-automation",
            ws=workspace("svc-automation", "product"),
            seat=_SWEEP,
            t0=t,
            scope=f"sw{d}",
            think_s=0.5,
        )
        if weekday == 0:
            t = day0 + 7 * HOUR_US + rng.randrange(0, 10 * _MIN)
            plan = [("postgres", "execute_sql")] * rng.randint(14, 24)
            plan += [("notion", "notion-create-pages"), ("slack", "slack_post_message")]
            runner.run(
                plan,
                user="svc-automation",
                ws=workspace("svc-automation", "finance"),
                seat=_REPORT,
                t0=t,
                scope=f"rep{d}",
                think_s=1.5,
            )
        if weekday < 5:  # the helpdesk bot: questions during the business day around the world
            for _ in range(rng.randint(10, 22)):
                t = day0 + int(rng.uniform(1, 22) * HOUR_US)
                plan = expand(
                    (
                        Step("slack", "slack_get_thread_replies"),
                        Step("notion", "notion-search", 1, 2),
                        Step("notion", "notion-fetch", 1, 2, 0.8),
                        Step("slack", "slack_reply_to_thread"),
                    ),
                    rng,
                )
                runner.run(
                    plan,
                    user="svc-helpdesk",
                    ws=workspace("svc-helpdesk", "support"),
                    seat=_BOT,
                    t0=t,
                    scope=f"bot{d}",
                    think_s=2.0,
                )
    return etl_runs


def run_ci(runner: Runner, rng: random.Random) -> None:
    """A CI run for every pull request opened so far: checks, logs of a failure, a comment."""
    for t, repo in list(runner.prs):
        ws = workspace("svc-ci", "backend")
        steps = (
            Step("github", "get_pull_request"),
            Step("github", "list_workflow_runs", 1, 2),
            Step("github", "get_job_logs", 1, 2, 0.3),
            Step("github", "add_issue_comment", 1, 1, 0.6),
        )
        del repo
        runner.run(
            expand(steps, rng),
            user="svc-ci",
            ws=ws,
            seat=_CI,
            t0=t + rng.randrange(1, 5) * _MIN,
            scope="ci",
            think_s=2.0,
        )
