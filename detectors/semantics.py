"""What a tool may do: destructive, exporting, read-only — from the server's own annotations,
else from names; settings override both.

MCP servers publish annotations in ``tools/list`` (``destructiveHint``, ``readOnlyHint``,
``idempotentHint``, ``openWorldHint``); the emitters record them on each call of the tool beside
the tools hash (``attrs["tooltrail.tool.hints"]``, e.g. ``"destructive,openworld"``; read into the
``tool_hints`` column). An annotated tool is destructive when its hints say so, and never
exporting when they say read-only; a tool destructive only by the spec's default (the server
stated ``readOnlyHint: false`` and no ``destructiveHint``: the emitter adds
``destructive_by_default``) is destructive when its name says so (a GitHub-style server's
``merge_pull_request`` and ``create_issue`` are writes, its ``delete_file`` a delete). Where a
call carries no hints, the tool's *name* decides, by whole words (``snake_case``,
``kebab-case``, ``camelCase`` and dots split into words):

- destructive: delete, drop, remove, destroy, purge, truncate, wipe, erase, revoke, terminate,
  kill, unlink, rm, rmdir, archive
- exporting (sends data out of the system it reads): export, send, post, upload, share,
  publish, unload, email, mail, forward, transfer, push, sync_out
- read-only: a name whose first word is get, list, read, search, find, describe, query, fetch,
  show, view, open, explain or log(s) is neither of the above (``list_deleted_files`` reads)

Settings override the names (``destructive_tools``, ``exporting_tools``, ``readonly_tools`` in
:class:`~tooltrail.detectors.settings.DetectSettings`): a tool named there is what the setting
says, whatever its name. A tool is never both destructive and read-only; overrides win.

One thing adds to all of these: what the call's own SQL statement did (the emitter reads its
verbs: ``attrs["tooltrail.call.effect"]``, read into the ``call_effect`` column;
``emitter/statements.py``). A database server's ``execute_sql`` call that ran ``DROP TABLE`` or
``DELETE`` was destructive, whatever the tool's annotations, name or setting; one that ran only
``SELECT`` or ``INSERT`` was not, when nothing but the tool's annotations made it destructive
(a statement tool's annotations can only say "may be destructive"). A tool destructive by its
*name* or by the ``destructive_tools`` setting stays destructive whatever its statement: a
``delete_rows`` tool given a ``SELECT`` to pick its rows deletes them (an attacker could
otherwise pass a destructive tool a query to hide it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

__all__ = ["ToolSemantics", "words"]

DESTRUCTIVE_WORDS: Final = frozenset(
    [
        "delete",
        "drop",
        "remove",
        "destroy",
        "purge",
        "truncate",
        "wipe",
        "erase",
        "revoke",
        "terminate",
        "kill",
        "unlink",
        "rm",
        "rmdir",
        "archive",
    ]
)
EXPORTING_WORDS: Final = frozenset(
    [
        "export",
        "send",
        "post",
        "upload",
        "share",
        "publish",
        "unload",
        "email",
        "mail",
        "forward",
        "transfer",
        "push",
    ]
)
READONLY_WORDS: Final = frozenset(
    [
        "get",
        "list",
        "read",
        "search",
        "find",
        "describe",
        "query",
        "fetch",
        "show",
        "view",
        "open",
        "explain",
        "log",
        "logs",
    ]
)
_CAMEL: Final = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SPLIT: Final = re.compile(r"[^A-Za-z0-9]+")


@cache
def words(tool: str) -> tuple[str, ...]:
    """The lower-case words of a tool name: ``deleteObject`` → ``("delete", "object")``."""
    return tuple(w.lower() for w in _SPLIT.split(_CAMEL.sub("_", tool)) if w)


def _by_name(tool: str, kind: frozenset[str]) -> bool:
    """Whether the name says ``kind``: one of its words does, and it does not start as a read."""
    named = words(tool)
    if named and named[0] in READONLY_WORDS:
        return False
    return bool(kind.intersection(named))


@dataclass(frozen=True)
class ToolSemantics:
    """Decides per tool name; ``destructive`` / ``exporting`` / ``readonly`` override names."""

    destructive: frozenset[str] = field(default_factory=frozenset)
    exporting: frozenset[str] = field(default_factory=frozenset)
    readonly: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(
        cls, destructive: Iterable[str], exporting: Iterable[str], readonly: Iterable[str]
    ) -> ToolSemantics:
        return cls(frozenset(destructive), frozenset(exporting), frozenset(readonly))

    def is_destructive(self, tool: str) -> bool:
        if tool in self.destructive:
            return True
        if tool in self.readonly or tool in self.exporting:
            return False
        return _by_name(tool, DESTRUCTIVE_WORDS)

    def is_exporting(self, tool: str) -> bool:
        if tool in self.exporting:
            return True
        if tool in self.readonly or tool in self.destructive:
            return False
        return _by_name(tool, EXPORTING_WORDS)

    def judge(self, tool: str, hints: str = "", effect: str = "") -> tuple[bool, bool]:
        """(destructive, exporting) of a call of ``tool`` that carried ``hints`` ("" for none)
        and whose SQL statement had ``effect`` ("" for none): a destructive statement makes the
        call destructive whatever the tool's hints, name or setting; a reading or adding one
        makes it not destructive unless the tool's name or the setting says it destroys."""
        if effect == "destructive":
            return True, self.judge(tool, hints)[1]
        if effect in ("read", "write"):
            named = tool in self.destructive or (
                tool not in self.readonly and _by_name(tool, DESTRUCTIVE_WORDS)
            )
            return named, self.judge(tool, hints)[1]
        if not hints or tool in self.destructive or tool in self.exporting or tool in self.readonly:
            return self.is_destructive(tool), self.is_exporting(tool)
        said = set(hints.split(","))
        exporting = "readonly" not in said and self.is_exporting(tool)
        # destructive only by the spec's default (the server stated no destructiveHint: a
        # merge, a write): the name decides, as for a server that annotates nothing
        stated = "destructive" in said and "destructive_by_default" not in said
        return stated or ("destructive" in said and self.is_destructive(tool)), exporting

    def flags(
        self, tools: pd.Series, hints: pd.Series | None = None, effects: pd.Series | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per row of ``tools`` (with the ``hints`` each call carried, and the ``effects`` its
        statement had): destructive (0/1), exporting (0/1) as int64 arrays."""
        hints = hints if hints is not None else pd.Series("", index=tools.index)
        effects = effects if effects is not None else pd.Series("", index=tools.index)
        pairs = pd.MultiIndex.from_arrays(
            [tools.astype(str), hints.astype(str), effects.astype(str)]
        )
        codes, uniques = pd.factorize(pairs)
        if not len(uniques):
            return np.zeros(len(tools), dtype="int64"), np.zeros(len(tools), dtype="int64")
        judged = np.array([self.judge(t, h, e) for t, h, e in uniques], dtype="int64").reshape(
            -1, 2
        )
        return judged[codes, 0], judged[codes, 1]
