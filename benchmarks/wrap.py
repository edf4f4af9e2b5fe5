"""What ``tooltrail wrap`` adds to an MCP stdio session: latency per call and the throughput of
large results, against the direct connection in the same run.

    python benchmarks/wrap.py [--calls 2000] [--reps 3] [--big-calls 100] [--big-mb 1]
        [--settle S] [--before DIR] [--verbose]

The server is a minimal stdio MCP server (this file, run with ``--serve``): it answers
``initialize``, ``tools/list`` and ``tools/call`` at once, so what is measured is the relay, not a
server's work. The host is this process: it writes one request line and waits for the response
line (sequential calls, as a host's model makes them), timing each round trip.

Three ways to the same server, in alternating blocks (the order flips every repetition):
``direct`` (the server as the host's child), ``wrap`` (``tooltrail wrap -- server``, recording
into a spool: every call is a real event, chained, with its checkpoints) and ``relay-only``
(``tooltrail wrap --no-record``: the relay without the recorder). Printed: p50 / p99 per call
of each (all blocks pooled), the added latency (median over repetitions of the per-repetition
difference of p50; pooled difference of p99), and the throughput of a stream of ``--big-mb`` MB
results (MB/s) with its ratio to direct. Targets: p50 <= 150 us and p99 <= 1 ms added;
large-result throughput within 10 % of direct. On a shared machine the ratio swings with the
neighbours' load, so the CPU that wrap's processes spend per MB of that stream is printed too
(Linux ``/proc``): the relay's process (forwarding, and the feeder of the recorder) and the
recorder's worker, median over repetitions. The large results follow the latency block at once
(the recorder still has its events queued: the harder case for its backlog), or ``--settle S``
seconds later (then the worker's CPU is the large results' alone).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TOOLTRAIL = str(Path(sys.executable).with_name("tooltrail"))
SERVER = [sys.executable, str(Path(__file__).resolve()), "--serve"]
_BIG: dict[int, bytes] = {}


# -- the server -------------------------------------------------------------------------------


def serve() -> None:
    """A minimal MCP stdio server: answers at once, a result of ``size`` bytes when asked."""
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        msg = json.loads(line)
        if "id" not in msg:
            continue
        method, rid = msg["method"], msg["id"]
        if method == "initialize":
            result: object = {
                "protocolVersion": "2025-06-18",
                "capabilities": {"tools": {}},
                "serverInfo": {"name": "bench-wrap-server", "version": "1.0"},
            }
        elif method == "tools/list":
            result = {"tools": [{"name": "echo", "description": "Echo the text.",
                                 "inputSchema": {"type": "object"}}]}  # fmt: skip
        else:
            args = msg["params"]["arguments"]
            size = args.get("size", 0)
            if size:
                if size not in _BIG:
                    body = {"content": [{"type": "text", "text": "x" * size}]}
                    _BIG[size] = json.dumps(body).encode()
                out.write(b'{"jsonrpc":"2.0","id":%d,"result":%s}\n' % (rid, _BIG[size]))
                out.flush()
                continue
            result = {"content": [{"type": "text", "text": args["text"]}]}
        out.write(json.dumps({"jsonrpc": "2.0", "id": rid, "result": result}).encode() + b"\n")
        out.flush()


# -- the host ---------------------------------------------------------------------------------


class Session:
    """One server process (direct or behind wrap), initialized, with a tools/list done."""

    def __init__(self, command: list[str], log: Path, env: dict[str, str] | None = None) -> None:
        self.log = log.open("wb")  # wrap's warnings: bytes it relayed but could not record
        self.proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, env=env
        )
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.w = self.proc.stdin
        self.r = self.proc.stdout
        self.next_id = 0
        init = {"protocolVersion": "2025-06-18", "capabilities": {},
                "clientInfo": {"name": "bench-host", "version": "1"}}  # fmt: skip
        self.call("initialize", init)
        self.w.write(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
        self.w.flush()
        self.call("tools/list", {})

    def call(self, method: str, params: object) -> int:
        """One round trip; the response's size."""
        self.next_id += 1
        msg = {"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params}
        self.w.write(json.dumps(msg).encode() + b"\n")
        self.w.flush()
        line = self.r.readline()
        if not line:
            raise RuntimeError(f"{method}: the server closed its output")
        return len(line)

    def latencies(self, n: int) -> list[float]:
        out = []
        params = {"name": "echo", "arguments": {"text": "hello"}}
        for _ in range(n):
            t0 = time.perf_counter_ns()
            self.call("tools/call", params)
            out.append((time.perf_counter_ns() - t0) / 1000)
        return out

    def throughput(self, n: int, size: int, settle: float) -> tuple[float, float, float]:
        """MB/s of ``n`` sequential calls each answered by a ``size``-byte result, and the CPU
        ms per MB of the process the host started (wrap's relay) and of the recorder worker."""
        params = {"name": "echo", "arguments": {"size": size}}
        self.call("tools/call", params)  # warm: the server builds the result once
        time.sleep(settle)  # the recorder may end the latency block's events first
        worker = [p for p in _children(self.proc.pid) if b"tooltrail.emitter.relay" in _cmd(p)]
        pids = [self.proc.pid, *worker[:1]]
        cpu0 = [_cpu(p) for p in pids]
        t0 = time.perf_counter()
        total = sum(self.call("tools/call", params) for _ in range(n))
        elapsed = time.perf_counter() - t0
        cpu = [(_cpu(p) - c) * 1e3 / (total / 1e6) for p, c in zip(pids, cpu0, strict=True)]
        return total / elapsed / 1e6, cpu[0], cpu[1] if worker else 0.0

    def close(self) -> int:
        self.w.close()
        status = self.proc.wait(60)
        self.log.close()
        return status


def _cpu(pid: int) -> float:
    """CPU seconds the threads of a live process have run so far (scheduler ns; 0 if gone)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue
    return total / 1e9


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _cmd(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--calls", type=int, default=2000, help="calls per block")
    ap.add_argument("--reps", type=int, default=3, help="repetitions (blocks per way)")
    ap.add_argument("--big-calls", type=int, default=100, help="large-result calls per block")
    ap.add_argument("--big-mb", type=float, default=1.0, help="size of a large result, MB")
    ap.add_argument("--settle", type=float, default=0.0,
                    help="seconds between the latency block and the large results (0: the "
                         "recorder still has the block's events queued; 1: its CPU per MB is "
                         "the large results' alone)")  # fmt: skip
    ap.add_argument("--verbose", action="store_true", help="the figures of each run too")
    ap.add_argument("--before", metavar="DIR",
                    help="also run wrap and wrap --no-record with the tooltrail package found in "
                         "DIR (PYTHONPATH): e.g. a copy of main's build/__editable__*/ tree, for "
                         "before/after figures in the same runs")  # fmt: skip
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve()
        return

    root = Path(tempfile.mkdtemp(prefix="bench-wrap-"))
    ways = {
        "direct": lambda i: SERVER,
        "wrap": lambda i: [TOOLTRAIL, "wrap", "--spool-dir", str(root / f"spool{i}"), "--",
                           *SERVER],
        "relay-only": lambda i: [TOOLTRAIL, "wrap", "--no-record", "--", *SERVER],
    }  # fmt: skip
    envs: dict[str, dict[str, str] | None] = dict.fromkeys(ways)
    if args.before:
        ways["wrap-before"] = lambda i: [TOOLTRAIL, "wrap", "--spool-dir",
                                         str(root / f"before{i}"), "--", *SERVER]  # fmt: skip
        envs["wrap-before"] = {**os.environ, "PYTHONPATH": args.before}
        ways["relay-before"] = lambda i: [TOOLTRAIL, "wrap", "--no-record", "--", *SERVER]
        envs["relay-before"] = envs["wrap-before"]
    lat: dict[str, list[float]] = {w: [] for w in ways}
    p50s: dict[str, list[float]] = {w: [] for w in ways}
    tput: dict[str, list[float]] = {w: [] for w in ways}
    cpu: dict[str, list[tuple[float, float]]] = {w: [] for w in ways}
    size = int(args.big_mb * 1e6)
    for rep in range(args.reps):
        order = list(ways) if rep % 2 == 0 else list(reversed(ways))
        for way in order:
            session = Session(ways[way](rep), root / f"{way}{rep}.log", envs[way])
            session.latencies(200)  # warm-up
            block = session.latencies(args.calls)
            lat[way] += block
            p50s[way].append(statistics.median(block))
            mbs, relay_cpu, worker_cpu = session.throughput(args.big_calls, size, args.settle)
            tput[way].append(mbs)
            cpu[way].append((relay_cpu, worker_cpu))
            status = session.close()
            if status != 0:
                raise SystemExit(f"{way}: the session ended with {status}")

    print(f"tooltrail wrap: {args.reps} x {args.calls} sequential calls per way, "
          f"{args.reps} x {args.big_calls} results of {args.big_mb:g} MB; "
          f"cpus={os.cpu_count()}")  # fmt: skip
    print(f"{'way':<12} {'p50 us':>8} {'p99 us':>8} {'added p50':>10} {'added p99':>10} "
          f"{'MB/s':>8} {'vs direct':>9} {'relay ms/MB':>11} {'worker ms/MB':>12}")  # fmt: skip
    base99 = _pct(lat["direct"], 0.99)
    base_t = statistics.median(tput["direct"])
    for way in ways:
        added50 = statistics.median(a - b for a, b in zip(p50s[way], p50s["direct"], strict=True))
        added99 = _pct(lat[way], 0.99) - base99
        t = statistics.median(tput[way])
        relay_ms = f"{statistics.median(c[0] for c in cpu[way]):11.2f}" if way != "direct" else ""
        recording = way.startswith("wrap")
        worker_ms = f"{statistics.median(c[1] for c in cpu[way]):12.2f}" if recording else ""
        print(f"{way:<12} {_pct(lat[way], 0.5):8.1f} {_pct(lat[way], 0.99):8.1f} "
              f"{added50:10.1f} {added99:10.1f} {t:8.1f} {t / base_t:9.2f} "
              f"{relay_ms:>11} {worker_ms:>12}")  # fmt: skip
    if args.verbose:
        for way in ways:
            print(f"{way:<12} per run: vs direct "
                  + " ".join(f"{t / d:.2f}" for t, d in zip(tput[way], tput["direct"], strict=True))
                  + ("; server" if way == "direct" else "; relay") + " ms/MB "
                  + " ".join(f"{c[0]:.2f}" for c in cpu[way])
                  + "; worker ms/MB " + " ".join(f"{c[1]:.2f}" for c in cpu[way]))  # fmt: skip
    events = sum(1 for p in root.glob("spool*/*.seg") for _ in p.open("rb"))
    print(f"spool records written by wrap (events and checkpoints): {events}")
    lost = rb"(\d+) bytes of relayed traffic were not audited"
    logs = [p.read_bytes() for p in root.glob("wrap*.log")]  # (wrap-before's too)
    unaudited = sum(int(n) for log in logs for n in re.findall(lost, log))
    total = args.reps * (args.big_calls + 1) * size * sum(w.startswith("wrap") for w in ways)
    print(f"relayed but not recorded by wrap (a backlog overflowed): {unaudited / 1e6:.1f} MB "
          f"of {total / 1e6:.0f} MB of large results")  # fmt: skip
    print("targets: added p50 <= 150 us, added p99 <= 1000 us, large-result throughput >= 0.90")


if __name__ == "__main__":
    main()
