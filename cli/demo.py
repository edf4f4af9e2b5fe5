"""``tooltrail demo``: the embedded all-in-one, end to end, then a verify and a tamper drill.

Starts ``tooltrail up``'s stack in this process (collector → chDB store, no servers), registers
two sources with API keys and their emitters' signing keys, runs a real MCP server (the official
SDK) with the audit middleware and a real client session wrapped by the host-side auditor, makes
a mix of calls (ok, failing, denied, one carrying a secret), ships both streams through the
collector into the store, verifies the stored log against the signed checkpoints, then edits one
stored row the way an intruder with database access would and shows that ``verify`` names it.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path

import typer

from tooltrail.emitter import Actor, Emitter

__all__ = ["demo"]


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
    workdir: Path | None = typer.Option(
        None, help="Where the store and spools go (default: temp)."
    ),
) -> None:
    """Run the embedded all-in-one with an audited MCP server and host; verify; catch a tamper."""
    import anyio
    from rich.console import Console
    from rich.table import Table

    from tooltrail.collector.auth import KeyStore
    from tooltrail.pipeline.integrity import verify_store

    from .up import Stack

    console = Console()
    root = workdir or Path(tempfile.mkdtemp(prefix="tooltrail-demo-"))
    keys = KeyStore(root / "collector-keys.json")
    with Stack(store_path=root / "store", keys_file=root / "collector-keys.json", port=0) as stack:
        console.print(f"collector {stack.url}/v1/events → embedded store {root / 'store'}")
        emitters = []
        for name, kind in (("demo-fs-server", "server"), ("demo-host", "host")):
            _, api_key = keys.create(name)
            em = Emitter(
                source_name=name,
                source_kind=kind,  # type: ignore[arg-type]
                spool_dir=root / f"{name}-spool",
                collector_url=stack.url,
                api_key=api_key,
                fingerprint_key=b"demo deployment key",
                flush_interval=0.05,
            )
            if em.signer is not None:
                keys.add_signer(name, em.signer.public_key_b64)
            emitters.append(em)
        anyio.run(_drive, emitters[0], emitters[1], calls)
        for em in emitters:
            if not em.flush(30):
                console.print(f"[red]{em.stream_id}: not everything reached the store[/]")
                raise typer.Exit(1)
            em.close()
        trusted = [em.signer.public_key for em in emitters if em.signer is not None]
        store = stack.store
        rows = store.query_df(
            f"SELECT source_name, seq, method, tool, resource_uri, outcome, error_type, "  # noqa: S608
            f"redactions, trace_id FROM {store.database}.events ORDER BY source_name, seq"
        )
        table = Table(title=f"{len(rows)} audited events in the store")
        for col in ("source", "seq", "method", "target", "outcome", "error", "redacted", "trace"):
            table.add_column(col)
        for r in rows.itertuples(index=False):
            table.add_row(
                r.source_name,
                str(r.seq),
                r.method,
                r.tool or r.resource_uri,
                r.outcome,
                r.error_type,
                ",".join(f"{k}={v}" for k, v in dict(r.redactions).items()),
                (r.trace_id or "")[:8],
            )
        console.print(table)

        report = verify_store(store, public_keys=trusted)
        for sid, s in report.streams.items():
            console.print(
                f"[green]verified[/] {sid}: {s.events} events, {s.signed_checkpoints} signed "
                f"checkpoints, proven through seq {s.verified_through}"
            )
        if not report.ok:
            console.print(f"[red]integrity breaks: {report.findings}[/]")
            raise typer.Exit(1)

        store.command(  # an intruder with database access hides the denial
            f"ALTER TABLE {store.database}.events UPDATE outcome = 'ok', error_type = '' "
            "WHERE outcome = 'denied' SETTINGS mutations_sync = 2"
        )
        drill = verify_store(store, public_keys=trusted, record=False)
        first = drill.findings[0] if drill.findings else None
        console.print(f"tamper drill (a denial rewritten as ok in the store): [bold]{first}[/]")
        if first is None:
            raise typer.Exit(1)
    if workdir is None:
        shutil.rmtree(root, ignore_errors=True)
