"""What the ``alerts`` table holds for an alert and how it is read back: the stored record (what
the store adds to an :class:`~.alert.Alert`), its row and payload, the filters and queries of a
listing, and the root actor alerts are grouped by. Used by :mod:`.alertstore`, which owns the
table; a store error propagates (``StoreUnavailable``)."""

from __future__ import annotations

import builtins
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from tooltrail.pipeline.store.filters import where

from .alert import SEVERITIES, Alert
from .errors import AlertNotFound

if TYPE_CHECKING:
    from tooltrail.pipeline.store import Store

__all__ = ["GROUPED_KINDS", "AlertReads", "AlertRecord", "alert_from_payload", "root_actor"]

#: entity kinds whose alerts are grouped by their root actor
GROUPED_KINDS = frozenset({"user", "user_tool", "agent", "stream"})


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """A stored alert with what the store adds: when it was first stored and last changed
    (wall clock, µs), who acknowledged it and the note given with a false-positive label."""

    alert: Alert
    created_us: int
    updated_us: int = 0
    note: str | None = None
    acked_by: str | None = None


def root_actor(alert: Alert) -> str | None:
    """The actor an alert is grouped by: its ``actor`` when the detector named one, else the
    entity up to its first ``|`` for the grouped kinds; None: not grouped."""
    if alert.actor:
        return alert.actor
    if alert.entity_kind not in GROUPED_KINDS:
        return None
    return alert.entity.split("|", 1)[0]


def alert_from_payload(payload: str) -> Alert:
    """The Alert in a stored ``payload`` (its ``annotations`` left out)."""
    data = json.loads(payload)
    data.pop("annotations", None)
    return Alert.from_dict(data)


def _record(payload: str, created_us: int, updated_us: int) -> AlertRecord:
    notes = json.loads(payload).get("annotations") or {}
    return AlertRecord(
        alert_from_payload(payload),
        int(created_us),
        int(updated_us),
        note=notes.get("note"),
        acked_by=notes.get("acked_by"),
    )


_FILTERS = {
    "id": "id = {id:String}",
    "key": "dedupe_key = {key:String}",
    "status": "status = {status:String}",
    "severity": "severity = {severity:String}",
    "since": "window_start >= fromUnixTimestamp64Micro({since:Int64}, 'UTC')",
    "until": "window_start < fromUnixTimestamp64Micro({until:Int64}, 'UTC')",
}


def _where(**values: Any) -> tuple[str, dict[str, Any]]:
    """A WHERE condition of the ``_FILTERS`` whose value is not None, and its parameters."""
    return where(_FILTERS, **values)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _dt(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def alert_row(record: AlertRecord, updated_us: int) -> Sequence[Any]:
    """The ``alerts`` row (``ALERT_COLUMNS`` order) of one version of an alert."""
    a = record.alert
    notes = {k: v for k, v in (("note", record.note), ("acked_by", record.acked_by)) if v}
    payload = json.dumps({**a.to_dict(), "annotations": notes}, separators=(",", ":"))
    return (
        a.id, _dt(record.created_us), _dt(updated_us), a.severity, a.entity_kind, a.entity,
        a.detector, float(a.score), a.dedupe_key, _dt(a.window_start), _dt(a.window_end),
        a.status, payload,
    )  # fmt: skip


_SELECT = (
    "SELECT payload, toUnixTimestamp64Micro(created) AS created_us,"
    " toUnixTimestamp64Micro(updated) AS updated_us"
)


def records(df: Any) -> list[AlertRecord]:
    """The records of a query result with ``payload``, ``created_us`` and ``updated_us``."""
    if not len(df):  # an empty result may come without columns
        return []
    rows = zip(df["payload"], df["created_us"], df["updated_us"], strict=True)
    return [_record(str(p), int(c), int(u)) for p, c, u in rows]


def select(
    store: Store, table: str, where: str, params: Mapping[str, Any], *, limit: int | None
) -> list[AlertRecord]:
    """The alerts matching ``where`` (:func:`_where`), newest ``window_start`` first."""
    sql = f"{_SELECT} FROM {table} FINAL WHERE {where} ORDER BY window_start DESC, id"
    if limit is not None:
        sql += " LIMIT {limit:UInt64}"
        params = {**params, "limit": limit}
    return records(store.query_df(sql, params))


def latest_records(store: Store, table: str) -> list[AlertRecord]:
    """The latest alert (by ``window_start``) of every dedupe key."""
    sql = (
        "SELECT argMax(payload, window_start) AS payload,"  # noqa: S608
        " argMax(toUnixTimestamp64Micro(created), window_start) AS created_us,"
        " argMax(toUnixTimestamp64Micro(updated), window_start) AS updated_us"
        f" FROM {table} FINAL GROUP BY dedupe_key"
    )
    return records(store.query_df(sql))


def fp_ends(store: Store, table: str, key: str | None) -> dict[str, int]:
    """Per dedupe key (or only ``key``), the latest ``last_window_end`` labelled false
    positive."""
    where, params = _where(status="false_positive", key=key)
    sql = (
        "SELECT dedupe_key, max(JSONExtractInt(payload, 'last_window_end')) AS fp_end"  # noqa: S608
        f" FROM {table} FINAL WHERE {where} GROUP BY dedupe_key"
    )
    df = store.query_df(sql, params)
    if not len(df):
        return {}
    return {str(k): int(v) for k, v in zip(df["dedupe_key"], df["fp_end"], strict=True)}


class AlertReads:
    """Reading the stored alerts (the :class:`~.alertstore.AlertStore` is one): by id, as a
    listing, and the false-positive labels. A store error propagates."""

    _store: Store
    _table: str

    def get(self, id: str) -> Alert:
        """The alert with this id, as last stored. Raises AlertNotFound naming the id."""
        return self.record(id).alert

    def record(self, id: str) -> AlertRecord:
        """The alert with this id and its store annotations. Raises AlertNotFound."""
        found = select(self._store, self._table, *_where(id=id), limit=1)
        if not found:
            raise AlertNotFound(f"no alert with id {id!r}")
        return found[0]

    def false_positive_labels(self, since_us: int | None = None) -> builtins.list[Alert]:
        """Every alert labelled false positive (``window_start >= since_us`` when given),
        oldest first: the labels for the next model fit."""
        found = select(
            self._store, self._table, *_where(status="false_positive", since=since_us), limit=None
        )
        return [r.alert for r in reversed(found)]

    def list(
        self,
        *,
        status: str | None = None,
        severity: str | None = None,
        since_us: int | None = None,
        until_us: int | None = None,
        limit: int = 50,
    ) -> builtins.list[Alert]:
        """Stored alerts, newest ``window_start`` first, at most ``limit``. ``since_us``
        (inclusive) and ``until_us`` (exclusive) bound ``window_start``; ``status`` and
        ``severity`` match exactly."""
        if limit < 1:
            raise ValueError("limit must be at least 1")
        if severity is not None and severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}, not {severity!r}")
        where = _where(status=status, severity=severity, since=since_us, until=until_us)
        return [r.alert for r in select(self._store, self._table, *where, limit=limit)]
