"""AuditMiddleware over the real SDK and the real streamable-HTTP transport (uvicorn, in-process).

The host side is the real ``ClientSession`` wrapped by ``audit_client``; both emitters ship to a
``MemoryTransport`` so the test reads what a collector would receive.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import anyio
import pytest
import uvicorn
from mcp import Client, ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from mcp.server.context import CallNext, ServerRequestContext
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.exceptions import MCPError
from mcp_types import Implementation, Request
from starlette.applications import Starlette

from tooltrail.contract import validate_event
from tooltrail.emitter import Actor, Emitter, MemoryTransport
from tooltrail.emitter.mcp import TOOL_DENIED, AuditedClientSession, ToolDenied, audit_client
from tooltrail.emitter.mcpwire import TRACE_META_KEY, trace_of

from ._mcp_stdio_server import (
    EXPECTED,
    LISTING,
    build_server,
    calls,
    check_listings,
    exercise,
    make_emitter,
    summary,
)

pytestmark = pytest.mark.anyio

#: the mcp.* attributes OpenTelemetry's MCP semantic conventions define (the namespace is OTel's)
MCP_SEMCONV = {"mcp.method.name", "mcp.protocol.version", "mcp.resource.uri", "mcp.session.id"}
CLIENT = Implementation(name="audit-test-host", version="9.9")
TIMEOUT = 60.0


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def events_of(
    emitter: Emitter, transport: MemoryTransport, *, listings: bool = False
) -> list[dict[str, Any]]:
    """The events shipped (validated); the tools/list ones only with ``listings``."""
    assert emitter.flush(timeout=TIMEOUT)
    events = [e for e in transport.events() if "mcp.method.name" in e]
    for event in events:
        validate_event(event)
    return events if listings else calls(events)


@contextmanager
def serve(app: Starlette) -> Iterator[str]:
    """Run ``app`` with uvicorn on a free 127.0.0.1 port in a thread; yield the MCP endpoint URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + TIMEOUT
    while not server.started:
        assert thread.is_alive(), "uvicorn exited"
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        server.should_exit = True
        thread.join(TIMEOUT)
        sock.close()


@asynccontextmanager
async def connect(
    url: str, host: Emitter, *, token: str | None = None
) -> AsyncIterator[AuditedClientSession[ClientSession]]:
    headers = {"Authorization": f"Bearer {token}"} if token else None
    async with (
        create_mcp_http_client(headers=headers) as http,
        streamable_http_client(url, http_client=http) as (read, write),
    ):
        session = AuditedClientSession(
            ClientSession(read, write, client_info=CLIENT),
            host,
            transport="streamable-http",
            server_address=url.split("/")[2],
        )
        async with session:
            await session.initialize()
            yield session


async def test_streamable_http_server_and_host_events_join_on_trace_id(tmp_path: Path) -> None:
    server_em, server_tx = make_emitter(tmp_path / "server")
    host_em, host_tx = make_emitter(tmp_path / "host", "host")
    server, middleware = build_server(server_em)
    with serve(server.streamable_http_app(host="127.0.0.1")) as url:
        with anyio.fail_after(TIMEOUT):
            async with connect(url, host_em) as session:
                await exercise(session)
                assert session.tools_hash is not None
    server_events = events_of(server_em, server_tx, listings=True)
    host_events = events_of(host_em, host_tx, listings=True)
    server_em.close()
    host_em.close()

    assert summary(server_events) == [LISTING, *EXPECTED]
    assert summary(host_events) == [LISTING, *EXPECTED]
    check_listings(server_events[0], host_events[0])
    server_events, host_events = calls(server_events), calls(host_events)
    session_ids = {e.get("mcp.session.id") for e in server_events}
    assert len(session_ids) == 1
    assert None not in session_ids
    assert middleware.tools_hash is not None
    assert middleware.tools_hash == session.tools_hash  # same listing, same hash
    for server_ev, host_ev in zip(server_events, host_events, strict=True):
        assert server_ev["source"]["kind"] == "server"
        assert host_ev["source"]["kind"] == "host"
        assert server_ev["actor"] == {"client": "audit-test-host", "client_version": "9.9"}
        assert host_ev["actor"] == {"client": "audit-test-host", "client_version": "9.9"}
        assert server_ev["tooltrail.transport"] == host_ev["tooltrail.transport"]
        assert server_ev["tooltrail.transport"] == "streamable-http"
        assert server_ev["network.transport"] == host_ev["network.transport"] == "tcp"  # OTel
        assert server_ev["network.protocol.name"] == host_ev["network.protocol.name"] == "http"
        assert server_ev["mcp.protocol.version"] == host_ev["mcp.protocol.version"] == "2025-11-25"
        assert server_ev["server.address"] == host_ev["server.address"] == "127.0.0.1"
        assert server_ev["server.port"] == host_ev["server.port"] == urlsplit(url).port
        if server_ev["mcp.method.name"] == "tools/call":
            assert server_ev["gen_ai.operation.name"] == "execute_tool"
            assert host_ev["gen_ai.operation.name"] == "execute_tool"
        else:
            assert "gen_ai.operation.name" not in server_ev
        assert not [k for k in server_ev if k.startswith("mcp.") and k not in MCP_SEMCONV]
        assert server_ev["attrs"]["client.address"] == "127.0.0.1"
        assert "jsonrpc.request.id" in server_ev
        assert len(server_ev["trace_id"]) == 32
        assert server_ev["trace_id"] == host_ev["trace_id"]  # the join key
        assert server_ev["span_id"] == host_ev["span_id"]  # no OTel SDK: the host's span
        assert "result_bytes" in server_ev or server_ev["outcome"] != "ok"
        if server_ev.get("gen_ai.tool.name") == "echo":
            assert server_ev["args_bytes"] == host_ev["args_bytes"] > 0
            assert server_ev["result_bytes"] == host_ev["result_bytes"] > 0
            assert server_ev["tooltrail.tools.hash"] == middleware.tools_hash
            assert host_ev["tooltrail.tools.hash"] == session.tools_hash
        # the tools' MCP annotations, as published in tools/list, beside the tools hash
        hints = {"echo": "readonly", "forbidden": "destructive,openworld"}
        tool = server_ev.get("gen_ai.tool.name")
        for ev in (server_ev, host_ev):
            assert ev.get("attrs", {}).get("tooltrail.tool.hints") == hints.get(tool), tool
    assert len({e["trace_id"] for e in host_events}) == len(host_events)  # fresh trace per call


class StaticTokens:
    """A TokenVerifier: two known bearer tokens."""

    TOKENS: ClassVar[dict[str, AccessToken]] = {
        "tok-alice": AccessToken(
            token="tok-alice", client_id="agent-app", scopes=["tools"], subject="alice"
        ),
        "tok-svc": AccessToken(token="tok-svc", client_id="batch-job", scopes=[]),
    }

    async def verify_token(self, token: str) -> AccessToken | None:
        return self.TOKENS.get(token)


async def test_auth_subject_and_client_id_become_the_actor(tmp_path: Path) -> None:
    server_em, server_tx = make_emitter(tmp_path / "server")
    host_em, _ = make_emitter(tmp_path / "host", "host")
    auth = AuthSettings(
        issuer_url="https://auth.example.com",  # type: ignore[arg-type]
        resource_server_url="http://127.0.0.1/mcp",  # type: ignore[arg-type]
        validate_token_resource=False,
    )
    server, _ = build_server(server_em, auth=auth, token_verifier=StaticTokens())
    with serve(server.streamable_http_app(host="127.0.0.1")) as url, anyio.fail_after(TIMEOUT):
        async with connect(url, host_em, token="tok-alice") as session:
            await session.call_tool("echo", {"text": "as alice"})
        async with connect(url, host_em, token="tok-svc") as session:
            await session.call_tool("echo", {"text": "as a service"})
    alice, service = events_of(server_em, server_tx)
    server_em.close()
    host_em.close()
    assert alice["actor"] == {"user": "alice", "client": "audit-test-host", "client_version": "9.9"}
    assert alice["attrs"]["oauth.client_id"] == "agent-app"
    assert alice["attrs"]["oauth.scopes"] == ["tools"]
    assert service["actor"]["user"] == "batch-job"
    assert "oauth.client_id" not in service["attrs"]
    assert alice["mcp.session.id"] != service["mcp.session.id"]


async def test_malformed_params_are_recorded_as_invalid_params(tmp_path: Path) -> None:
    server_em, server_tx = make_emitter(tmp_path / "server")
    host_em, _ = make_emitter(tmp_path / "host", "host")
    server, _ = build_server(server_em, debug=False)
    with serve(server.streamable_http_app(host="127.0.0.1")) as url, anyio.fail_after(TIMEOUT):
        async with connect(url, host_em) as session:
            bad: Request[dict[str, Any], str] = Request(
                method="tools/call", params={"arguments": {"no": "name"}}
            )
            with pytest.raises(MCPError) as err:
                await session.send_request(bad, Implementation)
            assert err.value.code == -32602
            # the connection is unharmed
            assert (await session.call_tool("echo", {"text": "still here"})).is_error is False
    invalid, ok = events_of(server_em, server_tx)
    server_em.close()
    host_em.close()
    assert (invalid["mcp.method.name"], invalid["outcome"]) == ("tools/call", "error")
    assert invalid["error.type"] == "invalid_params"
    assert "gen_ai.tool.name" not in invalid
    assert ok["outcome"] == "ok"


async def test_user_resolver_and_method_selection(tmp_path: Path) -> None:
    from tooltrail.emitter.mcp import AuditMiddleware

    server_em, server_tx = make_emitter(tmp_path / "server")
    host_em, _ = make_emitter(tmp_path / "host", "host")
    server, default_mw = build_server(server_em)
    server.middleware.remove(default_mw)
    server.middleware.append(
        AuditMiddleware(
            server_em,
            methods=("tools/call",),
            user_resolver=lambda ctx: Actor(user="u-42", tenant="acme", agent="planner"),
        )
    )
    with serve(server.streamable_http_app(host="127.0.0.1")) as url, anyio.fail_after(TIMEOUT):
        async with connect(url, host_em) as session:
            await session.call_tool("echo", {"text": "x"})
            await session.read_resource("res://greeting")  # not audited by this middleware
    (event,) = events_of(server_em, server_tx)
    server_em.close()
    host_em.close()
    assert event["actor"] == {
        "user": "u-42",
        "client": "audit-test-host",
        "client_version": "9.9",
        "agent": "planner",
        "tenant": "acme",
    }


class RecordFails(Emitter):
    def record(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("audit backend exploded")


class EmitFails(Emitter):
    def emit(self, event: dict[str, Any]) -> bool:
        raise RuntimeError("audit backend exploded")


@pytest.mark.parametrize("broken", [RecordFails, EmitFails])
async def test_a_failing_emitter_never_breaks_the_call(
    tmp_path: Path, broken: type[Emitter]
) -> None:
    """In-process (the SDK's ``Client(server)``): results and errors pass through untouched."""
    emitter = broken(source_name="broken", spool_dir=tmp_path / "spool", signing_key=None)
    server, _ = build_server(emitter)
    with anyio.fail_after(TIMEOUT):
        async with Client(server) as raw:
            client = audit_client(raw, emitter)
            assert (await client.call_tool("echo", {"text": "fine"})).structured_content == {
                "result": "fine"
            }
            assert (await client.call_tool("boom", {})).is_error is True
            with pytest.raises(MCPError) as err:
                await client.call_tool("forbidden", {"path": "/"})
            assert err.value.code == TOOL_DENIED
            assert err.value.data == {"reason": "policy"}
            assert (await client.get_prompt("hello", {"name": "Ada"})).messages
    emitter.close()


async def test_in_process_client_is_audited_as_inproc(tmp_path: Path) -> None:
    server_em, server_tx = make_emitter(tmp_path / "server")
    host_em, host_tx = make_emitter(tmp_path / "host", "host")
    server, _ = build_server(server_em)
    with anyio.fail_after(TIMEOUT):
        async with Client(server, client_info=CLIENT) as raw:
            client = audit_client(raw, host_em, actor=Actor(user="ada"))
            await client.call_tool("echo", {"text": "x"})
    (on_server,), (on_host,) = events_of(server_em, server_tx), events_of(host_em, host_tx)
    server_em.close()
    host_em.close()
    assert on_server["tooltrail.transport"] == "inproc"
    assert "network.transport" not in on_server  # in-process: no network at all
    assert on_server["trace_id"] == on_host["trace_id"]
    assert on_host["actor"] == {"user": "ada", "client": "audit-test-host", "client_version": "9.9"}
    assert on_server["actor"] == {"client": "audit-test-host", "client_version": "9.9"}


class MetaSeen:
    """A server middleware that keeps each tools/call's request ``_meta`` as it arrived."""

    def __init__(self) -> None:
        self.metas: list[dict[str, Any]] = []

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> Any:
        if ctx.method == "tools/call":
            self.metas.append(dict(ctx.meta or {}))
        return await call_next(ctx)


async def test_without_an_otel_sdk_the_fresh_trace_travels_under_tooltrails_own_key(
    tmp_path: Path,
) -> None:
    """No OpenTelemetry SDK in this process: the host's fresh trace goes as
    ``io.tooltrail/trace`` (no ``traceparent`` for the server's OpenTelemetry to parse) and the
    server's event joins on it; a caller's own ``traceparent`` travels as it came."""
    server_em, server_tx = make_emitter(tmp_path / "server")
    host_em, host_tx = make_emitter(tmp_path / "host", "host")
    seen = MetaSeen()
    server, _ = build_server(server_em, middleware=[seen])
    given = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    with anyio.fail_after(TIMEOUT):
        async with Client(server, client_info=CLIENT) as raw:
            client = audit_client(raw, host_em)
            await client.call_tool("echo", {"text": "fresh"})
            await client.call_tool("echo", {"text": "given"}, meta={"traceparent": given})
    on_server, on_host = events_of(server_em, server_tx), events_of(host_em, host_tx)
    server_em.close()
    host_em.close()
    fresh, caller = seen.metas
    assert "traceparent" not in fresh
    assert fresh[TRACE_META_KEY] == f"00-{on_host[0]['trace_id']}-{on_host[0]['span_id']}-01"
    assert caller["traceparent"] == given
    assert TRACE_META_KEY not in caller
    for server_ev, host_ev in zip(on_server, on_host, strict=True):
        assert server_ev["trace_id"] == host_ev["trace_id"]
        assert server_ev["span_id"] == host_ev["span_id"]
    assert on_server[1]["trace_id"] == "0af7651916cd43dd8448eb211c80319c"


async def refuse_secrets(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> Any:
    """An application policy middleware: no tool may be called with the text "secret"."""
    arguments = (ctx.params or {}).get("arguments") or {}
    if ctx.method == "tools/call" and arguments.get("text") == "secret":
        raise ToolDenied("secrets are not echoed", reason="dlp")
    return await call_next(ctx)


async def test_refusals_by_the_applications_own_middleware_are_recorded(tmp_path: Path) -> None:
    server_em, server_tx = make_emitter(tmp_path / "server")
    server, audit = build_server(server_em, middleware=[refuse_secrets])
    assert server.middleware.index(audit) < server.middleware.index(refuse_secrets)
    with anyio.fail_after(TIMEOUT):
        async with Client(server) as client:
            with pytest.raises(MCPError) as err:
                await client.call_tool("echo", {"text": "secret"})
            assert err.value.code == TOOL_DENIED
            await client.call_tool("echo", {"text": "public"})
    denied, ok = events_of(server_em, server_tx)
    server_em.close()
    assert (denied["outcome"], denied["error.type"], ok["outcome"]) == ("denied", "dlp", "ok")


def test_trace_of_prefers_the_traceparent_then_tooltrails_key() -> None:
    ours = "00-11111111111111111111111111111111-2222222222222222-01"
    theirs = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"
    assert trace_of({TRACE_META_KEY: ours}) == ("1" * 32, "2" * 16, "01")
    assert trace_of({"traceparent": theirs, TRACE_META_KEY: ours})[0] == theirs[3:35]  # type: ignore[index]
    assert trace_of({"traceparent": "00-bad", TRACE_META_KEY: ours})[0] == "1" * 32  # type: ignore[index]
    assert trace_of({TRACE_META_KEY: "00-" + "0" * 32 + "-2222222222222222-01"}) is None
    assert trace_of(None) is None
    assert trace_of({}) is None
