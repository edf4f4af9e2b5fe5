"""The JSON-RPC envelope of a large response, without parsing what the recorder never reads.

A ``tools/call`` result of megabytes is mostly ``content`` that an event never holds: the
exchange reads a response's ``id`` and ``error``, and of its ``result`` only :data:`RESULT_KEYS`
(``isError`` and ``_meta`` of a tool result, what ``initialize`` and ``tools/list`` answer).
:func:`envelope` returns the response with every other key of ``result`` left out, their values
skipped by jumping between quotes and brackets (``str.find``), not parsed: the event is the one
a whole parse gives (``result_bytes`` is the wire size either way).

Failure behaviour: it returns None, and the caller parses the message whole, for anything this
shortcut does not read with certainty: a request or notification (``method``), a batch, bytes
that are not UTF-8, an envelope that is not well-formed JSON, skipped values with more than
:data:`MAX_STEPS` quotes and brackets (many small items: a whole parse is as fast). Skipped
values are not validated: a response whose ``content`` is malformed JSON inside a well-formed
envelope is recorded as the response it frames.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Final

__all__ = ["ENVELOPE_MIN", "MAX_STEPS", "RESULT_KEYS", "envelope"]

ENVELOPE_MIN: Final = 64 * 1024
"""Messages at least this long (bytes) are read by :func:`envelope` first."""
RESULT_KEYS: Final = frozenset(
    {"isError", "_meta", "protocolVersion", "serverInfo", "tools", "nextCursor"}
)
"""The keys of a ``result`` the exchange reads (``emitter.mcpwire.apply_result``,
``Exchange._answered``): parsed whole; the others are skipped."""
MAX_STEPS: Final = 4096

_decode = json.JSONDecoder().raw_decode
_scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
_STRUCT: Final = re.compile(r'["{}\[\]]')


class _Unread(Exception):
    """This shortcut cannot read the message (the caller parses it whole)."""


def envelope(raw: bytes, max_steps: int = MAX_STEPS) -> dict[str, Any] | None:
    """``raw`` (one JSON-RPC response) as a dict whose ``result`` holds only
    :data:`RESULT_KEYS`; None when it must be parsed whole (see the module docstring), or
    when skipping takes more than ``max_steps`` quotes and brackets."""
    try:
        text = raw.decode()
        msg, end = _object(text, _ws(text, 0), [0, max_steps], top=True)
    except (_Unread, ValueError, IndexError):
        return None
    if _ws(text, end) != len(text):
        return None
    return msg


def _object(text: str, pos: int, steps: list[int], *, top: bool) -> tuple[dict[str, Any], int]:
    """The object at ``pos``: at the top, every key but ``result`` parsed whole (``method``:
    not a response); inside ``result``, only :data:`RESULT_KEYS`."""
    if text[pos] != "{":
        raise _Unread
    out: dict[str, Any] = {}
    pos = _ws(text, pos + 1)
    if text[pos] == "}":
        return out, pos + 1
    while True:
        if text[pos] != '"':
            raise _Unread
        key, pos = _scanstring(text, pos + 1)
        pos = _ws(text, pos)
        if text[pos] != ":":
            raise _Unread
        pos = _ws(text, pos + 1)
        if top and key == "method":
            raise _Unread
        if top and key == "result" and text[pos] == "{":
            out[key], pos = _object(text, pos, steps, top=False)
        elif top or key in RESULT_KEYS:
            out[key], pos = _decode(text, pos)
        else:
            pos = _skip(text, pos, steps)
        pos = _ws(text, pos)
        if text[pos] == "}":
            return out, pos + 1
        if text[pos] != ",":
            raise _Unread
        pos = _ws(text, pos + 1)


def _ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\n\r":
        pos += 1
    return pos


def _skip(text: str, pos: int, steps: list[int]) -> int:
    """The end of the value at ``pos`` (not parsed: strings and brackets are matched)."""
    first = text[pos]
    if first == '"':
        return _string_end(text, pos + 1, steps)
    if first not in "{[":
        return int(_decode(text, pos)[1])  # a number, true, false, null
    depth = 0
    while True:
        found = _STRUCT.search(text, pos)
        if found is None:
            raise _Unread
        pos = found.start()
        char = text[pos]
        if char == '"':
            pos = _string_end(text, pos + 1, steps)
            continue
        depth += 1 if char in "{[" else -1
        pos += 1
        _step(steps)
        if depth == 0:
            return pos


def _string_end(text: str, pos: int, steps: list[int]) -> int:
    """Just past the quote that closes the string whose body starts at ``pos``."""
    while True:
        end = text.find('"', pos)
        if end < 0:
            raise _Unread
        _step(steps)
        back = end
        while text[back - 1] == "\\":
            back -= 1
        if (end - back) % 2 == 0:  # not escaped
            return end + 1
        pos = end + 1


def _step(steps: list[int]) -> None:
    """One more skip step ([count, limit]): past the limit, the message is parsed whole."""
    steps[0] += 1
    if steps[0] > steps[1]:
        raise _Unread
