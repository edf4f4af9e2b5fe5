"""`tooltrail dashboards build` writes the four dashboards where provisioning loads them, and
`dashboards push` creates, then updates (never duplicates) the datasource, folder and
dashboards through Grafana's HTTP API — here a local server following that API."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tooltrail.cli import app
from tooltrail.dashboards import DASHBOARDS, build_all
from tooltrail.dashboards.query import DATASOURCE_TYPE, DATASOURCE_UID

from ._grafana import FakeGrafana

TOKEN = "glsa_test_token"
REPO = Path(__file__).resolve().parents[2]


def _push(grafana: FakeGrafana, *extra: str) -> tuple[int, str]:
    assert app is not None
    result = CliRunner().invoke(
        app,
        ["dashboards", "push", "--grafana-url", grafana.url, "--token", TOKEN,
         "--clickhouse-url", "http://store.internal:8123", "--clickhouse-password", "pw-12345678",
         *extra],
    )  # fmt: skip
    return result.exit_code, result.output


def test_a_second_push_updates_and_duplicates_nothing() -> None:
    with FakeGrafana(TOKEN) as grafana:
        code, out = _push(grafana)
        assert code == 0, out
        assert "created datasource tooltrail-clickhouse" in out
        assert out.count("created dashboard") == 4
        code, out = _push(grafana)
        assert code == 0, out
        assert "updated datasource tooltrail-clickhouse" in out
        assert out.count("updated dashboard") == 4
        assert "created" not in out
    assert list(grafana.datasources) == [DATASOURCE_UID]
    ds = grafana.datasources[DATASOURCE_UID]
    assert ds["type"] == DATASOURCE_TYPE
    assert ds["version"] == 2
    assert ds["jsonData"]["host"] == "store.internal"
    assert ds["jsonData"]["port"] == 8123
    assert ds["secureJsonData"] == {"password": "pw-12345678"}
    assert list(grafana.folders) == ["tooltrail"]
    assert sorted(grafana.dashboards) == sorted(d.uid for d in DASHBOARDS)
    for uid, saved in grafana.dashboards.items():
        assert saved["dashboard"]["version"] == 2
        assert saved["meta"]["folderUid"] == "tooltrail"
        assert saved["dashboard"]["panels"] == build_all()[uid]["panels"]


def test_a_refused_token_is_one_line_and_nothing_is_created() -> None:
    with FakeGrafana("another-token") as grafana:
        code, out = _push(grafana)
    assert code == 2
    assert "error: datasource tooltrail-clickhouse: Unauthorized" in out
    assert not grafana.datasources
    assert not grafana.dashboards


def test_build_writes_the_four_dashboards_provisioning_loads(tmp_path: Path) -> None:
    assert app is not None
    result = CliRunner().invoke(app, ["dashboards", "build", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = {p.stem: json.loads(p.read_text()) for p in tmp_path.glob("*.json")}
    assert written == build_all()
    assert set(written) == {
        "tooltrail-overview", "tooltrail-investigate", "tooltrail-integrity", "tooltrail-detectors"
    }  # fmt: skip
    for model in written.values():
        for panel in model["panels"]:
            for target in panel["targets"]:
                assert target["datasource"] == {"type": DATASOURCE_TYPE, "uid": DATASOURCE_UID}
                assert target["editorType"] == "sql"


def test_the_provisioned_files_are_the_built_ones() -> None:
    """The committed provisioning JSON (what compose mounts) is what `build` writes now."""
    folder = REPO / "dashboards" / "provisioning" / "dashboards" / "json"
    committed = {p.stem: json.loads(p.read_text()) for p in folder.glob("*.json")}
    assert committed == build_all(), "run: tooltrail dashboards build"
    datasource = (
        REPO / "dashboards" / "provisioning" / "datasources" / "tooltrail.yaml"
    ).read_text()
    assert f"uid: {DATASOURCE_UID}" in datasource
    assert f"type: {DATASOURCE_TYPE}" in datasource
