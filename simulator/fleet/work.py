"""Work items and the queues people take them from: the event-driven heart of the fleet.

Each team has item types that *arrive* (tickets, bugs, PR reviews, data requests, alerts) and a
backlog its people pull from when the queue is empty (features, docs, analyses). Arrivals follow
the requesters' business days (Monday carries the weekend's backlog, Friday is light, weekends
and holidays are thin); alerts arrive around the clock and page the on-call engineer, at night
too. People are servers of the queue: whenever a person is free within a shift, they take the
oldest waiting item of their team (alerts first), else a backlog item, else go to a meeting;
the item is then carried out by one of their agents (:class:`agent.Runner`) on the seat its type
suits. A role change switches the person's team (queue, templates, servers) on its day.
"""

from __future__ import annotations

import heapq
import random
from collections import deque
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Final

from ._calls import workspace
from .agent import Runner, Step
from .agent import expand as expand_steps
from .org import DAY_US, HOUR_US, TEAM, Person, shifts

__all__ = ["ARRIVALS", "BACKLOG", "TEMPLATES", "plan_for", "run_queues", "seat_kind"]

_MIN: Final = 60_000_000
S = Step
_CODE: Final = (
    S("atlassian", "jira_get_issue", 1, 1, 0.8),
    S("github", "get_issue", 1, 1, 0.3),
    S("filesystem", "list_directory", 0, 2, 0.5),
    S("filesystem", "search_files", 1, 3, 0.6),
    S("filesystem", "read_text_file", 2, 10),
    S("filesystem", "read_multiple_files", 0, 2, 0.4),
    S("fetch", "fetch", 1, 2, 0.2),
    S("filesystem", "edit_file", 1, 7),
    S("filesystem", "write_file", 1, 2, 0.35),
    S("git", "git_status", 1, 2),
    S("git", "git_diff_unstaged", 1, 2),
    S("git", "git_add", 1, 1),
    S("git", "git_commit", 1, 1),
    S("github", "create_pull_request", 1, 1, 0.4),
    S("atlassian", "jira_transition_issue", 1, 1, 0.4),
)
TEMPLATES: Final[dict[str, tuple[Step, ...]]] = {
    "feature": (
        *_CODE,
        S("postgres", "execute_sql", 1, 3, 0.25),
        S("playwright", "browser_navigate", 1, 2, 0.5),
        S("playwright", "browser_snapshot", 1, 3, 0.5),
        S("playwright", "browser_click", 1, 4, 0.4),
        S("playwright", "browser_take_screenshot", 1, 1, 0.3),
    ),
    "bugfix": (
        S("sentry", "get_issue_details", 1, 1, 0.8),
        S("sentry", "search_events", 1, 2, 0.4),
        *_CODE,
        S("postgres", "explain_query", 1, 2, 0.2),
    ),
    "pr_review": (
        S("github", "get_pull_request", 1, 1),
        S("github", "get_pull_request_diff", 1, 1),
        S("github", "get_file_contents", 0, 6, 0.7),
        S("github", "list_commits", 1, 1, 0.3),
        S("github", "create_pull_request_review", 1, 1, 0.85),
    ),
    "db_investigation": (
        S("postgres", "list_objects", 1, 1, 0.6),
        S("postgres", "get_object_details", 1, 3),
        S("postgres", "explain_query", 0, 2),
        S("postgres", "execute_sql", 2, 6),
        S("postgres", "get_top_queries", 1, 1, 0.3),
        S("slack", "slack_reply_to_thread", 1, 1, 0.5),
    ),
    "infra_change": (
        S("github", "get_file_contents", 1, 4),
        S("filesystem", "read_text_file", 1, 5),
        S("filesystem", "edit_file", 1, 4),
        S("git", "git_diff_unstaged", 1, 1),
        S("git", "git_commit", 1, 1),
        S("github", "create_pull_request", 1, 1, 0.7),
        S("kubernetes", "kubectl_get", 1, 3),
        S("kubernetes", "kubectl_apply", 1, 2, 0.4),
        S("kubernetes", "kubectl_rollout", 1, 2, 0.4),
        S("grafana", "query_prometheus", 1, 2, 0.4),
    ),
    "ops_ticket": (
        S("github", "get_issue", 1, 1),
        S("kubernetes", "kubectl_get", 1, 4),
        S("kubernetes", "kubectl_describe", 1, 2, 0.6),
        S("kubernetes", "kubectl_logs", 1, 3, 0.6),
        S("grafana", "query_prometheus", 1, 3, 0.5),
        S("aws-s3", "list_objects_v2", 1, 2, 0.3),
        S("github", "add_issue_comment", 1, 1, 0.7),
    ),
    "cleanup": (
        S("kubernetes", "kubectl_get", 1, 2),
        S("kubernetes", "kubectl_delete", 1, 4, 0.7),
        S("aws-s3", "list_objects_v2", 1, 2),
        S("aws-s3", "delete_object", 1, 6, 0.5),
        S("slack", "slack_post_message", 1, 1, 0.4),
    ),
    "alert": (
        S("pagerduty", "get_incident", 1, 1),
        S("pagerduty", "manage_incidents", 1, 1),
        S("grafana", "query_prometheus", 1, 4),
        S("grafana", "query_loki_logs", 1, 3, 0.7),
        S("kubernetes", "kubectl_get", 1, 4),
        S("kubernetes", "kubectl_logs", 1, 3, 0.8),
        S("kubernetes", "kubectl_describe", 1, 2, 0.5),
        S("sentry", "find_issues", 1, 2, 0.5),
        S("kubernetes", "kubectl_rollout", 1, 1, 0.35),
        S("kubernetes", "kubectl_scale", 1, 1, 0.2),
        S("slack", "slack_post_message", 1, 2, 0.8),
        S("pagerduty", "manage_incidents", 1, 1),
    ),
    "data_request": (
        S("slack", "slack_get_thread_replies", 1, 1, 0.7),
        S("postgres", "list_objects", 1, 1, 0.4),
        S("postgres", "get_object_details", 1, 2, 0.6),
        S("postgres", "execute_sql", 2, 9),
        S("mongodb", "aggregate", 1, 3, 0.3),
        S("aws-s3", "put_object", 1, 2, 0.25),
        S("slack", "slack_reply_to_thread", 1, 1, 0.8),
    ),
    "pipeline_dev": (
        *_CODE[:9],
        S("postgres", "execute_sql", 2, 5),
        S("mongodb", "find", 1, 3, 0.5),
        S("mongodb", "collection-schema", 1, 1, 0.3),
        *_CODE[9:],
    ),
    "analysis": (
        S("notion", "notion-fetch", 1, 2, 0.6),
        S("mongodb", "aggregate", 2, 7),
        S("mongodb", "find", 1, 3),
        S("postgres", "execute_sql", 1, 6),
        S("notion", "notion-update-page", 1, 1, 0.5),
    ),
    "customer_ticket": (
        S("atlassian", "jira_get_issue", 1, 1),
        S("atlassian", "jira_search", 0, 2),
        S("notion", "notion-search", 1, 2, 0.7),
        S("notion", "notion-fetch", 1, 2, 0.6),
        S("sentry", "find_issues", 1, 1, 0.4),
        S("sentry", "get_issue_details", 1, 1, 0.3),
        S("gdrive", "gdrive_search", 1, 1, 0.15),
        S("atlassian", "jira_add_comment", 1, 2),
        S("atlassian", "jira_transition_issue", 1, 1, 0.7),
        S("slack", "slack_post_message", 1, 1, 0.25),
    ),
    "kb_update": (
        S("notion", "notion-search", 1, 2),
        S("notion", "notion-fetch", 1, 3),
        S("atlassian", "confluence_get_page", 1, 2, 0.5),
        S("notion", "notion-update-page", 1, 2),
    ),
    "vuln_triage": (
        S("github", "get_issue", 1, 1, 0.6),
        S("fetch", "fetch", 1, 3),
        S("github", "search_code", 1, 5),
        S("github", "get_file_contents", 1, 6),
        S("atlassian", "jira_create_issue", 1, 1, 0.4),
        S("github", "add_issue_comment", 1, 1, 0.4),
    ),
    "access_review": (
        S("aws-s3", "list_buckets", 1, 1),
        S("aws-s3", "list_objects_v2", 1, 4),
        S("kubernetes", "kubectl_get", 1, 3),
        S("github", "search_repositories", 1, 2),
        S("grafana", "list_alert_rules", 1, 1, 0.3),
        S("slack", "slack_post_message", 1, 1, 0.5),
    ),
    "finance_request": (
        S("gdrive", "gdrive_search", 1, 2),
        S("gdrive", "gsheets_read", 1, 4),
        S("postgres", "execute_sql", 1, 4, 0.7),
        S("gdrive", "gsheets_update_cell", 1, 6, 0.5),
        S("slack", "slack_post_message", 1, 1, 0.6),
    ),
    "reporting": (
        S("notion", "notion-fetch", 1, 2),
        S("postgres", "execute_sql", 2, 6),
        S("gdrive", "gdrive_read_file", 1, 3),
        S("notion", "notion-update-page", 1, 1, 0.5),
    ),
    "spec": (
        S("notion", "notion-search", 1, 2),
        S("notion", "notion-fetch", 1, 4),
        S("atlassian", "jira_search", 1, 2),
        S("atlassian", "confluence_get_page", 1, 2, 0.4),
        S("notion", "notion-update-page", 1, 3),
        S("atlassian", "jira_create_issue", 1, 3, 0.4),
    ),
    "triage": (
        S("atlassian", "jira_search", 1, 2),
        S("atlassian", "jira_get_issue", 1, 4),
        S("sentry", "find_issues", 1, 2, 0.5),
        S("atlassian", "jira_update_issue", 1, 4),
        S("playwright", "browser_navigate", 1, 2, 0.3),
        S("playwright", "browser_snapshot", 1, 2, 0.3),
    ),
    "catch_up": (
        S("slack", "slack_get_channel_history", 1, 3),
        S("atlassian", "jira_search", 1, 1, 0.4),
        S("github", "list_pull_requests", 1, 1, 0.4),
        S("notion", "notion-search", 1, 1, 0.2),
    ),
}
#: team → (item type, arrivals per member per business day)
ARRIVALS: Final[dict[str, tuple[tuple[str, float], ...]]] = {
    "backend": (("bugfix", 0.7), ("pr_review", 1.4), ("db_investigation", 0.3)),
    "frontend": (("bugfix", 0.8), ("pr_review", 1.3)),
    "platform": (("ops_ticket", 1.0), ("pr_review", 0.8), ("cleanup", 0.25)),
    "data": (("data_request", 1.3), ("pr_review", 0.5)),
    "support": (("customer_ticket", 5.0),),
    "security": (("vuln_triage", 0.8), ("pr_review", 0.4)),
    "finance": (("finance_request", 1.2),),
    "product": (("triage", 1.2),),
}
#: team → what its people pull when the queue is empty
BACKLOG: Final[dict[str, tuple[str, ...]]] = {
    "backend": ("feature", "feature", "bugfix"),
    "frontend": ("feature", "feature"),
    "platform": ("infra_change", "infra_change", "ops_ticket"),
    "data": ("pipeline_dev", "analysis"),
    "support": ("kb_update",),
    "security": ("access_review", "vuln_triage"),
    "finance": ("reporting",),
    "product": ("spec", "spec", "triage"),
}
_SEAT: Final = {
    "pr_review": "cli",
    "alert": "cli",
    "ops_ticket": "cli",
    "cleanup": "cli",
    "data_request": "chat",
    "analysis": "chat",
    "customer_ticket": "chat",
    "kb_update": "chat",
    "finance_request": "chat",
    "reporting": "chat",
    "spec": "chat",
    "triage": "chat",
    "catch_up": "chat",
}
_DAY_FACTOR: Final = (1.35, 1.05, 1.0, 0.95, 0.75, 0.12, 0.1)  # Monday … Sunday


def seat_kind(item: str) -> str:
    return _SEAT.get(item, "ide")


def plan_for(item: str, person: Person, day: int, rng: random.Random) -> list[tuple[str, str]]:
    """The calls an agent makes for ``item``, on the servers the person's team has that day."""
    servers = frozenset(TEAM[person.team_on(day)].servers)
    return expand_steps(TEMPLATES[item], rng, servers, scale=min(2.0, 0.7 + 0.3 * person.pace))


def _arrivals(
    rng: random.Random, team: str, members: Sequence[Person], start_us: int, days: int
) -> list[tuple[int, int, str]]:
    """(time, priority, item type) of every item arriving for ``team``, in time order."""
    out: list[tuple[int, int, str]] = []
    weekday0 = datetime.fromtimestamp(start_us // 1_000_000, UTC).weekday()
    tz = sorted(m.tz for m in members)[len(members) // 2] if members else 0.0
    for d in range(days):
        factor = _DAY_FACTOR[(weekday0 + d) % 7]
        for item, rate in ARRIVALS[team]:
            for _ in range(_poisson(rng, rate * len(members) * factor)):
                local = rng.gauss(13.0, 3.2) if rng.random() < 0.85 else rng.uniform(0, 24)
                t = start_us + d * DAY_US + int((local - tz) * HOUR_US)
                out.append((t, 1, item))
    out.sort()
    return out


def _poisson(rng: random.Random, lam: float) -> int:
    n, limit, p = 0, pow(2.718281828459045, -min(lam, 700.0)), rng.random()
    if lam > 30:
        return max(0, round(rng.gauss(lam, lam**0.5)))
    while p > limit:
        n += 1
        p *= rng.random()
    return n


def run_queues(
    runner: Runner,
    people: Sequence[Person],
    rng: random.Random,
    start_us: int,
    days: int,
    pages: list[tuple[int, str]],
) -> None:
    """Every person works their team's queue and backlog over their shifts (calls go to
    ``runner``); ``pages``: (time, on-call person) of alerts, worked at once, night or day."""
    teams = sorted({p.team_on(d) for p in people for d in (0, days - 1)})
    queues: dict[str, deque[tuple[int, int, str]]] = {}
    for team in teams:
        members = [p for p in people if team in (p.team, p.moves_to)]
        queues[team] = deque(_arrivals(rng, team, members, start_us, days))
    waiting: dict[str, list[tuple[int, int, str]]] = {t: [] for t in teams}
    heap: list[tuple[int, int, str]] = []
    plans = {p.name: shifts(p, rng, start_us, days) for p in people}
    by_name = {p.name: p for p in people}
    serial = 0
    for t, who in pages:
        heapq.heappush(heap, (t, -1, f"page:{who}"))
    for i, p in enumerate(people):
        if plans[p.name]:
            heapq.heappush(heap, (plans[p.name][0][0], i, p.name))
    while heap:
        t, prio, key = heapq.heappop(heap)
        if key.startswith("page:"):
            p = by_name[key[5:]]
            serial += 1
            _work(runner, p, "alert", t, start_us, rng, serial)
            continue
        p = by_name[key]
        shift = next(((a, b) for a, b in plans[p.name] if b > t), None)
        if shift is None:
            continue
        t = max(t, shift[0])
        day = (t - start_us) // DAY_US
        team = p.team_on(day)
        q, wait = queues[team], waiting[team]
        while q and q[0][0] <= t:
            heapq.heappush(wait, q.popleft())
        if t - shift[0] < 20 * _MIN and rng.random() < 0.6:
            item = "catch_up"
        elif wait:
            item = heapq.heappop(wait)[2]
        elif rng.random() < min(0.85, 0.45 * p.pace):
            item = rng.choice(BACKLOG[team])
        else:  # a meeting, a review without the agent, lunch running late
            heapq.heappush(heap, (t + int(rng.uniform(10, 75) * _MIN), prio, key))
            continue
        serial += 1
        end = _work(runner, p, item, t, start_us, rng, serial)
        heapq.heappush(heap, (end + int(rng.uniform(2, 25) * _MIN / p.pace), prio, key))


def _work(
    runner: Runner, p: Person, item: str, t: int, start_us: int, rng: random.Random, serial: int
) -> int:
    day = (t - start_us) // DAY_US
    plan = plan_for(item, p, day, rng)
    if not plan:
        return t
    seat = p.seat(seat_kind(item))
    local_day = (t + int(p.tz * HOUR_US)) // DAY_US
    scope = f"i{serial}" if seat.kind == "cli" else f"d{local_day}"
    ws = workspace(p.name, p.team_on(day))
    return runner.run(plan, user=p.name, ws=ws, seat=seat, t0=t, scope=scope)
