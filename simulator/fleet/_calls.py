"""Arguments and result sizes of the fleet's tool calls, as a client sends and a server answers.

Each tool's argument *shape* (``catalog.Tool.shape``) becomes the arguments a real client sends
to that server (paths under the user's checkout, ``owner``/``repo``/``pullNumber``, SQL text,
``bucket``/``key``, ``namespace``/``name`` …), sized like real ones (an edit carries its old and
new text; a PR body is paragraphs). The emitter derives ``args_bytes``, the argument
fingerprint and the resource from these, exactly as for a real call. Pure functions of the
random generator; never raise for a known shape (an unknown shape is a KeyError: a data bug).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, Final

__all__ = ["Workspace", "args_for", "result_bytes", "text", "workspace"]

_PROSE: Final = (
    "the request handler retries the payment when the upstream times out and we log the "
    "error with the order id so support can find it later this change moves the retry into "
    "the client adds a test for the timeout path and removes the old flag from settings "
    "customers in the eu region saw duplicate invoices after the migration because the job "
    "ran twice we now take a lock per account before writing the invoice rows and skip "
    "accounts that already have one for the period please review the schema change below "
    "and the backfill plan dashboards show p99 latency back under two hundred milliseconds"
)
_WORDS: Final = tuple(_PROSE.split())
_rng_text = random.Random("fleet-text")
_CORPUS: Final = " ".join(_rng_text.choice(_WORDS) for _ in range(60_000))
_TEAM_REPOS: Final = {
    "backend": ("payments-api", "billing-service", "orders", "auth-service", "notifications"),
    "frontend": ("web-app", "design-system", "checkout-ui", "admin-console"),
    "platform": ("infra", "helm-charts", "terraform-modules", "ci-templates", "observability"),
    "data": ("warehouse-dbt", "etl-jobs", "ml-features", "analytics-notebooks"),
    "security": ("security-policies", "infra", "auth-service", "payments-api"),
    "support": ("support-macros",),
    "finance": ("finance-reports",),
    "product": ("roadmap",),
}
_TABLES: Final = (
    "orders",
    "order_items",
    "invoices",
    "payments",
    "refunds",
    "customers",
    "accounts",
    "subscriptions",
    "events_daily",
    "sessions",
    "feature_flags",
    "audit_log",
    "ledger_entries",
)
_NAMESPACES: Final = ("payments", "orders", "web", "auth", "data-jobs", "monitoring", "ingress")
_BUCKETS: Final = ("acme-exports", "acme-artifacts", "acme-dwh-staging", "acme-backups")
_CHANNELS: Final = ("C04ENG", "C02INC", "C07DATA", "C03SUP", "C09REL", "C05FIN", "C01ALL")
_JIRA: Final = {
    "backend": "PAY",
    "frontend": "WEB",
    "platform": "OPS",
    "data": "DATA",
    "support": "SUP",
    "security": "SEC",
    "finance": "FIN",
    "product": "PRD",
}


class Workspace:
    """What one person's calls name: their checkout, their team's repos, tables, channels."""

    __slots__ = ("home", "jira", "repos", "user")

    def __init__(self, user: str, team: str) -> None:
        self.user, self.home = user, f"/home/{user}/src"
        self.repos, self.jira = _TEAM_REPOS[team], _JIRA[team]


def workspace(user: str, team: str) -> Workspace:
    return Workspace(user, team)


def text(rng: random.Random, n: int) -> str:
    """About ``n`` characters of plain prose."""
    n = max(1, n)
    at = rng.randrange(0, len(_CORPUS) - n - 1) if n < len(_CORPUS) - 2 else 0
    return _CORPUS[at : at + n]


def _size(rng: random.Random, median: float, sigma: float = 0.8) -> int:
    return max(1, int(rng.lognormvariate(0.0, sigma) * median))


def _file(rng: random.Random, ws: Workspace, repo: str | None = None) -> str:
    repo = repo or rng.choice(ws.repos)
    parts = rng.choice(("src", "src/handlers", "src/models", "tests", "lib", "config", "docs"))
    ext = rng.choice((".py", ".py", ".ts", ".go", ".yaml", ".md", ".sql"))
    return f"{ws.home}/{repo}/{parts}/{rng.choice(_WORDS)}_{rng.randrange(1, 40)}{ext}"


def _gh(rng: random.Random, ws: Workspace) -> dict[str, Any]:
    return {"owner": "acme", "repo": rng.choice(ws.repos)}


def _sql(rng: random.Random, ws: Workspace) -> str:
    table = rng.choice(_TABLES)
    cols = ", ".join(
        rng.sample(
            (
                "id",
                "account_id",
                "amount",
                "status",
                "created_at",
                "currency",
                "region",
                "updated_at",
            ),
            rng.randrange(2, 6),
        )
    )
    days = rng.randrange(1, 30)  # simulated SQL text, never run anywhere
    q = f"SELECT {cols} FROM {table} WHERE created_at > now() - interval '{days} days'"  # noqa: S608
    if rng.random() < 0.4:
        q += f" AND status = '{rng.choice(('paid', 'failed', 'pending', 'refunded'))}'"
    if rng.random() < 0.35:
        q += f" GROUP BY {cols.split(', ')[0]} ORDER BY 1 LIMIT {rng.choice((50, 100, 1000))}"
    return q + " -- " + text(rng, _size(rng, 60, 1.0)) if rng.random() < 0.3 else q


def _mongo(rng: random.Random, ws: Workspace) -> dict[str, Any]:
    return {
        "database": rng.choice(("app", "events", "features")),
        "collection": rng.choice(
            ("user_events", "carts", "recommendations", "sessions", "feature_store")
        ),
    }


def _k8s(rng: random.Random, ws: Workspace) -> dict[str, Any]:
    ns = rng.choice(_NAMESPACES)
    return {
        "namespace": ns,
        "name": f"{ns}-{rng.choice(('api', 'worker', 'cron'))}-{rng.randrange(16**5):05x}",
    }


def _s3(rng: random.Random, ws: Workspace) -> dict[str, Any]:
    bucket = rng.choice(_BUCKETS)
    return {
        "bucket": bucket,
        "key": f"{rng.choice(_TABLES)}/dt=2026-11-{rng.randrange(1, 28):02d}"
        f"/part-{rng.randrange(200):04d}.parquet",
    }


def _issue(rng: random.Random, ws: Workspace) -> str:
    return f"{ws.jira}-{rng.randrange(100, 4000)}"


_SHAPES: Final[dict[str, Callable[[random.Random, Workspace], dict[str, Any]]]] = {
    "none": lambda r, w: {},
    "path": lambda r, w: {"path": _file(r, w)},
    "paths": lambda r, w: {"paths": [_file(r, w) for _ in range(r.randrange(2, 8))]},
    "path_write": lambda r, w: {"path": _file(r, w), "content": text(r, _size(r, 2500))},
    "path_edit": lambda r, w: {
        "path": _file(r, w),
        "edits": [
            {"oldText": text(r, _size(r, 300)), "newText": text(r, _size(r, 400))}
            for _ in range(r.randrange(1, 4))
        ],
    },
    "move": lambda r, w: {"source": _file(r, w), "destination": _file(r, w)},
    "path_pattern": lambda r, w: {
        "path": f"{w.home}/{r.choice(w.repos)}",
        "pattern": f"*{r.choice(_WORDS)}*",
    },
    "repo_path": lambda r, w: {"repo_path": f"{w.home}/{r.choice(w.repos)}"},
    "git_rev": lambda r, w: {
        "repo_path": f"{w.home}/{r.choice(w.repos)}",
        "revision": f"{r.randrange(16**7):07x}",
    },
    "git_files": lambda r, w: {
        "repo_path": f"{w.home}/{r.choice(w.repos)}",
        "files": [_file(r, w) for _ in range(r.randrange(1, 6))],
    },
    "git_message": lambda r, w: {
        "repo_path": f"{w.home}/{r.choice(w.repos)}",
        "message": text(r, _size(r, 90)),
    },
    "git_branch": lambda r, w: {
        "repo_path": f"{w.home}/{r.choice(w.repos)}",
        "branch_name": f"{w.user.split('.')[0]}/{_issue(r, w).lower()}",
    },
    "gh_file": lambda r, w: {**_gh(r, w), "path": _file(r, w).split("/", 5)[-1]},
    "gh_query": lambda r, w: {"query": f"{r.choice(_WORDS)} {r.choice(_WORDS)} org:acme"},
    "gh_repo": lambda r, w: {**_gh(r, w), "state": r.choice(("open", "all"))},
    "gh_pr": lambda r, w: {**_gh(r, w), "pullNumber": r.randrange(100, 3000)},
    "gh_new_pr": lambda r, w: {
        **_gh(r, w),
        "title": text(r, _size(r, 60, 0.3)),
        "body": text(r, _size(r, 900)),
        "head": _issue(r, w).lower(),
        "base": "main",
    },
    "gh_review": lambda r, w: {
        **_gh(r, w),
        "pullNumber": r.randrange(100, 3000),
        "event": r.choice(("APPROVE", "COMMENT", "REQUEST_CHANGES")),
        "body": text(r, _size(r, 350)),
    },
    "gh_issue": lambda r, w: {**_gh(r, w), "issue_number": r.randrange(10, 900)},
    "gh_comment": lambda r, w: {
        **_gh(r, w),
        "issue_number": r.randrange(10, 900),
        "body": text(r, _size(r, 300)),
    },
    "gh_branch": lambda r, w: {**_gh(r, w), "branch": _issue(r, w).lower(), "from_branch": "main"},
    "gh_push": lambda r, w: {
        **_gh(r, w),
        "branch": _issue(r, w).lower(),
        "message": text(r, 70),
        "files": [
            {"path": _file(r, w).split("/", 5)[-1], "content": text(r, _size(r, 1500))}
            for _ in range(r.randrange(1, 4))
        ],
    },
    "gh_job": lambda r, w: {**_gh(r, w), "job_id": r.randrange(10**9, 10**10)},
    "gh_workflow": lambda r, w: {
        **_gh(r, w),
        "workflow_id": r.choice(("ci.yml", "deploy.yml")),
        "ref": "main",
    },
    "sql": lambda r, w: {"sql": _sql(r, w)},
    "pg_schema": lambda r, w: {"schema_name": r.choice(("public", "billing", "analytics"))},
    "pg_object": lambda r, w: {"schema_name": "public", "object_name": r.choice(_TABLES)},
    "mongo_db": lambda r, w: {"database": r.choice(("app", "events", "features"))},
    "mongo_coll": lambda r, w: _mongo(r, w),
    "mongo_find": lambda r, w: {
        **_mongo(r, w),
        "filter": {"account_id": r.randrange(10**6)},
        "limit": r.choice((10, 100, 1000)),
    },
    "mongo_agg": lambda r, w: {
        **_mongo(r, w),
        "pipeline": [
            {"$match": {"ts": {"$gte": "2026-11-01"}}},
            {"$group": {"_id": "$account_id", "n": {"$sum": 1}}},
        ],
    },
    "mongo_docs": lambda r, w: {
        **_mongo(r, w),
        "documents": [
            {"account_id": r.randrange(10**6), "note": text(r, _size(r, 120))}
            for _ in range(r.randrange(1, 20))
        ],
    },
    "mongo_update": lambda r, w: {
        **_mongo(r, w),
        "filter": {"status": "stale"},
        "update": {"$set": {"status": "archived"}},
    },
    "mongo_index": lambda r, w: {**_mongo(r, w), "keys": {"account_id": 1, "ts": -1}},
    "slack_channel": lambda r, w: {"channel_id": r.choice(_CHANNELS), "limit": 50},
    "slack_thread": lambda r, w: {
        "channel_id": r.choice(_CHANNELS),
        "thread_ts": f"17{r.randrange(10**8):08d}.{r.randrange(10**6)}",
    },
    "slack_post": lambda r, w: {"channel_id": r.choice(_CHANNELS), "text": text(r, _size(r, 220))},
    "slack_reply": lambda r, w: {
        "channel_id": r.choice(_CHANNELS),
        "text": text(r, _size(r, 180)),
        "thread_ts": f"17{r.randrange(10**8):08d}.{r.randrange(10**6)}",
    },
    "slack_react": lambda r, w: {
        "channel_id": r.choice(_CHANNELS),
        "reaction": "eyes",
        "timestamp": f"17{r.randrange(10**8):08d}.{r.randrange(10**6)}",
    },
    "slack_user": lambda r, w: {"user_id": f"U0{r.randrange(16**7):07X}"},
    "jql": lambda r, w: {
        "jql": f'project = {w.jira} AND status = "{r.choice(("Open", "In Progress"))}"',
        "limit": 20,
    },
    "jira_key": lambda r, w: {"issue_key": _issue(r, w)},
    "jira_new": lambda r, w: {
        "project_key": w.jira,
        "summary": text(r, 60),
        "issue_type": "Task",
        "description": text(r, _size(r, 600)),
    },
    "jira_update": lambda r, w: {"issue_key": _issue(r, w), "fields": {"labels": ["triaged"]}},
    "jira_transition": lambda r, w: {
        "issue_key": _issue(r, w),
        "transition_id": str(r.randrange(11, 41)),
    },
    "jira_comment": lambda r, w: {"issue_key": _issue(r, w), "comment": text(r, _size(r, 280))},
    "cql": lambda r, w: {"query": f'text ~ "{r.choice(_WORDS)}"', "limit": 10},
    "confluence_page": lambda r, w: {"page_id": str(r.randrange(10**8, 10**9))},
    "confluence_edit": lambda r, w: {
        "page_id": str(r.randrange(10**8, 10**9)),
        "title": text(r, 40),
        "content": text(r, _size(r, 2500)),
    },
    "sentry_org": lambda r, w: {"organizationSlug": "acme"},
    "sentry_query": lambda r, w: {
        "organizationSlug": "acme",
        "projectSlug": r.choice(w.repos),
        "query": f"is:unresolved {r.choice(_WORDS)}",
    },
    "sentry_issue": lambda r, w: {
        "organizationSlug": "acme",
        "issueId": f"{w.jira}-{r.randrange(16**3):X}",
    },
    "sentry_update": lambda r, w: {
        "organizationSlug": "acme",
        "status": "resolved",
        "issueId": f"{w.jira}-{r.randrange(16**3):X}",
    },
    "k8s_get": lambda r, w: {
        "resourceType": r.choice(("pods", "deployments", "jobs", "events")),
        "namespace": r.choice(_NAMESPACES),
    },
    "k8s_obj": lambda r, w: {"resourceType": r.choice(("pod", "job", "deployment")), **_k8s(r, w)},
    "k8s_logs": lambda r, w: {"resourceType": "pod", **_k8s(r, w), "tail": r.choice((200, 1000))},
    "k8s_manifest": lambda r, w: {
        "namespace": r.choice(_NAMESPACES),
        "manifest": "apiVersion: apps/v1\nkind: Deployment\n" + text(r, _size(r, 1200)),
    },
    "k8s_scale": lambda r, w: {**_k8s(r, w), "replicas": r.randrange(2, 12)},
    "k8s_rollout": lambda r, w: {
        **_k8s(r, w),
        "resourceType": "deployment",
        "subCommand": r.choice(("status", "status", "restart", "history")),
    },
    "k8s_exec": lambda r, w: {**_k8s(r, w), "command": r.choice(("env", "df -h", "ps aux"))},
    "s3_prefix": lambda r, w: {"bucket": r.choice(_BUCKETS), "prefix": f"{r.choice(_TABLES)}/"},
    "s3_key": lambda r, w: _s3(r, w),
    "s3_put": lambda r, w: {**_s3(r, w), "body": text(r, _size(r, 3000))},
    "s3_copy": lambda r, w: {**_s3(r, w), "source": _s3(r, w)["key"]},
    "grafana_query": lambda r, w: {"query": r.choice(_NAMESPACES)},
    "grafana_uid": lambda r, w: {"uid": f"{r.randrange(16**9):09x}"},
    "promql": lambda r, w: {
        "datasourceUid": "prom",
        "startTime": "now-1h",
        "endTime": "now",
        "expr": f'sum(rate(http_requests_total{{namespace="{r.choice(_NAMESPACES)}"}}[5m]))',
    },
    "logql": lambda r, w: {
        "datasourceUid": "loki",
        "limit": 200,
        "logql": f'{{namespace="{r.choice(_NAMESPACES)}"}} |= "error"',
    },
    "url": lambda r, w: {
        "url": r.choice(
            (
                "https://docs.python.org/3/library/asyncio.html",
                "https://kubernetes.io/docs/concepts/",
                "https://www.postgresql.org/docs/17/sql-select.html",
                "https://nvd.nist.gov/vuln/detail/",
                "https://developer.mozilla.org/en-US/docs/Web/API/fetch",
                "https://staging.acme.io/checkout",
                "https://github.com/advisories",
                "https://pkg.go.dev/net/http",
            )
        )
    },
    "browser_ref": lambda r, w: {"element": text(r, 25), "ref": f"e{r.randrange(400)}"},
    "browser_text": lambda r, w: {
        "element": text(r, 20),
        "ref": f"e{r.randrange(400)}",
        "text": text(r, _size(r, 40)),
    },
    "notion_query": lambda r, w: {"query": f"{r.choice(_WORDS)} {r.choice(_WORDS)}"},
    "notion_id": lambda r, w: {"id": f"{r.randrange(16**32):032x}"},
    "notion_new": lambda r, w: {
        "parent": {"page_id": f"{r.randrange(16**32):032x}"},
        "pages": [{"properties": {"title": text(r, 40)}, "content": text(r, _size(r, 1500))}],
    },
    "notion_update": lambda r, w: {
        "data": {
            "page_id": f"{r.randrange(16**32):032x}",
            "command": "insert_content_after",
            "new_str": text(r, _size(r, 700)),
        }
    },
    "gdrive_query": lambda r, w: {"query": f"{r.choice(_WORDS)} {r.choice(('Q3', 'Q4', '2026'))}"},
    "gdrive_file": lambda r, w: {"fileId": f"1{r.randrange(36**20):x}"},
    "gdrive_sheet": lambda r, w: {
        "spreadsheetId": f"1{r.randrange(36**20):x}",
        "ranges": [f"Sheet{r.randrange(1, 4)}!A1:H{r.randrange(20, 900)}"],
    },
    "gdrive_cell": lambda r, w: {
        "fileId": f"1{r.randrange(36**20):x}",
        "value": str(r.randrange(10**6)),
        "range": f"Sheet1!{r.choice('ABCDEF')}{r.randrange(2, 300)}",
    },
    "pd_filter": lambda r, w: {"statuses": ["triggered", "acknowledged"]},
    "pd_incident": lambda r, w: {"incident_id": f"Q{r.randrange(36**6):X}"},
    "pd_manage": lambda r, w: {
        "incident_ids": [f"Q{r.randrange(36**6):X}"],
        "status": r.choice(("acknowledged", "resolved")),
    },
}


def args_for(shape: str, rng: random.Random, ws: Workspace) -> dict[str, Any]:
    """The arguments a client sends for a tool of argument shape ``shape``."""
    return _SHAPES[shape](rng, ws)


def result_bytes(rng: random.Random, median_kb: float, ok: bool) -> int:
    """A result's size on the wire: lognormal around the tool's median; errors are short."""
    if not ok:
        return rng.randrange(90, 700)
    return _size(rng, median_kb * 1024, 0.9)
