"""A read-only, password-protected ClickHouse-HTTP endpoint over a chDB store held by this process.

chDB opens a data directory from one process only, so while ``tooltrail up`` holds the store,
everything else — the CLI's read commands, Grafana's ClickHouse plugin, ``clickhouse-connect``,
``curl`` — reads it through this endpoint. It speaks the part of ClickHouse's HTTP interface
those clients use: ``GET|POST /?query=…`` (SQL in the URL, the body or a multipart form),
``param_<name>`` bind parameters, ``database``, ``default_format`` or a trailing ``FORMAT``,
compressed answers when ``enable_http_compression=1`` (lz4, zstd, gzip, deflate), ``/ping``,
and errors as ``Code: N. DB::Exception: …`` with ``X-ClickHouse-Exception-Code``.

Guarantees:

- **Authentication**: every query needs the user and password (HTTP Basic, the
  ``X-ClickHouse-User`` / ``X-ClickHouse-Key`` headers, or ``user`` / ``password`` parameters);
  a wrong or missing one is HTTP 401 with code 516, compared in constant time.
- **Read-only, twice**: the SQL must pass :func:`~._sqlgate.check_query` (one read statement, no
  file / URL / remote / program functions, no ``INTO OUTFILE``, no ``SETTINGS``), and the
  endpoint's own chDB session runs with ``readonly = 2``, so the engine refuses writes, DDL and
  ``SYSTEM`` too. Refusals are HTTP 403 with code 164 and a message naming the rule.
- **Bounded**: ``max_execution_time``, ``max_result_rows`` and ``max_result_bytes`` (throw, not
  truncate) hold for every query; a client may ask for less, never for more. Requests bodies
  over 1 MiB are refused. Queries run one at a time on the endpoint's session, beside (not
  blocking) the store's own writers.

The running endpoint is advertised in a file beside the store (``_endpoint.endpoint_file``, mode
0600: it holds the password) that ``_endpoint.find_endpoint`` reads, and removed on stop.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hmac
import json
import logging
import os
import re
import socket
import threading
import uuid
import zlib
from collections.abc import Callable
from dataclasses import asdict
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qsl, urlsplit

from ..errors import StoreUnavailable
from ._endpoint import Endpoint, endpoint_file, find_endpoint, served_config
from ._sqlgate import QueryRefused, blocked, check_query
from .schema import check_database_name

__all__ = [
    "Endpoint",
    "QueryRefused",
    "QueryServer",
    "endpoint_file",
    "find_endpoint",
    "served_config",
]

log = logging.getLogger(__name__)

_MAX_BODY: Final = 1 << 20
#: URL parameters that are transport, not settings
_TRANSPORT: Final = frozenset(
    {
        "query", "database", "default_format", "user", "password", "quota_key", "query_id",
        "session_id", "session_timeout", "session_check", "compress", "decompress",
        "wait_end_of_query", "client_protocol_version", "buffer_size", "role",
        "send_progress_in_http_headers", "http_headers_progress_interval_ms",
        "enable_http_compression", "http_zlib_compression_level",
    }
)  # fmt: skip
#: settings a client may lower but never raise
_LIMITS: Final = ("max_execution_time", "max_result_rows", "max_result_bytes")
#: settings that would lift the endpoint's bounds: refused (``readonly`` is ignored: it holds)
_PROTECTED: Final = frozenset(
    {
        "result_overflow_mode", "timeout_overflow_mode", "max_memory_usage",
        "max_memory_usage_for_user", "max_threads", "max_concurrent_queries_for_user",
        "allow_introspection_functions", "max_bytes_before_external_group_by",
    }
)  # fmt: skip
_TRAILING_FORMAT: Final = re.compile(r"\bFORMAT\s+(\w+)\s*;?\s*\Z", re.IGNORECASE)
_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _compressors() -> dict[str, Callable[[bytes], bytes]]:
    out: dict[str, Callable[[bytes], bytes]] = {"gzip": gzip.compress, "deflate": zlib.compress}
    with contextlib.suppress(ImportError):  # both come with clickhouse-connect
        import lz4.frame  # type: ignore[import-untyped]  # no stubs
        import zstandard

        out["lz4"] = lz4.frame.compress
        out["zstd"] = zstandard.ZstdCompressor().compress
    return out


def _lz4_frames(data: bytes) -> bytes:
    """lz4 frames written back to back (clickhouse-connect compresses each block), bounded."""
    import lz4.frame

    out: list[bytes] = []
    total = 0
    while data:
        decoder = lz4.frame.LZ4FrameDecompressor()
        chunk = decoder.decompress(data, max_length=_MAX_BODY + 1 - total)
        total += len(chunk)
        if total > _MAX_BODY or not decoder.eof:
            raise QueryRefused(f"request body over {_MAX_BODY} bytes", code=0, status=413)
        out.append(chunk)
        data = decoder.unused_data
    return b"".join(out)


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class _Session:
    """The endpoint's own chDB connection to the store (same engine, its own session)."""

    def __init__(self, path: Path, database: str, limits: dict[str, int]) -> None:
        import chdb  # comes with clickhouse-connect[chdb]

        self.conn = chdb.connect(os.path.realpath(path))  # type: ignore[no-untyped-call]  # the spelling the Store's client uses
        self.lock = threading.Lock()
        self.database = database
        self.limits = limits
        self._run("SET result_overflow_mode = 'throw'")
        for key, value in limits.items():
            self._run(f"SET {key} = {int(value)}")
        self._run("SET readonly = 2")  # last: from here on the engine refuses writes and DDL
        self.tz = self._run("SELECT timezone()").strip()
        names = self._run("SELECT name FROM system.table_functions").split()
        self.refused = blocked(names)

    def _run(self, sql: str) -> str:
        return bytes(self.conn.query(sql, "TabSeparated").bytes() or b"").decode()

    def query(
        self, sql: str, fmt: str, params: dict[str, str], database: str, settings: dict[str, str]
    ) -> tuple[bytes, dict[str, str]]:
        check_query(sql, self.refused)
        with self.lock:
            self.conn.query(f"USE `{database}`", "TabSeparated")
            applied: list[str] = []
            try:
                for key, value in settings.items():
                    self.conn.query(f"SET {key} = {_quote(value)}", "TabSeparated")
                    applied.append(key)
                result = self.conn.query(sql, fmt, params=params)
                return bytes(result.bytes() or b""), {
                    "read_rows": str(result.rows_read()),
                    "read_bytes": str(result.bytes_read()),
                    "elapsed_ns": str(int(result.elapsed() * 1e9)),
                }
            finally:
                for key in applied:
                    value = str(self.limits[key]) if key in self.limits else "DEFAULT"
                    self.conn.query(f"SET {key} = {value}", "TabSeparated")
                self.conn.query(f"USE `{self.database}`", "TabSeparated")

    def close(self) -> None:
        with self.lock:
            self.conn.close()


def _settings(args: dict[str, str], limits: dict[str, int]) -> dict[str, str]:
    """The request's settings: limits lowered only, :data:`_PROTECTED` ones refused."""
    out: dict[str, str] = {}
    for key, value in args.items():
        if key in _TRANSPORT or key.startswith("param_"):
            continue
        if not _NAME.match(key):
            raise QueryRefused(f"setting name {key!r} is not an identifier", code=115, status=400)
        if key in limits:
            try:
                asked = int(float(value))
            except ValueError:
                message = f"setting {key} must be a number"
                raise QueryRefused(message, code=115, status=400) from None
            if 0 < asked < limits[key]:
                out[key] = str(asked)
            continue
        if key == "readonly":
            continue  # the session is read-only whatever the client asks
        if key in _PROTECTED:
            raise QueryRefused(
                f"setting {key} bounds the read-only query endpoint: a client cannot set it",
                code=164,
            )
        out[key] = value
    return out


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: every answer carries Content-Length
    server: _Server

    def setup(self) -> None:
        super().setup()
        # headers and body leave in two writes: without this, Nagle's algorithm and the
        # client's delayed ACK hold every answer ~40 ms
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("query endpoint: " + format, *args)

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, code: int, message: str, headers: dict[str, str]) -> None:
        headers = {**headers, "X-ClickHouse-Exception-Code": str(code)}
        headers["Content-Type"] = "text/plain; charset=UTF-8"
        if code == 516:
            headers["WWW-Authenticate"] = 'Basic realm="tooltrail"'
        text = message if message.startswith("Code:") else f"Code: {code}. DB::Exception: {message}"
        self._send(status, (text.strip() + "\n").encode(), headers)

    def _body(self) -> bytes:
        too_big = QueryRefused(f"request body over {_MAX_BODY} bytes", code=0, status=413)
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts, total = [], 0
            while size := int(self.rfile.readline(64).split(b";")[0].strip() or b"0", 16):
                total += size
                if total > _MAX_BODY:
                    raise too_big
                parts.append(self.rfile.read(size))
                self.rfile.readline(64)
            while self.rfile.readline(1024).strip():  # trailers
                pass
            body = b"".join(parts)
        else:
            size = int(self.headers.get("Content-Length") or 0)
            if size > _MAX_BODY:
                raise too_big
            body = self.rfile.read(size)
        encoding = self.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding in ("gzip", "deflate"):  # bounded: a small body must not inflate without end
            inflater = zlib.decompressobj(wbits=47)  # gzip or zlib header
            out = inflater.decompress(body, _MAX_BODY + 1)
            if len(out) > _MAX_BODY or not inflater.eof:
                raise too_big
            return out
        if encoding == "lz4" and "lz4" in self.server.compressors:
            return _lz4_frames(body)
        if encoding != "identity":
            raise QueryRefused(f"Content-Encoding {encoding} is not accepted", code=0, status=415)
        return body

    def _credentials(self, args: dict[str, str]) -> tuple[str, str]:
        auth = self.headers.get("Authorization", "")
        if auth[:6].lower() == "basic ":
            with contextlib.suppress(ValueError):
                user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
                return user, password
        if self.headers.get("X-ClickHouse-User"):
            return self.headers["X-ClickHouse-User"], self.headers.get("X-ClickHouse-Key", "")
        return args.get("user", ""), args.get("password", "")

    def do_HEAD(self) -> None:
        self._send(200, b"")

    def do_GET(self) -> None:
        self.do_POST()

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        headers = {
            "X-ClickHouse-Server-Display-Name": "tooltrail",
            "X-ClickHouse-Timezone": self.server.session.tz,
        }
        if url.path == "/ping":
            self._send(200, b"Ok.\n", {"Content-Type": "text/plain; charset=UTF-8"})
            return
        args = dict(parse_qsl(url.query, keep_blank_values=True))
        try:
            body = self._body()
            ctype = self.headers.get("Content-Type", "")
            if ctype.startswith("multipart/form-data"):
                head = f"Content-Type: {ctype}\r\n\r\n".encode()
                for part in BytesParser(policy=HTTP).parsebytes(head + body).iter_parts():
                    name = str(part.get_param("name", header="content-disposition"))
                    args[name] = bytes(part.get_payload(decode=True) or b"").decode()
                body = b""
            user, password = self._credentials(args)
            if not self.server.authenticate(user, password):
                raise QueryRefused(
                    f"{user or 'anonymous'}: Authentication failed: password is incorrect, or "
                    "there is no user with such name (AUTHENTICATION_FAILED)",
                    code=516,
                    status=401,
                )
            query = args.get("query", "")
            text = body.decode(errors="replace")  # an INSERT's data is binary: refused below
            sql = f"{query}\n{text}" if query and body else query or text
            if not sql.strip() and self.command == "GET":
                self._send(200, b"Ok.\n", {"Content-Type": "text/plain; charset=UTF-8"})
                return
            session = self.server.session
            settings = _settings(args, session.limits)
            trailing = _TRAILING_FORMAT.search(sql[-200:])
            fmt = trailing[1] if trailing else args.get("default_format", "TabSeparated")
            database = args.get("database") or session.database
            if not _NAME.match(database):
                message = f"database {database!r} is not an identifier"
                raise QueryRefused(message, code=81, status=400)
            params = {k[6:]: v for k, v in args.items() if k.startswith("param_")}
            headers["X-ClickHouse-Query-Id"] = args.get("query_id") or str(uuid.uuid4())
            out, summary = session.query(sql, fmt, params, database, settings)
        except QueryRefused as exc:
            self._error(exc.status, exc.code, exc.message, headers)
            return
        except (UnicodeDecodeError, ValueError, OSError, zlib.error) as exc:
            self._error(400, 0, f"bad request: {exc}", headers)
            return
        except Exception as exc:  # chDB raises its own types: answer as ClickHouse does
            message = str(exc)
            code = re.search(r"Code: (\d+)", message)
            number = int(code[1]) if code else 0
            status = {164: 403, 62: 400, 60: 404, 81: 404}.get(number, 500)
            self._error(status, number, message, headers)
            return
        headers["X-ClickHouse-Summary"] = json.dumps(summary)
        headers["X-ClickHouse-Format"] = fmt
        headers["Content-Type"] = "application/octet-stream"
        if args.get("enable_http_compression", "0") in ("1", "true") and out:
            accepted = [e.strip() for e in self.headers.get("Accept-Encoding", "").split(",")]
            method = next((e for e in accepted if e in self.server.compressors), None)
            if method is not None:
                out = self.server.compressors[method](out)
                headers["Content-Encoding"] = method
        self._send(200, out, headers)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    session: _Session
    compressors: dict[str, Callable[[bytes], bytes]]
    user: str
    password: bytes

    def authenticate(self, user: str, password: str) -> bool:
        ok_user = hmac.compare_digest(user.encode(), self.user.encode())
        return hmac.compare_digest(password.encode(), self.password) and ok_user


class QueryServer:
    """The endpoint over the chDB store at ``store_path`` (this process must hold the store
    open, e.g. through :func:`~.open_store`). ``start()`` / ``stop()`` or ``with``."""

    def __init__(
        self,
        store_path: Path,
        *,
        password: str,
        user: str = "tooltrail",
        host: str = "127.0.0.1",
        port: int = 8123,
        database: str = "tooltrail",
        max_execution_time: int = 30,
        max_result_rows: int = 1_000_000,
        max_result_bytes: int = 256 << 20,
        advertise: bool = True,
    ) -> None:
        if len(password) < 8:
            raise ValueError("the query endpoint's password must have at least 8 characters")
        if not user or not _NAME.match(user):
            raise ValueError(f"user must be a plain identifier, not {user!r}")
        if min(max_execution_time, max_result_rows, max_result_bytes) < 1:
            raise ValueError("max_execution_time, max_result_rows, max_result_bytes must be > 0")
        self.store_path = Path(store_path)
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.database = check_database_name(database)
        self.limits = {
            "max_execution_time": max_execution_time,
            "max_result_rows": max_result_rows,
            "max_result_bytes": max_result_bytes,
        }
        self.advertise = advertise
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> QueryServer:
        try:
            session = _Session(self.store_path, self.database, self.limits)
        except Exception as exc:  # chDB's own error types
            raise StoreUnavailable(f"query endpoint cannot open the store: {exc}") from exc
        try:
            server = _Server((self.host, self.port), _Handler)
        except OSError as exc:
            session.close()
            raise StoreUnavailable(
                f"query endpoint cannot listen on {self.host}:{self.port}: {exc}"
            ) from exc
        server.session = session
        server.compressors = _compressors()
        server.user = self.user
        server.password = self.password.encode()
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever, name="tooltrail-query-endpoint", daemon=True
        )
        self._thread.start()
        if self.advertise:
            self._advertise()
        return self

    def _advertise(self) -> None:
        path = endpoint_file(self.store_path)
        endpoint = Endpoint(self.url, self.user, self.password, self.database, os.getpid())
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(asdict(endpoint), fh)
        os.replace(tmp, path)

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        if self.advertise:
            with contextlib.suppress(OSError):
                endpoint_file(self.store_path).unlink()
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(10)
        server.session.close()

    def __enter__(self) -> QueryServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
