"""Errors of the pipeline.

::

    PipelineError
    ├── StoreUnavailable    the store (ClickHouse server or chDB) refused or could not be reached;
    │                       nothing of the call counts as stored and no cached state advanced:
    │                       do not commit offsets, retry later
    └── PoisonRecord        a record that can never be processed (undecodable, wrong version,
                            breaks the event contract); ``reason`` says why: send it to the
                            dead-letter topic and move on

Errors from ClickHouse / chDB are wrapped where they enter our code
(``raise StoreUnavailable(...) from exc``); the original stays in ``__cause__``.
"""

from __future__ import annotations

__all__ = ["PipelineError", "PoisonRecord", "StoreUnavailable"]


class PipelineError(Exception):
    """Root of the pipeline's errors."""


class StoreUnavailable(PipelineError):
    """The store could not do what was asked. ``code`` is ClickHouse's error code, when known."""

    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class PoisonRecord(PipelineError):
    """A record that no retry can fix; ``reason`` is a short, human-readable cause."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
