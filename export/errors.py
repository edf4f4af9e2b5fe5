"""The export's errors, one root::

ExportError              anything the export cannot do (the CLI prints one line, exit 2)
├── CursorError          the cursor file is unreadable or belongs to another export
└── DeliveryError        the destination did not take a batch (nothing was committed)
"""

from __future__ import annotations

__all__ = ["CursorError", "DeliveryError", "ExportError"]


class ExportError(Exception):
    """The root of the export's errors."""


class CursorError(ExportError):
    """The cursor file cannot be read, or was written by an export to another destination."""


class DeliveryError(ExportError):
    """The destination refused or did not acknowledge a batch; the cursor did not move."""
