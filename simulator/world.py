"""The simulated world: servers and their tools, users, roles, working sets and tool habits.

Everything is drawn from a ``random.Random`` handed in, so a seed fixes the world. Benign habits
are a first-order Markov chain over tools per role (:data:`TRANSITIONS`). Guarantees the attack
labels rely on: no benign transition goes ``fetch_url → post_message``; benign working sets hold
no secret path (:func:`is_secret_uri`) and nothing under ``finance``; only ops may reach
``run_command`` or ``list_users``, and nobody benign reaches ``grant_role``.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Mapping
from typing import Any, Final

from .model import UserProfile

__all__ = [
    "CLIENTS",
    "NEW_CLIENTS",
    "PROJECTS",
    "ROLES",
    "SERVERS",
    "TABLES",
    "TOOL_SERVER",
    "TRANSITIONS",
    "WORDS",
    "WorkingSet",
    "is_secret_uri",
    "make_user",
    "new_item",
    "target",
]

SERVERS: Final[Mapping[str, tuple[str, ...]]] = {
    "fs-server": ("read_file", "list_directory", "write_file", "search_files"),
    "db-server": ("run_query", "list_tables", "describe_table", "export_table"),
    "github-server": ("search_code", "get_file_contents", "create_pull_request", "list_issues"),
    "web-server": ("fetch_url", "web_search"),
    "slack-server": ("post_message", "read_channel"),
    "shell-server": ("run_command",),
    "admin-server": ("list_users", "grant_role"),
}
#: tool → its server; the pseudo-tool ``resources/read`` is an fs-server resource read
TOOL_SERVER: Final[Mapping[str, str]] = {
    **{tool: server for server, tools in SERVERS.items() for tool in tools},
    "resources/read": "fs-server",
}
ROLES: Final = ("developer", "analyst", "ops")
CLIENTS: Final = (
    ("claude-desktop", "0.14.2"),
    ("cursor", "2.1.3"),
    ("vscode", "1.106.0"),
    ("claude-code", "2.0.37"),
)
#: clients only new users bring (never seen in the history)
NEW_CLIENTS: Final = (("windsurf", "1.12.2"), ("zed", "0.212.4"), ("goose", "1.14.0"))
_AGENT_KINDS: Final = ("claude-code", "cursor", "copilot", "cline", "codex")
_TZ: Final = (-8.0, -8.0, -5.0, -5.0, -5.0, 0.0, 0.0, 1.0, 1.0, 1.0, 2.0, 5.5, 8.0)

_W = dict[str, float]
_DEV: Final[dict[str, _W]] = {
    "start": {
        "list_directory": 3,
        "search_code": 3,
        "read_file": 2,
        "list_issues": 1,
        "web_search": 1,
        "read_channel": 1,
        "run_query": 0.3,
    },
    "list_directory": {"read_file": 6, "list_directory": 2, "search_files": 1, "resources/read": 1},
    "read_file": {
        "read_file": 5,
        "write_file": 2,
        "list_directory": 1,
        "search_files": 1,
        "search_code": 1,
        "web_search": 0.5,
    },
    "write_file": {
        "read_file": 3,
        "write_file": 1,
        "list_directory": 1,
        "create_pull_request": 0.5,
        "post_message": 0.3,
    },
    "search_files": {"read_file": 5, "list_directory": 1},
    "resources/read": {"read_file": 2, "list_directory": 1},
    "search_code": {"get_file_contents": 5, "search_code": 2, "read_file": 1},
    "get_file_contents": {
        "get_file_contents": 3,
        "create_pull_request": 0.6,
        "search_code": 1,
        "read_file": 1,
        "write_file": 1,
    },
    "create_pull_request": {"post_message": 1, "list_issues": 1, "read_file": 1},
    "list_issues": {"get_file_contents": 2, "search_code": 1, "read_file": 1},
    "web_search": {"fetch_url": 4, "web_search": 1},
    "fetch_url": {"fetch_url": 3, "web_search": 1, "write_file": 1, "read_file": 1},
    "post_message": {"read_channel": 1, "read_file": 2, "list_directory": 1},
    "read_channel": {"post_message": 2, "read_file": 1, "list_issues": 1},
    "run_query": {"read_file": 1, "run_query": 1},
}
_ANALYST: Final[dict[str, _W]] = {
    "start": {
        "list_tables": 4,
        "run_query": 2,
        "read_channel": 1,
        "read_file": 1,
        "web_search": 0.5,
    },
    "list_tables": {"describe_table": 5, "run_query": 2},
    "describe_table": {"run_query": 5, "describe_table": 1},
    "run_query": {
        "run_query": 6,
        "describe_table": 1,
        "export_table": 0.3,
        "write_file": 0.5,
        "post_message": 0.4,
        "list_tables": 0.5,
    },
    "export_table": {"write_file": 1, "run_query": 2},
    "write_file": {"read_file": 1, "run_query": 2, "post_message": 0.5},
    "read_file": {"read_file": 2, "write_file": 1, "run_query": 1, "list_directory": 0.5},
    "list_directory": {"read_file": 3, "resources/read": 0.5},
    "resources/read": {"read_file": 1, "run_query": 1},
    "web_search": {"fetch_url": 3, "web_search": 1},
    "fetch_url": {"fetch_url": 2, "web_search": 1, "run_query": 1},
    "post_message": {"read_channel": 1, "run_query": 1},
    "read_channel": {"post_message": 2, "run_query": 1},
}
_OPS: Final[dict[str, _W]] = {
    "start": {"read_channel": 2, "list_issues": 1, "read_file": 2, "list_directory": 1,
              "run_query": 1, "run_command": 0.3, "list_users": 0.05},
    "read_channel": {"post_message": 2, "read_file": 1, "list_issues": 1},
    "post_message": {"read_channel": 2, "read_file": 1},
    "list_issues": {"get_file_contents": 1, "search_code": 1, "read_channel": 1},
    "search_code": {"get_file_contents": 3},
    "get_file_contents": {"get_file_contents": 1, "list_issues": 1, "read_file": 1},
    "read_file": {"read_file": 3, "list_directory": 1, "write_file": 0.5, "run_command": 0.1,
                  "post_message": 0.3, "web_search": 0.2},
    "list_directory": {"read_file": 3},
    "write_file": {"read_file": 1, "post_message": 0.5},
    "run_query": {"run_query": 2, "read_channel": 1},
    "run_command": {"read_file": 1, "post_message": 1},
    "list_users": {"read_channel": 1},
    "web_search": {"fetch_url": 3},
    "fetch_url": {"fetch_url": 1, "web_search": 1, "read_file": 1},
}  # fmt: skip
#: role → state → (next tools, cumulative weights)
TRANSITIONS: Final[dict[str, dict[str, tuple[list[str], list[float]]]]] = {
    role: {s: (list(w), list(itertools.accumulate(w.values()))) for s, w in table.items()}
    for role, table in (("developer", _DEV), ("analyst", _ANALYST), ("ops", _OPS))
}

WORDS: Final = (
    "app", "models", "views", "utils", "client", "server", "handlers", "schema", "auth", "cache",
    "db", "routes", "settings", "main", "worker", "tasks", "metrics", "parser", "report", "billing",
    "invoice", "retry", "queue", "config", "loader", "export", "search", "session", "events",
)  # fmt: skip
_DEV_DIRS: Final = {"src": ".py", "src/api": ".py", "src/core": ".py", "tests": ".py",
                    "docs": ".md", "scripts": ".sh", "config": ".yaml"}  # fmt: skip
_ANALYST_DIRS: Final = {"analysis": ".ipynb", "analysis/sql": ".sql", "data": ".csv",
                        "reports": ".md"}  # fmt: skip
_OPS_DIRS: Final = {"srv/deploy": ".yaml", "srv/runbooks": ".md", "var/log": ".log"}
PROJECTS: Final = ("payments", "webapp", "ingest", "billing", "search", "mobile-api")
_SCHEMAS: Final = {
    "sales": ("orders", "order_items", "customers", "refunds", "daily_revenue"),
    "marketing": ("campaigns", "leads", "attribution", "email_events"),
    "product": ("events", "sessions", "feature_flags", "experiments"),
    "support": ("tickets", "csat", "agents"),
    "analytics": ("dau", "retention", "funnels", "cohorts"),
}
#: every table of the warehouse, as resource URIs (``db://schema/table``)
TABLES: Final = tuple(f"db://{s}/{t}" for s, ts in _SCHEMAS.items() for t in ts)
_SITES: Final = (
    "https://docs.python.org/3/library/{w}.html",
    "https://developer.mozilla.org/en-US/docs/Web/API/{W}",
    "https://stackoverflow.com/questions/{n}",
    "https://pandas.pydata.org/docs/reference/api/pandas.{w}.html",
    "https://kubernetes.io/docs/concepts/{w}/",
    "https://github.blog/{n}-{w}",
)
_CHANNELS: Final = ("#eng-{p}", "#data", "#ops-alerts", "#general", "#incidents", "#deploys")
_KINDS: Final = ("file", "table", "code", "url", "channel")
_SIZES: Final = {  # role → kind → (min, max) working-set entries; totals stay within 50-200
    "developer": {"file": (30, 90), "table": (2, 6), "code": (15, 50), "url": (5, 20),
                  "channel": (2, 4)},
    "analyst": {"file": (20, 60), "table": (15, 40), "code": (3, 8), "url": (5, 15),
                "channel": (2, 4)},
    "ops": {"file": (30, 70), "table": (2, 6), "code": (10, 30), "url": (5, 15),
            "channel": (3, 5)},
}  # fmt: skip


def is_secret_uri(uri: str | None) -> bool:
    """A path no benign user touches: keys, dotenv files, credentials, system files."""
    if not uri:
        return False
    name = uri.rsplit("/", 1)[-1]
    return (
        name.startswith(".env")
        or "/.ssh/" in uri
        or "/.aws/" in uri
        or uri.startswith("file:///etc/")
        or name in ("credentials", "id_rsa", "id_ed25519")
    )


def make_user(
    rng: random.Random, name: str, role: str, serial: int, *, first_day: int = 0, new: bool = False
) -> UserProfile:
    """A person of ``role``; agent names carry ``serial`` so no two users share an agent."""
    client, version = rng.choice(NEW_CLIENTS if new else CLIENTS)
    n_agents = 1 if rng.random() < 0.6 else 2
    agents = tuple(f"{rng.choice(_AGENT_KINDS)}-{serial * 2 + i}" for i in range(n_agents))
    return UserProfile(
        name=name,
        role=role,
        tz_hours=rng.choice(_TZ),
        work_start=rng.uniform(7.75, 9.5),
        work_end=rng.uniform(17.0, 19.0),
        agents=agents,
        client=client,
        client_version=version,
        first_day=first_day,
    )


def new_item(rng: random.Random, user: UserProfile, kind: str, project: str) -> str:
    """A fresh resource of ``kind`` for ``user`` (may repeat; callers deduplicate)."""
    w = rng.choice(WORDS)
    if kind == "file":
        dirs = {"developer": _DEV_DIRS, "analyst": _ANALYST_DIRS, "ops": _OPS_DIRS}[user.role]
        d = rng.choice(list(dirs))
        suffix = f"_{rng.randrange(2, 9)}" if rng.random() < 0.4 else ""
        if user.role == "ops":
            return f"file:///{d}/{project}/{w}{suffix}{dirs[d]}"
        return f"file:///home/{user.name}/{project}/{d}/{w}{suffix}{dirs[d]}"
    if kind == "table":
        schema = rng.choice(list(_SCHEMAS))
        return f"db://{schema}/{rng.choice(_SCHEMAS[schema])}"
    if kind == "code":
        repo = project if rng.random() < 0.8 else rng.choice(PROJECTS)
        d = rng.choice(("src", "src/api", "src/core", "tests", "deploy"))
        return f"acme/{repo}/{d}/{w}.py"
    if kind == "url":
        site = rng.choice(_SITES)
        return site.format(w=w, W=w.capitalize(), n=rng.randrange(10_000_000, 79_999_999))
    return rng.choice(_CHANNELS).format(p=project)


class WorkingSet:
    """A user's resources per kind, most used first; :meth:`pick` is Zipf-like (1/rank^1.1)."""

    __slots__ = ("_cum", "items", "project", "user")

    def __init__(self, rng: random.Random, user: UserProfile) -> None:
        self.user = user
        self.project = rng.choice(PROJECTS)
        self.items: dict[str, list[str]] = {}
        self._cum: dict[str, list[float]] = {}
        for kind in _KINDS:
            lo, hi = _SIZES[user.role][kind]
            want, seen, tries = rng.randint(lo, hi), set[str](), 0
            while len(seen) < want and tries < want * 20:
                tries += 1
                seen.add(new_item(rng, user, kind, self.project))
            self.items[kind] = sorted(seen)
            rng.shuffle(self.items[kind])
        self._reweigh()

    def _reweigh(self) -> None:
        for kind, items in self.items.items():
            self._cum[kind] = list(
                itertools.accumulate(1.0 / (r + 1) ** 1.1 for r in range(len(items)))
            )

    def all(self) -> set[str]:
        return {x for items in self.items.values() for x in items}

    def pick(self, rng: random.Random, kind: str) -> str:
        cum = self._cum[kind]
        return self.items[kind][bisect.bisect(cum, rng.random() * cum[-1])]

    def add_new(self, rng: random.Random, count: int) -> None:
        """A few new resources (files and code mostly), placed among the frequently used."""
        kinds = ("file", "file", "code", "table" if self.user.role == "analyst" else "url")
        for _ in range(count):
            kind = rng.choice(kinds)
            item = new_item(rng, self.user, kind, self.project)
            if item not in self.items[kind]:
                self.items[kind].insert(rng.randrange(0, min(15, len(self.items[kind]) + 1)), item)
        self._reweigh()


def _dir_of(uri: str) -> str:
    return uri.rsplit("/", 1)[0] + "/"


def _path(uri: str) -> str:
    return uri.removeprefix("file://")


def target(rng: random.Random, ws: WorkingSet, tool: str) -> tuple[dict[str, Any], str | None]:
    """Arguments and resource URI of a benign call of ``tool`` by the owner of ``ws``."""
    if tool in ("read_file", "write_file", "resources/read"):
        uri = ws.pick(rng, "file")
        return ({"uri": uri} if tool == "resources/read" else {"path": _path(uri)}), uri
    if tool in ("list_directory", "search_files"):
        uri = _dir_of(ws.pick(rng, "file"))
        args: dict[str, Any] = {"path": _path(uri)}
        if tool == "search_files":
            args["pattern"] = rng.choice(("*.py", "*.md", "TODO", "*.yaml", "def main"))
        return args, uri
    if tool in ("run_query", "describe_table", "export_table", "list_tables"):
        uri = ws.pick(rng, "table")
        schema, table = uri.removeprefix("db://").split("/")
        if tool == "list_tables":
            return {"schema": schema}, f"db://{schema}"
        if tool == "run_query":
            cols = ("*", "count(*)", "id, created_at", "day, sum(amount)")[rng.randrange(4)]
            return {"query": f"SELECT {cols} FROM {schema}.{table} LIMIT 1000"}, uri  # noqa: S608
        return {"table": f"{schema}.{table}"}, uri
    if tool in ("search_code", "get_file_contents", "create_pull_request", "list_issues"):
        code = ws.pick(rng, "code")
        owner, repo, path = code.split("/", 2)
        repo_url = f"https://github.com/{owner}/{repo}"
        if tool == "get_file_contents":
            return {"repo": f"{owner}/{repo}", "path": path}, f"{repo_url}/blob/main/{path}"
        if tool == "search_code":
            return {"repo": f"{owner}/{repo}", "query": rng.choice(WORDS)}, repo_url
        if tool == "list_issues":
            return {"repo": f"{owner}/{repo}", "state": "open"}, repo_url
        return {"repo": f"{owner}/{repo}", "title": f"Fix {rng.choice(WORDS)}"}, repo_url
    if tool == "fetch_url":
        uri = ws.pick(rng, "url")
        return {"url": uri}, uri
    if tool == "web_search":
        return {"query": f"{rng.choice(WORDS)} {rng.choice(WORDS)} error"}, None
    if tool in ("post_message", "read_channel"):
        ch = ws.pick(rng, "channel")
        uri = f"slack://acme/{ch.lstrip('#')}"
        if tool == "read_channel":
            return {"channel": ch, "limit": 50}, uri
        return {"channel": ch, "text": rng.choice(("done", "PR is up", "looking", "ack"))}, uri
    if tool == "run_command":
        cmd = rng.choice(("kubectl get pods", "df -h", "systemctl status nginx", "uptime"))
        return {"command": cmd}, None
    if tool == "list_users":
        return {"limit": 100}, None
    raise ValueError(f"no benign target for tool {tool!r}")
