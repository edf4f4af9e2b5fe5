"""The event: its fields, its validation, its canonical bytes and its hash (the checks each
field's value must pass are in ``_checks``).

An event is a plain ``dict`` (fast to build, to encode and to hand between stages). Field names
follow the OpenTelemetry GenAI / MCP semantic conventions where one exists (``mcp.method.name``,
``gen_ai.tool.name``, …); the rest are tooltrail's own. ``docs/event-contract.md`` is the spec;
``FIELDS`` below is its machine-readable form and the single place the schema lives.

Rules that keep the hot path simple and the bytes portable:

- every number in a field we define is an integer (durations in µs, times in µs since the Unix
  epoch, UTC); a number written with a zero fraction (``3.0``) is that integer, as in JSON Schema,
  and validation stores it as one (its canonical bytes are the same); free-form JSON (``args``,
  ``attrs``) may hold anything I-JSON can, nested at most ``MAX_DEPTH`` levels;
- an optional field without a value is absent, never ``null``;
- ``hash`` = lowercase hex SHA-256 of the RFC 8785 canonical bytes of the event without ``hash``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, cast

from ._checks import (
    _HEX16,
    _HEX32,
    _HEX64,
    _STREAM_ID,
    MAX_DEPTH,
    MAX_ID,
    MAX_STRING,
    _boolean,
    _Check,
    _counts,
    _hex64,
    _id,
    _json_object,
    _kind,
    _object,
    _one_of,
    _pattern,
    _port,
    _str,
    _uint,
    _versions,
    schema_of,
)
from ._compiled import ShapeValidator
from ._encoder import ShapeEncoder
from .errors import CanonicalizationError, EventInvalid
from .jcs import MAX_SAFE_INTEGER, canonicalize, canonicalize_plain, is_plain

__all__ = [
    "FIELDS",
    "FIELDS_BY_VERSION",
    "FIELDS_V1",
    "FIELDS_V2",
    "GENESIS_HASH",
    "MAX_DEPTH",
    "MAX_ID",
    "MAX_STRING",
    "NETWORK_TRANSPORTS",
    "OUTCOMES",
    "REQUIRED",
    "SPEC_VERSION",
    "canonical_bytes",
    "compute_hash",
    "hash_events",
    "schema_of",
    "seal",
    "seal_checked",
    "validate_event",
]

SPEC_VERSION: Final = 2
#: ``prev_hash`` of the first event (``seq`` 0) of every stream.
GENESIS_HASH: Final = "0" * 64
OUTCOMES: Final = frozenset({"ok", "error", "denied"})
#: OpenTelemetry's well-known ``network.transport`` values (semconv): stdio is a ``pipe``
NETWORK_TRANSPORTS: Final = frozenset({"pipe", "tcp", "udp", "quic", "unix"})
SOURCE_KINDS: Final = frozenset({"server", "host"})


#: fields of a source and an actor (the same in every version)
_SOURCE: Final = _object(
    {
        "kind": (_one_of(SOURCE_KINDS), True),
        "name": (_id, True),
        "version": (_id, False),
        "hostname": (_id, False),
    }
)
_ACTOR: Final = _object(
    {
        "user": (_id, False),
        "client": (_id, False),
        "client_version": (_id, False),
        "agent": (_id, False),
        "tenant": (_id, False),
    }
)

#: name -> (check, required). The order is the order of the spec's table.
FIELDS_V1: Final[Mapping[str, tuple[_Check, bool]]] = {
    "v": (_versions(frozenset({1})), True),
    "event_id": (_id, True),
    "stream_id": (
        _pattern(_STREAM_ID, "1-128 of [A-Za-z0-9._:@-], starting alphanumeric"),
        True,
    ),
    "seq": (_uint, True),
    "prev_hash": (_hex64, True),
    "hash": (_hex64, True),
    "ts": (_uint, True),
    "source": (_SOURCE, True),
    "actor": (_ACTOR, False),
    "mcp.method.name": (_id, True),
    "outcome": (_one_of(OUTCOMES), True),
    "duration_us": (_uint, True),
    "gen_ai.tool.name": (_id, False),
    "gen_ai.tool.call.id": (_id, False),
    "gen_ai.prompt.name": (_id, False),
    "mcp.resource.uri": (_str, False),
    "mcp.session.id": (_id, False),
    "mcp.protocol.version": (_id, False),
    "mcp.tools.hash": (_hex64, False),
    "jsonrpc.request.id": (_id, False),
    "error.type": (_id, False),
    "network.transport": (_id, False),
    "server.address": (_id, False),
    "trace_id": (_pattern(_HEX32, "32 lowercase hex digits (W3C trace-id)"), False),
    "span_id": (_pattern(_HEX16, "16 lowercase hex digits (W3C span-id)"), False),
    "args_bytes": (_uint, False),
    "result_bytes": (_uint, False),
    "args_fingerprint": (_hex64, False),
    "args": (_json_object, False),
    "args_truncated": (_boolean, False),
    "redactions": (_counts, False),
    "attrs": (_json_object, False),
}


def _v2_fields() -> dict[str, tuple[_Check, bool]]:
    """Version 2 = version 1 aligned with OpenTelemetry's semantic conventions: ``network.*``
    and ``server.*`` as semconv defines them, ``gen_ai.operation.name``, and nothing of ours in
    the OTel-owned ``mcp.*`` namespace."""
    out: dict[str, tuple[_Check, bool]] = {}
    for name, spec in FIELDS_V1.items():
        if name == "v":
            spec = (_versions(frozenset({2})), True)
        elif name == "mcp.tools.hash":
            continue
        elif name == "network.transport":
            out["tooltrail.tools.hash"] = (_hex64, False)
            out["tooltrail.transport"] = (_id, False)  # the MCP transport: stdio, sse, ...
            spec = (_one_of(NETWORK_TRANSPORTS), False)
            out[name] = spec
            out["network.protocol.name"] = (_id, False)
            continue
        elif name == "server.address":
            out[name] = spec
            out["server.port"] = (_port, False)
            continue
        elif name == "gen_ai.tool.name":
            out["gen_ai.operation.name"] = (_id, False)
        out[name] = spec
    return out


FIELDS_V2: Final[Mapping[str, tuple[_Check, bool]]] = _v2_fields()
#: the fields of each version this build reads: ``validate_event`` follows the event's ``v``
FIELDS_BY_VERSION: Final[Mapping[int, Mapping[str, tuple[_Check, bool]]]] = {
    1: FIELDS_V1,
    2: FIELDS_V2,
}
#: the fields of the version this build writes
FIELDS: Final = FIELDS_BY_VERSION[SPEC_VERSION]
REQUIRED: Final = frozenset(name for name, (_, required) in FIELDS.items() if required)
#: fields holding free-form JSON: their presence sends canonicalization down the general path
_FREE_FORM: Final = ("args", "attrs")

# Fast-path kinds: the common fields are checked inline; anything failing the quick test (or of
# another kind) goes through its FIELDS check, which raises the precise error.
_K_UINT, _K_ID, _K_HEX64, _K_NAMES, _K_OUTCOME, _K_STREAM, _K_OTHER = range(7)
_hex64_match = _HEX64.match
_stream_id = _STREAM_ID.match
_SOURCE_KEYS: Final = frozenset({"kind", "name", "version", "hostname"})
_ACTOR_KEYS: Final = frozenset({"user", "client", "client_version", "agent", "tenant"})


@dataclass(frozen=True, slots=True)
class _Version:
    """What ``validate_event`` needs of one version: its fields, their fast-path kinds."""

    number: int
    fields: Mapping[str, tuple[_Check, bool]]
    kinds: Mapping[str, int]
    required: tuple[str, ...]


def _version_table(number: int, fields: Mapping[str, tuple[_Check, bool]]) -> _Version:
    def kind(name: str, check: _Check) -> int:
        if name == "outcome":
            return _K_OUTCOME
        if name == "stream_id":
            return _K_STREAM
        if check is _uint:
            return _K_UINT
        if check is _id:
            return _K_ID
        if check is _hex64:
            return _K_HEX64
        if name in ("source", "actor"):
            return _K_NAMES
        return _K_OTHER

    kinds = {name: kind(name, check) for name, (check, _) in fields.items()}
    required = tuple(sorted(name for name, (_, req) in fields.items() if req))
    return _Version(number, fields, kinds, required)


_VERSIONS: Final = {n: _version_table(n, f) for n, f in FIELDS_BY_VERSION.items()}
_ACCEPTED: Final = _versions(frozenset(FIELDS_BY_VERSION))
#: the quick path: one compiled function per event shape (``_compiled``)
_quick: Final = ShapeValidator(FIELDS_BY_VERSION)
#: the quick path of sealing: one compiled encoder per shape of the version written (``_encoder``)
_encode_checked: Final = ShapeEncoder(FIELDS)


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
    """Check ``event`` against the schema of its version (``v``); return it or raise
    EventInvalid naming the field and the rule. Events of every version in
    ``FIELDS_BY_VERSION`` are accepted as they were written.

    The compiled function of the event's shape answers first (``_compiled``); what it does not
    accept as it is takes the field-by-field path, which names the field and the rule."""
    if _quick(event):
        return cast("dict[str, Any]", event)
    return _validate_fields(event)


def _validate_fields(event: Any) -> dict[str, Any]:
    """``validate_event`` field by field: the reference the compiled shapes must agree with."""
    if type(event) is not dict:
        raise EventInvalid("event", f"must be a JSON object, got {_kind(event)}")
    if "v" not in event:
        raise EventInvalid("v", "is required")
    v = event["v"]
    if type(v) is float and v.is_integer():
        v = event["v"] = int(v)
    table = _VERSIONS.get(v) if type(v) is int else None
    if table is None:
        _ACCEPTED("v", v)  # raises
        raise AssertionError  # pragma: no cover
    for name in table.required:
        if name not in event:
            raise EventInvalid(name, "is required")
    kinds = table.kinds
    for name, value in event.items():
        kind = kinds.get(name)
        if kind is None:
            raise EventInvalid(name, f"is not a field of event version {table.number}")
        if kind == _K_UINT:
            if type(value) is int and 0 <= value <= MAX_SAFE_INTEGER:
                continue
        elif kind == _K_ID:
            if type(value) is str and 0 < len(value) <= MAX_ID:
                continue
        elif kind == _K_HEX64:
            if type(value) is str and _hex64_match(value):
                continue
        elif kind == _K_NAMES:
            if _names_ok(name, value):
                continue
        elif kind == _K_OUTCOME:
            if type(value) is str and value in OUTCOMES:
                continue
        elif kind == _K_STREAM and type(value) is str and _stream_id(value):
            continue
        check = table.fields[name][0]
        if (kind == _K_UINT or check is _port) and type(value) is float and value.is_integer():
            value = event[name] = int(value)  # 3.0 is the integer 3 (JSON; same JCS bytes)
        check(name, value)  # raises with the precise rule, or accepts
    return event


def _encode(body: Mapping[str, Any]) -> bytes:
    """Canonical bytes of an event body (no ``hash``): the fast path unless its free-form JSON
    holds values outside the fast path's domain (floats, big integers, non-ASCII names)."""
    for name in _FREE_FORM:
        if name in body and not is_plain(body[name]):
            return canonicalize(body)
    try:
        return canonicalize_plain(body)
    except CanonicalizationError:
        return canonicalize(body)  # which names the field and the rule


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
    sha256, quick = hashlib.sha256, _quick
    for i, event in enumerate(events):
        try:
            if not quick(event):  # validate_event, inline: the compiled path first
                _validate_fields(event)
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


def seal_checked(event: dict[str, Any], stream_id: str, seq: int, prev_hash: str) -> bytes | None:
    """``seal`` by the compiled encoder of the event's shape (``_encoder``), which also tests
    every field against its check: the same bytes and the same ``hash`` when every field of
    ``event`` (of the version this build writes) passes as it is. Otherwise None, with the chain
    fields set and nothing else changed: the caller then takes ``seal`` and its own checks."""
    event["stream_id"] = stream_id
    event["seq"] = seq
    event["prev_hash"] = prev_hash
    body = _encode_checked(event)  # None while the event holds a "hash"
    if body is None:
        return None
    digest = hashlib.sha256(body).hexdigest()
    event["hash"] = digest
    return _wire(body, digest)
