"""A small audited MCP server for the tests, and the scenario the tests drive against it.

Run as a script it serves stdio, recording into the spool directory given as argv[1] (no
shipping: the test reads the spool once the process has exited). ``build_server`` is imported by
the streamable-HTTP tests, which run the same server in-process.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError
from mcp_types import CallToolResult, TextContent, ToolAnnotations

from tooltrail.emitter import Emitter, MemoryTransport
from tooltrail.emitter.mcp import (
    TOOL_DENIED,
    AuditMiddleware,
    ToolDenied,
    audit_server,
    denied_result,
)

CUSTOM_ERROR = -32050


def make_emitter(path: Path, kind: str = "server") -> tuple[Emitter, MemoryTransport]:
    """An emitter of source ``test-<kind>`` shipping to memory, quickly (20 ms linger)."""
    transport = MemoryTransport()
    emitter = Emitter(
        source_name=f"test-{kind}",
        source_kind="host" if kind == "host" else "server",
        spool_dir=path,
        transport=transport,
        flush_interval=0.02,
        signing_key=None,
    )
    return emitter, transport


def build_server(emitter: Emitter, **server_options: Any) -> tuple[MCPServer, AuditMiddleware]:
    server: MCPServer = MCPServer("audit-test-server", version="1.0", **server_options)

    @server.tool(annotations=ToolAnnotations(readOnlyHint=True, openWorldHint=False))
    def echo(text: str) -> str:
        return text

    @server.tool()
    def boom() -> str:
        raise RuntimeError("kaput")

    @server.tool()
    def soft_fail() -> CallToolResult:
        return CallToolResult(content=[TextContent(type="text", text="bad input")], is_error=True)

    @server.tool(annotations=ToolAnnotations(destructiveHint=True))
    def forbidden(path: str) -> str:
        raise ToolDenied(f"{path} is off limits", reason="policy")

    @server.tool()
    def refuse() -> CallToolResult:
        return denied_result("over quota", reason="quota")

    @server.tool()
    def protocol_error() -> str:
        raise MCPError(code=CUSTOM_ERROR, message="custom failure")

    @server.resource("res://greeting")
    def greeting() -> str:
        return "hello from a resource"

    @server.prompt()
    def hello(name: str) -> str:
        return f"Say hello to {name}"

    return server, audit_server(server, emitter)


async def exercise(session: Any) -> None:
    """One call of each kind through an audited client session, in the order of ``EXPECTED``."""
    await session.list_tools()
    assert (await session.call_tool("echo", {"text": "hi"})).is_error is False
    assert (await session.call_tool("boom", {})).is_error is True
    assert (await session.call_tool("soft_fail", {})).is_error is True
    for tool, args, code in (
        ("forbidden", {"path": "/etc/shadow"}, TOOL_DENIED),
        ("refuse", {}, None),
        ("protocol_error", {}, CUSTOM_ERROR),
    ):
        try:
            result = await session.call_tool(tool, args)
        except MCPError as exc:
            error_code: int | None = exc.code
        else:
            error_code = None
            assert result.is_error is True, (tool, result)
        assert error_code == code, tool
    assert (await session.read_resource("res://greeting")).contents
    assert (await session.get_prompt("hello", {"name": "Ada"})).messages


EXPECTED = [
    ("tools/call", "echo", "ok", None),
    ("tools/call", "boom", "error", "tool_error"),
    ("tools/call", "soft_fail", "error", "tool_error"),
    ("tools/call", "forbidden", "denied", "policy"),
    ("tools/call", "refuse", "denied", "quota"),
    ("tools/call", "protocol_error", "error", str(CUSTOM_ERROR)),
    ("resources/read", "res://greeting", "ok", None),
    ("prompts/get", "hello", "ok", None),
]


LISTING = ("tools/list", None, "ok", None)
"""The event of ``exercise``'s first (complete) tools/list, ahead of ``EXPECTED``."""


def calls(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events of calls: without the tools/list events."""
    return [e for e in events if e["mcp.method.name"] != "tools/list"]


def check_listings(server_ev: dict[str, Any], host_ev: dict[str, Any]) -> None:
    """The tools/list event of both sides: the same hashes per tool, the server's identity."""
    for ev in (server_ev, host_ev):
        assert ev["mcp.method.name"] == "tools/list"
        assert ev["attrs"]["tooltrail.server.name"] == "audit-test-server"
        assert ev["attrs"]["tooltrail.server.version"] == "1.0"
        tools = ev["attrs"]["tooltrail.tools"]
        assert set(tools) == {"echo", "boom", "soft_fail", "forbidden", "refuse", "protocol_error"}
        assert all("markers" not in t for t in tools.values())
    assert server_ev["tooltrail.tools.hash"] == host_ev["tooltrail.tools.hash"]
    assert server_ev["attrs"]["tooltrail.tools"] == host_ev["attrs"]["tooltrail.tools"]
    assert server_ev["result_bytes"] > 0


def summary(events: list[dict[str, Any]]) -> list[tuple[str, str | None, str, str | None]]:
    """(method, tool / uri / prompt, outcome, error.type) of each event."""
    return [
        (
            e["mcp.method.name"],
            e.get("gen_ai.tool.name") or e.get("mcp.resource.uri") or e.get("gen_ai.prompt.name"),
            e["outcome"],
            e.get("error.type"),
        )
        for e in events
    ]


def main() -> None:
    emitter = Emitter(
        source_name="test-stdio-server",
        source_version="1.0",
        spool_dir=sys.argv[1],
        signing_key=None,
    )
    try:
        server, _ = build_server(emitter)
        server.run("stdio")
    finally:
        emitter.close()


if __name__ == "__main__":
    main()
