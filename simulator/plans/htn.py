"""The plan library: goals decomposed into subgoals and tool calls (a small HTN domain).

A goal has methods (alternative decompositions, weighted); a method is a list of steps:

``Call(tool, n, p, par)``   call ``tool`` n times (drawn from the range), with probability p,
                            up to ``par`` at once (a parallel batch of tool calls)
``Res(server, n)``          ``resources/read`` of resources the server exposes
``Sub(goal, p, loop, delegate)``  pursue a subgoal, repeated a geometric number of extra times
                            (mean ``loop``: fix → test → fix again), optionally by a sub-agent
``Approve(p)``              the human reviews before the agent goes on (interactive runs only)

A step whose server the person's client has not configured is skipped, so one library serves
every role. :data:`ROLE_GOALS` gives each role's mix of top-level goals.
"""

from __future__ import annotations

from typing import Final

from .htn_ops import OPS_GOALS
from .steps import Approve, Call, Res, Step, Sub

__all__ = ["DOMAIN", "ROLE_GOALS", "Approve", "Call", "Res", "Step", "Sub"]

C, S = Call, Sub

DOMAIN: Final[dict[str, list[tuple[float, list[Step]]]]] = {
    "fix_bug": [
        (3, [S("triage"), S("locate"), S("patch"), S("verify", loop=0.6), S("ship", p=0.8)]),
        (1, [S("locate", delegate=True), S("patch"), S("ship", p=0.6)]),
    ],
    "triage": [
        (2, [C("search_issues"), C("get_issue_details"), C("get_trace_details", p=0.4)]),
        (2, [C("linear_get_user_issues"), C("linear_search_issues", p=0.5)]),
        (1, [C("get_issue"), C("list_issues", p=0.3)]),
    ],
    "locate": [
        (3, [C("search_files", p=0.7), C("read_text_file", (2, 7), par=3), C("git_log", p=0.3)]),
        (1, [C("directory_tree"), C("read_multiple_files", (1, 2))]),
        (1, [C("search_code"), C("get_file_contents", (1, 4), par=2)]),
        (1, [Res("filesystem", (1, 3)), C("read_text_file", (1, 3))]),
    ],
    "patch": [
        (3, [C("read_text_file", (0, 2)), C("edit_file", (1, 6)), Approve(0.4)]),
        (1, [C("write_file", (1, 2)), C("edit_file", (0, 3)), Approve(0.3)]),
    ],
    "verify": [
        (2, [C("git_status"), C("git_diff_unstaged"), C("read_text_file", p=0.5)]),
        (1, [C("list_workflow_runs", p=0.6), C("get_job_logs", p=0.4)]),
    ],
    "ship": [
        (
            2,
            [
                C("git_add"),
                C("git_commit"),
                C("create_pull_request", p=0.3),
                C("linear_update_issue", p=0.4),
            ],
        ),
        (
            1,
            [
                C("git_create_branch"),
                C("git_add"),
                C("git_commit"),
                C("create_pull_request", p=0.6),
            ],
        ),
    ],
    "feature": [
        (
            1,
            [
                S("design", p=0.5),
                S("locate"),
                S("patch", loop=1.5),
                S("verify", loop=0.8),
                S("ship"),
            ],
        ),
        (1, [S("design", p=0.3), S("locate", delegate=True), S("patch", loop=1.0), S("ship")]),
    ],
    "design": [
        (
            1,
            [
                C("sequentialthinking", (2, 6)),
                C("fetch", p=0.4),
                C("create_entities", p=0.3),
                C("confluence_search", p=0.2),
            ],
        ),
    ],
    "review_pr": [
        (
            1,
            [
                C("list_pull_requests"),
                C("get_pull_request"),
                C("get_pull_request_files"),
                C("get_file_contents", (1, 5), par=3),
                C("create_pull_request_review", p=0.7),
                C("merge_pull_request", p=0.25),
            ],
        ),
    ],
    "db_investigation": [
        (
            2,
            [
                C("list_objects", p=0.4),
                C("get_object_details", (1, 2)),
                C("execute_sql", (1, 6)),
                C("explain_query", p=0.4),
            ],
        ),
        (1, [Res("postgres", (1, 3)), C("execute_sql", (1, 3)), C("get_top_queries", p=0.3)]),
    ],
    "answer_question": [
        (
            1,
            [
                C("slack_get_channel_history"),
                C("slack_get_thread_replies", p=0.5),
                C("slack_reply_to_thread", p=0.6),
                C("slack_add_reaction", p=0.3),
            ],
        ),
    ],
    "ui_check": [
        (
            1,
            [
                C("puppeteer_navigate"),
                C("puppeteer_screenshot", (1, 3)),
                C("puppeteer_click", (0, 4)),
                C("puppeteer_fill", p=0.4),
                C("puppeteer_evaluate", p=0.3),
            ],
        ),
    ],
    "remember": [(1, [C("search_nodes"), C("open_nodes", p=0.6), C("add_observations", p=0.5)])],
    "read_docs": [
        (1, [C("fetch", (1, 4), par=2)]),
        (1, [C("confluence_search"), C("confluence_get_page")]),
    ],
    **OPS_GOALS,
}

#: role → its top-level goals and their weights
ROLE_GOALS: Final[dict[str, dict[str, float]]] = {
    "backend": {
        "fix_bug": 4,
        "feature": 3,
        "review_pr": 3,
        "db_investigation": 2,
        "answer_question": 1,
        "remember": 1,
        "read_docs": 1,
    },
    "frontend": {"fix_bug": 4, "feature": 3, "review_pr": 2, "ui_check": 3, "read_docs": 2},
    "sre": {"diagnose": 3, "infra_change": 2, "cost_review": 1, "health_check": 3, "review_pr": 1},
    "data": {"analysis": 5, "report": 2, "db_investigation": 2, "read_docs": 1},
    "finance": {"reconcile": 4, "report": 2, "finance_docs": 3},
    "support": {"ticket": 6, "escalate": 1, "answer_question": 2},
    "pm": {"planning": 4, "status_update": 2, "catch_up": 2},
    "security": {"audit": 3, "vuln_review": 3, "diagnose": 1},
    "manager": {"catch_up": 4, "docs": 2, "planning": 1, "status_update": 1},
}
