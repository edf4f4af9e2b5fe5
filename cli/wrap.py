"""``tooltrail wrap -- COMMAND...`` and ``tooltrail proxy --upstream URL``: audit any MCP server
without changing it.

``wrap``: in the host's MCP configuration, put ``tooltrail wrap --`` in front of a stdio server's
command. The server runs as our child; its JSON-RPC passes through unchanged
(``tooltrail.emitter.relay``) and each call is recorded into a spool, shipped to the collector
when one is given. Nothing but the server's own bytes is ever written to stdout; our log lines go
to stderr with the server's. Exit status: the server's (or its signal).

``proxy``: a streamable-HTTP reverse proxy in front of a remote server
(``tooltrail.emitter.mcp.proxy``); the host connects to the proxy's address with the upstream's
path. SIGTERM / Ctrl-C stop it; the emitter's last events are signed on the way out.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn
from urllib.parse import urlsplit

import typer

if TYPE_CHECKING:
    from tooltrail.emitter.relay import ProcessRecorder

__all__ = ["default_name", "proxy", "wrap"]

_LAUNCHERS = frozenset(
    {"npx", "node", "uvx", "uv", "python", "python3", "pipx", "bunx", "bun", "deno", "docker"}
)
_NAME_CHARS = re.compile(r"[^A-Za-z0-9._:@-]+")

# the recording options both commands take
Name = Annotated[
    str | None, typer.Option(help="Source name of the events (default: from the server).")
]
SpoolDir = Annotated[
    Path | None,
    typer.Option(
        envvar="TOOLTRAIL_WRAP_SPOOL_DIR",
        help="The spool (default: $XDG_STATE_HOME/tooltrail/wrap/NAME).",
    ),
]
CollectorUrl = Annotated[
    str | None,
    typer.Option(envvar="TOOLTRAIL_COLLECTOR_URL", help="Ship events to this collector."),
]
ApiKey = Annotated[
    str | None, typer.Option(envvar="TOOLTRAIL_API_KEY", help="The collector API key.")
]
Methods = Annotated[
    list[str] | None,
    typer.Option(
        "--method", help="Also record this request method (repeat; e.g. sampling/createMessage)."
    ),
]
CaptureArgs = Annotated[
    bool, typer.Option(help="Store the (redacted) arguments, not only their fingerprint.")
]
FingerprintKey = Annotated[
    str | None,
    typer.Option(envvar="TOOLTRAIL_FINGERPRINT_KEY", help="Argument fingerprint key."),
]
Record = Annotated[bool, typer.Option(help="Record calls (--no-record: relay only).")]
FlushTimeout = Annotated[
    float,
    typer.Option(min=0, help="At the end: seconds to ship what is spooled (the rest waits)."),
]


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
    return _clean(name.removesuffix(".py").removesuffix(".js"))


def _clean(name: str) -> str:
    return _NAME_CHARS.sub("-", name).strip("-._:@")[:64] or "mcp-server"


def _state_home() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "tooltrail" / "wrap"


def _recorder(
    source: str,
    *,
    relay: str,
    transport: str,
    spool_dir: Path | None,
    collector_url: str | None,
    api_key: str | None,
    methods: list[str] | None,
    capture_args: bool,
    fingerprint_key: str | None,
    flush_timeout: float,
    server_address: str | None = None,
) -> ProcessRecorder:
    """The recorder both commands use: in a process of its own (``relay._worker``)."""
    from tooltrail.emitter.relay import DEFAULT_METHODS, ProcessRecorder

    emitter = {
        "source_name": source,
        "spool_dir": str(spool_dir or _state_home() / source),
        "collector_url": collector_url,
        "api_key": api_key,
        "capture_args": capture_args,
        "fingerprint_key": fingerprint_key,
    }
    return ProcessRecorder(
        emitter,
        relay=relay,
        transport=transport,
        methods=(*DEFAULT_METHODS, *(methods or ())),
        server_address=server_address,
        flush_timeout=flush_timeout,
    )


def wrap(
    command: Annotated[list[str], typer.Argument(help="The MCP server's command, after --.")],
    name: Name = None,
    spool_dir: SpoolDir = None,
    collector_url: CollectorUrl = None,
    api_key: ApiKey = None,
    method: Methods = None,
    capture_args: CaptureArgs = False,
    fingerprint_key: FingerprintKey = None,
    exit_grace: Annotated[
        float,
        typer.Option(min=0, help="After the host leaves: seconds before SIGTERM, then SIGKILL."),
    ] = 5.0,
    record: Record = True,
    flush_timeout: FlushTimeout = 5.0,
    zero_copy: Annotated[
        bool,
        typer.Option(
            help="With --no-record: server → host by splice(2) where Linux allows "
            "(--no-zero-copy: read/write)."
        ),
    ] = True,
) -> None:
    """Run an MCP stdio server and audit its calls: tooltrail wrap [OPTIONS] -- COMMAND..."""
    from tooltrail._console import fail
    from tooltrail.emitter.relay import RelayError, keep_freed_memory, run

    keep_freed_memory()  # large results: ~1 ms of page faults per MB less
    recorder = None
    if record:
        recorder = _recorder(
            name or default_name(command),
            relay="wrap",
            transport="stdio",
            spool_dir=spool_dir,
            collector_url=collector_url,
            api_key=api_key,
            methods=method,
            capture_args=capture_args,
            fingerprint_key=fingerprint_key,
            flush_timeout=flush_timeout,
        )
    try:
        status = run(command, recorder, exit_grace=exit_grace, zero_copy=zero_copy)
    except RelayError as exc:
        raise fail(str(exc)) from exc
    _exit_like(status)


def proxy(
    upstream: Annotated[
        str, typer.Option(help="The MCP server's streamable-HTTP URL (http or https).")
    ],
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8765,
    name: Name = None,
    spool_dir: SpoolDir = None,
    collector_url: CollectorUrl = None,
    api_key: ApiKey = None,
    method: Methods = None,
    capture_args: CaptureArgs = False,
    fingerprint_key: FingerprintKey = None,
    record: Record = True,
    flush_timeout: FlushTimeout = 5.0,
) -> None:
    """Reverse-proxy a remote MCP server (streamable HTTP) and audit its calls."""
    import uvicorn

    from tooltrail._console import fail
    from tooltrail.emitter.mcp.proxy import ProxyApp
    from tooltrail.emitter.relay import keep_freed_memory

    parts = urlsplit(upstream)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise fail(f"--upstream: an http(s) URL is needed, not {upstream!r}")
    keep_freed_memory()
    recorder = None
    if record:
        recorder = _recorder(
            name or _clean(parts.hostname),
            relay="proxy",
            transport="streamable-http",
            spool_dir=spool_dir,
            collector_url=collector_url,
            api_key=api_key,
            methods=method,
            capture_args=capture_args,
            fingerprint_key=fingerprint_key,
            flush_timeout=flush_timeout,
            server_address=parts.netloc,
        )
    logging.getLogger("httpx2").setLevel(logging.WARNING)  # not a line per forwarded request
    app = ProxyApp(upstream, recorder)
    typer.echo(f"tooltrail proxy: http://{host}:{port}{parts.path} -> {upstream}", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", lifespan="on")


def _exit_like(status: int) -> NoReturn:
    """End as the child ended: its exit code, or killed by the same signal. At once: the relay
    and its recorder are done, and an interpreter's teardown (every module of the CLI) took
    0.5 s of a starved CPU on a loaded machine (docs/wrap.md, "Ending after a signal")."""
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    if status < 0:
        sig = -status
        with contextlib.suppress(OSError, ValueError):  # SIGKILL / SIGSTOP: no handler to reset
            signal.signal(sig, signal.SIG_DFL)
        with contextlib.suppress(OSError):
            os.kill(os.getpid(), sig)
        status = 128 + sig
    os._exit(status)
