"""Alerts printed to a terminal with rich: one panel per alert, coloured by severity."""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from tooltrail.detectors.alert import Alert
from tooltrail.detectors.errors import SinkError

from ._format import feature_line, number, title, window

__all__ = ["ConsoleSink"]

_COLOURS = {"low": "cyan", "medium": "yellow", "high": "red", "critical": "bold white on red"}
_FEATURES_SHOWN = 3


def _panel(alert: Alert) -> Panel:
    colour = _COLOURS.get(alert.severity, "magenta")
    body = Text()
    body.append(alert.reason or "(no reason given)")
    body.append(
        f"\n{window(alert.window_start, alert.window_end)} · score {number(alert.score)}"
        f" · {alert.events.count} events · seen {alert.count}×",
        style="dim",
    )
    for f in alert.features[:_FEATURES_SHOWN]:
        body.append(f"\n  {feature_line(f)}")
    if alert.link:
        body.append("\n")
        body.append(alert.link, style=f"link {alert.link}")
    body.append(f"\nalert {alert.id}", style="dim")
    return Panel(body, title=Text(title(alert), style=colour), border_style=colour, expand=False)


class ConsoleSink:
    """Prints each alert to ``console`` (default: a rich Console on stderr).

    Event-derived text is printed as plain text, never interpreted as rich markup.
    """

    def __init__(self, console: Console | None = None, *, name: str = "console") -> None:
        self.name = name
        self.console = console if console is not None else Console(stderr=True)

    def __repr__(self) -> str:
        return f"ConsoleSink(name={self.name!r})"

    def send(self, alert: Alert) -> None:
        """Print ``alert``; a closed or broken stream raises a final :class:`SinkError`."""
        try:
            self.console.print(_panel(alert))
        except (OSError, ValueError) as exc:  # ValueError: I/O operation on closed file
            raise SinkError(self.name, f"cannot print: {exc}") from exc
