"""The arguments of the operations, data, collaboration and utility servers' tools.

Postgres, Sentry, Linear, Puppeteer, fetch, memory, AWS, CloudWatch, Kubernetes, Atlassian,
Google Drive, BigQuery, PagerDuty, time and sequential thinking; see ``args.py``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, Final

from .workspace import Workspace, arg_len, text

__all__ = ["OPS_BUILDERS"]


def _sql(rng: random.Random, ws: Workspace, write: bool = False) -> str:
    t = ws.pick(rng, ws.tables)
    if write:
        return f"UPDATE {t} SET status = 'archived' WHERE id = {rng.randrange(1, 10**6)}"  # noqa: S608
    cols = ", ".join(rng.sample(["id", "created_at", "status", "amount", "user_id", "region"], 3))
    where = text(rng, rng.randrange(10, 60)).replace(" ", "_")[:40]
    limit = rng.choice([50, 100, 500])
    return f"SELECT {cols} FROM {t} WHERE note LIKE '%{where}%' LIMIT {limit}"  # noqa: S608


def _cmd(rng: random.Random, ws: Workspace) -> str:
    b = ws.pick(rng, ws.docs)
    return rng.choice(
        [
            f"aws s3 ls s3://{b}/",
            "aws ec2 describe-instances --filters Name=tag:team,Values=platform",
            f"aws logs tail /ecs/{ws.pick(rng, ws.namespaces)} --since 1h",
            "aws sts get-caller-identity",
            f"aws ecs describe-services --cluster {ws.pick(rng, ws.namespaces)}",
        ]
    )


OPS_BUILDERS: Final[dict[str, Callable[[random.Random, Workspace], dict[str, Any]]]] = {
    # postgres (Postgres MCP Pro)
    "list_schemas": lambda r, w: {},
    "list_objects": lambda r, w: {"schema_name": "public", "object_type": "table"},
    "get_object_details": lambda r, w: {
        "schema_name": "public",
        "object_name": w.pick(r, w.tables),
    },
    "explain_query": lambda r, w: {"sql": _sql(r, w), "analyze": False},
    "execute_sql": lambda r, w: {"sql": _sql(r, w)},
    "analyze_db_health": lambda r, w: {"health_type": "all"},
    "get_top_queries": lambda r, w: {"sort_by": "total_time", "limit": 10},
    # sentry
    "find_organizations": lambda r, w: {},
    "find_projects": lambda r, w: {"organizationSlug": "acme"},
    "search_issues": lambda r, w: {
        "organizationSlug": "acme",
        "projectSlug": w.pick(r, w.projects),
        "naturalLanguageQuery": text(r, 40),
    },
    "get_issue_details": lambda r, w: {
        "organizationSlug": "acme",
        "issueId": f"{w.pick(r, w.projects).upper()}-{r.randrange(1, 900):X}",
    },
    "search_events": lambda r, w: {"organizationSlug": "acme", "naturalLanguageQuery": text(r, 50)},
    "get_trace_details": lambda r, w: {
        "organizationSlug": "acme",
        "traceId": f"{r.getrandbits(128):032x}",
    },
    "update_issue": lambda r, w: {
        "organizationSlug": "acme",
        "issueId": f"{w.pick(r, w.projects).upper()}-{r.randrange(1, 900):X}",
        "status": "resolved",
    },
    "analyze_issue_with_seer": lambda r, w: {
        "organizationSlug": "acme",
        "issueId": f"{w.pick(r, w.projects).upper()}-{r.randrange(1, 900):X}",
    },
    # linear
    "linear_search_issues": lambda r, w: {
        "query": text(r, 24),
        "teamId": w.pick(r, w.projects),
        "limit": 25,
    },
    "linear_get_user_issues": lambda r, w: {"limit": 50},
    "linear_create_issue": lambda r, w: {
        "title": text(r, 50),
        "teamId": w.pick(r, w.projects),
        "description": text(r, arg_len(r, 500)),
    },
    "linear_update_issue": lambda r, w: {
        "id": f"{w.pick(r, w.projects).upper()}-{r.randrange(1, 2000)}",
        "status": r.choice(["In Progress", "Done"]),
    },
    "linear_add_comment": lambda r, w: {
        "issueId": f"{w.pick(r, w.projects).upper()}-{r.randrange(1, 2000)}",
        "body": text(r, arg_len(r, 250)),
    },
    # puppeteer, fetch
    "puppeteer_navigate": lambda r, w: {"url": w.pick(r, w.urls)},
    "puppeteer_screenshot": lambda r, w: {
        "name": f"shot-{r.randrange(999)}",
        "width": 1280,
        "height": 800,
    },
    "puppeteer_click": lambda r, w: {"selector": r.choice(["#submit", "button.primary", "a.next"])},
    "puppeteer_fill": lambda r, w: {"selector": "input[name=q]", "value": text(r, 20)},
    "puppeteer_evaluate": lambda r, w: {"script": "document.title"},
    "fetch": lambda r, w: {"url": w.pick(r, w.urls), "max_length": 5000},
    # memory
    "create_entities": lambda r, w: {
        "entities": [
            {"name": w.pick(r, w.entities), "entityType": "note", "observations": [text(r, 80)]}
        ]
    },
    "create_relations": lambda r, w: {
        "relations": [
            {"from": w.pick(r, w.entities), "to": w.pick(r, w.entities), "relationType": "uses"}
        ]
    },
    "add_observations": lambda r, w: {
        "observations": [
            {"entityName": w.pick(r, w.entities), "contents": [text(r, arg_len(r, 90))]}
        ]
    },
    "delete_entities": lambda r, w: {"entityNames": [w.pick(r, w.entities)]},
    "delete_observations": lambda r, w: {
        "deletions": [{"entityName": w.pick(r, w.entities), "observations": [text(r, 40)]}]
    },
    "read_graph": lambda r, w: {},
    "search_nodes": lambda r, w: {"query": text(r, 18)},
    "open_nodes": lambda r, w: {"names": [w.pick(r, w.entities)]},
    # aws, cloudwatch
    "call_aws": lambda r, w: {"cli_command": _cmd(r, w)},
    "suggest_aws_commands": lambda r, w: {"query": text(r, 60)},
    "describe_log_groups": lambda r, w: {
        "log_group_name_prefix": f"/ecs/{w.pick(r, w.namespaces)}"
    },
    "execute_log_insights_query": lambda r, w: {
        "log_group_names": [f"/ecs/{w.pick(r, w.namespaces)}"],
        "query_string": "fields @timestamp, @message | filter @message like /ERROR/ | limit 100",
        "start_time": "-1h",
    },
    "get_logs_insight_query_results": lambda r, w: {"query_id": f"{r.getrandbits(128):032x}"},
    "get_metric_data": lambda r, w: {
        "namespace": "AWS/ECS",
        "metric_name": "CPUUtilization",
        "dimensions": [{"Name": "ServiceName", "Value": w.pick(r, w.namespaces)}],
    },
    "get_active_alarms": lambda r, w: {"max_items": 50},
    # kubernetes
    "kubectl_get": lambda r, w: {
        "resourceType": r.choice(["pods", "deployments", "services"]),
        "namespace": w.pick(r, w.namespaces),
    },
    "kubectl_describe": lambda r, w: {
        "resourceType": "pod",
        "namespace": w.pick(r, w.namespaces),
        "name": f"api-{r.getrandbits(20):05x}",
    },
    "kubectl_logs": lambda r, w: {
        "resourceType": "pod",
        "namespace": w.pick(r, w.namespaces),
        "name": f"api-{r.getrandbits(20):05x}",
        "tail": 200,
    },
    "kubectl_apply": lambda r, w: {
        "manifest": text(r, arg_len(r, 1200)),
        "namespace": w.pick(r, w.namespaces),
    },
    "kubectl_delete": lambda r, w: {
        "resourceType": "pod",
        "namespace": w.pick(r, w.namespaces),
        "name": f"api-{r.getrandbits(20):05x}",
    },
    "kubectl_scale": lambda r, w: {
        "name": "api",
        "namespace": w.pick(r, w.namespaces),
        "replicas": r.randint(2, 12),
    },
    "kubectl_rollout": lambda r, w: {
        "subCommand": r.choice(["status", "restart", "history"]),
        "resourceType": "deployment",
        "name": "api",
        "namespace": w.pick(r, w.namespaces),
    },
    "kubectl_context": lambda r, w: {"operation": "get"},
    "explain_resource": lambda r, w: {"resource": r.choice(["pods", "hpa", "ingress"])},
    # atlassian
    "jira_search": lambda r, w: {
        "jql": f"project = {w.pick(r, w.projects).upper()} AND status != Done",
        "limit": 20,
    },
    "jira_get_issue": lambda r, w: {
        "issue_key": f"{w.pick(r, w.projects).upper()}-{r.randrange(1, 5000)}"
    },
    "jira_create_issue": lambda r, w: {
        "project_key": w.pick(r, w.projects).upper(),
        "summary": text(r, 50),
        "issue_type": "Task",
        "description": text(r, arg_len(r, 600)),
    },
    "jira_update_issue": lambda r, w: {
        "issue_key": f"{w.pick(r, w.projects).upper()}-{r.randrange(1, 5000)}",
        "fields": {"priority": {"name": "High"}},
    },
    "jira_transition_issue": lambda r, w: {
        "issue_key": f"{w.pick(r, w.projects).upper()}-{r.randrange(1, 5000)}",
        "transition_id": r.choice(["21", "31", "41"]),
    },
    "confluence_search": lambda r, w: {"query": text(r, 30), "limit": 10},
    "confluence_get_page": lambda r, w: {"page_id": w.pick(r, w.docs)},
    "confluence_create_page": lambda r, w: {
        "space_key": "ENG",
        "title": text(r, 40),
        "content": text(r, arg_len(r, 4000, 1.1, 8e4)),
    },
    "confluence_update_page": lambda r, w: {
        "page_id": w.pick(r, w.docs),
        "title": text(r, 40),
        "content": text(r, arg_len(r, 3000, 1.1, 8e4)),
    },
    # gdrive, bigquery
    "gdrive_search": lambda r, w: {"query": text(r, 20)},
    "gdrive_read_file": lambda r, w: {"fileId": w.pick(r, w.docs)},
    "gsheets_read": lambda r, w: {"spreadsheetId": w.pick(r, w.docs), "ranges": ["A1:Z200"]},
    "gsheets_update_cell": lambda r, w: {
        "fileId": w.pick(r, w.docs),
        "range": f"B{r.randint(2, 400)}",
        "value": str(r.randrange(10**6)),
    },
    "list-tables": lambda r, w: {},
    "describe-table": lambda r, w: {"table_name": w.pick(r, w.datasets)},
    "execute-query": lambda r, w: {"query": _sql(r, w).replace("FROM ", "FROM analytics.")},
    # pagerduty, time, thinking
    "list_incidents": lambda r, w: {"statuses": ["triggered", "acknowledged"], "limit": 25},
    "get_incident": lambda r, w: {"incident_id": f"Q{r.getrandbits(40):010X}"},
    "manage_incidents": lambda r, w: {
        "incident_ids": [f"Q{r.getrandbits(40):010X}"],
        "status": r.choice(["acknowledged", "resolved"]),
    },
    "list_oncalls": lambda r, w: {"schedule_ids": ["PSCHED1"]},
    "get_current_time": lambda r, w: {"timezone": r.choice(["UTC", "Europe/Berlin"])},
    "convert_time": lambda r, w: {
        "source_timezone": "UTC",
        "time": "14:00",
        "target_timezone": "America/New_York",
    },
    "sequentialthinking": lambda r, w: {
        "thought": text(r, arg_len(r, 500)),
        "thoughtNumber": 1,
        "totalThoughts": r.randint(3, 8),
        "nextThoughtNeeded": True,
    },
}
