"""The read-only query endpoint over a chDB store held by this process: clickhouse-connect and
plain curl read through it; writes, DDL, SYSTEM, file/URL functions and wrong passwords are
refused with a clear error, and nothing they asked for happened."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import clickhouse_connect
import pytest
from clickhouse_connect.driver.exceptions import DatabaseError

from tooltrail.pipeline.store import Store
from tooltrail.pipeline.store._sqlgate import QueryRefused, blocked, check_query
from tooltrail.pipeline.store.query_server import (
    QueryServer,
    _Session,
    endpoint_file,
    find_endpoint,
    served_config,
)

pytestmark = pytest.mark.store

PASSWORD = "s3cret-for-tests"
REFUSED = blocked(["file", "url", "s3", "remote", "numbers", "mysql", "executable", "python"])


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1",
        "  with x AS (SELECT 1) SELECT * FROM x FORMAT JSON",
        "(SELECT 1) UNION ALL (SELECT 2)",
        "SELECT 'file(' AS a, `url` FROM t -- ; DROP TABLE t",
        "SELECT name, value FROM system.settings",
        "SHOW TABLES",
        "DESCRIBE TABLE events",
        "SELECT count() FROM numbers(10);",
        "SELECT $$ INTO OUTFILE 'x' $$",
    ],
)
def test_the_gate_lets_reads_through(sql: str) -> None:
    check_query(sql, REFUSED)


@pytest.mark.parametrize(
    ("sql", "rule"),
    [
        ("INSERT INTO events VALUES (1)", "'INSERT' statements are refused"),
        ("drop table events", "'DROP' statements are refused"),
        ("ALTER TABLE events DELETE WHERE 1", "'ALTER' statements are refused"),
        ("SYSTEM FLUSH LOGS", "'SYSTEM' statements are refused"),
        ("CREATE TABLE x (a UInt8) ENGINE = Memory", "'CREATE' statements are refused"),
        ("SET readonly = 0", "'SET' statements are refused"),
        ("SELECT * FROM file('/etc/passwd', 'LineAsString')", "function file()"),
        ("SELECT * FROM `url`('http://example.com', 'CSV')", "function url()"),
        ("SELECT * FROM Remote ('h', db.t)", "function Remote()"),
        ("SELECT file('/etc/passwd')", "function file()"),
        ("SELECT 1 INTO OUTFILE '/tmp/x'", "INTO OUTFILE"),
        ("SELECT 1 SETTINGS max_execution_time = 1000", "SETTINGS clause"),
        ("SELECT 1; DROP TABLE events", "one statement per query"),
        ("SELECT 'unterminated", "unterminated"),
        ("", "empty query"),
    ],
)
def test_the_gate_refuses_naming_the_rule(sql: str, rule: str) -> None:
    with pytest.raises(QueryRefused, match=rule.replace("(", r"\(").replace(")", r"\)")):
        check_query(sql, REFUSED)


@pytest.fixture
def served(store: Store) -> Iterator[QueryServer]:
    path = Path(store.config.path)
    with QueryServer(path, password=PASSWORD, port=0, database=store.database) as server:
        yield server


def _client(server: QueryServer, password: str = PASSWORD) -> clickhouse_connect.driver.Client:
    return clickhouse_connect.get_client(
        host=server.host,
        port=server.port,
        username="tooltrail",
        password=password,
        database=server.database,
        compress=True,
        autogenerate_session_id=False,
    )


def _curl(server: QueryServer, *args: str) -> subprocess.CompletedProcess[str]:
    curl = shutil.which("curl")
    assert curl is not None
    return subprocess.run(
        [curl, "-s", "-w", "\n%{http_code}", *args], capture_output=True, text=True, check=True
    )


def _events(store: Store) -> int:
    return int(store.command(f"SELECT count() FROM {store.database}.events"))


def _insert(store: Store, n: int, start: int = 0) -> None:
    cols = [("stream_id", "String"), ("seq", "UInt64"), ("hash", "String"), ("ts", "UInt64")]
    rows = [("s-1", start + i, f"h{start + i}", 1_700_000_000_000_000 + i) for i in range(n)]
    store.insert_rows("events", rows, cols)


def test_clickhouse_connect_and_curl_read_while_the_store_is_written(
    store: Store, served: QueryServer
) -> None:
    client = _client(served)
    stop = threading.Event()
    written: list[int] = []

    def ingest() -> None:
        batch = 0
        while not stop.is_set() and batch < 200:
            _insert(store, 50, start=batch * 50)
            batch += 1
            written.append(batch * 50)

    writer = threading.Thread(target=ingest)
    writer.start()
    try:
        seen = []
        for _ in range(20):
            seen.append(client.query("SELECT count() FROM events").result_rows[0][0])
            out = _curl(served, "-u", f"tooltrail:{PASSWORD}", f"{served.url}/?query=SELECT+42")
            assert out.stdout == "42\n\n200"
    finally:
        stop.set()
        writer.join()
    assert seen == sorted(seen)  # counts only grow while the writer runs
    final = client.query("SELECT count(), max(seq) FROM events").result_rows[0]
    assert final == (written[-1], written[-1] - 1)
    frame = client.query_df(
        "SELECT stream_id, seq FROM events WHERE seq < {n:UInt64} ORDER BY seq", parameters={"n": 3}
    )
    assert list(frame["seq"]) == [0, 1, 2]
    body = _curl(
        served,
        "-H",
        "X-ClickHouse-User: tooltrail",
        "-H",
        f"X-ClickHouse-Key: {PASSWORD}",
        "--data-binary",
        "SELECT stream_id, count() AS n FROM events GROUP BY stream_id FORMAT JSONEachRow",
        f"{served.url}/",
    )
    row, status = body.stdout.rsplit("\n", 1)
    assert status == "200"
    assert json.loads(row) == {"stream_id": "s-1", "n": written[-1]}


@pytest.mark.parametrize(
    ("sql", "says"),
    [
        ("INSERT INTO events (stream_id, seq, hash) VALUES ('x', 0, 'h')", "'INSERT' statements"),
        ("ALTER TABLE events UPDATE outcome = 'ok' WHERE 1", "'ALTER' statements"),
        ("DROP TABLE events", "'DROP' statements"),
        ("TRUNCATE TABLE events", "'TRUNCATE' statements"),
        ("SYSTEM STOP MERGES", "'SYSTEM' statements"),
        ("SELECT * FROM file('/etc/passwd', 'LineAsString')", "function file()"),
        ("SELECT * FROM url('http://127.0.0.1:1/x', 'CSV', 'a String')", "function url()"),
        ("SELECT * FROM s3('http://127.0.0.1:1/b/k', 'CSV')", "function s3()"),
    ],
)
def test_writes_ddl_and_outside_reads_are_refused(
    store: Store, served: QueryServer, sql: str, says: str
) -> None:
    _insert(store, 3)
    with pytest.raises(DatabaseError, match=r"code: 164") as raised:
        _client(served).query(sql)
    assert says in str(raised.value)
    assert _events(store) == 3  # nothing was written, dropped or changed
    assert store.command(f"SELECT count() FROM {store.database}.events WHERE outcome = 'ok'") == 0


def test_a_client_insert_is_refused_as_read_only(store: Store, served: QueryServer) -> None:
    # clickhouse-connect sends INSERT … FORMAT Native with binary (lz4) data
    with pytest.raises(DatabaseError, match="'INSERT' statements are refused"):
        _client(served).insert(
            "events", [["s-x", 0, "h"]], column_names=["stream_id", "seq", "hash"]
        )
    assert _events(store) == 0


def test_the_engine_refuses_writes_that_pass_the_tokens(store: Store, served: QueryServer) -> None:
    # the second lock: the endpoint's own session is readonly = 2 whatever reaches it
    session = _Session(Path(store.config.path), store.database, {"max_execution_time": 5})
    try:
        for sql in (
            f"INSERT INTO {store.database}.events (stream_id) VALUES ('x')",
            f"DROP TABLE {store.database}.events",
            "SYSTEM FLUSH LOGS",
            "SET readonly = 0",
        ):
            with pytest.raises(Exception, match="readonly mode"):
                session.conn.query(sql)
    finally:
        session.close()
    assert _events(store) == 0
    out = _curl(
        served,
        "-u",
        f"tooltrail:{PASSWORD}",
        "--data-binary",
        "SELECT count() FROM numbers(10)",
        f"{served.url}/?max_execution_time=100000",
    )
    assert out.stdout == "10\n\n200"  # a limit can be lowered, never raised: accepted, clamped
    out = _curl(
        served,
        "-u",
        f"tooltrail:{PASSWORD}",
        "--data-binary",
        "SELECT 1",
        f"{served.url}/?result_overflow_mode=break",
    )
    assert out.stdout.endswith("403")
    assert "result_overflow_mode bounds the read-only query endpoint" in out.stdout


def test_results_are_bounded(store: Store) -> None:
    path = Path(store.config.path)
    with QueryServer(path, password=PASSWORD, port=0, max_result_rows=5000) as server:
        with pytest.raises(DatabaseError, match=r"TOO_MANY_ROWS_OR_BYTES"):
            _client(server).query("SELECT number FROM numbers(100000)")
        assert _client(server).query("SELECT count() FROM numbers(100000)").result_rows == [
            (100000,)
        ]


def test_wrong_or_missing_passwords_are_refused(served: QueryServer) -> None:
    with pytest.raises(DatabaseError, match=r"516.*Authentication failed"):
        _client(served, password="not-the-password")
    out = _curl(served, "-u", "tooltrail:wrong", f"{served.url}/?query=SELECT+1")
    assert out.stdout.endswith("\n401")
    assert "Code: 516. DB::Exception: tooltrail: Authentication failed" in out.stdout
    out = _curl(served, f"{served.url}/?query=SELECT+1")
    assert out.stdout.endswith("\n401")
    out = _curl(served, f"{served.url}/?query=SELECT+1&user=tooltrail&password={PASSWORD}")
    assert out.stdout == "1\n\n200"
    assert _curl(served, f"{served.url}/ping").stdout == "Ok.\n\n200"  # liveness needs no login


def test_the_endpoint_is_advertised_beside_the_store_while_it_runs(store: Store) -> None:
    path = Path(store.config.path)
    with QueryServer(path, password=PASSWORD, port=0) as server:
        advertised = endpoint_file(path)
        assert advertised.stat().st_mode & 0o777 == 0o600  # it holds the password
        endpoint = find_endpoint(path)
        assert endpoint is not None
        assert (endpoint.url, endpoint.password, endpoint.pid) == (
            server.url,
            PASSWORD,
            os.getpid(),
        )
        assert PASSWORD not in repr(endpoint)
        config = served_config(path)
        assert config is not None
        assert (config.backend, config.url) == ("http", server.url)
    assert not advertised.exists()
    assert find_endpoint(path) is None


def test_an_endpoint_of_a_dead_process_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "store"
    dead = subprocess.Popen(["true"])
    dead.wait()
    gone = {"url": "http://127.0.0.1:1", "user": "u", "password": "p", "database": "d"}
    endpoint_file(path).write_text(json.dumps({**gone, "pid": dead.pid}))
    assert find_endpoint(path) is None
    assert served_config(path) is None


def test_bad_settings_are_refused_at_construction(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 8 characters"):
        QueryServer(tmp_path, password="short")
    with pytest.raises(ValueError, match="plain identifier"):
        QueryServer(tmp_path, password=PASSWORD, user="a b")
