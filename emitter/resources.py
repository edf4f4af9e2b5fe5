"""The resource a tool call touches, read off its arguments: fingerprinted, never stored raw.

A real MCP server records a resource (``mcp.resource.uri``) only for ``resources/read``; a tool
call names what it touches in its arguments. :func:`resource_of` picks one by these rules, in
this order (a key matches by its last word, case-insensitive: ``file_path``, ``targetUrl``):

1. ``uri``, ``url``, ``href``, ``link``                         → ``uri``
2. ``path``, ``file``, ``filename``, ``filepath``, ``dir``,
   ``directory``, ``folder`` (``repo:path`` beside a repo key)  → ``path``
3. ``table``, ``dataset``, ``collection``, ``index``            → ``table``
4. ``bucket`` (with ``key`` or ``object`` when given)           → ``object``
5. ``repo``, ``repository``, ``project``                        → ``repo``
6. ``channel``, ``page``, ``document``, ``doc``, ``database``   → ``doc``
7. any top-level string value that is an absolute URI (``scheme://…``) → ``uri``

Keys are looked up at the top level of the arguments and one level down (``{"target": {"path":
…}}``); values must be non-empty strings of at most 2048 characters. The ``Fingerprint`` stage
stores ``attrs["tooltrail.resource"] = "<kind>:<first 32 hex digits of HMAC-SHA256(kind:value)>"``
under the deployment's argument key when the event names no ``mcp.resource.uri``: the kind stays
readable, the value does not (the raw value is stored only when arguments are captured). Standard
library only; never raises on odd arguments (nothing is derived from them).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any, Final

__all__ = ["RESOURCE_ATTR", "resource_of"]

RESOURCE_ATTR: Final = "tooltrail.resource"
_RULES: Final = (
    ("uri", frozenset({"uri", "url", "href", "link"})),
    ("path", frozenset({"path", "file", "filename", "filepath", "dir", "directory", "folder"})),
    ("table", frozenset({"table", "dataset", "collection", "index"})),
    ("object", frozenset({"bucket"})),
    ("repo", frozenset({"repo", "repository", "project"})),
    ("doc", frozenset({"channel", "page", "document", "doc", "database"})),
)
_OBJECT_KEYS: Final = frozenset({"key", "object"})
_REPO: Final = frozenset({"repo", "repository", "project", "bucket"})
_MAX: Final = 2048
_NOT_MAPPINGS: Final = frozenset({int, float, bool, list, tuple, type(None)})  # skip the ABC check
_WORD: Final = re.compile(r"[A-Za-z][a-z0-9]*|[A-Z]+(?![a-z])|[0-9]+")
_URI: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$")


#: a key's word -> (rank of its rule, kind): one dict lookup per argument
_RANK: Final = {word: (rank, kind) for rank, (kind, words) in enumerate(_RULES) for word in words}


@functools.lru_cache(maxsize=4096)  # argument names repeat: the regex runs once per name
def _last_word(key: str) -> str:
    words = _WORD.findall(key)
    return words[-1].lower() if words else ""


def _strings(args: Mapping[str, Any]) -> list[tuple[str, str, Mapping[str, Any]]]:
    """(last word of key, value, the mapping it sits in) for string values, top level first."""
    out: list[tuple[str, str, Mapping[str, Any]]] = []
    nested = []
    for key, value in args.items():
        if isinstance(value, str):
            if 0 < len(value) <= _MAX:
                out.append((_last_word(str(key)), value, args))
        elif type(value) is dict or (
            type(value) not in _NOT_MAPPINGS and isinstance(value, Mapping)
        ):
            nested.append(value)
    for inner in nested:
        for key, value in inner.items():
            if isinstance(value, str) and 0 < len(value) <= _MAX:
                out.append((_last_word(str(key)), value, inner))
    return out


def resource_of(args: Any) -> tuple[str, str] | None:
    """``(kind, value)`` of the resource ``args`` name by the module's rules, or None."""
    if not isinstance(args, Mapping):
        return None
    found = _strings(args)
    best: tuple[str, str, Mapping[str, Any]] | None = None
    best_rank = len(_RULES)
    for word, value, where in found:  # the first argument of the highest-ranked rule wins
        hit = _RANK.get(word)
        if hit is not None and hit[0] < best_rank:
            best_rank, best = hit[0], (hit[1], value, where)
    if best is not None:
        kind, value, where = best
        if kind == "object":
            obj = next((v for w, v, m in found if w in _OBJECT_KEYS and m is where), "")
            value = f"{value}/{obj}" if obj else value
        elif kind == "path":  # a path inside a repository is that repository's path
            repo = next((v for w, v, m in found if w in _REPO and m is where), "")
            value = f"{repo}:{value}" if repo else value
        return kind, value
    for _word, value, where in found:
        if where is args and _URI.match(value):
            return "uri", value
    return None
