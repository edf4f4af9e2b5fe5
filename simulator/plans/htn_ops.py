"""The plan library's operations, data, finance, support, product and short goals (``htn.py``)."""

from __future__ import annotations

from typing import Final

from .steps import Approve, Call, Res, Step, Sub

__all__ = ["OPS_GOALS"]

C, S = Call, Sub

OPS_GOALS: Final[dict[str, list[tuple[float, list[Step]]]]] = {
    "respond_page": [
        (
            1,
            [
                C("list_incidents"),
                C("get_incident"),
                C("manage_incidents"),
                S("diagnose", loop=1.0),
                S("mitigate", p=0.6),
                C("slack_post_message", (1, 3)),
                C("manage_incidents"),
            ],
        ),
    ],
    "diagnose": [
        (2, [C("kubectl_get"), C("kubectl_describe", p=0.6), C("kubectl_logs", (1, 3), par=2)]),
        (
            2,
            [
                C("get_active_alarms"),
                C("get_metric_data", (1, 3), par=3),
                C("execute_log_insights_query"),
                C("get_logs_insight_query_results", (1, 2)),
            ],
        ),
        (1, [C("search_events"), C("get_trace_details")]),
    ],
    "mitigate": [
        (2, [C("kubectl_rollout"), C("kubectl_rollout")]),
        (1, [C("kubectl_scale"), C("kubectl_get")]),
        (1, [C("kubectl_delete"), C("kubectl_get")]),
    ],
    "infra_change": [
        (
            1,
            [
                C("kubectl_context"),
                C("read_text_file", (1, 3)),
                C("edit_file", (1, 3)),
                Approve(0.8),
                C("kubectl_apply", (1, 2)),
                C("kubectl_rollout"),
                C("git_commit", p=0.6),
            ],
        ),
    ],
    "cost_review": [
        (
            1,
            [C("suggest_aws_commands", p=0.5), C("call_aws", (2, 6)), C("get_metric_data", (1, 3))],
        ),
    ],
    "health_check": [
        (1, [C("get_active_alarms"), C("kubectl_get", (1, 3)), C("list_oncalls", p=0.3)]),
    ],
    # data and finance
    "analysis": [
        (
            2,
            [
                C("list-tables", p=0.3),
                C("describe-table", (1, 3)),
                C("execute-query", (2, 8)),
                C("gsheets_update_cell", (0, 3)),
            ],
        ),
        (1, [C("execute_sql", (2, 6)), Res("postgres", (0, 2)), C("gdrive_read_file", p=0.4)]),
    ],
    "report": [
        (
            1,
            [
                C("execute-query", (1, 4)),
                C("gsheets_read"),
                C("gsheets_update_cell", (1, 6)),
                C("slack_post_message", p=0.5),
            ],
        ),
    ],
    "reconcile": [
        (
            1,
            [
                C("gsheets_read", (1, 3)),
                C("execute-query", (1, 4)),
                C("gsheets_update_cell", (1, 8)),
                C("gdrive_search", p=0.5),
            ],
        ),
    ],
    "finance_docs": [
        (
            1,
            [
                C("gdrive_search"),
                C("gdrive_read_file", (1, 3)),
                Res("gdrive"),
                C("confluence_get_page", p=0.3),
            ],
        ),
    ],
    # support, product, security, management
    "ticket": [
        (
            1,
            [
                C("jira_search"),
                C("jira_get_issue"),
                S("support_lookup"),
                C("jira_update_issue", p=0.5),
                C("jira_transition_issue", p=0.5),
                C("slack_post_message", p=0.3),
            ],
        ),
    ],
    "support_lookup": [
        (1, [C("search_issues"), C("get_issue_details", p=0.6)]),
        (1, [C("confluence_search"), C("confluence_get_page")]),
        (1, [C("linear_search_issues"), C("linear_add_comment", p=0.5)]),
        (1, [C("fetch")]),
    ],
    "escalate": [(1, [C("linear_create_issue"), C("slack_post_message")])],
    "planning": [
        (
            1,
            [
                C("linear_search_issues", (1, 3)),
                C("linear_update_issue", (1, 5)),
                C("linear_create_issue", (0, 3)),
            ],
        ),
        (
            1,
            [
                C("jira_search"),
                C("confluence_get_page", (1, 2)),
                C("confluence_update_page", p=0.5),
            ],
        ),
    ],
    "status_update": [
        (
            1,
            [
                C("list_pull_requests"),
                C("linear_get_user_issues"),
                C("slack_post_message"),
                C("confluence_create_page", p=0.2),
            ],
        ),
    ],
    "audit": [
        (
            1,
            [
                C("call_aws", (2, 8)),
                C("kubectl_get", (1, 4)),
                C("search_code", (1, 3)),
                C("create_issue", p=0.3),
            ],
        ),
    ],
    "vuln_review": [
        (
            1,
            [
                C("list_pull_requests"),
                C("get_pull_request_files"),
                C("get_file_contents", (1, 4)),
                C("fetch", (1, 3)),
                C("add_issue_comment", p=0.5),
            ],
        ),
    ],
    "catch_up": [
        (
            1,
            [
                C("slack_get_channel_history", (1, 4), par=2),
                C("linear_get_user_issues", p=0.5),
                C("jira_search", p=0.3),
                C("slack_post_message", p=0.4),
            ],
        ),
    ],
    "docs": [
        (
            1,
            [
                C("gdrive_search"),
                C("gdrive_read_file", (1, 2)),
                C("confluence_get_page", p=0.4),
                C("get_current_time", p=0.2),
                C("convert_time", p=0.2),
            ],
        ),
    ],
    # short ones: between meetings, in the evening, on a weekend
    "quick_lookup": [
        (2, [C("slack_get_channel_history")]),
        (1, [C("linear_get_user_issues")]),
        (1, [C("get_issue")]),
        (1, [C("jira_get_issue")]),
        (1, [C("gdrive_search"), C("gdrive_read_file", p=0.5)]),
        (1, [C("get_active_alarms")]),
    ],
    "check_status": [
        (1, [C("list_pull_requests"), C("list_workflow_runs", p=0.6)]),
        (1, [C("slack_get_channel_history")]),
        (1, [C("linear_get_user_issues")]),
        (1, [C("get_active_alarms"), C("kubectl_get", p=0.5)]),
    ],
    # an agent left running on a long task (no human in the loop)
    "long_refactor": [
        (1, [S("locate", loop=3.0), S("patch", loop=7.0), S("verify", loop=3.0), S("ship")]),
    ],
    # a new hire's first day: read everything, change little
    "onboard": [
        (
            1,
            [
                C("directory_tree"),
                C("read_text_file", (3, 9), par=3),
                C("git_log"),
                C("confluence_search"),
                C("confluence_get_page", (1, 3)),
            ],
        ),
        (
            1,
            [
                C("list_pull_requests"),
                C("get_pull_request"),
                C("get_file_contents", (2, 6)),
                C("slack_get_channel_history", (1, 3)),
            ],
        ),
        (1, [C("list_objects"), C("get_object_details", (1, 3)), C("execute_sql", (1, 3))]),
    ],
}
