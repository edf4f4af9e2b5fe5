"""What is exported, read from the store: events with their integrity status, and alerts.

Guarantee: a record is the stored event exactly as the contract defines it (rebuilt from the
columns by ``rows.row_to_event``, the same dict ``verify`` hashes) plus what the store knows of
its integrity *now*:

``event``      ``broken`` when a stored finding (``integrity_findings``: found at ingest or by
               a ``verify`` run) names this event's stream and seq, or the event's own
               ``integrity`` column holds a finding class; else ``ok``.
``stream``     ``broken``: a finding names this stream anywhere; ``intact``: a ``verify`` run
               of this export proved the stream through this seq and found nothing;
               ``unvouched``: that run found it intact but not covered by a trusted
               checkpoint; ``unverified``: no finding stored and no verify run over it.
``checkpointed`` a stored signed checkpoint lies at or after this seq; ``digested``: a signed
               hourly digest covers this seq.

Events are read in pages after a per-stream cursor (``stream_id`` → last exported seq): a
stream's events are stored in seq order (the collector only appends to a chain), so "every
event whose seq is beyond its stream's cursor" is exactly what has not been exported, however
inserts interleave. Alerts are read after an ``(updated, id)`` cursor: every stored version of
an alert (a merge raising its count, an acknowledgement) is exported once.

Store errors propagate as the pipeline's ``StoreUnavailable``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from tooltrail.detectors.alertstore import alert_from_payload
from tooltrail.pipeline.store.rows import EVENT_COLUMN_NAMES, row_to_event

if TYPE_CHECKING:
    from tooltrail.detectors.alert import Alert
    from tooltrail.pipeline.events import EventFilter
    from tooltrail.pipeline.integrity import StoreVerifyReport
    from tooltrail.pipeline.store import Store

__all__ = [
    "STREAM_STATUSES",
    "AlertRecord",
    "EventRecord",
    "Integrity",
    "IntegrityIndex",
    "read_alerts",
    "read_events",
]

STREAM_STATUSES: Final = ("broken", "intact", "unvouched", "unverified")
_COLUMNS: Final = ", ".join(f"`{c}`" for c in EVENT_COLUMN_NAMES)


@dataclass(frozen=True, slots=True)
class Integrity:
    """One event's integrity as the store knows it (see the module docs)."""

    event: str  # ok | broken
    stream: str  # broken | intact | unvouched | unverified
    findings: tuple[str, ...] = ()  # finding classes at this event
    checkpointed: bool = False
    digested: bool = False


@dataclass(frozen=True, slots=True)
class EventRecord:
    """A stored event (contract fields) with its ingest time (µs) and integrity."""

    event: dict[str, Any]
    ingest_us: int
    integrity: Integrity


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """One stored version of an alert: stored first at ``created_us``, this version at
    ``updated_us`` (wall clock, µs)."""

    alert: Alert
    created_us: int
    updated_us: int


@dataclass(slots=True)
class IntegrityIndex:
    """Per stream: the seqs stored findings name, the highest checkpointed and digested seq,
    and what a verify run of this export proved. ``refresh`` re-reads the store's part."""

    findings: dict[str, dict[int, set[str]]] = field(default_factory=dict)
    checkpointed: dict[str, int] = field(default_factory=dict)
    digested: dict[str, int] = field(default_factory=dict)
    #: from a verify run: stream → (status, highest seq it covered)
    verified: dict[str, tuple[str, int]] = field(default_factory=dict)

    def refresh(self, store: Store, stream_ids: Iterable[str]) -> None:
        """Read the findings, checkpoint and digest heads of these streams from the store."""
        ids = sorted(set(stream_ids))
        if not ids:
            return
        db, params = store.database, {"ids": ids}
        for sid in ids:
            self.findings.pop(sid, None)
        for sid, seq, cls in store.query_rows(
            f"SELECT stream_id, seq, class FROM {db}.integrity_findings FINAL"  # noqa: S608
            " WHERE stream_id IN {ids:Array(String)}",
            params,
        ):
            self.findings.setdefault(str(sid), {}).setdefault(int(seq), set()).add(str(cls))
        for table, column, into in (
            ("checkpoints", "seq", self.checkpointed),
            ("digests", "last_seq", self.digested),
        ):
            for sid, seq in store.query_rows(
                f"SELECT stream_id, max({column}) FROM {db}.{table}"  # noqa: S608
                " WHERE stream_id IN {ids:Array(String)} GROUP BY stream_id",
                params,
            ):
                into[str(sid)] = int(seq)

    def add_report(self, report: StoreVerifyReport) -> None:
        """Take in a verify run: its findings, and each clean stream as intact or unvouched
        through its last verified seq."""
        for f in report.findings:
            self.findings.setdefault(f.stream_id, {}).setdefault(max(f.seq, 0), set()).add(f.cls)
        for sid, summary in report.streams.items():
            if summary.last_seq is not None:
                status = "unvouched" if summary.unvouched else "intact"
                self.verified[sid] = (status, int(summary.last_seq))

    def status(self, stream_id: str, seq: int, stored: str = "") -> Integrity:
        """The integrity of the event at ``seq`` (``stored``: its ``integrity`` column)."""
        by_seq = self.findings.get(stream_id, {})
        classes = set(by_seq.get(seq, ())) | {c for c in stored.split(",") if c}
        if by_seq:
            stream = "broken"
        else:
            status, through = self.verified.get(stream_id, ("unverified", -1))
            stream = status if seq <= through else "unverified"
        return Integrity(
            event="broken" if classes else "ok",
            stream=stream,
            findings=tuple(sorted(classes)),
            checkpointed=seq <= self.checkpointed.get(stream_id, -1),
            digested=seq <= self.digested.get(stream_id, -1),
        )


def read_events(
    store: Store,
    where: EventFilter,
    index: IntegrityIndex,
    *,
    after: Mapping[str, int] | None = None,
    limit: int = 5_000,
) -> list[EventRecord]:
    """Up to ``limit`` matching events beyond the per-stream cursor ``after`` (all when None),
    in ingest order (then stream, seq), with their integrity (``index`` refreshed for their
    streams)."""
    cond, params = where.where()
    if after:
        ids = sorted(after)
        cond += (
            " AND toInt64(seq) > transform(stream_id, {cur_ids:Array(String)},"
            " {cur_seqs:Array(Int64)}, toInt64(-1))"
        )
        params.update(cur_ids=ids, cur_seqs=[int(after[s]) for s in ids])
    sql = (
        f"SELECT {_COLUMNS}, toUnixTimestamp64Micro(ingest_time) AS _ingest_us"  # noqa: S608
        f" FROM {store.database}.events FINAL WHERE {cond}"
        f" ORDER BY ingest_time, stream_id, seq, hash LIMIT {int(limit)}"
    )
    rows = store.query_dicts(sql, params)
    index.refresh(store, {str(r["stream_id"]) for r in rows})
    out = []
    for row in rows:
        ingest = int(row.pop("_ingest_us"))
        integrity = index.status(str(row["stream_id"]), int(row["seq"]), str(row["integrity"]))
        out.append(EventRecord(row_to_event(row), ingest, integrity))
    return out


def read_alerts(
    store: Store,
    *,
    since_us: int | None = None,
    after: tuple[int, str] | None = None,
    limit: int = 5_000,
) -> list[AlertRecord]:
    """Up to ``limit`` stored alert versions after the ``(updated µs, id)`` cursor (windows
    starting at ``since_us`` or later), oldest change first."""
    cond, params = "1", dict[str, Any]()
    if since_us is not None:
        cond += " AND window_start >= fromUnixTimestamp64Micro(toInt64({since:UInt64}), 'UTC')"
        params["since"] = since_us
    if after is not None:
        cond += (
            " AND (toUnixTimestamp64Micro(updated) > {au:Int64}"
            " OR (toUnixTimestamp64Micro(updated) = {au:Int64} AND id > {aid:String}))"
        )
        params.update(au=after[0], aid=after[1])
    sql = (
        "SELECT payload, toUnixTimestamp64Micro(created), toUnixTimestamp64Micro(updated), id"  # noqa: S608
        f" FROM {store.database}.alerts FINAL WHERE {cond}"
        f" ORDER BY updated, id LIMIT {int(limit)}"
    )
    out = []
    for payload, created, updated, _ in store.query_rows(sql, params):
        out.append(AlertRecord(alert_from_payload(str(payload)), int(created), int(updated)))
    return out
