"""A plain MCP server on the official Python SDK (``MCPServer``), with no tooltrail in it: the
server the relay tests put behind ``tooltrail wrap`` (stdio) and ``tooltrail proxy``
(streamable HTTP), next to the npm reference servers.

    python sdk_server.py                 # stdio
    python sdk_server.py http PORT       # streamable HTTP on 127.0.0.1:PORT, path /mcp
"""

from __future__ import annotations

import os
import sys

import anyio
from mcp.server.mcpserver import Context, MCPServer

server = MCPServer("sdk-test-server", version="3.1")


@server.tool()
def echo(text: str) -> str:
    """Return the text."""
    return text


@server.tool()
def add(a: float, b: float) -> float:
    """Add two numbers."""
    return a + b


@server.tool()
def blob(size: int) -> str:
    """A result of `size` bytes of text."""
    return "x" * size


@server.tool()
async def count(n: int, ctx: Context) -> int:
    """Report progress n times, then return n."""
    for i in range(n):
        await ctx.report_progress(i + 1, n, f"step {i + 1}")
    return n


@server.tool()
async def slow(seconds: float) -> str:
    """Sleep, then answer (for cancellations)."""
    await anyio.sleep(seconds)
    return "done"


@server.tool()
def crash(code: int = 3) -> str:
    """The process dies in the middle of the call."""
    os._exit(code)


@server.tool()
def fails() -> str:
    """A tool that raises: an isError result."""
    raise RuntimeError("kaput")


@server.resource("res://greeting")
def greeting() -> str:
    return "hello from a resource"


@server.prompt()
def hello(name: str) -> str:
    return f"Say hello to {name}"


if __name__ == "__main__":
    if sys.argv[1:2] == ["http"]:
        server.run("streamable-http", host="127.0.0.1", port=int(sys.argv[2]))
    else:
        server.run("stdio")
