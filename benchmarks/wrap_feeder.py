"""The CPU that recording costs ``tooltrail wrap``'s own process per MB of large results: the
feeder thread of ``ProcessRecorder`` alone, fed as the relay feeds it, without the relay's
forwarding threads, the host and the server (whose scheduling swings the figures of
``benchmarks/wrap.py`` on a shared machine).

    python benchmarks/wrap_feeder.py [--results 300] [--runs 3] [--before DIR]

Each run is a fresh process: a ``ProcessRecorder`` (a real worker, spooling) is given, per call,
the request line and then a ``--mb`` MB result line in 256 KiB chunks (the relay's reads),
``--gap`` ms apart; printed: the feeder thread's CPU (Linux ``/proc``) per MB. ``--before DIR``
runs the tooltrail package found in DIR (PYTHONPATH: e.g. a copy of main's
``build/__editable__*/`` tree) in alternation with this one, and prints the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_CHUNK = 1 << 18


def measure(results: int, mb: float, gap: float) -> float:
    """Feeder CPU ms per MB of ``results`` large results (this process's tooltrail)."""
    from tooltrail.emitter.relay import CLIENT, SERVER, ProcessRecorder, keep_freed_memory

    keep_freed_memory()
    emitter = {"source_name": "feeder-bench", "spool_dir": tempfile.mkdtemp(), "signing_key": None}
    recorder = ProcessRecorder(emitter, relay="wrap", transport="stdio")
    body = json.dumps({"content": [{"type": "text", "text": "x" * int(mb * 1e6)}]}).encode()

    def send(n: int) -> int:
        total = 0
        for i in range(n):
            call = {"jsonrpc": "2.0", "id": i, "method": "tools/call",
                    "params": {"name": "echo", "arguments": {}}}  # fmt: skip
            recorder.stream(CLIENT, json.dumps(call).encode() + b"\n")
            line = b'{"jsonrpc":"2.0","id":%d,"result":%s}\n' % (i, body)
            for start in range(0, len(line), _CHUNK):
                time.sleep(gap)
                recorder.stream(SERVER, line[start : start + _CHUNK])
            total += len(line)
        return total

    send(20)
    time.sleep(0.3)
    feeder = Path(f"/proc/self/task/{recorder._feeder.native_id}/schedstat")  # the feeder thread
    cpu0 = int(feeder.read_text().split()[0])
    total = send(results)
    time.sleep(0.1)
    cpu = int(feeder.read_text().split()[0]) - cpu0
    stats = recorder.close(60)
    if stats.get("events") != results + 20 or stats.get("dropped_bytes"):
        raise SystemExit(f"the recorder did not record every call: {stats}")
    return cpu / 1e6 / (total / 1e6)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--results", type=int, default=300, help="large results per run")
    ap.add_argument("--mb", type=float, default=1.0, help="size of a result, MB")
    ap.add_argument("--gap", type=float, default=0.4, help="ms between chunks")
    ap.add_argument("--runs", type=int, default=3, help="runs per version")
    ap.add_argument("--before", metavar="DIR", help="also run the tooltrail package in DIR")
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(measure(args.results, args.mb, args.gap / 1e3))
        return
    versions: dict[str, dict[str, str] | None] = {"now": None}
    if args.before:
        versions["before"] = {**os.environ, "PYTHONPATH": args.before}
    figures: dict[str, list[float]] = {v: [] for v in versions}
    one = [sys.executable, __file__, "--one", "--results", str(args.results), "--mb",
           str(args.mb), "--gap", str(args.gap)]  # fmt: skip
    for run in range(args.runs):
        order = list(versions) if run % 2 == 0 else list(reversed(versions))
        for version in order:
            out = subprocess.run(one, env=versions[version], capture_output=True, check=True)
            figures[version].append(float(out.stdout.split()[-1]))
    print(f"feeder CPU per MB of {args.mb:g} MB results ({args.results} per run, "
          f"{args.runs} runs each, load average {os.getloadavg()[0]:.1f})")  # fmt: skip
    for version, values in figures.items():
        print(f"{version:<7} ms/MB median {statistics.median(values):.3f}  runs "
              + " ".join(f"{v:.3f}" for v in values))  # fmt: skip
    if args.before:
        ratio = statistics.median(figures["now"]) / statistics.median(figures["before"])
        print(f"now / before: {ratio:.2f}")


if __name__ == "__main__":
    main()
