"""``tooltrail detect`` on a real chDB store holding simulated events: it prints and stores the
alerts of a range, a second run stores none, ``--json`` prints alerts as JSON lines,
``--send`` (and only ``--send``) posts them to the configured signed webhook; an empty store
or a missing one is said so."""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd  # type: ignore[import-untyped]
import pytest
import typer
from typer.testing import CliRunner

from tests.detectors._events import insert_frame
from tests.detectors._http import Receiver
from tooltrail.detectors.alert import SEVERITIES, Alert
from tooltrail.detectors.alertstore import AlertStore
from tooltrail.detectors.cli import register
from tooltrail.detectors.sinks import verify_signature
from tooltrail.pipeline.store import StoreConfig, open_store
from tooltrail.simulator import SimConfig, simulate, to_frame

pytestmark = [pytest.mark.store, pytest.mark.slow]

SIM = SimConfig(seed=3, users=4, days=3)
HOUR = 3600 * 1_000_000
SECRET = "cli-webhook-secret"
ENV = "TOOLTRAIL_DETECT_"
# the attack day's stolen key (a new client) and runaway agent loop
SINCE = SIM.attack_start_us + 10 * HOUR
UNTIL = SIM.attack_start_us + 12 * HOUR
MEDIUM = SEVERITIES.index("medium")  # the default min_severity of the sinks
_NEW = re.compile(r"(\d+) new alert\(s\) stored")


def _iso(us: int) -> str:
    return datetime.fromtimestamp(us / 1e6, UTC).isoformat().replace("+00:00", "Z")


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return to_frame(simulate(SIM))


@pytest.fixture
def app() -> typer.Typer:
    """A root with a callback, like tooltrail's, so that ``detect`` is a subcommand."""
    root = typer.Typer(callback=lambda: None)
    register(root)
    return root


@pytest.fixture(autouse=True)
def _settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Compact settings from the environment, models in the test's tmp dir (not the repo)."""
    for name in list(os.environ):
        if name.startswith(ENV):
            monkeypatch.delenv(name)
    monkeypatch.setenv(f"{ENV}MODEL_DIR", os.fspath(tmp_path / "models"))
    monkeypatch.setenv(f"{ENV}LEARNING_DAYS", "1")
    monkeypatch.setenv(f"{ENV}BASELINE_DAYS", "0.5")


def _store(path: Path, events: pd.DataFrame | None) -> Path:
    """A closed store at ``path`` holding ``events`` (the CLI opens it itself)."""
    with open_store(StoreConfig(path=os.fspath(path))) as store:
        store.migrate()
        if events is not None:
            insert_frame(store, events)
    return path


def _stored(path: Path) -> list[Alert]:
    with open_store(StoreConfig(path=os.fspath(path))) as store:
        return AlertStore(store).list(limit=100_000)


def _detect(app: typer.Typer, path: Path, *args: str) -> tuple[int, str, str]:
    runner = CliRunner(env={"COLUMNS": "250"})  # a wide terminal: rich cuts nothing
    result = runner.invoke(
        app,
        [
            "detect",
            "--since",
            _iso(SINCE),
            "--until",
            _iso(UNTIL),
            "--store-path",
            str(path),
            *args,
        ],
    )
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def _new(text: str) -> int:
    found = _NEW.findall(text)
    assert len(found) == 1, text
    return int(found[0])


def test_detect_prints_and_stores_the_alerts_and_a_second_run_stores_none(
    app: typer.Typer, events: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _store(tmp_path / "store", events)
    with Receiver() as receiver:  # configured, but without --send a replay pages nobody
        monkeypatch.setenv(f"{ENV}WEBHOOK_URL", receiver.url + "/alerts")
        monkeypatch.setenv(f"{ENV}WEBHOOK_SECRET", SECRET)
        code, out, err = _detect(app, path)
        assert code == 0, err
        stored = _stored(path)
        assert stored
        assert _new(out) == len(stored)  # an alert escalated within the run counts once
        for alert in stored:
            assert alert.id in out
            assert alert.entity in out
        assert {"rule:loop", "rule:new_client"} <= {a.detector for a in stored}

        code, out, err = _detect(app, path)
        assert code == 0, err
        assert _new(out) == 0
        assert f"{len(stored)} raised before (shown too)" in out
        for alert in stored:  # re-found: printed again, stored once
            assert alert.id in out
        assert {a.id for a in _stored(path)} == {a.id for a in stored}
        assert receiver.requests == []


def test_detect_json_prints_alerts_and_send_posts_them_signed(
    app: typer.Typer, events: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _store(tmp_path / "store", events)
    with Receiver() as receiver:
        monkeypatch.setenv(f"{ENV}WEBHOOK_URL", receiver.url + "/alerts")
        monkeypatch.setenv(f"{ENV}WEBHOOK_SECRET", SECRET)
        code, out, err = _detect(app, path, "--json", "--send")
        assert code == 0, err
        printed = [Alert.from_dict(json.loads(line)) for line in out.splitlines()]
        assert printed
        assert len({a.id for a in printed}) == len(printed)  # each alert once
        assert _new(err) == len(printed)  # the summary goes to stderr, stdout is JSON only
        assert {a.id for a in printed} == {a.id for a in _stored(path)}

        # the CLI closed its dispatcher before returning: every group of alerts of at least
        # medium severity was notified (once, again when it escalated); nothing below medium
        due = {a.group for a in printed if SEVERITIES.index(a.severity) >= MEDIUM}
        assert due
        sent = [Alert.from_dict(r.json()["alert"]) for r in receiver.requests]
        assert {a.group for a in sent} == due
        assert all(SEVERITIES.index(a.severity) >= MEDIUM for a in sent)
        assert len(sent) <= len(printed)
        for request in receiver.requests:
            verify_signature(
                SECRET.encode(),
                timestamp=request.headers.get("x-tooltrail-timestamp"),
                body=request.body,
                signature=request.headers.get("x-tooltrail-signature"),
            )


def test_detect_on_an_empty_store_says_it_holds_no_events(app: typer.Typer, tmp_path: Path) -> None:
    path = _store(tmp_path / "store", None)
    code, out, err = _detect(app, path)
    assert code == 0, err
    assert "the store holds no events" in out
    assert "new alert(s) stored" not in out
    assert _stored(path) == []


def test_detect_on_a_range_without_events_says_the_range_is_empty(
    app: typer.Typer, events: pd.DataFrame, tmp_path: Path
) -> None:
    path = _store(tmp_path / "store", events)
    runner = CliRunner(env={"COLUMNS": "250"})
    args = ["detect", "--since", "2001-01-01", "--until", "2001-01-02", "--store-path", str(path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "no stored events between 2001-01-01 00:00 and 2001-01-02 00:00" in result.output
    assert "the store holds" in result.output
    assert _stored(path) == []


def test_detect_without_a_store_fails_with_a_clear_message(
    app: typer.Typer, tmp_path: Path
) -> None:
    code, _, err = _detect(app, tmp_path / "nowhere")
    assert code == 2
    assert "no store at" in err
    assert "--store-path" in err
    assert not (tmp_path / "models").exists()
