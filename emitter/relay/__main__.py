"""``python -m tooltrail.emitter.relay``: the recorder worker behind ``ProcessRecorder``
(``_worker.py``). Reads its frames from stdin into a ``Recorder``; at EOF closes it (unanswered
calls, the emitter's final checkpoint and shipping) and prints its stats as one JSON line. Its
stdin is its life: the signals that end a session (SIGTERM, SIGINT, SIGHUP) are ignored, and it
goes on when the relay is gone (then nobody reads its stdout). Not a user command.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import signal
import sys
from pathlib import Path
from typing import IO, Any

from ._malloc import keep_freed_memory
from ._recorder import _GAP, _MESSAGE, _SKIMMED, _SSE, _SSE_END, _STREAM, Recorder
from ._worker import FRAME, SECRETS, SESSION_SIGNALS

log = logging.getLogger("tooltrail.emitter.relay")


CLAIM = "relay.claim"
"""A worker holds this file of its spool locked for its whole life (beside the spool's own lock,
which its emitter takes a moment later): a second worker started at the same time sees it."""
_claims: list[int] = []


def free_spool(path: str) -> str:
    """``path``, or the first of ``path.2``, ``path.3``, ... that no other worker holds: a host
    that starts the same wrapped server twice gets two streams, not one recording and one silent
    (a spool is one process's). Falls back to ``path`` when none can be claimed."""
    base = Path(path)
    for n in range(1, 65):
        candidate = base if n == 1 else base.with_name(f"{base.name}.{n}")
        try:
            candidate.mkdir(parents=True, exist_ok=True)
            fd = os.open(candidate / CLAIM, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            return path
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        _claims.append(fd)  # held until the process ends
        if n > 1:
            log.warning("tooltrail: spool %s is in use, recording into %s", base, candidate)
        return str(candidate)
    return path


def _read_exact(src: IO[bytes], n: int) -> bytes | None:
    data = src.read(n)
    return data if data is not None and len(data) == n else None


def main() -> None:
    """The worker: read frames from stdin into a ``Recorder``; at EOF close it and print its
    stats as one JSON line."""
    for sig in SESSION_SIGNALS:  # blocked since its start (ProcessRecorder): ignored from now on
        signal.signal(sig, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, SESSION_SIGNALS)
    keep_freed_memory()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    config = json.loads(sys.argv[1])
    options: dict[str, Any] = config["emitter"]
    for key, name in SECRETS.items():
        if os.environ.get(name):
            options[key] = os.environ[name]
    if isinstance(options.get("fingerprint_key"), str):
        options["fingerprint_key"] = options["fingerprint_key"].encode()
    if isinstance(options.get("spool_dir"), str):
        options["spool_dir"] = free_spool(options["spool_dir"])

    from .._emitter import Emitter

    recorder = Recorder(lambda clock: Emitter(clock=clock, **options), **config["recorder"])
    src = sys.stdin.buffer
    while (head := _read_exact(src, FRAME.size)) is not None:
        kind, sender, key, ts_us, t_ns, slen, n = FRAME.unpack(head)
        sid = (_read_exact(src, slen) or b"").decode() or None if slen else None
        payload = _read_exact(src, n) if n else b""
        if payload is None:
            break
        at = (ts_us, t_ns)
        if kind == _STREAM:
            recorder.stream(sender, payload, at)
        elif kind == _MESSAGE:
            recorder.message(sender, payload, sid, at)
        elif kind == _SKIMMED:  # a large message's envelope; key: the message's size
            recorder.skimmed(sender, payload, key, sid, at)
        elif kind == _SSE:
            recorder.sse(("sse", key), payload, sid, at)
        elif kind == _SSE_END:
            recorder.sse_end(("sse", key))
        elif kind == _GAP:  # the relay dropped a copy (its backlog was full)
            ended, key = bool(key >> 62), key & ((1 << 62) - 1)
            recorder.lost(("sse", key) if key else sender, ended_line=ended)
    stats = recorder.close(float(config["recorder"].get("close_timeout", 2.0)) + 30.0)
    try:
        sys.stdout.write(json.dumps(stats) + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # the relay is gone (killed, or it ended first): nobody reads it
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


if __name__ == "__main__":
    main()
    logging.shutdown()
    sys.stderr.flush()
    os._exit(0)  # the spool is closed and synced: no interpreter teardown for the relay to wait out
