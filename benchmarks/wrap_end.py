"""How long ``tooltrail wrap`` takes to end after SIGTERM: the signal to wrap, the server's exit
(its handler: exit 42), wrap's exit with that code.

    python benchmarks/wrap_end.py [--runs 6] [--mode cold|warm|ship] [--before DIR]

``cold``: SIGTERM as soon as the server's first line came through (the recorder worker, a
Python process started beside the server, is usually still starting: the worst case); ``warm``:
after 20 calls were answered and their events spooled (a session that ran a while); ``ship``:
``warm`` with ``--collector-url`` a port nobody listens on (the emitter retries until
``--flush-timeout``). ``--before DIR`` runs the tooltrail package found in DIR (PYTHONPATH: e.g.
a copy of main's ``build/__editable__*/`` tree) in alternation with this one, and prints the
ratio of the medians. Load the machine yourself (e.g. ``python -c "while True: pass" &`` a few
times) to see the end on a starved CPU; the figures are wall seconds, so only runs alternated
in one sitting compare.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TOOLTRAIL = str(Path(sys.executable).with_name("tooltrail"))
SERVER = """import json, signal, sys
signal.signal(signal.SIGTERM, lambda *a: sys.exit(42))
print("ready", flush=True)
for line in sys.stdin:
    msg = json.loads(line)
    print(json.dumps({"jsonrpc": "2.0", "id": msg["id"], "result": {"content": []}}), flush=True)
"""


def end_after_sigterm(mode: str, env: dict[str, str]) -> float:
    """Seconds from SIGTERM to wrap's exit, for one fresh wrap (``mode``: module docstring)."""
    root = Path(tempfile.mkdtemp(prefix="wrap-end-"))
    (root / "server.py").write_text(SERVER)
    ship = ["--collector-url", "http://127.0.0.1:9"] if mode == "ship" else []
    spool = root / "spool"
    proc = subprocess.Popen(
        [TOOLTRAIL, "wrap", "--spool-dir", str(spool), *ship, "--",
         sys.executable, str(root / "server.py")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    assert proc.stdin is not None
    assert proc.stdout is not None
    assert proc.stdout.readline() == b"ready\n"
    if mode != "cold":
        for n in range(20):
            call = {"jsonrpc": "2.0", "id": n, "method": "tools/call",
                    "params": {"name": "t", "arguments": {}}}  # fmt: skip
            proc.stdin.write(json.dumps(call).encode() + b"\n")
            proc.stdin.flush()
            proc.stdout.readline()
        deadline = time.monotonic() + 120
        while sum(1 for seg in spool.glob("*.seg") for _ in seg.open("rb")) < 20:
            if time.monotonic() > deadline:
                raise SystemExit("the recorder spooled nothing in 120 s")
            time.sleep(0.02)
    start = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    status = proc.wait(600)
    took = time.monotonic() - start
    if status != 42:
        raise SystemExit(f"wrap ended with {status}, not the server's 42")
    return took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=6)
    ap.add_argument("--mode", choices=("cold", "warm", "ship"), default="cold")
    ap.add_argument("--before", metavar="DIR", help="also run the tooltrail package in DIR")
    args = ap.parse_args()
    versions = {"now": dict(os.environ)}
    if args.before:
        versions["before"] = {**os.environ, "PYTHONPATH": args.before}
    ends: dict[str, list[float]] = {v: [] for v in versions}
    for _ in range(args.runs):
        for name, env in versions.items():
            ends[name].append(end_after_sigterm(args.mode, env))
    for name, values in ends.items():
        figures = " ".join(f"{v:.2f}" for v in sorted(values))
        print(f"{args.mode} {name:6}: median {statistics.median(values):.2f} s  ({figures})")
    if args.before:
        ratio = statistics.median(ends["now"]) / statistics.median(ends["before"])
        print(f"now / before (medians): {ratio:.2f}")


if __name__ == "__main__":
    main()
