"""Errors of the detectors.

::

    DetectorError
    ├── ModelFileError      a saved model that may not be loaded: outside the trusted
    │                       directory, a wrong or missing version envelope, a digest mismatch
    ├── SinkError           an alert sink failed to deliver (after its retries); ``sink``
    │                       names it. Counted, logged, never raised into scoring
    └── AlertNotFound       ``tooltrail alerts ack|false-positive`` named an unknown id

Errors from the store are the pipeline's ``StoreUnavailable``; they pass through unchanged.
"""

from __future__ import annotations

__all__ = ["AlertNotFound", "DetectorError", "ModelFileError", "SinkError"]


class DetectorError(Exception):
    """Root of the detectors' errors."""


class ModelFileError(DetectorError):
    """A saved model that must not be loaded (untrusted path, bad envelope, wrong version)."""


class SinkError(DetectorError):
    """An alert sink could not deliver; ``sink`` is its name, ``attempts`` how often it tried."""

    def __init__(self, sink: str, message: str, *, attempts: int = 1) -> None:
        super().__init__(f"{sink}: {message}")
        self.sink = sink
        self.attempts = attempts


class AlertNotFound(DetectorError):
    """No alert has this id."""
