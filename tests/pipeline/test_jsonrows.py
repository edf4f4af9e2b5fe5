"""A trusted run parsed by chDB (``store/jsonrows.py``) gives exactly the Python path's rows.

Events of both contract versions, with and without every optional field (``args`` / ``attrs``
with unicode, big and fractional numbers, nested values; empty ``actor`` and ``redactions``),
go through the collector (``parse_batch`` / ``verify_batch``: the body it produces), then into
a real chDB store once as a :class:`RawRun` (JSON text parsed by ClickHouse) and once decoded
(``events_to_columns``): the stored rows must be equal, column by column. The insert's temporary
file lives in the store's directory and one left behind is swept when the store next opens.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tooltrail.collector.ingest import parse_batch, verify_batch
from tooltrail.contract import GENESIS_HASH, seal
from tooltrail.pipeline.segments import RawRun, decode_segment, split_run
from tooltrail.pipeline.store import Store, StoreConfig, open_store
from tooltrail.pipeline.store.jsonrows import TEMP_PREFIX, insert_sql, temp_dir
from tooltrail.pipeline.store.rows import EVENT_COLUMN_NAMES

from .test_rows import bodies

pytestmark = pytest.mark.store

ONE = {"v": 1, "source": {"kind": "server", "name": "x"}, "event_id": "e", "ts": 1,
       "mcp.method.name": "m", "outcome": "ok", "duration_us": 1}  # fmt: skip
_COLUMNS = ", ".join(f"`{c}`" for c in EVENT_COLUMN_NAMES)


def collector_body(drawn: list[dict[str, Any]], stream: str = "s.0") -> bytes:
    events: list[dict[str, Any]] = []
    for i, body in enumerate(drawn):
        event = dict(body)
        seal(event, stream, i, events[-1]["hash"] if events else GENESIS_HASH)
        events.append(event)
    verdict = verify_batch(
        parse_batch(orjson.dumps({"v": 1, "events": events})), None, {}, source="x"
    )
    assert verdict.segment is not None
    return verdict.segment.body


def _rows(store: Store) -> list[tuple[Any, ...]]:
    db = store.database
    return store.query_rows(f"SELECT {_COLUMNS} FROM {db}.events ORDER BY stream_id, seq")


def _empty(store: Store) -> None:
    store.command(f"TRUNCATE TABLE {store.database}.events")
    store.command(f"TRUNCATE TABLE {store.database}.chain_heads")
    store.forget_heads()


@given(st.lists(bodies, min_size=1, max_size=6))
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_chdb_parses_a_run_into_the_python_paths_rows(
    store: Store, drawn: list[dict[str, Any]]
) -> None:
    value = collector_body(drawn)
    run = split_run(value)
    assert isinstance(run, RawRun)
    assert (run.first, run.last, run.n) == (0, len(drawn) - 1, len(drawn))
    _empty(store)
    assert store.insert_segments([run]).inserted == len(drawn)
    parsed = _rows(store)
    _empty(store)
    assert store.insert_segments([decode_segment(value, trusted=True)]).inserted == len(drawn)
    assert parsed == _rows(store)


def test_a_run_at_or_below_the_head_is_decoded_and_its_duplicates_dropped(store: Store) -> None:
    drawn = [{"v": 1, "source": {"kind": "server", "name": "x"}, "event_id": f"e{i}", "ts": i,
              "mcp.method.name": "tools/call", "outcome": "ok", "duration_us": i}
             for i in range(6)]  # fmt: skip
    value = collector_body(drawn)
    first = decode_segment(value, trusted=True)
    store.insert_segments([type(first)(first.stream_id, first.source, first.events[:4], [], [])])
    run = split_run(value)
    assert run is not None
    result = store.insert_segments([run])
    assert (result.inserted, result.duplicates) == (2, 4)
    assert [r[1] for r in _rows(store)] == list(range(6))


def test_only_a_clean_run_with_the_collectors_run_is_split() -> None:
    value = collector_body([ONE])
    assert split_run(value) is not None
    assert split_run(value.replace(b'"run":', b'"nur":')) is None  # an older collector
    assert split_run(value.replace(b'"findings":[]', b'"findings":[{}]')) is None
    assert split_run(value[:-1] + b',"quarantine":true}') is None
    assert split_run(b"{}") is None
    assert split_run(value.replace(b'"n":1', b'"n":2')) is None  # first..last is not n events


def test_the_insert_refuses_a_quote_instead_of_escaping_it() -> None:
    with pytest.raises(ValueError, match="unusable"):
        insert_sql("db.events", "/tmp/x'; DROP TABLE y; --", {})
    with pytest.raises(ValueError, match="unusable"):
        insert_sql("db.events", "/tmp/x.json", {"insert_deduplication_token": "a'b"})


def test_a_temporary_file_left_by_a_killed_insert_is_swept_when_the_store_opens(
    tmp_path: Path,
) -> None:
    config = StoreConfig(path=str(tmp_path / "store"))
    run = split_run(collector_body([ONE]))
    assert run is not None
    with open_store(config) as store:
        store.migrate()
        assert store.insert_segments([run]).inserted == 1
        tmp = Path(temp_dir(config.path))
        assert list(tmp.iterdir()) == []  # written in the store's directory, removed after
        # what a SIGKILL in the middle of an insert leaves, and a file that is not ours
        stale = tmp / f"{TEMP_PREFIX}killed.json"
        stale.write_bytes(b"[" + run.events + b"]")
        foreign = tmp / "notes.json"
        foreign.write_bytes(b"{}")
        with open_store(config) as again:  # a second open by this process: it may be inserting
            assert again.stream_heads([run.stream_id]) == {run.stream_id: 0}
        assert stale.exists()
    with open_store(config) as reopened:  # the first open of a process: any there is stale
        assert not stale.exists()
        assert foreign.exists()
        assert reopened.stream_heads([run.stream_id]) == {run.stream_id: 0}
