"""Coding-agent sessions: bursts of 30-400 calls in minutes, acting as the engineer.

A session lists the tools of its servers, then walks a small state machine (explore → edit →
test → commit) over the files of one repository's few directories: reads and greps cluster,
edits follow, failing tests send it back to read and edit (the loop on a red test), transient
timeouts are retried after a few seconds, and some sessions fork a sub-agent (its own session,
same actor) that explores in parallel. High rate is normal here.
"""

from __future__ import annotations

from typing import Final

from ._calls import Session
from ._state import SEC, World
from .org import MONOREPO_DIRS, TEAMS, Team, repo_private

__all__ = ["coding_session", "dirs_of", "path_in"]

_DIRS: Final = (
    "src",
    "src/api",
    "src/core",
    "src/util",
    "tests",
    "tests/unit",
    "config",
    "scripts",
)
_FILES: Final = (
    "main",
    "handler",
    "models",
    "client",
    "utils",
    "service",
    "schema",
    "config",
    "errors",
    "routes",
    "store",
    "cache",
)
_EXPLORE: Final = (
    ("fs_read_file", 40),
    ("fs_grep", 20),
    ("fs_search_files", 8),
    ("fs_list_directory", 10),
    ("git_get_file", 5),
    ("git_log", 4),
    ("@read", 8),
)


def dirs_of(repo: str) -> tuple[str, ...]:
    return MONOREPO_DIRS if repo == "monorepo" else _DIRS


def path_in(w: World, repo: str, d: str) -> str:
    return f"/work/{repo}/{d}/{w.rng.choice(_FILES)}.{w.rng.choice(('py', 'go', 'ts'))}"


def _pick(w: World, table: tuple[tuple[str, int], ...]) -> str:
    return w.rng.choices([t for t, _ in table], weights=[x for _, x in table])[0]


def coding_session(
    w: World,
    s: Session,
    t: int,
    repo: str,
    team: Team,
    n: int,
    *,
    fail: float = 0.3,
    branch: str = "main",
    sub: bool = True,
    dirs: tuple[str, ...] | None = None,
) -> int:
    """Run ``n`` calls of a coding agent from ``t`` on ``repo``; returns when it ended."""
    rng, rec = w.rng, w.rec
    pool = dirs or rng.sample(dirs_of(repo), k=min(3, len(dirs_of(repo))))
    for server in ("fs", "shell", "git"):
        t = rec.list_tools(t, s, server) + rng.randint(5_000, 60_000)
    state, done = "explore", 3
    fork_at = rng.randint(5, max(6, n // 2)) if sub and rng.random() < 0.3 else -1
    while done < n:
        gap = int(rng.lognormvariate(0, 0.8) * 3.5 * SEC)
        d = rng.choice(pool)
        ctx = {"repo": repo, "branch": branch, "path": path_in(w, repo, d), "cwd": f"/work/{repo}"}
        if done == fork_at:
            child = rec.session(s.actor, s.label)
            m = min(rng.randint(10, 50), max(1, n - done))
            coding_session(
                w, child, t, repo, team, m, fail=0.0, branch=branch, sub=False, dirs=tuple(pool)
            )
        if state == "explore":
            tool = _pick(w, _EXPLORE)
            if tool == "@read":
                end = rec.read(t, s, "fs", f"file://{ctx['path']}")
            elif rng.random() < 0.015:  # a transient timeout, retried
                end = rec.call(t, s, tool, ctx, outcome="error", error="timeout", duration=30 * SEC)
                end = rec.call(end + rng.randint(2, 8) * SEC, s, tool, ctx)
                done += 1
            else:
                end = rec.call(t, s, tool, ctx)
            state = "explore" if rng.random() < 0.6 else "edit"
        elif state == "edit":
            end = rec.call(t, s, "fs_edit_file" if rng.random() < 0.75 else "fs_write_file", ctx)
            state = rng.choices(("edit", "test", "explore"), (4, 4, 2))[0]
        elif state == "test":
            tool = "shell_run_tests" if rng.random() < 0.85 else "shell_exec"
            red = rng.random() < fail
            if red:
                end = rec.call(t, s, tool, ctx, outcome="error", error="test_failed")
                state = "explore" if rng.random() < 0.5 else "edit"
            else:
                end = rec.call(t, s, tool, ctx)
                state = "git" if rng.random() < 0.5 else "explore"
        else:
            end = rec.call(t, s, rng.choice(("git_diff", "git_commit")), ctx)
            state = "explore"
        if rng.random() < 0.004:  # a look into another team's repository
            other = rng.choice([r for tm in TEAMS.values() for r in tm.repos])
            denied = repo_private(other, team)
            end = rec.call(
                end + SEC,
                s,
                "git_get_file",
                {"repo": other, "path": "README.md"},
                outcome="denied" if denied else "ok",
            )
            done += 1
        done += 1
        t = end + gap
    return t
