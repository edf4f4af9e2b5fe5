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
    "events_to_columns",
    "finding_rows",
    "integrity_by_seq",
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


def _json_text(value: Any) -> str:
    return "" if value is None else canonicalize(value).decode("utf-8")


#: events turned into columns at a time: each column is a pass over the events, and a pass over
#: a processor's whole buffer (20k events) misses the CPU caches (measured: twice the time)
_CHUNK: Final = 256


def events_to_columns(
    events: Sequence[Mapping[str, Any]], integrity: Sequence[str] | None = None
) -> list[list[Any]]:
    """The ``events`` columns (:data:`EVENT_COLUMN_NAMES` order) of valid events; ``integrity``
    holds each event's finding classes (default: all clean). Column-wise, ``_CHUNK`` events at
    a time: a few µs per event."""
    if len(events) <= _CHUNK:
        return _columns(events, integrity)
    columns: list[list[Any]] = [[] for _ in EVENT_COLUMN_NAMES]
    for start in range(0, len(events), _CHUNK):
        end = start + _CHUNK
        marks = integrity[start:end] if integrity is not None else None
        for column, part in zip(columns, _columns(events[start:end], marks), strict=True):
            column.extend(part)
    return columns


def _columns(
    events: Sequence[Mapping[str, Any]], integrity: Sequence[str] | None
) -> list[list[Any]]:
    sources = [e["source"] for e in events]
    actors = [e.get("actor") for e in events]
    a = [x if x is not None else {} for x in actors]
    redactions = [e.get("redactions") for e in events]
    none: dict[str, int] = {}  # one shared empty map (never mutated)

    def req(field: str) -> list[Any]:
        return [e[field] for e in events]

    def opt(field: str, default: Any = "") -> list[Any]:
        return [e.get(field, default) for e in events]

    def by_version(v1: str | None, v2: str | None) -> list[Any]:
        """One string column whose field is named by the event's version."""
        return [e.get((v1 if e["v"] == 1 else v2) or "", "") for e in events]

    renamed = [
        by_version(field, _RENAMED_V2.get(field, field)) if field in _RENAMED_V2 else opt(field)
        for field, _ in _OPTIONAL_STR
    ]

    return [
        req("stream_id"),
        req("seq"),
        req("hash"),
        req("v"),
        req("event_id"),
        req("prev_hash"),
        req("ts"),
        *[[s.get(key, "") for s in sources] for key, _ in _SOURCE],
        [x is not None for x in actors],
        *[[x.get(key, "") for x in a] for key, _ in _ACTOR],
        req("mcp.method.name"),
        req("outcome"),
        req("duration_us"),
        *renamed,
        opt("args_bytes", None),
        opt("result_bytes", None),
        opt("args_fingerprint"),
        [_json_text(e.get("args")) for e in events],
        opt("args_truncated", None),
        [r is not None for r in redactions],
        [r if r is not None else none for r in redactions],
        [_json_text(e.get("attrs")) for e in events],
        list(integrity) if integrity is not None else [""] * len(events),
        opt("server.port", None),
        *[by_version(None, field) for field, _ in _OPTIONAL_STR_V2],
    ]


def event_to_row(event: Mapping[str, Any], integrity: str = "") -> tuple[Any, ...]:
    """The ``events`` row of one valid event, in :data:`EVENT_COLUMN_NAMES` order."""
    return tuple(column[0] for column in events_to_columns([event], [integrity]))


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
