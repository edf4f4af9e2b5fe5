"""The durable spool: real files, real child processes killed with SIGKILL."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tooltrail.emitter.errors import SpoolError
from tooltrail.emitter.spool import Spool, SpoolBatch


def rec(i: int, pad: int = 0) -> bytes:
    return b"%d %s" % (i, b"x" * pad)


def num(record: bytes) -> int:
    return int(record.split(b" ", 1)[0])


def drain(spool: Spool, max_records: int = 10_000, max_bytes: int = 50_000_000) -> list[bytes]:
    """Read and ack everything left in the spool."""
    out: list[bytes] = []
    while (batch := spool.read_batch(max_records, max_bytes)) is not None:
        out.extend(batch.records)
        spool.ack(batch)
    return out


def segment_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.seg"))


def test_round_trip_across_many_segments(tmp_path: Path) -> None:
    with Spool(tmp_path, segment_bytes=1024) as spool:
        records = [rec(i, i % 50) for i in range(500)]
        for r in records:
            assert spool.append(r)
        assert spool.pending() == 500
        assert spool.stats()["segments"] > 10
        got: list[bytes] = []
        while (batch := spool.read_batch(37, 10_000)) is not None:
            assert len(batch) <= 37
            got.extend(batch.records)
            spool.ack(batch)
        assert got == records
        stats = spool.stats()
        assert (stats["pending"], stats["appended"], stats["acked"]) == (0, 500, 500)
        assert stats["segments"] == 1  # fully acked sealed segments are deleted
        assert len(segment_files(tmp_path)) == 1


def test_read_batch_is_stable_until_acked_and_honours_byte_limit(tmp_path: Path) -> None:
    with Spool(tmp_path) as spool:
        assert spool.read_batch(10, 1000) is None
        for i in range(10):
            spool.append(rec(i, 98))  # 100 bytes + newline per record
        first = spool.read_batch(100, 350)
        again = spool.read_batch(100, 350)
        assert first is not None
        assert again is not None
        assert [num(r) for r in first.records] == [0, 1, 2]
        assert again.records == first.records
        assert again.start == first.start
        spool.ack(first)
        nxt = spool.read_batch(2, 10_000)
        assert nxt is not None
        assert [num(r) for r in nxt.records] == [3, 4]
        spool.ack(first)  # acking an old batch again is a no-op
        assert spool.pending() == 7
        huge = rec(99, 5000)
        drain(spool)
        spool.append(huge)
        alone = spool.read_batch(100, 100)  # a record larger than max_bytes still ships alone
        assert alone is not None
        assert alone.records == (huge,)


def test_reopen_recovers_cursor_and_pending(tmp_path: Path) -> None:
    with Spool(tmp_path, segment_bytes=500) as spool:
        for i in range(100):
            spool.append(rec(i, 20))
        batch = spool.read_batch(40, 1_000_000)
        assert batch is not None
        spool.ack(batch)
    with Spool(tmp_path, segment_bytes=500) as spool:
        assert spool.pending() == 60
        assert spool.stats()["recovered_records"] == 60
        spool.append(rec(100))
        assert [num(r) for r in drain(spool, 7)] == list(range(40, 101))


def test_second_open_of_same_directory_is_refused(tmp_path: Path) -> None:
    with Spool(tmp_path), pytest.raises(SpoolError, match="in use"):
        Spool(tmp_path)
    Spool(tmp_path).close()  # released on close


def test_torn_tail_is_truncated_on_open(tmp_path: Path) -> None:
    with Spool(tmp_path) as spool:
        for i in range(3):
            spool.append(rec(i))
    newest = segment_files(tmp_path)[-1]
    with newest.open("ab") as f:
        f.write(b"5 half-writ")  # a crash in the middle of a write: no newline
    with Spool(tmp_path) as spool:
        assert spool.stats()["truncated_bytes"] == len(b"5 half-writ")
        assert spool.pending() == 3
        assert spool.last_record() == rec(2)
        spool.append(rec(3))
        assert drain(spool) == [rec(0), rec(1), rec(2), rec(3)]


def test_full_drop_newest_refuses_and_counts(tmp_path: Path) -> None:
    with Spool(tmp_path, max_bytes=1000, segment_bytes=300) as spool:
        accepted = [i for i in range(50) if spool.append(rec(i, 45))]  # ~49 bytes each
        assert accepted == list(range(len(accepted)))
        assert len(accepted) >= 15
        stats = spool.stats()
        assert stats["dropped_full"] == 50 - len(accepted)
        assert stats["bytes_on_disk"] <= 1000
        assert [num(r) for r in drain(spool)] == accepted
        assert spool.append(rec(50, 45))  # room again once acked (the write segment is reclaimed)
        assert spool.pending() == 1


def test_full_drop_oldest_deletes_oldest_segment_and_counts(tmp_path: Path) -> None:
    with Spool(tmp_path, max_bytes=1000, segment_bytes=300, on_full="drop_oldest") as spool:
        for i in range(50):
            assert spool.append(rec(i, 45))
        stats = spool.stats()
        assert stats["bytes_on_disk"] <= 1000
        assert stats["dropped_oldest"] > 0
        assert stats["pending"] + stats["dropped_oldest"] == 50
        left = [num(r) for r in drain(spool)]
        assert left == list(range(50 - len(left), 50))  # the newest survive, in order
        assert spool.stats()["dropped_full"] == 0


def test_drop_oldest_while_a_batch_is_in_flight(tmp_path: Path) -> None:
    with Spool(tmp_path, max_bytes=1000, segment_bytes=300, on_full="drop_oldest") as spool:
        for i in range(10):
            spool.append(rec(i, 45))
        in_flight = spool.read_batch(3, 10_000)
        assert in_flight is not None
        for i in range(10, 40):
            spool.append(rec(i, 45))
        spool.ack(in_flight)  # its segment is gone: nothing is counted twice
        stats = spool.stats()
        assert stats["pending"] + stats["dropped_oldest"] + stats["acked"] == 40
        left = [num(r) for r in drain(spool)]
        assert left == list(range(40 - len(left), 40))


def test_set_aside_writes_records_and_reason_then_acks(tmp_path: Path) -> None:
    with Spool(tmp_path) as spool:
        for i in range(6):
            spool.append(rec(i))
        batch = spool.read_batch(4, 10_000)
        assert batch is not None
        spool.set_aside(batch, "HTTP 400: bad event")
        assert spool.pending() == 2
        assert spool.stats()["set_aside"] == 4
        rejected = sorted((tmp_path / "rejected").iterdir())
        assert [p.suffix for p in rejected] == [".jsonl", ".reason"]
        assert rejected[0].read_bytes() == b"0 \n1 \n2 \n3 \n"
        assert "HTTP 400: bad event" in rejected[1].read_text()
        assert [num(r) for r in drain(spool)] == [4, 5]


def test_last_record_survives_ack_of_everything_and_reopen(tmp_path: Path) -> None:
    with Spool(tmp_path, segment_bytes=64) as spool:
        assert spool.last_record() is None
        for i in range(20):
            spool.append(rec(i, 10))
        assert spool.last_record() == rec(19, 10)
        drain(spool)
        assert spool.last_record() == rec(19, 10)
    with Spool(tmp_path, segment_bytes=64) as spool:
        assert spool.pending() == 0
        assert spool.last_record() == rec(19, 10)
        spool.append(rec(20))
    with Spool(tmp_path, segment_bytes=64) as spool:  # unacked: taken from the segment
        assert spool.last_record() == rec(20)


def test_positions_sync_close(tmp_path: Path) -> None:
    spool = Spool(tmp_path, segment_bytes=100)
    start = spool.append_position()
    assert spool.ack_position() == start
    for i in range(30):
        spool.append(rec(i, 10))
    spool.sync()
    end = spool.append_position()
    assert end > start
    assert spool.ack_position() == start
    drain(spool)
    assert spool.ack_position() >= end
    assert spool.stats()["syncs"] >= 1
    spool.close()
    spool.close()
    with pytest.raises(SpoolError):
        spool.append(b"late")
    with pytest.raises(SpoolError):
        spool.read_batch(1, 1)


def test_concurrent_appends_from_threads(tmp_path: Path) -> None:
    with Spool(tmp_path, segment_bytes=4096) as spool:

        def writer(t: int) -> None:
            for i in range(500):
                assert spool.append(b"%d-%d" % (t, i))

        threads = [threading.Thread(target=writer, args=(t,)) for t in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        got = drain(spool, 333)
        assert len(got) == len(set(got)) == 2000
        for t in range(4):  # each thread's records stay in its own order
            mine = [int(r.split(b"-")[1]) for r in got if r.startswith(b"%d-" % t)]
            assert mine == list(range(500))


def test_write_error_raises_spool_error_and_leaves_no_torn_record(tmp_path: Path) -> None:
    """A real OSError (EFBIG from RLIMIT_FSIZE) in a child: SpoolError, no half record."""
    script = textwrap.dedent(
        """
        import resource, signal, sys
        from tooltrail.emitter.errors import SpoolError
        from tooltrail.emitter.spool import Spool
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        spool = Spool(sys.argv[1])
        resource.setrlimit(resource.RLIMIT_FSIZE, (5000, 5000))
        n = 0
        try:
            while True:
                spool.append(b"%d %s" % (n, b"y" * 90))
                n += 1
        except SpoolError as exc:
            print(n, spool.stats()["write_errors"], exc, flush=True)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    n, errors = (int(x) for x in done.stdout.split()[:2])
    assert n > 0
    assert errors == 1
    with Spool(tmp_path) as spool:
        assert spool.stats()["truncated_bytes"] == 0  # the partial write was undone in place
        assert [num(r) for r in drain(spool)] == list(range(n))


# ---------------------------------------------------------------------- crash tests (kill -9)

APPENDER = """
import sys
from tooltrail.emitter.spool import Spool
spool = Spool(sys.argv[1], segment_bytes=64 * 1024)
out = sys.stdout
i = 0
while True:
    if spool.append(b"%d %s" % (i, b"p" * (i * 37 % 300))):
        out.write("%d\\n" % i)
        out.flush()
    i += 1
"""

SHIPPING_APPENDER = """
import json, os, sys
from tooltrail.emitter.shipper import Shipper
from tooltrail.emitter.spool import Spool
from tooltrail.emitter.transport import MemoryTransport, Response
spool = Spool(sys.argv[1], segment_bytes=16 * 1024)
sink = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

def collector(body, headers):  # a local sink: one line per delivered batch
    os.write(sink, (" ".join(map(str, json.loads(body))) + "\\n").encode())
    return Response(200)

def encode(records):
    return b"[" + b",".join(r.split(b" ", 1)[0] for r in records) + b"]"

shipper = Shipper(spool, MemoryTransport(collector), encode, batch_max_records=40,
                  flush_interval=0.005)
shipper.start()
out = sys.stdout
i = 0
while True:
    if spool.append(b"%d %s" % (i, b"q" * (i * 13 % 200))):
        out.write("%d\\n" % i)
        out.flush()
        shipper.wake()
    i += 1
"""


def run_and_kill(args: list[str], seed: int, ready: Callable[[], bool] = lambda: True) -> list[int]:
    """Start the child, SIGKILL it at a random moment after its first append (and once
    ``ready()``); return the numbers it printed (complete lines only)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None
    chunks: list[bytes] = []
    first = threading.Event()

    def reader() -> None:
        assert proc.stdout is not None
        while data := proc.stdout.read1(65536):
            chunks.append(data)
            first.set()

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not (first.is_set() and ready()):
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                err = proc.stderr.read().decode() if proc.stderr else ""
                pytest.fail(f"child made no progress: {err}")
            time.sleep(0.01)
        time.sleep(random.Random(seed).uniform(0.2, 0.7))
        proc.send_signal(signal.SIGKILL)
        proc.wait(60)
        thread.join(60)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        if proc.stderr is not None:
            proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    text = b"".join(chunks).decode()
    lines = text.split("\n")[:-1]  # the last piece is empty or an unterminated line
    return [int(x) for x in lines]


def check_record(record: bytes, mult: int, mod: int, pad: bytes) -> int:
    n = num(record)
    assert record == b"%d %s" % (n, pad * (n * mult % mod))  # never half a record
    return n


@pytest.mark.parametrize("seed", range(4))
def test_kill9_during_appends_loses_and_duplicates_nothing(tmp_path: Path, seed: int) -> None:
    printed = run_and_kill([APPENDER, str(tmp_path)], seed)
    assert printed == list(range(len(printed)))
    with Spool(tmp_path) as spool:
        recovered = [check_record(r, 37, 300, b"p") for r in drain(spool, 5000)]
    # every printed number exactly once, in order; at most one more (appended, not printed)
    assert recovered == list(range(len(recovered)))
    assert len(printed) <= len(recovered) <= len(printed) + 1


@pytest.mark.parametrize("seed", range(3))
def test_kill9_while_shipping_loses_nothing_and_replays_at_most_the_unacked_batch(
    tmp_path: Path, seed: int
) -> None:
    spool_dir, sink = tmp_path / "spool", tmp_path / "sink.txt"

    def shipped_a_few() -> bool:  # on a loaded machine the shipper thread can start slowly
        return sink.exists() and sink.read_bytes().count(b"\n") >= 3

    printed = run_and_kill([SHIPPING_APPENDER, str(spool_dir), str(sink)], seed, shipped_a_few)
    text = sink.read_text() if sink.exists() else ""
    batches = [[int(x) for x in line.split()] for line in text.split("\n")[:-1]]
    delivered = [n for b in batches for n in b]
    assert delivered == list(range(len(delivered)))  # in order, nothing twice within the run
    with Spool(spool_dir) as spool:
        left = [check_record(r, 13, 200, b"q") for r in drain(spool, 5000)]
    if left:
        assert left == list(range(left[0], left[0] + len(left)))
        assert left[0] <= len(delivered)  # no gap between delivered and still spooled
    seen = set(delivered) | set(left)
    assert set(printed) <= seen  # nothing lost
    replayed = set(delivered) & set(left)  # delivered but not yet acked at the kill
    assert replayed <= set(batches[-1] if batches else [])
    assert len(batches) >= 3


def test_recovery_deletes_segments_behind_the_cursor(tmp_path: Path) -> None:
    """A crash between persisting the cursor and deleting segments leaves them behind."""
    with Spool(tmp_path, segment_bytes=100) as spool:
        for i in range(30):
            spool.append(rec(i, 10))
        batch = spool.read_batch(20, 100_000)
        assert isinstance(batch, SpoolBatch)
        kept = {p.name: p.read_bytes() for p in segment_files(tmp_path)}
        spool.ack(batch)
    for name, data in kept.items():  # resurrect the deleted, acknowledged segments
        if not (tmp_path / name).exists():
            (tmp_path / name).write_bytes(data)
    with Spool(tmp_path, segment_bytes=100) as spool:
        assert [num(r) for r in drain(spool)] == list(range(20, 30))


def reference_batch(
    records: list[bytes], max_records: int, max_bytes: int
) -> tuple[list[bytes], int]:
    """What read_batch must return from the oldest records: as many as fit both limits, at
    least one; and their bytes (each with its newline)."""
    out: list[bytes] = []
    size = 0
    for r in records[:max_records]:
        if out and size + len(r) + 1 > max_bytes:
            break
        out.append(r)
        size += len(r) + 1
    return out, size


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    sizes=st.lists(st.integers(0, 3000), min_size=1, max_size=60),
    max_records=st.integers(1, 70),
    max_bytes=st.integers(1, 20_000),
    segment_bytes=st.sampled_from([512, 4096, 1 << 20]),
)
def test_read_batch_takes_what_fits_across_segments_and_resumes_after_an_ack(
    tmp_path_factory: pytest.TempPathFactory,
    sizes: list[int],
    max_records: int,
    max_bytes: int,
    segment_bytes: int,
) -> None:
    records = [b"%d:" % i + b"x" * n for i, n in enumerate(sizes)]
    with Spool(tmp_path_factory.mktemp("s"), segment_bytes=segment_bytes) as spool:
        for r in records:
            assert spool.append(r)
        left = list(records)
        while left:
            batch = spool.read_batch(max_records, max_bytes)
            assert batch is not None
            expected, size = reference_batch(left, max_records, max_bytes)
            assert list(batch.records) == expected
            assert batch.nbytes == size
            assert len(batch.positions) == len(expected)
            assert list(batch.positions) == sorted(set(batch.positions))  # one end per record
            spool.ack(batch)
            left = left[len(expected) :]
        assert spool.read_batch(max_records, max_bytes) is None
        assert spool.pending() == 0


def test_records_longer_than_a_read_chunk_come_back_whole(tmp_path: Path) -> None:
    big = [b"%d:" % i + b"y" * (300_000 + i) for i in range(3)]  # each over the 256 KiB chunk
    records = [b"a", big[0], b"b", big[1], big[2], b"c"]
    with Spool(tmp_path, segment_bytes=8 << 20) as spool:
        for r in records:
            assert spool.append(r)
        first = spool.read_batch(10, 1000)  # the second record alone is over the byte limit
        assert first is not None
        assert list(first.records) == [b"a"]
        spool.ack(first)
        second = spool.read_batch(10, 1000)  # at least one record, however large
        assert second is not None
        assert list(second.records) == [big[0]]
        spool.ack(second)
        assert drain(spool) == [b"b", big[1], big[2], b"c"]
