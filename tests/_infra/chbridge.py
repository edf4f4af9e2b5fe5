"""A small read/write ClickHouse-HTTP bridge over chDB, for tests of clickhouse-connect's HTTP path.

No ClickHouse server can be installed here, so the store's HTTP backend is exercised against this
bridge: a ``ThreadingHTTPServer`` on 127.0.0.1 that runs every request on one chDB connection
(serialized by a lock). It runs in a child process (:class:`ChBridge`), because chDB allows one
engine (data directory) per process and the tests' own chDB stores use other directories; the
child exits when its stdin closes, so it never outlives the test run.

What clickhouse-connect 1.12's HTTP client needs, and this serves:

- ``GET|POST /?query=…`` with the SQL in the URL, the body, or both (URL part first), or as a
  ``multipart/form-data`` field (the client switches to forms when bind parameters are long);
  ``param_<name>`` bind parameters; ``database``; every other URL parameter that is not transport
  (``query_id``, ``session_id``, ``compress``, ``wait_end_of_query``, …) is a setting, applied with
  ``SET`` for the one request and reset to ``DEFAULT`` after it; ``/ping``.
- request bodies with ``Content-Encoding`` lz4 / zstd (several frames back to back: all decoded),
  gzip, deflate; ``Transfer-Encoding: chunked`` (the client streams inserts).
- ``INSERT … FORMAT <fmt>`` followed by binary data (the statement in the URL or at the head of the
  body): the data is streamed into chDB with ``send_insert``; the response carries
  ``X-ClickHouse-Summary`` with ``written_rows``.
- results in whatever format the SQL names (the client appends ``FORMAT Native``; JSON for
  ``LIMIT 0`` probes), else ``default_format`` or TabSeparated; compressed (lz4, zstd, gzip,
  deflate: the first the client's ``Accept-Encoding`` names) unless it sends
  ``enable_http_compression=0``.
- headers ``X-ClickHouse-Format``, ``-Query-Id``, ``-Timezone``, ``-Summary``,
  ``-Server-Display-Name``; errors as HTTP 500 with ``X-ClickHouse-Exception-Code`` and
  ``Code: N. DB::Exception: …`` in the body.

Limits: no authentication (any user/password is accepted), no sessions (``SET`` and temporary
tables do not outlive a request), no external data, no progress headers, responses are not
streamed (a result is materialized, then sent), one query at a time; ``client_protocol_version``
is ignored (chDB's Native has no block-info header, so the client settles on protocol 0).
``POST /_bridge/direct`` runs SQL verbatim on the bridge's chDB session (TabSeparated), bypassing
the HTTP codec: tests count rows there to check that inserts through HTTP lost nothing.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import re
import select
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
import zlib
from collections.abc import Callable
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import lz4.frame

try:
    from compression import zstd  # type: ignore[import-not-found]  # Python 3.14+
except ImportError:
    from backports import zstd

__all__ = ["ChBridge"]

_TRANSPORT = frozenset(
    {
        "query", "database", "default_format", "user", "password", "quota_key", "query_id",
        "session_id", "session_timeout", "session_check", "compress", "decompress",
        "wait_end_of_query", "client_protocol_version", "buffer_size", "role",
        "send_progress_in_http_headers", "http_headers_progress_interval_ms",
        "enable_http_compression",
    }
)  # fmt: skip
_INSERT = re.compile(rb"\s*(INSERT\s.*?)\s+FORMAT\s+(\w+)[ \t]*\r?\n?", re.IGNORECASE | re.DOTALL)
_TRAILING_FORMAT = re.compile(r"\bFORMAT\s+(\w+)\s*;?\s*$", re.IGNORECASE)
_SETTING = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_COMPRESS: dict[str, Callable[[bytes], bytes]] = {
    "lz4": lz4.frame.compress,
    "zstd": zstd.compress,
    "gzip": gzip.compress,
    "deflate": zlib.compress,
}


def _frames(data: bytes, new: Callable[[], Any]) -> bytes:
    """Decode compressed frames written back to back (lz4 / zstd: one frame per block)."""
    out = []
    while data:
        decoder = new()
        out.append(decoder.decompress(data))
        if not decoder.eof:
            raise ValueError("truncated compressed frame")
        data = decoder.unused_data
    return b"".join(out)


_DECOMPRESS: dict[str, Callable[[bytes], bytes]] = {
    "lz4": lambda d: _frames(d, lz4.frame.LZ4FrameDecompressor),
    "zstd": lambda d: _frames(d, zstd.ZstdDecompressor),
    "gzip": gzip.decompress,  # multi-member aware
    "deflate": zlib.decompress,
}


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class _Engine:
    """The bridge's one chDB connection; every call holds the lock."""

    def __init__(self, path: str) -> None:
        import chdb

        self.conn = chdb.connect(path)
        self.lock = threading.Lock()
        self.tz = self.conn.query("SELECT timezone()", "TabSeparated").bytes().decode().strip()

    def run(
        self, sql: bytes, fmt: str, params: dict[str, str], database: str, settings: dict[str, str]
    ) -> tuple[bytes, dict[str, str]]:
        insert = _INSERT.match(sql)
        with self.lock:
            self.conn.query(f"USE `{database}`", "TabSeparated")
            applied = []
            try:
                for key, value in settings.items():
                    self.conn.query(f"SET {key} = {_quote(value)}", "TabSeparated")
                    applied.append(key)
                if insert is not None:  # the data follows the statement
                    with self.conn.send_insert(insert[1].decode(), insert[2].decode()) as ins:
                        ins.append(sql[insert.end() :])
                        res = ins.finish()
                    n, size = str(res.rows_written), str(res.bytes_written)
                    return b"", {"written_rows": n, "written_bytes": size, "result_rows": n}
                result = self.conn.query(sql.decode(), fmt, params=params)
                return result.bytes() or b"", {
                    "read_rows": str(result.rows_read()),
                    "read_bytes": str(result.bytes_read()),
                    "elapsed_ns": str(int(result.elapsed() * 1e9)),
                }
            finally:
                for key in applied:
                    self.conn.query(f"SET {key} = DEFAULT", "TabSeparated")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: every response carries Content-Length
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                parts.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline().strip():  # trailers
                pass
            body = b"".join(parts)
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        encoding = self.headers.get("Content-Encoding", "identity").strip().lower()
        return body if encoding == "identity" else _DECOMPRESS[encoding](body)

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        self._send(200, b"", {})

    def do_GET(self) -> None:
        self.do_POST()

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        try:
            body = self._body()
        except (ValueError, KeyError, OSError, RuntimeError) as exc:
            self._send(400, f"Code: 0. DB::Exception: bad request body: {exc}\n".encode(), {})
            return
        if url.path == "/ping":
            self._send(200, b"Ok.\n", {"Content-Type": "text/plain; charset=UTF-8"})
            return
        if url.path == "/_bridge/direct":  # no USE, no settings, no format handling
            try:
                with self.server.engine.lock:
                    out = self.server.engine.conn.query(body.decode(), "TabSeparated").bytes()
                self._send(200, out or b"", {})
            except Exception as exc:
                self._send(500, str(exc).encode(), {})
            return
        args = dict(parse_qsl(url.query, keep_blank_values=True))
        ctype = self.headers.get("Content-Type", "")
        if ctype.startswith("multipart/form-data"):
            head = f"Content-Type: {ctype}\r\n\r\n".encode()
            for part in BytesParser(policy=HTTP).parsebytes(head + body).iter_parts():
                payload = part.get_payload(decode=True)
                args[str(part.get_param("name", header="content-disposition"))] = payload.decode()
            body = b""
        query = args.get("query", "").encode()
        sql = query + b"\n" + body if query and body else query or body  # URL part first
        params = {k[6:]: v for k, v in args.items() if k.startswith("param_")}
        settings = {k: v for k, v in args.items() if k not in _TRANSPORT and k[:6] != "param_"}
        trailing = _TRAILING_FORMAT.search(sql[-200:].decode(errors="replace"))
        fmt = trailing[1] if trailing else args.get("default_format", "TabSeparated")
        headers = {
            "X-ClickHouse-Query-Id": args.get("query_id") or str(uuid.uuid4()),
            "X-ClickHouse-Timezone": self.server.engine.tz,
            "X-ClickHouse-Server-Display-Name": "chbridge",
        }
        try:
            if not all(_SETTING.match(k) for k in settings):
                raise ValueError(f"Code: 115. DB::Exception: Unknown setting in {sorted(settings)}")
            db = args.get("database") or "default"
            out, summary = self.server.engine.run(sql, fmt, params, db, settings)
        except Exception as exc:  # chDB raises its own error types; report them as ClickHouse does
            message = str(exc)
            code = re.search(r"Code: (\d+)", message)
            headers["X-ClickHouse-Exception-Code"] = code[1] if code else "0"
            self._send(500, (message.strip() + "\n").encode(), headers)
            return
        headers["X-ClickHouse-Summary"] = json.dumps(summary)
        if out:
            headers["X-ClickHouse-Format"] = fmt
            headers["Content-Type"] = "application/octet-stream"
        # compress as asked (our system.settings says enable_http_compression = 1, chDB's default)
        if args.get("enable_http_compression", "1") in ("1", "true") and out:
            accepted = [e.strip() for e in self.headers.get("Accept-Encoding", "").split(",")]
            method = next((e for e in accepted if e in _COMPRESS), None)
            if method is not None:
                out = _COMPRESS[method](out)
                headers["Content-Encoding"] = method
        self._send(200, out, headers)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    engine: _Engine


def _serve(path: str) -> None:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.engine = _Engine(path)
    print(server.server_address[1], flush=True)
    threading.Thread(
        target=lambda: (sys.stdin.buffer.read(), server.shutdown()), daemon=True
    ).start()
    server.serve_forever()
    server.server_close()
    server.engine.conn.close()


class ChBridge:
    """The bridge in a child process over the chDB data directory ``path``."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> ChBridge:
        proc = subprocess.Popen(
            [sys.executable, __file__, self.path],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            start_new_session=True,
        )
        self._proc = proc
        assert proc.stdout is not None
        deadline = time.monotonic() + timeout
        ready = select.poll()  # not select(): descriptors may be past 1024 in a long session
        ready.register(proc.stdout, select.POLLIN)
        while not ready.poll(100):
            if proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"chbridge did not start (exit code {proc.returncode})")
        self.port = int(proc.stdout.readline())
        return self

    def direct(self, sql: str) -> str:
        """Run ``sql`` on the bridge's own chDB session (no HTTP codec); TabSeparated text."""
        request = urllib.request.Request(f"{self.url}/_bridge/direct", data=sql.encode())
        with urllib.request.urlopen(request, timeout=30) as response:
            return str(response.read().decode())

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        with contextlib.suppress(OSError):
            assert proc.stdin is not None
            proc.stdin.close()  # the child shuts down on EOF
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()


if __name__ == "__main__":
    _serve(sys.argv[1])
