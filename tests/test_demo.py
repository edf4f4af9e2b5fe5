"""The README's main command works end to end: `tooltrail demo`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tooltrail.cli import app


@pytest.mark.store
def test_demo_stores_verifies_and_catches_the_tampered_row(tmp_path: Path) -> None:
    assert app is not None
    result = CliRunner().invoke(app, ["demo", "--calls", "4", "--workdir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "16 audited events in the store" in result.output  # 2 streams x (4 + 4 others)
    assert result.output.count("verified ") == 2
    assert "modified at" in result.output.replace("\n", " ")
    assert (tmp_path / "store").is_dir()
