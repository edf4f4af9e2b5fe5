"""The emitter's micro-benchmark still runs against the emitter as it is: a few hundred calls of
every row, its figures printed (its numbers are not judged here, only that each row measured
and the shipper shipped what was recorded)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_emitter_benchmark_runs_every_row_and_ships_what_it_recorded() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "emitter.py"), "--calls", "300"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    rows = [line for line in out.stdout.splitlines() if re.search(r"\d+\.\d+\s+\d+\.\d+$", line)]
    assert any(r.startswith("unaudited call") for r in rows)
    assert sum(r.lstrip().startswith("stage:") for r in rows) == 5
    assert any(r.startswith("recorded call, shipper on") for r in rows)
    shipped = re.search(r"shipped: (\d+) records in (\d+) batches", out.stdout)
    assert shipped
    assert int(shipped[1]) >= 300
    assert int(shipped[2]) >= 1
