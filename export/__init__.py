"""tooltrail.export: the stored events and alerts, to where security teams already look.

- OpenTelemetry logs over OTLP/HTTP (``otlp``; the ``otlp`` extra), ArcSight CEF lines
  (``cef``) and Elastic Common Schema JSON lines (``ecs``), each record carrying its chain
  position and integrity status (``records.Integrity``).
- ``Exporter(store, sink, cursor, where).run_once()`` / ``.follow(stop)``: the cursor moves only
  after the destination holds a batch; with a cursor file a restart resumes with no gap (and,
  to a file, no duplicate).
- ``cli.register(app)`` adds ``tooltrail export``.

Errors: ``errors.ExportError`` and its subclasses (the tree is in ``errors``).
"""

from __future__ import annotations

from .cursor import Cursor
from .errors import CursorError, DeliveryError, ExportError
from .exporter import FORMATS, Exporter, Format, LinesSink, Sink, render_lines
from .records import (
    STREAM_STATUSES,
    AlertRecord,
    EventRecord,
    Integrity,
    IntegrityIndex,
    read_alerts,
    read_events,
)
from .sinks import LineSink

__all__ = [
    "FORMATS",
    "STREAM_STATUSES",
    "AlertRecord",
    "Cursor",
    "CursorError",
    "DeliveryError",
    "EventRecord",
    "ExportError",
    "Exporter",
    "Format",
    "Integrity",
    "IntegrityIndex",
    "LineSink",
    "LinesSink",
    "Sink",
    "read_alerts",
    "read_events",
    "render_lines",
]
