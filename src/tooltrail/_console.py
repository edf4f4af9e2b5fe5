"""The terminal: one-line errors (:func:`fail`) and tables that fit it (:func:`fitted_table`).

``fail`` is the one way a command reports a usage or environment error: ``error: ...`` on stderr
and exit 2 (exit 1 is for findings).

Tables fit the terminal: 80 columns when piped, as wide as the terminal otherwise.

A :class:`Column` says how much it matters (``keep``) and whether it may be cut. When the
table is too wide for the console, the least important columns are dropped first (never the
ones with ``keep=None``), then the flexible column (``flex``) is cut with an ellipsis; a value
marked ``whole`` (an id a command takes) is never cut. Headers are never wrapped.

Used by every command that prints a table (``alerts list``, ``keys list``, ``simulate``, ...);
only ``rich`` is imported, and only when a table is made.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import typer
    from rich.console import Console
    from rich.table import Table

__all__ = ["EXIT_USAGE", "Column", "fail", "fitted_table"]

#: the exit code of a usage or environment error, in every command
EXIT_USAGE = 2

_SEP = 3  # between two columns: padding, the (blank) divider of SIMPLE_HEAD, padding


def fail(message: str) -> typer.Exit:
    """Say ``error: message`` on stderr; the ``typer.Exit`` (code 2) to raise."""
    import typer

    typer.echo(f"error: {message}", err=True)
    return typer.Exit(EXIT_USAGE)


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    keep: int | None = 50  # higher stays longer; None: never dropped
    justify: Literal["left", "right"] = "left"
    whole: bool = False  # never cut the values (ids a command takes)
    flex: bool = False  # takes what is left; cut with an ellipsis (or wrapped: ``wrap``)
    wrap: bool = False  # a flexible column's text wraps onto more lines instead of being cut
    min_width: int = 8  # a flexible column's narrowest useful width


def _natural(column: Column, widths: Sequence[int]) -> int:
    return max([len(column.header), *widths])


def _needed(column: Column, widths: Sequence[int]) -> int:
    """The narrowest this column can be: whole values, full header, or the flex minimum."""
    natural = _natural(column, widths)
    if column.whole:
        return natural
    if column.flex:
        return min(natural, max(column.min_width, len(column.header)))
    return natural


def fitted_table(
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    *,
    title: str | None = None,
    console: Console | None = None,
) -> Table:
    """A rich Table of ``rows`` that fits ``console`` (default: a new Console's width)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    width = (console or Console()).width
    cells = [[str(row[i]) for row in rows] for i in range(len(columns))]
    widths = [[Text.from_markup(c).cell_len for c in col] for col in cells]  # markup is no width
    shown = list(range(len(columns)))

    def total(indexes: list[int]) -> int:
        return sum(_needed(columns[i], widths[i]) for i in indexes) + _SEP * (len(indexes) - 1)

    while total(shown) > width:
        droppable = [i for i in shown if columns[i].keep is not None]
        if not droppable:
            break
        least = min(droppable, key=lambda i: (columns[i].keep or 0, -i))
        shown.remove(least)
    fixed = sum(_needed(columns[i], widths[i]) for i in shown if not columns[i].flex)
    spare = width - fixed - _SEP * (len(shown) - 1)
    table = Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1),
        expand=False,
    )
    for i in shown:
        c = columns[i]
        size = _needed(c, widths[i])
        if c.flex:
            size = max(min(_natural(c, widths[i]), spare), size)
        table.add_column(
            c.header,
            justify=c.justify,
            no_wrap=not c.wrap,
            overflow="fold" if c.wrap else "ellipsis",
            width=size,
        )
    for r in range(len(rows)):
        table.add_row(*(cells[i][r] for i in shown))
    return table
