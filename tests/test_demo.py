"""The README's main command works end to end: `tooltrail demo` (what `make run` runs), here with
``--serve``: it keeps its store, prints the commands to explore it, and stays up with the query
endpoint, through which `tooltrail investigate` shows each attack and `tooltrail events` reads."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tooltrail.simulator import ATTACK_SCENARIOS

TOOLTRAIL = [sys.executable, "-c", "from tooltrail.cli import main; main()"]


def _until(proc: subprocess.Popen[str], marker: str, timeout: float) -> str:
    """stdout up to and including the line holding ``marker``.

    A thread reads the lines: waiting on the descriptor (select/poll) misses lines already in
    the text wrapper's buffer, and select() fails past descriptor 1024 in a long session."""
    assert proc.stdout is not None
    stream = proc.stdout
    found: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in stream:
            found.put(line)
            if marker in line:
                return
        found.put(None)  # the process closed its output

    threading.Thread(target=read, daemon=True).start()
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = found.get(timeout=left)
        except queue.Empty:
            break
        if line is None:
            break
        lines.append(line)
        if marker in line:
            break
    return "".join(lines)


def _tooltrail(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TOOLTRAIL, *args], cwd=cwd, capture_output=True, text=True, timeout=120,
        env={**os.environ, "COLUMNS": "120"},
    )  # fmt: skip


@pytest.mark.store
@pytest.mark.slow
@pytest.mark.timeout(900)
def test_demo_catches_the_attacks_verifies_keeps_its_store_and_serves_it(tmp_path: Path) -> None:
    demo = subprocess.Popen(
        [*TOOLTRAIL, "demo", "--workdir", "demo", "--serve", "--query-port", "0"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "COLUMNS": "120", "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        out = _until(demo, "Ctrl-C stops.", 600)
        assert demo.poll() is None, out
        for scenario in ATTACK_SCENARIOS:  # the score table: every attack caught
            assert re.search(rf"{scenario}\s*│\s*u-\d+\s*│\s*yes", out), scenario
        assert re.search(r"\d+ alerts of severity ≥ medium; 0 on benign traffic", out)
        assert "signature verified" in out  # the local webhook received signed alerts
        assert re.search(
            r"local webhook receiver: [1-9]\d* signed alerts accepted, 0 rejected", out
        )
        assert "every stream proven" in out.replace("\n", " ")
        assert "intact" in out
        assert "modified at" in out.replace("\n", " ")
        assert "CRITICAL · rule:integrity" in out  # the tamper drill raised as an alert
        store = tmp_path / "demo" / "store"
        assert f"the demo's store is kept in {Path('demo') / 'store'}" in out
        investigate = re.findall(r"tooltrail investigate (\w+) --store-path \S+\s+# (\w+)", out)
        assert sorted(s for _, s in investigate) == sorted(ATTACK_SCENARIOS)
        assert re.search(r"serving the demo's store read-only at http://127\.0\.0\.1:\d+", out)
        for alert_id, scenario in investigate:  # through the running demo's endpoint
            shown = _tooltrail("investigate", alert_id, "--store-path", str(store), cwd=tmp_path)
            assert shown.returncode == 0, (scenario, shown.stdout, shown.stderr)
            assert "reading via http://127.0.0.1:" in shown.stderr
            assert re.search(r"timeline: [1-9]\d* event", shown.stdout), scenario
            assert "grafana: http://localhost:3000/d/tooltrail-investigate?" in shown.stdout
        victim = re.search(r"tooltrail events --store-path \S+ --user (u-\d+)", out)
        assert victim is not None
        events = _tooltrail("events", "--store-path", str(store), "--user", victim[1], cwd=tmp_path)
        assert events.returncode == 0, events.stderr
        assert victim[1] in events.stdout
        # the checklist report and the SIEM export, through the running demo's endpoint
        assert f"tooltrail report --checklist --store-path {Path('demo') / 'store'}" in out
        report = _tooltrail("report", "--checklist", "--store-path", str(store), cwd=tmp_path)
        assert report.returncode == 1, report.stderr  # the tamper drill's break is named
        assert re.search(r"[1-9]\d* events from 7 source\(s\)", report.stdout)
        assert "BROKEN: " in report.stdout
        assert "detectors last ran" in report.stdout
        export = _tooltrail(
            "export", "--format", "ecs", "--alerts", "--store-path", str(store), cwd=tmp_path
        )
        assert export.returncode == 0, export.stderr
        docs = [json.loads(line) for line in export.stdout.splitlines()]
        kinds = {d["event"]["kind"] for d in docs}
        assert kinds == {"event", "alert"}
        broken = [d for d in docs if d.get("tooltrail", {}).get("integrity", {}).get("event")
                  == "broken"]  # fmt: skip
        assert broken  # the rewritten denials carry their break to the SIEM
    finally:
        demo.send_signal(signal.SIGTERM)
        demo.wait(60)
    assert demo.returncode == 0
    assert store.is_dir()  # kept after the demo stops
    assert (tmp_path / "demo" / ".tooltrail-demo").exists()
