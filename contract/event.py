"""The event: its fields, its validation, its canonical bytes and its hash.

An event is a plain ``dict`` (fast to build, to encode and to hand between stages). Field names
follow the OpenTelemetry GenAI / MCP semantic conventions where one exists (``mcp.method.name``,
``gen_ai.tool.name``, …); the rest are tooltrail's own. ``docs/event-contract.md`` is the spec;
``FIELDS`` below is its machine-readable form and the single place the schema lives.

Rules that keep the hot path simple and the bytes portable:

- every number in a field we define is an integer (durations in µs, times in µs since the Unix
  epoch, UTC); free-form JSON (``args``, ``attrs``) may hold anything JSON can;
- an optional field without a value is absent, never ``null``;
- ``hash`` = lowercase hex SHA-256 of the RFC 8785 canonical bytes of the event without ``hash``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from .errors import EventInvalid
from .jcs import MAX_SAFE_INTEGER, canonicalize, canonicalize_plain

__all__ = [
    "FIELDS",
    "GENESIS_HASH",
    "OUTCOMES",
    "REQUIRED",
    "SPEC_VERSION",
    "canonical_bytes",
    "compute_hash",
    "seal",
    "validate_event",
]

SPEC_VERSION: Final = 1
#: ``prev_hash`` of the first event (``seq`` 0) of every stream.
GENESIS_HASH: Final = "0" * 64
OUTCOMES: Final = frozenset({"ok", "error", "denied"})
SOURCE_KINDS: Final = frozenset({"server", "host"})
MAX_STRING: Final = 4096
MAX_ID: Final = 128

_HEX64 = re.compile(r"[0-9a-f]{64}\Z")
_HEX32 = re.compile(r"[0-9a-f]{32}\Z")
_HEX16 = re.compile(r"[0-9a-f]{16}\Z")
_STREAM_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}\Z")

_Check = Callable[[str, Any], None]


def _fail(field: str, rule: str) -> EventInvalid:
    return EventInvalid(field, rule)


def _string(max_len: int = MAX_STRING) -> _Check:
    def check(field: str, value: Any) -> None:
        if type(value) is not str:
            raise _fail(field, f"must be a string, got {type(value).__name__}")
        if not value:
            raise _fail(field, "must not be empty")
        if len(value) > max_len:
            raise _fail(field, f"must be at most {max_len} characters")

    return check


def _pattern(regex: re.Pattern[str], what: str) -> _Check:
    def check(field: str, value: Any) -> None:
        if type(value) is not str or not regex.match(value):
            raise _fail(field, f"must be {what}")

    return check


def _uint(field: str, value: Any) -> None:
    if type(value) is not int:
        raise _fail(field, f"must be an integer, got {type(value).__name__}")
    if not 0 <= value <= MAX_SAFE_INTEGER:
        raise _fail(field, "must be between 0 and 2**53")


def _one_of(allowed: frozenset[str]) -> _Check:
    def check(field: str, value: Any) -> None:
        if value not in allowed or type(value) is not str:
            raise _fail(field, f"must be one of {sorted(allowed)}")

    return check


def _version(field: str, value: Any) -> None:
    if type(value) is not int or value != SPEC_VERSION:
        raise _fail(field, f"unsupported version {value!r}; this build speaks {SPEC_VERSION}")


def _boolean(field: str, value: Any) -> None:
    if type(value) is not bool:
        raise _fail(field, "must be true or false")


def _object(members: Mapping[str, tuple[_Check, bool]]) -> _Check:
    def check(field: str, value: Any) -> None:
        if type(value) is not dict:
            raise _fail(field, "must be an object")
        for name, (sub, required) in members.items():
            if name in value:
                sub(f"{field}.{name}", value[name])
            elif required:
                raise _fail(f"{field}.{name}", "is required")
        for name in value:
            if name not in members:
                raise _fail(f"{field}.{name}", "is not a known field")

    return check


def _counts(field: str, value: Any) -> None:
    if type(value) is not dict:
        raise _fail(field, "must be an object of counts")
    for name, count in value.items():
        if type(name) is not str or not name.isascii() or not name:
            raise _fail(field, "names must be non-empty ASCII strings")
        _uint(f"{field}.{name}", count)


def _json_object(field: str, value: Any) -> None:
    if type(value) is not dict:
        raise _fail(field, "must be an object")
    canonicalize(value)  # raises CanonicalizationError naming the problem


_str = _string()
_id = _string(MAX_ID)

#: name -> (check, required). The order is the order of the spec's table.
FIELDS: Final[Mapping[str, tuple[_Check, bool]]] = {
    "v": (_version, True),
    "event_id": (_id, True),
    "stream_id": (
        _pattern(_STREAM_ID, "1-128 of [A-Za-z0-9._:@-], starting alphanumeric"),
        True,
    ),
    "seq": (_uint, True),
    "prev_hash": (_pattern(_HEX64, "64 lowercase hex digits"), True),
    "hash": (_pattern(_HEX64, "64 lowercase hex digits"), True),
    "ts": (_uint, True),
    "source": (
        _object(
            {
                "kind": (_one_of(SOURCE_KINDS), True),
                "name": (_id, True),
                "version": (_id, False),
                "hostname": (_id, False),
            }
        ),
        True,
    ),
    "actor": (
        _object(
            {
                "user": (_id, False),
                "client": (_id, False),
                "client_version": (_id, False),
                "agent": (_id, False),
                "tenant": (_id, False),
            }
        ),
        False,
    ),
    "mcp.method.name": (_id, True),
    "outcome": (_one_of(OUTCOMES), True),
    "duration_us": (_uint, True),
    "gen_ai.tool.name": (_id, False),
    "gen_ai.tool.call.id": (_id, False),
    "gen_ai.prompt.name": (_id, False),
    "mcp.resource.uri": (_str, False),
    "mcp.session.id": (_id, False),
    "mcp.protocol.version": (_id, False),
    "mcp.tools.hash": (_pattern(_HEX64, "64 lowercase hex digits"), False),
    "jsonrpc.request.id": (_id, False),
    "error.type": (_id, False),
    "network.transport": (_id, False),
    "server.address": (_id, False),
    "trace_id": (_pattern(_HEX32, "32 lowercase hex digits (W3C trace-id)"), False),
    "span_id": (_pattern(_HEX16, "16 lowercase hex digits (W3C span-id)"), False),
    "args_bytes": (_uint, False),
    "result_bytes": (_uint, False),
    "args_fingerprint": (_pattern(_HEX64, "64 lowercase hex digits"), False),
    "args": (_json_object, False),
    "args_truncated": (_boolean, False),
    "redactions": (_counts, False),
    "attrs": (_json_object, False),
}
REQUIRED: Final = frozenset(name for name, (_, required) in FIELDS.items() if required)
#: fields holding free-form JSON: their presence sends canonicalization down the general path
_FREE_FORM: Final = ("args", "attrs")


def validate_event(event: Any) -> dict[str, Any]:
    """Check ``event`` against the schema and its hash; return it or raise EventInvalid."""
    if type(event) is not dict:
        raise EventInvalid("event", "must be a JSON object")
    for name in REQUIRED:
        if name not in event:
            raise EventInvalid(name, "is required")
    for name, value in event.items():
        spec = FIELDS.get(name)
        if spec is None:
            raise EventInvalid(name, "is not a field of event version 1")
        spec[0](name, value)
    return event


def canonical_bytes(event: Mapping[str, Any]) -> bytes:
    """RFC 8785 bytes of the event without its ``hash``."""
    body = {k: v for k, v in event.items() if k != "hash"}
    for name in _FREE_FORM:
        if name in body:
            return canonicalize(body)
    return canonicalize_plain(body)


def compute_hash(event: Mapping[str, Any]) -> str:
    """The ``hash`` the event must carry: SHA-256 of its canonical bytes, lowercase hex."""
    return hashlib.sha256(canonical_bytes(event)).hexdigest()


def seal(event: dict[str, Any], stream_id: str, seq: int, prev_hash: str) -> bytes:
    """Link ``event`` into a chain in place (stream_id, seq, prev_hash, hash).

    Returns the JSON bytes of the sealed event including its hash — what the emitter stores and
    ships. They are the canonical bytes with ``"hash"`` appended as the last member (the wire form
    need not be canonical: a verifier recomputes), so nothing is encoded twice on the hot path.
    """
    event["stream_id"] = stream_id
    event["seq"] = seq
    event["prev_hash"] = prev_hash
    event.pop("hash", None)
    free_form = "args" in event or "attrs" in event
    body = canonicalize(event) if free_form else canonicalize_plain(event)
    digest = hashlib.sha256(body).hexdigest()
    event["hash"] = digest
    return b'%s,"hash":"%s"}' % (body[:-1], digest.encode("ascii"))
