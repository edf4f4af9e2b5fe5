"""Is an embedded (chDB) store open in another process?

chDB, like a ClickHouse server, takes an exclusive ``flock`` on ``<data dir>/status`` for as long
as it has the directory open, and a second process fails to open it with a low-level error.
:func:`store_in_use` asks the same lock without taking it (a non-blocking try, released at once),
so a command can say what is going on before it tries.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

__all__ = ["store_in_use"]


def store_in_use(path: str | os.PathLike[str]) -> bool:
    """True when another process holds the chDB store at ``path`` open (False when there is no
    store there yet, or nobody holds it)."""
    status = Path(path) / "status"
    try:
        fd = os.open(status, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)
