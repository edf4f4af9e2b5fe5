"""What people ask their agents to do: task templates per team, in a small step language.

A template is a line of steps an agent takes in order::

    git_status read_text_file{2,7} [edit_file{1,3} start_process]{1,4} create_pull_request?

``tool`` once; ``tool{a,b}`` a to b times; ``tool?`` half the time; ``[ … ]{a,b}`` the group
repeated (edit → test loops); ``server:tool`` where two servers share a name; ``@server`` a
``resources/read`` of that server. :func:`expand` turns a template into the steps of one run;
a step on a server the person does not use is dropped by the runner, so one template serves
people with different server sets.
"""

from __future__ import annotations

import functools
import random
import re
from dataclasses import dataclass
from typing import Any, Final

from .catalog import tool

__all__ = ["COMMON", "TEAMS", "Team", "expand"]

_TOKEN: Final = re.compile(r"\[|\](?:\{(\d+),(\d+)\}|\?)?|[^\s\[\]]+")
_REPEAT: Final = re.compile(r"^(.+?)(?:\{(\d+),(\d+)\}|(\?))?$")


_Node = tuple[Any, int, int]  # (tool ref, or a list of nodes; at least; at most)


def expand(template: str, rng: random.Random) -> list[str]:
    """The steps (tool refs, or ``@server``) of one run of ``template``."""
    out: list[str] = []
    _run(_parse(template), rng, out)
    return out


@functools.cache
def _parse(template: str) -> tuple[_Node, ...]:
    stack: list[list[_Node]] = [[]]
    for tok in (m.group(0) for m in _TOKEN.finditer(template)):
        if tok == "[":
            stack.append([])
        elif tok.startswith("]"):
            group = stack.pop()
            stack[-1].append((tuple(group), *_times(tok[1:])))
        else:
            m = _REPEAT.match(tok)
            if m is None or not m.group(1):
                raise ValueError(f"template: cannot read step {tok!r} in {template!r}")
            name, lo, hi, opt = m.groups()
            stack[-1].append((name, *_times("?" if opt else f"{{{lo},{hi}}}" if lo else "")))
    if len(stack) != 1:
        raise ValueError(f"template: unbalanced [ ] in {template!r}")
    return tuple(stack[0])


def _run(nodes: tuple[_Node, ...], rng: random.Random, out: list[str]) -> None:
    for what, lo, hi in nodes:
        n = (1 if rng.random() < 0.5 else 0) if (lo, hi) == (0, -1) else rng.randint(lo, hi)
        for _ in range(n):
            if isinstance(what, str):
                out.append(what)
            else:
                _run(what, rng, out)


def _times(suffix: str) -> tuple[int, int]:
    if suffix == "?":
        return (0, -1)  # half the time
    if not suffix:
        return (1, 1)
    lo, hi = suffix.strip("{}").split(",")
    return int(lo), int(hi)


@dataclass(frozen=True, slots=True)
class Team:
    """A team: the servers everyone in it uses, those some use, and its weighted tasks."""

    name: str
    role: str  # the ``UserProfile.role`` of its people
    core: tuple[str, ...]
    optional: dict[str, float]  # server → share of the team that uses it
    tasks: dict[str, tuple[float, str]]  # task → (weight, template)


_FIX = (
    "atlassian:jira_get_issue? git_status search_files{0,2} read_text_file{2,7} "
    "[edit_file{1,3} start_process read_process_output{0,2}]{1,4} git_diff_unstaged git_add "
    "git_commit create_pull_request? jira_transition_issue?"
)
_REVIEW = (
    "list_pull_requests? get_pull_request get_pull_request_files get_pull_request_diff "
    "get_file_contents{0,5} @github? add_issue_comment{0,3}"
)
_EXPLORE = (
    "list_directory directory_tree? read_text_file{3,12} search_files{0,3} search_code{0,2} "
    "read_multiple_files? search_nodes? open_nodes? add_observations?"
)
_CI = (
    "list_workflow_runs get_job_logs{1,2} read_text_file{1,4} edit_file{1,2} push_files "
    "rerun_failed_jobs?"
)
_ASK = "confluence_search? confluence_get_page{0,2} fetch{0,2} jira_search? jira_get_issue{0,2}"

TEAMS: Final[dict[str, Team]] = {
    "backend": Team(
        "backend",
        "developer",
        ("filesystem", "git", "github", "desktop-commander", "atlassian", "slack"),
        {"postgres": 0.7, "sentry": 0.6, "memory": 0.3, "fetch": 0.5},
        {
            "fix": (5, _FIX),
            "review": (3, _REVIEW),
            "explore": (3, _EXPLORE),
            "db": (
                2,
                "sentry:search_issues? get_issue_details? postgres:list_objects? @postgres? "
                "get_object_details{0,2} execute_sql{1,5} explain_query? read_text_file{1,4}",
            ),
            "ci": (1, _CI),
            "ask": (1, _ASK),
        },
    ),
    "frontend": Team(
        "frontend",
        "developer",
        ("filesystem", "git", "github", "playwright", "atlassian", "slack"),
        {"desktop-commander": 0.6, "sentry": 0.5, "fetch": 0.6},
        {
            "ui": (
                5,
                "git_status read_text_file{2,6} [edit_file{1,3} browser_navigate "
                "browser_snapshot browser_click{0,3} browser_type{0,2} "
                "browser_console_messages?]{1,3} browser_take_screenshot? git_add "
                "git_commit create_pull_request?",
            ),
            "review": (2, _REVIEW),
            "explore": (2, _EXPLORE),
            "e2e": (
                1,
                "start_process read_process_output{1,3} browser_navigate browser_snapshot "
                "browser_network_requests? browser_evaluate? browser_close",
            ),
            "ci": (1, _CI),
            "ask": (1, _ASK),
        },
    ),
    "platform": Team(
        "platform",
        "ops",
        ("kubernetes", "grafana", "github", "filesystem", "git", "slack"),
        {"s3": 0.8, "vault": 0.7, "desktop-commander": 0.6, "atlassian": 0.5},
        {
            "alert": (
                3,
                "list_alert_rules? search_dashboards? get_dashboard_by_uid? "
                "query_prometheus{1,4} query_loki_logs{0,3} kubectl_get{1,3} "
                "kubectl_describe{0,2} kubectl_logs{0,3}",
            ),
            "deploy": (
                2,
                "get_file_contents{1,3} read_text_file{1,3} edit_file{0,2} kubectl_context "
                "kubectl_apply{1,2} kubectl_rollout{1,2} kubectl_get{1,3}",
            ),
            "infra": (
                2,
                "git_status read_text_file{2,6} [edit_file{1,2} start_process "
                "read_process_output]{1,3} git_add git_commit create_pull_request?",
            ),
            "secrets": (1, "list_mounts? list_secrets read_secret{1,2} kubectl_describe?"),
            "storage": (1, "list_buckets s3:list_objects{1,3} head_object{0,3} get_object{0,2}"),
            "review": (2, _REVIEW),
        },
    ),
    "data": Team(
        "data",
        "analyst",
        ("bigquery", "postgres", "filesystem", "github", "slack"),
        {"s3": 0.8, "notion": 0.6, "git": 0.7},
        {
            "analysis": (
                4,
                "list-tables? describe-table{1,3} execute-query{2,8} notion-fetch? "
                "slack_post_message?",
            ),
            "pipeline": (
                2,
                "git_status read_text_file{2,6} edit_file{1,3} git_add git_commit "
                "create_pull_request?",
            ),
            "pg": (
                2,
                "list_schemas? @postgres? postgres:list_objects{0,2} get_object_details{0,2} "
                "execute_sql{1,6}",
            ),
            "lake": (1, "s3:list_objects{1,3} get_object{1,4} head_object?"),
        },
    ),
    "finance": Team(
        "finance",
        "analyst",
        ("bigquery", "google-sheets", "slack"),
        {"notion": 0.8, "s3": 0.5},
        {
            "report": (
                4,
                "list_spreadsheets? get_sheet_data{1,4} execute-query{1,4} "
                "update_cells{0,3} batch_update_cells?",
            ),
            "doc": (2, "notion-search notion-fetch{1,3} notion-update-page?"),
            "files": (1, "s3:list_objects get_object{1,3}"),
        },
    ),
    "support": Team(
        "support",
        "analyst",
        ("zendesk", "atlassian", "slack"),
        {"sentry": 0.7, "notion": 0.5},
        {
            "ticket": (
                5,
                "search_tickets? get_ticket get_ticket_comments sentry:search_issues? "
                "get_issue_details? jira_search? confluence_search? confluence_get_page? "
                "create_ticket_comment? update_ticket?",
            ),
            "escalate": (1, "get_ticket get_ticket_comments jira_create_issue slack_post_message"),
            "sweep": (2, "search_tickets [get_ticket get_ticket_comments? update_ticket?]{2,8}"),
        },
    ),
}

#: tasks everyone has now and then
COMMON: Final[dict[str, tuple[float, str]]] = {
    "chat": (
        1.0,
        "slack_get_channel_history{1,3} slack_get_thread_replies{0,2} slack_reply_to_thread?",
    ),
    "tickets": (0.6, "jira_search jira_get_issue{0,3} jira_add_comment?"),
}


def _check() -> None:
    """Every template names tools that exist (run at import: a typo fails loudly)."""
    rng = random.Random(0)
    for team in [*TEAMS.values()]:
        for _, template in [*team.tasks.values(), *COMMON.values()]:
            for _ in range(3):
                for step in expand(template, rng):
                    if not step.startswith("@"):
                        tool(step)


_check()
