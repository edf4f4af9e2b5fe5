"""``tooltrail alerts announce|announcements|withdraw`` on a real chDB store: the round trip, and
refused input named by its option (exit 2)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import typer

from tests.detectors.conftest import T0, build_alert
from tests.detectors.test_alerts_cli import _run
from tooltrail.detectors.alertstore import AlertStore
from tooltrail.pipeline.store import StoreConfig, open_store

pytestmark = pytest.mark.store


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """A closed, migrated store (the CLI opens it itself)."""
    where = tmp_path / "store"
    with open_store(StoreConfig(path=os.fspath(where))) as store:
        store.migrate()
    return where


def _announcements(app: typer.Typer, path: Path, *args: str) -> list[dict[str, object]]:
    code, out, err = _run(app, path, "announcements", "--json", *args)
    assert code == 0, err
    found: list[dict[str, object]] = json.loads(out)
    return found


ANNOUNCE = ("announce", "--actor", "u-17", "--actor", "u-18", "--from", "now", "--until", "+4h")


def test_announce_list_withdraw_round_trip(app: typer.Typer, path: Path) -> None:
    code, out, err = _run(
        app, path, *ANNOUNCE, "--reason", "PT-7 pentest", "--families", "models,destructive",
        "--by", "alice",
    )  # fmt: skip
    assert code == 0, err
    ann_id = out.strip()
    assert ann_id.startswith("ann-")
    (listed,) = _announcements(app, path)
    assert listed["id"] == ann_id
    assert listed["actors"] == ["u-17", "u-18"]
    assert listed["families"] == ["destructive", "models"]
    assert listed["by"] == "alice"
    start, end = listed["start_us"], listed["end_us"]
    assert isinstance(start, int)
    assert end == start + 4 * 3600 * 10**6
    code, table, _ = _run(app, path, "announcements")
    assert code == 0
    for text in (ann_id, "u-17, u-18", "PT-7 pentest", "alice", "active", "destructive, models"):
        assert text in table
    code, out, err = _run(app, path, "withdraw", ann_id, "--by", "bob")
    assert code == 0, err
    assert ann_id in out
    assert _announcements(app, path) == []  # no longer in force
    (kept,) = _announcements(app, path, "--all")
    assert kept["withdrawn_by"] == "bob"
    code, table, _ = _run(app, path, "announcements", "--all")
    assert "withdrawn" in table
    code, out, _ = _run(app, path, "list", "--json", "--severity", "low")
    records = [a for a in json.loads(out) if a["detector"] == "announcement"]
    assert sorted(a["entity"] for a in records) == ["u-17", "u-17", "u-18", "u-18"]
    code, _, err = _run(app, path, "withdraw", ann_id, "--by", "bob")
    assert code == 2
    assert "ID:" in err
    assert "already withdrawn" in err


@pytest.mark.parametrize(
    ("args", "option", "text"),
    [
        (("--families", "models,exfil"), "--families", "unknown 'exfil'"),
        (("--until", "tomorrow"), "--until", "ISO time"),
        (("--from", "+x"), "--from", "ISO time"),
        (("--until", "+73h"), "--until", "at most 72 h"),
        (("--until", "2h"), "--until", "after the start"),  # two hours ago
        (("--reason", " "), "--reason", "must not be empty"),
    ],
)
def test_refused_input_names_its_option(
    app: typer.Typer, path: Path, args: tuple[str, ...], option: str, text: str
) -> None:
    base = {"--from": "now", "--until": "+4h", "--reason": "CHG-1", "--families": "models"}
    for name, value in zip(args[::2], args[1::2], strict=True):
        base[name] = value
    flat = [x for kv in base.items() for x in kv]
    code, out, err = _run(app, path, "announce", "--actor", "u-17", *flat, "--by", "alice")
    assert code == 2
    assert f"error: {option}: " in err
    assert text in err
    assert out == ""
    with open_store(StoreConfig(path=os.fspath(path))) as store:
        alerts = AlertStore(store)
        assert alerts.calendar.all() == []  # nothing filed
        assert alerts.list(limit=10) == []


def test_announce_requires_actor_and_withdraw_requires_by(app: typer.Typer, path: Path) -> None:
    code, _, err = _run(app, path, "announce", "--from", "now", "--until", "+1h", "--reason", "x")
    assert code == 2
    assert "--actor" in err
    code, _, err = _run(app, path, "withdraw", "ann-000000000000")
    assert code == 2
    assert "--by" in err
    code, _, err = _run(app, path, "withdraw", "ann-000000000000", "--by", "bob")
    assert code == 2
    assert "no announcement 'ann-000000000000'" in err


def test_list_and_show_say_which_announcement_demoted_an_alert(
    app: typer.Typer, path: Path
) -> None:
    code, out, err = _run(app, path, *ANNOUNCE, "--reason", "CHG-9 migration", "--by", "alice")
    assert code == 0, err
    ann_id = out.strip()
    with open_store(StoreConfig(path=os.fspath(path))) as store:
        alerts = AlertStore(store)
        (ann,) = alerts.calendar.all()
        start = ann.created_us + 60 * 10**6
        demoted = alerts.offer(
            build_alert(severity="high", start_min=0, length_min=1, offset_us=start - T0)
        )
    assert demoted is not None
    code, table, _ = _run(app, path, "list")
    assert code == 0
    assert "low (was high)" in table
    code, shown, _ = _run(app, path, "show", demoted.id)
    assert code == 0
    assert f"{ann_id} (severity was high)" in shown
    assert "(announced: CHG-9 migration, by alice" in shown
