"""Per-call overhead of a recorded tool call, next to baselines measured in the same run.

    python benchmarks/emitter.py [--calls 50000]

Rows: the same call unaudited; one SHA-256 over the event's canonical bytes; redaction alone of
clean arguments (from a set of 64 paths, and a path never seen before: redaction remembers clean
short strings) and of dirty (secret-bearing) ones; then the breakdown of one recorded call, stage
by stage on the same clean call (``record``: building the event and timing the call; ``redact``,
``fingerprint``: the two stages; ``chain``: sealing (canonical bytes, SHA-256) and the contract
check; ``append``: the spool write); a recorded call with the shipper off (spool only) with
those arguments, and on (the default shipper, batching by linger, sending to a local HTTP
collector stand-in). The headline figure is the added latency in a real MCP session
(``benchmarks/mcp_overhead.py``); this is its breakdown. Targets (issue 14): shipper off mean
<= 5 us, p99 <= 25 us; shipper on mean <= 8 us, p99 <= 50 us, p99.9 <= 250 us.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import http.server
import importlib.util
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tooltrail.contract import canonical_bytes
from tooltrail.emitter import Emitter, HttpTransport
from tooltrail.emitter.redact import Redactor

# fake secrets built from parts, so no literal here looks like a credential to a scanner
_DIRTY = {
    "path": "/srv/data/report.csv",
    "token": "gh" + "p_" + "aB3" * 12,
    "note": "deploy with key AK" + "IA" + "Q3ZK7W2M9XB4T6RP, then rotate it",
}


def read_file(path: str, limit: int) -> dict[str, Any]:
    return {"path": path, "rows": limit}


Sample = tuple[list[int], float]
"""(wall-clock ns of each call, CPU ns per call of the whole process over the run)."""


def measure(fn: Callable[[int], Any], calls: int) -> Sample:
    for i in range(min(2000, calls)):  # warm up
        fn(i)
    gc.collect()
    gc.disable()
    out = [0] * calls
    clock = time.perf_counter_ns
    cpu0 = time.process_time_ns()
    try:
        for i in range(calls):
            t0 = clock()
            fn(i)
            out[i] = clock() - t0
    finally:
        gc.enable()
    return out, (time.process_time_ns() - cpu0) / calls


def row(name: str, sample: Sample) -> str:
    ns, cpu = sample
    s = sorted(ns)
    q = lambda p: s[min(len(s) - 1, int(p * len(s)))] / 1000  # noqa: E731
    return (
        f"{name:<40} {statistics.fmean(ns) / 1000:9.2f} {q(0.5):9.2f} "
        f"{q(0.99):9.2f} {q(0.999):10.2f} {cpu / 1000:9.2f}"
    )


class _Sink(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=50_000)
    n = ap.parse_args().calls
    tmp = Path(tempfile.mkdtemp(prefix="tt-bench-"))
    paths = [f"/srv/data/report-{i % 50}.csv" for i in range(64)]

    def bare(i: int) -> Any:
        return read_file(paths[i & 63], 100)

    def audited(em: Emitter, dirty: bool = False, fresh: bool = False) -> Callable[[int], Any]:
        def call(i: int) -> Any:
            path = f"/srv/data/report-{i}.csv" if fresh else paths[i & 63]
            args = dict(_DIRTY, limit=100) if dirty else {"path": path, "limit": 100}
            with em.record("tools/call", tool="read_file", args=args) as c:
                result = read_file(path, 100)
                c.set_result_bytes(64)
            return result

        return call

    redactor = Redactor()

    def redact_clean(i: int) -> Any:
        return redactor.redact_value({"path": paths[i & 63], "limit": 100}, {})

    def redact_fresh(i: int) -> Any:  # a value never seen before: no help from the cache
        return redactor.redact_value({"path": f"/srv/data/report-{i}.csv", "limit": 100}, {})

    def redact_dirty(i: int) -> Any:
        return redactor.redact_value(dict(_DIRTY, limit=100), {})

    stages = breakdown(tmp / "c", paths)
    quiet = Emitter(
        source_name="bench", spool_dir=tmp / "a", fingerprint_key=b"k" * 32, checkpoint_every=10**9
    )
    with quiet.record("tools/call", tool="read_file", args={"path": paths[0], "limit": 100}):
        pass
    event = _last_event(tmp / "a")
    body = canonical_bytes(event)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/v1/events"
    shipping = Emitter(
        source_name="bench",
        spool_dir=tmp / "b",
        transport=HttpTransport(url, api_key="bench"),
        fingerprint_key=b"k" * 32,
    )

    results = [
        ("unaudited call (baseline)", measure(bare, n)),
        (
            f"sha256 of canonical event ({len(body)} B)",
            measure(lambda i: hashlib.sha256(body).digest(), n),
        ),
        ("redaction only, clean args", measure(redact_clean, n)),
        ("redaction only, clean args, never seen", measure(redact_fresh, n)),
        ("redaction only, dirty args", measure(redact_dirty, n)),
        *[(f"  stage: {name}", measure(fn, n)) for name, fn in stages],
        ("recorded call, shipper off", measure(audited(quiet), n)),
        ("recorded call, shipper off, args unseen", measure(audited(quiet, fresh=True), n)),
        ("recorded call, shipper off, dirty args", measure(audited(quiet, True), n)),
        ("recorded call, shipper on (HTTP)", measure(audited(shipping), n)),
    ]
    shipping.flush(30)
    print(
        f"tooltrail emitter benchmark: {n} calls each, python {sys.version.split()[0]}, "
        f"orjson {'present' if importlib.util.find_spec('orjson') else 'absent'}"
    )
    print(f"{'':<40} {'mean us':>9} {'p50 us':>9} {'p99 us':>9} {'p99.9 us':>10} {'cpu us':>9}")
    for name, sample in results:
        print(row(name, sample))
    print("(cpu us: CPU time of the whole process per call, shipper thread included)")
    base = statistics.fmean(results[0][1][0])
    for name, (ns, _cpu) in results[5 + len(stages) :]:
        mean = statistics.fmean(ns)
        print(
            f"overhead of '{name}': {(mean - base) / 1000:.2f} us/call (mean);"
            f" ratio to the unaudited call {mean / base:,.0f}x"
        )
    st = shipping.stats()
    shipped = st["shipper"]
    print(f"shipped: {shipped['events_acked']} records in {shipped['batches_sent']} batches")
    quiet.close()
    shipping.close()
    server.shutdown()


def breakdown(spool: Path, paths: list[str]) -> list[tuple[str, Callable[[int], Any]]]:
    """One clean recorded call taken apart: each stage alone, on what the stage before made."""
    from tooltrail.contract.wire import RECORD_EVENT

    em = Emitter(source_name="bench", spool_dir=spool, fingerprint_key=b"k" * 32)
    redact, fingerprint = em._pre
    spool_ = em._spool
    assert spool_ is not None

    def started(i: int) -> dict[str, Any]:
        call = em.record("tools/call", tool="read_file", args={"path": paths[i & 63], "limit": 1})
        return call._event

    events = [started(i) for i in range(64)]
    redacted = [redact(dict(e)) for e in events]
    printed = [fingerprint(dict(e)) for e in redacted]
    sealed = [em._sealed(dict(e)) for e in printed]

    def record(i: int) -> Any:
        with em.record("tools/call", tool="read_file", args={"path": paths[i & 63], "limit": 1}):
            pass  # measured without emit: see the rows below

    def chain(i: int) -> Any:
        return em._sealed(dict(printed[i & 63]))

    stages: list[tuple[str, Callable[[int], Any]]] = [
        ("record (event built, call timed)", record),
        ("redact", lambda i: redact(dict(events[i & 63]))),
        ("fingerprint", lambda i: fingerprint(dict(redacted[i & 63]))),
        ("chain (seal + contract check)", chain),
        ("append (spool write)", lambda i: spool_.append(RECORD_EVENT + sealed[i & 63])),
    ]
    em.emit = lambda event, site=None: True  # type: ignore[method-assign]  # the record row stops here
    return stages


def _last_event(spool: Path) -> dict[str, Any]:
    import json

    for seg in sorted(spool.glob("*")):
        if seg.is_file():
            for line in seg.read_bytes().splitlines():
                if line.startswith(b"E"):
                    return dict(json.loads(line[1:]))
    raise SystemExit("no event in spool")


if __name__ == "__main__":
    main()
