"""Is an embedded (chDB) store open in another process?

chDB, like a ClickHouse server, takes an exclusive ``flock`` on ``<data dir>/status`` for as long
as it has the directory open, and a second process fails to open it with a low-level error.
:func:`store_in_use` asks the same lock without taking it (a non-blocking try, released at once),
so a command can say what is going on before it tries. A store this process has open itself
does not count: chDB lets one process open its directory again.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections import Counter
from pathlib import Path

__all__ = ["opened", "store_in_use"]

_open_here: Counter[str] = Counter()  # chDB data directories this process holds open
_guard = threading.Lock()


def opened(path: str | os.PathLike[str], delta: int) -> int:
    """Count an open (+1) or a close (-1) of the chDB store at ``path`` by this process;
    returns how many opens are left (1 after the first open)."""
    key = os.path.realpath(path)
    with _guard:
        _open_here[key] += delta
        left = _open_here[key]
        if left <= 0:
            del _open_here[key]
        return left


def store_in_use(path: str | os.PathLike[str]) -> bool:
    """True when another process holds the chDB store at ``path`` open (False when there is no
    store there yet, or nobody holds it)."""
    with _guard:
        if _open_here.get(os.path.realpath(path), 0) > 0:
            return False
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
