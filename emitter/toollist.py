"""What an emitter records of a server's ``tools/list``: hashes per tool, and instructions aimed
at the model. Standard library only (the SDK hooks and ``tooltrail wrap`` share it).

Guarantee: the same tool (name, description, input schema) always gives the same hashes, in any
process or language that follows ``docs/event-contract.md`` (section "Tool lists"); nothing here
raises on odd input: a tool that cannot be hashed is left out, and said so by its absence.

- :func:`tools_hash`: SHA-256 hex of the RFC 8785 bytes of the whole list sorted by name
  (``tooltrail.tools.hash``; every field of every tool, annotations included).
- :func:`tool_hash`: SHA-256 hex of the RFC 8785 bytes of ``{"name", "description",
  "inputSchema"}`` of one tool (members that are absent stay absent).
- :func:`text_fingerprint`: SHA-256 hex of a description's UTF-8 bytes: tells a changed
  description from a changed schema, without storing the text.
- :func:`instruction_markers`: which of the documented heuristics (:data:`MARKERS`) a
  description trips: text aimed at the model rather than at a reader of the tool's purpose.
- :func:`tools_list_attrs`: the ``attrs`` of the ``tools/list`` event an emitter records
  (:data:`TOOLS_ATTR`, :data:`SERVER_NAME_ATTR`, :data:`SERVER_VERSION_ATTR`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any, Final

from tooltrail.contract import canonicalize

__all__ = [
    "MARKERS",
    "SERVER_NAME_ATTR",
    "SERVER_VERSION_ATTR",
    "TOOLS_ATTR",
    "instruction_markers",
    "text_fingerprint",
    "tool_digest",
    "tool_hash",
    "tools_digest",
    "tools_hash",
    "tools_list_attrs",
]

TOOLS_ATTR: Final = "tooltrail.tools"
"""``attrs`` key of a ``tools/list`` event: tool name → :func:`tool_digest`."""
SERVER_NAME_ATTR: Final = "tooltrail.server.name"
"""``attrs`` key: the server's ``serverInfo.name`` (from ``initialize``), when known."""
SERVER_VERSION_ATTR: Final = "tooltrail.server.version"
"""``attrs`` key: the server's ``serverInfo.version`` (from ``initialize``), when known."""

_MAX_NAME = 128
_HASHED_FIELDS: Final = ("name", "description", "inputSchema")

#: heuristic name → pattern over the description (case-insensitive); ``hidden_unicode`` is a
#: character test (:func:`_hidden`). Each names a way a description talks to the model.
_PATTERNS: Final[dict[str, re.Pattern[str]]] = {
    # <IMPORTANT>, <system>, <instructions>, </secret> ... : markup a model is told to obey
    "instruction_tag": re.compile(
        r"<\s*/?\s*(important|system|instructions?|secret|hidden|admin|critical)\b[^>]{0,40}>",
        re.I,
    ),
    # "ignore previous instructions", "disregard all prior rules", "forget the above"
    "ignore_previous": re.compile(
        r"\b(ignore|disregard|forget|override)\s+(all\s+|any\s+|the\s+)?"
        r"(previous|prior|earlier|above|other|preceding|system)\b",
        re.I,
    ),
    # "do not tell the user", "don't mention this to the user", "without informing the user"
    "conceal_from_user": re.compile(
        r"\b(do\s+not|don'?t|never|without)\s+(tell|telling|inform|informing|mention|"
        r"mentioning|reveal|revealing|show|showing|notify|notifying|alert|alerting)\b"
        r"[^.]{0,40}\buser\b"
        r"|\b(hide|conceal|keep)\b[^.]{0,30}\bfrom\s+the\s+user\b",
        re.I,
    ),
    # "before using this tool, read ...", "you must first call ...", "always call ... first"
    "precondition": re.compile(
        r"\bbefore\s+(using|calling|you\s+use|you\s+call|invoking|running)\s+(this|any|the)\b"
        r"|\byou\s+must\s+(first|always)\b|\balways\s+(first\s+)?(read|call|send|include)\b",
        re.I,
    ),
    # secrets and configuration a tool has no business telling the model to read
    "sensitive_path": re.compile(
        r"~/\.ssh|\bid_(rsa|ed25519|ecdsa|dsa)\b|\.aws/credentials|/etc/(passwd|shadow)\b"
        r"|\.netrc\b|\.git-credentials\b|\bmcp\.json\b|\.cursor/|claude_desktop_config"
        r"|(^|[\s'\"`/])\.env\b",
        re.I,
    ),
}

MARKERS: Final = (*_PATTERNS, "hidden_unicode")
"""Every heuristic :func:`instruction_markers` can report, in the order it reports them."""

# zero-width and invisible formatting characters, bidirectional controls, Unicode tag characters
_HIDDEN_RANGES: Final = (
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x2069),
    (0xFEFF, 0xFEFF),
    (0xE0000, 0xE007F),
)


def _hidden(text: str) -> bool:
    for ch in text:
        code = ord(ch)
        if code < 0x200B:
            continue
        if any(lo <= code <= hi for lo, hi in _HIDDEN_RANGES):
            return True
        if unicodedata.category(ch) == "Co":  # private use: renders as nothing a reader sees
            return True
    return False


def instruction_markers(text: object) -> tuple[str, ...]:
    """The heuristics of :data:`MARKERS` that ``text`` trips (none for a non-string)."""
    if not isinstance(text, str) or not text:
        return ()
    found = [name for name, pattern in _PATTERNS.items() if pattern.search(text)]
    if _hidden(text):
        found.append("hidden_unicode")
    return tuple(found)


def text_fingerprint(text: str) -> str:
    """SHA-256 hex of ``text`` as UTF-8 (a lone surrogate is encoded as it stands)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def tool_hash(tool: Mapping[str, Any]) -> str | None:
    """SHA-256 hex of the RFC 8785 bytes of the tool's name, description and input schema;
    None when the tool has no name or cannot be canonicalized."""
    if not isinstance(tool.get("name"), str) or not tool["name"]:
        return None
    try:
        return hashlib.sha256(
            canonicalize({k: tool[k] for k in _HASHED_FIELDS if k in tool})
        ).hexdigest()
    except Exception:
        return None


def tool_digest(tool: Mapping[str, Any]) -> dict[str, str] | None:
    """``{"hash", "description", "markers"}`` of one tool (``description``: the text's
    fingerprint, absent without a description; ``markers``: the tripped heuristics joined by
    commas, absent when none), or None when the tool cannot be hashed."""
    digest = tool_hash(tool)
    if digest is None:
        return None
    out = {"hash": digest}
    text = tool.get("description")
    if isinstance(text, str) and text:
        out["description"] = text_fingerprint(text)
        if markers := instruction_markers(text):
            out["markers"] = ",".join(markers)
    return out


def tools_digest(tools: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """Tool name (at most 128 characters) → :func:`tool_digest`, for every hashable tool."""
    out: dict[str, dict[str, str]] = {}
    for tool in tools:
        if isinstance(tool, Mapping) and (digest := tool_digest(tool)) is not None:
            out[str(tool["name"])[:_MAX_NAME]] = digest
    return out


def tools_hash(tools: Sequence[Mapping[str, Any]]) -> str | None:
    """SHA-256 hex of the RFC 8785 bytes of a tools/list sorted by name; None if unhashable."""
    try:
        ordered = sorted(tools, key=lambda t: str(t.get("name", "")))
        return hashlib.sha256(canonicalize(ordered)).hexdigest()
    except Exception:
        return None


def tools_list_attrs(
    tools: Sequence[Mapping[str, Any]],
    *,
    server_name: str | None = None,
    server_version: str | None = None,
) -> dict[str, Any]:
    """The ``attrs`` of a ``tools/list`` event: the per-tool digests and the server's identity."""
    attrs: dict[str, Any] = {TOOLS_ATTR: tools_digest(tools)}
    if server_name:
        attrs[SERVER_NAME_ATTR] = server_name[:_MAX_NAME]
    if server_version:
        attrs[SERVER_VERSION_ATTR] = server_version[:_MAX_NAME]
    return attrs
