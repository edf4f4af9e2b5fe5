"""What redaction costs per call, now against before, measured in the same run.

    python benchmarks/redaction.py [--calls 20000] [--repeats 7] [--before 41967d3]

"Before" is the redactor and the emitter's redaction stage as they were at ``--before`` (default:
the commit before redaction covered keys, ``attrs`` and every field: only argument values and the
resource URI were scanned), loaded from git into this process; "now" is the working tree. Each
row times the emitter's redaction stage on a typical ``tools/call`` event (what the stage adds to
a recorded call: the other stages did not change) and the redactor alone on the arguments.
Arguments are clean values never seen before (no help from the clean-string cache: the worst
case for a clean call), clean values that repeat, and values with secrets. Times are the calling
thread's CPU time (what the emitter costs the audited call; steadier than wall time on a shared
machine). Before and now alternate, ``--repeats`` times; the figure is the fastest repeat, in
microseconds per call. Target: clean arguments cost at most 1 us more than before.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from tooltrail.emitter import stages as now_stages

ROOT = Path(__file__).resolve().parent.parent

# fake secrets built from parts, so no literal here looks like a credential to a scanner
_SECRET = "gh" + "p_" + "aB3" * 12
_CLEAN: dict[str, Callable[[int], str]] = {
    "path": lambda i: f"/srv/data/reports/2026/report-{i}.csv",
    "sql": lambda i: f"SELECT id, name FROM users WHERE id = {i} ORDER BY name",  # noqa: S608
    "prose": lambda i: f"Summarise the quarterly report for team {i} and list open risks",
    "code": lambda i: f"def handler(event):\n    return process(event['body'], retries={i})",
    "url": lambda i: f"https://docs.example.com/guide/section-{i}?lang=en#setup",
}


def _load_before(rev: str) -> ModuleType:
    """The ``stages`` module of ``rev`` with the ``redact`` module of ``rev`` under it."""
    tmp = Path(tempfile.mkdtemp(prefix="tt-redaction-before-"))
    for name in ("redact", "stages"):
        src = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{rev}:emitter/{name}.py"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        src = src.replace("from .redact import", "from tt_before_redact import")
        (tmp / f"tt_before_{name}.py").write_text(src)
    for name in ("redact", "stages"):
        spec = importlib.util.spec_from_file_location(
            f"tt_before_{name}", tmp / f"tt_before_{name}.py"
        )
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[f"tt_before_{name}"] = module
        spec.loader.exec_module(module)
    return sys.modules["tt_before_stages"]


def _event(args: dict[str, Any]) -> dict[str, Any]:
    return {
        "v": 2,
        "event_id": "0" * 32,
        "ts": "2026-12-06T05:00:00.000000Z",
        "source": {"kind": "server", "name": "bench"},
        "mcp.method.name": "tools/call",
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "read_file",
        "outcome": "ok",
        "duration_us": 120,
        "result_bytes": 64,
        "_args": args,
    }


def _time(fn: Callable[[int], object], calls: int, start: int) -> float:
    for i in range(start, start + 500):  # warm up
        fn(i)
    t0 = time.thread_time_ns()
    for i in range(start + 500, start + 500 + calls):
        fn(i)
    return (time.thread_time_ns() - t0) / calls / 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=20_000)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--before", default="41967d3")
    opts = ap.parse_args()
    before = _load_before(opts.before)
    sides = {"before": before, "now": now_stages}

    def rows(mod: ModuleType) -> dict[str, Callable[[int], object]]:
        stage = mod.Redact()
        redactor = stage._redactor
        out: dict[str, Callable[[int], object]] = {}
        for kind, make in _CLEAN.items():
            out[f"stage, clean {kind}, never seen"] = lambda i, m=make: stage(
                _event({"q": m(i), "limit": 100})
            )
        out["stage, clean path, repeating"] = lambda i: stage(
            _event({"q": _CLEAN["path"](i & 63), "limit": 100})
        )
        out["stage, secret in an argument"] = lambda i: stage(
            _event({"q": f"deploy {i} with {_SECRET}", "limit": 100})
        )
        out["redactor alone, clean path, never seen"] = lambda i: redactor.redact_value(
            {"q": _CLEAN["path"](i), "limit": 100}, {}
        )
        out["redactor alone, clean sql, never seen"] = lambda i: redactor.redact_value(
            {"q": _CLEAN["sql"](i), "limit": 100}, {}
        )
        return out

    fns = {side: rows(mod) for side, mod in sides.items()}
    best: dict[tuple[str, str], float] = {}
    base = 0
    for _ in range(opts.repeats):
        for name in fns["now"]:
            for side in sides:
                base += 10**7  # every repeat sees values never seen before
                t = _time(fns[side][name], opts.calls, base)
                best[side, name] = min(best.get((side, name), t), t)
    print(
        f"tooltrail redaction cost: before = {opts.before}, now = working tree; "
        f"{opts.calls} calls x {opts.repeats} alternating repeats, fastest repeat, us/call"
    )
    print(f"{'':<42} {'before':>8} {'now':>8} {'change':>8}")
    for name in fns["now"]:
        b, n = best["before", name], best["now", name]
        print(f"{name:<42} {b:>8.2f} {n:>8.2f} {n - b:>+8.2f}")
    clean = [n for n in fns["now"] if "clean" in n and n.startswith("stage")]
    worst = max(best["now", n] - best["before", n] for n in clean)
    print(f"largest change on clean arguments (stage): {worst:+.2f} us/call (target <= +1.00)")


if __name__ == "__main__":
    main()
