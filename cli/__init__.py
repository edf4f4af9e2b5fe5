"""``tooltrail.cli``: the ``tooltrail`` command. Configures logging; each stage contributes its
sub-commands (``up``, ``demo``, ``wrap`` and ``proxy`` live here: ``up.py``, ``demo.py``,
``wrap.py``).

A stage whose extra is not installed still lists its commands, each saying which extra to
install. An expected failure ends in one line on stderr (``error: ...``) and exit code 2; the
traceback is shown only with ``-v``.
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Callable
from types import ModuleType

try:
    import typer
except ImportError:  # pragma: no cover - only without the 'cli' extra
    typer = None  # type: ignore[assignment]

__all__ = ["STAGES", "app", "main"]

#: (module that registers the commands, the extra it needs, the commands it registers)
STAGES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("tooltrail.collector.cli", "collector", ("collector", "topics", "keys")),
    ("tooltrail.pipeline.cli", "pipeline", ("pipeline",)),
    ("tooltrail.pipeline.integrity.cli", "embedded", ("verify", "digests")),
    ("tooltrail.pipeline.events_cli", "embedded", ("events",)),
    ("tooltrail.detectors.cli", "detectors", ("detect", "detectors")),
    ("tooltrail.detectors.alerts_cli", "detectors", ("alerts",)),
    ("tooltrail.detectors.investigate_cli", "detectors", ("investigate",)),
    ("tooltrail.simulator.cli", "all", ("simulate",)),
    ("tooltrail.dashboards.cli", "dashboards", ("dashboards",)),
    ("tooltrail.export.cli", "embedded", ("export",)),
    ("tooltrail.report.cli", "detectors", ("report",)),
)


def _missing(name: str, extra: str, reason: str) -> Callable[[], None]:
    def command() -> None:
        typer.echo(
            f"error: 'tooltrail {name}' needs the '{extra}' extra: "
            f"pip install 'tooltrail[{extra}]' ({reason})",
            err=True,
        )
        raise typer.Exit(2)

    command.__doc__ = f"(not installed) pip install 'tooltrail\\[{extra}]'"
    return command


def _build(
    import_module: Callable[[str], ModuleType] = importlib.import_module, *, light: bool = False
) -> typer.Typer:
    """The app; ``light``: only the commands of this package (``tooltrail wrap`` / ``proxy``
    stand in for an MCP server a host starts: they do not wait for every stage's imports)."""
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
        verbose: bool = typer.Option(
            False, "--verbose", "-v", help="Debug logging; tracebacks on errors."
        ),
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

    from .wrap import proxy, wrap

    app.command(context_settings={"allow_interspersed_args": False})(wrap)
    app.command()(proxy)
    if light:
        return app
    from .demo import demo
    from .up import up

    app.command()(demo)
    app.command()(up)
    for module, extra, names in STAGES:
        try:
            register = import_module(module).register
        except ImportError as exc:  # that stage's extra is not installed
            logging.getLogger(__name__).debug("%s unavailable: %s", module, exc)
            for name in names:
                app.command(
                    name,
                    add_help_option=False,
                    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
                )(_missing(name, extra, str(exc)))
        else:
            register(app)
    return app


def _verbose(argv: list[str]) -> bool:
    return any(a in ("-v", "--verbose") for a in argv)


def _one_line(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    title = getattr(exc, "title", None)
    if callable(errors) and isinstance(title, str):  # pydantic's ValidationError: every field
        parts = []
        for err in errors():
            field = ".".join(str(p) for p in err.get("loc", ())) or "value"
            parts.append(f"{field}: {err.get('msg', 'invalid')}")
        return f"invalid {title}: " + "; ".join(parts)
    first = (str(exc).strip().splitlines() or [""])[0]
    return first or type(exc).__name__


def main() -> None:
    if typer is None:
        sys.exit("the tooltrail command needs the 'cli' extra: pip install 'tooltrail[cli]'")
    try:
        _build(light=sys.argv[1:2] in (["wrap"], ["proxy"]))()
    except Exception as exc:  # usage errors and Exit are handled by click; this is the rest
        if _verbose(sys.argv[1:]):
            raise
        what = _one_line(exc)
        if isinstance(exc, ImportError):
            what = f"{what} (a missing extra? pip install 'tooltrail[all]')"
        typer.echo(f"error: {what}\n(tooltrail -v ... shows the traceback)", err=True)
        sys.exit(2)


_app: list[typer.Typer] = []


def __getattr__(name: str) -> typer.Typer:
    """``app`` is built on first use: ``main`` builds only what the command line needs."""
    if name == "app" and typer is not None:
        if not _app:
            _app.append(_build())
        return _app[0]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
