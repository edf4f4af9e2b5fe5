"""``tooltrail alerts`` on a real chDB store: list, show, ack, false-positive, unknown ids."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tests.detectors.conftest import AlertFactory
from tooltrail.detectors.alert import Alert
from tooltrail.detectors.alertstore import AlertStore
from tooltrail.pipeline.store import StoreConfig, open_store

pytestmark = pytest.mark.store


@pytest.fixture
def stored(tmp_path: Path, make_alert: AlertFactory) -> tuple[Path, list[Alert]]:
    """A closed store with two alerts (the CLI opens it itself)."""
    path = tmp_path / "store"
    with open_store(StoreConfig(path=os.fspath(path))) as store:
        store.migrate()
        alerts = AlertStore(store)
        made = [
            alerts.offer(make_alert(entity="u-1", start_min=0, severity="high")),
            alerts.offer(make_alert(entity="u-2", start_min=60, severity="low")),
        ]
    return path, [a for a in made if a is not None]


def _run(app: typer.Typer, path: Path, *args: str) -> tuple[int, str, str]:
    runner = CliRunner(env={"COLUMNS": "250"})  # a wide terminal: rich cuts nothing
    result = runner.invoke(app, ["alerts", *args, "--store-path", os.fspath(path)])
    return result.exit_code, result.stdout, result.stderr


def _listed(app: typer.Typer, path: Path, *args: str) -> list[dict[str, object]]:
    code, out, err = _run(app, path, "list", "--json", *args)
    assert code == 0, err
    listed: list[dict[str, object]] = json.loads(out)
    return listed


def test_list_shows_the_alerts(app: typer.Typer, stored: tuple[Path, list[Alert]]) -> None:
    path, (high, low) = stored
    assert [d["id"] for d in _listed(app, path)] == [low.id, high.id]
    assert [d["id"] for d in _listed(app, path, "--severity", "high")] == [high.id]
    assert [d["id"] for d in _listed(app, path, "--limit", "1")] == [low.id]
    code, out, _ = _run(app, path, "list")
    assert code == 0
    for text in (high.id, low.id, "model:user", "u-1", "high", "many more calls", "window (UTC)"):
        assert text in out


def test_ack_and_false_positive_change_the_listed_status(
    app: typer.Typer, stored: tuple[Path, list[Alert]]
) -> None:
    path, (high, low) = stored
    code, out, err = _run(app, path, "ack", high.id, "--by", "ana")
    assert code == 0, err
    assert high.id in out
    code, out, err = _run(app, path, "false-positive", low.id, "--note", "load test")
    assert code == 0, err

    statuses = {d["id"]: d["status"] for d in _listed(app, path)}
    assert statuses == {high.id: "acked", low.id: "false_positive"}
    assert [d["id"] for d in _listed(app, path, "--status", "open")] == []
    assert [d["id"] for d in _listed(app, path, "--status", "false_positive")] == [low.id]

    code, out, _ = _run(app, path, "show", low.id, "--json")
    assert code == 0
    shown = json.loads(out)
    assert (shown["status"], shown["note"]) == ("false_positive", "load test")
    code, out, _ = _run(app, path, "show", high.id)
    assert code == 0
    for text in ("acked", "ana", "calls", "140", "e1, e2", "s1", "https://grafana.example"):
        assert text in out


@pytest.mark.parametrize("command", ["show", "ack", "false-positive"])
def test_an_unknown_id_is_one_clear_line(
    app: typer.Typer, stored: tuple[Path, list[Alert]], command: str
) -> None:
    path, _ = stored
    code, out, err = _run(app, path, command, "deadbeef")
    assert code == 2
    assert err.strip() == "error: no alert with id 'deadbeef'"
    assert "Traceback" not in out + err


def test_a_missing_store_or_a_bad_option_is_refused(app: typer.Typer, tmp_path: Path) -> None:
    code, _, err = _run(app, tmp_path / "nowhere", "list")
    assert code == 2
    assert "no store at" in err
    code, _, err = _run(app, tmp_path, "list", "--status", "closed")
    assert code == 2
    assert "must be one of open, acked, false_positive" in err
