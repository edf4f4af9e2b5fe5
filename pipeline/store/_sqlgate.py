"""The query endpoint's gate: which SQL may run on a store served read-only.

Guarantee: :func:`check_query` lets through only one read statement (``SELECT``, ``WITH``,
``SHOW``, ``DESCRIBE``, ``EXISTS``) that calls no function that reaches files, the network,
other servers, programs or the host process, has no ``INTO OUTFILE`` and no ``SETTINGS`` clause
(the endpoint's limits are settings). Anything else raises :class:`QueryRefused` naming the rule.

The check is lexical, on tokens: comments, string literals and heredocs are skipped, quoted
identifiers count as names (`` `file`('x') `` is a call to ``file``). It is the first of two
locks: the endpoint's session also runs with ``readonly = 2``, which refuses every write, DDL
and ``SYSTEM`` statement in the engine itself, whatever got past the tokens.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from ..errors import PipelineError

__all__ = ["READ_STATEMENTS", "SAFE_TABLE_FUNCTIONS", "QueryRefused", "blocked", "check_query"]

#: statements the endpoint runs (first keyword)
READ_STATEMENTS: Final = frozenset({"select", "with", "show", "describe", "desc", "exists"})
#: table functions that read only what the query itself holds or the store's own tables
SAFE_TABLE_FUNCTIONS: Final = frozenset(
    {
        "numbers", "numbers_mt", "zeros", "zeros_mt", "generate_series", "generateseries",
        "values", "null", "view", "viewifpermitted", "merge", "generaterandom", "format", "loop",
        "mergetreeindex", "mergetreeprojection", "primes",
    }
)  # fmt: skip
#: scalar functions that read the host's files (besides every non-safe table function)
_UNSAFE_FUNCTIONS: Final = frozenset({"file", "python", "url", "executable", "s3", "remote"})
_TOKENS = re.compile(
    r"""(?P<ws>\s+)
    |(?P<comment>--[^\n]*|\#[^\n]*|/\*.*?\*/)
    |(?P<string>'(?:[^'\\]|\\.|'')*')
    |(?P<heredoc>\$(?P<tag>[A-Za-z_]*)\$.*?\$(?P=tag)\$)
    |(?P<quoted>`(?:[^`\\]|\\.|``)*`|"(?:[^"\\]|\\.|"")*")
    |(?P<word>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<number>[0-9][A-Za-z0-9_.]*)
    |(?P<symbol>[^'"`])""",
    re.DOTALL | re.VERBOSE,
)


_LEAD = re.compile(r"(?:\s|--[^\n]*\n|/\*.*?\*/)*([A-Za-z_]\w*)", re.DOTALL)


class QueryRefused(PipelineError):
    """The endpoint will not run this query. ``code`` is the ClickHouse error code the HTTP
    answer carries (164 READONLY for a refused statement, 516 for authentication)."""

    def __init__(self, message: str, *, code: int = 164, status: int = 403) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


def _not_read(keyword: str) -> QueryRefused:
    return QueryRefused(
        f"the query endpoint is read-only: {keyword.upper()!r} statements are refused "
        f"(allowed: {', '.join(sorted(s.upper() for s in READ_STATEMENTS))})"
    )


def blocked(table_functions: Iterable[str]) -> frozenset[str]:
    """The function names to refuse, given every table function the engine knows."""
    names = {name.lower() for name in table_functions}
    return frozenset((names - SAFE_TABLE_FUNCTIONS) | _UNSAFE_FUNCTIONS)


def _names(sql: str) -> list[tuple[str, str]]:
    """(kind, text) of each significant token; comments, blanks, literals' contents dropped."""
    out: list[tuple[str, str]] = []
    pos = 0
    for m in _TOKENS.finditer(sql):
        if m.start() != pos:  # an unterminated literal or comment: the regex skipped text
            break
        pos = m.end()
        kind = m.lastgroup or ""
        if kind in ("ws", "comment"):
            continue
        if kind in ("string", "heredoc", "number"):
            out.append(("literal", ""))
        elif kind == "quoted":
            out.append(("word", m.group()[1:-1]))
        else:
            out.append((kind, m.group()))
    if pos != len(sql):
        raise QueryRefused("unterminated string, identifier or comment", code=62, status=400)
    return out


def check_query(sql: str, refused_functions: frozenset[str]) -> None:
    """Raise :class:`QueryRefused` unless ``sql`` is one read statement the endpoint may run."""
    lead = _LEAD.match(sql)  # first: an INSERT's binary data need not tokenize to be refused
    if lead is not None and lead[1].lower() not in READ_STATEMENTS:
        raise _not_read(lead[1])
    tokens = _names(sql)
    while tokens and tokens[-1] == ("symbol", ";"):
        tokens.pop()
    if not tokens:
        raise QueryRefused("empty query", code=62, status=400)
    first = tokens[0][1].lower()
    if tokens[0][0] == "symbol" and first == "(":
        first = next((t.lower() for k, t in tokens if k == "word"), "")
    if first not in READ_STATEMENTS:
        raise _not_read(first or tokens[0][1])
    for i, (kind, text) in enumerate(tokens):
        if kind == "symbol" and text == ";":
            raise QueryRefused("one statement per query: ';' is followed by more SQL")
        if kind != "word":
            continue
        word = text.lower()
        after = [t[1].lower() for t in tokens[i + 1 : i + 3]]
        if word == "into" and after[:1] == ["outfile"]:
            raise QueryRefused("INTO OUTFILE writes files: refused")
        if word == "settings" and len(after) == 2 and after[1] == "=" and tokens[i - 1][1] != ".":
            raise QueryRefused(
                "a SETTINGS clause is refused (the endpoint's limits are settings); "
                "pass formatting settings as URL parameters"
            )
        if i + 1 < len(tokens) and tokens[i + 1] == ("symbol", "(") and word in refused_functions:
            raise QueryRefused(
                f"function {text}() reaches files, the network or other processes: refused by "
                "the read-only query endpoint"
            )
