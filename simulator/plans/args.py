"""The arguments of each tool's calls, named as the real servers name them.

:func:`build_args` returns the JSON arguments a client sends for one call of a tool (``path``,
``owner``/``repo``, ``channel_id``, ``sql`` …), so the emitter derives the same resource keys and
fingerprints it would in a deployment. Sizes are heavy-tailed (file contents, SQL, messages).
Code tools (filesystem, git, GitHub, Slack) are here; the rest in ``args_ops.py``. Unknown
tool names raise ``KeyError`` (a catalogue bug, never bad input).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, Final

from .args_ops import OPS_BUILDERS
from .workspace import Workspace, arg_len, text

__all__ = ["Builder", "build_args", "known_tools"]

Builder = Callable[[random.Random, Workspace], dict[str, Any]]


def _gh(rng: random.Random, ws: Workspace, **extra: Any) -> dict[str, Any]:
    owner, name = ws.repo(rng).split("/")
    return {"owner": owner, "repo": name, **extra}


_BUILDERS: Final[dict[str, Builder]] = {
    # filesystem
    "read_text_file": lambda r, w: {"path": w.local(r)},
    "read_multiple_files": lambda r, w: {"paths": [w.local(r) for _ in range(r.randint(2, 8))]},
    "write_file": lambda r, w: {"path": w.local(r), "content": text(r, arg_len(r, 2500, 1.2, 6e4))},
    "edit_file": lambda r, w: {
        "path": w.local(r),
        "edits": [
            {"oldText": text(r, arg_len(r, 120, 0.8, 4e3)), "newText": text(r, arg_len(r, 160))}
            for _ in range(r.randint(1, 3))
        ],
        "dryRun": False,
    },
    "create_directory": lambda r, w: {"path": w.local(r).rsplit("/", 1)[0] + "/new"},
    "list_directory": lambda r, w: {"path": w.local(r).rsplit("/", 1)[0]},
    "directory_tree": lambda r, w: {"path": f"{w.home}/src/{w.repo(r).split('/')[1]}"},
    "move_file": lambda r, w: {"source": w.local(r), "destination": w.local(r) + ".bak"},
    "search_files": lambda r, w: {
        "path": f"{w.home}/src/{w.repo(r).split('/')[1]}",
        "pattern": r.choice(["*.py", "*.ts", "*test*", "config*", "*.sql", "*handler*"]),
    },
    "get_file_info": lambda r, w: {"path": w.local(r)},
    # git
    "git_status": lambda r, w: {"repo_path": f"{w.home}/src/{w.repo(r).split('/')[1]}"},
    "git_diff_unstaged": lambda r, w: {"repo_path": f"{w.home}/src/{w.repo(r).split('/')[1]}"},
    "git_diff_staged": lambda r, w: {"repo_path": f"{w.home}/src/{w.repo(r).split('/')[1]}"},
    "git_diff": lambda r, w: {
        "repo_path": f"{w.home}/src/{w.repo(r).split('/')[1]}",
        "target": "main",
    },
    "git_log": lambda r, w: {
        "repo_path": f"{w.home}/src/{w.repo(r).split('/')[1]}",
        "max_count": r.choice([5, 10, 20]),
    },
    "git_show": lambda r, w: {
        "repo_path": f"{w.home}/src/{w.repo(r).split('/')[1]}",
        "revision": f"{r.getrandbits(28):07x}",
    },
    "git_add": lambda r, w: {
        "repo_path": f"{w.home}/src/{w.repo(r).split('/')[1]}",
        "files": [w.file(r)[1] for _ in range(r.randint(1, 4))],
    },
    "git_commit": lambda r, w: {
        "repo_path": f"{w.home}/src/{w.repo(r).split('/')[1]}",
        "message": text(r, arg_len(r, 60, 0.5, 400)),
    },
    "git_create_branch": lambda r, w: {
        "repo_path": f"{w.home}/src/{w.repo(r).split('/')[1]}",
        "branch_name": f"{w.user.split('.')[0]}/fix-{r.randrange(9999)}",
    },
    "git_checkout": lambda r, w: {
        "repo_path": f"{w.home}/src/{w.repo(r).split('/')[1]}",
        "branch_name": "main",
    },
    "git_reset": lambda r, w: {"repo_path": f"{w.home}/src/{w.repo(r).split('/')[1]}"},
    # github
    "get_file_contents": lambda r, w: _gh(r, w, path=w.file(r)[1], ref="main"),
    "search_code": lambda r, w: {"query": f"{text(r, 14).split()[-1]} repo:{w.repo(r)}"},
    "list_issues": lambda r, w: _gh(r, w, state="open", perPage=30),
    "get_issue": lambda r, w: _gh(r, w, issue_number=r.randrange(1, 4000)),
    "create_issue": lambda r, w: _gh(r, w, title=text(r, 50), body=text(r, arg_len(r, 600))),
    "add_issue_comment": lambda r, w: _gh(
        r, w, issue_number=r.randrange(1, 4000), body=text(r, arg_len(r, 300))
    ),
    "list_pull_requests": lambda r, w: _gh(r, w, state="open", perPage=30),
    "get_pull_request": lambda r, w: _gh(r, w, pullNumber=r.randrange(1, 3000)),
    "get_pull_request_files": lambda r, w: _gh(r, w, pullNumber=r.randrange(1, 3000)),
    "create_pull_request": lambda r, w: _gh(
        r,
        w,
        title=text(r, 48),
        head=f"fix-{r.randrange(999)}",
        base="main",
        body=text(r, arg_len(r, 900)),
    ),
    "merge_pull_request": lambda r, w: _gh(
        r, w, pullNumber=r.randrange(1, 3000), merge_method="squash"
    ),
    "create_pull_request_review": lambda r, w: _gh(
        r, w, pullNumber=r.randrange(1, 3000), event="COMMENT", body=text(r, arg_len(r, 700))
    ),
    "list_commits": lambda r, w: _gh(r, w, sha="main", perPage=30),
    "create_branch": lambda r, w: _gh(r, w, branch=f"chore-{r.randrange(999)}", from_branch="main"),
    "push_files": lambda r, w: _gh(
        r,
        w,
        branch="main",
        message=text(r, 40),
        files=[
            {"path": w.file(r)[1], "content": text(r, arg_len(r, 1500))}
            for _ in range(r.randint(1, 3))
        ],
    ),
    "delete_file": lambda r, w: _gh(r, w, path=w.file(r)[1], message="remove", branch="main"),
    "list_workflow_runs": lambda r, w: _gh(r, w, workflow_id="ci.yml", perPage=20),
    "get_job_logs": lambda r, w: _gh(r, w, job_id=r.randrange(10**9, 10**10)),
    # slack
    "slack_list_channels": lambda r, w: {"limit": 100},
    "slack_get_channel_history": lambda r, w: {"channel_id": w.pick(r, w.channels), "limit": 50},
    "slack_get_thread_replies": lambda r, w: {
        "channel_id": w.pick(r, w.channels),
        "thread_ts": f"17{r.randrange(10**8):08d}.{r.randrange(10**6):06d}",
    },
    "slack_post_message": lambda r, w: {
        "channel_id": w.pick(r, w.channels),
        "text": text(r, arg_len(r, 220)),
    },
    "slack_reply_to_thread": lambda r, w: {
        "channel_id": w.pick(r, w.channels),
        "thread_ts": f"17{r.randrange(10**8):08d}.000100",
        "text": text(r, arg_len(r, 160)),
    },
    "slack_add_reaction": lambda r, w: {
        "channel_id": w.pick(r, w.channels),
        "timestamp": f"17{r.randrange(10**8):08d}.000200",
        "reaction": r.choice(["eyes", "white_check_mark"]),
    },
    "slack_get_users": lambda r, w: {"limit": 200},
    "slack_get_user_profile": lambda r, w: {"user_id": f"U0{r.getrandbits(32):08X}"},
    **OPS_BUILDERS,
}


def build_args(tool: str, rng: random.Random, ws: Workspace) -> dict[str, Any]:
    """The arguments of one call of ``tool`` by the owner of ``ws``."""
    return _BUILDERS[tool](rng, ws)


def known_tools() -> frozenset[str]:
    return frozenset(_BUILDERS)
