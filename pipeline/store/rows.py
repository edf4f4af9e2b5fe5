"""Events, checkpoints and findings ↔ table rows, losslessly.

``row_to_event(event_to_row(e)) == e`` for every valid event: the row holds every contract field
in its own column, so the event ``verify`` rebuilds from the columns alone hashes exactly as the
emitter's did. How the fields map:

- required strings and integers: a column each (``mcp.method.name`` → ``method``, …);
- optional strings: a column each, ``''`` when absent (the contract forbids empty strings);
  a column keeps one meaning across contract versions, so two fields map to it by ``v``:
  ``transport`` is the MCP transport (v1 ``network.transport``, v2 ``tooltrail.transport``),
  ``tools_hash`` the tools/list hash (v1 ``mcp.tools.hash``, v2 ``tooltrail.tools.hash``);
  v2's OpenTelemetry ``network.transport`` has its own column, ``network_transport``;
- optional integers (``args_bytes``, ``result_bytes``, ``server.port``) and ``args_truncated``:
  Nullable;
- ``source.*`` → ``source_kind``, ``source_name``, ``source_version``, ``source_hostname``;
- ``actor.*`` → ``user``, ``client``, ``client_version``, ``agent``, ``tenant``, plus
  ``has_actor`` (``"actor": {}`` is valid and differs from no actor);
- ``redactions`` → Map plus ``has_redactions`` (``{}`` differs from absent); a row whose
  flag says "absent" but whose columns hold values (only an edit makes one) comes back with
  those values and an extra member :data:`INCONSISTENT`, so that no edit of a flag or of a
  member goes unseen: the rebuilt event cannot hash like the original;
- ``args`` / ``attrs`` → their RFC 8785 canonical JSON text, ``''`` when absent. Canonical JSON
  parses back to values with the same canonical bytes, so the hash survives; numbers come back
  equal too (``2.0`` as ``2``; an integral double beyond 2**53, which JCS writes without a
  fraction, as a float). Only an integer beyond 2**53 in the emitter's dict comes back as the
  double the hash already covered.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from tooltrail.contract import canonicalize
from tooltrail.contract.jcs import MAX_SAFE_INTEGER

from .schema import EVENT_COLUMNS

__all__ = [
    "EVENT_COLUMN_NAMES",
    "FIELD_COLUMNS",
    "FINDING_SOURCES",
    "INCONSISTENT",
    "checkpoint_to_row",
    "event_to_row",
    "finding_rows",
    "integrity_by_seq",
    "json_text",
    "row_to_checkpoint",
    "row_to_event",
]


def _number(text: str) -> int | float:
    """JSON integers beyond 2**53 in canonical text are doubles JCS wrote without a fraction."""
    value = int(text)
    return value if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER else float(text)


def _loads(text: str) -> Any:
    """Parse stored canonical JSON. Text that is not JSON (only an edit of the row makes it so)
    comes back as the string itself: the rebuilt event then fails its hash, and ``verify``
    reports it as modified instead of stopping."""
    try:
        return json.loads(text, parse_int=_number)
    except ValueError:
        return text


EVENT_COLUMN_NAMES: Final = tuple(name for name, _ in EVENT_COLUMNS)
#: who found an integrity break (``integrity_findings.source``)
FINDING_SOURCES: Final = frozenset({"collector", "pipeline", "verify"})
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
#: a member no valid event has: marks a row whose presence flags contradict its columns
INCONSISTENT: Final = "_inconsistent_row"

_SOURCE: Final = (
    ("kind", "source_kind"),
    ("name", "source_name"),
    ("version", "source_version"),
    ("hostname", "source_hostname"),
)
_ACTOR: Final = (
    ("user", "user"),
    ("client", "client"),
    ("client_version", "client_version"),
    ("agent", "agent"),
    ("tenant", "tenant"),
)
#: optional top-level string fields of contract version 1, in column order
_OPTIONAL_STR: Final = (
    ("gen_ai.tool.name", "tool"),
    ("gen_ai.tool.call.id", "tool_call_id"),
    ("gen_ai.prompt.name", "prompt"),
    ("mcp.resource.uri", "resource_uri"),
    ("mcp.session.id", "session_id"),
    ("mcp.protocol.version", "protocol_version"),
    ("mcp.tools.hash", "tools_hash"),
    ("jsonrpc.request.id", "request_id"),
    ("error.type", "error_type"),
    ("network.transport", "transport"),
    ("server.address", "server_address"),
    ("trace_id", "trace_id"),
    ("span_id", "span_id"),
)
#: version 2 renames (same column, same meaning) ...
_RENAMED_V2: Final = {
    "mcp.tools.hash": "tooltrail.tools.hash",
    "network.transport": "tooltrail.transport",
}
#: ... and adds these optional strings, in column order (after ``integrity``)
_OPTIONAL_STR_V2: Final = (
    ("network.transport", "network_transport"),
    ("network.protocol.name", "protocol_name"),
    ("gen_ai.operation.name", "operation"),
)
#: each version's optional string fields → columns
_STR_FIELDS: Final = {
    1: _OPTIONAL_STR,
    2: tuple((_RENAMED_V2.get(f, f), c) for f, c in _OPTIONAL_STR) + _OPTIONAL_STR_V2,
}
#: contract field (dotted for nested members) → events column, for queries written by hand
FIELD_COLUMNS: Final[Mapping[str, str]] = {
    "v": "v",
    "event_id": "event_id",
    "stream_id": "stream_id",
    "seq": "seq",
    "prev_hash": "prev_hash",
    "hash": "hash",
    "ts": "ts",
    **{f"source.{k}": c for k, c in _SOURCE},
    **{f"actor.{k}": c for k, c in _ACTOR},
    "mcp.method.name": "method",
    "outcome": "outcome",
    "duration_us": "duration_us",
    # the current version's names win where a name moved (v1 network.transport: `transport`)
    **{field: column for fields in _STR_FIELDS.values() for field, column in fields},
    "server.port": "server_port",
    "args_bytes": "args_bytes",
    "result_bytes": "result_bytes",
    "args_fingerprint": "args_fingerprint",
    "args": "args",
    "args_truncated": "args_truncated",
    "redactions": "redactions",
    "attrs": "attrs",
}


def json_text(value: Any) -> str:
    """The ``args`` / ``attrs`` column's text of a value: its canonical JSON, ``''`` for none."""
    return "" if value is None else canonicalize(value).decode("utf-8")


#: one shared empty map for the rows of events without redactions (never mutated)
_NO_REDACTIONS: Final[Mapping[str, int]] = {}


def event_to_row(event: Mapping[str, Any], integrity: str = "") -> tuple[Any, ...]:
    """The ``events`` row of one valid event, in :data:`EVENT_COLUMN_NAMES` order.

    The definition of the mapping, field by field; ``columns.events_to_columns`` builds the
    same rows, many at a time, from functions compiled per event shape (and falls back to this).
    """
    v1 = event["v"] == 1
    source = event["source"]
    actor = event.get("actor")
    a = actor if actor is not None else {}
    redactions = event.get("redactions")
    strings = _OPTIONAL_STR if v1 else _STR_FIELDS[2][: len(_OPTIONAL_STR)]
    return (
        event["stream_id"],
        event["seq"],
        event["hash"],
        event["v"],
        event["event_id"],
        event["prev_hash"],
        event["ts"],
        *[source.get(key, "") for key, _ in _SOURCE],
        actor is not None,
        *[a.get(key, "") for key, _ in _ACTOR],
        event["mcp.method.name"],
        event["outcome"],
        event["duration_us"],
        *[event.get(field, "") for field, _ in strings],
        event.get("args_bytes"),
        event.get("result_bytes"),
        event.get("args_fingerprint", ""),
        json_text(event.get("args")),
        event.get("args_truncated"),
        redactions is not None,
        redactions if redactions is not None else _NO_REDACTIONS,
        json_text(event.get("attrs")),
        integrity,
        event.get("server.port"),
        *["" if v1 else event.get(field, "") for field, _ in _OPTIONAL_STR_V2],
    )


def row_to_event(row: Mapping[str, Any]) -> dict[str, Any]:
    """Rebuild the event (exactly the dict the emitter hashed) from an ``events`` row."""
    source = {"kind": row["source_kind"], "name": row["source_name"]}
    for key, column in _SOURCE[2:]:
        if row[column]:
            source[key] = row[column]
    event: dict[str, Any] = {
        "v": row["v"],
        "event_id": row["event_id"],
        "stream_id": row["stream_id"],
        "seq": row["seq"],
        "prev_hash": row["prev_hash"],
        "hash": row["hash"],
        "ts": row["ts"],
        "source": source,
    }
    actor = {key: row[column] for key, column in _ACTOR if row[column]}
    if row["has_actor"] or actor:
        event["actor"] = actor
        if not row["has_actor"]:
            event[INCONSISTENT] = "actor"
    event["mcp.method.name"] = row["method"]
    event["outcome"] = row["outcome"]
    event["duration_us"] = row["duration_us"]
    for field, column in _STR_FIELDS.get(row["v"], _OPTIONAL_STR):
        if row.get(column):
            event[field] = row[column]
    if row.get("server_port") is not None:
        event["server.port"] = row["server_port"]
    for field in ("args_bytes", "result_bytes"):
        if row[field] is not None:
            event[field] = row[field]
    if row["args_fingerprint"]:
        event["args_fingerprint"] = row["args_fingerprint"]
    if row["args"]:
        event["args"] = _loads(row["args"])
    if row["args_truncated"] is not None:
        event["args_truncated"] = bool(row["args_truncated"])
    if row["has_redactions"] or row["redactions"]:
        event["redactions"] = dict(row["redactions"])
        if not row["has_redactions"]:
            event[INCONSISTENT] = "redactions"
    if row["attrs"]:
        event["attrs"] = _loads(row["attrs"])
    return event


def integrity_by_seq(seqs: Sequence[int], findings: Sequence[Mapping[str, Any]]) -> dict[int, str]:
    """The ``integrity`` value per event seq of a segment: its finding classes, comma-joined.

    A finding names a seq; when no event of the segment has it (``deleted`` names the first
    missing seq, ``truncated`` one past the end) it marks the first event after it, if any.
    """
    if not findings:
        return {}
    ordered = sorted(set(seqs))
    marks: dict[int, list[str]] = {}
    for finding in findings:
        seq = int(finding["seq"])
        at = bisect_left(ordered, seq)
        if at < len(ordered):
            classes = marks.setdefault(ordered[at], [])
            if finding["class"] not in classes:
                classes.append(str(finding["class"]))
    return {seq: ",".join(sorted(classes)) for seq, classes in marks.items()}


def finding_rows(findings: Sequence[Mapping[str, Any]], source: str) -> list[tuple[Any, ...]]:
    """``integrity_findings`` rows (schema.FINDING_COLUMNS order) of finding dicts: ``stream_id``,
    ``seq``, ``class`` (or ``cls``), optional ``detail``, ``event_id``, ``found_at`` (datetime
    or µs since the epoch; default now) and ``source`` (default: the ``source`` argument)."""
    now = datetime.now(UTC)
    rows = []
    for i, f in enumerate(findings):
        cls = f.get("class", f.get("cls"))
        if not isinstance(cls, str) or not cls:
            raise ValueError(f"findings[{i}].class must be a non-empty string")
        origin = f.get("source", source)
        if origin not in FINDING_SOURCES:
            raise ValueError(f"findings[{i}].source must be one of {sorted(FINDING_SOURCES)}")
        found = f.get("found_at")
        if isinstance(found, int):
            found = _EPOCH + timedelta(microseconds=found)
        detail, event_id = str(f.get("detail") or ""), str(f.get("event_id") or "")
        row = (str(f["stream_id"]), int(f["seq"]), cls, detail, origin, event_id, found or now)
        rows.append(row)
    return rows


def checkpoint_to_row(cp: Mapping[str, Any], source: str) -> tuple[Any, ...]:
    """The ``checkpoints`` row (schema.CHECKPOINT_COLUMNS order) of a valid checkpoint."""
    return (
        cp["stream_id"],
        cp["seq"],
        cp["hash"],
        cp["v"],
        cp["ts"],
        cp["alg"],
        cp.get("key_id", ""),
        cp.get("sig", ""),
        source,
    )


def row_to_checkpoint(row: Mapping[str, Any]) -> dict[str, Any]:
    """Rebuild the checkpoint exactly as signed (``key_id``/``sig`` only when present)."""
    cp: dict[str, Any] = {
        "type": "checkpoint",
        "v": row["v"],
        "stream_id": row["stream_id"],
        "seq": row["seq"],
        "hash": row["hash"],
        "ts": row["ts"],
        "alg": row["alg"],
    }
    if row["key_id"]:
        cp["key_id"] = row["key_id"]
    if row["sig"]:
        cp["sig"] = row["sig"]
    return cp
