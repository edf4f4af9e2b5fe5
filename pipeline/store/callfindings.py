"""The ``call_findings`` table: what the detectors found by comparing calls and tool lists.

Two families, both written by ``tooltrail.detectors.callchecks`` (one row per finding, event time
``ts``), read here by anyone (the Investigation dashboard, ``tooltrail report``):

- **reconciliation** (``host_only``, ``server_only``, ``args_differ``, ``result_size_differs``):
  the host-side and server-side events of one MCP call disagree, or one of them is missing, in a
  deployment where both sides are audited;
- **tool drift** (``tool_changed``, ``tool_injection``): a tool's name, description or input
  schema changed without a server version change, or its description carries instructions aimed
  at the model (``tooltrail.emitter.toollist``).

Columns: ``kind``, ``severity``, ``ts`` (µs, the call's or listing's event time), ``key`` (the
finding's identity: the event ids it is about, plus the tool for drift), ``method``, ``tool``,
``host``/``server`` (source names of the two sides; for drift, ``server`` is the observer),
``client``, ``session_id``, ``trace_id``, ``host_event_id``, ``server_event_id``, ``server_name`` /
``server_version`` (``serverInfo``, drift), ``detail`` (one sentence), ``found_at``.
ReplacingMergeTree on ``(kind, key)``: judging the same events again (a replay, a backfill)
stores nothing new.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from ._store import Store

__all__ = [
    "CALL_FINDING_COLUMNS",
    "DRIFT_KINDS",
    "RECONCILE_KINDS",
    "call_findings",
    "call_findings_statements",
]

_LC = "LowCardinality(String)"

RECONCILE_KINDS: Final = ("host_only", "server_only", "args_differ", "result_size_differs")
DRIFT_KINDS: Final = ("tool_changed", "tool_injection")

CALL_FINDING_COLUMNS: Final = (
    ("kind", _LC),
    ("severity", _LC),
    ("ts", "UInt64"),
    ("key", "String"),
    ("method", _LC),
    ("tool", _LC),
    ("host", _LC),
    ("server", _LC),
    ("client", _LC),
    ("session_id", "String"),
    ("trace_id", "String"),
    ("host_event_id", "String"),
    ("server_event_id", "String"),
    ("server_name", _LC),
    ("server_version", _LC),
    ("detail", "String CODEC(ZSTD(3))"),
)


def call_findings_statements(db: str) -> list[str]:
    columns = ",\n    ".join(f"`{name}` {kind}" for name, kind in CALL_FINDING_COLUMNS)
    return [
        f"""CREATE TABLE IF NOT EXISTS {db}.call_findings (
    {columns},
    `found_at` DateTime64(6, 'UTC') DEFAULT now64(6, 'UTC')
) ENGINE = ReplacingMergeTree
ORDER BY (kind, key)"""
    ]


def call_findings(
    store: Store, since: int, until: int, *, kinds: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """Findings with event time in ``[since, until)`` (µs), oldest first; ``kinds`` narrows them
    (e.g. :data:`RECONCILE_KINDS` or :data:`DRIFT_KINDS`). Each a dict of the table's columns."""
    wanted = list(kinds) if kinds is not None else [*RECONCILE_KINDS, *DRIFT_KINDS]
    names = ", ".join(f"`{name}`" for name, _ in CALL_FINDING_COLUMNS)
    return store.query_dicts(
        f"SELECT {names} FROM {store.database}.call_findings FINAL"  # noqa: S608
        " WHERE ts >= {lo:UInt64} AND ts < {hi:UInt64} AND kind IN {k:Array(String)}"
        " ORDER BY ts, kind, key",
        {"lo": max(since, 0), "hi": max(until, 0), "k": wanted},
    )
