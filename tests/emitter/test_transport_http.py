"""HttpTransport against a real HTTP server on 127.0.0.1 (ThreadingHTTPServer in a thread)."""

from __future__ import annotations

import email.utils
import gzip
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tooltrail.emitter.errors import TransportError
from tooltrail.emitter.shipper import Shipper
from tooltrail.emitter.spool import Spool
from tooltrail.emitter.transport import HttpTransport, Response, parse_retry_after


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Collector:
    """Scripted answers: (status, headers, body, delay); 200 once the script is used up."""

    url: str
    script: list[tuple[int, dict[str, str], bytes, float]] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def collector() -> Iterator[Collector]:
    state: Collector

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with state.lock:
                state.seen.append(Seen("POST", self.path, dict(self.headers.items()), body))
                status, headers, answer, delay = (
                    state.script.pop(0) if state.script else (200, {}, b'{"ok":true}', 0.0)
                )
            if delay:
                time.sleep(delay)
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state = Collector(f"http://127.0.0.1:{server.server_address[1]}/v1/events")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join(10)


def test_post_is_gzipped_and_authenticated(collector: Collector) -> None:
    transport = HttpTransport(collector.url, api_key="k-123", timeout=10)
    payload = json.dumps([{"n": 1}, {"n": 2}]).encode()
    resp = transport.send(gzip.compress(payload), {"X-Batch": "7"})
    assert resp == Response(200, None, b'{"ok":true}')
    (seen,) = collector.seen
    assert (seen.method, seen.path) == ("POST", "/v1/events")
    assert seen.headers["Authorization"] == "Bearer k-123"
    assert seen.headers["Content-Encoding"] == "gzip"
    assert seen.headers["Content-Type"] == "application/json"
    assert seen.headers["X-Batch"] == "7"
    assert json.loads(gzip.decompress(seen.body)) == [{"n": 1}, {"n": 2}]
    transport.close()


def test_error_statuses_are_responses_with_retry_after(collector: Collector) -> None:
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    collector.script += [
        (503, {"Retry-After": "7"}, b"busy", 0.0),
        (429, {"Retry-After": later}, b"", 0.0),
        (400, {}, b'{"error":"bad event"}', 0.0),
    ]
    transport = HttpTransport(collector.url, timeout=10)
    assert transport.send(b"x", {}) == Response(503, 7.0, b"busy")
    limited = transport.send(b"x", {})
    assert limited.status == 429
    assert limited.retry_after is not None
    assert 20 <= limited.retry_after <= 31
    assert transport.send(b"x", {}) == Response(400, None, b'{"error":"bad event"}')
    assert "Authorization" not in collector.seen[0].headers  # no api_key given


def test_redirects_are_not_followed(collector: Collector) -> None:
    collector.script.append((307, {"Location": "/elsewhere"}, b"", 0.0))
    resp = HttpTransport(collector.url, timeout=10).send(b"x", {})
    assert resp.status == 307
    assert len(collector.seen) == 1


def test_connection_refused_raises_transport_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    transport = HttpTransport(f"http://127.0.0.1:{port}/v1/events", timeout=10)
    with pytest.raises(TransportError, match=r"127\.0\.0\.1"):
        transport.send(b"x", {})


def test_timeout_raises_transport_error(collector: Collector) -> None:
    collector.script.append((200, {}, b"", 3.0))
    transport = HttpTransport(collector.url, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(TransportError):
        transport.send(b"x", {})
    assert time.monotonic() - started < 2.5


def test_rejects_non_http_urls() -> None:
    with pytest.raises(ValueError, match="http"):
        HttpTransport("file:///etc/passwd")
    with pytest.raises(ValueError, match="http"):
        HttpTransport("localhost:8080")


def test_parse_retry_after() -> None:
    assert parse_retry_after(None) is None
    assert parse_retry_after("  ") is None
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after("nan") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0


def test_shipper_over_http_survives_a_503(collector: Collector, tmp_path: Path) -> None:
    collector.script.append((503, {"Retry-After": "0.2"}, b"", 0.0))
    with Spool(tmp_path / "spool") as spool:
        for i in range(120):
            spool.append(json.dumps({"n": i}).encode())
        transport = HttpTransport(collector.url, api_key="k", timeout=10)
        shipper = Shipper(
            spool,
            transport,
            lambda records: b"[" + b",".join(records) + b"]",
            batch_max_records=50,
            flush_interval=0.05,
        )
        shipper.start()
        assert shipper.flush(60)
        shipper.close(10)
    bodies = [json.loads(gzip.decompress(s.body)) for s in collector.seen]
    assert len(bodies) == 4  # the first batch twice (503, then 200), then two more
    assert bodies[0] == bodies[1]
    assert [e["n"] for b in bodies[1:] for e in b] == list(range(120))
