"""Zero-copy forwarding (Linux): the server's bytes move to the host without entering Python.

``splice(2)`` moves bytes from one pipe to another descriptor inside the kernel (page references,
not copies); ``tee(2)`` duplicates a pipe's bytes into a second pipe without consuming them.
The relay's server → host thread (``stdio.py``) tees what the server wrote into the recorder's
side pipe, then splices exactly that many bytes to the host: Python never reads or writes them,
and the recorder's feeder reads its duplicate from the side pipe on its own thread.
``os.splice`` is in the standard library; ``tee`` is not, and is called from libc through
``ctypes`` (standard library too).

Failure behaviour: :func:`zero_copy` says False where either is missing (not Linux, a libc
without ``tee``); a descriptor the kernel refuses (stdout a terminal, say) fails with
``EINVAL`` and the caller falls back to ``read``/``write``. Nothing here retries or waits:
``tee`` is non-blocking, so a full side pipe is ``BlockingIOError`` at once.
"""

from __future__ import annotations

import ctypes
import errno
import os
from typing import Final

__all__ = ["REFUSED", "tee", "zero_copy"]

REFUSED: Final = frozenset({errno.EINVAL, errno.ENOSYS, errno.EBADF, errno.ESPIPE})
"""Errors that mean "these descriptors cannot be spliced": fall back to read/write."""
_NONBLOCK: Final = getattr(os, "SPLICE_F_NONBLOCK", 2)


def _libc_tee() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    if not hasattr(os, "splice"):
        return None
    try:
        fn = ctypes.CDLL(None, use_errno=True).tee
    except (OSError, AttributeError):
        return None
    fn.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_size_t, ctypes.c_uint)
    fn.restype = ctypes.c_ssize_t
    return fn


_TEE = _libc_tee()


def zero_copy() -> bool:
    """Whether this system has both ``splice`` and ``tee``."""
    return _TEE is not None


def tee(src: int, dst: int, count: int) -> int:
    """Duplicate up to ``count`` bytes of pipe ``src`` into pipe ``dst`` without consuming them,
    never waiting; how many (0: ``src`` is at its end). Raises ``BlockingIOError`` when ``dst``
    is full (or ``src`` empty), ``OSError`` otherwise."""
    assert _TEE is not None
    n: int = _TEE(src, dst, count, _NONBLOCK)  # ctypes releases the GIL for the call
    if n < 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))
    return n
