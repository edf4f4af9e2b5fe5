"""`tooltrail report --checklist` on a demo deployment: the embedded stack (collector → chDB store,
digests, live detection) takes simulated traffic through the real emitter → collector path; the
live detection scores windows as the events arrive, its alerts reach the sinks and its metrics
are served beside the collector's; the report's numbers equal direct queries of the store; after
an intruder rewrites denials in the store, the report names the break (and exits 1). The
checklist items are the project's.

One deployment serves both the detection and the report checks: it is the costly part."""

from __future__ import annotations

import re
import time
import urllib.request
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.detectors._events import drive_through
from tooltrail.cli import app
from tooltrail.cli.up import Stack
from tooltrail.detectors.alert import Alert
from tooltrail.detectors.settings import DetectSettings
from tooltrail.report import ITEMS, build_report, checklist_facts, judge_all
from tooltrail.simulator import SimConfig, simulate


def _shared_checklist() -> Path | None:
    """``shared/CHECKLIST.md`` beside the checkout (as CI lays it) or above it."""
    here = Path(__file__).resolve().parents[1]
    for folder in (here, *here.parents):
        if (folder / "shared" / "CHECKLIST.md").is_file():
            return folder / "shared" / "CHECKLIST.md"
    return None


def test_the_items_are_the_checklist() -> None:
    assert len(ITEMS) == 28
    assert len({(i.section, i.name) for i in ITEMS}) == len(ITEMS)
    path = _shared_checklist()
    if path is None:  # a checkout without the shared folder: the embedded table stands alone
        return
    rows = [
        [c.strip() for c in line.strip("|").split("|")]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("| ") and not line.startswith("| section")
    ]
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        (i.section, i.name, i.prio, i.provides) for i in ITEMS
    ]


def _when(us: int) -> str:
    return datetime.fromtimestamp(us / 1e6, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _one(store: Any, sql: str) -> Any:
    return store.query_rows(sql.format(db=store.database))[0][0]


class _Collect:
    name = "collect"

    def __init__(self) -> None:
        self.alerts: list[Alert] = []

    def send(self, alert: Alert) -> None:
        self.alerts.append(alert)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag not in ("meta", "br"):
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open.pop() == tag

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.mark.store
@pytest.mark.slow
@pytest.mark.timeout(600)
def test_up_scores_while_traffic_arrives_and_its_report_shows_real_counts_and_a_tampered_store(
    tmp_path: Path,
) -> None:
    sim = simulate(SimConfig(seed=5, users=4, days=2, scenarios=("privilege_probing",)))
    settings = DetectSettings(
        learning_days=0.5, baseline_days=1, lateness_seconds=3600, poll_seconds=0.1
    )
    sink = _Collect()  # a sink of the stack's own: the report's facts read the environment's
    store_path, keys_file = tmp_path / "store", tmp_path / "keys.json"
    with Stack(
        store_path=store_path,
        keys_file=keys_file,
        port=0,
        detect=True,
        detect_settings=settings,
        alert_sinks=[sink],
        digest_key=tmp_path / "digest.key",
        digest_interval=0.2,
    ) as stack:
        stack.detection.idle_seconds = 0.5
        drive_through(stack, sim, tmp_path)
        end = sim.calls[-1].ts
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and (
            (stack.detection.cursor or 0) < end
            or not _one(stack.store, "SELECT count() FROM {db}.digests")
        ):
            time.sleep(0.2)
        assert (stack.detection.cursor or 0) >= end  # the live loop caught up by itself
        assert stack.detection.dispatcher.flush(30)
        victim = sim.incidents[0].user
        stored = stack.detection.alerts.list(limit=1000)
        assert any(a.detector == "rule:denial_burst" and a.actor == victim for a in stored)
        assert any(a.actor == victim for a in sink.alerts)  # its group was notified
        with urllib.request.urlopen(f"{stack.url}/metrics/detectors", timeout=10) as resp:
            body = resp.read().decode()
        assert 'tooltrail_alert_sink_sent_total{sink="collect"}' in body
        scored = [
            ln for ln in body.splitlines() if ln.startswith("tooltrail_detect_windows_scored")
        ]
        assert scored
        assert sum(float(ln.rsplit(" ", 1)[1]) for ln in scored) > 0

        store = stack.store
        models = tmp_path / "models"
        facts = checklist_facts(store, keys_file=keys_file, models_dir=models)
        text, broken = build_report(store, keys_file=keys_file, models_dir=models)
        assert not broken
        events = _one(store, "SELECT count() FROM {db}.events FINAL")
        streams = _one(store, "SELECT uniqExact(stream_id) FROM {db}.events FINAL")
        sources = _one(store, "SELECT uniqExact(source_name) FROM {db}.events FINAL")
        denied = _one(store, "SELECT countIf(outcome = 'denied') FROM {db}.events FINAL")
        alerts = _one(store, "SELECT count() FROM {db}.alerts FINAL")
        digests = _one(store, "SELECT count() FROM {db}.digests FINAL")
        signed = _one(store, "SELECT max(ts) FROM {db}.digests FINAL")
        assert events == len(sim.calls)  # every simulated call is stored once
        assert f"{events} events from {sources} source(s) in {streams} stream(s)" in text
        assert f"{streams} stream(s) verified ({events} events), 0 break(s)" in text
        assert (
            f"{digests} signed hourly digest(s), the last signed digest covering events through"
            f" {_when(signed)}"
        ) in text
        assert f"{denied} denied call(s) recorded (outcome=denied)" in text
        assert alerts > 0
        assert f"{alerts} alert(s) stored from" in text
        assert "detectors last ran" in text
        assert facts.detection_where == f"state file {models / 'cursor.json'}"
        assert facts.detection_cursor_us is not None
        assert facts.detection_cursor_us >= end - end % settings.step_us
        assert "no reconciliation data" in text or "reconciliation and tool-drift" in text
        assert len(facts.key_sources or []) == len({c.server for c in sim.calls})
        statuses = {item.name: ev.status for item, ev in judge_all(facts)}
        assert statuses["Detailed Logging"] == "held"
        assert statuses["Anomaly Detection"] == "held"
        # no sink configured in the environment (the stack's own is not the deployment's)
        assert statuses["Security Event Alerts (real-time)"] == "partial"
        assert statuses["Log Integrity"] == "held"

        # an intruder with database access hides the denials
        store.command(
            f"ALTER TABLE {store.database}.events UPDATE outcome = 'ok', error_type = ''"
            " WHERE outcome = 'denied' SETTINGS mutations_sync = 2"
        )
        tampered, broken = build_report(store, keys_file=keys_file, models_dir=models)
        assert broken
        found = re.search(r"BROKEN: (\d+) break\(s\) in (\d+) stream", tampered)
        assert found, tampered
        assert int(found[1]) >= 1
        assert "modified at" in tampered
        assert "0 denied call(s) recorded" in tampered
    assert (tmp_path / "models" / "cursor.json").exists()  # beside the store, kept for a restart
    # the command over the stopped stack's store: HTML, exit 1 for the break
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        app,
        ["report", "--checklist", "--html", "--output", str(out), "--store-path",
         str(store_path), "--collector-keys", str(keys_file)],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    page = out.read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(page)
    assert parser.open == []  # every element closed
    body = "".join(parser.text)
    assert "missing: BROKEN:" in body
    assert all(item.name in body for item in ITEMS)
