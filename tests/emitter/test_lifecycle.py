"""A final checkpoint on every clean exit, and when the emitter goes idle.

The stdio tests run the README's server (``_mcp_readme_server.py``) as a real child process,
speak JSON-RPC to it over its pipes, and stop it as a host does: by closing its stdin, or with
SIGTERM. The spool it leaves must end with a signed checkpoint over its last event.
"""

from __future__ import annotations

import gc
import json
import signal
import subprocess
import sys
import textwrap
import time
import weakref
from pathlib import Path
from typing import IO, Any

import anyio
import pytest
from mcp import Client

from tooltrail.contract import Signer, verify, verify_checkpoint
from tooltrail.contract.wire import RECORD_CHECKPOINT, RECORD_EVENT
from tooltrail.emitter import Emitter, MemoryTransport, Spool

from ._mcp_stdio_server import build_server

README_SERVER = Path(__file__).with_name("_mcp_readme_server.py")
TIMEOUT = 60.0


def spooled(spool_dir: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[bytes]]:
    """(events, checkpoints, record tags) left in a spool, in order."""
    with Spool(spool_dir) as spool:
        batch = spool.read_batch(100_000, 1 << 30)
    records = list(batch.records) if batch is not None else []
    events = [json.loads(r[1:]) for r in records if r[:1] == RECORD_EVENT]
    checkpoints = [json.loads(r[1:]) for r in records if r[:1] == RECORD_CHECKPOINT]
    return events, checkpoints, [r[:1] for r in records]


def assert_signed_through_the_last_event(spool_dir: Path) -> dict[str, Any]:
    events, checkpoints, tags = spooled(spool_dir)
    assert events, "the server recorded nothing"
    assert tags[-1] == RECORD_CHECKPOINT, "the spool does not end with a checkpoint"
    final = checkpoints[-1]
    assert (final["seq"], final["hash"]) == (events[-1]["seq"], events[-1]["hash"])
    signer = Signer.load_or_create(spool_dir / "signing.key")
    verify_checkpoint(final, {signer.key_id: signer.public_key})
    report = verify(events, checkpoints, [signer.public_key])
    assert report.streams[events[0]["stream_id"]].verified_through == events[-1]["seq"]
    return final


def checkpoints_of(transport: MemoryTransport) -> list[dict[str, Any]]:
    """The checkpoints the collector received, in order."""
    return [cp for body in transport.received for cp in json.loads(body).get("checkpoints", [])]


def wait_for(condition: Any, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


# -- a real stdio server, stopped as a host stops it -------------------------------------------


def _send(pipe: IO[bytes], message: dict[str, Any]) -> None:
    pipe.write(json.dumps(message).encode() + b"\n")
    pipe.flush()


def _answer(pipe: IO[bytes], request_id: int) -> dict[str, Any]:
    while True:
        line = pipe.readline()
        assert line, "the server closed its stdout"
        message: dict[str, Any] = json.loads(line)
        if message.get("id") == request_id:
            return message


def _serve_three_calls(tmp_path: Path) -> tuple[subprocess.Popen[bytes], Path]:
    spool_dir = tmp_path / "spool"
    errlog = (tmp_path / "server.stderr").open("wb")
    proc = subprocess.Popen(
        [sys.executable, str(README_SERVER), str(spool_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=errlog,
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    _send(
        proc.stdin,
        {
            "jsonrpc": "2.0",
            "id": 0,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": {"name": "a-host", "version": "1.0"},
            },
        },
    )
    assert "result" in _answer(proc.stdout, 0)
    _send(proc.stdin, {"jsonrpc": "2.0", "method": "notifications/initialized"})
    for i in range(1, 4):
        call = {"name": "echo", "arguments": {"text": f"call {i}"}}
        _send(proc.stdin, {"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": call})
        assert _answer(proc.stdout, i)["result"]["isError"] is False
    return proc, spool_dir


def test_a_stdio_server_whose_stdin_the_host_closes_signs_its_last_event(tmp_path: Path) -> None:
    proc, spool_dir = _serve_three_calls(tmp_path)
    assert proc.stdin is not None
    proc.stdin.close()  # the host's first move (MCP spec, stdio shutdown)
    assert proc.wait(TIMEOUT) == 0, (tmp_path / "server.stderr").read_text()
    final = assert_signed_through_the_last_event(spool_dir)
    assert final["seq"] == 2


def test_a_stdio_server_the_host_terminates_signs_its_last_event(tmp_path: Path) -> None:
    proc, spool_dir = _serve_three_calls(tmp_path)
    proc.send_signal(signal.SIGTERM)  # the host's second move, stdin still open
    assert proc.wait(TIMEOUT) == -signal.SIGTERM  # it still dies of the signal
    final = assert_signed_through_the_last_event(spool_dir)
    assert final["seq"] == 2


# -- interpreter exit, idleness, the SDK lifespan ---------------------------------------------


def test_a_process_that_just_ends_signs_its_last_event(tmp_path: Path) -> None:
    spool_dir = tmp_path / "spool"
    script = textwrap.dedent(
        f"""
        from tooltrail.emitter import Emitter
        em = Emitter(source_name="batch-job", spool_dir={str(spool_dir)!r}, checkpoint_idle=0,
                     checkpoint_every=10**9, checkpoint_interval=10**9)
        for i in range(5):
            with em.record("tools/call", tool="t"):
                pass
        # no close(), no flush(): the interpreter exits
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr.decode()
    assert assert_signed_through_the_last_event(spool_dir)["seq"] == 4


def test_an_idle_emitter_signs_its_head(tmp_path: Path) -> None:
    transport = MemoryTransport()
    emitter = Emitter(
        source_name="svc",
        spool_dir=tmp_path / "spool",
        transport=transport,
        flush_interval=0.02,
        checkpoint_every=10**9,
        checkpoint_interval=10**9,
        checkpoint_idle=0.1,
    )
    for _ in range(3):
        with emitter.record("tools/call", tool="t"):
            pass
    wait_for(lambda: any(c["seq"] == 2 for c in checkpoints_of(transport)), "the idle checkpoint")
    (idle,) = checkpoints_of(transport)
    assert idle["alg"] == "ed25519"
    with emitter.record("tools/call", tool="t"):  # a new event: signed again once idle
        pass
    wait_for(lambda: any(c["seq"] == 3 for c in checkpoints_of(transport)), "the next one")
    emitter.close()


@pytest.mark.anyio
async def test_the_server_lifespan_end_signs_and_ships_the_head(tmp_path: Path) -> None:
    transport = MemoryTransport()
    emitter = Emitter(
        source_name="svc",
        spool_dir=tmp_path / "spool",
        transport=transport,
        flush_interval=0.02,
        checkpoint_every=10**9,
        checkpoint_interval=10**9,
        checkpoint_idle=0,
    )
    server, _ = build_server(emitter)
    heads = []
    for _ in (1, 2):  # the in-process client enters the lifespan once per connection
        with anyio.fail_after(TIMEOUT):
            async with Client(server) as client:
                await client.call_tool("echo", {"text": "x"})
        # the client lists the tools itself (output schemas): the first listing is an event too
        heads.append(emitter.stats()["recorded"] - 1)
        # no flush() or close() here: the lifespan's end signed the head and shipped it
        assert [c["seq"] for c in checkpoints_of(transport)] == heads
    assert heads == [1, 2]  # still open for the second connection
    emitter.close()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_sigterm_handler_is_not_installed_over_someone_elses(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import signal
        from tooltrail.emitter import close_on_sigterm
        mine = lambda *a: None
        signal.signal(signal.SIGTERM, mine)
        assert close_on_sigterm() is False
        assert signal.getsignal(signal.SIGTERM) is mine
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        assert close_on_sigterm() is True
        assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr.decode()


def test_the_idle_thread_does_not_keep_a_dropped_emitter_alive(tmp_path: Path) -> None:
    emitter = Emitter(source_name="svc", spool_dir=tmp_path / "spool", checkpoint_idle=0.05)
    with emitter.record("tools/call", tool="t"):
        pass
    ref = weakref.ref(emitter)
    del emitter
    gc.collect()
    assert ref() is None  # collected: its spool lock is released as it always was
    again = Emitter(source_name="svc", spool_dir=tmp_path / "spool", checkpoint_idle=0)
    assert (again.stats()["next_seq"], again.stats()["errors"]) == (1, 0)
    again.close()
