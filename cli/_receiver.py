"""A local webhook receiver for the demo: checks each alert's signature, then reports it."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["WebhookReceiver"]


class WebhookReceiver:
    """``ThreadingHTTPServer`` on 127.0.0.1 (a free port) that verifies ``X-Tooltrail-Signature``
    with ``secret`` and calls ``on_alert(alert_dict, verified)`` for each POST."""

    def __init__(self, secret: bytes, on_alert: Callable[[dict[str, Any], bool], None]) -> None:
        from tooltrail.detectors.sinks.webhook import (
            SIGNATURE_HEADER,
            TIMESTAMP_HEADER,
            BadSignature,
            verify_signature,
        )

        receiver = self
        self.received: list[dict[str, Any]] = []
        self.rejected = 0

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                try:
                    verify_signature(
                        secret,
                        timestamp=self.headers.get(TIMESTAMP_HEADER, ""),
                        body=body,
                        signature=self.headers.get(SIGNATURE_HEADER, ""),
                    )
                    ok = True
                except BadSignature:
                    ok = False
                    receiver.rejected += 1
                self.send_response(204 if ok else 401)
                self.end_headers()
                if ok:
                    alert = json.loads(body)["alert"]
                    receiver.received.append(alert)
                    on_alert(alert, ok)

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/tooltrail"

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
