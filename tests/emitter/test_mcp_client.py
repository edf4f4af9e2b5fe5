"""The host-side wrapper against a real MCP server process over stdio.

The server (``_mcp_stdio_server.py``) runs as a subprocess and records into its own spool, which
the test reads after the process exited; the host ships to a ``MemoryTransport``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp_types import Implementation
from opentelemetry import trace as otel_trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from tooltrail.contract import validate_event
from tooltrail.contract.wire import RECORD_EVENT
from tooltrail.emitter import Actor, Emitter, MemoryTransport, Spool
from tooltrail.emitter.mcp import TOOL_CALL_ID_META_KEY, audit_client

from ._mcp_stdio_server import EXPECTED, LISTING, calls, check_listings, exercise, summary

pytestmark = pytest.mark.anyio

SERVER = Path(__file__).with_name("_mcp_stdio_server.py")
CLIENT = Implementation(name="audit-test-host", version="9.9")
TIMEOUT = 90.0


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def host(tmp_path: Path) -> Iterator[tuple[Emitter, MemoryTransport]]:
    transport = MemoryTransport()
    emitter = Emitter(
        source_name="test-host",
        source_kind="host",
        spool_dir=tmp_path / "host",
        transport=transport,
        flush_interval=0.02,
        signing_key=None,
    )
    yield emitter, transport
    emitter.close()


def host_events(
    host: tuple[Emitter, MemoryTransport], *, listings: bool = False
) -> list[dict[str, Any]]:
    """The host's events (validated); the tools/list ones only with ``listings``."""
    emitter, transport = host
    assert emitter.flush(timeout=TIMEOUT)
    events = [e for e in transport.events() if "mcp.method.name" in e]
    for event in events:
        validate_event(event)
    return events if listings else calls(events)


def server_events(spool_dir: Path, *, listings: bool = False) -> list[dict[str, Any]]:
    """Events the (exited) server process left in its spool (tools/list: with ``listings``)."""
    with Spool(spool_dir) as spool:
        batch = spool.read_batch(100_000, 1 << 30)
    records = batch.records if batch is not None else ()
    events = [json.loads(r[1:]) for r in records if r[:1] == RECORD_EVENT]
    for event in events:
        validate_event(event)
    return events if listings else calls(events)


@asynccontextmanager
async def connect(
    tmp_path: Path, emitter: Emitter, spool_dir: Path, *, modern: bool = False, **options: Any
) -> AsyncIterator[ClientSession]:
    params = StdioServerParameters(command=sys.executable, args=[str(SERVER), str(spool_dir)])
    with (tmp_path / "server.stderr").open("a") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write):
            session = audit_client(
                ClientSession(read, write, client_info=CLIENT),
                emitter,
                transport="stdio",
                **options,
            )
            async with session:
                if modern:
                    await session.discover()
                else:
                    await session.initialize()
                yield session


@pytest.mark.parametrize("modern", [False, True], ids=["handshake", "2026-envelope"])
async def test_stdio_host_and_server_events(
    tmp_path: Path, host: tuple[Emitter, MemoryTransport], modern: bool
) -> None:
    spool = tmp_path / "server"
    with anyio.fail_after(TIMEOUT):
        async with connect(tmp_path, host[0], spool, modern=modern) as session:
            await exercise(session)
    on_host = host_events(host, listings=True)
    on_server = server_events(spool, listings=True)

    assert summary(on_server) == [LISTING, *EXPECTED]
    assert summary(on_host) == [LISTING, *EXPECTED]
    check_listings(on_server[0], on_host[0])
    on_server, on_host = calls(on_server), calls(on_host)
    version = "2026-07-28" if modern else "2025-11-25"
    for server_ev, host_ev in zip(on_server, on_host, strict=True):
        assert server_ev["trace_id"] == host_ev["trace_id"]  # the join key
        assert server_ev["actor"] == {"client": "audit-test-host", "client_version": "9.9"}
        assert host_ev["actor"] == server_ev["actor"]
        assert server_ev["tooltrail.transport"] == host_ev["tooltrail.transport"] == "stdio"
        assert server_ev["network.transport"] == host_ev["network.transport"] == "pipe"  # OTel
        assert server_ev["mcp.protocol.version"] == host_ev["mcp.protocol.version"] == version
        assert server_ev["source"]["name"] == "test-stdio-server"
        assert "mcp.session.id" not in server_ev  # stdio has no session id
        assert server_ev["duration_us"] >= 0
    assert len({e["trace_id"] for e in on_host}) == len(on_host)


async def test_current_otel_trace_is_continued(
    tmp_path: Path, host: tuple[Emitter, MemoryTransport]
) -> None:
    trace_id, span_id = 0x4BF92F3577B34DA6A3CE929D0E0E4736, 0x00F067AA0BA902B7
    agent_span = NonRecordingSpan(
        SpanContext(trace_id, span_id, is_remote=False, trace_flags=TraceFlags(1))
    )
    spool = tmp_path / "server"
    with anyio.fail_after(TIMEOUT):
        async with connect(tmp_path, host[0], spool) as session:
            with otel_trace.use_span(agent_span):
                await session.call_tool("echo", {"text": "in a span"})
            await session.call_tool("echo", {"text": "outside"})
    (inside, outside), (s_inside, s_outside) = host_events(host), server_events(spool)
    assert inside["trace_id"] == s_inside["trace_id"] == f"{trace_id:032x}"
    assert inside["span_id"] == s_inside["span_id"] == f"{span_id:016x}"
    assert outside["trace_id"] == s_outside["trace_id"] != f"{trace_id:032x}"


async def test_caller_traceparent_tool_call_id_and_actor(
    tmp_path: Path, host: tuple[Emitter, MemoryTransport]
) -> None:
    traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    spool = tmp_path / "server"
    actor = Actor(user="ada", agent="planner", tenant="acme")
    with anyio.fail_after(TIMEOUT):
        async with connect(tmp_path, host[0], spool, actor=actor, session_id=lambda: "s-1") as s:
            meta = {"traceparent": traceparent, "app/key": "v"}
            await s.call_tool("echo", {"text": "x"}, meta=meta, tool_call_id="toolu_01")  # type: ignore[call-arg]
            assert meta == {"traceparent": traceparent, "app/key": "v"}  # caller's dict untouched
    (on_host,), (on_server,) = host_events(host), server_events(spool)
    assert on_host["trace_id"] == on_server["trace_id"] == "0af7651916cd43dd8448eb211c80319c"
    assert on_host["span_id"] == on_server["span_id"] == "b7ad6b7169203331"
    assert on_host["gen_ai.tool.call.id"] == on_server["gen_ai.tool.call.id"] == "toolu_01"
    assert on_host["mcp.session.id"] == "s-1"
    assert on_host["actor"] == {
        "user": "ada",
        "client": "audit-test-host",
        "client_version": "9.9",
        "agent": "planner",
        "tenant": "acme",
    }
    assert on_server["actor"] == {"client": "audit-test-host", "client_version": "9.9"}
    assert TOOL_CALL_ID_META_KEY not in meta


async def test_calls_succeed_when_the_server_spool_is_unwritable(
    tmp_path: Path, host: tuple[Emitter, MemoryTransport]
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the spool's parent directory should be")
    with anyio.fail_after(TIMEOUT):
        async with connect(tmp_path, host[0], blocker / "spool") as session:
            result = await session.call_tool("echo", {"text": "still works"})
            assert result.is_error is False
            assert result.structured_content == {"result": "still works"}
            assert (await session.read_resource("res://greeting")).contents
    assert [e["outcome"] for e in host_events(host)] == ["ok", "ok"]
    assert "spool" in (tmp_path / "server.stderr").read_text()  # the server said so, loudly
