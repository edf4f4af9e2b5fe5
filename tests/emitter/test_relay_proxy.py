"""``tooltrail proxy`` in front of a streamable-HTTP server on the official Python SDK, driven by
the official ``mcp.ClientSession``: every answer through the proxy equals the answer without it
(progress over SSE, a 0.8 MB result, an error result, a resource, a prompt); one event per call
lands in the proxy's spool, chained and signed, with the session id the server gave; an upstream
that is down is a 502, not a hang.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from tooltrail.emitter.relay import RELAY_ATTR

from ._mcp_stdio_server import summary
from ._relay_tape import SDK_SERVER, TOOLTRAIL
from .test_relay_stdio import _verified

pytestmark = pytest.mark.anyio
TIMEOUT = 60.0


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_listening(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the process ended before it listened"
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on {port}")


@contextmanager
def _running(
    args: list[str], port: int, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(args, env=env)
    try:
        _wait_listening(port, proc)
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _proxy(upstream: str, port: int, spool: Path) -> list[str]:
    return [*TOOLTRAIL, "proxy", "--upstream", upstream, "--port", str(port),
            "--spool-dir", str(spool)]  # fmt: skip


async def _answers(url: str) -> list[Any]:
    """Each answer of one session, as JSON."""
    out: list[Any] = []
    progress: list[float] = []

    async def on_progress(p: float, _t: float | None, _m: str | None) -> None:
        progress.append(p)

    async with (
        streamable_http_client(url) as (read, write),
        ClientSession(read, write) as session,
    ):
        init = await session.initialize()
        out.append(init.server_info.model_dump(mode="json"))
        out.append((await session.list_tools()).model_dump(mode="json"))
        for name, args in (("echo", {"text": "héllo ✓"}), ("add", {"a": 1, "b": 2}),
                           ("blob", {"size": 400_000}), ("fails", {})):  # fmt: skip
            out.append((await session.call_tool(name, args)).model_dump(mode="json"))
        out.append(
            (await session.call_tool("count", {"n": 3}, progress_callback=on_progress)).model_dump(
                mode="json"
            )
        )
        out.append((await session.read_resource("res://greeting")).model_dump(mode="json"))
        out.append((await session.get_prompt("hello", {"name": "Ada"})).model_dump(mode="json"))
    out.append(progress)
    return out


async def test_answers_through_the_proxy_equal_the_direct_ones_and_are_recorded(
    tmp_path: Path,
) -> None:
    server_port, proxy_port = _free_port(), _free_port()
    spool = tmp_path / "spool"
    upstream = f"http://127.0.0.1:{server_port}/mcp"
    with _running([*SDK_SERVER, "http", str(server_port)], server_port):
        direct = await _answers(upstream)
        with _running(_proxy(upstream, proxy_port, spool), proxy_port) as proxy:
            proxied = await _answers(f"http://127.0.0.1:{proxy_port}/mcp")
            proxy.send_signal(signal.SIGTERM)
            # uvicorn ends by the signal it caught, after a clean shutdown
            assert await anyio.to_thread.run_sync(proxy.wait, TIMEOUT) in (0, -signal.SIGTERM)
    assert proxied == direct
    assert direct[-1] == [1, 2, 3]  # the progress notifications came through the SSE stream
    events = _verified(spool)
    assert summary(events) == [
        ("tools/list", None, "ok", None),
        ("tools/call", "echo", "ok", None),
        ("tools/call", "add", "ok", None),
        ("tools/call", "blob", "ok", None),
        ("tools/call", "fails", "error", "tool_error"),
        ("tools/call", "count", "ok", None),
        ("resources/read", "res://greeting", "ok", None),
        ("prompts/get", "hello", "ok", None),
    ]
    sessions = {e["mcp.session.id"] for e in events}
    assert len(sessions) == 1  # the server's Mcp-Session-Id, from initialize on
    for event in events:
        assert event["network.transport"] == "tcp"
        assert event["tooltrail.transport"] == "streamable-http"
        assert (event["server.address"], event["server.port"]) == ("127.0.0.1", server_port)
        assert event["attrs"][RELAY_ATTR] == "proxy"
        assert event["actor"]["client"] == "mcp"
    assert events[3]["result_bytes"] > 400_000  # the response message's size on the wire
    assert events[0]["attrs"]["tooltrail.server.version"] == "3.1"


def test_an_upstream_that_is_down_is_a_502(tmp_path: Path) -> None:
    proxy_port = _free_port()
    upstream = f"http://127.0.0.1:{_free_port()}/mcp"  # nothing listens there
    with _running(_proxy(upstream, proxy_port, tmp_path / "spool"), proxy_port):
        answer = httpx.post(f"http://127.0.0.1:{proxy_port}/mcp", json={}, timeout=TIMEOUT)
    assert answer.status_code == 502
    assert "upstream unreachable" in answer.text


def test_a_bad_upstream_url_is_a_clear_error(tmp_path: Path) -> None:
    out = subprocess.run(
        [*TOOLTRAIL, "proxy", "--upstream", "ftp://example/mcp"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert out.returncode == 2
    assert "--upstream" in out.stderr
