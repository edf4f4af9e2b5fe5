"""The JSON-RPC envelope of a large response, read from its bytes as they come.

A ``tools/call`` result of megabytes is mostly ``content`` that an event never holds: the
exchange reads a response's ``id`` and ``error``, and of its ``result`` only :data:`RESULT_KEYS`
(``isError`` and ``_meta`` of a tool result, what ``initialize`` and ``tools/list`` answer).
:class:`EnvelopeScan` is fed the message's bytes in pieces (any cut, each piece once, no copy
of the whole) and gives the response with every other key of ``result`` left out: those values
are skipped by jumping between quotes and brackets (``bytes.find``), never decoded; the keys
and the values it keeps are parsed with ``json``. The event is the one a whole parse gives
(``result_bytes`` is the wire size either way). :func:`envelope` is the same scan of a message
held whole.

Failure behaviour: the scan gives None, and the caller parses the message whole, for anything
it does not read with certainty: a request or notification (``method``), a batch, an envelope
that is not well-formed JSON or whose kept parts are not UTF-8, more than ``max_steps`` quotes
and brackets in the values it scans (many small items: a whole parse is as fast). Skipped
values are not validated: a response whose ``content`` is malformed JSON or not UTF-8 inside a
well-formed envelope is recorded as the response it frames.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

__all__ = ["ENVELOPE_MIN", "MAX_STEPS", "RESULT_KEYS", "EnvelopeScan", "envelope"]

ENVELOPE_MIN: Final = 64 * 1024
"""Messages at least this long (bytes) are read by their envelope first."""
RESULT_KEYS: Final = frozenset(
    {"isError", "_meta", "protocolVersion", "serverInfo", "tools", "nextCursor"}
)
"""The keys of a ``result`` the exchange reads (``emitter.mcpwire.apply_result``,
``Exchange._answered``): kept whole; the others are skipped."""
MAX_STEPS: Final = 4096

_STRUCT: Final = re.compile(rb'["{}\[\]]')
_SCALAR_END: Final = re.compile(rb"[,}\] \t\r\n]")
_NON_WS: Final = re.compile(rb"[^ \t\r\n]")
_MEMBER: Final = re.compile(  # a plain key, and its value when it is a plain scalar or string
    rb'"([A-Za-z_][A-Za-z0-9_]*)"[ \t\r\n]*:[ \t\r\n]*'
    rb'(?:(-?(?:0|[1-9][0-9]*)|"[^"\\\x00-\x1f]*"|true|false|null)(?=[ \t\r\n]*[,}]))?'
)
_LITERALS: Final = {b"true": True, b"false": False, b"null": None}
_QUOTE, _BACKSLASH, _OPEN_BRACE, _CLOSE_BRACE, _COMMA, _COLON = b'"\\{},:'
_BRACKETS: Final = frozenset(b"{[")

# where the scan is: between tokens (the next byte decides) or inside a key, string, container
# or scalar (found by searching); _END: after the message, only whitespace may follow
_OPEN, _FIRST, _NEXT, _COLON_, _VALUE, _AFTER, _END = range(7)
_STRING, _CONTAINER, _SCALAR, _FAILED = range(7, 11)


class _Unread(Exception):
    """The scan cannot read the message (the caller parses it whole)."""


class EnvelopeScan:
    """One message's envelope, from its bytes fed in order (see the module docstring).

    ``feed(data, start, end)`` scans ``data[start:end]`` and returns False once the message
    cannot be read (it can then be dropped); ``result()``, after the last piece, gives the
    envelope or None.
    """

    __slots__ = (
        "_cap",
        "_depth",
        "_in_value",
        "_key",
        "_limit",
        "_mark",
        "_mode",
        "_msg",
        "_result",
        "_slashes",
        "_steps",
        "_within",
    )

    def __init__(self, max_steps: int = MAX_STEPS) -> None:
        self._limit = max_steps
        self._steps = 0
        self._mode = _OPEN
        self._msg: dict[str, Any] = {}
        self._result: dict[str, Any] | None = None  # the result object while it is scanned
        self._key = ""
        self._cap: list[bytes] | None = None  # the pieces of the key or value being kept
        self._mark = 0  # where, in the piece being scanned, the kept token's part starts
        self._in_value = False  # a string: a value's (True) or a key's (False)
        self._within = _STRING  # what a string ends into: a value (_STRING) or a container
        self._depth = 0
        self._slashes = 0  # backslashes just before this piece, inside a string

    def feed(self, data: bytes, start: int = 0, end: int | None = None) -> bool:
        """Scan ``data[start:end]`` (the next bytes of the message); False once unreadable."""
        if self._mode == _FAILED:
            return False
        end = len(data) if end is None else end
        try:
            pos = self._mark = start
            while pos < end:
                mode = self._mode
                if mode == _STRING:
                    pos = self._string(data, pos, end)
                elif mode == _CONTAINER:
                    pos = self._container(data, pos, end)
                else:
                    pos = self._step(data, pos, end)
            if self._cap is not None:  # a kept token goes on in the next piece
                self._cap.append(data[self._mark : end])
        except (_Unread, ValueError, RecursionError):
            self._mode = _FAILED
            self._cap = None
            return False
        return True

    def result(self) -> dict[str, Any] | None:
        """The envelope, when the bytes fed were one whole response; else None."""
        return self._msg if self._mode == _END else None

    # -- the scan ------------------------------------------------------------------------

    def _step(self, data: bytes, pos: int, end: int) -> int:
        """Advance from ``pos`` between tokens or in a scalar; the position reached (``end``:
        this piece is done). Strings and containers: ``_string``, ``_container``."""
        mode = self._mode
        if mode == _SCALAR:
            found = _SCALAR_END.search(data, pos, end)
            if found is None:
                return end
            self._value_done(data, found.start())
            return found.start()
        found = _NON_WS.search(data, pos, end)
        if found is None:
            return end
        pos = found.start()
        char = data[pos]
        if mode == _VALUE:
            return self._value(data, pos, char)
        if mode == _AFTER:
            if char == _COMMA:
                self._mode = _NEXT
            elif char == _CLOSE_BRACE:
                self._close()
            else:
                raise _Unread
        elif mode == _COLON_:
            if char != _COLON:
                raise _Unread
            self._mode = _VALUE
        elif mode == _OPEN:
            if char != _OPEN_BRACE:
                raise _Unread
            self._mode = _FIRST
        elif mode in (_FIRST, _NEXT):
            if char == _CLOSE_BRACE and mode == _FIRST:
                self._close()
            elif char == _QUOTE:
                member = _MEMBER.match(data, pos, end)
                if member is not None:
                    return self._member(member)
                self._keep(pos)
                self._mode, self._in_value, self._slashes = _STRING, False, 0
            else:
                raise _Unread
        else:  # _END: only whitespace may follow
            raise _Unread
        return pos + 1

    def _member(self, member: re.Match[bytes]) -> int:
        """A key read at once (and its value, when plain): what the token by token scan of
        the same bytes does, in one step."""
        self._key = member[1].decode()
        value = member[2]
        if value is None:
            self._mode = _VALUE
            return member.end()
        top = self._result is None
        if top and self._key == "method":
            raise _Unread
        if value[0] == _QUOTE:
            self._steps += 1  # its closing quote, as the scan counts it
            if self._steps > self._limit:
                raise _Unread
            if top or self._key in RESULT_KEYS:
                self._set(value[1:-1].decode())
        elif top or self._key in RESULT_KEYS:
            self._set(_LITERALS[value] if value in _LITERALS else int(value))
        self._mode = _AFTER
        return member.end()

    def _value(self, data: bytes, pos: int, char: int) -> int:
        top = self._result is None
        if top and self._key == "method":  # a request or a notification
            raise _Unread
        if top and self._key == "result" and char == _OPEN_BRACE:
            self._result = {}
            self._mode = _FIRST
            return pos + 1
        if top or self._key in RESULT_KEYS:
            self._keep(pos)
        if char == _QUOTE:
            self._mode, self._in_value, self._within, self._slashes = _STRING, True, _STRING, 0
            return pos + 1
        if char in _BRACKETS:
            self._mode, self._depth = _CONTAINER, 0
            return pos
        self._keep(pos)  # a number, true, false, null: parsed even when skipped
        self._mode = _SCALAR
        return pos

    def _string(self, data: bytes, pos: int, end: int) -> int:
        """Inside a string: past its closing quote (a quote after an even run of backslashes)."""
        while True:
            quote = data.find(b'"', pos, end)
            if quote < 0:
                back = end
                while back > pos and data[back - 1] == _BACKSLASH:
                    back -= 1
                self._slashes = end - back + (self._slashes if back == pos else 0)
                return end
            back = quote
            while back > pos and data[back - 1] == _BACKSLASH:
                back -= 1
            run = quote - back + (self._slashes if back == pos else 0)
            self._slashes = 0
            if self._in_value or self._within == _CONTAINER:
                self._steps += 1
                if self._steps > self._limit:
                    raise _Unread
            if run % 2 == 0:
                break
            pos = quote + 1
        if self._within == _CONTAINER:
            self._mode = _CONTAINER
        elif self._in_value:
            self._value_done(data, quote + 1)
        else:
            self._key = json.loads(self._kept(data, quote + 1))
            if not isinstance(self._key, str):
                raise _Unread
            self._mode = _COLON_
        return quote + 1

    def _container(self, data: bytes, pos: int, end: int) -> int:
        """Inside an object or array being skipped (or kept): past its closing bracket."""
        while True:
            found = _STRUCT.search(data, pos, end)
            if found is None:
                return end
            pos = found.start()
            char = data[pos]
            pos += 1
            if char == _QUOTE:  # a string inside: to its closing quote
                self._mode, self._within, self._slashes = _STRING, _CONTAINER, 0
                pos = self._string(data, pos, end)
                if self._mode != _CONTAINER:
                    return pos
                continue
            self._depth += 1 if char in _BRACKETS else -1
            self._steps += 1
            if self._steps > self._limit:
                raise _Unread
            if self._depth == 0:
                self._within = _STRING
                self._value_done(data, pos)
                return pos

    def _value_done(self, data: bytes, end: int) -> None:
        """The value ending at ``end`` is complete: kept (parsed) or skipped."""
        self._mode = _AFTER
        self._within = _STRING
        if self._cap is None:
            return
        self._set(json.loads(self._kept(data, end)))

    def _set(self, value: Any) -> None:
        if self._result is None:
            self._msg[self._key] = value
        elif self._key in RESULT_KEYS:
            self._result[self._key] = value

    def _close(self) -> None:
        """The ``}`` of the result object, or of the message."""
        if self._result is None:
            self._mode = _END
        else:
            self._msg["result"], self._result = self._result, None
            self._mode = _AFTER

    def _keep(self, pos: int) -> None:
        """Keep the token that starts at ``pos`` of this piece."""
        self._cap = []
        self._mark = pos

    def _kept(self, data: bytes, end: int) -> str:
        """The kept token, ending at ``end`` of this piece, as text; keeping stops."""
        assert self._cap is not None
        cap = self._cap
        cap.append(data[self._mark : end])
        self._cap = None
        return (b"".join(cap) if len(cap) > 1 else cap[0]).decode()


def envelope(raw: bytes, max_steps: int = MAX_STEPS) -> dict[str, Any] | None:
    """``raw`` (one JSON-RPC response) as a dict whose ``result`` holds only
    :data:`RESULT_KEYS`; None when it must be parsed whole (see the module docstring)."""
    scan = EnvelopeScan(max_steps)
    scan.feed(raw)
    return scan.result()
