"""The shipper thread against an in-process collector (real spool, real thread, real time)."""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from tooltrail.emitter.errors import TransportError
from tooltrail.emitter.shipper import Shipper
from tooltrail.emitter.spool import Spool
from tooltrail.emitter.transport import MemoryTransport, Response


def encode(records: list[bytes]) -> bytes:
    return b"[" + b",".join(records) + b"]"


def wait_for(predicate: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail("condition not reached in time")
        time.sleep(0.02)


@pytest.fixture
def spool(tmp_path: Path) -> Iterator[Spool]:
    sp = Spool(tmp_path / "spool", segment_bytes=4096)
    yield sp
    sp.close()


def fill(spool: Spool, n: int, start: int = 0) -> list[int]:
    for i in range(start, start + n):
        assert spool.append(b"%d" % i)
    return list(range(start, start + n))


def make(spool: Spool, transport: MemoryTransport, **kw: object) -> Shipper:
    kw.setdefault("flush_interval", 0.05)
    return Shipper(spool, transport, encode, **kw)  # type: ignore[arg-type]


def test_ships_everything_in_order_and_flush_waits(spool: Spool) -> None:
    transport = MemoryTransport()
    shipper = make(spool, transport, batch_max_records=7, headers={"X-Source": "t"})
    expected = fill(spool, 50)
    shipper.start()
    assert shipper.flush(60)
    assert transport.events() == expected
    assert all(len(json.loads(b)) <= 7 for b in transport.received)
    headers = transport.attempts[0].headers
    assert headers["Content-Encoding"] == "gzip"
    assert headers["X-Source"] == "t"
    stats = shipper.stats()
    assert stats["events_acked"] == 50
    assert stats["batches_sent"] == len(transport.received)
    assert spool.pending() == 0
    shipper.close(10)
    assert transport.closed
    assert not shipper.running


def test_idle_shipper_neither_sends_nor_calls_before_batch(spool: Spool) -> None:
    calls: list[int] = []
    transport = MemoryTransport()
    shipper = make(spool, transport, flush_interval=0.01, before_batch=lambda: calls.append(1))
    shipper.start()
    time.sleep(0.5)
    shipper.close(10)
    assert transport.attempts == []
    assert calls == []


def test_before_batch_runs_before_the_batch_is_read(spool: Spool) -> None:
    def checkpoint() -> None:
        if spool.last_record() != b'"ckpt"':
            spool.append(b'"ckpt"')

    transport = MemoryTransport()
    shipper = make(spool, transport, before_batch=checkpoint)
    fill(spool, 5)
    shipper.start()
    assert shipper.flush(60)
    assert json.loads(transport.received[0]) == [0, 1, 2, 3, 4, "ckpt"]
    shipper.close(10)


def test_collector_down_then_up_backs_off_and_delivers_exactly_once(spool: Spool) -> None:
    outage_end = time.monotonic() + 2.0
    calls = [0]

    def flaky(body: bytes, headers: Mapping[str, str]) -> Response:
        if time.monotonic() < outage_end:
            calls[0] += 1
            if calls[0] % 2:
                raise TransportError("connection refused")
            return Response(503)
        return Response(200)

    transport = MemoryTransport(flaky)
    shipper = make(spool, transport, batch_max_records=50, backoff_base=0.1, backoff_max=1.0)
    expected = fill(spool, 300)
    shipper.start()
    wait_for(lambda: len(transport.events()) == 300)
    assert shipper.flush(60)
    assert transport.events() == expected  # in order, exactly once
    during = [a for a in transport.attempts if a.status != 200]  # all within the outage
    assert 2 <= len(during) < 20, "backoff keeps the retry rate bounded (no hot loop)"
    assert {a.status for a in during} == {None, 503}
    stats = shipper.stats()
    assert stats["transport_errors"] >= 1
    assert stats["http_errors"] >= 1
    assert stats["retries"] == len(during)
    assert stats["events_acked"] == 300
    assert stats["consecutive_failures"] == 0
    assert stats["backoff_seconds_total"] > 0
    assert shipper.last_error
    shipper.close(10)
    assert spool.pending() == 0


def test_backoff_doubles_up_to_the_cap_without_jitter(spool: Spool) -> None:
    transport = MemoryTransport()
    transport.fail_next(4, exc=TransportError("down"))
    transport.fail_next(2, status=500)
    shipper = make(spool, transport, jitter=False, backoff_base=0.05, backoff_max=0.3)
    fill(spool, 1)
    shipper.start()
    assert shipper.flush(60)
    times = [a.at for a in transport.attempts]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    expected = [0.05, 0.1, 0.2, 0.3, 0.3, 0.3]
    assert len(gaps) == len(expected)
    for gap, delay in zip(gaps, expected, strict=True):
        assert gap >= delay  # the waits grow and are never cut short
    shipper.close(10)


def test_full_jitter_stays_under_the_exponential_cap(spool: Spool) -> None:
    delays: list[float] = []
    stop = threading.Event()

    def sleep(seconds: float) -> bool:
        delays.append(seconds)
        return stop.wait(seconds)

    transport = MemoryTransport()
    transport.fail_next(8, exc=TransportError("down"))
    shipper = make(spool, transport, backoff_base=0.01, backoff_max=0.05, sleep=sleep)
    fill(spool, 1)
    shipper.start()
    assert shipper.flush(60)
    assert len(delays) == 8
    for n, delay in enumerate(delays):
        assert 0 <= delay <= min(0.05, 0.01 * 2**n)
    assert len(set(delays)) > 1  # jittered
    shipper.close(10)


def test_429_retry_after_is_honoured(spool: Spool) -> None:
    transport = MemoryTransport()
    transport.fail_next(1, status=429, retry_after=1.0)
    shipper = make(spool, transport, backoff_base=0.01)
    fill(spool, 3)
    shipper.start()
    assert shipper.flush(60)
    first, second = transport.attempts[:2]
    assert first.status == 429
    assert second.status == 200
    assert second.at - first.at >= 1.0  # not before Retry-After
    assert shipper.stats()["rate_limited"] == 1
    assert transport.events() == [0, 1, 2]
    shipper.close(10)


def test_400_batch_is_set_aside_and_later_batches_ship(
    spool: Spool, caplog: pytest.LogCaptureFixture
) -> None:
    def picky(body: bytes, headers: Mapping[str, str]) -> Response:
        if 13 in json.loads(body):
            return Response(400, body=b'{"error": "event 13 is malformed"}')
        return Response(200)

    transport = MemoryTransport(picky)
    shipper = make(spool, transport, batch_max_records=10)
    fill(spool, 40)
    caplog.set_level(logging.ERROR, logger="tooltrail.emitter")
    shipper.start()
    assert shipper.flush(60)
    assert transport.events() == [*range(10), *range(20, 40)]
    stats = shipper.stats()
    assert (stats["rejected_batches"], stats["rejected_events"]) == (1, 10)
    assert spool.stats()["set_aside"] == 10
    assert spool.pending() == 0
    rejected = sorted((spool.directory / "rejected").iterdir())
    assert rejected[0].read_bytes() == b"".join(b"%d\n" % i for i in range(10, 20))
    reason = rejected[1].read_text()
    assert "HTTP 400" in reason
    assert "malformed" in reason
    assert any(r.levelno == logging.ERROR and "set aside" in r.getMessage() for r in caplog.records)
    shipper.close(10)


def test_auth_errors_are_retried_not_set_aside(spool: Spool) -> None:
    transport = MemoryTransport()
    transport.fail_next(2, status=401)
    shipper = make(spool, transport, backoff_base=0.01)
    fill(spool, 5)
    shipper.start()
    assert shipper.flush(60)
    assert transport.events() == [0, 1, 2, 3, 4]
    assert shipper.stats()["rejected_batches"] == 0
    assert shipper.stats()["http_errors"] == 2
    shipper.close(10)


def test_413_halves_the_batch_instead_of_rejecting(spool: Spool) -> None:
    transport = MemoryTransport(
        lambda body, headers: Response(413 if len(json.loads(body)) > 8 else 200)
    )
    shipper = make(spool, transport, batch_max_records=32)
    fill(spool, 40)
    shipper.start()
    assert shipper.flush(60)
    assert transport.events() == list(range(40))
    stats = shipper.stats()
    assert stats["batch_splits"] == 2
    assert stats["rejected_batches"] == 0
    shipper.close(10)


def test_hook_and_encoder_failures_never_kill_the_thread(spool: Spool) -> None:
    def encoder(records: list[bytes]) -> bytes:
        if b"3" in records:
            raise ValueError("cannot encode")
        return encode(records)

    def broken_hook() -> None:
        raise RuntimeError("hook bug")

    transport = MemoryTransport()
    shipper = Shipper(
        spool,
        transport,
        encoder,
        batch_max_records=2,
        flush_interval=0.05,
        before_batch=broken_hook,
    )
    fill(spool, 6)
    shipper.start()
    assert shipper.flush(60)
    assert transport.events() == [0, 1, 4, 5]
    stats = shipper.stats()
    assert stats["rejected_batches"] == 1
    assert stats["before_batch_errors"] >= 3
    assert shipper.running
    shipper.close(10)


def test_close_with_dead_collector_is_bounded_and_keeps_records(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    transport = MemoryTransport()

    def dead(body: bytes, headers: Mapping[str, str]) -> Response:
        raise TransportError("connection refused")

    transport.responder = dead
    shipper = make(spool, transport, backoff_base=0.05, backoff_max=30.0)
    fill(spool, 50)
    shipper.start()
    wait_for(lambda: len(transport.attempts) >= 3)  # backing off now (waits up to 30 s)
    started = time.monotonic()
    shipper.close(timeout=1.0)
    elapsed = time.monotonic() - started
    assert elapsed < 3.0  # 1.0 s budget + scheduling slack on a loaded machine
    assert not shipper.running
    spool.close()
    with Spool(tmp_path / "spool") as reopened:
        assert reopened.pending() == 50
        batch = reopened.read_batch(100, 100_000)
        assert batch is not None
        assert [int(r) for r in batch.records] == list(range(50))


def test_close_returns_within_timeout_while_a_send_hangs(spool: Spool) -> None:
    release = threading.Event()

    def hang(body: bytes, headers: Mapping[str, str]) -> Response:
        release.wait(60)
        return Response(200)

    transport = MemoryTransport(hang)
    shipper = make(spool, transport)
    fill(spool, 5)
    shipper.start()
    wait_for(lambda: len(transport.attempts) == 0 and shipper.stats()["send_attempts"] == 1)
    started = time.monotonic()
    shipper.close(timeout=0.5)
    assert time.monotonic() - started < 2.5
    assert shipper.running
    assert not transport.closed
    release.set()
    wait_for(lambda: not shipper.running)
    assert spool.pending() == 0  # the hung send was answered 200 and acked


def test_flush_without_a_running_thread_fails_fast(spool: Spool) -> None:
    shipper = make(spool, MemoryTransport())
    assert shipper.flush(5)  # nothing to do
    fill(spool, 1)
    started = time.monotonic()
    assert not shipper.flush(30)
    assert time.monotonic() - started < 5
