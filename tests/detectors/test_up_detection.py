"""`tooltrail up`'s stack with detection: windows are scored as events arrive, alerts reach the
sinks, and the detectors' metrics are served beside the collector's."""

from __future__ import annotations

import time
import urllib.request
from pathlib import Path

import pytest

from tests.detectors._events import drive_through
from tooltrail.cli.up import Stack
from tooltrail.detectors.alert import Alert
from tooltrail.detectors.settings import DetectSettings
from tooltrail.simulator import SimConfig, simulate

pytestmark = [pytest.mark.store, pytest.mark.slow]


class _Collect:
    name = "collect"

    def __init__(self) -> None:
        self.alerts: list[Alert] = []

    def send(self, alert: Alert) -> None:
        self.alerts.append(alert)


def test_up_scores_while_traffic_arrives_and_serves_its_metrics(tmp_path: Path) -> None:
    sim = simulate(SimConfig(seed=5, users=4, days=2, scenarios=("privilege_probing",)))
    settings = DetectSettings(
        learning_days=0.5, baseline_days=1, lateness_seconds=3600, poll_seconds=0.1
    )
    sink = _Collect()
    keys_file = tmp_path / "keys.json"
    with Stack(
        store_path=tmp_path / "store",
        keys_file=keys_file,
        port=0,
        detect=True,
        detect_settings=settings,
        alert_sinks=[sink],
    ) as stack:
        stack.detection.idle_seconds = 0.5
        drive_through(stack, sim, tmp_path)
        end = sim.calls[-1].ts
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and (stack.detection.cursor or 0) < end:
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
    assert (tmp_path / "models" / "cursor.json").exists()  # beside the store, kept for a restart
