"""Tables fit 80 columns when piped and grow with the terminal; ids are never cut, headers never
wrapped; the least important columns go first. Checked on the helper and on real commands."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from tooltrail._console import Column, fitted_table
from tooltrail.cli import app
from tooltrail.collector.auth import KeyStore

COLUMNS = [
    Column("id", keep=None, whole=True),
    Column("severity", keep=None),
    Column("detector", keep=60),
    Column("window (UTC)", keep=40),
    Column("score", keep=10, justify="right"),
    Column("reason", keep=None, flex=True, wrap=True, min_width=16),
]
ROWS = [
    [
        f"al_{n:017x}",
        "[red]critical[/]",
        "rule:sensitive_first_use",
        "2026-11-09 14:00 – 14:10",
        "12.5",
        "first use of a sensitive tool by this user: " + "x" * 80,
    ]
    for n in range(3)
]


def _render(width: int) -> list[str]:
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=False)
    console.print(fitted_table(COLUMNS, ROWS, title="3 alert(s)", console=console))
    return out.getvalue().splitlines()


@pytest.mark.parametrize("width", [60, 80, 100])
def test_fits_the_width_and_never_cuts_ids_or_headers(width: int) -> None:
    lines = _render(width)
    assert all(len(line) <= width for line in lines), "\n".join(lines)
    header = next(line for line in lines if line.lstrip().startswith("id"))
    for row in ROWS:
        assert any(row[0] in line for line in lines)  # the id whole
    for column in COLUMNS:
        if column.header in header:
            assert f" {column.header} " in f" {header} "  # never wrapped letter by letter
    assert "severity" in header
    assert "reason" in header


def test_least_important_columns_go_first_and_all_come_back_when_wide() -> None:
    narrow = next(line for line in _render(80) if line.lstrip().startswith("id"))
    assert "score" not in narrow  # keep=10: the first to go
    wide = next(line for line in _render(240) if line.lstrip().startswith("id"))
    for column in COLUMNS:
        assert column.header in wide


def test_keys_list_at_80_columns_shows_whole_ids_and_dates(tmp_path: Path) -> None:
    assert app is not None
    keys_file = tmp_path / "keys.json"
    store = KeyStore(keys_file)
    made = [
        store.create(f"server-with-a-long-name-{n}", label="made by a test")[0] for n in range(3)
    ]
    for width in (80, 160):
        result = CliRunner().invoke(
            app, ["keys", "list", "--keys-file", str(keys_file)], env={"COLUMNS": str(width)}
        )
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert all(len(line) <= width for line in lines), result.output
        for key in made:
            assert key.key_id in result.output
            assert key.created.replace("T", " ")[:16] in result.output  # the date is not cut
