"""The servers, tools and topics of the tides organisation, named like public MCP servers.

Each :class:`Tool` carries its kind (``read`` / ``write`` / ``delete`` / ``exec`` / ``export``),
its log-normal result size (median bytes, sigma), its argument template and its MCP annotations
*exactly as its server gives them*: some servers annotate every hint, some only ``readOnlyHint``,
some give none (:data:`ANNOTATIONS` holds only the tools that have any). Tool names are unique
across servers, so a tool names its server (:func:`server_of`). The topics over these tools are in
``topics.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "ANNOTATIONS",
    "SERVERS",
    "Server",
    "Tool",
    "server_of",
    "tool",
]


@dataclass(frozen=True, slots=True)
class Tool:
    """One MCP tool: name, kind, result size (median bytes, log-sigma), argument template."""

    name: str
    kind: str
    median: int
    sigma: float
    args: str  # path | repo | query | key | issue | channel | page | url | cluster | none


@dataclass(frozen=True, slots=True)
class Server:
    """One MCP server: its tools, how it annotates them, its usual error rate and latency."""

    name: str
    tools: tuple[Tool, ...]
    annotates: str  # full | readonly | none
    error_rate: float
    latency_ms: float
    flaky: bool = False  # an upstream that has bad days


def _t(name: str, kind: str, median: int, sigma: float, args: str) -> Tool:
    return Tool(name, kind, median, sigma, args)


SERVERS: Final[tuple[Server, ...]] = (
    Server(
        "filesystem",
        (
            _t("read_text_file", "read", 6000, 1.3, "path"),
            _t("list_directory", "read", 900, 0.9, "path"),
            _t("search_files", "read", 1500, 1.1, "path"),
            _t("write_file", "write", 120, 0.4, "path"),
            _t("edit_file", "write", 400, 0.7, "path"),
            _t("move_file", "write", 90, 0.3, "path"),
        ),
        "full",
        0.01,
        8,
    ),
    Server(
        "git",
        (
            _t("git_status", "read", 700, 0.8, "path"),
            _t("git_diff", "read", 5000, 1.4, "path"),
            _t("git_log", "read", 3000, 1.0, "path"),
            _t("git_commit", "write", 200, 0.3, "path"),
            _t("git_checkout", "write", 150, 0.3, "path"),
        ),
        "none",
        0.01,
        40,
    ),
    Server(
        "github",
        (
            _t("get_pull_request", "read", 4000, 1.0, "repo"),
            _t("list_issues", "read", 9000, 1.1, "repo"),
            _t("search_code", "read", 7000, 1.2, "query"),
            _t("get_file_contents", "read", 5000, 1.4, "repo"),
            _t("create_pull_request", "write", 800, 0.4, "repo"),
            _t("add_issue_comment", "write", 500, 0.4, "repo"),
            _t("delete_file", "delete", 300, 0.3, "repo"),
            _t("merge_pull_request", "write", 400, 0.3, "repo"),
        ),
        "readonly",
        0.02,
        300,
        True,
    ),
    Server(
        "gitlab",
        (
            _t("get_merge_request", "read", 4000, 1.0, "repo"),
            _t("list_pipelines", "read", 6000, 0.9, "repo"),
            _t("create_merge_request", "write", 700, 0.4, "repo"),
            _t("delete_branch", "delete", 150, 0.2, "repo"),
        ),
        "none",
        0.02,
        350,
    ),
    Server(
        "postgres",
        (
            _t("query", "read", 12000, 1.8, "query"),
            _t("list_tables", "read", 1500, 0.6, "none"),
            _t("describe_table", "read", 1200, 0.5, "key"),
        ),
        "readonly",
        0.03,
        120,
    ),
    Server(
        "mysql",
        (
            _t("mysql_query", "read", 9000, 1.7, "query"),
            _t("mysql_execute", "write", 200, 0.4, "query"),
        ),
        "none",
        0.03,
        90,
    ),
    Server(
        "sqlite",
        (
            _t("read_query", "read", 5000, 1.5, "query"),
            _t("write_query", "write", 150, 0.3, "query"),
            _t("list_sqlite_tables", "read", 600, 0.4, "none"),
        ),
        "none",
        0.01,
        10,
    ),
    Server(
        "redis",
        (
            _t("redis_get", "read", 400, 1.0, "key"),
            _t("redis_set", "write", 60, 0.2, "key"),
            _t("redis_delete", "delete", 50, 0.2, "key"),
            _t("redis_scan", "read", 2000, 0.9, "key"),
        ),
        "none",
        0.01,
        5,
    ),
    Server(
        "slack",
        (
            _t("slack_get_channel_history", "read", 8000, 1.0, "channel"),
            _t("slack_post_message", "write", 300, 0.3, "channel"),
            _t("slack_list_channels", "read", 4000, 0.6, "none"),
            _t("slack_get_thread_replies", "read", 3000, 0.9, "channel"),
        ),
        "none",
        0.02,
        200,
        True,
    ),
    Server(
        "notion",
        (
            _t("notion_search", "read", 6000, 1.0, "query"),
            _t("notion_retrieve_page", "read", 9000, 1.2, "page"),
            _t("notion_update_page", "write", 500, 0.4, "page"),
            _t("notion_delete_block", "delete", 100, 0.2, "page"),
        ),
        "full",
        0.02,
        250,
    ),
    Server(
        "google-drive",
        (
            _t("gdrive_search", "read", 3000, 0.8, "query"),
            _t("gdrive_read_file", "read", 20000, 1.6, "page"),
            _t("gsheets_update_cell", "write", 200, 0.3, "page"),
        ),
        "none",
        0.02,
        300,
    ),
    Server(
        "jira",
        (
            _t("jira_search", "read", 10000, 1.0, "query"),
            _t("jira_get_issue", "read", 4000, 0.8, "issue"),
            _t("jira_create_issue", "write", 600, 0.3, "issue"),
            _t("jira_transition_issue", "write", 300, 0.3, "issue"),
            _t("jira_delete_issue", "delete", 100, 0.2, "issue"),
        ),
        "none",
        0.02,
        280,
        True,
    ),
    Server(
        "sentry",
        (
            _t("get_sentry_issue", "read", 7000, 1.1, "issue"),
            _t("list_sentry_issues", "read", 12000, 0.9, "key"),
            _t("resolve_sentry_issue", "write", 200, 0.2, "issue"),
        ),
        "readonly",
        0.02,
        260,
    ),
    Server(
        "datadog",
        (
            _t("query_metrics", "read", 15000, 1.2, "query"),
            _t("get_monitors", "read", 8000, 0.8, "none"),
            _t("list_incidents", "read", 5000, 0.8, "none"),
            _t("mute_monitor", "write", 150, 0.2, "key"),
        ),
        "full",
        0.02,
        300,
    ),
    Server(
        "aws",
        (
            _t("s3_list_objects", "read", 5000, 1.2, "key"),
            _t("s3_get_object", "read", 40000, 1.9, "key"),
            _t("s3_put_object", "write", 200, 0.3, "key"),
            _t("s3_delete_object", "delete", 100, 0.2, "key"),
            _t("describe_instances", "read", 9000, 0.9, "none"),
            _t("cloudwatch_get_logs", "read", 20000, 1.3, "query"),
        ),
        "full",
        0.02,
        220,
    ),
    Server(
        "cloudflare",
        (
            _t("list_zones", "read", 3000, 0.5, "none"),
            _t("get_dns_records", "read", 4000, 0.7, "key"),
            _t("purge_cache", "write", 100, 0.2, "url"),
            _t("delete_dns_record", "delete", 100, 0.2, "key"),
        ),
        "full",
        0.01,
        180,
    ),
    Server(
        "kubernetes",
        (
            _t("kubectl_get", "read", 6000, 1.1, "cluster"),
            _t("kubectl_logs", "read", 25000, 1.4, "cluster"),
            _t("kubectl_describe", "read", 5000, 0.8, "cluster"),
            _t("kubectl_rollout", "write", 300, 0.3, "cluster"),
            _t("kubectl_delete", "delete", 200, 0.3, "cluster"),
            _t("kubectl_scale", "write", 200, 0.2, "cluster"),
        ),
        "none",
        0.03,
        400,
        True,
    ),
    Server(
        "docker",
        (
            _t("list_containers", "read", 2500, 0.7, "none"),
            _t("fetch_container_logs", "read", 15000, 1.4, "key"),
            _t("remove_container", "delete", 80, 0.2, "key"),
        ),
        "none",
        0.02,
        60,
    ),
    Server(
        "playwright",
        (
            _t("browser_navigate", "read", 3000, 0.8, "url"),
            _t("browser_snapshot", "read", 18000, 1.0, "none"),
            _t("browser_click", "write", 800, 0.5, "key"),
            _t("browser_take_screenshot", "export", 90000, 0.7, "none"),
        ),
        "full",
        0.04,
        900,
    ),
    Server("fetch", (_t("fetch", "read", 14000, 1.5, "url"),), "full", 0.05, 700, True),
    Server(
        "memory",
        (
            _t("read_graph", "read", 3000, 1.2, "none"),
            _t("create_entities", "write", 200, 0.4, "key"),
            _t("search_nodes", "read", 1200, 0.9, "query"),
            _t("delete_entities", "delete", 100, 0.2, "key"),
        ),
        "full",
        0.005,
        4,
    ),
    Server(
        "time",
        (
            _t("get_current_time", "read", 120, 0.1, "none"),
            _t("convert_time", "read", 150, 0.1, "none"),
        ),
        "full",
        0.001,
        2,
    ),
    Server(
        "everything",
        (
            _t("echo", "read", 100, 0.3, "key"),
            _t("get_tiny_image", "read", 2000, 0.1, "none"),
        ),
        "none",
        0.001,
        3,
    ),
)

_BY_TOOL: Final[dict[str, tuple[Server, Tool]]] = {t.name: (s, t) for s in SERVERS for t in s.tools}


def server_of(name: str) -> str:
    """The server a tool name belongs to (tool names are unique across servers)."""
    return _BY_TOOL[name][0].name


def tool(name: str) -> Tool:
    """The :class:`Tool` named ``name``."""
    return _BY_TOOL[name][1]


def _annotations() -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for s in SERVERS:
        for t in s.tools:
            ro = t.kind in ("read", "export")
            if s.annotates == "full":
                out[t.name] = {
                    "readOnlyHint": ro,
                    "destructiveHint": t.kind == "delete" or t.name in ("write_file", "move_file"),
                    "idempotentHint": ro or t.name in ("write_file", "purge_cache"),
                    "openWorldHint": s.name in ("fetch", "playwright", "cloudflare", "aws"),
                }
            elif s.annotates == "readonly":
                out[t.name] = {"readOnlyHint": ro}
    return out


#: tool → its MCP annotations as its server's ``tools/list`` gives them (absent: none given)
ANNOTATIONS: Final[dict[str, dict[str, object]]] = _annotations()
