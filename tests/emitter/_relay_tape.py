"""A stdio client transport for the official ``mcp.ClientSession`` that keeps a tape: every raw
line the host wrote (``>``) and read (``<``), in order, as bytes. The same session run against a
server directly and through ``tooltrail wrap`` must leave identical tapes.

It is the SDK's ``stdio_client`` reduced to what the tests need, plus the tape: lines go out as
the SDK writes them (``model_dump_json(by_alias=True, exclude_unset=True)`` and a newline).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
from anyio.abc import Process
from mcp.shared.message import SessionMessage

ROOT = Path(__file__).resolve().parents[2]
TOOLTRAIL = [str(Path(sys.executable).with_name("tooltrail"))]
NODE_BIN = ROOT / "tests" / "mcp_servers" / "node_modules" / ".bin"
EVERYTHING = [str(NODE_BIN / "mcp-server-everything")]
FILESYSTEM = str(NODE_BIN / "mcp-server-filesystem")
SDK_SERVER = [sys.executable, str(ROOT / "tests" / "mcp_servers" / "sdk_server.py")]

Tape = list[tuple[str, bytes]]


def wrapped(command: Sequence[str], spool: Path, *options: str) -> list[str]:
    return [*TOOLTRAIL, "wrap", "--spool-dir", str(spool), *options, "--", *command]


class Tapped:
    """The streams for ``ClientSession``, the tape, and the process (its exit status)."""

    def __init__(self, process: Process, tape: Tape) -> None:
        self.process = process
        self.tape = tape
        self.read: Any = None
        self.write: Any = None


@asynccontextmanager
async def tapped_stdio(command: Sequence[str], tape: Tape) -> AsyncIterator[Tapped]:
    process = await anyio.open_process(
        list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None
    )
    assert process.stdin is not None
    assert process.stdout is not None
    stdin, stdout = process.stdin, process.stdout
    to_host_w, to_host = anyio.create_memory_object_stream[SessionMessage | Exception](100)
    from_host, from_host_r = anyio.create_memory_object_stream[SessionMessage](100)

    async def reader() -> None:
        buf = b""
        async with to_host_w:
            try:
                async for chunk in stdout:
                    lines = (buf + chunk).split(b"\n")
                    buf = lines.pop()
                    for line in lines:
                        tape.append(("<", line))
                        try:
                            msg = types.jsonrpc_message_adapter.validate_json(line, by_name=False)
                        except ValueError as exc:
                            await to_host_w.send(exc)
                        else:
                            await to_host_w.send(SessionMessage(msg))
            except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                pass

    async def writer() -> None:
        async with from_host_r:
            try:
                async for session_message in from_host_r:
                    line = session_message.message.model_dump_json(
                        by_alias=True, exclude_unset=True
                    ).encode()
                    tape.append((">", line))
                    await stdin.send(line + b"\n")
            except (anyio.ClosedResourceError, anyio.BrokenResourceError, OSError):
                pass

    tapped = Tapped(process, tape)
    tapped.read, tapped.write = to_host, from_host
    async with anyio.create_task_group() as tg:
        tg.start_soon(reader)
        tg.start_soon(writer)
        try:
            yield tapped
        finally:
            with anyio.CancelScope(shield=True):
                await from_host.aclose()
                await anyio.sleep(0.05)
                await stdin.aclose()  # the MCP way to ask a stdio server to end
                with anyio.move_on_after(20):
                    await process.wait()
                if process.returncode is None:
                    process.kill()
                    await process.wait()
            tg.cancel_scope.cancel()
