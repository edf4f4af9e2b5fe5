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
    "hash_events",
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


_ALL: Final = frozenset(FIELDS)
# Fast-path kinds: the common fields are checked inline; anything failing the quick test (or of
# another kind) goes through its FIELDS check, which raises the precise error.
_K_UINT, _K_ID, _K_HEX64, _K_NAMES, _K_EXACT, _K_STREAM, _K_OTHER = range(7)
_EXACT: Final = {"v": frozenset({SPEC_VERSION}), "outcome": OUTCOMES}
_EXACT_TYPES: Final = (int, str)  # not bool, not float: 1.0 == 1 and True == 1 in Python
_KIND: Final = {
    name: _K_EXACT
    if name in _EXACT
    else _K_STREAM
    if name == "stream_id"
    else (
        _K_UINT
        if check is _uint
        else _K_ID
        if check is _id
        else _K_HEX64
        if name in ("prev_hash", "hash", "args_fingerprint", "mcp.tools.hash")
        else _K_NAMES
        if name in ("source", "actor")
        else _K_OTHER
    )
    for name, (check, _) in FIELDS.items()
}
_REQUIRED_ORDER: Final = tuple(sorted(REQUIRED))
_hex64 = _HEX64.match

_stream_id = _STREAM_ID.match
_SOURCE_KEYS: Final = frozenset({"kind", "name", "version", "hostname"})
_ACTOR_KEYS: Final = frozenset({"user", "client", "client_version", "agent", "tenant"})


def _names_ok(name: str, value: Any) -> bool:
    """Quick test of ``source`` / ``actor``: known keys, non-empty short strings."""
    if type(value) is not dict:
        return False
    for item in value.values():
        if type(item) is not str or not 0 < len(item) <= MAX_ID:
            return False
    if name == "source":
        return (
            value.keys() <= _SOURCE_KEYS and value.get("kind") in SOURCE_KINDS and "name" in value
        )
    return value.keys() <= _ACTOR_KEYS


def validate_event(event: Any) -> dict[str, Any]:
    """Check ``event`` against the schema; return it or raise EventInvalid (field and rule)."""
    if type(event) is not dict:
        raise EventInvalid("event", "must be a JSON object")
    for name in _REQUIRED_ORDER:
        if name not in event:
            raise EventInvalid(name, "is required")
    for name, value in event.items():
        kind = _KIND.get(name)
        if kind is None:
            raise EventInvalid(name, "is not a field of event version 1")
        if kind == _K_UINT:
            if type(value) is int and 0 <= value <= MAX_SAFE_INTEGER:
                continue
        elif kind == _K_ID:
            if type(value) is str and 0 < len(value) <= MAX_ID:
                continue
        elif kind == _K_HEX64:
            if type(value) is str and _hex64(value):
                continue
        elif kind == _K_NAMES:
            if _names_ok(name, value):
                continue
        elif kind == _K_EXACT:
            if type(value) in _EXACT_TYPES and value in _EXACT[name]:
                continue
        elif kind == _K_STREAM and type(value) is str and _stream_id(value):
            continue
        FIELDS[name][0](name, value)  # raises with the precise rule, or accepts
    return event


def _encode(body: Mapping[str, Any]) -> bytes:
    """Canonical bytes of an event body (no ``hash``): the fast path unless free-form JSON."""
    for name in _FREE_FORM:
        if name in body:
            return canonicalize(body)
    return canonicalize_plain(body)


def _wire(body: bytes, event_hash: str) -> bytes:
    """The canonical body with ``"hash"`` appended as its last member: what travels."""
    return b'%s,"hash":"%s"}' % (body[:-1], event_hash.encode("ascii"))


def hash_events(events: list[dict[str, Any]]) -> tuple[list[str], list[bytes]]:
    """Validate each event; return the hashes they must carry and their wire bytes, in order.

    The batch form of ``validate_event`` + ``compute_hash`` for ingest: errors carry the index
    (``EventInvalid.index``). The wire bytes are the canonical bytes with the event's *claimed*
    ``hash`` appended as the last member (as ``seal`` writes them), ready to store or forward.
    Each dict is briefly modified (``hash`` is taken out while it is encoded) and handed back
    with the same content.
    """
    out: list[str] = []
    wire: list[bytes] = []
    sha256 = hashlib.sha256
    for i, event in enumerate(events):
        try:
            validate_event(event)
            claimed = event.pop("hash")
            try:
                body = _encode(event)
            finally:
                event["hash"] = claimed
        except EventInvalid as exc:
            raise exc.at(i) from None
        out.append(sha256(body).hexdigest())
        wire.append(_wire(body, claimed))
    return out, wire


def canonical_bytes(event: Mapping[str, Any]) -> bytes:
    """RFC 8785 bytes of the event without its ``hash``."""
    return _encode({k: v for k, v in event.items() if k != "hash"})


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
    body = _encode(event)
    digest = hashlib.sha256(body).hexdigest()
    event["hash"] = digest
    return _wire(body, digest)
