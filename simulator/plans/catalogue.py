"""The MCP servers people here run, their tools, and the annotations each server publishes.

Tools are the real servers' tool names (reference servers, GitHub's, Sentry's, Postgres MCP Pro,
mcp-server-kubernetes, mcp-atlassian, the AWS Labs servers …; a vendor prefix where two servers
would otherwise share a name). Every tool belongs to exactly one server. Servers annotate as
they do in the wild, four ways (``STYLE``):

``full``      every tool states ``readOnlyHint``, ``destructiveHint``, ``idempotentHint``,
              ``openWorldHint``
``readonly``  GitHub-style: reads say ``readOnlyHint: true``, writes ``readOnlyHint: false``
              and nothing else (destructive only by the spec's default)
``reads``     reads say ``readOnlyHint: true``; writes carry no annotations at all
``none``      no annotations (the tool is absent from :data:`ANNOTATIONS`)

:data:`ANNOTATIONS` (tool → annotations) is what the servers' ``tools/list`` gives; the
benchmark hands it to the frame as the emitter would record it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from .args import known_tools

__all__ = ["ANNOTATIONS", "RESOURCE_SCHEMES", "STYLE", "TOOLS", "Tool", "server_of"]


@dataclass(frozen=True, slots=True)
class Tool:
    """One tool: its server, what it does, its latency and result size (medians), pagination."""

    name: str
    server: str
    kind: str  # read | list | search | write | delete | exec | notify | meta
    latency_ms: float
    result_bytes: float
    pages: float = 0.0  # mean extra pages a listing is followed through (0: not paginated)
    destructive: bool = False  # what it really does (its server may or may not say so)

    @property
    def reads(self) -> bool:
        return self.kind in ("read", "list", "search", "meta")


#: server → how it annotates its tools
STYLE: Final[dict[str, str]] = {
    "filesystem": "full",
    "git": "none",
    "github": "readonly",
    "slack": "reads",
    "postgres": "reads",
    "sentry": "full",
    "linear": "reads",
    "puppeteer": "none",
    "fetch": "none",
    "memory": "full",
    "aws-api": "readonly",
    "cloudwatch": "readonly",
    "kubernetes": "full",
    "atlassian": "readonly",
    "gdrive": "none",
    "bigquery": "reads",
    "pagerduty": "full",
    "time": "full",
    "sequential-thinking": "none",
}

# name, server, kind, latency ms, result bytes, pages, destructive
_ROWS: Final[tuple[tuple[str, str, str, float, float, float, bool], ...]] = (
    ("read_text_file", "filesystem", "read", 4, 5200, 0, False),
    ("read_multiple_files", "filesystem", "read", 9, 21000, 0, False),
    ("write_file", "filesystem", "write", 6, 90, 0, True),
    ("edit_file", "filesystem", "write", 8, 850, 0, True),
    ("create_directory", "filesystem", "write", 3, 80, 0, False),
    ("list_directory", "filesystem", "list", 3, 1900, 0, False),
    ("directory_tree", "filesystem", "list", 40, 16000, 0, False),
    ("move_file", "filesystem", "write", 4, 110, 0, True),
    ("search_files", "filesystem", "search", 120, 1500, 0, False),
    ("get_file_info", "filesystem", "read", 2, 260, 0, False),
    ("git_status", "git", "read", 35, 420, 0, False),
    ("git_diff_unstaged", "git", "read", 40, 3800, 0, False),
    ("git_diff_staged", "git", "read", 40, 3100, 0, False),
    ("git_diff", "git", "read", 60, 7200, 0, False),
    ("git_log", "git", "read", 45, 2600, 0, False),
    ("git_show", "git", "read", 40, 4100, 0, False),
    ("git_add", "git", "write", 30, 60, 0, False),
    ("git_commit", "git", "write", 80, 120, 0, False),
    ("git_create_branch", "git", "write", 30, 70, 0, False),
    ("git_checkout", "git", "write", 90, 70, 0, False),
    ("git_reset", "git", "write", 40, 60, 0, True),
    ("get_file_contents", "github", "read", 260, 6100, 0, False),
    ("search_code", "github", "search", 700, 9000, 0.4, False),
    ("list_issues", "github", "list", 420, 14000, 1.2, False),
    ("get_issue", "github", "read", 300, 3800, 0, False),
    ("create_issue", "github", "write", 520, 2100, 0, False),
    ("add_issue_comment", "github", "write", 450, 1300, 0, False),
    ("list_pull_requests", "github", "list", 450, 16000, 1.0, False),
    ("get_pull_request", "github", "read", 330, 5200, 0, False),
    ("get_pull_request_files", "github", "read", 380, 9800, 0, False),
    ("create_pull_request", "github", "write", 900, 3000, 0, False),
    ("merge_pull_request", "github", "write", 1200, 400, 0, True),
    ("create_pull_request_review", "github", "write", 700, 1500, 0, False),
    ("list_commits", "github", "list", 380, 12000, 0.8, False),
    ("create_branch", "github", "write", 500, 600, 0, False),
    ("push_files", "github", "write", 1500, 900, 0, True),
    ("delete_file", "github", "delete", 800, 700, 0, True),
    ("list_workflow_runs", "github", "list", 500, 11000, 0.5, False),
    ("get_job_logs", "github", "read", 1300, 38000, 0, False),
    ("slack_list_channels", "slack", "list", 380, 9000, 1.5, False),
    ("slack_get_channel_history", "slack", "read", 420, 12000, 0, False),
    ("slack_get_thread_replies", "slack", "read", 350, 4200, 0, False),
    ("slack_post_message", "slack", "notify", 300, 700, 0, False),
    ("slack_reply_to_thread", "slack", "notify", 300, 650, 0, False),
    ("slack_add_reaction", "slack", "notify", 200, 60, 0, False),
    ("slack_get_users", "slack", "list", 500, 30000, 2.0, False),
    ("slack_get_user_profile", "slack", "read", 220, 1400, 0, False),
    ("list_schemas", "postgres", "meta", 25, 700, 0, False),
    ("list_objects", "postgres", "meta", 40, 3300, 0, False),
    ("get_object_details", "postgres", "meta", 45, 2400, 0, False),
    ("explain_query", "postgres", "read", 90, 1900, 0, False),
    ("execute_sql", "postgres", "exec", 160, 8800, 0, True),
    ("analyze_db_health", "postgres", "read", 1400, 5200, 0, False),
    ("get_top_queries", "postgres", "read", 300, 4600, 0, False),
    ("find_organizations", "sentry", "meta", 300, 500, 0, False),
    ("find_projects", "sentry", "list", 350, 2600, 0, False),
    ("search_issues", "sentry", "search", 900, 7400, 0, False),
    ("get_issue_details", "sentry", "read", 700, 14000, 0, False),
    ("search_events", "sentry", "search", 1100, 9100, 0, False),
    ("get_trace_details", "sentry", "read", 900, 11000, 0, False),
    ("update_issue", "sentry", "write", 500, 900, 0, False),
    ("analyze_issue_with_seer", "sentry", "exec", 9000, 6000, 0, False),
    ("linear_search_issues", "linear", "search", 450, 8200, 0.7, False),
    ("linear_get_user_issues", "linear", "list", 400, 7400, 0, False),
    ("linear_create_issue", "linear", "write", 600, 1200, 0, False),
    ("linear_update_issue", "linear", "write", 450, 1000, 0, False),
    ("linear_add_comment", "linear", "write", 420, 700, 0, False),
    ("puppeteer_navigate", "puppeteer", "read", 1800, 300, 0, False),
    ("puppeteer_screenshot", "puppeteer", "read", 700, 95000, 0, False),
    ("puppeteer_click", "puppeteer", "exec", 400, 120, 0, False),
    ("puppeteer_fill", "puppeteer", "exec", 350, 120, 0, False),
    ("puppeteer_evaluate", "puppeteer", "exec", 250, 600, 0, False),
    ("fetch", "fetch", "read", 900, 5000, 0, False),
    ("create_entities", "memory", "write", 6, 300, 0, False),
    ("create_relations", "memory", "write", 5, 220, 0, False),
    ("add_observations", "memory", "write", 5, 240, 0, False),
    ("delete_entities", "memory", "delete", 5, 80, 0, True),
    ("delete_observations", "memory", "delete", 5, 80, 0, True),
    ("read_graph", "memory", "read", 9, 14000, 0, False),
    ("search_nodes", "memory", "search", 7, 2300, 0, False),
    ("open_nodes", "memory", "read", 5, 1200, 0, False),
    ("call_aws", "aws-api", "exec", 1500, 6400, 0, True),
    ("suggest_aws_commands", "aws-api", "meta", 1100, 1800, 0, False),
    ("describe_log_groups", "cloudwatch", "list", 500, 4200, 0.6, False),
    ("execute_log_insights_query", "cloudwatch", "search", 2300, 300, 0, False),
    ("get_logs_insight_query_results", "cloudwatch", "read", 900, 22000, 0, False),
    ("get_metric_data", "cloudwatch", "read", 700, 6800, 0, False),
    ("get_active_alarms", "cloudwatch", "list", 500, 3100, 0, False),
    ("kubectl_get", "kubernetes", "list", 350, 5400, 0, False),
    ("kubectl_describe", "kubernetes", "read", 400, 6600, 0, False),
    ("kubectl_logs", "kubernetes", "read", 800, 24000, 0, False),
    ("kubectl_apply", "kubernetes", "write", 1200, 500, 0, True),
    ("kubectl_delete", "kubernetes", "delete", 900, 200, 0, True),
    ("kubectl_scale", "kubernetes", "write", 700, 250, 0, False),
    ("kubectl_rollout", "kubernetes", "exec", 1500, 800, 0, False),
    ("kubectl_context", "kubernetes", "meta", 120, 300, 0, False),
    ("explain_resource", "kubernetes", "meta", 300, 5200, 0, False),
    ("jira_search", "atlassian", "search", 800, 11000, 0.8, False),
    ("jira_get_issue", "atlassian", "read", 500, 6200, 0, False),
    ("jira_create_issue", "atlassian", "write", 900, 1500, 0, False),
    ("jira_update_issue", "atlassian", "write", 700, 1300, 0, False),
    ("jira_transition_issue", "atlassian", "write", 700, 300, 0, False),
    ("confluence_search", "atlassian", "search", 900, 8800, 0.5, False),
    ("confluence_get_page", "atlassian", "read", 600, 16000, 0, False),
    ("confluence_create_page", "atlassian", "write", 1100, 1200, 0, False),
    ("confluence_update_page", "atlassian", "write", 1100, 1200, 0, True),
    ("gdrive_search", "gdrive", "search", 600, 3600, 0.6, False),
    ("gdrive_read_file", "gdrive", "read", 900, 26000, 0, False),
    ("gsheets_read", "gdrive", "read", 800, 18000, 0, False),
    ("gsheets_update_cell", "gdrive", "write", 600, 200, 0, False),
    ("list-tables", "bigquery", "meta", 600, 3100, 0, False),
    ("describe-table", "bigquery", "meta", 500, 2200, 0, False),
    ("execute-query", "bigquery", "exec", 2600, 15000, 0, True),
    ("list_incidents", "pagerduty", "list", 400, 6200, 0.3, False),
    ("get_incident", "pagerduty", "read", 300, 3100, 0, False),
    ("manage_incidents", "pagerduty", "write", 500, 900, 0, False),
    ("list_oncalls", "pagerduty", "list", 350, 2300, 0, False),
    ("get_current_time", "time", "meta", 1, 90, 0, False),
    ("convert_time", "time", "meta", 1, 140, 0, False),
    ("sequentialthinking", "sequential-thinking", "meta", 2, 260, 0, False),
)

#: tool name → its spec
TOOLS: Final[dict[str, Tool]] = {r[0]: Tool(*r) for r in _ROWS}
assert set(TOOLS) == known_tools(), "every tool has an argument builder and vice versa"

#: server → URI schemes its ``resources/read`` serves (servers without resources absent)
RESOURCE_SCHEMES: Final[dict[str, str]] = {
    "filesystem": "file://",
    "postgres": "postgres://",
    "github": "repo://",
    "gdrive": "gdrive:///",
}


def server_of(tool: str) -> str:
    return TOOLS[tool].server


def _annotations(t: Tool) -> dict[str, bool] | None:
    style = STYLE[t.server]
    if style == "none":
        return None
    if style == "reads":
        return {"readOnlyHint": True} if t.reads else None
    if style == "readonly":
        return {"readOnlyHint": t.reads}
    return {
        "readOnlyHint": t.reads,
        "destructiveHint": t.destructive,
        "idempotentHint": t.reads or t.kind == "delete",
        "openWorldHint": t.server not in ("filesystem", "memory", "time"),
    }


#: tool → the MCP annotations its server publishes (tools without any are absent)
ANNOTATIONS: Final[dict[str, dict[str, bool]]] = {
    name: a for name, t in TOOLS.items() if (a := _annotations(t)) is not None
}
