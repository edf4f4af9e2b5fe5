"""``tooltrail demo``: an audited MCP server and host, end to end, then a verify and a tamper drill.

Runs a real MCP server (the official SDK) with the audit middleware and a real client session
wrapped by the host-side auditor, makes a mix of calls (ok, failing, denied, one carrying a
secret), ships both streams, verifies them against their signed checkpoints, and shows that
editing one stored event is caught.
"""

from __future__ import annotations

import contextlib
import copy
import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from tooltrail.contract import compute_hash, verify
from tooltrail.emitter import Actor, Emitter, MemoryTransport, Transport

__all__ = ["demo"]

Collected = Callable[[], tuple[list[dict[str, Any]], list[dict[str, Any]]]]


@contextmanager
def _memory_collector() -> Iterator[tuple[Callable[[str], Transport], Collected]]:
    transports: list[MemoryTransport] = []

    def make(source: str) -> Transport:
        t = MemoryTransport()
        transports.append(t)
        return t

    def collected() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        events: list[dict[str, Any]] = []
        cps: list[dict[str, Any]] = []
        for t in transports:
            for body in t.received:
                batch = json.loads(body)
                events += batch["events"]
                cps += batch["checkpoints"]
        return events, cps

    yield make, collected


async def _drive(server_em: Emitter, host_em: Emitter, calls: int) -> None:
    from mcp import Client
    from mcp.server.mcpserver import MCPServer
    from mcp.shared.exceptions import MCPError

    from tooltrail.emitter.mcp import ToolDenied, audit_client, audit_server

    server: MCPServer = MCPServer("demo-fs-server", version="1.0")

    @server.tool()
    def read_file(path: str, token: str | None = None) -> str:
        if path.startswith("/missing"):
            raise FileNotFoundError(path)
        return f"contents of {path}"

    @server.tool()
    def delete_all(path: str) -> str:
        raise ToolDenied(f"deleting {path} is not allowed", reason="policy")

    @server.resource("config://app")
    def config() -> str:
        return "debug=false"

    audit_server(server, server_em)
    async with Client(server) as raw:
        session = audit_client(raw, host_em, actor=Actor(user="u-17", agent="demo-agent"))
        await session.list_tools()
        for i in range(calls):
            await session.call_tool("read_file", {"path": f"/srv/reports/{i % 4}.csv"})
        await session.call_tool(
            "read_file", {"path": "/srv/keys.txt", "token": "ghp_" + "x7Kq" * 9}
        )
        await session.call_tool("read_file", {"path": "/missing/file"})
        with contextlib.suppress(MCPError):  # the denial reaches the host as an error
            await session.call_tool("delete_all", {"path": "/srv"})
        await session.read_resource("config://app")


def demo(
    calls: int = typer.Option(12, help="Ordinary tool calls to make."),
    workdir: Path | None = typer.Option(None, help="Where spools go (default: a temp dir)."),
) -> None:
    """Run an audited MCP server and host, ship, verify, and catch a tampered event."""
    import anyio
    from rich.console import Console
    from rich.table import Table

    console = Console()
    root = workdir or Path(tempfile.mkdtemp(prefix="tooltrail-demo-"))
    with _memory_collector() as (transport_for, collected):
        server_em = Emitter(
            source_name="demo-fs-server",
            spool_dir=root / "server-spool",
            transport=transport_for("demo-fs-server"),
            fingerprint_key=b"demo deployment key",
            flush_interval=0.05,
        )
        host_em = Emitter(
            source_name="demo-host",
            source_kind="host",
            spool_dir=root / "host-spool",
            transport=transport_for("demo-host"),
            flush_interval=0.05,
        )
        anyio.run(_drive, server_em, host_em, calls)
        for em in (server_em, host_em):
            em.flush(10)
        keys = [em.signer.public_key for em in (server_em, host_em) if em.signer is not None]
        events, checkpoints = collected()
        server_em.close()
        host_em.close()

    table = Table(title=f"{len(events)} audited events")
    for col in ("source", "seq", "method", "target", "outcome", "error", "redactions", "trace"):
        table.add_column(col)
    for e in events:
        table.add_row(
            e["source"]["name"],
            str(e["seq"]),
            e["mcp.method.name"],
            e.get("gen_ai.tool.name") or e.get("mcp.resource.uri") or "",
            e["outcome"],
            e.get("error.type") or "",
            ",".join(f"{k}={v}" for k, v in e.get("redactions", {}).items()),
            (e.get("trace_id") or "")[:8],
        )
    console.print(table)

    report = verify(events, checkpoints, keys, raise_on_break=False)
    for sid, s in report.streams.items():
        console.print(
            f"[green]verified[/] {sid}: {s.events} events, {s.signed_checkpoints} signed "
            f"checkpoints, proven through seq {s.verified_through}"
        )
    if not report.ok:
        console.print(f"[red]integrity breaks: {report.findings}[/]")
        raise typer.Exit(1)

    tampered = copy.deepcopy(events)
    victim = next(e for e in tampered if e["outcome"] == "denied")
    victim["outcome"] = "ok"  # hide the denial
    victim.pop("error.type", None)
    victim["hash"] = compute_hash(victim)  # even re-hashing does not help
    drill = verify(tampered, checkpoints, keys, raise_on_break=False)
    first = drill.findings[0] if drill.findings else None
    console.print(f"tamper drill (a denial rewritten as ok and re-hashed): [bold]{first}[/]")
    if first is None:
        raise typer.Exit(1)
    if workdir is None:
        shutil.rmtree(root, ignore_errors=True)
