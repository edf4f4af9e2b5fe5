"""The store on chDB and through clickhouse-connect's HTTP client: schema, inserts, reads."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import clickhouse_connect
import orjson
import pytest

from tests._infra.chbridge import ChBridge
from tests.conftest import build_chain
from tooltrail.contract import (
    GENESIS_HASH,
    Signer,
    checkpoint_body,
    compute_hash,
    seal,
    verify,
    verify_checkpoint,
)
from tooltrail.pipeline.errors import PipelineError, PoisonRecord, StoreUnavailable
from tooltrail.pipeline.segments import DecodedSegment, decode_segment
from tooltrail.pipeline.store import (
    SCHEMA_VERSION,
    TABLES,
    Store,
    StoreConfig,
    open_store,
)
from tooltrail.pipeline.store.rows import EVENT_COLUMN_NAMES

STREAM = "svc.0123456789abcdef"


def segment(
    events: list[dict[str, Any]],
    *,
    checkpoints: list[dict[str, Any]] | None = None,
    findings: list[dict[str, Any]] | None = None,
) -> DecodedSegment:
    stream = events[0]["stream_id"] if events else STREAM
    return DecodedSegment(stream, "svc", events, checkpoints or [], findings or [])


def rows(store: Store, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    """The rows of ``sql``, with ``{db}`` standing for the store's database."""
    return store.query_rows(sql.replace("{db}", store.database), params)


def run(store: Store, sql: str) -> Any:
    return store.command(sql.replace("{db}", store.database))


def count(store: Store, table: str, *, final: bool = True) -> int:
    sql = "SELECT count() FROM {db}.{table} {final}".replace("{table}", table)
    return int(rows(store, sql.replace("{final}", "FINAL" if final else ""))[0][0])


# -- decode_segment -------------------------------------------------------------------------------


def _body(**overrides: Any) -> bytes:
    doc: dict[str, Any] = {
        "v": 1,
        "stream_id": STREAM,
        "source": "svc",
        "events": build_chain(3),
        "checkpoints": [checkpoint_body(STREAM, 2, "a" * 64, 5)],
        "findings": [{"class": "deleted", "seq": 0, "detail": "seq 0..0 missing"}],
    }
    doc.update(overrides)
    return orjson.dumps({k: v for k, v in doc.items() if v is not None})


def test_decode_segment() -> None:
    seg = decode_segment(_body())
    assert (seg.stream_id, seg.source) == (STREAM, "svc")
    assert seg.events == build_chain(3)
    assert seg.checkpoints[0]["seq"] == 2
    assert seg.findings == [{"class": "deleted", "seq": 0, "detail": "seq 0..0 missing"}]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1]", "must be a JSON object"),
        (_body(v=2), "unsupported segment version 2"),
        (_body(findings=None), "has no 'findings'"),
        (_body(stream_id="bad id"), "stream_id"),
        (_body(events={}), "events must be a list"),
        (_body(events=[{**build_chain(1)[0], "seq": "0"}]), "events[0] breaks the contract"),
        (_body(events=[{**build_chain(1)[0], "extra": 1}]), "extra: is not a field"),
        (_body(events=build_chain(1, "other.0")), "events[0].stream_id is 'other.0'"),
        (_body(checkpoints=[{"type": "checkpoint"}]), "checkpoints[0] is invalid"),
        (_body(findings=[{"class": "", "seq": 1}]), "findings[0].class"),
        (_body(findings=[{"class": "deleted", "seq": -1}]), "findings[0].seq"),
    ],
)
def test_poison_records_name_their_problem(body: bytes, reason: str) -> None:
    with pytest.raises(PoisonRecord) as caught:
        decode_segment(body)
    assert reason in caught.value.reason
    assert isinstance(caught.value, PipelineError)


# -- schema ---------------------------------------------------------------------------------------


@pytest.mark.store
def test_migrations_are_idempotent_and_versioned(any_store: Store) -> None:
    assert any_store.migrate() == SCHEMA_VERSION
    assert any_store.migrate() == SCHEMA_VERSION
    db = any_store.database
    tables = any_store.query_rows(
        "SELECT name FROM system.tables WHERE database = {db:String}", {"db": db}
    )
    assert {t for (t,) in tables} == set(TABLES)
    versions = rows(any_store, "SELECT version FROM {db}.schema_migrations FINAL ORDER BY version")
    assert [v for (v,) in versions] == list(range(1, SCHEMA_VERSION + 1))
    engine = any_store.command(
        "SELECT engine FROM system.databases WHERE name = {db:String}", {"db": db}
    )
    assert engine == "Atomic"


@pytest.mark.store
def test_a_store_of_contract_v1_takes_v2_events_after_migration_3(any_store: Store) -> None:
    """A store made before contract v2 (no v2 columns, migration 3 not applied) is migrated in
    place: the v1 events it held rebuild exactly, and v2 events are stored beside them."""
    v1 = build_chain(3, "svc.1111111111111111")
    for e in v1:  # as a version 1 emitter wrote them
        e["v"] = 1
        e["network.transport"] = "stdio"
        e["mcp.tools.hash"] = "ab" * 32
    for seq, e in enumerate(v1):
        seal(e, e["stream_id"], seq, v1[seq - 1]["hash"] if seq else GENESIS_HASH)
    added = ("server_port", "network_transport", "protocol_name", "operation")
    any_store.insert_segments([segment(v1)])
    for column in added:  # back to the events table of schema version 2
        run(any_store, f"ALTER TABLE {{db}}.events DROP COLUMN `{column}`")
    run(any_store, "ALTER TABLE {db}.schema_migrations DELETE WHERE version >= 3")
    assert any_store.migrate() == SCHEMA_VERSION
    v2 = build_chain(2, "svc.2222222222222222")
    for e in v2:
        e.update({"tooltrail.transport": "sse", "network.transport": "tcp", "server.port": 443})
        e.update({"gen_ai.operation.name": "execute_tool", "network.protocol.name": "http"})
    for seq, e in enumerate(v2):
        seal(e, e["stream_id"], seq, v2[seq - 1]["hash"] if seq else GENESIS_HASH)
    any_store.insert_segments([segment(v2)])
    assert list(any_store.iter_events()) == v1 + v2
    assert rows(any_store, "SELECT DISTINCT transport FROM {db}.events ORDER BY 1") == [
        ("sse",),
        ("stdio",),
    ]


@pytest.mark.store
def test_ttl_follows_the_config(tmp_path: os.PathLike[str]) -> None:
    path = os.path.join(tmp_path, "ttl")

    def engine_of(ttl_days: int | None) -> str:
        with open_store(StoreConfig(path=path, ttl_days=ttl_days)) as s:
            s.migrate()
            return str(s.command("SELECT engine_full FROM system.tables WHERE name = 'events'"))

    assert "toIntervalDay(30)" in engine_of(30)
    assert "toIntervalDay(7)" in engine_of(7)
    assert " TTL " not in engine_of(None)


def test_importing_the_store_loads_neither_the_driver_nor_pandas() -> None:
    code = (
        "import sys, tooltrail.pipeline.store; "
        "print(sorted(m for m in ('pandas', 'clickhouse_connect', 'chdb') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_config_refuses_bad_values() -> None:
    for bad in ({"database": "default"}, {"database": "a;b"}, {"ttl_days": 0}, {"backend": "x"}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            StoreConfig(**bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="url"):
        StoreConfig(backend="http")
    assert "secret" not in repr(StoreConfig(password="secret"))


# -- inserts, dedupe, heads -----------------------------------------------------------------------


@pytest.mark.store
def test_duplicates_are_filtered_and_heads_advance(any_store: Store) -> None:
    events = build_chain(30)
    first = any_store.insert_segments([segment(events[:20])], dedupe_token="p0:0-0")
    assert (first.inserted, first.duplicates, first.streams) == (20, 0, 1)
    again = any_store.insert_segments([segment(events[:20])], dedupe_token="p0:0-0")
    assert (again.inserted, again.duplicates) == (0, 20)
    overlap = any_store.insert_segments([segment(events[15:25]), segment(events[20:30])])
    assert (overlap.inserted, overlap.duplicates) == (10, 10)
    assert count(any_store, "events") == 30
    assert count(any_store, "events", final=False) == 30
    assert any_store.stream_heads([STREAM, "nobody.0"]) == {STREAM: 29}
    head = rows(any_store, "SELECT seq, hash, source FROM {db}.chain_heads FINAL")
    assert head == [(29, events[29]["hash"], "svc")]
    assert list(any_store.iter_events(batch_rows=7)) == events
    assert any_store.streams() == [STREAM]
    assert any_store.streams(source="svc") == [STREAM]
    assert any_store.streams(source="other") == []


@pytest.mark.store
def test_a_fresh_store_reads_heads_back(tmp_path: os.PathLike[str]) -> None:
    config = StoreConfig(path=os.path.join(tmp_path, "reopen"))
    events = build_chain(10)
    with open_store(config) as first:
        first.migrate()
        first.insert_segments([segment(events[:6])])
    with open_store(config) as second:
        result = second.insert_segments([segment(events)])
        assert (result.inserted, result.duplicates) == (4, 6)
        assert count(second, "events") == 10


@pytest.mark.store
def test_a_fresh_http_store_reads_heads_back(http_store: Store, http_config: StoreConfig) -> None:
    events = build_chain(10)
    http_store.insert_segments([segment(events[:6])])
    with open_store(http_config) as second:
        result = second.insert_segments([segment(events)])
    assert (result.inserted, result.duplicates) == (4, 6)


@pytest.mark.store
def test_findings_checkpoints_and_forks_are_kept(any_store: Store) -> None:
    signer = Signer.generate()
    events = build_chain(5)
    fork = {**events[3], "event_id": "forged"}
    fork["hash"] = compute_hash(fork)
    cps = [
        signer.sign(checkpoint_body(STREAM, 4, events[4]["hash"], 10)),
        checkpoint_body(STREAM, 2, events[2]["hash"], 5),
    ]
    findings = [
        {"class": "forked", "seq": 3, "detail": "seq 3 comes after seq 3"},
        {"class": "deleted", "seq": 7, "detail": "beyond the events"},
    ]
    seg = segment([*events[:4], fork, events[4]], checkpoints=cps, findings=findings)
    result = any_store.insert_segments([seg])
    any_store.insert_segments([seg])  # a redelivery stores nothing twice
    assert (result.inserted, result.duplicates) == (6, 0)
    stored = list(any_store.iter_events(stream_id=STREAM))
    assert [e["seq"] for e in stored] == [0, 1, 2, 3, 3, 4]
    assert {e["event_id"] for e in stored if e["seq"] == 3} == {events[3]["event_id"], "forged"}
    report = verify(stored, raise_on_break=False)
    assert [(f.cls, f.seq) for f in report.findings] == [("inserted", 3)]
    back = any_store.checkpoints(stream_id=STREAM)
    assert back == sorted(cps, key=lambda c: c["seq"])
    verify_checkpoint(back[1], {signer.key_id: signer.public_key})
    assert any_store.checkpoints(source="other") == []
    found = rows(
        any_store,
        "SELECT seq, class, source, event_id FROM {db}.integrity_findings FINAL ORDER BY seq",
    )
    # a finding names the last event at its seq (the one the collector saw out of order)
    assert found == [(3, "forked", "collector", "forged"), (7, "deleted", "collector", "")]
    marks = rows(
        any_store, "SELECT seq, integrity FROM {db}.events WHERE integrity != '' ORDER BY seq"
    )
    assert marks == [(3, "forked"), (3, "forked")]


@pytest.mark.store
def test_record_findings(any_store: Store) -> None:
    any_store.record_findings(
        [
            {"stream_id": STREAM, "seq": 4, "cls": "modified", "detail": "x", "event_id": "e4"},
            {
                "stream_id": STREAM,
                "seq": 9,
                "class": "truncated",
                "source": "pipeline",
                "found_at": 1_764_000_000_000_000,
            },
        ]
    )
    found = rows(
        any_store,
        "SELECT seq, class, source, event_id, toUnixTimestamp64Micro(found_at)"
        " FROM {db}.integrity_findings ORDER BY seq",
    )
    assert found[0][:4] == (4, "modified", "verify", "e4")
    assert found[1] == (9, "truncated", "pipeline", "", 1_764_000_000_000_000)
    with pytest.raises(ValueError, match="source"):
        any_store.record_findings([{"stream_id": STREAM, "seq": 1, "class": "x", "source": "me"}])


@pytest.mark.store
def test_iter_events_filters(any_store: Store) -> None:
    a = build_chain(8, "svc.aaaaaaaaaaaaaaaa", start_ts=1_000_000)
    b = build_chain(8, "svc.bbbbbbbbbbbbbbbb", start_ts=1_000_000)
    any_store.insert_segments([segment(a), segment(b)])
    assert list(any_store.iter_events(batch_rows=3)) == a + b
    assert list(any_store.iter_events(stream_id=b[0]["stream_id"], batch_rows=2)) == b
    assert list(any_store.iter_events(since_us=1_002_000, until_us=1_004_000)) == a[2:4] + b[2:4]
    assert list(any_store.iter_events(source="nope")) == []
    assert list(any_store.iter_events(source="svc", batch_rows=100)) == a + b


@pytest.mark.store
def test_an_update_of_any_column_is_detected(any_store: Store) -> None:
    """Every stored column that makes up the event is covered by the hash."""
    events = build_chain(50)
    any_store.insert_segments([segment(events)])
    changes = {
        "UInt8": "{c} + 1",
        "UInt64": "424242",
        "Nullable(UInt16)": "4242",
        "Bool": "NOT {c}",
        "Nullable(UInt64)": "424242",
        "Nullable(Bool)": "true",
        "Map(LowCardinality(String), UInt64)": "map('x', 1)",
    }
    # ClickHouse refuses to UPDATE the sort key and what the partition key derives from (ts);
    # editing those takes delete + insert, which the chain shows anyway. integrity is not hashed.
    key_columns = {"stream_id", "seq", "hash", "ts", "integrity"}
    types = {row[0]: row[1] for row in rows(any_store, "DESCRIBE TABLE {db}.events")}
    edited = [c for c in EVENT_COLUMN_NAMES if c not in key_columns]
    updates = []
    for seq, column in enumerate(edited):
        value = changes.get(types[column], "'x{c}'").format(c=f"`{column}`")
        updates.append(f"UPDATE `{column}` = {value} WHERE seq = {seq}")
    run(any_store, "ALTER TABLE {db}.events " + ", ".join(updates) + " SETTINGS mutations_sync = 2")
    stored = list(any_store.iter_events())
    broken = {e["seq"] for e in stored if compute_hash(e) != e["hash"]}
    assert broken == set(range(len(edited)))


# -- failures -------------------------------------------------------------------------------------


@pytest.mark.store
@contextmanager
def heads_detached(store: Store) -> Iterator[None]:
    """``chain_heads`` gone for the block: a write that stores its events fails at the heads."""
    run(store, "DETACH TABLE {db}.chain_heads")
    try:
        yield
    finally:
        run(store, "ATTACH TABLE {db}.chain_heads")


def test_a_failed_insert_advances_nothing(any_store: Store) -> None:
    events = build_chain(30)
    any_store.insert_segments([segment(events[:10])])
    run(any_store, "DETACH TABLE {db}.rollup_1m_mv")  # the view first: it depends on events
    run(any_store, "DETACH TABLE {db}.events")
    try:
        with pytest.raises(StoreUnavailable) as caught:
            any_store.insert_segments([segment(events[10:20])])
        assert caught.value.code == 60  # UNKNOWN_TABLE
        assert isinstance(caught.value.__cause__, clickhouse_connect.driver.exceptions.Error)
    finally:
        run(any_store, "ATTACH TABLE {db}.events")
        run(any_store, "ATTACH TABLE {db}.rollup_1m_mv")
    assert any_store.stream_heads([STREAM]) == {STREAM: 9}
    # events stored, but the chain head write fails: the retry reads the head back, no duplicates
    with pytest.raises(StoreUnavailable), heads_detached(any_store):
        any_store.insert_segments([segment(events[10:20])])
    retry = any_store.insert_segments([segment(events[10:30])])
    assert (retry.inserted, retry.duplicates) == (10, 10)
    assert count(any_store, "events", final=False) == 30
    assert any_store.stream_heads([STREAM]) == {STREAM: 29}


def test_a_retry_of_only_stored_events_writes_the_lost_head(any_store: Store) -> None:
    """Events in, ``chain_heads`` not: the retry of the same records (every event a duplicate)
    writes the head, or the verifier's truncation check would trust a head 10 events short."""
    events = build_chain(20)
    any_store.insert_segments([segment(events[:10])])
    with pytest.raises(StoreUnavailable), heads_detached(any_store):
        any_store.insert_segments([segment(events[10:20])])
    head = "SELECT seq, hash FROM {db}.chain_heads FINAL"
    assert rows(any_store, head) == [(9, events[9]["hash"])]  # the events went in, the head not
    retry = any_store.insert_segments([segment(events[10:20])])
    assert (retry.inserted, retry.duplicates) == (0, 10)
    assert rows(any_store, head) == [(19, events[19]["hash"])]
    assert count(any_store, "events", final=False) == 20


def test_an_unreachable_server_is_store_unavailable() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = StoreConfig(backend="http", url=f"http://127.0.0.1:{port}")
    with pytest.raises(StoreUnavailable, match="cannot open the http store"):
        open_store(config)


@pytest.mark.store
def test_a_second_chdb_path_in_one_process_is_store_unavailable(
    store: Store, tmp_path: os.PathLike[str]
) -> None:
    with pytest.raises(StoreUnavailable):
        open_store(StoreConfig(path=os.path.join(tmp_path, "elsewhere")))


# -- the HTTP bridge itself -----------------------------------------------------------------------


@pytest.mark.store
@pytest.mark.parametrize("compress", [True, "lz4", "zstd", "gzip", False])
def test_http_inserts_lose_no_rows(
    chbridge: ChBridge | None, http_config: StoreConfig, compress: bool | str
) -> None:
    """Several blocks per insert (so several lz4/zstd frames): every row must arrive."""
    url = http_config.url or ""
    client = clickhouse_connect.get_client(
        dsn=url, username=http_config.username, password=http_config.password, compress=compress
    )
    table = f"{http_config.database}.rows"

    def sql(text: str) -> str:
        return text.replace("{t}", table).replace("{db}", http_config.database)

    try:
        client.command(sql("CREATE DATABASE {db} ENGINE = Atomic"))
        client.command(sql("CREATE TABLE {t} (n UInt64, s String) ENGINE = MergeTree ORDER BY n"))
        data = [(i, f"row {i} " * 20) for i in range(40_000)]
        summary = client.insert(table, data, column_names=["n", "s"])
        assert summary.written_rows == len(data)
        total = client.command(sql("SELECT count(), sum(n) FROM {t}"))
        assert total == [str(len(data)), str(sum(range(len(data))))]
        if chbridge is not None:
            assert chbridge.direct(sql("SELECT count() FROM {t}")).strip() == str(len(data))
        assert client.query(sql("SELECT n, s FROM {t} ORDER BY n")).result_rows == data
    finally:
        client.command(sql("DROP DATABASE IF EXISTS {db}"))
        client.close()


@pytest.mark.store
def test_http_store_counts_match_the_bridge(chbridge: ChBridge | None, http_store: Store) -> None:
    events = build_chain(12_000)
    result = http_store.insert_segments([segment(events)])
    assert result.inserted == 12_000
    assert count(http_store, "events") == 12_000
    if chbridge is not None:
        direct = "SELECT count() FROM {db}.events".replace("{db}", http_store.database)
        assert chbridge.direct(direct).strip() == "12000"
    heads = http_store.stream_heads([f"x.{i}" for i in range(1500)] + [STREAM])  # form-encoded
    assert heads == {STREAM: 11_999}
    df = http_store.query_df(
        "SELECT tool, sum(calls) AS calls FROM {db}.rollup_1m GROUP BY tool ORDER BY tool".replace(
            "{db}", http_store.database
        )
    )
    assert df["calls"].sum() == 12_000
    assert json.loads(df.to_json())["tool"]["0"] == "read_file"


@pytest.mark.store
def test_a_quarantine_segment_is_kept_beside_the_stream(any_store: Store) -> None:
    events = build_chain(6)
    any_store.insert_segments([segment(events[:4])])
    fork = {**events[2], "event_id": "forged"}
    fork["hash"] = compute_hash(fork)
    far = {**events[5], "seq": 2**40}
    far["hash"] = compute_hash(far)
    cp = checkpoint_body(STREAM, 2, fork["hash"], 7)
    findings = [{"class": "forked", "seq": 2, "detail": "two versions of seq 2"}]
    evidence = DecodedSegment(STREAM, "svc", [fork, far], [cp], findings, quarantine=True)
    result = any_store.insert_segments([evidence])
    any_store.insert_segments([evidence])  # a redelivery collapses
    assert (result.inserted, result.duplicates) == (0, 0)
    assert [e["seq"] for e in any_store.iter_events(stream_id=STREAM)] == [0, 1, 2, 3]
    assert any_store.stream_heads([STREAM]) == {STREAM: 3}  # the head never moved
    assert any_store.checkpoints(stream_id=STREAM) == []
    kept = any_store.quarantined(stream_id=STREAM)
    assert [(q["kind"], q["seq"], q["item"]) for q in kept] == [
        ("checkpoint", 2, cp),
        ("event", 2, fork),
        ("event", 2**40, far),
    ]
    assert {q["findings"] == ["forked"] and q["writer"] == "svc" for q in kept} == {True}
    found = rows(any_store, "SELECT seq, class, event_id FROM {db}.integrity_findings FINAL")
    assert found == [(2, "forked", "forged")]
    # and the stream goes on where it was
    assert any_store.insert_segments([segment(events[4:])]).inserted == 2


def test_a_segment_says_quarantine_with_a_boolean() -> None:
    body = {"v": 1, "stream_id": STREAM, "source": "svc", "events": [], "checkpoints": []}
    assert decode_segment(orjson.dumps({**body, "findings": [], "quarantine": True})).quarantine
    assert not decode_segment(orjson.dumps({**body, "findings": []})).quarantine
    with pytest.raises(PoisonRecord, match="quarantine must be true or false"):
        decode_segment(orjson.dumps({**body, "findings": [], "quarantine": 1}))
