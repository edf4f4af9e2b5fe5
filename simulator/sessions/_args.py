"""Tool arguments as an agent would send them, for each argument kind of ``catalog.py``.

An argument builder reads the session's :class:`Context` (who, which project, the file in
focus) and its random stream, and returns the call's ``arguments`` object. Sizes vary the way
real ones do: paths are short, a ``write_file`` carries the file, SQL grows with the question.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = ["ARGS", "Context", "Project", "project"]

_DIRS: Final = ("src", "src/api", "src/core", "src/models", "tests", "docs", "scripts", "config")
_STEMS: Final = (
    "handlers",
    "models",
    "client",
    "retry",
    "billing",
    "invoice",
    "auth",
    "session",
    "cache",
    "export",
    "schema",
    "settings",
    "routes",
    "queue",
    "worker",
    "metrics",
    "utils",
    "errors",
)
_EXT: Final = {"python": ".py", "typescript": ".ts", "go": ".go", "sql": ".sql", "yaml": ".yaml"}
_CODE: Final = (
    "def handle(request):\n    return process(request.payload)\n",
    "    if not items:\n        raise ValueError('empty batch')\n",
    "export function render(props: Props) {\n  return <Table rows={props.rows} />;\n}\n",
    "SELECT account_id, SUM(amount) FROM ledger GROUP BY 1;\n",
    "    retries = settings.max_retries  # see #412\n",
    "func (s *Server) Close() error {\n\treturn s.db.Close()\n}\n",
)
_WORDS: Final = (
    "fix",
    "flaky",
    "timeout",
    "retry",
    "invoice",
    "rounding",
    "export",
    "page",
    "customer",
    "cannot",
    "login",
    "after",
    "upgrade",
    "slow",
    "query",
    "dashboard",
    "missing",
    "field",
)


@dataclass(frozen=True, slots=True)
class Project:
    """What a team works on: a repository and the things around it."""

    repo: str
    lang: str
    files: tuple[str, ...]
    jira: str
    channel: str
    tables: tuple[str, ...]
    namespace: str
    bucket: str


def project(repo: str, lang: str, jira: str, namespace: str, bucket: str, seed: int) -> Project:
    rng = random.Random(f"project:{repo}:{seed}")
    ext = _EXT[lang]
    files = sorted(
        {
            f"{rng.choice(_DIRS)}/{rng.choice(_STEMS)}{rng.choice(('', '_v2', '_test'))}{ext}"
            for _ in range(70)
        }
    )
    tables = tuple(
        f"{rng.choice(('public', 'billing', 'analytics'))}.{rng.choice(_STEMS)}" for _ in range(12)
    )
    channel = "C0" + format(rng.getrandbits(32), "08X")
    return Project(repo, lang, tuple(files), jira, channel, tables, namespace, bucket)


@dataclass(slots=True)
class Context:
    """One agent session: who runs it, on what, and what it is looking at."""

    user: str
    project: Project
    rng: random.Random
    focus: str = ""
    pr: int = 0
    issue: str = ""
    pid: int = 0
    notes: dict[str, Any] = field(default_factory=dict)

    def file(self) -> str:
        if not self.focus or self.rng.random() < 0.35:
            self.focus = self.rng.choice(self.project.files)
        return self.focus

    def root(self) -> str:
        return f"/home/{self.user}/src/{self.project.repo}"

    def words(self, lo: int, hi: int) -> str:
        return " ".join(self.rng.choice(_WORDS) for _ in range(self.rng.randint(lo, hi)))

    def text(self, lo: int, hi: int) -> str:
        n = int(self.rng.lognormvariate(0, 0.8) * (lo + hi) / 2)
        out = "".join(self.rng.choice(_CODE) for _ in range(max(1, min(n, hi) // 50)))
        return out[: max(lo, min(n, hi))]


def _sql(c: Context) -> str:
    t = c.rng.choice(c.project.tables)
    cols = ", ".join(c.rng.sample(("id", "account_id", "amount", "created_at", "status"), 3))
    where = " AND ".join(f"{w} = '{c.rng.randint(1, 9999)}'" for w in range(c.rng.randint(0, 3)))
    # a simulated query's text, never run anywhere
    return f"SELECT {cols} FROM {t}" + (f" WHERE {where}" if where else "") + " LIMIT 500"  # noqa: S608


def _k8s(c: Context) -> dict[str, Any]:
    kind = c.rng.choice(("pods", "deployments", "services", "jobs", "configmaps"))
    name = f"{c.project.repo}-{format(c.rng.getrandbits(20), '05x')}"
    return {"resourceType": kind, "name": name, "namespace": c.project.namespace}


_Builder = Callable[[Context], dict[str, Any]]
ARGS: Final[dict[str, _Builder]] = {
    "none": lambda c: {},
    "path": lambda c: {"path": f"{c.root()}/{c.file()}"},
    "paths": lambda c: {
        "paths": [f"{c.root()}/{c.rng.choice(c.project.files)}" for _ in range(c.rng.randint(2, 6))]
    },
    "write": lambda c: {"path": f"{c.root()}/{c.file()}", "content": c.text(200, 9000)},
    "edit": lambda c: {
        "path": f"{c.root()}/{c.file()}",
        "edits": [
            {"oldText": c.text(20, 400), "newText": c.text(20, 900)}
            for _ in range(c.rng.randint(1, 3))
        ],
    },
    "dir": lambda c: {"path": f"{c.root()}/{c.file().rsplit('/', 1)[0]}"},
    "glob": lambda c: {"path": c.root(), "pattern": f"*{c.rng.choice(_STEMS)}*"},
    "move": lambda c: {"source": f"{c.root()}/{c.file()}", "destination": f"{c.root()}/{c.file()}"},
    "repo": lambda c: {"repo_path": c.root()},
    "gitref": lambda c: {"repo_path": c.root(), "target": c.rng.choice(("main", "HEAD~1"))},
    "gitadd": lambda c: {"repo_path": c.root(), "files": [c.file()]},
    "gitcommit": lambda c: {"repo_path": c.root(), "message": c.words(3, 9)},
    "gitlog": lambda c: {"repo_path": c.root(), "max_count": c.rng.choice((5, 10, 20))},
    "gitbranch": lambda c: {"repo_path": c.root(), "branch_name": f"{c.user}/{c.words(1, 3)}"},
    "ghrepo": lambda c: {"owner": "acme", "repo": c.project.repo, "state": "open"},
    "ghfile": lambda c: {"owner": "acme", "repo": c.project.repo, "path": c.file()},
    "ghsearch": lambda c: {"query": f"repo:acme/{c.project.repo} {c.words(1, 4)}"},
    "ghissue": lambda c: {"owner": "acme", "repo": c.project.repo, "issue_number": c.pr or 1},
    "ghnewissue": lambda c: {
        "owner": "acme",
        "repo": c.project.repo,
        "title": c.words(3, 8),
        "body": c.words(10, 80),
    },
    "ghcomment": lambda c: {
        "owner": "acme",
        "repo": c.project.repo,
        "issue_number": c.pr or 1,
        "body": c.words(5, 60),
    },
    "ghpr": lambda c: {"owner": "acme", "repo": c.project.repo, "pullNumber": c.pr or 1},
    "ghnewpr": lambda c: {
        "owner": "acme",
        "repo": c.project.repo,
        "title": c.words(3, 8),
        "head": f"{c.user}/fix",
        "base": "main",
        "body": c.words(20, 120),
    },
    "ghbranch": lambda c: {"owner": "acme", "repo": c.project.repo, "branch": f"{c.user}/wip"},
    "ghpush": lambda c: {
        "owner": "acme",
        "repo": c.project.repo,
        "branch": f"{c.user}/fix",
        "files": [{"path": c.file(), "content": c.text(200, 6000)}],
        "message": c.words(3, 8),
    },
    "ghjob": lambda c: {"owner": "acme", "repo": c.project.repo, "job_id": c.rng.getrandbits(34)},
    "proc": lambda c: {
        "command": c.rng.choice(("pytest -x -q", "npm test", "go test ./...", "make lint"))
        + f" {c.file()}",
        "timeout_ms": 120000,
    },
    "pid": lambda c: {"pid": c.pid or 4242},
    "procin": lambda c: {"pid": c.pid or 4242, "input": c.words(1, 6)},
    "pgschema": lambda c: {"schema_name": c.rng.choice(c.project.tables).split(".")[0]},
    "pgobject": lambda c: dict(
        zip(("schema_name", "object_name"), c.rng.choice(c.project.tables).split("."), strict=True)
    ),
    "sql": lambda c: {"sql": _sql(c)},
    "bq": lambda c: {"query": _sql(c).replace("LIMIT 500", "")},
    "bqtable": lambda c: {"table_name": f"acme-prod.{c.rng.choice(c.project.tables)}"},
    "slackch": lambda c: {"channel_id": c.project.channel, "limit": c.rng.choice((20, 50, 100))},
    "slackpost": lambda c: {"channel_id": c.project.channel, "text": c.words(4, 40)},
    "slackreply": lambda c: {
        "channel_id": c.project.channel,
        "thread_ts": f"{c.rng.getrandbits(31)}.000200",
        "text": c.words(3, 30),
    },
    "slackreact": lambda c: {"channel_id": c.project.channel, "reaction": "eyes"},
    "slackthread": lambda c: {"channel_id": c.project.channel, "thread_ts": "1758.0002"},
    "slackuser": lambda c: {"user_id": "U0" + format(c.rng.getrandbits(28), "07X")},
    "jql": lambda c: {"jql": f"project = {c.project.jira} AND text ~ '{c.words(1, 3)}'"},
    "jirakey": lambda c: {"issue_key": c.issue or f"{c.project.jira}-{c.rng.randint(100, 2999)}"},
    "jiranew": lambda c: {
        "project_key": c.project.jira,
        "summary": c.words(3, 9),
        "issue_type": "Task",
        "description": c.words(10, 90),
    },
    "jiraupdate": lambda c: {"issue_key": c.issue or f"{c.project.jira}-1", "fields": {}},
    "jiratrans": lambda c: {"issue_key": c.issue or f"{c.project.jira}-1", "transition_id": "31"},
    "jiracomment": lambda c: {
        "issue_key": c.issue or f"{c.project.jira}-1",
        "comment": c.words(4, 50),
    },
    "cql": lambda c: {"query": f'text ~ "{c.words(1, 3)}"', "limit": 10},
    "cpage": lambda c: {"page_id": str(c.rng.randint(10**6, 10**7))},
    "cnew": lambda c: {
        "space_key": c.project.jira,
        "title": c.words(2, 6),
        "content": c.text(300, 6000),
    },
    "cupdate": lambda c: {
        "page_id": str(c.rng.randint(10**6, 10**7)),
        "content": c.text(300, 6000),
    },
    "url": lambda c: {
        "url": f"http://localhost:{c.rng.choice((3000, 5173, 8080))}/"
        + c.words(1, 2).replace(" ", "/")
    },
    "element": lambda c: {"element": c.words(1, 3), "ref": f"e{c.rng.randint(2, 240)}"},
    "typing": lambda c: {
        "element": "input",
        "ref": f"e{c.rng.randint(2, 240)}",
        "text": c.words(1, 5),
    },
    "waitfor": lambda c: {"text": c.words(1, 2)},
    "jsfunc": lambda c: {"function": "() => document.title"},
    "k8sget": lambda c: {"resourceType": "pods", "namespace": c.project.namespace},
    "k8sobj": _k8s,
    "k8slogs": lambda c: {**_k8s(c), "tail": c.rng.choice((100, 200, 1000))},
    "k8sapply": lambda c: {"manifest": c.text(300, 3000), "namespace": c.project.namespace},
    "k8srollout": lambda c: {**_k8s(c), "subCommand": c.rng.choice(("status", "restart"))},
    "k8sscale": lambda c: {**_k8s(c), "replicas": c.rng.randint(1, 8)},
    "k8sexec": lambda c: {**_k8s(c), "command": c.rng.choice(("env", "ps aux", "df -h"))},
    "s3prefix": lambda c: {"bucket": c.project.bucket, "prefix": f"{c.rng.choice(_STEMS)}/"},
    "s3key": lambda c: {
        "bucket": c.project.bucket,
        "key": f"{c.rng.choice(_STEMS)}/{c.rng.getrandbits(24):06x}.parquet",
    },
    "s3put": lambda c: {
        "bucket": c.project.bucket,
        "key": f"out/{c.rng.getrandbits(24):06x}.csv",
        "body_size": c.rng.randint(10**3, 10**6),
    },
    "query": lambda c: {"query": c.words(1, 5)},
    "uid": lambda c: {"uid": format(c.rng.getrandbits(36), "09x")},
    "promql": lambda c: {
        "datasourceUid": "prom",
        "expr": f'rate(http_requests_total{{ns="{c.project.namespace}"}}[5m])',
        "startTime": "now-1h",
        "endTime": "now",
    },
    "logql": lambda c: {
        "datasourceUid": "loki",
        "logql": f'{{namespace="{c.project.namespace}"}} |= "error"',
        "limit": 200,
    },
    "incident": lambda c: {"id": str(c.rng.randint(100, 999))},
    "newincident": lambda c: {"title": c.words(3, 8), "severity": "minor", "roomPrefix": "inc"},
    "incidentnote": lambda c: {"incidentId": str(c.rng.randint(100, 999)), "body": c.words(5, 40)},
    "schedule": lambda c: {"scheduleUid": "platform-primary"},
    "org": lambda c: {"organizationSlug": "acme"},
    "sentryq": lambda c: {"organizationSlug": "acme", "naturalLanguageQuery": c.words(2, 8)},
    "sentryissue": lambda c: {
        "organizationSlug": "acme",
        "issueId": f"ACME-{c.rng.randint(1, 9999):X}",
    },
    "trace": lambda c: {
        "organizationSlug": "acme",
        "traceId": format(c.rng.getrandbits(128), "032x"),
    },
    "sentryupdate": lambda c: {
        "organizationSlug": "acme",
        "issueId": "ACME-1F",
        "status": "resolved",
    },
    "ticket": lambda c: {"ticket_id": c.rng.randint(40000, 99999)},
    "ticketcomment": lambda c: {
        "ticket_id": c.rng.randint(40000, 99999),
        "body": c.words(10, 90),
        "public": True,
    },
    "ticketupdate": lambda c: {"ticket_id": c.rng.randint(40000, 99999), "status": "pending"},
    "sheet": lambda c: {
        "spreadsheet_id": c.notes.setdefault("sheet", format(c.rng.getrandbits(88), "022x"))
    },
    "sheetrange": lambda c: {
        "spreadsheet_id": c.notes.setdefault("sheet", format(c.rng.getrandbits(88), "022x")),
        "sheet": c.rng.choice(("Q3", "Forecast", "Ledger")),
        "range": f"A1:Q{c.rng.randint(50, 5000)}",
    },
    "sheetupdate": lambda c: {
        "spreadsheet_id": c.notes.setdefault("sheet", "1x"),
        "sheet": "Q3",
        "range": "B2:F20",
        "data": [[c.rng.randint(0, 10**6) for _ in range(5)] for _ in range(c.rng.randint(2, 20))],
    },
    "sheetbatch": lambda c: {
        "spreadsheet_id": c.notes.setdefault("sheet", "1x"),
        "sheet": "Q3",
        "ranges": {
            f"B{i}:F{i}": [[c.rng.randint(0, 10**6)] * 5] for i in range(2, c.rng.randint(4, 40))
        },
    },
    "sheetnew": lambda c: {"title": c.words(2, 5)},
    "notionid": lambda c: {"id": format(c.rng.getrandbits(128), "032x")},
    "notionnew": lambda c: {"pages": [{"title": c.words(2, 6), "content": c.text(200, 5000)}]},
    "notionupdate": lambda c: {
        "page_id": format(c.rng.getrandbits(128), "032x"),
        "content": c.text(100, 3000),
    },
    "entities": lambda c: {
        "entities": [
            {"name": c.words(1, 2), "entityType": "concept", "observations": [c.words(3, 12)]}
        ]
    },
    "observations": lambda c: {
        "observations": [{"entityName": c.words(1, 2), "contents": [c.words(3, 15)]}]
    },
    "nodes": lambda c: {"names": [c.words(1, 2) for _ in range(c.rng.randint(1, 3))]},
    "fetchurl": lambda c: {
        "url": c.rng.choice(
            (
                "https://docs.python.org/3/library/",
                "https://pkg.go.dev/",
                "https://developer.mozilla.org/en-US/docs/Web/",
                "https://stackoverflow.com/questions/",
            )
        )
        + str(c.rng.randint(1, 99999)),
        "max_length": 5000,
    },
    "vaultpath": lambda c: {
        "mount": "secret",
        "path": f"{c.project.namespace}/{c.rng.choice(_STEMS)}",
    },
    "vaultwrite": lambda c: {
        "mount": "secret",
        "path": f"{c.project.namespace}/{c.rng.choice(_STEMS)}",
        "key": "value",
        "value": format(c.rng.getrandbits(64), "016x"),
    },
    "article": lambda c: {"article_id": f"KB-{c.rng.randint(1, 900)}"},
    "question": lambda c: {"question": c.words(5, 16) + "?"},
}
