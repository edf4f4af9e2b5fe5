"""The ``tooltrail`` command. Configures logging; each stage contributes its sub-commands."""

from __future__ import annotations

import logging
import sys

try:
    import typer
except ImportError:  # pragma: no cover - only without the 'cli' extra
    typer = None  # type: ignore[assignment]

__all__ = ["app", "main"]


def _build() -> typer.Typer:
    app = typer.Typer(
        name="tooltrail",
        help="Tamper-evident audit logging and anomaly detection for MCP tool calls.",
        no_args_is_help=True,
        add_completion=False,
    )

    @app.callback()
    def _root(
        verbose: bool = typer.Option(False, "--verbose", "-v", help="Debug logging."),
    ) -> None:
        logging.basicConfig(
            level=logging.DEBUG if verbose else logging.INFO,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )

    @app.command()
    def version() -> None:
        """Print the version."""
        from tooltrail import __version__

        typer.echo(__version__)

    from .demo import demo

    app.command()(demo)

    try:
        from tooltrail.collector.cli import register
    except ImportError as exc:  # the collector extra is not installed
        logging.getLogger(__name__).debug("collector commands unavailable: %s", exc)
    else:
        register(app)
    return app


def main() -> None:
    if typer is None:
        sys.exit("the tooltrail command needs the 'cli' extra: pip install 'tooltrail[cli]'")
    _build()()


app = _build() if typer is not None else None
