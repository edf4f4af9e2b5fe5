"""A real local HTTP receiver for tests of anything that POSTs (alert sinks, webhooks).

``Receiver`` is a ``ThreadingHTTPServer`` on 127.0.0.1 (a free port) serving in a thread. It
records every request and answers from a script, one entry per request, then ``default``::

    with Receiver([500, (429, {"Retry-After": "1"}), Reply(200, body=b"ok")]) as rx:
        post_somewhere(rx.url + "/hook")
        assert rx.wait_for(3, timeout=5)
        rx.requests[0].json()

``hold=True`` makes every request wait (unanswered) until :meth:`Receiver.release` or the end
of the ``with`` block: a receiver that hangs, for isolation tests.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

__all__ = ["Received", "Receiver", "Reply"]


@dataclass(frozen=True)
class Reply:
    """One scripted answer."""

    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b"ok"


Script = int | tuple[int, Mapping[str, str]] | Reply


@dataclass(frozen=True)
class Received:
    """One recorded request. ``headers`` keys are lower-cased; ``at`` is time.monotonic()."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> Any:
        return json.loads(self.body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (timeout) before a held answer is not an error here."""


def _reply(entry: Script) -> Reply:
    if isinstance(entry, Reply):
        return entry
    if isinstance(entry, int):
        return Reply(entry)
    status, headers = entry
    return Reply(status, headers)


class Receiver:
    """Records requests and answers from ``script`` (then ``default``). See the module doc."""

    def __init__(
        self, script: Iterable[Script] = (), *, default: Script = 200, hold: bool = False
    ) -> None:
        self.requests: list[Received] = []
        self._script = [_reply(e) for e in script]
        self._default = _reply(default)
        self._cond = threading.Condition()
        self._released = threading.Event()
        if not hold:
            self._released.set()
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def release(self) -> None:
        """Let held requests (and every later one) be answered."""
        self._released.set()

    def wait_for(self, n: int, timeout: float = 5.0) -> bool:
        """True once ``n`` requests have arrived; False if ``timeout`` passes first."""
        with self._cond:
            return self._cond.wait_for(lambda: len(self.requests) >= n, timeout)

    def close(self) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> Receiver:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _record(self, handler: BaseHTTPRequestHandler) -> Reply:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        got = Received(
            handler.command,
            handler.path,
            {k.lower(): v for k, v in handler.headers.items()},
            body,
            time.monotonic(),
        )
        with self._cond:
            self.requests.append(got)
            reply = self._script.pop(0) if self._script else self._default
            self._cond.notify_all()
        return reply

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class _Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                reply = receiver._record(self)
                receiver._released.wait()
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            do_POST = do_GET = do_PUT = _answer

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet: the test asserts on the records

        return _Handler
