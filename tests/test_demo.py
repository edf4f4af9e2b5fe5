"""The README's main command works end to end: `tooltrail demo` (what `make run` runs)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tooltrail.cli import app
from tooltrail.simulator import ATTACK_SCENARIOS


@pytest.mark.store
@pytest.mark.slow
def test_demo_catches_the_attacks_verifies_and_catches_the_tampered_row(tmp_path: Path) -> None:
    assert app is not None
    result = CliRunner().invoke(app, ["demo", "--workdir", str(tmp_path)])
    out = result.output
    assert result.exit_code == 0, out
    for scenario in ATTACK_SCENARIOS:  # the score table: every attack caught
        assert re.search(rf"{scenario}\s*│\s*u-\d+\s*│\s*yes", out), scenario
    assert re.search(r"\d+ alerts of severity ≥ medium; 0 on benign traffic", out)
    assert "signature verified" in out  # the local webhook received signed alerts as they fired
    assert re.search(r"local webhook receiver: [1-9]\d* signed alerts accepted, 0 rejected", out)
    assert "every stream proven" in out.replace("\n", " ")
    assert "intact" in out
    assert "modified at" in out.replace("\n", " ")
    assert "CRITICAL · rule:integrity" in out  # the tamper drill raised as an alert
    assert (tmp_path / "store").is_dir()
