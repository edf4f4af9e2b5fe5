"""``tooltrail wrap -- COMMAND...``: audit any stdio MCP server without changing it.

In the host's MCP configuration, put ``tooltrail wrap --`` in front of the server's command. The
server runs as our child; its JSON-RPC traffic passes through unchanged
(``tooltrail.emitter.relay``) and each call is recorded into a spool and shipped to the
collector when one is given. Nothing but the server's own bytes is ever written to stdout; our
log lines go to stderr with the server's. Exit status: the server's (or its signal).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["default_name", "wrap"]

_LAUNCHERS = frozenset(
    {"npx", "node", "uvx", "uv", "python", "python3", "pipx", "bunx", "bun", "deno", "docker"}
)
_NAME_CHARS = re.compile(r"[^A-Za-z0-9._:@-]+")


def default_name(command: list[str]) -> str:
    """A source name from a server's command: the package or script a launcher runs
    (``npx -y @modelcontextprotocol/server-filesystem /data`` → ``server-filesystem``), else
    the program's own name."""
    pick = command[0] if command else "mcp-server"
    if Path(pick).name in _LAUNCHERS or Path(pick).name.startswith("python"):
        args = command[1:]
        if "-m" in args and args.index("-m") + 1 < len(args):  # python -m package.module
            pick = args[args.index("-m") + 1]
        elif "-c" not in args:
            rest = [w for w in args if not w.startswith("-") and w not in ("run", "exec", "x")]
            pick = rest[0] if rest else pick
    name = Path(pick.rsplit("@", 1)[0] if pick.rfind("@") > 0 else pick).name
    name = _NAME_CHARS.sub("-", name.removesuffix(".py").removesuffix(".js")).strip("-._:@")
    return name[:64] or "mcp-server"


def _state_home() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "tooltrail" / "wrap"


def wrap(
    command: Annotated[list[str], typer.Argument(help="The MCP server's command, after --.")],
    name: Annotated[
        str | None,
        typer.Option(help="Source name of the events (default: from the command)."),
    ] = None,
    spool_dir: Annotated[
        Path | None,
        typer.Option(
            envvar="TOOLTRAIL_WRAP_SPOOL_DIR",
            help="The spool (default: $XDG_STATE_HOME/tooltrail/wrap/NAME).",
        ),
    ] = None,
    collector_url: Annotated[
        str | None,
        typer.Option(envvar="TOOLTRAIL_COLLECTOR_URL", help="Ship events to this collector."),
    ] = None,
    api_key: Annotated[
        str | None, typer.Option(envvar="TOOLTRAIL_API_KEY", help="The collector API key.")
    ] = None,
    method: Annotated[
        list[str] | None,
        typer.Option(help="Also record this request method (repeat; e.g. sampling/createMessage)."),
    ] = None,
    capture_args: Annotated[
        bool, typer.Option(help="Store the (redacted) arguments, not only their fingerprint.")
    ] = False,
    fingerprint_key: Annotated[
        str | None,
        typer.Option(envvar="TOOLTRAIL_FINGERPRINT_KEY", help="Argument fingerprint key."),
    ] = None,
    exit_grace: Annotated[
        float,
        typer.Option(min=0, help="After the host leaves: seconds before SIGTERM, then SIGKILL."),
    ] = 5.0,
    record: Annotated[bool, typer.Option(help="Record calls (--no-record: relay only).")] = True,
) -> None:
    """Run an MCP stdio server and audit its calls: tooltrail wrap [OPTIONS] -- COMMAND..."""
    from tooltrail._console import fail
    from tooltrail.emitter import Emitter
    from tooltrail.emitter.relay import DEFAULT_METHODS, Recorder, RelayError, run

    source = name or default_name(command)
    spool = spool_dir or _state_home() / source
    recorder = None
    if record:

        def make_emitter(clock: Callable[[], int]) -> Emitter:
            return Emitter(
                source_name=source,
                spool_dir=spool,
                collector_url=collector_url,
                api_key=api_key,
                capture_args=capture_args,
                fingerprint_key=fingerprint_key.encode() if fingerprint_key else None,
                clock=clock,
            )

        recorder = Recorder(
            make_emitter,
            relay="wrap",
            transport="stdio",
            methods=(*DEFAULT_METHODS, *(method or ())),
        )
    try:
        status = run(command, recorder, exit_grace=exit_grace)
    except RelayError as exc:
        raise fail(str(exc)) from exc
    _exit_like(status)


def _exit_like(status: int) -> None:
    """End as the child ended: its exit code, or killed by the same signal."""
    if status >= 0:
        raise typer.Exit(status)
    sys.stdout.flush()
    sys.stderr.flush()
    sig = -status
    with contextlib.suppress(OSError, ValueError):  # SIGKILL / SIGSTOP have no handler to reset
        signal.signal(sig, signal.SIG_DFL)
    with contextlib.suppress(OSError):
        os.kill(os.getpid(), sig)
    raise typer.Exit(128 + sig)
