"""Every audited call leaves an event: values with no canonical form become markers, never a drop.

Through ``Emitter.record`` (arguments, attrs, string fields, bad ids) and through the real MCP
server middleware (the SDK's in-process client carries lone surrogates to the server as any JSON
client can with ``\\ud800``; the SDK's own serializer turns NaN into null and refuses deep
nesting, so those two are driven through ``record``). Every event is checked against the
contract, shipped, and its stream verified.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from tooltrail.contract import validate_event, verify
from tooltrail.emitter import Emitter, MemoryTransport
from tooltrail.emitter._encodable import MARKER

from ._mcp_stdio_server import build_server


def deep(levels: int) -> dict[str, Any]:
    value: Any = "leaf"
    for _ in range(levels):
        value = {"a": value}
    return value  # type: ignore[no-any-return]


def recorded(tmp_path: Path, **options: Any) -> tuple[Emitter, MemoryTransport]:
    transport = MemoryTransport()
    emitter = Emitter(
        source_name="svc",
        spool_dir=tmp_path / "spool",
        transport=transport,
        flush_interval=0.02,
        signing_key=None,
        fingerprint_key=b"k" * 32,
        **options,
    )
    return emitter, transport


def shipped(emitter: Emitter, transport: MemoryTransport) -> list[dict[str, Any]]:
    """The events the collector received: each valid, the stream intact."""
    assert emitter.flush(timeout=30)
    events = [e for e in transport.events() if "mcp.method.name" in e]
    for event in events:
        validate_event(event)
    report = verify(events, raise_on_break=False)
    assert not report.findings, report.findings
    return events


NO_CANONICAL_FORM = [
    ({"x": "a\ud800b"}, "lone surrogate at args.x"),
    ({"n": float("nan")}, "NaN or Infinity at args.n"),
    ({"n": [1, float("-inf")]}, "NaN or Infinity at args.n[1]"),
    ({"big": 2**1100}, "number beyond a double at args.big"),
    ({"d": deep(1000)}, "nesting deeper than 128 levels at args.d" + ".a" * 126),
    ({"k\udc00ey": 1}, "lone surrogate in a key at args"),
]


@pytest.mark.parametrize(("args", "note"), NO_CANONICAL_FORM)
@pytest.mark.parametrize("capture", [False, True])
def test_arguments_without_a_canonical_form_are_marked_not_dropped(
    tmp_path: Path, args: dict[str, Any], note: str, capture: bool
) -> None:
    emitter, transport = recorded(tmp_path, capture_args=capture, args_max_bytes=2**20)
    with emitter.record("tools/call", tool="t", args=args) as call:
        call.set_result("ok")
    with emitter.record("tools/call", tool="after", args={"fine": 1}):
        pass
    (event, after) = shipped(emitter, transport)
    stats = emitter.stats()
    assert (stats["recorded"], stats["errors"], stats["dropped"]) == (2, 0, 0)
    assert stats["repaired"] >= 1
    assert event["attrs"][MARKER] == [note]
    assert len(event["args_fingerprint"]) == 64  # still fingerprinted (over the marked copy)
    assert event["args_bytes"] > 0
    if capture and "nesting" not in note and "key" not in note:  # the redactor cuts at 64
        (name,) = args
        marked = str(event["args"][name])
        assert f"{{'{MARKER}': '{note}'}}" in marked
    assert "attrs" not in after  # the next event is untouched
    emitter.close()


def test_fields_a_caller_set_wrong_are_repaired_and_noted(tmp_path: Path) -> None:
    emitter, transport = recorded(tmp_path)
    with emitter.record(
        "tools/call",
        tool="read\udc00file",
        trace_id="not-a-trace-id",
        session_id="s" * 500,
        attrs={"k": float("nan"), "ok": 1},
        server_address="db.internal:5432",
    ) as call:
        call.fail("")
    (event,) = shipped(emitter, transport)
    assert event["gen_ai.tool.name"] == "read\ufffdfile"
    assert "trace_id" not in event
    assert event["mcp.session.id"] == "s" * 128
    assert "error.type" not in event  # empty: left out
    assert event["outcome"] == "error"
    assert event["attrs"]["k"] == {MARKER: "NaN or Infinity at attrs.k"}
    assert event["attrs"]["ok"] == 1
    assert (event["server.address"], event["server.port"]) == ("db.internal", 5432)
    notes = event["attrs"][MARKER]
    assert "lone surrogate at gen_ai.tool.name" in notes
    assert any(n.endswith("at trace_id") for n in notes)
    assert any(n.startswith("must be at most 128 characters") for n in notes)
    assert "must not be empty at error.type" in notes
    assert emitter.stats()["errors"] == 0
    emitter.close()


def test_a_wrong_field_is_repaired_after_right_calls_of_the_same_shape(tmp_path: Path) -> None:
    """The quick test is compiled per event shape: a shape seen with right values still
    catches a wrong one."""
    emitter, transport = recorded(tmp_path)
    for session_id in ("s1", "s2", "s" * 500, "s4"):
        with emitter.record("tools/call", tool="t", session_id=session_id, request_id="1"):
            pass
    events = shipped(emitter, transport)
    assert [e["mcp.session.id"] for e in events] == ["s1", "s2", "s" * 128, "s4"]
    assert [MARKER in e.get("attrs", {}) for e in events] == [False, False, True, False]
    emitter.close()


def test_attrs_that_are_not_an_object_are_kept_wrapped(tmp_path: Path) -> None:
    emitter, transport = recorded(tmp_path)
    with emitter.record("tools/call", tool="t", attrs=[1, 2]):
        pass
    (event,) = shipped(emitter, transport)
    assert event["attrs"][MARKER] == ["must be an object, got array at attrs"]
    emitter.close()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_the_mcp_middleware_records_calls_whose_arguments_have_no_json_form(
    tmp_path: Path,
) -> None:
    emitter, transport = recorded(tmp_path)
    server, _ = build_server(emitter)
    calls = [
        {"text": "lone \ud800 surrogate"},
        {"text": "x", "meta": {"key": [1, "v\ud801"]}},
    ]
    with anyio.fail_after(60):
        async with Client(server) as client:
            for args in calls:
                await client.call_tool("echo", args)
            await client.call_tool("echo", {"text": "fine"})
            with contextlib.suppress(MCPError):  # no such resource: still audited
                await client.read_resource("res://" + "x" * 5000)
    # (the client's own tools/list, for output schemas, is recorded too: not a call)
    *events, read = [e for e in shipped(emitter, transport) if e["mcp.method.name"] != "tools/list"]
    # a URI over the contract's 4096 characters would have had the whole batch refused (422)
    assert read["mcp.resource.uri"] == ("res://" + "x" * 5000)[:4096]
    assert read["attrs"][MARKER] == ["must be at most 4096 characters at mcp.resource.uri"]
    assert [e["gen_ai.tool.name"] for e in events] == ["echo"] * 3
    assert [e.get("attrs", {}).get(MARKER) for e in events] == [
        ["lone surrogate at args.text"],
        ["lone surrogate at args.meta.key[1]"],
        None,
    ]
    assert all(e["gen_ai.operation.name"] == "execute_tool" for e in events)
    assert emitter.stats()["errors"] == 0
    emitter.close()
