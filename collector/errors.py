"""Errors of the collector.

::

    CollectorError
    ├── Rejected            the request is refused; ``status`` is the HTTP status to answer
    │   ├── Unauthorized        401: missing, unknown, revoked or expired key
    │   ├── Forbidden           403: the key may not write this source or stream
    │   ├── TooLarge            413: body or event over the limit
    │   ├── RateLimited         429: over the source's rate; ``retry_after`` seconds
    │   ├── Malformed           400: the body is not gzip / JSON at all
    │   ├── UnsupportedEncoding 415: a Content-Encoding other than gzip or identity
    │   ├── Invalid             422: the batch breaks the event contract (names index and field)
    │   │   └── InvalidField        one field of one event or checkpoint, with ``index``/``rule``
    │   └── ChainBroken         409: the batch does not continue its stream's chain
    └── SinkUnavailable     503: the next stage (Kafka, or the embedded store) cannot take it now
                            (also a ``tooltrail.broker.BrokerUnavailable``: the Kafka layer's
                            error, which the app answers 503 too)
"""

from __future__ import annotations

from tooltrail.broker.errors import BrokerUnavailable

__all__ = [
    "ChainBroken",
    "CollectorError",
    "Forbidden",
    "Invalid",
    "InvalidField",
    "Malformed",
    "RateLimited",
    "Rejected",
    "SinkUnavailable",
    "TooLarge",
    "Unauthorized",
    "UnsupportedEncoding",
]


class CollectorError(Exception):
    """Root of the collector's errors."""


class Rejected(CollectorError):
    status = 400
    reason = "rejected"

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class Unauthorized(Rejected):
    status = 401
    reason = "unauthorized"


class Forbidden(Rejected):
    status = 403
    reason = "forbidden"


class TooLarge(Rejected):
    status = 413
    reason = "too_large"


class RateLimited(Rejected):
    status = 429
    reason = "rate_limited"


class Invalid(Rejected):
    status = 422
    reason = "invalid"


class Malformed(Rejected):
    status = 400
    reason = "malformed"


class UnsupportedEncoding(Rejected):
    status = 415
    reason = "unsupported_encoding"


class InvalidField(Invalid):
    """``field`` of the event (or, with ``what="checkpoint"``, checkpoint) at ``index`` broke
    ``rule``; ``index`` is None for the batch envelope."""

    def __init__(self, index: int | None, field: str, rule: str, *, what: str = "event") -> None:
        where = f"{what}[{index}]." if index is not None else ""
        super().__init__(f"{where}{field}: {rule}")
        self.index = index
        self.field = field
        self.rule = rule
        self.what = what


class ChainBroken(Rejected):
    status = 409
    reason = "chain_broken"


class SinkUnavailable(CollectorError, BrokerUnavailable):
    """The sink could not take the segment durably; the client should retry later
    (``retry_after`` seconds)."""
