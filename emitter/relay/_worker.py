"""The recorder in a process of its own: the relay's process only moves bytes.

Parsing a large result, the emitter's stages and its spool writes cost CPU under Python's GIL;
in the relay's process they would hold back the threads that forward. :class:`ProcessRecorder`
has :class:`~._recorder.Recorder`'s feeding interface (``stream``, ``message``, ``sse``,
``sse_end``, ``now``, ``close``) but only queues each copy, stamped with its crossing time; one
feeder thread writes the queue into a pipe to a child (``python -m tooltrail.emitter.relay``,
``__main__.py``), which runs a ``Recorder`` with the emitter it was configured with. The
feeder writes in batches (what queued in 2 ms), so it and the worker wake once per batch, and
while copies keep coming it polls rather than waits on the queue (a forwarding thread's copy
then wakes nobody); its writes release the GIL; a full pipe blocks the feeder, never a
forwarding thread (past ``max_backlog`` queued bytes, copies are dropped and counted, as in
``Recorder``). A large message (a stdio line or an HTTP body of 64 KiB or more) goes to the worker
as its JSON-RPC envelope and size, not its bytes (``_skim.py``): the same event, without moving
and reading a megabyte twice.

Failure behaviour: a worker that cannot start or dies leaves the relay running, unaudited, said
once on stderr. The worker runs in a process group of its own and ignores SIGTERM, SIGINT and
SIGHUP: a signal to the relay's group (a terminal's Ctrl-C, a host or gateway that stops its
server with SIGTERM, then SIGKILL, to the whole group) or to every process of a service (systemd)
ends the session, not the recording; the worker drains, signs and exits by itself at the end of
its pipe, whether or not the relay is still there. Secrets (the collector API key, the fingerprint
key) reach it through its environment, not its command line.

Ending (``close``): the relay hands the worker what it still holds and ends the pipe, then waits
for the worker to record it, end unanswered calls, sign, ship (for at most its ``flush_timeout``)
and exit: at most ``flush_timeout`` + :data:`END_MARGIN` seconds in all, whatever the worker is
doing (on a machine starved of CPU it may still be starting: a Python start, ~0.15 s of CPU, took
seconds there). A worker still at work then is left to finish on its own, never killed (that
would lose what it holds): what it was handed is in its pipe, which it reads to the end; an event
it recorded is in the spool already (``Spool.append``); it holds ``relay.claim`` until it exits.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Collection, Mapping
from typing import Any, Final

from ..mcpwire import DEFAULT_DENY_CODES
from ._pipes import widen_pipe
from ._recorder import (
    _GAP,
    _MESSAGE,
    _SKIMMED,
    _SSE,
    _SSE_END,
    _STREAM,
    DEFAULT_METHODS,
    crossing_time,
)
from ._skim import LineSkimmer, Piece, skim

__all__ = ["END_MARGIN", "FRAME", "SECRETS", "SESSION_SIGNALS", "ProcessRecorder"]

log = logging.getLogger("tooltrail.emitter.relay")

#: kind, sender, stream key, ts (µs), t (perf_counter ns), session length, payload length
FRAME: Final = struct.Struct("!BBqqqHI")
_ENV_API_KEY: Final = "TOOLTRAIL_RECORDER_API_KEY"
_ENV_FP_KEY: Final = "TOOLTRAIL_RECORDER_FINGERPRINT_KEY"
SECRETS: Final = {"api_key": _ENV_API_KEY, "fingerprint_key": _ENV_FP_KEY}
SESSION_SIGNALS: Final = frozenset({signal.SIGTERM, signal.SIGINT, signal.SIGHUP})
"""Signals that end a session; the worker ignores them (it ends at the end of its pipe)."""
#: seconds the relay's end waits for its worker beyond the worker's flush_timeout: to record the
#: last copies, end unanswered calls and sign (milliseconds unless the machine is starved)
END_MARGIN: Final = 2.0
_BATCH_WAIT: Final = 0.002  # seconds a burst may gather before the feeder writes it
_CHANNEL: Final = (1 << 62) - 1  # a frame key's SSE stream (0: a stdio sender), below its flag
_Copy = tuple[int, int, int, tuple[int, int], str | None, bytes]
"""A queued copy: kind, sender, key, crossing time, session, payload."""


class ProcessRecorder:
    """A :class:`Recorder` run in a child process (see the module docstring).

    ``emitter`` holds ``Emitter``'s keyword arguments (JSON values; ``fingerprint_key`` as
    text); the rest are ``Recorder``'s options; ``flush_timeout``: at the end, how long the
    emitter may take to ship what it holds (what it cannot ship stays in the spool).
    """

    def __init__(
        self,
        emitter: Mapping[str, Any],
        *,
        relay: str,
        transport: str,
        methods: Collection[str] = DEFAULT_METHODS,
        deny_codes: Collection[int] = DEFAULT_DENY_CODES,
        server_address: str | None = None,
        max_backlog: int = 64 * 2**20,
        flush_timeout: float = 5.0,
    ) -> None:
        config = {k: v for k, v in emitter.items() if k not in SECRETS and v is not None}
        env = dict(os.environ)
        for key, name in SECRETS.items():
            if emitter.get(key):
                env[name] = str(emitter[key])
        options = {
            "relay": relay,
            "transport": transport,
            "methods": list(methods),
            "deny_codes": list(deny_codes),
            "server_address": server_address,
            "close_timeout": flush_timeout,
        }
        self._max_backlog = max_backlog
        self._end_timeout = flush_timeout + END_MARGIN
        self._lock = threading.Lock()
        self._backlog = 0
        self._dropped = 0
        self._queue: queue.SimpleQueue[_Copy | None] = queue.SimpleQueue()
        self._skimmer = LineSkimmer()
        self._proc: subprocess.Popen[bytes] | None = None
        self._stats: dict[str, int] = {}
        self._ended = threading.Event()  # the worker's stdout ended: it has exited
        # the worker starts with the session's signals blocked and unblocks them once it ignores
        # them: one sent to every process (a service's stop) during its start cannot end it
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, SESSION_SIGNALS)
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "tooltrail.emitter.relay",
                 json.dumps({"emitter": config, "recorder": options})],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=env,
                close_fds=True,
                process_group=0,
            )  # fmt: skip
        except OSError as exc:
            log.error("tooltrail: cannot start the recorder, calls are not audited: %r", exc)
            self._ended.set()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        if self._proc is not None:
            assert self._proc.stdin is not None
            widen_pipe(self._proc.stdin.fileno())  # a large result crosses in one write
            out = threading.Thread(target=self._listen, name="tooltrail-worker-out", daemon=True)
            out.start()
        self._feeder = threading.Thread(target=self._feed, name="tooltrail-feeder", daemon=True)
        self._feeder.start()

    # -- the relay's side (hot path) -------------------------------------------------------

    now = staticmethod(crossing_time)

    def stream(self, sender: int, chunk: bytes, at: tuple[int, int] | None = None) -> None:
        self._put(_STREAM, sender, 0, chunk, at, None)

    def message(
        self,
        sender: int,
        body: bytes,
        session: str | None = None,
        at: tuple[int, int] | None = None,
    ) -> None:
        self._put(_MESSAGE, sender, 0, body, at, session)

    def sse(self, stream: object, chunk: bytes, session: str | None = None, at: Any = None) -> None:
        self._put(_SSE, 0, _key(stream), chunk, at, session)

    def sse_end(self, stream: object) -> None:
        self._put(_SSE_END, 0, _key(stream), b"", None, None)

    def _put(
        self,
        kind: int,
        sender: int,
        key: int,
        payload: bytes,
        at: tuple[int, int] | None,
        session: str | None,
    ) -> None:
        n = len(payload)
        with self._lock:  # what the feeder holds of an unfinished line counts too
            if self._backlog + self._skimmer.held_bytes + n > self._max_backlog:
                self._dropped += n  # dropped: the worker is told
                kind, key, payload, n = _GAP, int(payload.endswith(b"\n")) << 62 | key, b"", 0
            self._backlog += n
        self._queue.put((kind, sender, key, at or crossing_time(), session, payload))

    # -- the feeder thread -----------------------------------------------------------------

    def _feed(self) -> None:
        """Write the queued copies to the worker, in batches: it takes what queued in the last
        ``_BATCH_WAIT``, so the feeder and the worker wake once per batch, not once per message,
        beside the forwarding threads; while copies keep coming it polls (a copy queued while
        it sleeps costs its sender no wakeup), and blocks only once a wait brought nothing. A
        large message goes as its envelope (``_skim.py``)."""
        pipe = self._proc.stdin if self._proc is not None else None
        fd = pipe.fileno() if pipe is not None else -1
        done = False
        batch = [self._queue.get()]
        while not done:
            time.sleep(_BATCH_WAIT)
            try:
                while len(batch) < 4096:
                    batch.append(self._queue.get_nowait())
            except queue.Empty:
                pass
            if not batch:  # idle: wait for the next burst
                batch.append(self._queue.get())
                continue
            parts: list[bytes] = []
            taken = 0
            for item in batch:
                if item is None:
                    done = True
                    for sender, piece in self._skimmer.drain():  # unfinished last lines
                        parts += self._frames(_STREAM, sender, 0, None, [piece])
                    break
                taken += len(item[5])
                parts += self._framed(item)
            batch = []
            with self._lock:
                self._backlog -= taken
            if fd < 0 or not parts:
                continue
            try:
                _write_all(fd, parts)
            except OSError as exc:
                log.error("tooltrail: the recorder is gone, calls are no longer audited: %r", exc)
                fd = -1
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()

    def _framed(self, item: _Copy) -> list[bytes]:
        """One copy as the worker's frames (heads and payloads)."""
        kind, sender, key, at, session, payload = item
        if kind == _STREAM:
            pieces = self._skimmer.feed(sender, payload, at)
            return self._frames(kind, sender, key, session, pieces) if pieces else []
        if kind == _MESSAGE and (skimmed := skim(payload)) is not None:
            return self._frames(kind, sender, key, session, [(skimmed[0], at, skimmed[1])])
        if kind == _GAP and not key & _CHANNEL:  # a stdio stream lost a copy
            self._skimmer.lost(sender, ended_line=bool(key >> 62))
        return self._frames(kind, sender, key, session, [(payload, at, -1)])

    @staticmethod
    def _frames(
        kind: int, sender: int, key: int, session: str | None, pieces: list[Piece]
    ) -> list[bytes]:
        """Head and payload of each piece; a skimmed piece (its size >= 0) is a ``_SKIMMED``
        frame whose key is the message's size."""
        sid = session.encode()[:1024] if session else b""
        out: list[bytes] = []
        for payload, (ts_us, t_ns), size in pieces:
            kind_, key_ = (_SKIMMED, size) if size >= 0 else (kind, key)
            out += (FRAME.pack(kind_, sender, key_, ts_us, t_ns, len(sid), len(payload)) + sid,
                    payload)  # fmt: skip
        return out

    def _listen(self) -> None:
        """The worker's stdout: its stats (one JSON line) at the end, then EOF (it has exited,
        or is about to)."""
        proc = self._proc
        assert proc is not None
        assert proc.stdout is not None
        try:
            for line in proc.stdout:
                with contextlib.suppress(ValueError):
                    self._stats = json.loads(line)
        except OSError as exc:
            log.debug("tooltrail: the recorder's stdout: %r", exc)
        finally:
            self._ended.set()

    def close(self, timeout: float | None = None) -> dict[str, int]:
        """Hand the worker what is queued, end its pipe, and wait for it to finish recording
        and exit: at most ``timeout`` seconds (default ``flush_timeout`` + :data:`END_MARGIN`).
        A worker still at work then finishes on its own; it is never killed."""
        limit = self._end_timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        self._queue.put(None)
        self._feeder.join(limit)
        if self._feeder.is_alive():  # the worker does not read: what is still queued is lost
            with self._lock:
                self._dropped += self._backlog
            log.error("tooltrail: the recorder took no copies for %.1f s", limit)
        proc = self._proc
        if proc is None:
            pass
        elif self._ended.wait(max(0.0, deadline - time.monotonic())):
            with contextlib.suppress(subprocess.TimeoutExpired):  # reap it: it has ended
                proc.wait(max(0.1, deadline - time.monotonic()))
        else:
            log.warning("tooltrail: the recorder has not finished in %.1f s: it finishes on its "
                        "own (the spool is complete once it exits)", limit)  # fmt: skip
        if self._dropped:
            log.warning("tooltrail: %d bytes of relayed traffic were not audited", self._dropped)
        return self.stats()

    def stats(self) -> dict[str, int]:
        out = dict(self._stats)
        out["dropped_bytes"] = out.get("dropped_bytes", 0) + self._dropped
        return out


def _key(stream: object) -> int:
    """An SSE stream's key on the wire: 1 .. 2**62 - 1 (0 means "no stream")."""
    if isinstance(stream, tuple) and len(stream) == 2 and isinstance(stream[1], int):
        return stream[1] % ((1 << 62) - 1) + 1
    return hash(stream) % ((1 << 62) - 1) + 1


def _write_all(fd: int, chunks: list[bytes]) -> None:
    views = [memoryview(c) for c in chunks if c]
    while views:
        n = os.writev(fd, views[:512])  # IOV_MAX is 1024 on Linux
        while views and n >= len(views[0]):
            n -= len(views[0])
            views.pop(0)
        if views and n:
            views[0] = views[0][n:]
