"""Follow mode and the cursor: newly stored rows are exported as they arrive; a crash after a
batch was written but before the cursor moved, and a ``kill -9`` of a following export, resume
with every event exactly once in the file (no duplicate, no gap)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.export._events import make_stream, store_stream
from tooltrail.export import Cursor, CursorError, Exporter, LineSink, LinesSink
from tooltrail.pipeline.events import EventFilter
from tooltrail.pipeline.store import Store, StoreConfig

pytestmark = pytest.mark.store

TOOLTRAIL = [sys.executable, "-c", "from tooltrail.cli import main; main()"]


class Crash(Exception):
    pass


def _ids(path: Path) -> list[str]:
    return [json.loads(line)["event"]["id"] for line in path.read_text().splitlines()]


def test_a_crash_between_write_and_cursor_resumes_exactly_once(
    store: Store, tmp_path: Path
) -> None:
    events = make_stream(12)
    store_stream(store, events)
    out, cpath = tmp_path / "out.jsonl", tmp_path / "cursor.json"

    def crash(n: int) -> None:  # called after the file holds the batch, before the cursor
        raise Crash

    sink = LinesSink("ecs", LineSink(out))
    cursor = Cursor.open(cpath, str(out.resolve()), "ecs")
    exporter = Exporter(store, sink, cursor, EventFilter(), page=5)
    exporter.run_once()  # 12 events in pages of 5: 5 + 5 + 2
    sink.close()
    assert _ids(out) == [e["event_id"] for e in events]
    # more events; the next run writes a page and "dies" before its cursor is saved
    more = make_stream(6, start_seq=12, prev=events[-1]["hash"], stream_id=events[0]["stream_id"])
    store_stream(store, more)
    sink = LinesSink("ecs", LineSink(out))
    cursor = Cursor.open(cpath, str(out.resolve()), "ecs")
    with pytest.raises(Crash):
        Exporter(store, sink, cursor, EventFilter(), page=5, on_batch=crash).run_once()
    sink.close()
    assert len(_ids(out)) == 12 + 5  # the uncommitted page is in the file ...
    assert Cursor.open(cpath, str(out.resolve()), "ecs").streams == {events[0]["stream_id"]: 11}
    # ... and a restart cuts it off before exporting again
    lines = LineSink(out)
    cursor = Cursor.open(cpath, str(out.resolve()), "ecs")
    lines.resume(cursor.output_bytes)
    assert Exporter(store, LinesSink("ecs", lines), cursor, EventFilter(), page=5).run_once() == 6
    lines.close()
    assert _ids(out) == [e["event_id"] for e in events + more]


def test_a_cursor_of_another_export_is_refused(tmp_path: Path) -> None:
    cursor = Cursor(str(tmp_path / "a.jsonl"), "ecs", tmp_path / "c.json", {"s.1": 3})
    cursor.save()
    with pytest.raises(CursorError, match="belongs to the export of ecs to"):
        Cursor.open(tmp_path / "c.json", str(tmp_path / "b.jsonl"), "ecs")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(CursorError, match="cannot read the cursor file"):
        Cursor.open(tmp_path / "bad.json", "x", "ecs")


def _follow(config: StoreConfig, out: Path, cursor: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*TOOLTRAIL, "export", "--format", "ecs", "--follow", "--interval", "0.1",
         "--output", str(out), "--cursor", str(cursor),
         "--clickhouse-url", str(config.url), "--database", config.database],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def _wait_lines(path: Path, n: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and len(path.read_text().splitlines()) >= n:
            return
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.05)
    raise AssertionError(f"{path} did not reach {n} lines")


@pytest.mark.slow
def test_follow_tails_new_rows_and_resumes_after_kill(http_store: Store, tmp_path: Path) -> None:
    out, cpath = tmp_path / "siem.jsonl", tmp_path / "cursor.json"
    a = make_stream(40, "alpha")
    b = make_stream(30, "beta")
    store_stream(http_store, a[:25])
    store_stream(http_store, b[:10])
    first = _follow(http_store.config, out, cpath)
    try:
        _wait_lines(out, 35, first)
        store_stream(http_store, a[25:])  # stored while it follows
        _wait_lines(out, 50, first)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(30)
    store_stream(http_store, b[10:])  # stored while no export runs
    c = make_stream(5, "gamma")
    store_stream(http_store, c)
    second = _follow(http_store.config, out, cpath)
    try:
        _wait_lines(out, 75, second)
        time.sleep(0.5)  # a few more polls: nothing may come twice
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(30) == 0
    ids = _ids(out)
    assert len(ids) == len(set(ids))  # no duplicate
    assert set(ids) == {e["event_id"] for e in a + b + c}  # no gap
    saved = json.loads(cpath.read_text())
    assert saved["output_bytes"] == os.path.getsize(out)
    assert saved["streams"] == {s[0]["stream_id"]: len(s) - 1 for s in (a, b, c)}
