"""The relay's recorder fed raw traffic directly: framing across chunks, batches, cancellations,
server-initiated requests, refusals, lines that are not JSON, calls never answered, and a
backlog past its bound — each recorded as documented, and nothing raised; and the same through
the worker process ``tooltrail wrap`` uses (``ProcessRecorder``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tooltrail.emitter import Emitter, MemoryTransport
from tooltrail.emitter.relay import CLIENT, SERVER, ProcessRecorder, Recorder

from ._mcp_stdio_server import summary
from .test_lifecycle import spooled


def _recorder(tmp_path: Path, **options: Any) -> tuple[Recorder, MemoryTransport]:
    transport = MemoryTransport()

    def make(clock: Callable[[], int]) -> Emitter:
        return Emitter(
            source_name="relay-test",
            spool_dir=tmp_path / "spool",
            transport=transport,
            signing_key=None,
            flush_interval=0.01,
            clock=clock,
        )

    return Recorder(make, relay="wrap", transport="stdio", **options), transport


def _line(msg: object) -> bytes:
    return json.dumps(msg).encode() + b"\n"


def _events(transport: MemoryTransport) -> list[dict[str, Any]]:
    return [e for body in transport.received for e in json.loads(body)["events"]]


def _call(i: int, tool: str, **args: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": i, "method": "tools/call",
            "params": {"name": tool, "arguments": args}}  # fmt: skip


def test_calls_are_paired_across_chunks_batches_cancels_and_server_requests(
    tmp_path: Path,
) -> None:
    recorder, transport = _recorder(tmp_path, methods=("tools/call", "sampling/createMessage"))
    init = {"jsonrpc": "2.0", "id": 0, "method": "initialize",
            "params": {"clientInfo": {"name": "host-x", "version": "2"}}}  # fmt: skip
    recorder.stream(CLIENT, _line(init))
    info = {"protocolVersion": "2025-06-18", "serverInfo": {"name": "srv", "version": "9"}}
    recorder.stream(SERVER, _line({"jsonrpc": "2.0", "id": 0, "result": info}))
    tools = {"tools": [{"name": "read", "description": "Read a file.", "inputSchema": {}}]}
    recorder.stream(CLIENT, _line({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}))
    recorder.stream(SERVER, _line({"jsonrpc": "2.0", "id": 1, "result": tools}))
    # a request split over three chunks, answered in two
    raw = _line(_call(2, "read", path="/a"))
    for part in (raw[:5], raw[5:20], raw[20:]):
        recorder.stream(CLIENT, part)
    answer = _line(
        {"jsonrpc": "2.0", "id": 2, "result": {"content": [{"type": "text", "text": "A"}]}}
    )
    recorder.stream(SERVER, answer[:7])
    recorder.stream(SERVER, answer[7:] + b"not json at all\n")
    # a batch of two calls; one answered with a refusal, one with a plain error
    batch = [_call(3, "read", path="/b"), _call("x4", "read", path="/c")]
    recorder.stream(CLIENT, json.dumps(batch).encode() + b"\n")
    recorder.stream(SERVER, _line([
        {"jsonrpc": "2.0", "id": "x4", "error": {"code": -32003, "message": "no",
                                                 "data": {"reason": "policy"}}},
        {"jsonrpc": "2.0", "id": 3, "error": {"code": -32602, "message": "bad"}},
    ]))  # fmt: skip
    # the server asks the host to sample; the host answers
    recorder.stream(SERVER, _line({"jsonrpc": "2.0", "id": 0, "method": "sampling/createMessage",
                                   "params": {"maxTokens": 5}}))  # fmt: skip
    recorder.stream(CLIENT, _line({"jsonrpc": "2.0", "id": 0, "result": {"role": "assistant"}}))
    # cancelled by the host; then the server's late answer is ignored
    recorder.stream(CLIENT, _line(_call(5, "read", path="/slow")))
    recorder.stream(CLIENT, _line({"jsonrpc": "2.0", "method": "notifications/cancelled",
                                   "params": {"requestId": 5}}))  # fmt: skip
    recorder.stream(SERVER, _line({"jsonrpc": "2.0", "id": 5, "result": {}}))
    # never answered: recorded at close
    recorder.stream(CLIENT, _line(_call(6, "read", path="/never")))
    stats = recorder.close(30)
    events = _events(transport)
    assert summary(events) == [
        ("tools/list", None, "ok", None),
        ("tools/call", "read", "ok", None),
        ("tools/call", "read", "denied", "policy"),
        ("tools/call", "read", "error", "-32602"),
        ("sampling/createMessage", None, "ok", None),
        ("tools/call", "read", "error", "cancelled"),
        ("tools/call", "read", "error", "no_response"),
    ]
    assert [e["jsonrpc.request.id"] for e in events] == ["1", "2", "x4", "3", "0", "5", "6"]
    assert events[1]["result_bytes"] == len(answer) - 1  # the line on the wire, without \n
    assert events[1]["actor"] == {"client": "host-x", "client_version": "2"}
    assert events[1]["mcp.protocol.version"] == "2025-06-18"
    assert (
        events[1]["attrs"]["tooltrail.tool.hash"]
        == events[0]["attrs"]["tooltrail.tools"]["read"]["hash"]
    )
    assert events[0]["attrs"]["tooltrail.server.version"] == "9"
    assert stats["unparsed"] == 1
    assert stats["errors"] == 0
    assert stats["events"] == 7


def test_a_backlog_past_its_bound_is_dropped_and_counted_and_framing_recovers(
    tmp_path: Path,
) -> None:
    recorder, transport = _recorder(tmp_path, max_backlog=4096)
    big = _line(_call(1, "read", blob="x" * 10_000))  # larger than the whole backlog
    recorder.stream(CLIENT, big[:100])
    recorder.stream(CLIENT, big[100:])  # dropped; it ended the line: the next one is whole
    recorder.stream(CLIENT, _line(_call(2, "read", path="/ok")))
    recorder.stream(SERVER, _line({"jsonrpc": "2.0", "id": 2, "result": {}}))
    cut = _line(_call(3, "read", blob="y" * 10_000))
    recorder.stream(CLIENT, cut[:-10] + b"\n" + _line(_call(4, "read"))[:-1])  # too big: lost
    recorder.stream(CLIENT, b'", "tail": 1}\n')  # the rest of a line whose head was lost
    recorder.stream(CLIENT, _line(_call(5, "read", path="/fine")))
    recorder.stream(SERVER, _line({"jsonrpc": "2.0", "id": 5, "result": {}}))
    stats = recorder.close(30)
    assert stats["dropped_bytes"] > len(big) - 100
    assert stats["unparsed"] == 0  # the tail after the gap was skipped, not parsed
    events = _events(transport)
    assert summary(events) == [("tools/call", "read", "ok", None)] * 2
    assert [e["jsonrpc.request.id"] for e in events] == ["2", "5"]


def test_an_emitter_that_cannot_start_leaves_the_recorder_draining(tmp_path: Path) -> None:
    def broken(_clock: Callable[[], int]) -> Emitter:
        raise OSError("read-only file system")

    recorder = Recorder(broken, relay="wrap", transport="stdio")
    recorder.stream(CLIENT, _line(_call(1, "read")))
    recorder.stream(SERVER, _line({"jsonrpc": "2.0", "id": 1, "result": {}}))
    assert recorder.close(30)["messages"] == 0  # nothing recorded, nothing raised


def test_the_worker_process_records_what_it_is_fed_and_is_told_of_drops(tmp_path: Path) -> None:
    emitter = {"source_name": "relay-worker", "spool_dir": str(tmp_path / "spool"),
               "signing_key": None}  # fmt: skip
    recorder = ProcessRecorder(emitter, relay="wrap", transport="stdio", max_backlog=4096)
    recorder.stream(CLIENT, _line(_call(1, "read", blob="z" * 10_000)))  # dropped at the relay
    recorder.stream(CLIENT, _line(_call(2, "read", path="/ok")))
    recorder.stream(SERVER, _line({"jsonrpc": "2.0", "id": 2, "result": {}}))
    stats = recorder.close(60)
    assert stats["dropped_bytes"] > 10_000
    assert stats["events"] == 1
    events, _, _ = spooled(tmp_path / "spool")
    assert summary(events) == [("tools/call", "read", "ok", None)]
    assert events[0]["jsonrpc.request.id"] == "2"


def test_an_answer_copied_before_its_request_is_still_paired(tmp_path: Path) -> None:
    # the relay forwards first and copies after: the server may answer in between
    recorder, transport = _recorder(tmp_path)
    recorder.stream(SERVER, _line({"jsonrpc": "2.0", "id": 9, "result": {"content": []}}))
    recorder.stream(CLIENT, _line(_call(9, "read", path="/raced")))
    recorder.stream(CLIENT, _line(_call(10, "read", path="/next")))
    recorder.stream(SERVER, _line({"jsonrpc": "2.0", "id": 10, "result": {"content": []}}))
    recorder.close(30)
    events = _events(transport)
    assert summary(events) == [("tools/call", "read", "ok", None)] * 2
    assert [e["jsonrpc.request.id"] for e in events] == ["9", "10"]
