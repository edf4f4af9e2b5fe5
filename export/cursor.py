"""Where an export stands, kept in a file so that a restart resumes with no duplicate and no gap.

The cursor holds, per stream, the last exported seq; for alerts, the ``(updated µs, id)`` of the
last exported alert version; and, for a file destination, the file's size after the last
committed batch. It also names its destination and format: resuming with another one is refused
(``CursorError``), since the cursor says what *that* destination holds.

A batch is committed in this order: written to the destination (a file: flushed and fsynced),
then the cursor saved (a temporary file, fsynced, renamed over the old one). A crash between
the two leaves a file destination longer than the cursor says: on resume the file is cut back to
the cursor's size (the batch is then written again, once). A destination that cannot be cut
(stdout, an OTLP endpoint) may receive that one batch twice: records carry the event id or
alert id (+ version time) to deduplicate on.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import CursorError

__all__ = ["Cursor"]

_VERSION = 1


@dataclass(slots=True)
class Cursor:
    """An export's position; ``path`` None keeps it in memory only."""

    destination: str
    format: str
    path: Path | None = None
    streams: dict[str, int] = field(default_factory=dict)
    alerts: tuple[int, str] | None = None
    output_bytes: int | None = None

    @classmethod
    def open(cls, path: Path | None, destination: str, fmt: str) -> Cursor:
        """The cursor in ``path`` (a fresh one when the file does not exist yet)."""
        if path is None or not path.exists():
            return cls(destination, fmt, path)
        try:
            doc: Any = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(doc, dict) or doc.get("version") != _VERSION:
                raise ValueError(f"not a version {_VERSION} export cursor")
            alerts = doc.get("alerts")
            cursor = cls(
                str(doc["destination"]),
                str(doc["format"]),
                path,
                {str(k): int(v) for k, v in dict(doc["streams"]).items()},
                (int(alerts[0]), str(alerts[1])) if alerts else None,
                None if doc.get("output_bytes") is None else int(doc["output_bytes"]),
            )
        except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
            raise CursorError(f"cannot read the cursor file {path}: {exc}") from exc
        if (cursor.destination, cursor.format) != (destination, fmt):
            raise CursorError(
                f"the cursor file {path} belongs to the export of {cursor.format} to "
                f"{cursor.destination}, not of {fmt} to {destination}: give another --cursor"
            )
        return cursor

    def save(self) -> None:
        """Write the cursor durably (temporary file, fsync, rename); no-op without a path."""
        if self.path is None:
            return
        doc = {
            "version": _VERSION,
            "destination": self.destination,
            "format": self.format,
            "streams": self.streams,
            "alerts": list(self.alerts) if self.alerts else None,
            "output_bytes": self.output_bytes,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(json.dumps(doc, sort_keys=True))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
