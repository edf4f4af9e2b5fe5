"""The store's tables, made by code: versioned, idempotent migrations in our own database.

One SQL for ClickHouse server and chDB (``ENGINE = Atomic`` database, plain MergeTree family, no
Kafka engine, no users/grants, no Replicated engines; every time type pins ``'UTC'`` because chDB
reports the host's timezone). Table names are always qualified with the database, never
``default``.

Tables (``version 1``):

``events``             one row per event; every contract field has a column, so an event is
                       rebuilt from the columns alone (``rows.row_to_event``) and ``verify``
                       notices an UPDATE of any of them. ReplacingMergeTree ordered by
                       ``(stream_id, seq, hash)``: an exact redelivery collapses, but two different
                       events claiming one seq (a fork, an insertion) both stay, as evidence.
                       Partitioned by day of event time; optional TTL (``ttl_days``) drops whole
                       parts. ``time`` (DateTime64) is computed from the exact integer ``ts`` (µs).
                       (version 3) the columns of contract version 2's fields.
``rollup_1m``          AggregatingMergeTree fed by ``rollup_1m_mv``: per minute of event time ×
                       source kind × source name × server address × method × tool × user: calls,
                       errors, denials, args/result bytes, duration sum/max (SimpleAggregate),
                       distinct resources (``uniq`` state), duration quantiles (t-digest state:
                       p50/p90/p95/p99). Read it with ``sum``/``max`` and ``-Merge``.
``chain_heads``        ReplacingMergeTree(seq) per stream: last stored seq and hash.
``checkpoints``        the signed checkpoints, every field (so signatures can be re-checked).
``integrity_findings`` breaks found by the collector, the pipeline or ``verify``.
``alerts``             the detectors' alerts (status updates re-insert with a newer
                       ``updated``).
``digests``            hourly signed Merkle digests per stream (``pipeline.integrity``).
``leases``             (version 2) who runs the detectors: one row per (name, term, holder),
                       renewals replace it (``tooltrail.detectors.lease``).
``quarantine``         (version 4) evidence kept beside the streams, never in them: what did
                       not continue a stream's chain (``quarantine.py``).
``call_findings``      (version 5) reconciliation of host- and server-side events of a call, and
                       tool-description drift, as the detectors found them (``callfindings.py``).
``announcements``      (version 6) the change calendar: announced activity the detectors keep
                       from paging (``announcements.py``, ``tooltrail.detectors.announce``).
``schema_migrations``  one row per applied migration version.

Events and rollups deduplicate retried inserts by ``insert_deduplication_token``
(``non_replicated_deduplication_window`` on both, so the materialized view's block is dropped too).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from .announcements import announcement_statements
from .callfindings import call_findings_statements
from .quarantine import quarantine_statements

if TYPE_CHECKING:
    from clickhouse_connect.driver.client import Client

__all__ = [
    "ALERT_COLUMNS",
    "CHECKPOINT_COLUMNS",
    "DIGEST_COLUMNS",
    "EVENT_COLUMNS",
    "FINDING_COLUMNS",
    "HEAD_COLUMNS",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "TABLES",
    "Migration",
    "check_database_name",
    "migrate",
]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}\Z")
_LC = "LowCardinality(String)"
_Z = "CODEC(ZSTD(1))"
_TS = "DateTime64(6, 'UTC')"

#: columns added by contract version 2 (migration 3 adds them to a store made before it)
_V2_EVENT_COLUMNS: Final = (
    ("server_port", "Nullable(UInt16)"),
    ("network_transport", _LC),
    ("protocol_name", _LC),
    ("operation", _LC),
)
#: the inserted columns of ``events`` (name, type), in the order ``rows.event_to_row`` fills them
EVENT_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("stream_id", f"String {_Z}"),
    ("seq", "UInt64 CODEC(Delta, ZSTD(1))"),
    ("hash", f"String {_Z}"),
    ("v", "UInt8"),
    ("event_id", f"String {_Z}"),
    ("prev_hash", f"String {_Z}"),
    ("ts", "UInt64 CODEC(Delta, ZSTD(1))"),
    ("source_kind", _LC),
    ("source_name", _LC),
    ("source_version", _LC),
    ("source_hostname", _LC),
    ("has_actor", "Bool"),
    ("user", _LC),
    ("client", _LC),
    ("client_version", _LC),
    ("agent", _LC),
    ("tenant", _LC),
    ("method", _LC),
    ("outcome", _LC),
    ("duration_us", "UInt64 CODEC(T64, ZSTD(1))"),
    ("tool", _LC),
    ("tool_call_id", f"String {_Z}"),
    ("prompt", _LC),
    ("resource_uri", f"String {_Z}"),
    ("session_id", f"String {_Z}"),
    ("protocol_version", _LC),
    ("tools_hash", _LC),
    ("request_id", f"String {_Z}"),
    ("error_type", _LC),
    ("transport", _LC),
    ("server_address", _LC),
    ("trace_id", f"String {_Z}"),
    ("span_id", f"String {_Z}"),
    ("args_bytes", "Nullable(UInt64)"),
    ("result_bytes", "Nullable(UInt64)"),
    ("args_fingerprint", f"String {_Z}"),
    ("args", "String CODEC(ZSTD(3))"),
    ("args_truncated", "Nullable(Bool)"),
    ("has_redactions", "Bool"),
    ("redactions", "Map(LowCardinality(String), UInt64)"),
    ("attrs", "String CODEC(ZSTD(3))"),
    ("integrity", _LC),
    *_V2_EVENT_COLUMNS,
)
CHECKPOINT_COLUMNS: Final = (
    ("stream_id", "String"),
    ("seq", "UInt64"),
    ("hash", "String"),
    ("v", "UInt8"),
    ("ts", "UInt64"),
    ("alg", _LC),
    ("key_id", _LC),
    ("sig", "String"),
    ("source", _LC),
)
FINDING_COLUMNS: Final = (
    ("stream_id", "String"),
    ("seq", "UInt64"),
    ("class", _LC),
    ("detail", "String"),
    ("source", _LC),
    ("event_id", "String"),
    ("found_at", "DateTime64(6, 'UTC')"),
)
HEAD_COLUMNS: Final = (
    ("stream_id", "String"),
    ("seq", "UInt64"),
    ("hash", "String"),
    ("source", _LC),
)

TABLES: Final = (
    "events",
    "rollup_1m",
    "rollup_1m_mv",
    "chain_heads",
    "checkpoints",
    "integrity_findings",
    "alerts",
    "digests",
    "leases",
    "schema_migrations",
    "quarantine",
    "call_findings",
    "announcements",
)


#: the detectors' alerts (``tooltrail.detectors.alertstore`` writes these columns)
ALERT_COLUMNS: Final = (
    ("id", "String"),
    ("created", _TS),
    ("updated", _TS),
    ("severity", _LC),
    ("entity_kind", _LC),
    ("entity", "String"),
    ("detector", _LC),
    ("score", "Float64"),
    ("dedupe_key", "String"),
    ("window_start", _TS),
    ("window_end", _TS),
    ("status", _LC),
    ("payload", "String"),
)
_ALERT_EXTRAS: Final = {"updated": "DEFAULT now64(6, 'UTC')", "payload": "CODEC(ZSTD(3))"}

#: hourly signed digests (``tooltrail.pipeline.integrity.digests`` writes these columns)
DIGEST_COLUMNS: Final = (
    ("stream_id", "String"),
    ("hour", "DateTime('UTC')"),
    ("first_seq", "UInt64"),
    ("last_seq", "UInt64"),
    ("count", "UInt64"),
    ("merkle_root", "String"),
    ("prev_digest_hash", "String"),
    ("ts", "UInt64"),
    ("alg", _LC),
    ("key_id", _LC),
    ("sig", "String"),
    ("body", "String"),
)
_DIGEST_EXTRAS: Final = {"body": "CODEC(ZSTD(3))"}


def _cols(columns: tuple[tuple[str, str], ...], extras: dict[str, str] | None = None) -> str:
    """Column definitions for DDL: name, type and (from ``extras``) default or codec."""
    extras = extras or {}
    return ",\n    ".join(
        f"`{name}` {kind}" + (f" {extras[name]}" if name in extras else "")
        for name, kind in columns
    )


def _v1(db: str) -> list[str]:
    dedupe = "non_replicated_deduplication_window = 1000"
    return [
        f"""CREATE TABLE IF NOT EXISTS {db}.events (
    {_cols(EVENT_COLUMNS)},
    `time` DateTime64(6, 'UTC') MATERIALIZED fromUnixTimestamp64Micro(toInt64(ts), 'UTC')
        CODEC(Delta, ZSTD(1)),
    `ingest_time` DateTime64(6, 'UTC') DEFAULT now64(6, 'UTC') CODEC(Delta, ZSTD(1)),
    INDEX idx_time time TYPE minmax GRANULARITY 1,
    INDEX idx_user user TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_tool tool TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_trace trace_id TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_session session_id TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_event_id event_id TYPE bloom_filter(0.01) GRANULARITY 4
) ENGINE = ReplacingMergeTree
PARTITION BY toDate(time)
ORDER BY (stream_id, seq, hash)
SETTINGS {dedupe}, ttl_only_drop_parts = 1""",
        f"""CREATE TABLE IF NOT EXISTS {db}.rollup_1m (
    `minute` DateTime('UTC'),
    `source_kind` {_LC},
    `source_name` {_LC},
    `server_address` {_LC},
    `method` {_LC},
    `tool` {_LC},
    `user` {_LC},
    `calls` SimpleAggregateFunction(sum, UInt64),
    `errors` SimpleAggregateFunction(sum, UInt64),
    `denials` SimpleAggregateFunction(sum, UInt64),
    `args_bytes` SimpleAggregateFunction(sum, UInt64),
    `result_bytes` SimpleAggregateFunction(sum, UInt64),
    `duration_sum` SimpleAggregateFunction(sum, UInt64),
    `duration_max` SimpleAggregateFunction(max, UInt64),
    `resources` AggregateFunction(uniq, String),
    `duration_q` AggregateFunction(quantilesTDigest(0.5, 0.9, 0.95, 0.99), UInt64)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, source_name, tool, user, method, server_address, source_kind)
SETTINGS {dedupe}""",
        f"""CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.rollup_1m_mv TO {db}.rollup_1m AS
SELECT
    toStartOfMinute(fromUnixTimestamp64Micro(toInt64(ts), 'UTC')) AS minute,
    source_kind, source_name, server_address, method, tool, user,
    count() AS calls,
    countIf(outcome = 'error') AS errors,
    countIf(outcome = 'denied') AS denials,
    sum(ifNull(args_bytes, 0)) AS args_bytes,
    sum(ifNull(result_bytes, 0)) AS result_bytes,
    sum(duration_us) AS duration_sum,
    max(duration_us) AS duration_max,
    uniqStateIf(resource_uri, resource_uri != '') AS resources,
    quantilesTDigestState(0.5, 0.9, 0.95, 0.99)(duration_us) AS duration_q
FROM {db}.events
GROUP BY minute, source_kind, source_name, server_address, method, tool, user""",  # noqa: S608
        f"""CREATE TABLE IF NOT EXISTS {db}.chain_heads (
    {_cols(HEAD_COLUMNS)},
    `updated` DateTime64(6, 'UTC') DEFAULT now64(6, 'UTC')
) ENGINE = ReplacingMergeTree(seq)
ORDER BY stream_id""",
        f"""CREATE TABLE IF NOT EXISTS {db}.checkpoints (
    {_cols(CHECKPOINT_COLUMNS)},
    `ingest_time` DateTime64(6, 'UTC') DEFAULT now64(6, 'UTC')
) ENGINE = ReplacingMergeTree
ORDER BY (stream_id, seq, hash, sig)""",
        f"""CREATE TABLE IF NOT EXISTS {db}.integrity_findings (
    {_cols(FINDING_COLUMNS)}
) ENGINE = ReplacingMergeTree
ORDER BY (stream_id, seq, class, source, detail)""",
        f"""CREATE TABLE IF NOT EXISTS {db}.alerts (
    {_cols(ALERT_COLUMNS, _ALERT_EXTRAS)}
) ENGINE = ReplacingMergeTree(updated)
PARTITION BY toYYYYMM(created)
ORDER BY (dedupe_key, window_start, id)""",
        f"""CREATE TABLE IF NOT EXISTS {db}.digests (
    {_cols(DIGEST_COLUMNS, _DIGEST_EXTRAS)}
) ENGINE = ReplacingMergeTree
ORDER BY (stream_id, hour)""",
    ]


def _contract_v2(db: str) -> list[str]:
    return [
        f"ALTER TABLE {db}.events ADD COLUMN IF NOT EXISTS `{name}` {kind}"
        for name, kind in _V2_EVENT_COLUMNS
    ]


def _leases(db: str) -> list[str]:
    return [
        f"""CREATE TABLE IF NOT EXISTS {db}.leases (
    `name` {_LC},
    `term` UInt64,
    `holder` String,
    `expires` DateTime64(6, 'UTC'),
    `cursor` Int64,
    `written` DateTime64(6, 'UTC') DEFAULT now64(6, 'UTC')
) ENGINE = ReplacingMergeTree(written)
ORDER BY (name, term, holder)""",
    ]


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step. Its statements must be idempotent (``IF NOT EXISTS``): a migration cut
    short by a crash runs again in full."""

    version: int
    description: str
    statements: Callable[[str], list[str]]


MIGRATIONS: Final = (
    Migration(1, "events, rollup_1m (+ view), chain heads, checkpoints, findings, alerts", _v1),
    Migration(2, "leases: one active detectors instance per store", _leases),
    Migration(3, "events: the columns of contract version 2", _contract_v2),
    Migration(4, "quarantine: evidence kept beside the streams", quarantine_statements),
    Migration(
        5, "call_findings: host/server reconciliation and tool drift", call_findings_statements
    ),
    Migration(
        6, "announcements: the change calendar (announced activity)", announcement_statements
    ),
)
SCHEMA_VERSION: Final = MIGRATIONS[-1].version


def check_database_name(name: str) -> str:
    """Database names are interpolated into SQL: allow only plain identifiers (not ``default``)."""
    if not _NAME.match(name) or name.lower() in {"default", "system"}:
        raise ValueError(f"database must be a plain identifier other than default/system: {name!r}")
    return name


def _ttl_statement(client: Client, db: str, ttl_days: int | None) -> str | None:
    engine = client.command(
        "SELECT engine_full FROM system.tables WHERE database = {db:String} AND name = 'events'",
        parameters={"db": db},
    )
    has_ttl = " TTL " in f" {engine} "
    if ttl_days is None:
        return f"ALTER TABLE {db}.events REMOVE TTL" if has_ttl else None
    if has_ttl and f"toIntervalDay({ttl_days})" in str(engine):
        return None
    return f"ALTER TABLE {db}.events MODIFY TTL toDateTime(time) + toIntervalDay({ttl_days})"


def migrate(client: Client, database: str, *, ttl_days: int | None = None) -> int:
    """Bring ``database`` up to :data:`SCHEMA_VERSION`; safe to run any number of times.

    The events TTL follows ``ttl_days`` (set, changed or removed) on every run.
    """
    db = check_database_name(database)
    client.command(f"CREATE DATABASE IF NOT EXISTS {db} ENGINE = Atomic")
    client.command(
        f"""CREATE TABLE IF NOT EXISTS {db}.schema_migrations (
    `version` UInt32, `description` String,
    `applied_at` DateTime64(6, 'UTC') DEFAULT now64(6, 'UTC')
) ENGINE = ReplacingMergeTree ORDER BY version"""
    )
    current = int(str(client.command(f"SELECT max(version) FROM {db}.schema_migrations")))  # noqa: S608
    for step in MIGRATIONS:
        if step.version <= current:
            continue
        for sql in step.statements(db):
            client.command(sql)
        client.insert(
            f"{db}.schema_migrations",
            [[step.version, step.description]],
            column_names=["version", "description"],
            column_type_names=["UInt32", "String"],
        )
        current = step.version
    ttl = _ttl_statement(client, db, ttl_days)
    if ttl is not None:
        client.command(ttl)
    return current
