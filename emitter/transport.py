"""The seam between the shipper and the collector: one ``send(body, headers) -> Response``.

Contract for every :class:`Transport`:

* ``send`` delivers one already-encoded (gzipped) batch and returns the collector's answer
  as a :class:`Response` - *including* error statuses (4xx/5xx are data, not exceptions).
* It raises :class:`~tooltrail.emitter.errors.TransportError` when no answer was obtained
  (connection refused/reset, DNS failure, TLS failure, timeout); the batch may or may not
  have arrived, so the shipper retries it (at-least-once delivery).

:class:`HttpTransport` is the production implementation (``urllib.request``, standard library
only); :class:`MemoryTransport` is an in-process collector for tests.
"""

from __future__ import annotations

import email.utils
import gzip
import http.client
import ipaddress
import json
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from .errors import TransportError

__all__ = [
    "Attempt",
    "HttpTransport",
    "MemoryTransport",
    "Response",
    "Transport",
    "gzip_level_for",
    "is_loopback",
    "parse_retry_after",
]

_MAX_BODY = 64 * 1024  # how much of a response body is kept (for logs and .reason files)


@dataclass(frozen=True, slots=True)
class Response:
    """The collector's answer. ``retry_after`` is in seconds (already converted from a date)."""

    status: int
    retry_after: float | None = None
    body: bytes = b""


@runtime_checkable
class Transport(Protocol):
    def send(self, body: bytes, headers: Mapping[str, str]) -> Response:
        """Deliver one batch; raise TransportError if no HTTP answer was obtained."""
        ...

    def close(self) -> None: ...


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP date; None if absent/invalid."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # RFC 9110 dates are GMT
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds or seconds in (float("inf"), float("-inf")):  # NaN / inf
        return None
    return max(0.0, seconds)


def is_loopback(url: str) -> bool:
    """Whether ``url`` names this machine by a loopback address (``localhost``, ``127.x.y.z``,
    ``::1``): a batch sent there crosses no network, so compressing it only costs CPU."""
    host = (urllib.parse.urlsplit(url).hostname or "").rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def gzip_level_for(compress: bool | None, collector_url: str | None) -> int | None:
    """The shipper's ``gzip_level`` for an emitter's ``compress`` setting: 1 (gzip) or None (sent
    as it is). ``compress=None`` gzips unless ``collector_url`` is a loopback address (None for a
    transport of the caller's own: gzipped)."""
    if compress is None:
        compress = not (collector_url and is_loopback(collector_url))
    if not isinstance(compress, bool):
        raise ValueError(f"compress must be True, False or None, got {compress!r}")
    return 1 if compress else None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Never follow redirects: urllib would replay a POST as a body-less GET and a 200 from
    that GET would acknowledge a batch the collector never saw. A 3xx comes back as-is."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class HttpTransport:
    """POST batches to ``url`` with ``urllib.request``.

    Sends ``Authorization: Bearer <api_key>`` (when given), ``Content-Type: application/json``
    and ``Content-Encoding: gzip`` (the body handed in is already gzipped), unless the headers of
    a ``send`` say otherwise (the shipper's ``identity`` for a body it did not compress).
    Redirects are not followed. HTTP error statuses are returned as :class:`Response`;
    URLError, timeouts and other OSErrors raise :class:`TransportError`. Each call opens a fresh
    connection.
    """

    def __init__(
        self,
        url: str,
        *,
        api_key: str | None = None,
        timeout: float = 10.0,
        headers: Mapping[str, str] | None = None,
        ssl_context: ssl.SSLContext | None = None,
        user_agent: str = "tooltrail-emitter",
    ) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"collector url must be http(s)://host[:port]/path, got {url!r}")
        self.url = url
        self.timeout = timeout
        self._headers = {
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
            "User-Agent": user_agent,
            **(headers or {}),
        }
        if api_key:
            self._headers["Authorization"] = f"Bearer {api_key}"
        handlers: list[urllib.request.BaseHandler] = [_NoRedirect()]
        if ssl_context is not None:
            handlers.append(urllib.request.HTTPSHandler(context=ssl_context))
        self._opener = urllib.request.build_opener(*handlers)

    def send(self, body: bytes, headers: Mapping[str, str]) -> Response:
        request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
            self.url, data=body, headers={**self._headers, **headers}, method="POST"
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as resp:
                data = resp.read(_MAX_BODY)
                return Response(
                    resp.status, parse_retry_after(resp.headers.get("Retry-After")), data
                )
        except urllib.error.HTTPError as err:  # a status >= 300: an answer, not a failure
            try:
                data = err.read(_MAX_BODY)
            except (OSError, http.client.HTTPException):
                data = b""
            finally:
                err.close()
            retry_after = parse_retry_after(err.headers.get("Retry-After") if err.headers else None)
            return Response(err.code, retry_after, data)
        except urllib.error.URLError as err:
            raise TransportError(f"POST {self.url}: {err.reason}") from err
        except (OSError, http.client.HTTPException) as err:  # timeouts are OSError too
            raise TransportError(f"POST {self.url}: {type(err).__name__}: {err}") from err

    def close(self) -> None:
        """Nothing to release: urllib opens one connection per request."""


@dataclass(frozen=True, slots=True)
class Attempt:
    """One call to :meth:`MemoryTransport.send` (body decompressed)."""

    at: float  # time.monotonic() when send was entered
    body: bytes
    headers: Mapping[str, str]
    status: int | None  # None when the attempt raised TransportError


Responder = Callable[[bytes, Mapping[str, str]], Response]


class MemoryTransport:
    """In-process collector for tests; thread-safe.

    ``received`` holds the (gunzipped) bodies answered with 2xx, ``attempts`` every call.
    Script failures with :meth:`fail_next` (consumed first, in order), or pass a ``responder``
    ``(body, headers) -> Response`` that decides every other answer (it may raise
    TransportError or block). The default answer is ``Response(200)``.
    """

    def __init__(self, responder: Responder | None = None) -> None:
        self.responder = responder
        self._lock = threading.Lock()
        self._script: list[Response | BaseException] = []
        self._received: list[bytes] = []
        self._attempts: list[Attempt] = []
        self.closed = False

    def fail_next(
        self,
        n: int = 1,
        status: int = 503,
        *,
        exc: BaseException | None = None,
        retry_after: float | None = None,
        body: bytes = b"",
    ) -> None:
        """Answer the next n sends with ``status`` (or raise ``exc``)."""
        with self._lock:
            self._script.extend(
                [exc if exc is not None else Response(status, retry_after, body)] * n
            )

    def send(self, body: bytes, headers: Mapping[str, str]) -> Response:
        at = time.monotonic()
        if headers.get("Content-Encoding", "").lower() == "gzip":
            body = gzip.decompress(body)
        with self._lock:
            scripted = self._script.pop(0) if self._script else None
        try:
            if isinstance(scripted, BaseException):
                raise scripted
            if scripted is not None:
                response = scripted
            elif self.responder is not None:
                response = self.responder(body, headers)
            else:
                response = Response(200)
        except BaseException:
            with self._lock:
                self._attempts.append(Attempt(at, body, dict(headers), None))
            raise
        with self._lock:
            self._attempts.append(Attempt(at, body, dict(headers), response.status))
            if 200 <= response.status < 300:
                self._received.append(body)
        return response

    @property
    def received(self) -> list[bytes]:
        with self._lock:
            return list(self._received)

    @property
    def attempts(self) -> list[Attempt]:
        with self._lock:
            return list(self._attempts)

    def events(self) -> list[Any]:
        """Accepted bodies decoded as JSON and flattened (arrays and {"events": [...]})."""
        out: list[Any] = []
        for body in self.received:
            doc = json.loads(body)
            if isinstance(doc, dict) and isinstance(doc.get("events"), list):
                doc = doc["events"]
            out.extend(doc if isinstance(doc, list) else [doc])
        return out

    def close(self) -> None:
        self.closed = True
