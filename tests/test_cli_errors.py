"""What a new user meets when something is off: missing extras listed with the extra to
install, one line (and exit 2) for expected failures, ``up`` refusing a second instance on the
same store or a taken port in one line, stopping cleanly on SIGTERM, and working with the
collector's production environment set."""

from __future__ import annotations

import importlib
import os
import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from typer.testing import CliRunner

from tests._infra.up import TOOLTRAIL
from tests._infra.up import running_up as up_process
from tooltrail.cli import STAGES, _build


def _without(*modules: str):  # type: ignore[no-untyped-def]
    def import_module(name: str) -> ModuleType:
        if name in modules:
            raise ModuleNotFoundError(f"No module named 'fastapi' (needed by {name})")
        return importlib.import_module(name)

    return import_module


def test_commands_of_a_missing_extra_are_listed_with_the_extra_to_install() -> None:
    app = _build(_without("tooltrail.collector.cli"))
    runner = CliRunner()
    listing = runner.invoke(app, ["--help"], env={"COLUMNS": "120"})
    (names, extra) = next((n, e) for m, e, n in STAGES if m == "tooltrail.collector.cli")
    for name in names:
        assert name in listing.output
    assert f"pip install 'tooltrail[{extra}]'" in listing.output
    result = runner.invoke(app, ["keys", "list"])
    assert result.exit_code == 2
    assert f"'tooltrail keys' needs the '{extra}' extra" in result.output
    assert "fastapi" in result.output  # and why


def _run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TOOLTRAIL, *args],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_unexpected_error_is_one_line_and_exit_2_and_v_shows_the_traceback(
    tmp_path: Path,
) -> None:
    bad = {"TOOLTRAIL_COLLECTOR_RATE_BURST_EVENTS": "0"}
    result = _run(["up", "--port", "0", "--no-detect"], tmp_path, **bad)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: invalid Settings: rate_burst_events:"), result.stderr
    assert "Traceback" not in result.stderr
    verbose = _run(["-v", "up", "--port", "0", "--no-detect"], tmp_path, **bad)
    assert verbose.returncode != 0
    assert "ValidationError" in verbose.stderr


@pytest.fixture
def running_up(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    env = {**os.environ, "TOOLTRAIL_COLLECTOR_ENVIRONMENT": "production"}
    with up_process(tmp_path, env=env) as running:  # production env: still up
        yield running


@pytest.mark.store
@pytest.mark.slow
def test_up_refuses_a_second_instance_and_a_taken_port_in_one_line_and_stops_on_sigterm(
    running_up: tuple[subprocess.Popen[str], int], tmp_path: Path
) -> None:
    proc, port = running_up
    second = _run(["up", "--port", "0", "--no-detect"], tmp_path)
    assert second.returncode == 2
    assert second.stderr.startswith("error: the store .tooltrail/store is open in another")
    assert len(second.stderr.strip().splitlines()) == 1
    taken = _run(["up", "--port", str(port), "--store-path", "other", "--no-detect"], tmp_path)
    assert taken.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in taken.stderr
    assert len(taken.stderr.strip().splitlines()) == 1
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert out.strip().splitlines()[-1].startswith("tooltrail up: stopped (0 event(s) accepted")


def test_simulate_without_a_collector_says_so_in_one_line_at_once(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket is closed
    result = _run(
        ["simulate", "--days", "1", "--users", "1", "--collector-url", f"http://127.0.0.1:{port}"],
        tmp_path,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: no collector answers at http://127.0.0.1:{port}")
    assert "tooltrail up" in result.stderr
    assert not (tmp_path / "sim-labels.json").exists()  # nothing was simulated or written
