"""`tooltrail investigate ALERT_ID`: the alert's reason and features, the timeline of the events
it names and of its entity around the window (named ones marked), host and server events of one
call side by side, the integrity of the streams involved, the Grafana link."""

from __future__ import annotations

from pathlib import Path

import pandas as pd  # type: ignore[import-untyped]
import pytest
from typer.testing import CliRunner

from tests.detectors._events import insert_frame
from tooltrail.cli import app
from tooltrail.detectors.alert import Alert, EventRefs, FeatureEvidence
from tooltrail.detectors.alertstore import AlertStore
from tooltrail.pipeline.store import StoreConfig, open_store

pytestmark = pytest.mark.store

T0 = 1_793_577_600_000_000
MIN = 60_000_000


def _event(i: int, **over: object) -> dict[str, object]:
    base: dict[str, object] = {
        "event_id": f"ev-{i:04d}", "ts": T0 + i * MIN, "source_kind": "server",
        "source_name": "fs-server", "user": "u-07", "client": "cursor", "agent": "codex-1",
        "method": "tools/call", "tool": "read_file", "outcome": "ok", "duration_us": 900,
        "session_id": f"sess-{i // 10}", "trace_id": f"tr-{i:04d}", "result_bytes": 100 + i,
    }  # fmt: skip
    return {**base, **over}


@pytest.fixture
def store_with_alert(tmp_path: Path) -> tuple[Path, Alert]:
    rows = [_event(i) for i in range(40)]
    rows += [_event(i, user="u-99", session_id="other", trace_id=f"x-{i}") for i in range(40, 45)]
    # one call seen from both sides: the host's emitter and the server's
    rows.append(_event(20, event_id="host-20", source_kind="host", source_name="claude-desktop",
                       duration_us=1500))  # fmt: skip
    path = tmp_path / "store"
    alert = Alert(
        severity="high", detector="rule:bulk_read", entity_kind="user", entity="u-07",
        window_start=T0 + 18 * MIN, window_end=T0 + 22 * MIN, score=8.0,
        reason="u-07 read 40x more than usual", dedupe_key="rule:bulk_read|user|u-07",
        features=(FeatureEvidence("bytes_out", 5e6, 1e4, 4e4),),
        events=EventRefs(2, ("ev-0019", "ev-0021"), ("sess-1",), ("tr-0020",)),
        actor="u-07", link="http://grafana.example/d/tooltrail-investigate?var-entity=u-07",
    )  # fmt: skip
    with open_store(StoreConfig(path=str(path))) as store:
        store.migrate()
        insert_frame(store, pd.DataFrame(rows))
        store.record_findings(
            [{"stream_id": "server-fs-server", "seq": 3, "class": "modified", "detail": "x"}]
        )
        assert AlertStore(store).offer(alert) is not None
    return path, alert


def test_investigate_tells_the_alert_s_story(store_with_alert: tuple[Path, Alert]) -> None:
    path, alert = store_with_alert
    assert app is not None
    result = CliRunner().invoke(
        app, ["investigate", alert.id, "--store-path", str(path), "--around", "5m"],
        terminal_width=120,
    )  # fmt: skip
    out = result.output
    assert result.exit_code == 0, out
    assert "u-07 read 40x more than usual" in out
    assert "bytes_out" in out
    timeline = [ln for ln in out.splitlines() if "11-02" in ln and "read_file" in ln]
    assert sum(ln.lstrip().startswith("▶") for ln in timeline) == 2
    # u-07 in the window ± 5 min (minutes 13..26), sess-1 (10..19), the traced call's host side
    assert len(timeline) == len(range(10, 27)) + 1
    assert "u-99" not in out
    assert "both sides of each call" in out
    assert "claude-desktop ok 1500µs" in out
    assert "fs-server ok 900µs" in out
    assert "server-fs-server" in out
    assert "1 (modified)" in out
    assert "no checkpoint" in out
    assert "grafana: http://grafana.example/d/tooltrail-investigate" in out


def test_an_unknown_alert_is_one_line_and_exit_2(store_with_alert: tuple[Path, Alert]) -> None:
    path, _ = store_with_alert
    assert app is not None
    result = CliRunner().invoke(app, ["investigate", "nope", "--store-path", str(path)])
    assert result.exit_code == 2
    assert "nope" in result.output
