"""Added latency per MCP call of ``audit_server`` and ``audit_client`` on real sessions: the
emitter's headline figure, next to the same session unaudited in the same run.

    python benchmarks/mcp_overhead.py [--calls 1000] [--reps 5] [--transports stdio,http,inproc]

Every session is the official ``mcp`` SDK end to end (``MCPServer`` with one small tool, the
SDK's client). Transports: ``stdio`` (the server in a child process, ``stdio_client``),
``http`` (streamable HTTP: the server under uvicorn in a child process,
``streamable_http_client``), ``inproc`` (``Client(server, mode="legacy")``: the server in this
process over the SDK's in-memory streams). Sides:

- ``server``: the same plain client calls an audited server and an identical unaudited one;
- ``client``: one unaudited server, called through ``audit_client(session)`` and through the
  bare session.

Each audited emitter has the default settings and ships with the default shipper to a running
collector: ``tooltrail up``'s stack (collector + embedded chDB store) in a child process. Blocks
of ``--calls`` calls alternate audited / unaudited (the order flips every repetition). Printed per
transport and side: p50 / p99 / p99.9 of the call latency unaudited and audited (all blocks
pooled), the added latency per call (the median over repetitions of the per-repetition
difference of p50; pooled for the tails), the ratio of the p50s, the added CPU per call of the
process the auditing runs in (the server's, read through a probe tool, or this one: the client's,
and the in-process server's), shipper thread included, which a busy shared machine disturbs far
less than latency, and what the emitters shipped (events, batches: the batching at work). Goal:
added per call median <= 20 us.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

PATHS = [f"/srv/data/report-{i % 50}.csv" for i in range(64)]
SERVER_NAME = "bench-mcp-server"
HOST_NAME = "bench-mcp-host"


# -- the server (also run as a child process) -------------------------------------------------


def build_server(
    spool: Path | None,
    collector: str | None,
    api_key: str | None,
    source: str = SERVER_NAME,
    transport: str | None = None,
) -> tuple[Any, Any]:
    """The MCP server under test and its emitter (audited, default settings, shipping, when
    ``spool`` is given, else None). The tool is async: a sync tool costs a worker-thread hop in
    the SDK, the same with or without auditing, that only adds noise here. ``transport``: the
    MCP transport its events name when the middleware cannot tell (the SDK's legacy in-process
    client runs over memory streams, which look like stdio to it)."""
    from mcp.server.mcpserver import MCPServer

    server = MCPServer(SERVER_NAME, version="1.0", log_level="WARNING")

    @server.tool()
    async def read_file(path: str, limit: int = 100) -> str:
        """Read the first rows of a file (a stand-in: answers at once)."""
        return f"{path}: first {limit} rows"

    @server.tool()
    async def cpu_ns() -> str:
        """CPU time of this server's process so far (the benchmark's own probe)."""
        return str(time.process_time_ns())

    emitter = None
    if spool is not None:
        from tooltrail.emitter import Emitter
        from tooltrail.emitter.mcp import audit_server

        emitter = Emitter(
            source_name=source, spool_dir=spool, collector_url=collector, api_key=api_key
        )
        audit_server(server, emitter, sigterm=False, transport=transport)
    return server, emitter


def serve_child(args: argparse.Namespace) -> None:
    """``--serve stdio|http``: run the server until stdin closes / SIGTERM; write the emitter's
    stats to ``--stats`` at exit."""
    spool = Path(args.spool) if args.spool else None
    source = f"{SERVER_NAME}-{args.serve}"
    env = os.environ.get
    server, emitter = build_server(
        spool, env("TT_BENCH_COLLECTOR"), env(f"TT_BENCH_KEY_{args.serve}"), source
    )
    try:
        if args.serve == "stdio":
            server.run("stdio")
        else:
            import signal

            import uvicorn

            app = server.streamable_http_app(host="127.0.0.1")
            config = uvicorn.Config(app, host="127.0.0.1", port=args.port, log_level="warning")
            userver = uvicorn.Server(config)
            signal.signal(signal.SIGTERM, lambda *_: setattr(userver, "should_exit", True))
            userver.run()
    finally:
        if emitter is not None:
            emitter.close(30)
            if args.stats:
                Path(args.stats).write_text(json.dumps(emitter.stats()))


def collector_child(args: argparse.Namespace) -> None:
    """``--collector DIR``: ``tooltrail up``'s stack until stdin closes."""
    from tooltrail.cli.up import Stack

    base = Path(args.collector)
    with Stack(store_path=base / "store", keys_file=base / "keys.json", port=0) as stack:
        print(f"ready {stack.port}", flush=True)
        sys.stdin.read()


# -- measuring --------------------------------------------------------------------------------

Call = Callable[[int], Awaitable[Any]]


Cpu = Callable[[], Awaitable[int]]
"""CPU ns used so far by the process the auditing runs in (the server's, or this one)."""


async def block(call: Call, n: int, cpu: Cpu) -> tuple[list[int], float]:
    """Latency of each of ``n`` calls, and the CPU per call of the audited side's process."""
    out = [0] * n
    clock = time.perf_counter_ns
    cpu0 = await cpu()
    for i in range(n):
        t0 = clock()
        await call(i)
        out[i] = clock() - t0
    return out, (await cpu() - cpu0) / n


async def local_cpu() -> int:
    return time.process_time_ns()


def server_cpu(session: Any) -> Cpu:
    async def cpu() -> int:
        result = await session.call_tool("cpu_ns", {})
        return int(result.content[0].text)

    return cpu


def tool_call(session: Any) -> Call:
    async def call(i: int) -> Any:
        result = await session.call_tool("read_file", {"path": PATHS[i & 63], "limit": 100})
        if result.is_error:
            raise SystemExit(f"tool call failed: {result}")
        return result

    return call


def q(ns: list[int], p: float) -> float:
    s = sorted(ns)
    return s[min(len(s) - 1, int(p * len(s)))] / 1000


Runs = dict[str, list[tuple[list[int], float]]]


async def compare(
    plain: tuple[Call, Cpu], audited: tuple[Call, Cpu], calls: int, reps: int
) -> Runs:
    """Alternate blocks (order flipped every repetition) after a warm-up of both."""
    await block(plain[0], min(200, calls), plain[1])
    await block(audited[0], min(200, calls), audited[1])
    runs: Runs = {"plain": [], "audited": []}
    for rep in range(reps):
        order = [("plain", plain), ("audited", audited)]
        for name, (call, cpu) in order if rep % 2 == 0 else order[::-1]:
            runs[name].append(await block(call, calls, cpu))
    return runs


def summarize(label: str, runs: Runs) -> str:
    plain = [x for r, _ in runs["plain"] for x in r]
    audited = [x for r, _ in runs["audited"] for x in r]
    pairs = list(zip(runs["plain"], runs["audited"], strict=True))
    added = [q(a, 0.5) - q(p, 0.5) for (p, _), (a, _) in pairs]
    cpu = [(a - p) / 1000 for (_, p), (_, a) in pairs]
    cells = [
        f"{label:<16}",
        " / ".join(f"{q(plain, p):7.1f}" for p in (0.5, 0.99, 0.999)),
        " / ".join(f"{q(audited, p):7.1f}" for p in (0.5, 0.99, 0.999)),
        f"{statistics.median(added):+7.1f} [{min(added):+.1f}..{max(added):+.1f}]",
        f"{q(audited, 0.99) - q(plain, 0.99):+8.1f} / {q(audited, 0.999) - q(plain, 0.999):+8.1f}",
        f"{q(audited, 0.5) / q(plain, 0.5):5.3f}",
        f"{statistics.median(cpu):+7.1f} [{min(cpu):+.1f}..{max(cpu):+.1f}]",
    ]
    return "  ".join(cells)


# -- sessions ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Bench:
    def __init__(self, tmp: Path, collector: str, keys: dict[str, str], calls: int, reps: int):
        self.tmp = tmp
        self.collector = collector
        self.keys = keys
        self.calls = calls
        self.reps = reps
        self.host_emitter: Any = None
        self.stats_files: dict[str, Path] = {}
        self.children: list[subprocess.Popen[bytes]] = []

    def env(self) -> dict[str, str]:
        keys = {f"TT_BENCH_KEY_{t}": self.keys[f"{SERVER_NAME}-{t}"] for t in ("stdio", "http")}
        return {**os.environ, "TT_BENCH_COLLECTOR": self.collector, **keys}

    def host(self) -> Any:
        if self.host_emitter is None:
            from tooltrail.emitter import Emitter

            self.host_emitter = Emitter(
                source_name=HOST_NAME,
                source_kind="host",
                spool_dir=self.tmp / "host-spool",
                collector_url=self.collector,
                api_key=self.keys[HOST_NAME],
            )
        return self.host_emitter

    def child_args(self, kind: str, audited: bool, label: str) -> list[str]:
        args = [__file__, "--serve", kind]
        if audited:
            self.stats_files[label] = self.tmp / f"{label}.stats.json"
            args += ["--spool", str(self.tmp / f"{label}-spool")]
            args += ["--stats", str(self.stats_files[label])]
        return args

    @contextlib.asynccontextmanager
    async def stdio(self, audited: bool) -> AsyncIterator[Any]:
        from mcp import ClientSession
        from mcp.client.stdio import StdioServerParameters, stdio_client

        label = f"stdio-{'audited' if audited else 'plain'}"
        params = StdioServerParameters(
            command=sys.executable, args=self.child_args("stdio", audited, label), env=self.env()
        )
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            yield session

    @contextlib.asynccontextmanager
    async def http(self, audited: bool) -> AsyncIterator[Any]:
        from mcp import ClientSession
        from mcp.client.streamable_http import streamable_http_client
        from mcp.shared._httpx_utils import create_mcp_http_client

        label = f"http-{'audited' if audited else 'plain'}"
        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, *self.child_args("http", audited, label), "--port", str(port)],
            env=self.env(),
            stdin=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                    break
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit(f"{label}: the server did not start")
                await asyncio.sleep(0.05)
            url = f"http://127.0.0.1:{port}/mcp"
            async with (
                create_mcp_http_client() as client,
                streamable_http_client(url, http_client=client) as (read, write),
                ClientSession(read, write) as session,
            ):
                await session.initialize()
                yield session
        finally:
            proc.terminate()
            proc.wait(60)

    @contextlib.asynccontextmanager
    async def inproc(self, audited: bool) -> AsyncIterator[Any]:
        from mcp import Client

        label = f"inproc-{'audited' if audited else 'plain'}"
        spool = self.tmp / f"{label}-spool" if audited else None
        source = f"{SERVER_NAME}-inproc"
        server, emitter = build_server(
            spool, self.collector, self.keys[source], source, _TRANSPORT_NAMES["inproc"]
        )
        try:
            async with Client(server, mode="legacy") as client:
                yield client
        finally:
            if emitter is not None:
                emitter.close(30)
                self.stats_files[label] = self.tmp / f"{label}.stats.json"
                self.stats_files[label].write_text(json.dumps(emitter.stats()))

    async def run(self, transport: str) -> list[str]:
        from tooltrail.emitter.mcp import audit_client

        connect = {"stdio": self.stdio, "http": self.http, "inproc": self.inproc}[transport]
        lines = []
        async with connect(False) as plain, connect(True) as audited:
            cpus = (local_cpu, local_cpu)
            if transport != "inproc":  # the audited side is the server's process
                cpus = (server_cpu(plain), server_cpu(audited))
            runs = await compare(
                (tool_call(plain), cpus[0]), (tool_call(audited), cpus[1]), self.calls, self.reps
            )
            lines.append(summarize(f"{transport} server", runs))
        async with connect(False) as plain:
            wrapped = audit_client(plain, self.host(), transport=_TRANSPORT_NAMES[transport])
            runs = await compare(
                (tool_call(plain), local_cpu),
                (tool_call(wrapped), local_cpu),
                self.calls,
                self.reps,
            )
            lines.append(summarize(f"{transport} client", runs))
        return lines


_TRANSPORT_NAMES = {"stdio": "stdio", "http": "streamable-http", "inproc": "inproc"}


@contextlib.contextmanager
def running_collector(base: Path) -> Any:
    """``tooltrail up``'s stack in a child process; yields (url, {source: api key})."""
    from tooltrail.collector.auth import KeyStore

    names = [f"{SERVER_NAME}-{t}" for t in ("stdio", "http", "inproc")] + [HOST_NAME]
    keys = {name: KeyStore(base / "keys.json").create(name)[1] for name in names}
    env = {**os.environ, "TOOLTRAIL_COLLECTOR_TRUST_FIRST_SIGNER": "true"}
    proc = subprocess.Popen(
        [sys.executable, __file__, "--collector", str(base)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().decode().split()
        if line[:1] != ["ready"]:
            raise SystemExit("the collector did not start")
        yield f"http://127.0.0.1:{line[1]}", keys
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(120)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=1000, help="calls per block")
    ap.add_argument("--reps", type=int, default=5, help="audited / unaudited block pairs")
    ap.add_argument("--transports", default="stdio,http,inproc")
    ap.add_argument("--serve", choices=("stdio", "http"), help=argparse.SUPPRESS)
    ap.add_argument("--spool", help=argparse.SUPPRESS)
    ap.add_argument("--stats", help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--collector", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        return serve_child(args)
    if args.collector:
        return collector_child(args)

    import importlib.util
    import logging

    logging.basicConfig(level=logging.ERROR)
    tmp = Path(tempfile.mkdtemp(prefix="tt-mcp-bench-"))
    transports = [t for t in args.transports.split(",") if t]
    with running_collector(tmp / "collector") as (url, keys):
        bench = Bench(tmp, url, keys, args.calls, args.reps)
        lines: list[str] = []
        for transport in transports:
            lines += asyncio.run(bench.run(transport))
        if bench.host_emitter is not None:
            bench.host_emitter.close(30)
            host_stats = bench.host_emitter.stats()
    print(
        f"tooltrail MCP overhead: {args.calls} calls x {args.reps} alternating blocks per side, "
        f"python {sys.version.split()[0]}, orjson "
        f"{'present' if importlib.util.find_spec('orjson') else 'absent'}; latencies in us"
    )
    print(
        f"{'session':<16}  {'unaudited p50 / p99 / p99.9':<27}  {'audited p50 / p99 / p99.9':<27}"
        f"  {'added p50 [min..max]':<24}  {'added p99 / p99.9':<19}  ratio"
        f"  added CPU/call [min..max]"
    )
    for line in lines:
        print(line)
    for label, path in sorted(bench.stats_files.items()):
        if path.exists():
            print(_shipped(label, json.loads(path.read_text())))
    if bench.host_emitter is not None:
        print(_shipped("host (audit_client)", host_stats))


def _shipped(label: str, stats: dict[str, Any]) -> str:
    ship = stats.get("shipper", {})
    return (
        f"shipped by {label}: {stats['recorded']} events recorded, {ship.get('events_acked', 0)} "
        f"records acked in {ship.get('batches_sent', 0)} batches; errors {stats['errors']}"
    )


if __name__ == "__main__":
    main()
