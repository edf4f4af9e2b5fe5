"""Errors of the detectors.

::

    DetectorError
    ├── ModelFileError      a saved model that may not be loaded: outside the trusted
    │                       directory, a wrong or missing version envelope, a digest mismatch
    ├── SinkError           an alert sink failed to deliver (after its retries); ``sink``
    │                       names it. Counted, logged, never raised into scoring
    ├── AlertNotFound       ``tooltrail alerts ack|false-positive`` named an unknown id
    └── AnnouncementError   an announcement refused (``field`` names the input and the rule it
                            broke: too long, unknown family, ...) or an unknown id to withdraw

Errors from the store are the pipeline's ``StoreUnavailable``; they pass through unchanged.
"""

from __future__ import annotations

__all__ = ["AlertNotFound", "AnnouncementError", "DetectorError", "ModelFileError", "SinkError"]


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


class AnnouncementError(DetectorError, ValueError):
    """An announcement that may not be filed or withdrawn; ``field`` names the input at fault
    (``actors``, ``start``, ``end``, ``families``, ``reason``, ``by``, ``id``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
