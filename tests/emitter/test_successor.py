"""A forked emitter goes on on a successor stream: re-chaining, the spool's atomic replacement
(with a crash at every step), and the shipper acting on the 409's ``action``."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from tooltrail.contract import GENESIS_HASH, compute_hash, seal, verify
from tooltrail.contract.streams import FORKED_AT, FORKED_FROM
from tooltrail.contract.wire import RECORD_CHECKPOINT, RECORD_EVENT, encode_batch
from tooltrail.emitter.shipper import Shipper
from tooltrail.emitter.spool import Spool
from tooltrail.emitter.successor import rechain
from tooltrail.emitter.transport import MemoryTransport, Response

from ..conftest import build_chain

OLD = "svc.0123456789abcdef"
NEW = "svc.fedcba9876543210"


def records(n: int) -> list[bytes]:
    out = []
    for e in build_chain(n, OLD):
        out.append(RECORD_EVENT + json.dumps(e).encode())
        if e["seq"] % 3 == 2:
            out.append(RECORD_CHECKPOINT + json.dumps({"seq": e["seq"]}).encode())
    return out


def test_rechain_drops_what_was_kept_and_links_the_rest_from_the_genesis() -> None:
    old = records(8)
    new, next_seq, last = rechain(old, OLD, 4, NEW)
    events = [json.loads(r[1:]) for r in new]
    assert all(r[:1] == RECORD_EVENT for r in new)  # old checkpoints vouch for old positions
    assert [e["seq"] for e in events] == [0, 1, 2]
    assert next_seq == 3
    assert {e["stream_id"] for e in events} == {NEW}
    assert events[0]["prev_hash"] == GENESIS_HASH
    assert last == events[-1]["hash"]
    assert events[0]["attrs"] == {FORKED_FROM: OLD, FORKED_AT: 5}
    assert [e["event_id"] for e in events] == [
        json.loads(r[1:])["event_id"] for r in old if r[:1] == RECORD_EVENT
    ][5:]
    assert verify(events).ok  # a valid chain of its own
    assert all(compute_hash(e) == e["hash"] for e in events)


def test_replace_pending_is_atomic_across_a_crash(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "s", segment_bytes=64)
    for i in range(10):
        spool.append(b"old%d" % i)
    batch = spool.read_batch(3, 10_000)
    assert batch is not None
    spool.ack(batch)
    start = spool.ack_position()
    spool.replace_pending(start, [b"new0", b"new1"])
    assert spool.read_batch(100, 10_000).records == (b"new0", b"new1")  # type: ignore[union-attr]
    assert (spool.pending(), spool.last_record(), spool.epoch) == (2, b"new1", 1)
    spool.append(b"new2")
    spool.close()
    again = Spool(tmp_path / "s")
    assert again.read_batch(100, 10_000).records == (b"new0", b"new1", b"new2")  # type: ignore[union-attr]
    again.close()


def test_a_replacement_cut_short_keeps_old_or_new_records_never_both(tmp_path: Path) -> None:
    directory = tmp_path / "s"
    spool = Spool(directory)
    for i in range(3):
        spool.append(b"old%d" % i)
    spool.close()
    # crash before the commit point: a staged segment the cursor does not name is dropped
    (directory / "0000000000000009.seg.new").write_bytes(b"new0\n")
    spool = Spool(directory)
    assert spool.read_batch(100, 10_000).records == (b"old0", b"old1", b"old2")  # type: ignore[union-attr]
    spool.close()
    assert not list(directory.glob("*.new"))
    # crash after it: the cursor names the staged segment, so it replaces the old ones
    (directory / "0000000000000009.seg.new").write_bytes(b"new0\nnew1\n")
    (directory / "cursor.json").write_text(json.dumps({"segment": 9, "offset": 0, "last": None}))
    spool = Spool(directory)
    assert spool.read_batch(100, 10_000).records == (b"new0", b"new1")  # type: ignore[union-attr]
    assert sorted(os.listdir(directory)) == ["0000000000000009.seg", "cursor.json", "spool.lock"]
    spool.close()


def _event_record(seq: int, prev: str) -> bytes:
    ev = build_chain(1, OLD)[0]
    return RECORD_EVENT + seal(ev, OLD, seq, prev)


def test_the_shipper_acts_on_the_409s_action(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "s")
    for r in records(4):
        spool.append(r)
    calls: list[tuple[str, int]] = []

    def new_stream(stream: str, kept: int) -> None:
        calls.append((stream, kept))
        start = spool.ack_position()
        pending = spool.read_batch(1000, 10**9)
        assert pending is not None
        spool.replace_pending(start, rechain(pending.records, stream, kept, NEW)[0])

    transport = MemoryTransport()
    answer = {"action": "new_stream", "stream_id": OLD, "kept_through": 1}
    transport.fail_next(1, 409, body=json.dumps(answer).encode())
    shipper = Shipper(spool, transport, encode_batch, flush_interval=0.05, on_new_stream=new_stream)
    shipper.start()
    assert shipper.flush(30)
    assert calls == [(OLD, 1)]
    (delivered,) = transport.received
    events = json.loads(delivered)["events"]
    assert [(e["stream_id"], e["seq"]) for e in events] == [(NEW, 0), (NEW, 1)]
    stats = shipper.stats()
    assert (stats["new_streams"], stats["rejected_events"], stats["events_acked"]) == (1, 0, 2)
    # "continue": every event is in the stream, only a checkpoint was refused: acked, not set aside
    spool.append(_event_record(2, events[-1]["hash"]))
    transport.fail_next(1, 409, body=b'{"action": "continue"}')
    assert shipper.flush(30)
    assert (shipper.stats()["conflicts"], shipper.stats()["rejected_events"]) == (2, 0)
    # a 409 without an action this shipper knows: set aside, as any refused batch
    spool.append(b"E{}")
    transport.fail_next(1, 409, body=b"not json")
    assert shipper.flush(30)
    assert shipper.stats()["rejected_events"] == 1
    shipper.close()
    spool.close()


def test_a_hook_that_moves_nothing_backs_off_and_keeps_the_records(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "s")
    for r in records(3):
        spool.append(r)
    pending = spool.pending()
    answer = {"action": "new_stream", "stream_id": OLD, "kept_through": 0}
    transport = MemoryTransport(
        lambda body, headers: Response(409, None, json.dumps(answer).encode())
    )
    waits: list[float] = []

    def sleep(seconds: float) -> bool:
        waits.append(seconds)
        return False

    shipper = Shipper(
        spool, transport, encode_batch, on_new_stream=lambda stream, kept: None, sleep=sleep
    )
    shipper.start()
    wait_until = time.monotonic() + 30
    while len(waits) < 3 and time.monotonic() < wait_until:
        time.sleep(0.01)
    shipper.close(1)
    assert len(transport.attempts) <= len(waits) + 1  # a backoff before every new ask
    stats = shipper.stats()
    assert (stats["rejected_events"], stats["events_acked"], stats["new_streams"]) == (0, 0, 0)
    assert stats["internal_errors"] >= 1
    assert spool.pending() == pending  # nothing lost, nothing set aside
    spool.close()
