"""``tooltrail up`` in a child process, started as a user starts it, on a free port."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

from .tansu import free_port

__all__ = ["TOOLTRAIL", "running_up"]

#: the CLI as a child process runs it
TOOLTRAIL = [sys.executable, "-c", "from tooltrail.cli import main; main()"]


@contextlib.contextmanager
def running_up(
    cwd: Path, *args: str, env: Mapping[str, str] | None = None
) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """``tooltrail up --port P --no-detect --heartbeat 0 ARGS`` in ``cwd``, once it printed
    that its collector listens; (the process, P). Stopped with SIGTERM (killed if it hangs)."""
    port = free_port()
    proc = subprocess.Popen(
        [*TOOLTRAIL, "up", "--port", str(port), "--no-detect", "--heartbeat", "0", *args],
        cwd=cwd,
        env=None if env is None else dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("tooltrail up: collector"), first
        yield proc, port
    finally:
        proc.terminate()
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(30)
