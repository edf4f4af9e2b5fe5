"""Errors of the Kafka layer.

::

    BrokerError
    └── BrokerUnavailable   the broker cannot be reached or did not take a write in time;
                            ``retry_after`` seconds is a sensible wait before trying again

Kafka's own errors (``kafka_errors``) are wrapped in these where they leave this package, except
inside the producer helpers whose callers want to tell kinds of failure apart.
"""

from __future__ import annotations

__all__ = ["BrokerError", "BrokerUnavailable"]


class BrokerError(Exception):
    """Root of the Kafka layer's errors."""


class BrokerUnavailable(BrokerError):
    """The broker cannot take or give records now; retry after ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after
