"""``python -m tooltrail.emitter.relay``: the recorder worker behind ``ProcessRecorder``
(``_worker.py``). Reads its frames from stdin into a ``Recorder``; at EOF closes it (unanswered
calls, the emitter's final checkpoint) and prints its stats as one JSON line. Not a user command.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
from typing import IO, Any

from ._recorder import _GAP, _MESSAGE, _SSE, _SSE_END, _STREAM, Recorder
from ._worker import FRAME, SECRETS


def _read_exact(src: IO[bytes], n: int) -> bytes | None:
    data = src.read(n)
    return data if data is not None and len(data) == n else None


def main() -> None:
    """The worker: read frames from stdin into a ``Recorder``; at EOF close it and print its
    stats as one JSON line."""
    for sig in (signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
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
        elif kind == _SSE:
            recorder.sse(("sse", key), payload, sid, at)
        elif kind == _SSE_END:
            recorder.sse_end(("sse", key))
        elif kind == _GAP:  # the relay dropped a copy (its backlog was full)
            ended, key = bool(key >> 62), key & ((1 << 62) - 1)
            recorder.lost(("sse", key) if key else sender, ended_line=ended)
    stats = recorder.close(float(config["recorder"].get("close_timeout", 2.0)) + 30.0)
    sys.stdout.write(json.dumps(stats) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
