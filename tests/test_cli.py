"""The root command: ``--version`` and ``version`` print the installed version."""

from __future__ import annotations

from typer.testing import CliRunner

from tooltrail import __version__
from tooltrail.cli import app


def test_version_option_and_command() -> None:
    assert app is not None
    for args in (["--version"], ["version"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        assert result.output.strip() == f"tooltrail {__version__}"
