"""``tooltrail wrap`` around real MCP servers nobody here wrote (the npm reference servers
``server-everything`` and ``server-filesystem``) and a plain server on the official Python SDK,
driven by the official ``mcp.ClientSession``.

Transparency: the same session run against the server directly and through ``wrap`` leaves the
same raw lines on the host's side, message for message, in each direction. (Servers that ask the
host for its roots on their own do so right after ``initialized``: the scenarios wait for that
request first, so that the interleaving, and so the server's request ids, are the same.)
Recording: one event per call (and one per ``tools/list``) in wrap's spool, chained and signed
through the last one. Endings: a server that dies mid-call, a host that goes away, a signal.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
import pytest
from mcp import ClientSession
from mcp.shared.exceptions import MCPError

from tooltrail.contract import Signer, verify, verify_checkpoint
from tooltrail.contract.wire import RECORD_EVENT
from tooltrail.emitter.relay import RELAY_ATTR
from tooltrail.emitter.relay.__main__ import CLAIM

from ._mcp_stdio_server import summary
from ._relay_tape import EVERYTHING, FILESYSTEM, ROOT, SDK_SERVER, Tape, tapped_stdio, wrapped
from .test_lifecycle import spooled

pytestmark = pytest.mark.anyio

Scenario = Callable[[ClientSession], Awaitable[None]]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def _sampling(
    _ctx: Any, params: types.CreateMessageRequestParams
) -> types.CreateMessageResult:
    return types.CreateMessageResult(
        role="assistant",
        content=types.TextContent(type="text", text=f"sampled {params.max_tokens}"),
        model="test-model",
    )


async def _elicitation(_ctx: Any, _params: Any) -> types.ElicitResult:
    return types.ElicitResult(action="decline")


_ROOTS_ASKED: list[anyio.Event] = []
_ROOTS = ["file:///work"]  # what the host offers as its roots (the filesystem test sets its own)


async def _roots(_ctx: Any) -> types.ListRootsResult:
    for event in _ROOTS_ASKED:
        event.set()
    return types.ListRootsResult(roots=[types.Root(uri=_ROOTS[-1], name="work")])


_TAPES: list[Tape] = []


async def _roots_asked() -> None:
    """Wait until the server asked for the roots (it does so once, after ``initialized``) and
    the host's answer is on the wire, so that the next request always follows it."""
    with anyio.fail_after(30):
        await _ROOTS_ASKED[-1].wait()
        while not any(d == ">" and b'"roots"' in line for d, line in _TAPES[-1]):
            await anyio.sleep(0.01)


async def _session(command: list[str], scenario: Scenario, tape: Tape) -> int | None:
    async with (
        tapped_stdio(command, tape) as tapped,
        ClientSession(
            tapped.read,
            tapped.write,
            sampling_callback=_sampling,
            elicitation_callback=_elicitation,
            list_roots_callback=_roots,
        ) as session,
    ):
        _ROOTS_ASKED.append(anyio.Event())
        _TAPES.append(tape)
        await session.initialize()
        await scenario(session)
    return tapped.process.returncode


def _directions(tape: Tape) -> tuple[list[bytes], list[bytes]]:
    return [b for d, b in tape if d == ">"], [b for d, b in tape if d == "<"]


async def _same_through_wrap(
    command: list[str], scenario: Scenario, spool: Path
) -> tuple[Tape, list[dict[str, Any]]]:
    direct: Tape = []
    through: Tape = []
    await _session(command, scenario, direct)
    status = await _session(wrapped(command, spool), scenario, through)
    sent_direct, got_direct = _directions(direct)
    sent_wrap, got_wrap = _directions(through)
    assert sent_wrap == sent_direct  # the same lines, byte for byte, in the same order
    assert got_wrap == got_direct
    assert status == 0
    events = _verified(spool)
    return through, events


def _verified(spool: Path) -> list[dict[str, Any]]:
    """The spool's events, after checking the chain is intact and signed through its end."""
    events, checkpoints, _ = spooled(spool)
    assert events
    signer = Signer.load_or_create(spool / "signing.key")
    final = checkpoints[-1]
    verify_checkpoint(final, {signer.key_id: signer.public_key})
    report = verify(events, checkpoints, [signer.public_key])
    assert report.ok, report
    assert report.streams[events[0]["stream_id"]].verified_through == events[-1]["seq"]
    return events


def _answers(tape: Tape) -> dict[str, int]:
    """Request id → the size of its response line, as the host read it."""
    out = {}
    for d, line in tape:
        msg = json.loads(line)
        if d == "<" and "id" in msg and "method" not in msg:
            out[str(msg["id"])] = len(line)
    return out


async def _everything(session: ClientSession) -> None:
    await _roots_asked()
    await session.list_tools()
    await session.send_ping()
    assert (await session.call_tool("echo", {"message": "hi"})).is_error is not True
    assert (await session.call_tool("get-sum", {"a": 1, "b": 2.5})).is_error is not True
    await session.call_tool("get-tiny-image", {})
    await session.call_tool("get-structured-content", {"location": "New York"})
    progress: list[float] = []

    async def on_progress(p: float, _total: float | None, _msg: str | None) -> None:
        progress.append(p)

    await session.call_tool(
        "trigger-long-running-operation",
        {"duration": 0.3, "steps": 3},
        progress_callback=on_progress,
    )
    assert progress
    sampled = await session.call_tool("trigger-sampling-request", {"prompt": "hi", "maxTokens": 7})
    assert "sampled 7" in json.dumps(sampled.model_dump(mode="json"))
    await session.call_tool("trigger-elicitation-request", {})
    resources = await session.list_resources()
    await session.read_resource(resources.resources[0].uri)
    await session.get_prompt("simple-prompt")
    assert (await session.call_tool("no-such-tool", {})).is_error is True


async def test_everything_server_is_relayed_unchanged_and_recorded(tmp_path: Path) -> None:
    tape, events = await _same_through_wrap(EVERYTHING, _everything, tmp_path / "spool")
    calls = [s for s in summary(events) if s[0] != "tools/list"]
    assert [s[:2] for s in calls] == [
        ("tools/call", "echo"),
        ("tools/call", "get-sum"),
        ("tools/call", "get-tiny-image"),
        ("tools/call", "get-structured-content"),
        ("tools/call", "trigger-long-running-operation"),
        ("tools/call", "trigger-sampling-request"),
        ("tools/call", "trigger-elicitation-request"),
        ("resources/read", "demo://resource/static/document/architecture.md"),
        ("prompts/get", "simple-prompt"),
        ("tools/call", "no-such-tool"),
    ]
    assert all(s[2] == "ok" for s in calls[:-1])
    assert calls[-1][2] == "error"
    # result_bytes is the response's size on the wire, as the host read it
    sizes = _answers(tape)
    for event in events:
        if event["outcome"] == "ok":
            assert event["result_bytes"] == sizes[event["jsonrpc.request.id"]]
        assert event["network.transport"] == "pipe"
        assert event["tooltrail.transport"] == "stdio"
        assert event["attrs"][RELAY_ATTR] == "wrap"
        assert event["actor"]["client"] == "mcp"
    listed = [e for e in events if e["mcp.method.name"] == "tools/list"]
    assert len(listed) == 1
    tools = listed[0]["attrs"]["tooltrail.tools"]
    assert {"echo", "get-sum", "trigger-sampling-request"} <= set(tools)
    assert listed[0]["attrs"]["tooltrail.server.name"].startswith("mcp-servers/everything")
    echo = next(e for e in events if e.get("gen_ai.tool.name") == "echo")
    assert echo["attrs"]["tooltrail.tool.hash"] == tools["echo"]["hash"]
    assert echo["tooltrail.tools.hash"] == listed[0]["tooltrail.tools.hash"]


async def test_filesystem_server_is_relayed_unchanged_and_recorded(tmp_path: Path) -> None:
    root = tmp_path / "data"
    root.mkdir()
    (root / "notes.txt").write_text("alpha\nbeta\n")
    _ROOTS.append(root.as_uri())  # the server takes the host's roots as its allowed directories

    async def scenario(session: ClientSession) -> None:
        await _roots_asked()
        await session.list_tools()
        await session.call_tool("list_allowed_directories", {})
        await session.call_tool("list_directory", {"path": str(root)})
        await session.call_tool("read_text_file", {"path": str(root / "notes.txt")})
        await session.call_tool("get_file_info", {"path": str(root / "notes.txt")})
        outside = await session.call_tool("read_text_file", {"path": "/etc/hostname"})
        assert outside.is_error is True

    _, events = await _same_through_wrap([FILESYSTEM, str(root)], scenario, tmp_path / "spool")
    assert summary(events)[1:] == [
        ("tools/call", "list_allowed_directories", "ok", None),
        ("tools/call", "list_directory", "ok", None),
        ("tools/call", "read_text_file", "ok", None),
        ("tools/call", "get_file_info", "ok", None),
        ("tools/call", "read_text_file", "error", "tool_error"),
    ]
    assert events[0]["attrs"]["tooltrail.server.name"] == "secure-filesystem-server"


async def test_sdk_server_is_relayed_unchanged_with_large_results_and_progress(
    tmp_path: Path,
) -> None:
    async def scenario(session: ClientSession) -> None:
        await session.list_tools()
        assert (await session.call_tool("echo", {"text": "héllo ✓"})).is_error is not True
        await session.call_tool("add", {"a": 1, "b": 2})
        big = await session.call_tool("blob", {"size": 3 * 2**19})
        assert len(json.dumps(big.model_dump(mode="json"))) > 3 * 2**19
        seen: list[float] = []

        async def on_progress(p: float, _t: float | None, _m: str | None) -> None:
            seen.append(p)

        await session.call_tool("count", {"n": 4}, progress_callback=on_progress)
        assert seen == [1, 2, 3, 4]
        assert (await session.call_tool("fails", {})).is_error is True
        await session.read_resource("res://greeting")
        await session.get_prompt("hello", {"name": "Ada"})

    tape, events = await _same_through_wrap(SDK_SERVER, scenario, tmp_path / "spool")
    assert summary(events) == [
        ("tools/list", None, "ok", None),
        ("tools/call", "echo", "ok", None),
        ("tools/call", "add", "ok", None),
        ("tools/call", "blob", "ok", None),
        ("tools/call", "count", "ok", None),
        ("tools/call", "fails", "error", "tool_error"),
        ("resources/read", "res://greeting", "ok", None),
        ("prompts/get", "hello", "ok", None),
    ]
    sizes = _answers(tape)
    blob = events[3]
    assert blob["result_bytes"] == sizes[blob["jsonrpc.request.id"]] > 3 * 2**19
    assert events[0]["attrs"]["tooltrail.server.version"] == "3.1"


async def test_a_server_crash_mid_call_ends_the_session_with_its_exit_code(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    tape: Tape = []
    async with (
        tapped_stdio(wrapped(SDK_SERVER, spool), tape) as tapped,
        ClientSession(tapped.read, tapped.write) as session,
    ):
        await session.initialize()
        await session.call_tool("echo", {"text": "before"})
        with pytest.raises(MCPError):
            await session.call_tool("crash", {"code": 7})
    assert tapped.process.returncode == 7  # the server's own exit code
    calls = [s for s in summary(_verified(spool)) if s[0] != "tools/list"]
    assert calls == [
        ("tools/call", "echo", "ok", None),
        ("tools/call", "crash", "error", "no_response"),
    ]


def test_a_host_that_goes_away_ends_the_server_and_the_relay_cleanly(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    proc = subprocess.Popen(
        wrapped(SDK_SERVER, spool, "--exit-grace", "30"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    init = {"protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "h", "version": "1"}}  # fmt: skip
    for msg in (
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": init},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
         "params": {"name": "echo", "arguments": {"text": "x"}}},
    ):  # fmt: skip
        proc.stdin.write(json.dumps(msg).encode() + b"\n")
        proc.stdin.flush()
    answers = [json.loads(proc.stdout.readline()) for _ in range(2)]
    assert [a["id"] for a in answers] == [1, 2]
    proc.stdin.close()  # the host is gone: the server is told by EOF and exits by itself
    assert proc.wait(timeout=30) == 0
    assert proc.stdout.read() == b""
    assert summary(_verified(spool)) == [("tools/call", "echo", "ok", None)]


def test_a_signal_to_wrap_reaches_the_server_and_wrap_ends_as_it_did(tmp_path: Path) -> None:
    script = tmp_path / "server.py"
    script.write_text(
        "import signal, sys, time\n"
        "signal.signal(signal.SIGTERM, lambda *a: sys.exit(42))\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    proc = subprocess.Popen(
        wrapped([sys.executable, str(script)], tmp_path / "spool"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == b"ready\n"
    proc.send_signal(signal.SIGTERM)
    # a hang guard, not a timing: wrap waits for its recorder (here still starting) at most
    # --flush-timeout + 2 s and never kills it (the next test); before, up to 2 x 15 s, then a kill
    assert proc.wait(timeout=120) == 42  # the server's handler ran: its code is ours

    killed = subprocess.Popen(
        wrapped([sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"],
                tmp_path / "spool2"),
        stdin=subprocess.PIPE,
    )  # fmt: skip
    assert killed.wait(timeout=120) == -signal.SIGKILL  # killed by a signal: so is wrap


_ECHO_SERVER = """
import json, signal, sys
signal.signal(signal.SIGTERM, lambda *a: sys.exit(42))
for line in sys.stdin:
    msg = json.loads(line)
    if msg["params"]["name"] == "echo":  # "hang" is never answered
        print(json.dumps({"jsonrpc": "2.0", "id": msg["id"], "result": {"content": []}}),
              flush=True)
"""


def _worker_of(wrap: subprocess.Popen[bytes]) -> int:
    """The pid of wrap's recorder worker (``python -m tooltrail.emitter.relay``), once it runs."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError):
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == wrap.pid and (
                    b"tooltrail.emitter.relay" in (stat.parent / "cmdline").read_bytes()
                ):
                    return int(stat.parent.name)
    raise AssertionError("wrap started no recorder worker")


def _running(pid: int) -> bool:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return False


def _raw_events(spool: Path) -> list[dict[str, Any]]:
    """The events in the spool's segments as they are on disk (its owner still holds it)."""
    lines = (line for seg in sorted(spool.glob("*.seg")) for line in seg.read_bytes().splitlines())
    return [json.loads(line[1:]) for line in lines if line[:1] == RECORD_EVENT]


@pytest.mark.parametrize(
    ("stopped", "everyone"),
    [("before it started", False), ("after it recorded", True)],
    ids=["recorder not started, wrap signalled", "recorder at work, every process signalled"],
)
def test_a_stop_ends_wrap_without_waiting_out_its_recorder_which_still_records_it_all(
    tmp_path: Path, stopped: str, everyone: bool
) -> None:
    """SIGTERM to wrap (or to every process, as systemd stops a service) while its recorder gets
    no CPU (SIGSTOP: still starting, or at work, as on a loaded machine): wrap ends as its server
    did after a bounded wait (--flush-timeout + 2 s) and never kills the recorder; what it
    recorded is in the spool as wrap ends; given the CPU back, it records the rest (the
    unanswered call as no_response) and signs, on its own. (The old end waited up to 2 x 15 s,
    then killed it, and a SIGTERM of its own ended it: no events, or no no_response and no final
    checkpoint.)"""
    spool = tmp_path / "spool"
    (tmp_path / "server.py").write_text(_ECHO_SERVER)
    proc = subprocess.Popen(
        wrapped([sys.executable, str(tmp_path / "server.py")], spool, "--flush-timeout", "0"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    worker = _worker_of(proc)
    if stopped == "before it started":
        os.kill(worker, signal.SIGSTOP)
    for n, name in enumerate(["echo", "echo", "echo", "hang"]):
        call = {"jsonrpc": "2.0", "id": n, "method": "tools/call",
                "params": {"name": name, "arguments": {}}}  # fmt: skip
        proc.stdin.write(json.dumps(call).encode() + b"\n")
        proc.stdin.flush()
        if name == "echo":
            assert json.loads(proc.stdout.readline())["id"] == n
    recorded: list[dict[str, Any]] = []
    if stopped == "after it recorded":
        deadline = time.monotonic() + 60
        while len(recorded := _raw_events(spool)) < 3:
            assert time.monotonic() < deadline, "the recorder recorded nothing"
            time.sleep(0.05)
        os.kill(worker, signal.SIGSTOP)
    if everyone:
        os.kill(worker, signal.SIGTERM)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=120) == 42  # a hang guard: the old end waited, then killed it
    assert _raw_events(spool)[: len(recorded)] == recorded  # what it recorded is in the spool
    # (wrap's exit orphans the worker's process group, and the kernel sends a stopped orphaned
    # group SIGHUP and SIGCONT: it may be at work already)
    with contextlib.suppress(ProcessLookupError):
        os.kill(worker, signal.SIGCONT)
    deadline = time.monotonic() + 120
    while _running(worker):
        assert time.monotonic() < deadline, "the recorder did not finish on its own"
        time.sleep(0.05)
    assert summary(_verified(spool)) == [("tools/call", "echo", "ok", None)] * 3 + [
        ("tools/call", "hang", "error", "no_response")
    ]


def test_a_kill_of_wraps_process_group_still_leaves_the_calls_signed(tmp_path: Path) -> None:
    """A host or gateway may stop a server with SIGKILL to its whole process group: the relay
    dies with it, the recorder (a group of its own) reads the end of its pipe and signs."""
    spool = tmp_path / "spool"
    tiny = [sys.executable, str(ROOT / "benchmarks" / "wrap.py"), "--serve"]
    proc = subprocess.Popen(
        wrapped(tiny, spool), stdin=subprocess.PIPE, stdout=subprocess.PIPE, process_group=0
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    call = {"jsonrpc": "2.0", "id": 3, "method": "tools/call",
            "params": {"name": "echo", "arguments": {"text": "x"}}}  # fmt: skip
    proc.stdin.write(json.dumps(call).encode() + b"\n")
    proc.stdin.flush()
    assert json.loads(proc.stdout.readline())["id"] == 3
    deadline = time.monotonic() + 60
    while not any(seg.stat().st_size for seg in spool.glob("*.seg")):  # the event is spooled
        assert time.monotonic() < deadline, "the recorder recorded nothing"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL
    with (spool / CLAIM).open("rb") as claim:  # held by the recorder until it exits
        fcntl.flock(claim, fcntl.LOCK_EX)
    assert summary(_verified(spool)) == [("tools/call", "echo", "ok", None)]


def test_a_command_that_cannot_start_is_a_clear_error(tmp_path: Path) -> None:
    out = subprocess.run(
        wrapped([str(tmp_path / "no-such-server")], tmp_path / "spool"),
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ},
    )
    assert out.returncode == 2
    assert "cannot start" in out.stderr
    assert "no-such-server" in out.stderr
    assert out.stdout == ""


def test_two_wraps_of_one_server_at_once_record_into_two_streams(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    tiny = [sys.executable, str(ROOT / "benchmarks" / "wrap.py"), "--serve"]  # answers at once
    procs = [
        subprocess.Popen(wrapped(tiny, spool), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        for _ in range(2)
    ]
    for n, proc in enumerate(procs):
        assert proc.stdin is not None
        assert proc.stdout is not None
        call = {"jsonrpc": "2.0", "id": n, "method": "tools/call",
                "params": {"name": "echo", "arguments": {"text": f"from {n}"}}}  # fmt: skip
        proc.stdin.write(json.dumps(call).encode() + b"\n")
        proc.stdin.flush()
        assert json.loads(proc.stdout.readline())["id"] == n
    deadline = time.monotonic() + 60  # both recorders are up (they start beside the relay)
    while not (tmp_path / "spool.2" / "relay.claim").exists():
        assert time.monotonic() < deadline, "the second recorder did not move to spool.2"
        time.sleep(0.05)
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.close()
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    first, second = _verified(spool), _verified(tmp_path / "spool.2")
    assert first[0]["stream_id"] != second[0]["stream_id"]
    assert sorted(e["jsonrpc.request.id"] for e in first + second) == ["0", "1"]


def test_a_spool_that_cannot_be_used_leaves_the_session_working(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "spool"
    not_a_dir.write_text("a file where the spool should be")
    tiny = [sys.executable, str(ROOT / "benchmarks" / "wrap.py"), "--serve"]
    call = {"jsonrpc": "2.0", "id": 7, "method": "tools/call",
            "params": {"name": "echo", "arguments": {"text": "still here"}}}  # fmt: skip
    out = subprocess.run(
        wrapped(tiny, not_a_dir / "sub"),
        input=json.dumps(call).encode() + b"\n",
        capture_output=True,
        timeout=60,
    )
    assert out.returncode == 0
    assert json.loads(out.stdout)["result"]["content"][0]["text"] == "still here"
    assert b"unusable, events will be lost" in out.stderr  # said: these calls are not audited
