"""Pipe capacity: let a pipe take more than Linux's 64 KiB per write (the recorder's pipe: a large
result whole, in one write; the relay's own pipes: 256 KiB, see ``stdio.py``). A descriptor that
is not a pipe, or a system that refuses, keeps its size: nothing here raises."""

from __future__ import annotations

import contextlib
import fcntl
from typing import Final

__all__ = ["PIPE_SIZE", "widen_pipe"]

PIPE_SIZE: Final = 1 << 20
_F_SETPIPE_SZ: Final = getattr(fcntl, "F_SETPIPE_SZ", 1031)  # Linux's value when not exported


def widen_pipe(fd: int, size: int = PIPE_SIZE) -> None:
    """Ask for a ``size``-byte pipe buffer on ``fd`` (``/proc/sys/fs/pipe-max-size`` caps it)."""
    with contextlib.suppress(OSError):
        fcntl.fcntl(fd, _F_SETPIPE_SZ, size)
