"""The MCP servers of the simulated organisation: public-style servers, their tools and hints.

Server and tool names follow public MCP servers (the reference filesystem/git/fetch/slack/gdrive
servers, GitHub's, Sentry's, Grafana's, MongoDB's, Playwright's, Notion's, a Postgres admin
server, a Kubernetes server, an S3 server, Atlassian's Jira/Confluence, PagerDuty). Like the real
ones, some servers annotate their tools in ``tools/list`` and some give nothing:
:data:`ANNOTATIONS` holds exactly what the annotating servers declare (GitHub-style servers mark
writes only ``readOnlyHint: false``, which the MCP spec reads as possibly destructive). Tool names
are unique across servers, so a tool's annotations are its server's. Pure data; never raises.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

__all__ = ["ANNOTATIONS", "SERVERS", "Server", "Tool", "server_of", "tool"]


@dataclass(frozen=True, slots=True)
class Tool:
    """One tool: what it does (``kind``), the shape of its arguments and of its cost."""

    name: str
    kind: str  # read | list | search | write | delete | exec | export | meta
    shape: str  # argument shape (``_calls.args_for``)
    result_kb: float  # median result size, KiB
    ms: float  # median duration, ms
    fail: float = 0.01  # probability of an ordinary failure (bad path, bad SQL, ...)


@dataclass(frozen=True, slots=True)
class Server:
    name: str
    style: str  # how it annotates: none | full | readonly-only | local
    tools: tuple[Tool, ...]


def _t(name: str, kind: str, shape: str, kb: float, ms: float, fail: float = 0.01) -> Tool:
    return Tool(name, kind, shape, kb, ms, fail)


SERVERS: Final[tuple[Server, ...]] = (
    Server(
        "filesystem",
        "local",
        (
            _t("read_text_file", "read", "path", 9, 4, 0.03),
            _t("read_multiple_files", "read", "paths", 30, 9, 0.02),
            _t("write_file", "write", "path_write", 0.1, 6),
            _t("edit_file", "write", "path_edit", 0.8, 7, 0.05),
            _t("create_directory", "write", "path", 0.1, 2),
            _t("list_directory", "list", "path", 1.5, 3),
            _t("directory_tree", "list", "path", 12, 40),
            _t("move_file", "write", "move", 0.1, 3, 0.02),
            _t("search_files", "search", "path_pattern", 2, 120),
            _t("get_file_info", "read", "path", 0.3, 2, 0.02),
        ),
    ),
    Server(
        "git",
        "none",
        (
            _t("git_status", "read", "repo_path", 0.6, 25),
            _t("git_diff_unstaged", "read", "repo_path", 6, 30),
            _t("git_diff_staged", "read", "repo_path", 5, 30),
            _t("git_log", "read", "repo_path", 3, 40),
            _t("git_show", "read", "git_rev", 5, 35),
            _t("git_add", "write", "git_files", 0.1, 20),
            _t("git_commit", "write", "git_message", 0.2, 60, 0.03),
            _t("git_create_branch", "write", "git_branch", 0.1, 20, 0.02),
            _t("git_checkout", "write", "git_branch", 0.2, 80, 0.04),
            _t("git_reset", "write", "repo_path", 0.1, 30),
        ),
    ),
    Server(
        "github",
        "readonly-only",
        (
            _t("get_file_contents", "read", "gh_file", 7, 300, 0.03),
            _t("search_code", "search", "gh_query", 14, 900, 0.02),
            _t("search_repositories", "search", "gh_query", 10, 700),
            _t("list_pull_requests", "list", "gh_repo", 18, 500),
            _t("get_pull_request", "read", "gh_pr", 5, 350),
            _t("get_pull_request_diff", "read", "gh_pr", 40, 600),
            _t("create_pull_request", "write", "gh_new_pr", 4, 900, 0.03),
            _t("merge_pull_request", "write", "gh_pr", 0.5, 1200, 0.05),
            _t("create_pull_request_review", "write", "gh_review", 1, 700),
            _t("list_issues", "list", "gh_repo", 20, 500),
            _t("get_issue", "read", "gh_issue", 4, 300),
            _t("add_issue_comment", "write", "gh_comment", 1, 500),
            _t("list_commits", "list", "gh_repo", 12, 450),
            _t("create_branch", "write", "gh_branch", 0.5, 600, 0.02),
            _t("push_files", "write", "gh_push", 1, 1500, 0.04),
            _t("delete_file", "delete", "gh_file", 0.5, 800, 0.02),
            _t("list_workflow_runs", "list", "gh_repo", 15, 600),
            _t("get_job_logs", "read", "gh_job", 60, 1500, 0.03),
            _t("run_workflow", "exec", "gh_workflow", 0.3, 900, 0.03),
            _t("list_tags", "list", "gh_repo", 3, 400),
        ),
    ),
    Server(
        "postgres",
        "full",
        (
            _t("list_schemas", "list", "none", 1, 60),
            _t("list_objects", "list", "pg_schema", 4, 90),
            _t("get_object_details", "read", "pg_object", 3, 80, 0.02),
            _t("explain_query", "read", "sql", 2, 150, 0.06),
            _t("execute_sql", "exec", "sql", 24, 700, 0.07),
            _t("get_top_queries", "read", "none", 8, 300),
            _t("analyze_db_health", "read", "none", 6, 2500),
        ),
    ),
    Server(
        "mongodb",
        "full",
        (
            _t("list-databases", "list", "none", 1, 80),
            _t("list-collections", "list", "mongo_db", 2, 90),
            _t("collection-schema", "read", "mongo_coll", 3, 300),
            _t("find", "read", "mongo_find", 20, 250, 0.03),
            _t("aggregate", "read", "mongo_agg", 12, 900, 0.05),
            _t("count", "read", "mongo_find", 0.1, 120),
            _t("insert-many", "write", "mongo_docs", 0.3, 300, 0.02),
            _t("update-many", "write", "mongo_update", 0.3, 500, 0.03),
            _t("delete-many", "delete", "mongo_find", 0.2, 600, 0.02),
            _t("drop-collection", "delete", "mongo_coll", 0.1, 400, 0.02),
            _t("create-index", "write", "mongo_index", 0.2, 2000, 0.03),
            _t("export", "export", "mongo_find", 300, 4000, 0.03),
        ),
    ),
    Server(
        "slack",
        "none",
        (
            _t("slack_list_channels", "list", "none", 9, 400),
            _t("slack_get_channel_history", "read", "slack_channel", 16, 500),
            _t("slack_get_thread_replies", "read", "slack_thread", 6, 400),
            _t("slack_post_message", "write", "slack_post", 0.6, 450, 0.02),
            _t("slack_reply_to_thread", "write", "slack_reply", 0.6, 450, 0.02),
            _t("slack_add_reaction", "write", "slack_react", 0.1, 300),
            _t("slack_get_users", "list", "none", 25, 600),
            _t("slack_get_user_profile", "read", "slack_user", 1, 300),
        ),
    ),
    Server(
        "atlassian",
        "none",
        (
            _t("jira_search", "search", "jql", 22, 800),
            _t("jira_get_issue", "read", "jira_key", 6, 400),
            _t("jira_create_issue", "write", "jira_new", 1, 900, 0.04),
            _t("jira_update_issue", "write", "jira_update", 1, 700, 0.03),
            _t("jira_transition_issue", "write", "jira_transition", 0.5, 600, 0.05),
            _t("jira_add_comment", "write", "jira_comment", 0.8, 500),
            _t("jira_delete_issue", "delete", "jira_key", 0.2, 600),
            _t("confluence_search", "search", "cql", 15, 900),
            _t("confluence_get_page", "read", "confluence_page", 20, 600),
            _t("confluence_update_page", "write", "confluence_edit", 1, 1100, 0.04),
        ),
    ),
    Server(
        "sentry",
        "full",
        (
            _t("find_organizations", "list", "none", 1, 300),
            _t("find_projects", "list", "sentry_org", 4, 400),
            _t("find_issues", "search", "sentry_query", 14, 900),
            _t("get_issue_details", "read", "sentry_issue", 18, 700),
            _t("search_events", "search", "sentry_query", 25, 1400, 0.03),
            _t("update_issue", "write", "sentry_update", 0.8, 500),
            _t("find_releases", "list", "sentry_org", 5, 500),
            _t("analyze_issue_with_seer", "exec", "sentry_issue", 9, 9000, 0.06),
        ),
    ),
    Server(
        "kubernetes",
        "none",
        (
            _t("kubectl_get", "list", "k8s_get", 8, 350, 0.02),
            _t("kubectl_describe", "read", "k8s_obj", 6, 400, 0.02),
            _t("kubectl_logs", "read", "k8s_logs", 45, 1200, 0.03),
            _t("kubectl_apply", "write", "k8s_manifest", 0.6, 1500, 0.05),
            _t("kubectl_scale", "write", "k8s_scale", 0.3, 700, 0.02),
            _t("kubectl_rollout", "write", "k8s_rollout", 0.8, 2500, 0.04),
            _t("kubectl_delete", "delete", "k8s_obj", 0.3, 900, 0.03),
            _t("exec_in_pod", "exec", "k8s_exec", 3, 2000, 0.06),
            _t("list_api_resources", "list", "none", 9, 500),
        ),
    ),
    Server(
        "aws-s3",
        "none",
        (
            _t("list_buckets", "list", "none", 2, 300),
            _t("list_objects_v2", "list", "s3_prefix", 12, 450),
            _t("head_object", "read", "s3_key", 0.4, 120),
            _t("get_object", "read", "s3_key", 60, 700, 0.02),
            _t("put_object", "write", "s3_put", 0.3, 900, 0.02),
            _t("copy_object", "write", "s3_copy", 0.3, 600),
            _t("delete_object", "delete", "s3_key", 0.2, 250),
            _t("generate_presigned_url", "export", "s3_key", 0.5, 60),
        ),
    ),
    Server(
        "grafana",
        "full",
        (
            _t("search_dashboards", "search", "grafana_query", 5, 300),
            _t("get_dashboard_by_uid", "read", "grafana_uid", 30, 400),
            _t("query_prometheus", "read", "promql", 14, 900, 0.04),
            _t("query_loki_logs", "read", "logql", 40, 1500, 0.04),
            _t("list_datasources", "list", "none", 2, 200),
            _t("list_alert_rules", "list", "none", 10, 500),
            _t("list_oncall_schedules", "list", "none", 3, 400),
        ),
    ),
    Server("fetch", "none", (_t("fetch", "read", "url", 25, 1100, 0.06),)),
    Server(
        "playwright",
        "full",
        (
            _t("browser_navigate", "read", "url", 4, 1800, 0.04),
            _t("browser_snapshot", "read", "none", 22, 500),
            _t("browser_click", "write", "browser_ref", 3, 700, 0.05),
            _t("browser_type", "write", "browser_text", 3, 600, 0.03),
            _t("browser_take_screenshot", "read", "none", 120, 900),
            _t("browser_console_messages", "read", "none", 3, 100),
            _t("browser_network_requests", "read", "none", 12, 150),
            _t("browser_close", "write", "none", 0.1, 200),
        ),
    ),
    Server(
        "notion",
        "full",
        (
            _t("notion-search", "search", "notion_query", 8, 900),
            _t("notion-fetch", "read", "notion_id", 18, 700, 0.02),
            _t("notion-create-pages", "write", "notion_new", 1, 1200, 0.03),
            _t("notion-update-page", "write", "notion_update", 1, 900, 0.03),
            _t("notion-get-comments", "read", "notion_id", 3, 500),
        ),
    ),
    Server(
        "gdrive",
        "none",
        (
            _t("gdrive_search", "search", "gdrive_query", 4, 700),
            _t("gdrive_read_file", "read", "gdrive_file", 45, 900, 0.02),
            _t("gsheets_read", "read", "gdrive_sheet", 30, 1100, 0.03),
            _t("gsheets_update_cell", "write", "gdrive_cell", 0.2, 800, 0.02),
        ),
    ),
    Server(
        "pagerduty",
        "none",
        (
            _t("list_incidents", "list", "pd_filter", 6, 600),
            _t("get_incident", "read", "pd_incident", 4, 400),
            _t("manage_incidents", "write", "pd_manage", 0.6, 700, 0.02),
            _t("list_oncalls", "list", "pd_filter", 3, 500),
        ),
    ),
)

_BY_SERVER: Final = {s.name: s for s in SERVERS}
_TOOL_SERVER: Final = {t.name: s.name for s in SERVERS for t in s.tools}
if len(_TOOL_SERVER) != sum(len(s.tools) for s in SERVERS):  # pragma: no cover - a data error
    raise RuntimeError("tool names must be unique across the fleet's servers")


def server_of(tool_name: str) -> str:
    """The server that serves ``tool_name`` (a KeyError for a tool no server has)."""
    return _TOOL_SERVER[tool_name]


def tool(server: str, name: str) -> Tool:
    """The tool ``name`` of ``server``."""
    for t in _BY_SERVER[server].tools:
        if t.name == name:
            return t
    raise KeyError(f"{server} has no tool {name!r}")


def _annotate(style: str, t: Tool) -> dict[str, bool]:
    readonly = t.kind in ("read", "list", "search")
    if style == "readonly-only":  # GitHub-style: only the read-only bit (and deletes flagged)
        out = {"readOnlyHint": readonly}
        if t.kind == "delete":
            out["destructiveHint"] = True
        return out
    out = {"readOnlyHint": readonly}
    if not readonly:
        out["destructiveHint"] = t.kind in ("delete", "exec")
        out["idempotentHint"] = t.kind == "delete"
    out["openWorldHint"] = style != "local"
    return out


#: tool → the annotations its server's ``tools/list`` gives (servers that give none are absent)
ANNOTATIONS: Final[Mapping[str, Mapping[str, bool]]] = MappingProxyType(
    {
        t.name: MappingProxyType(_annotate(s.style, t))
        for s in SERVERS
        if s.style != "none"
        for t in s.tools
    }
)
