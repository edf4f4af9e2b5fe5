"""Topics: what a piece of work looks like, as a distribution over tools across servers.

The LDA-like building block of the tides generator: a person's activity is a sparse, slowly
drifting mixture of these (``org.py``); one burst (session) draws its tools from one topic.
"""

from __future__ import annotations

from typing import Final

__all__ = ["TOPICS"]

#: topic → tool weights (tools across servers): what a piece of work looks like
TOPICS: Final[dict[str, dict[str, float]]] = {
    "coding": {
        "read_text_file": 8,
        "list_directory": 3,
        "search_files": 3,
        "edit_file": 5,
        "write_file": 1,
        "git_status": 3,
        "git_diff": 3,
        "git_commit": 1,
        "get_file_contents": 2,
        "search_code": 2,
    },
    "review": {
        "get_pull_request": 5,
        "get_file_contents": 3,
        "add_issue_comment": 3,
        "merge_pull_request": 0.5,
        "create_pull_request": 1,
        "git_log": 2,
        "get_merge_request": 2,
        "list_pipelines": 1,
        "create_merge_request": 0.5,
    },
    "tickets": {
        "jira_search": 4,
        "jira_get_issue": 5,
        "jira_transition_issue": 2,
        "jira_create_issue": 1,
        "list_issues": 2,
        "slack_post_message": 1,
    },
    "chat": {
        "slack_get_channel_history": 5,
        "slack_post_message": 3,
        "slack_get_thread_replies": 3,
        "slack_list_channels": 0.5,
    },
    "docs": {
        "notion_search": 4,
        "notion_retrieve_page": 5,
        "notion_update_page": 1.5,
        "gdrive_search": 2,
        "gdrive_read_file": 3,
        "gsheets_update_cell": 0.5,
    },
    "analysis": {
        "query": 7,
        "list_tables": 1,
        "describe_table": 2,
        "mysql_query": 3,
        "read_query": 2,
        "gdrive_read_file": 1,
        "gsheets_update_cell": 1,
    },
    "incident": {
        "get_sentry_issue": 4,
        "list_sentry_issues": 2,
        "query_metrics": 4,
        "get_monitors": 2,
        "list_incidents": 1,
        "kubectl_logs": 3,
        "kubectl_get": 3,
        "cloudwatch_get_logs": 2,
        "resolve_sentry_issue": 1,
    },
    "infra": {
        "kubectl_get": 4,
        "kubectl_describe": 2,
        "kubectl_rollout": 1,
        "kubectl_scale": 0.5,
        "describe_instances": 2,
        "s3_list_objects": 2,
        "list_zones": 1,
        "get_dns_records": 1,
        "list_containers": 2,
        "fetch_container_logs": 2,
        "redis_get": 1,
        "redis_scan": 0.5,
    },
    "web": {
        "fetch": 5,
        "browser_navigate": 3,
        "browser_snapshot": 3,
        "browser_click": 2,
        "browser_take_screenshot": 0.5,
        "convert_time": 0.3,
    },
    "notes": {
        "read_graph": 2,
        "search_nodes": 3,
        "create_entities": 2,
        "get_current_time": 1,
        "echo": 0.2,
    },
}
