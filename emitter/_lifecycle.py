"""A final checkpoint on every clean exit: at interpreter exit, and on SIGTERM when asked.

Guarantees:

- every open :class:`~tooltrail.emitter.Emitter` is closed by an ``atexit`` hook (a signed
  checkpoint of its head goes into the spool, fsync'd, and is shipped within ``EXIT_TIMEOUT``);
  a process that returns from ``main``, calls ``sys.exit`` or ends on an uncaught exception
  leaves its last events signed;
- :func:`close_on_sigterm` makes SIGTERM (how a host stops a stdio server that does not exit on
  its own, and how process managers stop services) do the same before the process dies of it:
  the handler closes the open emitters from a helper thread (waiting at most ``EXIT_TIMEOUT``),
  then restores the default action and re-raises the signal, so the exit status still says
  "terminated by SIGTERM". It is installed only from the main thread and only over the default
  action: a handler someone else installed (uvicorn's, say) is left alone — such a program shuts
  down gracefully itself, and its shutdown (``audit_server``'s lifespan hook) and the ``atexit``
  hook do the rest.

A SIGKILL or a power cut leaves no final checkpoint; the spool still holds every recorded event,
and ``verify`` reports the tail beyond the last checkpoint as not vouched for.
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import threading
import time
import weakref
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from ._emitter import Emitter

__all__ = [
    "EXIT_TIMEOUT",
    "close_all",
    "close_on_sigterm",
    "register",
    "sign_when_idle",
    "unregister",
]

log = logging.getLogger(__name__)

#: seconds an exit (atexit or SIGTERM) waits for the final checkpoint to ship
EXIT_TIMEOUT: Final = 2.0

_live: weakref.WeakSet[Emitter] = weakref.WeakSet()
_guard = threading.Lock()
_sigterm_installed = False


def register(emitter: Emitter) -> None:
    """Close ``emitter`` at interpreter exit (and on SIGTERM once :func:`close_on_sigterm`)."""
    with _guard:
        _live.add(emitter)


def unregister(emitter: Emitter) -> None:
    with _guard:
        _live.discard(emitter)


def close_all(timeout: float = EXIT_TIMEOUT) -> None:
    """Close every open emitter: each writes its final checkpoint; shipping all of them waits at
    most ``timeout`` seconds in total (what is not shipped stays in the spools)."""
    with _guard:
        emitters = list(_live)
    deadline = time.monotonic() + timeout
    for emitter in emitters:
        emitter.close(max(0.0, deadline - time.monotonic()))


atexit.register(close_all)


def _on_sigterm(signum: int, frame: Any) -> None:
    # The main thread may hold an emitter's lock right now: close from another thread and wait
    # for it at most EXIT_TIMEOUT, then die of the signal as if no handler had been installed.
    closer = threading.Thread(target=close_all, name="tooltrail-sigterm", daemon=True)
    closer.start()
    closer.join(EXIT_TIMEOUT + 1.0)
    if closer.is_alive():
        log.error("tooltrail: SIGTERM: the final checkpoint was not written in time")
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)


def close_on_sigterm() -> bool:
    """Install the SIGTERM handler described above; True when it is (or already was) installed.

    Does nothing outside the main thread, where a handler cannot be set, or when SIGTERM already
    has a handler other than the default.
    """
    global _sigterm_installed
    if _sigterm_installed:
        return True
    if threading.current_thread() is not threading.main_thread():
        return False
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return False
    signal.signal(signal.SIGTERM, _on_sigterm)
    _sigterm_installed = True
    return True


def sign_when_idle(ref: weakref.ref[Emitter], closing: threading.Event, idle: float) -> None:
    """The idle-checkpoint thread; holds the emitter only weakly, so an emitter dropped without
    close() is still collected (and its spool released) as before."""
    while True:
        emitter = ref()
        if emitter is None:
            return
        wait = emitter._sign_if_idle(idle)
        del emitter
        if closing.wait(wait):
            return
