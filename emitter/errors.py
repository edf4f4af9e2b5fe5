"""Exceptions raised by the tooltrail emitter.

Every exception the emitter raises on purpose derives from :class:`EmitterError`, so a
host application can guard emitter calls with a single ``except EmitterError``::

    EmitterError                  root of the emitter's exceptions
    ├── SpoolError                the on-disk spool could not be used (an OSError underneath)
    └── TransportError            the collector could not be reached (connection, timeout)

A full spool is not an exception either: ``Spool.append`` returns ``False`` and counts it
(``dropped_full``), and the emitter counts the event dropped. HTTP error statuses are *not*
exceptions: a transport returns them as a ``Response`` so
the shipper can decide between retrying and setting the batch aside.
"""

from __future__ import annotations

__all__ = ["EmitterError", "SpoolError", "TransportError"]


class EmitterError(Exception):
    """Root of every exception raised by ``tooltrail.emitter``."""


class SpoolError(EmitterError):
    """The durable spool failed (I/O error, closed spool, directory locked by another process)."""


class TransportError(EmitterError):
    """A batch could not be delivered: connection refused or reset, DNS failure, timeout."""
