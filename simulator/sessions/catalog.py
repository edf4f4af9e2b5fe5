"""The MCP servers and tools the sessions generator's organisation uses, named as public MCP
servers name them (the reference filesystem and git servers, github-mcp-server, postgres-mcp,
mcp-atlassian, playwright-mcp, the Kubernetes, Grafana and Sentry servers, …).

Each :class:`Tool` has a cost profile (median duration, median result size, error rate), the
kind of arguments it takes (``_args.py`` builds them) and, only where its server publishes them,
its MCP annotations exactly as that server gives them: github-style servers give ``readOnlyHint``
alone on writes (so MCP's default, destructive, applies), others give every hint, and several
give none (:data:`ANNOTATIONS` then has no entry and a reader must fall back on the name). Two
servers share a tool name (``search_issues``), as real servers do. ``kb`` is an internal server
the organisation launches on the release day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

__all__ = ["ANNOTATIONS", "SERVERS", "TOOLS", "Tool", "tool"]


@dataclass(frozen=True, slots=True)
class Tool:
    """One tool of one server: what it costs and what its server says about it."""

    name: str
    server: str
    ms: float  # median duration
    out: int  # median result bytes
    args: str  # argument kind (``_args.ARGS``)
    errors: float  # share of calls that fail
    hints: Mapping[str, bool] | None


#: server → (publishes annotations?, one tool a line: name ms out args errors hint-codes)
#: hint codes: r readOnly, w write that says it is not destructive, W write that says only
#: readOnlyHint=false (github style), d destructive, i idempotent, o open world
_SPEC: Final = {
    "filesystem": (
        True,
        """read_text_file 3 3500 path .03 r
        read_multiple_files 9 14000 paths .02 r
        write_file 4 90 write .01 di
        edit_file 7 1100 edit .05 d
        create_directory 2 70 path 0 wi
        list_directory 2 900 dir .01 r
        directory_tree 18 7000 dir .01 r
        move_file 3 90 move .02 w
        search_files 45 1400 glob .01 r
        get_file_info 2 280 path .02 r""",
    ),
    "git": (
        False,
        """git_status 25 600 repo 0 -
        git_diff_unstaged 30 4200 repo 0 -
        git_diff_staged 30 3800 repo 0 -
        git_diff 40 6000 gitref .01 -
        git_add 20 60 gitadd .01 -
        git_commit 60 120 gitcommit .02 -
        git_log 35 2500 gitlog 0 -
        git_create_branch 20 80 gitbranch .03 -
        git_checkout 50 90 gitbranch .02 -
        git_show 30 3500 gitref .01 -
        git_reset 25 60 repo 0 -""",
    ),
    "github": (
        True,
        """get_file_contents 280 5200 ghfile .03 r
        search_code 650 3800 ghsearch .02 r
        search_issues 520 4200 ghsearch .01 r
        list_issues 380 6500 ghrepo .01 r
        get_issue 300 2600 ghissue .01 r
        create_issue 520 1500 ghnewissue .01 W
        add_issue_comment 420 900 ghcomment .01 W
        list_pull_requests 400 7200 ghrepo .01 r
        get_pull_request 320 3100 ghpr .01 r
        get_pull_request_diff 450 9800 ghpr .01 r
        get_pull_request_files 380 2400 ghpr .01 r
        create_pull_request 800 1800 ghnewpr .02 W
        merge_pull_request 900 300 ghpr .04 W
        create_branch 420 400 ghbranch .01 W
        push_files 1400 700 ghpush .03 W
        list_commits 350 5600 ghrepo 0 r
        list_workflow_runs 420 6100 ghrepo .01 r
        get_job_logs 1100 42000 ghjob .03 r
        rerun_failed_jobs 600 200 ghjob .02 W
        list_notifications 350 5200 none 0 r
        delete_file 700 300 ghfile .02 d""",
    ),
    "desktop-commander": (
        False,
        """start_process 4200 2600 proc .01 -
        read_process_output 900 5200 pid .01 -
        interact_with_process 1500 1800 procin .02 -
        list_sessions 10 300 none 0 -
        force_terminate 30 80 pid .02 -""",
    ),
    "postgres": (
        False,
        """list_schemas 35 700 none 0 -
        list_objects 60 2100 pgschema .01 -
        get_object_details 70 2600 pgobject .02 -
        execute_sql 240 5200 sql .09 -
        explain_query 90 1900 sql .05 -
        get_top_queries 300 4200 none 0 -
        analyze_db_health 2500 3100 none 0 -""",
    ),
    "bigquery": (
        False,
        """execute-query 2600 24000 bq .08 -
        list-tables 400 3200 none 0 -
        describe-table 350 2200 bqtable .02 -""",
    ),
    "slack": (
        False,
        """slack_list_channels 260 5400 none 0 -
        slack_post_message 310 600 slackpost .01 -
        slack_reply_to_thread 300 600 slackreply .01 -
        slack_add_reaction 190 90 slackreact .02 -
        slack_get_channel_history 340 9200 slackch .01 -
        slack_get_thread_replies 280 3100 slackthread .01 -
        slack_get_users 420 12000 none 0 -
        slack_get_user_profile 200 900 slackuser .01 -""",
    ),
    "atlassian": (
        True,
        """jira_search 520 7800 jql .03 r
        jira_get_issue 330 3600 jirakey .02 r
        jira_create_issue 610 900 jiranew .02 w
        jira_update_issue 480 900 jiraupdate .02 w
        jira_transition_issue 420 400 jiratrans .04 w
        jira_add_comment 380 600 jiracomment .01 w
        jira_delete_issue 450 120 jirakey .02 d
        confluence_search 700 6400 cql .02 r
        confluence_get_page 450 11000 cpage .02 r
        confluence_create_page 900 800 cnew .02 w
        confluence_update_page 850 800 cupdate .03 w""",
    ),
    "playwright": (
        True,
        """browser_navigate 1400 5600 url .05 do
        browser_snapshot 320 14000 none .01 ro
        browser_click 450 4800 element .06 do
        browser_type 380 4100 typing .04 do
        browser_take_screenshot 600 900 none .01 ro
        browser_wait_for 2100 300 waitfor .08 ro
        browser_console_messages 40 2200 none 0 ro
        browser_network_requests 60 5100 none 0 ro
        browser_evaluate 260 800 jsfunc .07 do
        browser_close 120 60 none 0 ro""",
    ),
    "kubernetes": (
        True,
        """kubectl_get 210 6400 k8sget .02 r
        kubectl_describe 260 5200 k8sobj .02 r
        kubectl_logs 480 28000 k8slogs .03 r
        kubectl_apply 900 500 k8sapply .06 w
        kubectl_delete 700 200 k8sobj .03 d
        kubectl_rollout 1200 300 k8srollout .04 w
        kubectl_scale 650 200 k8sscale .03 wi
        kubectl_context 40 300 none 0 r
        exec_in_pod 1600 1900 k8sexec .08 d""",
    ),
    "s3": (
        False,
        """list_buckets 180 1300 none 0 -
        list_objects 260 5200 s3prefix .01 -
        get_object 420 38000 s3key .02 -
        head_object 120 400 s3key .04 -
        put_object 520 300 s3put .02 -
        delete_object 260 120 s3key .01 -
        generate_presigned_url 40 500 s3key 0 -""",
    ),
    "grafana": (
        True,
        """search_dashboards 160 3100 query .01 r
        get_dashboard_by_uid 220 21000 uid .02 r
        query_prometheus 340 9200 promql .06 r
        query_loki_logs 620 26000 logql .05 r
        list_datasources 90 1400 none 0 r
        list_alert_rules 180 6200 none .01 r
        get_incident 200 2100 incident .01 r
        create_incident 420 600 newincident .02 W
        add_activity_to_incident 260 300 incidentnote .01 W
        get_current_oncall_users 150 500 schedule .01 r""",
    ),
    "sentry": (
        True,
        """find_projects 420 2100 org 0 r
        search_issues 780 6200 sentryq .03 r
        get_issue_details 650 9400 sentryissue .02 r
        search_events 900 7100 sentryq .04 r
        get_trace_details 700 8800 trace .03 r
        update_issue 540 800 sentryupdate .02 W""",
    ),
    "zendesk": (
        False,
        """search_tickets 420 8200 query .02 -
        get_ticket 260 2900 ticket .01 -
        get_ticket_comments 300 6100 ticket .01 -
        create_ticket_comment 380 700 ticketcomment .02 -
        update_ticket 350 600 ticketupdate .02 -""",
    ),
    "google-sheets": (
        False,
        """list_spreadsheets 420 2600 none 0 -
        list_sheets 260 500 sheet .01 -
        get_sheet_data 520 18000 sheetrange .02 -
        update_cells 640 400 sheetupdate .03 -
        batch_update_cells 900 500 sheetbatch .04 -
        create_spreadsheet 800 600 sheetnew .01 -""",
    ),
    "notion": (
        False,
        """notion-search 620 5400 query .02 -
        notion-fetch 540 12000 notionid .02 -
        notion-create-pages 900 900 notionnew .03 -
        notion-update-page 820 700 notionupdate .03 -""",
    ),
    "memory": (
        False,
        """create_entities 15 600 entities .01 -
        add_observations 12 400 observations .02 -
        search_nodes 20 2200 query 0 -
        open_nodes 14 1800 nodes .01 -
        read_graph 40 16000 none 0 -
        delete_entities 12 120 nodes .01 -""",
    ),
    "fetch": (
        False,
        """fetch 1100 9000 fetchurl .09 -""",
    ),
    "vault": (
        False,
        """list_mounts 90 700 none 0 -
        list_secrets 140 1100 vaultpath .03 -
        read_secret 160 500 vaultpath .04 -
        write_secret 220 200 vaultwrite .03 -""",
    ),
    "kb": (
        True,
        """kb_search 380 4800 query .02 r
        kb_get_article 260 9200 article .02 r
        kb_list_spaces 120 1200 none 0 r
        kb_ask 2900 2400 question .04 ro""",
    ),
}

_HINT: Final = {
    "r": {"readOnlyHint": True},
    "w": {"readOnlyHint": False, "destructiveHint": False},
    "W": {"readOnlyHint": False},
    "d": {"readOnlyHint": False, "destructiveHint": True},
    "i": {"idempotentHint": True},
    "o": {"openWorldHint": True},
}


def _build() -> tuple[dict[str, tuple[Tool, ...]], dict[str, bool]]:
    servers: dict[str, tuple[Tool, ...]] = {}
    annotated: dict[str, bool] = {}
    for server, (gives, text) in _SPEC.items():
        tools = []
        for line in text.splitlines():
            name, ms, out, args, errors, codes = line.split()
            hints: dict[str, bool] | None = None
            if gives:
                hints = {}
                for code in codes:
                    hints.update(_HINT[code])
            tools.append(Tool(name, server, float(ms), int(out), args, float(errors), hints))
        servers[server] = tuple(tools)
        annotated[server] = gives
    return servers, annotated


SERVERS: Final[dict[str, tuple[Tool, ...]]] = _build()[0]
#: (server, tool) → the tool
TOOLS: Final[dict[tuple[str, str], Tool]] = {
    (t.server, t.name): t for tools in SERVERS.values() for t in tools
}
#: tool name → MCP annotations as its server gives them, for tools whose server gives any (the
#: shape ``simulator.inject.inject(annotations=…)`` takes; a shared name carries the same hints)
ANNOTATIONS: Final[dict[str, dict[str, bool]]] = {
    t.name: dict(t.hints) for tools in SERVERS.values() for t in tools if t.hints is not None
}


def tool(ref: str) -> Tool:
    """The tool ``ref`` names: ``"server:tool"``, or a bare name that one server holds."""
    if ":" in ref:
        server, _, name = ref.partition(":")
        return TOOLS[(server, name)]
    found = [t for (_, n), t in TOOLS.items() if n == ref]
    if len(found) != 1:
        raise KeyError(f"tool {ref!r}: {len(found)} servers hold it; name the server")
    return found[0]
