"""The stdio relay behind ``tooltrail wrap``: run an MCP server as a child, pass its traffic on.

Guarantee: every byte the host writes to our stdin reaches the child's stdin, and every byte the
child writes to its stdout reaches our stdout, unchanged and in order; the child's stderr *is*
our stderr (inherited, never read). Each direction is one thread doing ``read`` → ``write`` →
hand a copy to the recorder (``Recorder.stream``, which only queues it): nothing is parsed on
the forwarding path, and a recorder that fails or falls behind never holds a byte back.

Without a recorder, server → host is ``splice(2)`` where Linux allows (``zero_copy=False``
forces ``read`` → ``write``): the kernel moves the bytes from the child's pipe to our stdout,
they never enter Python (the relay alone: ~0.1 ms of CPU per MB against ~0.3, ``docs/wrap.md``).
A stdout the kernel refuses (``EINVAL``: a file opened for appending, say) switches that thread
to ``read`` → ``write`` before a byte has moved. While recording, the recorder needs the bytes
in this process anyway, and a ``tee(2)`` to it saved nothing measurable (``docs/wrap.md``).

Ending (POSIX):

- the child exits (normally, crashing, killed): its remaining output is passed on, our stdout is
  closed (the host reads EOF), unanswered calls are recorded as ``no_response``, and ``run``
  returns the child's status (negative: the signal that ended it; the CLI ends the same way);
- the host closes our stdin (disconnect): the child's stdin is closed, which is how an MCP stdio
  server is told to shut down; if it is still running ``exit_grace`` seconds later it gets
  SIGTERM, and SIGKILL after as long again (the MCP spec's shutdown sequence, done for a host
  that is gone). A host that stops reading our stdout is treated the same way; the child's
  output is then drained so it never blocks on a full pipe;
- SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 sent to us are passed to the child
  (which runs in its own process group, so a terminal's Ctrl-C reaches it once, through us).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import signal
import subprocess
import threading
from collections.abc import Sequence
from typing import Final

from ..errors import EmitterError
from ._exchange import CLIENT, SERVER
from ._pipes import widen_pipe
from ._recorder import Recorder, crossing_time
from ._worker import ProcessRecorder

__all__ = ["FORWARDED_SIGNALS", "RelayError", "run"]

log = logging.getLogger("tooltrail.emitter.relay")

FORWARDED_SIGNALS: Final = tuple(
    getattr(signal, name)
    for name in ("SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2")
    if hasattr(signal, name)
)
#: the relay's pipes and reads: 256 KiB, not a whole large result: a pipe that holds a megabyte
#: takes it in one write that its reader waits out, and the copies of server -> relay -> host run
#: one after another; a quarter of it lets them overlap (benchmarks/wrap.py: a stream of 1 MB
#: results 0.8-1.1x direct without the recorder, against 0.6-0.7x with 1 MiB pipes)
_CHUNK = 1 << 18
#: splice(2) (Linux); these errors mean "not between these descriptors": read/write instead
_SPLICE: Final = hasattr(os, "splice")
_REFUSED: Final = frozenset({errno.EINVAL, errno.ENOSYS, errno.EBADF, errno.ESPIPE})
_DRAIN_TIMEOUT = 2.0  # after the child exits: a grandchild may still hold its stdout open


class RelayError(EmitterError):
    """The server could not be started (the command is missing or not executable)."""


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class _Relay:
    __slots__ = ("_ended", "_host_gone", "grace", "proc", "recorder")

    def __init__(
        self,
        proc: subprocess.Popen[bytes],
        recorder: Recorder | ProcessRecorder | None,
        grace: float,
    ):
        self.proc = proc
        self.recorder = recorder
        self.grace = grace
        self._host_gone = threading.Event()
        self._ended = threading.Event()

    def upstream(self, child_in: int) -> None:
        """Host → server, until the host closes our stdin or the child stops reading."""
        record = self.recorder.stream if self.recorder is not None else None
        try:
            while chunk := os.read(0, _CHUNK):
                at = crossing_time()  # when it crossed
                _write_all(child_in, chunk)
                if record is not None:
                    record(CLIENT, chunk, at)
        except OSError as exc:  # our stdin unreadable, or the child's stdin closed (it exited)
            log.debug("tooltrail wrap: host → server ended: %r", exc)
        finally:
            with contextlib.suppress(OSError):
                os.close(child_in)
        self.host_gone()

    def downstream(self, child_out: int, out: int | None = 1) -> None:
        """Server → host, until the child's stdout ends; drained (not written) once the host
        stopped reading."""
        record = self.recorder.stream if self.recorder is not None else None
        try:
            while chunk := os.read(child_out, _CHUNK):
                at = crossing_time()
                if out is not None:
                    try:
                        _write_all(out, chunk)
                    except OSError as exc:  # the host closed its end
                        log.debug("tooltrail wrap: host stopped reading: %r", exc)
                        out = None
                        self.host_gone()
                if record is not None:
                    record(SERVER, chunk, at)
        except OSError as exc:
            log.debug("tooltrail wrap: server → host ended: %r", exc)

    def spliced(self, child_out: int) -> None:
        """Server → host by ``splice`` (no recorder: module docstring); :meth:`downstream`
        where the kernel refuses it, or drained once the host stopped reading."""
        try:
            while os.splice(child_out, 1, _CHUNK):
                pass
        except OSError as exc:
            refused = exc.errno in _REFUSED  # nothing moved: splice checks before it moves
            log.debug("tooltrail wrap: server → host by splice: %r", exc)
            if not refused:  # the host stopped reading (or our stdout broke)
                self.host_gone()
            self.downstream(child_out, 1 if refused else None)

    def host_gone(self) -> None:
        """Stop the child if it is still running after the grace (its stdin is closed by
        ``upstream`` when ours ends)."""
        if self._host_gone.is_set():
            return
        self._host_gone.set()
        if self.grace > 0:
            threading.Thread(target=self._stop_after_grace, daemon=True).start()

    def _stop_after_grace(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if self._ended.wait(self.grace):
                return
            log.info("tooltrail wrap: host gone, server still running: sending %s", sig.name)
            with contextlib.suppress(OSError):
                self.proc.send_signal(sig)

    def ended(self) -> None:
        self._ended.set()


def run(
    command: Sequence[str],
    recorder: Recorder | ProcessRecorder | None = None,
    *,
    exit_grace: float = 5.0,
    forward_signals: bool = True,
    zero_copy: bool = True,
) -> int:
    """Run ``command`` with its stdin/stdout relayed to ours; return its exit status.

    The status is ``Popen.returncode``: the exit code, or ``-N`` when signal N ended it.
    ``recorder`` (optional) receives a copy of both directions; it is closed before returning.
    Raises :class:`RelayError` when the command cannot be started. Call from the main thread
    when ``forward_signals`` (signal handlers can only be set there). ``zero_copy``: without
    a recorder, server → host by ``splice`` where the system has it (False: ``read``/``write``).
    """
    try:
        proc = subprocess.Popen(
            list(command),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
            process_group=0,
        )
    except OSError as exc:
        if recorder is not None:
            recorder.close()
        raise RelayError(f"cannot start {command[0]!r}: {exc.strerror or exc}") from exc
    assert proc.stdin is not None
    assert proc.stdout is not None
    relay = _Relay(proc, recorder, exit_grace)
    previous = {}
    if forward_signals:
        for sig in FORWARDED_SIGNALS:
            previous[sig] = signal.signal(sig, lambda s, _f: _forward(proc, s))
    # the pumps own the raw descriptors; the Popen file objects must not close them twice
    for fd in (proc.stdin.fileno(), proc.stdout.fileno(), 0, 1):
        widen_pipe(fd, _CHUNK)
    child_in = os.dup(proc.stdin.fileno())
    proc.stdin.close()
    up = threading.Thread(target=relay.upstream, args=(child_in,), daemon=True, name="wrap-up")
    pump = relay.spliced if zero_copy and recorder is None and _SPLICE else relay.downstream
    down = threading.Thread(
        target=pump, args=(proc.stdout.fileno(),), daemon=True, name="wrap-down"
    )
    up.start()
    down.start()
    try:
        status = proc.wait()
    finally:
        relay.ended()
        down.join(_DRAIN_TIMEOUT)
        _close_stdout()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if recorder is not None:
            recorder.close()
        proc.stdout.close()
    return status


def _forward(proc: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(OSError):
        proc.send_signal(sig)


def _close_stdout() -> None:
    """Our stdout's pipe closes (the host reads EOF); fd 1 then points at /dev/null."""
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)
