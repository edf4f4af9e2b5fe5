"""Batching by size and linger: a steady trickle of calls becomes at most one batch per linger
interval at a real local HTTP server; a full batch and a flush do not wait for the linger; bad
settings are refused with the setting's name."""

from __future__ import annotations

import gzip
import itertools
import json
import math
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tooltrail.emitter import Emitter, HttpTransport, MemoryTransport
from tooltrail.emitter.shipper import Shipper
from tooltrail.emitter.spool import Spool
from tooltrail.emitter.transport import gzip_level_for, is_loopback


class Counter:
    """A local HTTP collector that answers 202 and notes when each request arrived."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.arrivals: list[float] = []
        self.events: list[int] = []
        self.encodings: list[str | None] = []
        counter = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                at = time.monotonic()
                body = self.rfile.read(int(self.headers["Content-Length"]))
                encoding = self.headers["Content-Encoding"]
                doc = json.loads(gzip.decompress(body) if encoding == "gzip" else body)
                with counter.lock:
                    counter.arrivals.append(at)
                    counter.encodings.append(encoding)
                    counter.events.extend(e["seq"] for e in doc["events"])
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1/events"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


@pytest.fixture
def counter() -> Iterator[Counter]:
    c = Counter()
    yield c
    c.close()


def test_a_steady_trickle_ships_at_most_one_batch_per_linger(
    counter: Counter, tmp_path: Path
) -> None:
    linger = 0.25
    emitter = Emitter(
        source_name="trickle",
        spool_dir=tmp_path / "spool",
        transport=HttpTransport(counter.url),
        signing_key=None,
        checkpoint_idle=0,
        flush_interval=linger,
    )
    calls = 0
    started = time.monotonic()
    while time.monotonic() - started < 2.0:  # one call every ~5 ms
        with emitter.record("tools/call", tool="read_file", args={"path": f"/f/{calls}"}):
            pass
        calls += 1
        time.sleep(0.005)
    elapsed = time.monotonic() - started
    with counter.lock:
        arrivals = list(counter.arrivals)  # every one of these was sent by lingering, not a flush
    emitter.close(30)
    assert len(arrivals) >= 2  # the trickle was shipped while it ran, not only at close
    assert len(arrivals) <= math.ceil(elapsed / linger) + 1
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert min(gaps) >= linger  # each linger starts after the previous batch was answered
    assert calls > 4 * len(arrivals)  # never a send per event
    assert sorted(counter.events) == list(range(calls))  # nothing lost, nothing twice


def lingering(spool: Spool, transport: MemoryTransport, **limits: int) -> Shipper:
    """A started shipper whose linger (60 s) no test waits out."""
    shipper = Shipper(
        spool, transport, lambda r: b"[" + b",".join(r) + b"]", flush_interval=60, **limits
    )  # type: ignore[arg-type]
    shipper.start()
    return shipper


def append(spool: Spool, shipper: Shipper, records: list[bytes]) -> None:
    for record in records:
        spool.append(record)
        shipper.wake(len(record) + 1)


def wait_for_events(transport: MemoryTransport, n: int) -> None:
    deadline = time.monotonic() + 30
    while len(transport.events()) < n and time.monotonic() < deadline:
        time.sleep(0.02)


def test_a_full_batch_leaves_without_waiting_for_the_linger(tmp_path: Path) -> None:
    transport = MemoryTransport()
    with Spool(tmp_path / "spool") as spool:
        shipper = lingering(spool, transport, batch_max_records=5)
        append(spool, shipper, [b"0", b"1", b"2"])
        time.sleep(0.3)
        assert transport.attempts == []  # 3 of 5: lingering (for 60 s)
        append(spool, shipper, [b"3", b"4"])
        wait_for_events(transport, 5)
        assert transport.events() == [0, 1, 2, 3, 4]
        assert shipper.stats()["full_batches"] == 1
        shipper.close(10)


def test_a_batch_full_by_bytes_leaves_without_waiting_for_the_linger(tmp_path: Path) -> None:
    transport = MemoryTransport()
    record = b'"' + b"x" * 598 + b'"'
    with Spool(tmp_path / "spool") as spool:
        shipper = lingering(spool, transport, batch_max_bytes=1000)
        append(spool, shipper, [record])
        time.sleep(0.3)
        assert transport.attempts == []
        append(spool, shipper, [record])
        wait_for_events(transport, 1)
        assert transport.events() == ["x" * 598]  # 1000 bytes hold one of the two records
        assert spool.pending() == 1  # the other one is no full batch: it lingers
        assert shipper.stats()["full_batches"] == 1
        shipper.close(10)


def test_flush_does_not_wait_for_the_linger(tmp_path: Path) -> None:
    transport = MemoryTransport()
    emitter = Emitter(
        source_name="flush", spool_dir=tmp_path / "spool", transport=transport, signing_key=None,
        checkpoint_idle=0, flush_interval=60,
    )  # fmt: skip
    for i in range(3):
        with emitter.record("tools/call", tool="t", args={"i": i}):
            pass
    assert emitter.flush(30)  # returns long before the 60 s linger
    seqs = [e["seq"] for e in transport.events()]
    assert seqs == [0, 1, 2]
    emitter.close(10)


@pytest.mark.parametrize(("compress", "expected"), [(None, "identity"), (True, "gzip")])
def test_batches_to_a_loopback_collector_are_not_gzipped_by_default(
    counter: Counter, tmp_path: Path, compress: bool | None, expected: str
) -> None:
    emitter = Emitter(
        source_name="local", spool_dir=tmp_path / "spool", collector_url=counter.url,
        signing_key=None, checkpoint_idle=0, compress=compress,
    )  # fmt: skip
    for i in range(3):
        with emitter.record("tools/call", tool="t", args={"i": i}):
            pass
    assert emitter.flush(30)
    emitter.close(10)
    assert sorted(counter.events) == [0, 1, 2]
    assert counter.encodings
    assert set(counter.encodings) == {expected}


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8080/v1/events", True),
        ("http://127.3.4.5/", True),
        ("http://localhost:9/", True),
        ("http://LOCALHOST./", True),
        ("http://[::1]:8080/", True),
        ("https://collector.example.com/", False),
        ("http://10.0.0.7:8080/", False),
        ("http://[2001:db8::1]/", False),
        ("http://localhost.example.com/", False),
    ],
)
def test_only_loopback_collectors_skip_gzip(url: str, loopback: bool) -> None:
    assert is_loopback(url) is loopback
    assert gzip_level_for(None, url) == (None if loopback else 1)
    assert gzip_level_for(True, url) == 1
    assert gzip_level_for(False, url) is None
    assert gzip_level_for(None, None) == 1  # a transport of the caller's own: gzipped


def test_an_uncompressed_batch_says_identity(tmp_path: Path) -> None:
    transport = MemoryTransport()
    with Spool(tmp_path / "spool") as spool:
        shipper = Shipper(spool, transport, lambda r: b"[" + b",".join(r) + b"]", gzip_level=None)
        append(spool, shipper, [b"1", b"2"])
        shipper.start()
        assert shipper.flush(30)
        shipper.close(10)
    assert transport.attempts[0].headers["Content-Encoding"] == "identity"
    assert transport.received == [b"[1,2]"]  # the body as encoded, not gzipped


BAD = [
    ("batch_max_events", 0, "batch_max_events must be a whole number of records >= 1, got 0"),
    ("batch_max_events", 2.5, "batch_max_events must be a whole number of records >= 1"),
    ("batch_max_events", True, "batch_max_events must be a whole number of records >= 1"),
    ("batch_max_bytes", -1, "batch_max_bytes must be a whole number of bytes >= 1, got -1"),
    ("flush_interval", 0, "flush_interval (the shipper's linger) must be a number of seconds > 0"),
    ("flush_interval", -0.5, "flush_interval (the shipper's linger) must be a number of seconds"),
    ("flush_interval", math.nan, "flush_interval (the shipper's linger) must be a number"),
    ("flush_interval", 61, "<= 60, got 61"),
    ("flush_interval", "0.5", "flush_interval (the shipper's linger) must be a number"),
    ("compress", "yes", "compress must be True, False or None, got 'yes'"),
]


@pytest.mark.parametrize(("setting", "value", "message"), BAD)
def test_bad_batch_settings_are_refused_naming_the_setting(
    tmp_path: Path, setting: str, value: object, message: str
) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Emitter(
            source_name="bad", spool_dir=tmp_path / "spool", transport=MemoryTransport(),
            **{setting: value},  # type: ignore[arg-type]
        )  # fmt: skip
    assert not (tmp_path / "spool").exists()  # refused before anything was opened
    if setting == "compress":
        return
    shipper_setting = "batch_max_records" if setting == "batch_max_events" else setting
    with Spool(tmp_path / "other") as spool, pytest.raises(ValueError, match=shipper_setting):
        Shipper(spool, MemoryTransport(), bytes, **{shipper_setting: value})  # type: ignore[arg-type]


@pytest.mark.parametrize("level", [0, 10, 1.5, "1"])
def test_a_bad_gzip_level_is_refused(tmp_path: Path, level: object) -> None:
    with Spool(tmp_path / "spool") as spool, pytest.raises(ValueError, match="gzip_level must"):
        Shipper(spool, MemoryTransport(), bytes, gzip_level=level)  # type: ignore[arg-type]
