"""Hard negatives: benign, labelled episodes on the scored days that look unusual on purpose.

``benign:nightly_batch``      the nightly extract of ``svc-etl`` on the scored nights
``benign:release_spike``      the monthly release on the last day: every engineer at work merges,
                              tags, watches rollouts; the release bot runs every deploy workflow
``benign:new_hire``           a backend engineer's first day: sets up, lists and reads everything
``benign:oncall_night``       the on-call engineer paged at 03:00 local on the last day, and real
                              work (logs, metrics, a rollback, a scale-up) for an hour or more
``benign:role_change``        a backend engineer joins the data team on the last day and starts
                              on its servers (MongoDB, S3, Notion) and its queue
``benign:change_window``      the DBA's announced Sunday-night migration: collections dropped,
                              documents deleted, indexes built, schema changed by SQL
``benign:incident_allhands``  an incident on the last day: everyone at work who can help hits
                              Sentry, Grafana, Kubernetes and Slack within the same hour
``benign:audit_export``       finance exports the ledger for the auditors: many large queries
``benign:laptop_reset``       an engineer's laptop is reset: new client version, new sessions on
                              every server of the team, everything listed again

:func:`prepare` changes the people these need before their work is simulated (the new hire, the
role change, the reset); :func:`add` runs the episodes. Every call of an episode carries its label
``benign:<name>#<n>``.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence
from typing import Final

from ._calls import workspace
from .agent import Runner, Step, expand
from .catalog import SERVERS, Tool
from .org import DAY_US, HOUR_US, TEAM, Person, Seat
from .services import RELEASE_BOT

__all__ = ["HARD_NEGATIVES", "Cast", "add", "prepare"]

HARD_NEGATIVES: Final[tuple[str, ...]] = (
    "benign:nightly_batch",
    "benign:release_spike",
    "benign:new_hire",
    "benign:oncall_night",
    "benign:role_change",
    "benign:change_window",
    "benign:incident_allhands",
    "benign:audit_export",
    "benign:laptop_reset",
)
_MIN: Final = 60_000_000
S = Step


@dataclasses.dataclass(frozen=True)
class Cast:
    """Who plays which hard negative (names)."""

    new_hire: str
    role_change: str
    dba: str
    finance: str
    reset: str


def prepare(people: list[Person], rng: random.Random, days: int) -> tuple[list[Person], Cast]:
    """The people with the new hire added, the role change and the reset set up; and the cast."""
    last = days - 1
    full = [p for p in people if len(p.workdays) == 5 and 0 in p.workdays and not p.days_off]
    backend = [p for p in full if p.team == "backend"] or [p for p in people if p.team == "backend"]
    mover = rng.choice(backend)
    reset = rng.choice([p for p in full or people if TEAM[p.team].engineers and p is not mover])
    dba = rng.choice([p for p in people if p.team == "data"])
    finance = rng.choice([p for p in people if p.team == "finance"])
    hire = dataclasses.replace(
        rng.choice(backend),
        name="new.joiner",
        first_day=last,
        days_off=frozenset(),
        seats=(
            Seat("cursor", "ide", "cursor:new.joiner", ("1.7.44",), 1 << 30),
            Seat("claude-code", "cli", "claude-code:new.joiner", ("2.0.36",), 1 << 30),
        ),
    )
    seat0 = reset.seats[0]
    bumped = dataclasses.replace(
        seat0, versions=(seat0.versions[0], seat0.versions[-1] + "-r1"), upgrade_day=last
    )
    out = []
    for p in people:
        if p is mover:
            p = dataclasses.replace(p, moves_to="data", move_day=last)
        elif p is reset:
            p = dataclasses.replace(p, seats=(bumped, *p.seats[1:]))
        out.append(p)
    out.append(hire)
    return out, Cast(hire.name, mover.name, dba.name, finance.name, reset.name)


def _at(p: Person, start_us: int, day: int, local_h: float) -> int:
    return start_us + day * DAY_US + int((local_h - p.tz) * HOUR_US)


def _working(p: Person, t: int, start_us: int) -> bool:
    local = ((t - start_us) / HOUR_US + p.tz) % 24
    return p.start_h - 0.5 <= local <= p.start_h + p.hours + 1.0


def add(
    runner: Runner,
    people: Sequence[Person],
    cast: Cast,
    rng: random.Random,
    start_us: int,
    days: int,
) -> None:
    """Run every episode but the nightly batch (the services label it) and the new hire's and
    the mover's ordinary work (the caller labels their last day)."""
    last, by = days - 1, {p.name: p for p in people}
    engineers = [p for p in people if TEAM[p.team].engineers and p.first_day < last]
    # the release: 15:30-18:30 UTC on the last day, for engineers at work then
    t_rel = start_us + last * DAY_US + int(15.5 * HOUR_US)
    n = 0
    for p in engineers:
        if not _working(p, t_rel + HOUR_US, start_us) or rng.random() > 0.75:
            continue
        steps: tuple[Step, ...] = (
            S("github", "list_pull_requests", 1, 2),
            S("github", "get_pull_request", 1, 3),
            S("github", "merge_pull_request", 1, 3),
            S("github", "list_tags", 1, 1, 0.5),
            S("github", "list_workflow_runs", 1, 3),
            S("kubernetes", "kubectl_rollout", 1, 3, 0.7),
            S("kubernetes", "kubectl_get", 1, 3),
            S("sentry", "find_releases", 1, 1, 0.6),
            S("sentry", "find_issues", 1, 2, 0.6),
            S("slack", "slack_post_message", 1, 1, 0.6),
        )
        plan = expand(steps, rng, frozenset(TEAM[p.team].servers))
        t = t_rel + rng.randrange(0, 150) * _MIN
        runner.run(
            plan,
            user=p.name,
            ws=workspace(p.name, p.team),
            seat=p.seat("cli"),
            t0=t,
            scope=f"rel{n}",
            label=f"benign:release_spike#{n}",
        )
        n += 1
    plan = [("github", "create_branch"), ("github", "push_files")]
    plan += [("github", "run_workflow"), ("github", "list_workflow_runs")] * rng.randint(10, 18)
    runner.run(
        plan,
        user="svc-ci",
        ws=workspace("svc-ci", "platform"),
        seat=RELEASE_BOT,
        t0=t_rel,
        scope="release",
        label=f"benign:release_spike#{n}",
        think_s=8.0,
    )
    # the new hire's first morning: the checkout, the repos, the docs, the channels, the schema
    p = by[cast.new_hire]
    steps = (
        S("filesystem", "list_directory", 3, 6),
        S("filesystem", "directory_tree", 2, 4),
        S("git", "git_log", 2, 4),
        S("github", "search_repositories", 1, 3),
        S("filesystem", "read_text_file", 8, 20),
        S("github", "get_file_contents", 3, 8),
        S("atlassian", "confluence_search", 2, 4),
        S("atlassian", "confluence_get_page", 3, 8),
        S("atlassian", "jira_search", 1, 3),
        S("slack", "slack_list_channels"),
        S("slack", "slack_get_users"),
        S("postgres", "list_schemas"),
        S("postgres", "list_objects", 1, 3),
        S("sentry", "find_projects"),
    )
    runner.run(
        expand(steps, rng, frozenset(TEAM[p.team].servers)),
        user=p.name,
        ws=workspace(p.name, p.team),
        seat=p.seats[0],
        t0=_at(p, start_us, last, p.start_h + 0.8),
        scope="onboarding",
        label="benign:new_hire#0",
    )
    # the on-call page at 03:00 local on the last day
    oncall = [p for p in people if p.oncall and p.first_day < last]
    p = oncall[(last // 7) % len(oncall)]
    t = _at(p, start_us, last, 3.0) + rng.randrange(0, 20) * _MIN
    steps = (
        S("pagerduty", "get_incident"),
        S("pagerduty", "manage_incidents"),
        S("grafana", "search_dashboards"),
        S("grafana", "query_prometheus", 4, 9),
        S("grafana", "query_loki_logs", 2, 5),
        S("kubernetes", "kubectl_get", 3, 8),
        S("kubernetes", "kubectl_describe", 1, 3),
        S("kubernetes", "kubectl_logs", 3, 6),
        S("sentry", "find_issues", 1, 2),
        S("kubernetes", "kubectl_rollout", 1, 2),
        S("kubernetes", "kubectl_scale", 1, 1),
        S("kubernetes", "kubectl_get", 2, 4),
        S("slack", "slack_post_message", 2, 4),
        S("pagerduty", "manage_incidents"),
    )
    runner.run(
        expand(steps, rng),
        user=p.name,
        ws=workspace(p.name, p.team),
        seat=p.seat("cli"),
        t0=t,
        scope="oncall-night",
        label="benign:oncall_night#0",
    )
    # the DBA's change window: Sunday (the day before the last) 21:00 local
    dba = by[cast.dba]
    sunday = last - 1
    steps = (
        S("slack", "slack_post_message"),
        S("mongodb", "list-collections", 2, 3),
        S("mongodb", "collection-schema", 2, 5),
        S("mongodb", "count", 3, 8),
        S("mongodb", "export", 2, 4),
        S("mongodb", "delete-many", 12, 28),
        S("mongodb", "drop-collection", 6, 12),
        S("mongodb", "create-index", 5, 9),
        S("postgres", "execute_sql", 10, 18),
        S("postgres", "analyze_db_health"),
        S("slack", "slack_post_message"),
    )
    runner.run(
        expand(steps, rng),
        user=dba.name,
        ws=workspace(dba.name, "data"),
        seat=dba.seat("cli"),
        t0=_at(dba, start_us, sunday, 21.0),
        scope="window",
        label="benign:change_window#0",
        think_s=20.0,
    )
    # the incident all-hands: 19:30 UTC on the last day
    t_inc = start_us + last * DAY_US + int(19.5 * HOUR_US)
    n = 0
    for p in people:
        if p.team not in ("platform", "backend", "security", "support", "product"):
            continue
        if p.first_day >= last or not _working(p, t_inc, start_us) or rng.random() > 0.7:
            continue
        steps = (
            S("slack", "slack_get_channel_history", 1, 3),
            S("sentry", "find_issues", 1, 3),
            S("sentry", "get_issue_details", 1, 3),
            S("sentry", "search_events", 1, 3),
            S("grafana", "query_prometheus", 2, 6),
            S("grafana", "query_loki_logs", 1, 4),
            S("kubernetes", "kubectl_get", 2, 6),
            S("kubernetes", "kubectl_logs", 1, 4),
            S("slack", "slack_post_message", 1, 3),
        )
        plan = expand(steps, rng, frozenset(TEAM[p.team_on(last)].servers))
        runner.run(
            plan,
            user=p.name,
            ws=workspace(p.name, p.team),
            seat=p.seat("chat"),
            t0=t_inc + rng.randrange(0, 30) * _MIN,
            scope=f"inc{n}",
            label=f"benign:incident_allhands#{n}",
        )
        n += 1
    # the audit export: finance, the last day, mid-morning local
    fin = by[cast.finance]
    steps = (
        S("gdrive", "gdrive_search", 1, 2),
        S("postgres", "list_objects", 1, 2),
        S("postgres", "execute_sql", 28, 45),
        S("gdrive", "gsheets_read", 3, 6),
        S("slack", "slack_post_message"),
    )
    runner.run(
        expand(steps, rng),
        user=fin.name,
        ws=workspace(fin.name, "finance"),
        seat=fin.seat("chat"),
        t0=_at(fin, start_us, last, 10.5),
        scope="audit",
        label="benign:audit_export#0",
        size=12.0,
    )
    # the laptop reset: first thing on the last day, every server of the team listed again
    p = by[cast.reset]
    servers = TEAM[p.team].servers
    steps = tuple(S(s, t.name, 1, 2) for s in servers for t in _lists(s))
    runner.run(
        expand(steps, rng),
        user=p.name,
        ws=workspace(p.name, p.team),
        seat=p.seats[0],
        t0=_at(p, start_us, last, p.start_h + 0.1),
        scope="reset",
        label="benign:laptop_reset#0",
        think_s=2.0,
    )


def _lists(server: str) -> list[Tool]:
    return [t for s in SERVERS if s.name == server for t in s.tools if t.kind == "list"][:3]
