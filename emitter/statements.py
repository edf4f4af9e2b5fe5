"""What a call does, read off the SQL statement it carries: its verbs, never the statement.

MCP database servers expose one tool for any statement (``execute_sql``, ``query``,
``run_query``): their annotations, when they give any, can only say "may be destructive", and
their names say nothing. The statement says what *this* call does. :func:`effect_of` reads the
verb of every statement in the call's statement arguments and returns the strongest effect, which
the ``Fingerprint`` stage stores as ``attrs["tooltrail.call.effect"]``:

- ``destructive`` (changes or removes what exists: MCP's ``destructiveHint``): ``DELETE``,
  ``DROP``, ``TRUNCATE``, ``UPDATE``, ``MERGE``, ``REPLACE``, ``ALTER``, ``RENAME``, ``GRANT``,
  ``REVOKE``, ``UPSERT``; and ``EXPLAIN ANALYZE`` of any of them (which runs it);
- ``write`` (adds): ``INSERT``, ``CREATE``, ``COPY``, ``LOAD``, ``CALL``, ``EXEC``/``EXECUTE``,
  ``DO`` (a procedure may do anything; counted as a write, not as read), ``SELECT … INTO``;
- ``read``: ``SELECT``, ``VALUES``, ``TABLE``, ``SHOW``, ``EXPLAIN``, ``DESCRIBE``/``DESC``,
  ``WITH`` ending in one of these, and anything else that starts like SQL (``SET``, ``BEGIN``).

Statement arguments are top-level string values (at most 65,536 characters) whose key's last
word is ``sql``, ``query``, ``statement``, ``stmt``, ``script`` or ``queries``. A value is read
as SQL only if its first statement starts with a verb of the lists above followed by what that
verb needs (``DELETE FROM``/``DELETE t``, ``DROP TABLE``, ``UPDATE t … SET``, ``WITH name AS``),
so a search query ("delete old branches") is no statement. Every statement of a script counts
(``SELECT 1; DROP TABLE t``), so do data-changing statements inside a ``WITH`` (PostgreSQL's
``WITH d AS (DELETE … RETURNING *) SELECT …``) and inside parentheses.

Against hiding: comments (``--``, ``#`` in MySQL, ``/* */`` nested) are whitespace, except
MySQL's executable comments (``/*! … */``, ``/*M! … */``), whose content is read as code; string
literals are skipped both with and without backslash escapes (MySQL's and standard SQL's reading
of ``'a\\'; DROP …'`` differ) and the stronger reading wins; quoted identifiers (``"``, backticks,
``[ ]``) and PostgreSQL dollar quotes (``$tag$ … $tag$``) are skipped. What it cannot see:
a statement built at run time (``EXECUTE format(…)``, ``PREPARE``; counted as a write) and a
function with side effects called from a ``SELECT``. Standard library only; never raises.
Cost on the calling thread (CPU, this machine): 0.3-0.4 µs for arguments without a statement,
6-9 µs for a statement of ~100 characters, 0.1 µs for one of the last 4,096 statements seen again
(LRU).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from typing import Any, Final

from .resources import _last_word

__all__ = ["EFFECTS", "EFFECT_ATTR", "effect_of", "statement_effect"]

EFFECT_ATTR: Final = "tooltrail.call.effect"
#: weakest first
EFFECTS: Final = ("read", "write", "destructive")
_MAX: Final = 65_536
_KEYS: Final = frozenset({"sql", "query", "statement", "stmt", "script", "queries"})
#: any quote, comment or executable comment: the text needs reading
_QUOTED: Final = re.compile(r"['$#`\"\[]|--|/\*").search

_DESTRUCTIVE: Final = frozenset(
    {"delete", "drop", "truncate", "update", "merge", "replace", "alter", "rename", "grant",
     "revoke", "upsert"}
)  # fmt: skip
_WRITE: Final = frozenset(
    {"insert", "create", "copy", "load", "call", "exec", "execute", "do", "prepare"}
)
_READ: Final = frozenset(
    {"select", "values", "table", "show", "explain", "describe", "desc", "with", "set", "begin",
     "commit", "rollback", "start", "use", "analyze", "pragma", "vacuum", "refresh", "lock"}
)  # fmt: skip
_RANK: Final = {
    **{w: 0 for w in _READ},
    **{w: 1 for w in _WRITE},
    **{w: 2 for w in _DESTRUCTIVE},
}
#: what may follow ``DROP``/``ALTER``/``CREATE``/``TRUNCATE`` (a SQL object, or modifiers of one)
_OBJECTS: Final = frozenset(
    {"table", "tables", "database", "schema", "index", "view", "sequence", "function",
     "procedure", "trigger", "user", "role", "type", "materialized", "temporary", "temp",
     "unique", "or", "if", "extension", "column", "constraint", "policy", "owned", "domain",
     "collection", "keyspace", "dictionary", "partition", "global", "local", "unlogged",
     "external", "virtual", "only", "stage", "stream", "task", "warehouse", "clustered",
     "nonclustered", "fulltext", "spatial", "definer", "algorithm", "sql", "event", "login",
     "aggregate", "operator", "server", "tablespace", "recursive", "transient", "all",
     "foreign", "publication", "subscription", "statistics", "rule", "language"}
)  # fmt: skip

# one token: a word, a number, a quoted identifier, punctuation (strings and comments are
# removed before); ``$1`` parameters are words too
_TOKEN: Final = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*|\"(?:[^\"]|\"\")*\"|`[^`]*`|\[[^\]]*\]|\S")


def _skipper(backslash: bool, hash_comments: bool) -> re.Pattern[str]:
    """What one reading of SQL skips: string literals (with or without backslash escapes),
    dollar quotes, comments (``#`` too in MySQL's reading); and MySQL's executable comment
    openers, whose content stays (unterminated quotes and comments run to the end)."""
    string = r"'(?:[^'\\]+|\\.|'')*(?:'|\Z)" if backslash else r"'(?:[^']+|'')*(?:'|\Z)"
    parts = [
        string,
        r"\$([A-Za-z_][A-Za-z0-9_]*)?\$(?:.*?\$\1\$|.*\Z)",
        r"--[^\n]*",
        r"/\*M?!\d*",  # executable: the opener goes, the content is read
        r"/\*.*?(?:\*/|\Z)",
    ]
    if hash_comments:
        parts.append(r"#[^\n]*")
    return re.compile("|".join(parts), re.DOTALL)


def _blank(m: re.Match[str]) -> str:
    """A comment is a space; a literal is a value (``SELECT 'x'`` still selects)."""
    return " " if m.group(0)[0] in "-/#" else " 0 "


#: every reading of a statement's text a database may take; the strongest effect wins (the
#: readings differ only on a text with a backslash or a ``#``)
_READINGS: Final = {(b, h): _skipper(b, h) for b in (False, True) for h in (False, True)}


def _statements(code: str) -> Iterator[list[str]]:
    """Lower-cased tokens of each statement (split at ``;``)."""
    tokens: list[str] = []
    for t in _TOKEN.findall(code):
        if t == ";":
            if tokens:
                yield tokens
            tokens = []
        else:
            tokens.append(t.lower())
    if tokens:
        yield tokens


def _is_name(t: str) -> bool:
    return t[0].isalpha() or t[0] in '_"`['


def _starts_statement(tokens: list[str], i: int) -> bool:
    """Whether the verb at ``tokens[i]`` has what it needs after it (not prose)."""
    verb = tokens[i]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    if verb in ("drop", "alter", "create"):
        return nxt in _OBJECTS
    if verb == "truncate":
        return nxt == "table" or (bool(nxt) and _is_name(nxt))
    if verb == "delete":
        return nxt == "from" or (bool(nxt) and _is_name(nxt) and "from" in tokens[i + 2 : i + 8])
    if verb == "update":
        return bool(nxt) and _is_name(nxt) and "set" in tokens[i + 2 : i + 12]
    if verb in ("insert", "replace", "upsert"):
        return nxt in ("into", "overwrite", "ignore", "or", "low_priority", "delayed") or (
            bool(nxt) and _is_name(nxt) and ("values" in tokens or "select" in tokens)
        )
    if verb == "merge":
        return nxt == "into" or "using" in tokens[i + 1 : i + 8]
    if verb == "with":
        if nxt == "recursive":
            nxt = tokens[i + 2] if i + 2 < len(tokens) else ""
        return bool(nxt) and _is_name(nxt) and ("as" in tokens[i + 2 : i + 8])
    if verb in ("grant", "revoke"):
        return "on" in tokens or "to" in tokens or "from" in tokens
    if verb == "select":
        return bool(nxt) and nxt not in (".", ",")
    if verb in ("rename",):
        return nxt in ("table", "user", "database") or "to" in tokens
    return bool(nxt) or verb in ("commit", "rollback", "begin")


def _rank_of(tokens: list[str]) -> int:
    """The strongest effect of one statement's tokens, -1 when it is no statement."""
    if not tokens:
        return -1
    first = 0
    while first < len(tokens) and tokens[first] == "(":
        first += 1
    if first >= len(tokens) or tokens[first] not in _RANK:
        return -1
    if not _starts_statement(tokens, first):
        return -1
    rank = _RANK[tokens[first]]
    if tokens[first] == "explain" and "analyze" not in tokens[first + 1 : first + 4]:
        rank = 0  # a plan only: what it explains is not run
    else:
        # every verb that opens a statement inside: after "(" (a CTE's or subquery's body), an
        # "as" of a CTE, or the verb EXPLAIN ANALYZE runs
        for j in range(first + 1, len(tokens)):
            t = tokens[j]
            r = _RANK.get(t)
            if r is None or r == 0:
                if t == "into" and tokens[first] == "select" and j > first + 1:
                    rank = max(rank, 1)  # SELECT ... INTO new_table
                continue
            prev = tokens[j - 1]
            opened = prev in ("(", "analyze", "verbose") or (
                tokens[first] == "with" and prev == ")"
            )
            if opened and _starts_statement(tokens, j):
                rank = max(rank, r)
    return rank


@functools.lru_cache(maxsize=4096)  # statements repeat (an agent runs the same query)
def statement_effect(sql: str) -> str | None:
    """The strongest effect of the statements in ``sql`` (``read``, ``write``,
    ``destructive``), or None when its first statement does not read as SQL."""
    best = -1
    if _QUOTED(sql):
        slashes = (False, True) if "\\" in sql else (False,)
        hashes = (False, True) if "#" in sql else (False,)
        texts = {_READINGS[b, h].sub(_blank, sql) for b in slashes for h in hashes}
    else:
        texts = {sql}
    for text in texts:
        statements = list(_statements(text))
        if not statements:
            continue
        first = _rank_of(statements[0])
        if first < 0:
            continue
        best = max(best, first, *(_rank_of(s) for s in statements[1:]))
    return EFFECTS[best] if best >= 0 else None


def effect_of(args: Any) -> str | None:
    """The strongest effect of the SQL in ``args``' statement arguments, or None."""
    if type(args) is not dict and not isinstance(args, Mapping):
        return None
    best = -1
    for key, value in args.items():
        if type(value) is not str or not 0 < len(value) <= _MAX:
            continue
        if _last_word(str(key)) in _KEYS:  # the key's words, cached per name
            effect = statement_effect(value)
            if effect is not None:
                best = max(best, EFFECTS.index(effect))
    return EFFECTS[best] if best >= 0 else None
