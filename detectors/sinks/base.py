"""The contract of an alert sink, and how a failed delivery says whether to try again.

A sink delivers one alert per :meth:`AlertSink.send` call and returns only once the receiver
accepted it. On failure it raises :class:`~tooltrail.detectors.errors.SinkError`:

* :class:`RetryableSinkError` when trying again may help (connection error, timeout, 408,
  429, 5xx); ``retry_after`` carries the receiver's Retry-After in seconds when it sent one;
* a plain :class:`SinkError` when it will not (any other 4xx, an alert that cannot be
  encoded). ``retryable`` is False on it.

Sinks do not retry by themselves: the :class:`~tooltrail.detectors.sinks.dispatch.Dispatcher`
owns retries, backoff and isolation.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from tooltrail.detectors.alert import Alert
from tooltrail.detectors.errors import SinkError

__all__ = ["AlertSink", "RetryableSinkError", "http_error", "is_retryable"]

#: 4xx answers that are worth another attempt (request timeout, rate limited)
_RETRY_4XX = frozenset({408, 429})


@runtime_checkable
class AlertSink(Protocol):
    """Somewhere alerts go. ``name`` labels its metrics and log lines; unique per dispatcher."""

    name: str

    def send(self, alert: Alert) -> None:
        """Deliver ``alert`` once; raise :class:`SinkError` (retryable or not) on failure."""
        ...


class RetryableSinkError(SinkError):
    """A delivery that failed in a way another attempt may fix.

    ``retry_after`` is the receiver's requested wait in seconds (from Retry-After), or None.
    """

    retryable = True

    def __init__(
        self, sink: str, message: str, *, attempts: int = 1, retry_after: float | None = None
    ) -> None:
        super().__init__(sink, message, attempts=attempts)
        self.retry_after = retry_after


def is_retryable(exc: BaseException) -> bool:
    """Whether the dispatcher should try again after ``exc`` (a :class:`RetryableSinkError`)."""
    return bool(getattr(exc, "retryable", False)) and isinstance(exc, SinkError)


def http_error(sink: str, status: int, detail: str, retry_after: float | None) -> SinkError:
    """The error for a non-2xx answer: retryable for 408, 429 and 5xx, final otherwise.

    ``retry_after`` is only kept for 429 and 503, the statuses where Retry-After means
    "come back then".
    """
    message = f"HTTP {status}: {detail}" if detail else f"HTTP {status}"
    if status in _RETRY_4XX or status >= 500:
        keep = retry_after if status in (429, 503) else None
        return RetryableSinkError(sink, message, retry_after=keep)
    return SinkError(sink, message)
