"""The engineering org's MCP servers and tools, with the annotations each server publishes.

Eleven servers, 81 tools. Tool names are unique across servers, so :func:`server_of` finds a
tool's server from its name alone (raising ``KeyError`` for a tool that is not in the catalogue).
Servers annotate in three styles, as real ones do: ``full`` (every hint stated: ``git``, ``fs``,
``db``, ``secrets``), ``readonly`` (only ``readOnlyHint``: ``ci``, ``docs``, ``observability``),
``none`` (no annotations: ``tracker``, ``chat``, ``shell``); ``cloud`` mixes all three per tool.
A tool's *kind* (``read``, ``list``, ``write``, ``destructive``, ``exec``, ``export``) drives its
durations and result sizes; it is the generator's own truth, not what the server says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "ANNOTATIONS",
    "DATABASES",
    "SERVERS",
    "SERVICES",
    "TOOLS",
    "URI_SCHEMES",
    "Tool",
    "server_of",
    "tools_of",
]


@dataclass(frozen=True, slots=True)
class Tool:
    """One tool: its server, kind, argument keys and annotation style."""

    name: str
    server: str
    kind: str
    keys: tuple[str, ...]
    style: str  # full | readonly | none


_SERVER_STYLE: Final = {
    "git": "full",
    "fs": "full",
    "db": "full",
    "secrets": "full",
    "ci": "readonly",
    "docs": "readonly",
    "observability": "readonly",
    "tracker": "none",
    "chat": "none",
    "shell": "none",
    "cloud": "",  # per tool
}

# name, kind, argument keys (space separated); cloud tools carry their own style after a "|"
_TABLE: Final = {
    "git": (
        ("git_get_file", "read", "repo path ref"),
        ("git_search_code", "read", "repo query"),
        ("git_log", "list", "repo branch"),
        ("git_diff", "read", "repo base head"),
        ("git_list_branches", "list", "repo"),
        ("git_list_repos", "list", "org"),
        ("git_create_branch", "write", "repo branch"),
        ("git_commit", "write", "repo branch message"),
        ("git_push", "write", "repo branch"),
        ("git_create_pull_request", "write", "repo branch title"),
        ("git_get_pull_request", "read", "repo pr"),
        ("git_add_review_comment", "write", "repo pr body"),
        ("git_merge_pull_request", "write", "repo pr"),
        ("git_create_tag", "write", "repo tag"),
        ("git_get_archive", "export", "repo ref"),
        ("git_delete_branch", "destructive", "repo branch"),
        ("git_archive_repository", "destructive", "repo"),
    ),
    "fs": (
        ("fs_read_file", "read", "path"),
        ("fs_list_directory", "list", "path"),
        ("fs_search_files", "list", "path pattern"),
        ("fs_grep", "read", "path query"),
        ("fs_write_file", "write", "path content"),
        ("fs_edit_file", "write", "path old new"),
        ("fs_move_file", "write", "source destination"),
        ("fs_delete_file", "destructive", "path"),
    ),
    "ci": (
        ("ci_trigger_pipeline", "write", "repo branch pipeline"),
        ("ci_get_run", "read", "run_id"),
        ("ci_get_logs", "read", "run_id job"),
        ("ci_retry_job", "write", "run_id job"),
        ("ci_cancel_run", "destructive", "run_id"),
        ("ci_upload_artifact", "write", "run_id name"),
        ("ci_download_artifact", "read", "run_id name"),
        ("ci_report_status", "write", "repo sha state"),
        ("ci_list_runs", "list", "repo"),
    ),
    "tracker": (
        ("tracker_search_issues", "list", "project query"),
        ("tracker_get_issue", "read", "issue"),
        ("tracker_create_issue", "write", "project title body"),
        ("tracker_update_issue", "write", "issue status"),
        ("tracker_add_comment", "write", "issue body"),
        ("tracker_close_issue", "write", "issue"),
        ("tracker_list_sprint", "list", "project"),
    ),
    "docs": (
        ("docs_search", "list", "query"),
        ("docs_get_page", "read", "page"),
        ("docs_update_page", "write", "page content"),
        ("docs_create_page", "write", "space title content"),
    ),
    "db": (
        ("db_list_tables", "list", "database"),
        ("db_describe_table", "read", "database table"),
        ("db_query", "read", "database sql"),
        ("db_execute", "write", "database sql"),
        ("db_export_table", "export", "database table format"),
        ("db_create_snapshot", "write", "database"),
        ("db_drop_table", "destructive", "database table"),
    ),
    "cloud": (
        ("cloud_list_services", "list", "env|full"),
        ("cloud_describe_service", "read", "env service|readonly"),
        ("cloud_scale_service", "write", "env service replicas|none"),
        ("cloud_deploy", "write", "env service version|full"),
        ("cloud_rollback", "write", "env service|none"),
        ("cloud_get_object", "read", "bucket key|readonly"),
        ("cloud_put_object", "write", "bucket key|none"),
        ("cloud_delete_object", "destructive", "bucket key|full"),
        ("cloud_list_buckets", "list", "env|none"),
        ("cloud_get_iam_policy", "read", "env role|full"),
        ("cloud_restart_instance", "write", "env instance|none"),
    ),
    "chat": (
        ("chat_post_message", "write", "channel text"),
        ("chat_read_channel", "read", "channel"),
        ("chat_search", "list", "query"),
        ("chat_page_oncall", "write", "service summary"),
    ),
    "secrets": (
        ("secrets_list", "list", "path"),
        ("secrets_read", "read", "path"),
        ("secrets_write", "write", "path"),
        ("secrets_rotate", "write", "path"),
        ("secrets_revoke", "destructive", "path"),
    ),
    "observability": (
        ("obs_query_metrics", "read", "service query window"),
        ("obs_query_logs", "read", "service query window"),
        ("obs_export_logs", "export", "service window"),
        ("obs_get_alerts", "list", "service"),
        ("obs_ack_alert", "write", "alert"),
        ("obs_silence_alert", "write", "alert duration"),
        ("obs_get_trace", "read", "trace"),
    ),
    "shell": (
        ("shell_exec", "exec", "command cwd"),
        ("shell_run_tests", "exec", "cwd filter"),
    ),
}


def _build() -> dict[str, Tool]:
    out: dict[str, Tool] = {}
    for server, rows in _TABLE.items():
        for name, kind, spec in rows:
            keys, _, style = spec.partition("|")
            out[name] = Tool(
                name, server, kind, tuple(keys.split()), style or _SERVER_STYLE[server]
            )
    return out


#: every tool by name
TOOLS: Final[dict[str, Tool]] = _build()
#: the servers, in a fixed order
SERVERS: Final[tuple[str, ...]] = tuple(_TABLE)
#: database → its tables (the nightly backup exports a rotating part of them)
DATABASES: Final = {
    db: tuple(f"{db}_{t}" for t in tables)
    for db, tables in (
        ("payments", ("orders", "refunds", "ledger", "payouts", "disputes", "fees")),
        ("identity", ("users", "sessions", "mfa", "orgs", "grants")),
        ("search", ("documents", "queries", "clicks", "synonyms")),
        ("analytics", ("events", "funnels", "cohorts", "daily", "experiments", "sessions")),
        ("billing", ("invoices", "plans", "usage", "credits")),
        ("mobile", ("devices", "pushes", "crashes")),
    )
}
#: the deployed services (repositories of the same name)
SERVICES: Final = (
    "payments-api",
    "search-svc",
    "auth-svc",
    "web-app",
    "mobile-bff",
    "indexer",
    "billing-worker",
    "sso-gateway",
)
#: the URI schemes of ``resources/read`` (fs files, repo files, docs pages, dashboards)
URI_SCHEMES: Final[tuple[str, ...]] = ("file://", "repo://", "docs://", "dashboard://")


def _annotations(t: Tool) -> dict[str, object] | None:
    readonly = t.kind in ("read", "list")
    if t.style == "none":
        return None
    if t.style == "readonly":
        return {"readOnlyHint": readonly}
    return {
        "readOnlyHint": readonly,
        "destructiveHint": t.kind == "destructive",
        "idempotentHint": readonly or t.kind == "destructive",
        "openWorldHint": t.server in ("cloud", "chat"),
    }


#: tool → the MCP annotations its server's ``tools/list`` gives (absent: the server gives none)
ANNOTATIONS: Final[dict[str, dict[str, object]]] = {
    name: ann for name, t in TOOLS.items() if (ann := _annotations(t)) is not None
}


def server_of(tool: str) -> str:
    """The server that offers ``tool`` (``KeyError`` for a tool not in the catalogue)."""
    return TOOLS[tool].server


def tools_of(server: str, *kinds: str) -> tuple[str, ...]:
    """The tools of ``server`` (of the given kinds, when given), in catalogue order."""
    return tuple(
        t.name for t in TOOLS.values() if t.server == server and (not kinds or t.kind in kinds)
    )
