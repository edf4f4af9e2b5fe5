"""The ``quarantine`` table: evidence the collector kept *beside* a stream, never in it.

What a writer sent that does not continue a stream's chain (a far-future seq, a wrong link, a
fork at an accepted seq, a replay with new content, a checkpoint that does not verify, a write
into a stream of another source) reaches the store in a quarantine segment: its events and
checkpoints go here, one row each, exactly as received (canonical JSON in ``body``), and its
findings go to ``integrity_findings`` like any other (so the detectors raise an integrity alert).
Nothing here touches ``events``, ``checkpoints`` or ``chain_heads``: the stream, its rollups and
``verify`` see only what continued the chain.

Columns: ``stream_id``, ``seq``, ``kind`` (``event`` | ``checkpoint``), ``hash`` (as claimed),
``event_id`` (events), ``writer`` (the source of the key that sent it), ``findings`` (the
segment's finding classes, comma-joined), ``digest`` (SHA-256 of ``body``), ``body``,
``received``. ReplacingMergeTree on ``(stream_id, seq, kind, digest)``: a redelivered segment
collapses; two different bodies claiming one position both stay.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any, Final

from tooltrail.contract import canonicalize

__all__ = ["QUARANTINE_COLUMNS", "quarantine_rows", "quarantine_statements"]

QUARANTINE_COLUMNS: Final = (
    ("stream_id", "String"),
    ("seq", "UInt64"),
    ("kind", "LowCardinality(String)"),
    ("hash", "String"),
    ("event_id", "String"),
    ("writer", "LowCardinality(String)"),
    ("findings", "LowCardinality(String)"),
    ("digest", "String"),
    ("body", "String CODEC(ZSTD(3))"),
)


def quarantine_statements(db: str) -> list[str]:
    columns = ",\n    ".join(f"`{name}` {kind}" for name, kind in QUARANTINE_COLUMNS)
    return [
        f"""CREATE TABLE IF NOT EXISTS {db}.quarantine (
    {columns},
    `received` DateTime64(6, 'UTC') DEFAULT now64(6, 'UTC')
) ENGINE = ReplacingMergeTree
ORDER BY (stream_id, seq, kind, digest)"""
    ]


def _row(
    stream_id: str, kind: str, item: Mapping[str, Any], writer: str, findings: str
) -> tuple[Any, ...]:
    body = canonicalize(dict(item))
    return (
        stream_id,
        int(item["seq"]),
        kind,
        str(item.get("hash", "")),
        str(item.get("event_id", "")) if kind == "event" else "",
        writer,
        findings,
        hashlib.sha256(body).hexdigest(),
        body.decode("utf-8"),
    )


def quarantine_rows(
    stream_id: str,
    writer: str,
    events: Sequence[Mapping[str, Any]],
    checkpoints: Sequence[Mapping[str, Any]],
    findings: Sequence[Mapping[str, Any]],
) -> list[tuple[Any, ...]]:
    """The rows (:data:`QUARANTINE_COLUMNS` order) of one quarantine segment."""
    classes = ",".join(dict.fromkeys(str(f["class"]) for f in findings))
    rows = [_row(stream_id, "event", e, writer, classes) for e in events]
    rows += [_row(stream_id, "checkpoint", cp, writer, classes) for cp in checkpoints]
    return rows
