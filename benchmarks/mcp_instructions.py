"""Instructions per MCP call added by ``audit_server`` / ``audit_client``, counted by callgrind.

    python benchmarks/mcp_instructions.py [--calls 300] [--rounds 3] [--variants ...]
    python benchmarks/mcp_instructions.py --bytecodes client [--calls 20]

Why instructions: in a session the same code runs 2.5-4x slower than in a warm loop (the SDK's
work between two calls evicts ours from the caches) and wall time on a shared machine moves by
more than the whole effect, so the quantity to cut, and the one that repeats (within ~1 %), is
the number of instructions a call executes (docs/emitter.md, fourth and fifth rounds).

One process runs every variant on in-process sessions (the SDK's ``Client(server,
mode="legacy")``, ``mcp_overhead.py``'s server and tool) under ``valgrind --tool=callgrind``;
each measured block of ``--calls`` calls sits between ``os.getppid()`` (callgrind zeroes its
counters: ``--zero-before=getppid``) and ``os.getpgrp()`` (it dumps them:
``--dump-before=getpgrp``), so a dump holds exactly one block. Blocks alternate over the
variants for ``--rounds`` rounds, after a warm-up of each. Variants:

- ``plain``: the plain client calling the plain server (the baseline);
- ``traceparent``: the same, passing a ``_meta.traceparent`` (what the SDK and OpenTelemetry
  spend on the key alone);
- ``server``: the plain client calling a server with ``audit_server`` (shipper off);
- ``client``: ``audit_client`` over the plain client calling the plain server (shipper off).

Printed: instructions per call of each variant (median over rounds [min..max]) and what each
adds to ``plain``. ``--code DIR`` runs another checkout's ``tooltrail`` (a directory holding a
``tooltrail`` package, put first on ``sys.path``): the before/after figure of a change.

``--bytecodes VARIANT`` (no valgrind): bytecodes executed per call by function
(``sys.settrace`` opcode events over ``--calls`` calls after a warm-up), for ``VARIANT`` and
``plain``, and the functions whose counts differ most: where the added instructions are.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
VARIANTS = ("plain", "traceparent", "metakey", "server", "client")
PATHS = [f"/srv/data/report-{i % 50}.csv" for i in range(64)]
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

Caller = Callable[[int], Awaitable[Any]]


def _build_server(spool: Path | None) -> Any:
    sys.path.insert(0, str(HERE))
    from mcp_overhead import build_server

    server, _emitter = build_server(spool, None, None, "bench-mcp-server-inproc", "inproc")
    return server


class Sessions:
    """The servers and the host emitter of every variant; :meth:`open` starts one variant's
    session. Each block runs on a session of its own, opened at the same depth of task groups
    and cancel scopes as every other (anyio walks them on each call, so a session nested in
    another's costs more per call than one beside it)."""

    def __init__(self, variants: list[str], tmp: Path) -> None:
        from tooltrail.emitter import Emitter

        self.plain_server = _build_server(None)
        self.audited_server = _build_server(tmp / "server-spool") if "server" in variants else None
        self.host = Emitter(
            source_name="bench-mcp-host", source_kind="host", spool_dir=tmp / "host-spool"
        )

    @contextlib.asynccontextmanager
    async def open(self, variant: str) -> AsyncIterator[Caller]:
        from mcp import Client

        from tooltrail.emitter.mcp import audit_client

        server = self.audited_server if variant == "server" else self.plain_server
        meta = {"traceparent": TRACEPARENT} if variant == "traceparent" else None
        if variant == "metakey":
            meta = {"io.tooltrail/trace": TRACEPARENT}
        async with Client(server, mode="legacy") as client:
            session: Any = client
            if variant == "client":
                session = audit_client(client, self.host, transport="inproc")
            yield _caller(session, PATHS, meta)


def _caller(session: Any, paths: list[str], meta: dict[str, str] | None) -> Caller:
    async def call(i: int) -> Any:
        args = {"path": paths[i & 63], "limit": 100}
        if meta is None:
            result = await session.call_tool("read_file", args)
        else:
            result = await session.call_tool("read_file", args, meta=meta)
        if result.is_error:
            raise SystemExit(f"tool call failed: {result}")
        return result

    return call


async def measured(args: argparse.Namespace, tmp: Path) -> None:
    """Inside callgrind: a warm-up of each variant, then rounds of one counted block per
    variant, each on a fresh session warmed by a few calls."""
    variants = args.variants.split(",")
    sessions = Sessions(variants, tmp)
    for variant in variants:
        async with sessions.open(variant) as call:
            for i in range(args.warmup):
                await call(i)
    for _ in range(args.rounds):
        for variant in variants:
            async with sessions.open(variant) as call:
                for i in range(20):
                    await call(i)
                os.getppid()  # callgrind: zero the counters
                for i in range(args.calls):
                    await call(i)
                os.getpgrp()  # callgrind: dump this block
            print(f"block {variant}", flush=True)
    sessions.host.close()


def run_callgrind(args: argparse.Namespace) -> dict[str, list[float]]:
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    out = Path(tempfile.mkdtemp(prefix="tt-callgrind-"))
    env = dict(os.environ, PYTHONHASHSEED="0")
    if args.code:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [args.code, env.get("PYTHONPATH")]))
    argv = [
        "valgrind",
        "--tool=callgrind",
        f"--callgrind-out-file={out}/cg.%p",
        "--zero-before=getppid",
        "--dump-before=getpgrp",
        "--dump-instr=no",
        sys.executable,
        __file__,
        "--inner",
        *("--calls", str(args.calls), "--rounds", str(args.rounds)),
        *("--warmup", str(args.warmup), "--variants", args.variants),
    ]
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    labels = [line.split()[1] for line in proc.stdout.splitlines() if line.startswith("block ")]
    if proc.returncode != 0 or not labels:
        raise SystemExit(f"the callgrind run failed:\n{proc.stderr[-3000:]}")
    dumps = sorted(out.glob("cg.*.*"), key=lambda p: int(p.suffix[1:]))
    counts: dict[str, list[float]] = {}
    for label, dump in zip(labels, dumps, strict=True):
        m = re.search(r"^summary: (\d+)", dump.read_text(), re.M)
        assert m is not None, dump
        counts.setdefault(label, []).append(int(m.group(1)) / args.calls)
    if args.keep:
        keep = Path(args.keep)
        keep.mkdir(parents=True, exist_ok=True)
        for i, (label, dump) in enumerate(zip(labels, dumps, strict=True)):
            dump.rename(keep / f"{i:02d}-{label}.callgrind")
    shutil.rmtree(out)
    return counts


def report(counts: dict[str, list[float]], args: argparse.Namespace) -> None:
    base = statistics.median(counts["plain"]) if "plain" in counts else None
    where = f"tooltrail from {args.code}" if args.code else "this checkout"
    print(
        f"instructions per in-process MCP call (callgrind; {args.calls} calls x {args.rounds} "
        f"rounds, after {args.warmup} of warm-up; {where}; python {sys.version.split()[0]})"
    )
    print(f"{'variant':<12} {'per call, median [min..max]':>34} {'added to plain':>16}")
    for variant, values in counts.items():
        med = statistics.median(values)
        added = f"{med - base:+16,.0f}" if base is not None and variant != "plain" else ""
        print(f"{variant:<12} {med:14,.0f} [{min(values):,.0f}..{max(values):,.0f}] {added}")


# -- bytecodes per function ---------------------------------------------------------------------


async def bytecodes(args: argparse.Namespace, tmp: Path) -> dict[str, Counter[str]]:
    variants = ["plain", args.bytecodes]
    sessions = Sessions(variants, tmp)
    out: dict[str, Counter[str]] = {}
    for variant in variants:
        async with sessions.open(variant) as call:
            for i in range(args.warmup):
                await call(i)
            counts: Counter[str] = Counter()
            sys.settrace(_opcode_counter(counts))
            try:
                for i in range(args.calls):
                    await call(i)
            finally:
                sys.settrace(None)
            out[variant] = counts
    sessions.host.close()
    return out


def _opcode_counter(counts: Counter[str]) -> Any:
    def tracer(frame: Any, event: str, _arg: Any) -> Any:
        frame.f_trace_opcodes = True
        if event == "opcode":
            code = frame.f_code
            counts[f"{Path(code.co_filename).name}:{code.co_qualname}"] += 1
        return tracer

    return tracer


def report_bytecodes(found: dict[str, Counter[str]], args: argparse.Namespace) -> None:
    plain, other = found["plain"], found[args.bytecodes]
    n = args.calls
    base, total = sum(plain.values()) / n, sum(other.values()) / n
    print(
        f"bytecodes per call: plain {base:,.0f}, {args.bytecodes} {total:,.0f} "
        f"(added {total - base:+,.0f})"
    )
    diff = {k: (other[k] - plain[k]) / n for k in set(plain) | set(other)}
    print(f"{'function':<70} {'plain':>8} {args.bytecodes:>8} {'added':>8}")
    for name, d in sorted(diff.items(), key=lambda kv: -abs(kv[1]))[: args.top]:
        if abs(d) < 0.5:
            break
        print(f"{name[:70]:<70} {plain[name] / n:8.1f} {other[name] / n:8.1f} {d:+8.1f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=300, help="calls per counted block")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--code", help="a directory holding the tooltrail package to measure")
    ap.add_argument("--bytecodes", choices=VARIANTS[1:], help="bytecodes by function instead")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--keep", help="keep callgrind's dumps in this directory (callgrind_annotate)")
    ap.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    import logging

    logging.basicConfig(level=logging.ERROR)
    if args.inner or args.bytecodes:
        with tempfile.TemporaryDirectory(prefix="tt-mcp-ins-") as tmp:
            if args.inner:
                asyncio.run(measured(args, Path(tmp)))
            else:
                report_bytecodes(asyncio.run(bytecodes(args, Path(tmp))), args)
        return
    report(run_callgrind(args), args)


if __name__ == "__main__":
    main()
