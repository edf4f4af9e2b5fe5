"""One call of the Markov generator: its arguments, outcome, size and duration."""

from __future__ import annotations

import math
import random
from typing import Any, Final

from ..model import SimCall, UserProfile
from .catalog import TOOL_SERVER

__all__ = ["S", "call", "hex_id", "resource_read"]

S: Final = 1_000_000
_WORDS: Final = (
    "latency",
    "billing",
    "timeout",
    "login",
    "export",
    "quota",
    "refund",
    "deploy",
    "schema",
    "cache",
    "retry",
    "invoice",
    "onboarding",
    "alerts",
    "sso",
)


def hex_id(rng: random.Random, n: int = 32) -> str:
    return format(rng.getrandbits(4 * n) | 1, f"0{n}x")


def _args(rng: random.Random, tool: str, person: str) -> dict[str, Any]:
    w = rng.choice(_WORDS)
    if tool in ("sql_query", "explain_query"):
        cols = rng.choice(("*", "count(*)", "day, sum(amount)", "user_id, plan, mrr"))
        return {"sql": f"SELECT {cols} FROM analytics.{w} WHERE day > now() - 7"}  # noqa: S608
    if tool in ("get_ticket", "comment_ticket", "close_ticket", "delete_ticket"):
        args: dict[str, Any] = {"key": f"OPS-{rng.randint(100, 9999)}"}
        if tool == "comment_ticket":
            args["body"] = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(5, 60)))
        return args
    if tool in ("search_tickets", "search_pages", "web_search", "find_account", "list_inbox"):
        return {"query": f"{w} {rng.choice(_WORDS)}"}
    if tool in ("get_object", "put_object", "delete_object", "share_link", "list_objects"):
        args = {"bucket": rng.choice(("logs", "exports", "assets")), "key": f"{w}/{hex_id(rng, 8)}"}
        if tool == "put_object":
            args["content"] = "x" * int(rng.lognormvariate(math.log(400), 1.0))
        return args
    if tool in (
        "read_blob",
        "repo_diff",
        "repo_log",
        "open_merge_request",
        "merge",
        "delete_branch",
    ):
        return {"repo": f"acme/{w}", "ref": rng.choice(("main", f"feat/{hex_id(rng, 6)}"))}
    if tool in (
        "list_pods",
        "pod_logs",
        "describe_deploy",
        "scale_deploy",
        "restart_deploy",
        "delete_pod",
    ):
        return {"namespace": rng.choice(("prod", "staging")), "name": f"{w}-svc"}
    if tool in ("send_mail",):
        return {"to": f"{person}@acme.test", "body": "x" * rng.randint(100, 2000)}
    return {"id": f"{w}-{rng.randint(1, 500)}"}


def _outcome(rng: random.Random) -> tuple[str, str | None]:
    r = rng.random()
    if r < 0.002:
        return "denied", "PermissionDenied"
    if r < 0.03:
        return "error", rng.choice(("NotFound", "Timeout", "InvalidArgument"))
    return "ok", None


def call(
    rng: random.Random,
    ts: int,
    p: UserProfile,
    agent: str,
    session: str,
    tool: str,
    label: str,
    *,
    args: dict[str, Any] | None = None,
    outcome: tuple[str, str | None] | None = None,
) -> SimCall:
    out, err = outcome or _outcome(rng)
    size = int(rng.lognormvariate(math.log(3000), 1.2)) if out == "ok" else rng.randint(80, 300)
    return SimCall(
        ts=ts,
        server=TOOL_SERVER[tool],
        method="tools/call",
        tool=tool,
        resource_uri=None,
        args=args if args is not None else _args(rng, tool, p.name),
        user=p.name,
        agent=agent,
        client=p.client,
        client_version=p.client_version,
        session_id=session,
        trace_id=hex_id(rng),
        outcome=out,
        error_type=err,
        duration_us=max(300, int(rng.lognormvariate(math.log(60_000), 0.9))),
        result_bytes=min(size, 8 * 2**20),
        label=label,
    )


def resource_read(
    rng: random.Random, ts: int, p: UserProfile, agent: str, session: str, label: str
) -> SimCall:
    uri = f"wiki://{rng.choice(('eng', 'sales', 'ops'))}/{rng.choice(_WORDS)}-{rng.randint(1, 40)}"
    return SimCall(
        ts,
        "wiki",
        "resources/read",
        None,
        uri,
        {"uri": uri},
        p.name,
        agent,
        p.client,
        p.client_version,
        session,
        hex_id(rng),
        "ok",
        None,
        max(300, int(rng.lognormvariate(math.log(30_000), 0.7))),
        int(rng.lognormvariate(math.log(5000), 1.0)),
        label,
    )
