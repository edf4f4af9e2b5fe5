"""Alerts as signed JSON POSTs to any HTTP endpoint (standard library only).

The request::

    POST <url>
    Content-Type: application/json
    X-Tooltrail-Timestamp: 1764000000              (unix seconds, when it was signed)
    X-Tooltrail-Alert-Id: <alert.id>
    X-Tooltrail-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>

    {"alert":{...alert.to_dict()...},"type":"tooltrail.alert","version":1}

The body is compact JSON with sorted keys, UTF-8. A receiver checks the signature over the raw
bytes it got (:func:`verify_signature`), so it never re-encodes anything. During a key rotation
the signature header may carry several ``v1=`` values separated by commas; one match suffices.
Redirects are not followed (a POST replayed as GET would look delivered). 408, 429 (with
Retry-After), 5xx and connection errors are retryable, other statuses are final.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import string
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from tooltrail.detectors.alert import Alert
from tooltrail.detectors.errors import SinkError
from tooltrail.emitter.transport import parse_retry_after

from .base import RetryableSinkError, http_error

__all__ = [
    "ALERT_ID_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "BadSignature",
    "WebhookSink",
    "encode_body",
    "sign",
    "verify_signature",
]

TIMESTAMP_HEADER = "X-Tooltrail-Timestamp"
ALERT_ID_HEADER = "X-Tooltrail-Alert-Id"
SIGNATURE_HEADER = "X-Tooltrail-Signature"
_SCHEME = "v1="
_HEX = frozenset(string.hexdigits)


class BadSignature(SinkError):
    """A webhook request that must not be trusted. ``rule`` names what it broke:
    ``missing_header``, ``malformed_header``, ``replay_window`` or ``mismatch``."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__("webhook", f"signature rejected ({rule}): {message}")
        self.rule = rule


def _check_secret(secret: bytes) -> None:
    if not isinstance(secret, bytes | bytearray) or not secret:
        raise ValueError("webhook_secret must be non-empty bytes")


def sign(secret: bytes, timestamp: str | int, body: bytes) -> str:
    """The signature header value for ``body`` sent at ``timestamp``: ``v1=<64 hex digits>``."""
    _check_secret(secret)
    mac = hmac.new(secret, str(timestamp).encode("ascii") + b"." + body, hashlib.sha256)
    return _SCHEME + mac.hexdigest()


def encode_body(alert: Alert) -> bytes:
    """The exact bytes posted for ``alert`` (compact, sorted keys, UTF-8, no NaN/Infinity)."""
    doc = {"type": "tooltrail.alert", "version": 1, "alert": alert.to_dict()}
    return json.dumps(
        doc, separators=(",", ":"), sort_keys=True, ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def _signatures(header: str) -> list[str]:
    """The hex digests of every ``v1=`` value; values of other schemes are skipped."""
    found: list[str] = []
    for part in header.split(","):
        part = part.strip()
        if not part.startswith(_SCHEME):
            continue
        digest = part[len(_SCHEME) :]
        if len(digest) != 64 or not _HEX.issuperset(digest):
            raise BadSignature(
                "malformed_header", f"{SIGNATURE_HEADER} value is not v1=<64 hex digits>"
            )
        found.append(digest.lower())
    if not found:
        raise BadSignature("malformed_header", f"{SIGNATURE_HEADER} has no v1= value")
    return found


def verify_signature(
    secret: bytes,
    *,
    timestamp: str | None,
    body: bytes,
    signature: str | None,
    tolerance: float = 300,
    now: float | None = None,
) -> None:
    """Return when ``body`` was signed with ``secret`` at ``timestamp`` within ``tolerance``
    seconds of ``now`` (either side); raise :class:`BadSignature` naming the rule otherwise.

    Pass the raw header values (None or "" when absent) and the raw body bytes. Comparison is
    constant-time. Any one of several comma-separated ``v1=`` values may match (key rotation).
    """
    _check_secret(secret)
    if not timestamp:
        raise BadSignature("missing_header", f"no {TIMESTAMP_HEADER} header")
    if not signature:
        raise BadSignature("missing_header", f"no {SIGNATURE_HEADER} header")
    ts = timestamp.strip()
    if not ts.isascii() or not ts.isdigit():
        raise BadSignature("malformed_header", f"{TIMESTAMP_HEADER} is not unix seconds")
    candidates = _signatures(signature)
    skew = (time.time() if now is None else now) - int(ts)
    if abs(skew) > tolerance:
        raise BadSignature(
            "replay_window",
            f"{TIMESTAMP_HEADER} is {abs(skew):.0f} s {'old' if skew > 0 else 'ahead'}, "
            f"outside the {tolerance:g} s tolerance",
        )
    expected = sign(secret, ts, body)[len(_SCHEME) :]
    # compare against every candidate (no early exit) so timing says nothing about which matched
    matched = False
    for candidate in candidates:
        matched |= hmac.compare_digest(expected, candidate)
    if not matched:
        raise BadSignature("mismatch", "no signature matches the body and timestamp")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Never follow a redirect: urllib would replay the POST as a body-less GET."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class WebhookSink:
    """POSTs each alert, signed, to ``url``. Safe to share between threads.

    The secret never appears in errors, logs or ``repr``.
    """

    def __init__(
        self, url: str, secret: bytes, *, timeout: float = 10, name: str = "webhook"
    ) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"webhook_url must be http(s)://host[:port]/path, got {url!r}")
        _check_secret(secret)
        if timeout <= 0:
            raise ValueError(f"timeout must be > 0 seconds, got {timeout}")
        self.name = name
        self.url = url
        self.timeout = timeout
        self._secret = bytes(secret)
        self._opener = urllib.request.build_opener(_NoRedirect())

    def __repr__(self) -> str:
        return f"WebhookSink({self.url!r}, name={self.name!r})"

    def send(self, alert: Alert) -> None:
        """POST ``alert``; return on a 2xx, raise :class:`SinkError` otherwise."""
        try:
            body = encode_body(alert)
        except ValueError as exc:  # NaN or infinity somewhere in the alert
            raise SinkError(self.name, f"alert {alert.id} cannot be encoded: {exc}") from exc
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "tooltrail-alerts",
            TIMESTAMP_HEADER: timestamp,
            ALERT_ID_HEADER: alert.id,
            SIGNATURE_HEADER: sign(self._secret, timestamp, body),
        }
        request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
            self.url, data=body, headers=headers, method="POST"
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as resp:
                resp.read()
                return
        except urllib.error.HTTPError as err:  # a status >= 300 is an answer
            try:
                detail = err.read(200).decode("utf-8", "replace")
            except (OSError, http.client.HTTPException):
                detail = ""
            finally:
                err.close()
            retry_after = parse_retry_after(err.headers.get("Retry-After") if err.headers else None)
            raise http_error(self.name, err.code, detail, retry_after) from err
        except (OSError, http.client.HTTPException) as exc:  # URLError, refused, timeouts
            raise RetryableSinkError(self.name, f"no answer: {type(exc).__name__}: {exc}") from exc
        except ValueError as exc:  # http.client refuses a header value (e.g. a newline in the id)
            raise SinkError(self.name, f"alert {alert.id!r} cannot be sent: {exc}") from exc
