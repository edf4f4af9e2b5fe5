"""Exceptions raised by the tooltrail emitter.

Every exception the emitter raises on purpose derives from :class:`EmitterError`, so a
host application can guard emitter calls with a single ``except EmitterError``::

    EmitterError                  root of the emitter's exceptions
    ├── SpoolError                the on-disk spool could not be used (an OSError underneath)
    │   └── SpoolFull             the spool is at max_bytes and refuses the record
    └── TransportError            the collector could not be reached (connection, timeout)

HTTP error statuses are *not* exceptions: a transport returns them as a ``Response`` so
the shipper can decide between retrying and setting the batch aside.
"""

from __future__ import annotations

__all__ = ["EmitterError", "SpoolError", "SpoolFull", "TransportError"]


class EmitterError(Exception):
    """Root of every exception raised by ``tooltrail.emitter``."""


class SpoolError(EmitterError):
    """The durable spool failed (I/O error, closed spool, directory locked by another process)."""


class SpoolFull(SpoolError):
    """The spool reached ``max_bytes`` and its policy refuses the record.

    ``Spool.append`` reports a full spool by returning ``False`` (and counting it) rather
    than raising; this class exists for callers that prefer to turn that into an error.
    """


class TransportError(EmitterError):
    """A batch could not be delivered: connection refused or reset, DNS failure, timeout."""
