"""The second generator's world: servers, tools and their MCP annotations, roles.

Built apart from ``simulator/world.py`` on purpose (different servers, tool names, roles and
habits), so a detector tuned on one generator can be measured on the other. Each tool carries the
annotations a real server would publish in ``tools/list`` (``readOnlyHint``, ``destructiveHint``,
``idempotentHint``, ``openWorldHint``). A role is a set of tools with a Markov chain over them
that is *drawn* from the seed (sticky, sparse), not written by hand.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Final

__all__ = ["ANNOTATIONS", "ROLES", "SERVERS", "TOOL_SERVER", "Chain", "chain_for"]

_R = {"readOnlyHint": True, "destructiveHint": False, "idempotentHint": True}
_W = {"readOnlyHint": False, "destructiveHint": False, "idempotentHint": False}
_D = {"readOnlyHint": False, "destructiveHint": True, "idempotentHint": True}
_O = {"readOnlyHint": False, "destructiveHint": False, "openWorldHint": True}

#: server → tool → annotations (as ``tools/list`` would carry them)
SERVERS: Final[Mapping[str, Mapping[str, Mapping[str, bool]]]] = {
    "tracker": {
        "search_tickets": _R,
        "get_ticket": _R,
        "create_ticket": _W,
        "comment_ticket": _W,
        "close_ticket": _W,
        "delete_ticket": _D,
    },
    "wiki": {"search_pages": _R, "get_page": _R, "update_page": _W, "archive_page": _D},
    "kube": {
        "list_pods": _R,
        "pod_logs": _R,
        "describe_deploy": _R,
        "scale_deploy": _W,
        "restart_deploy": _W,
        "delete_pod": _D,
    },
    "objects": {
        "list_objects": _R,
        "get_object": _R,
        "put_object": _W,
        "delete_object": _D,
        "share_link": _O,
    },
    "warehouse": {
        "sql_query": _R,
        "list_schemas": _R,
        "explain_query": _R,
        "insert_rows": _W,
        "drop_partition": _D,
        "unload_to_bucket": _O,
    },
    "mail": {"list_inbox": _R, "read_mail": _R, "send_mail": _O},
    "calendar": {"list_events": _R, "create_event": _W},
    "browser": {
        "open_url": {**_R, "openWorldHint": True},
        "web_search": {**_R, "openWorldHint": True},
    },
    "vcs": {
        "repo_log": _R,
        "repo_diff": _R,
        "read_blob": _R,
        "open_merge_request": _W,
        "merge": _W,
        "delete_branch": _D,
    },
    "paging": {"list_incidents": _R, "ack_incident": _W, "resolve_incident": _W},
    "vault": {"list_secrets": _R, "read_secret": _R, "rotate_secret": _W},
    "crm": {"find_account": _R, "get_account": _R, "update_account": _W, "export_contacts": _O},
    # rolled out on the release afternoon (no role uses it before: ``generate._release``)
    "notes": {
        "search_notes": _R,
        "list_notebooks": _R,
        "read_note": _R,
        "write_note": _W,
        "link_note": _W,
    },
}
TOOL_SERVER: Final = {t: s for s, tools in SERVERS.items() for t in tools}
ANNOTATIONS: Final = {t: dict(a) for tools in SERVERS.values() for t, a in tools.items()}

#: role → (core tools, occasional tools)
ROLES: Final[Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "backend": (
        (
            "repo_log",
            "repo_diff",
            "read_blob",
            "open_merge_request",
            "search_tickets",
            "get_ticket",
            "comment_ticket",
            "list_pods",
            "pod_logs",
        ),
        ("merge", "delete_branch", "sql_query", "get_page", "web_search", "open_url"),
    ),
    "data": (
        (
            "sql_query",
            "list_schemas",
            "explain_query",
            "get_page",
            "search_pages",
            "list_objects",
            "get_object",
        ),
        ("insert_rows", "put_object", "unload_to_bucket", "read_mail", "web_search"),
    ),
    "sre": (
        (
            "list_pods",
            "pod_logs",
            "describe_deploy",
            "list_incidents",
            "ack_incident",
            "resolve_incident",
            "repo_log",
        ),
        (
            "restart_deploy",
            "scale_deploy",
            "delete_pod",
            "read_secret",
            "list_secrets",
            "search_pages",
        ),
    ),
    "support": (
        (
            "search_tickets",
            "get_ticket",
            "comment_ticket",
            "close_ticket",
            "find_account",
            "get_account",
            "read_mail",
            "list_inbox",
        ),
        ("send_mail", "update_account", "search_pages", "get_page"),
    ),
    "pm": (
        (
            "search_tickets",
            "get_ticket",
            "create_ticket",
            "get_page",
            "update_page",
            "list_events",
            "create_event",
            "list_inbox",
            "read_mail",
        ),
        ("send_mail", "sql_query", "web_search", "archive_page"),
    ),
}


class Chain:
    """A first-order Markov chain over a role's tools, drawn from ``rng``: each tool moves to a
    few favourite successors (and stays put often), occasional tools are rarely entered."""

    __slots__ = ("_cum", "_next", "tools")

    def __init__(self, rng: random.Random, core: tuple[str, ...], rare: tuple[str, ...]) -> None:
        self.tools = (*core, *rare)
        self._next: dict[str, list[str]] = {}
        self._cum: dict[str, list[float]] = {}
        for state in ("<start>", *self.tools):
            weights = {t: rng.paretovariate(1.5) for t in rng.sample(core, min(4, len(core)))}
            if state in self.tools:
                weights[state] = weights.get(state, 0.0) + rng.uniform(0.5, 3.0)
            for t in rare:
                if rng.random() < 0.5:
                    weights[t] = weights.get(t, 0.0) + rng.uniform(0.02, 0.15)
            total, cum = 0.0, []
            for w in weights.values():
                total += w
                cum.append(total)
            self._next[state], self._cum[state] = list(weights), cum

    def step(self, rng: random.Random, state: str) -> str:
        cum = self._cum[state]
        x = rng.random() * cum[-1]
        for tool, c in zip(self._next[state], cum, strict=True):
            if x < c:
                return tool
        return self._next[state][-1]


def chain_for(seed: str, role: str) -> Chain:
    """The role's chain as drawn for one person (habits differ between people of a role)."""
    core, rare = ROLES[role]
    return Chain(random.Random(seed), core, rare)
