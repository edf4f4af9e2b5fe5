"""The ``tooltrail`` command. Configures logging; each stage contributes its sub-commands."""

from __future__ import annotations

import importlib
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

    def _print_version(value: bool) -> None:
        if value:
            from tooltrail import __version__

            typer.echo(f"tooltrail {__version__}")
            raise typer.Exit()

    @app.callback()
    def _root(
        verbose: bool = typer.Option(False, "--verbose", "-v", help="Debug logging."),
        version: bool = typer.Option(
            False,
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ) -> None:
        logging.basicConfig(
            level=logging.DEBUG if verbose else logging.INFO,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )

    @app.command()
    def version() -> None:
        """Print the version."""
        _print_version(True)

    from .demo import demo
    from .up import up

    app.command()(demo)
    app.command()(up)
    for module in (
        "tooltrail.collector.cli",
        "tooltrail.pipeline.cli",
        "tooltrail.pipeline.integrity.cli",
        "tooltrail.detectors.cli",
        "tooltrail.detectors.alerts_cli",
        "tooltrail.simulator.cli",
    ):
        try:
            register = importlib.import_module(module).register
        except ImportError as exc:  # that stage's extra is not installed
            logging.getLogger(__name__).debug("%s unavailable: %s", module, exc)
        else:
            register(app)
    return app


def main() -> None:
    if typer is None:
        sys.exit("the tooltrail command needs the 'cli' extra: pip install 'tooltrail[cli]'")
    _build()()


app = _build() if typer is not None else None
