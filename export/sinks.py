"""Line destinations (a file or stdout) for CEF and ECS lines; OTLP is ``otlp.OtlpSink``.

A file is opened for appending; :meth:`LineSink.write` returns only once the lines are on disk
(flush + fsync) and gives the file's new size, which the cursor records. :meth:`LineSink.resume`
cuts the file back to the size a cursor recorded (what a crash left beyond it was never
committed). stdout is flushed per batch and has no size.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from .errors import DeliveryError

__all__ = ["LineSink"]

log = logging.getLogger(__name__)


class LineSink:
    """Lines to a file (``path``) or to stdout (``path`` None)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._file: BinaryIO
        if path is None:
            self._file = sys.stdout.buffer
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(path, "ab")  # noqa: SIM115 - held until close()
        except OSError as exc:
            raise DeliveryError(f"cannot open --output {path}: {exc}") from exc

    @property
    def size(self) -> int | None:
        """The file's size (None for stdout)."""
        return None if self.path is None else self._file.seek(0, os.SEEK_END)

    def resume(self, committed: int | None) -> None:
        """Cut a file back to ``committed`` bytes (the cursor's size): a batch written but not
        committed before a crash is dropped here and written again."""
        size = self.size
        if size is None or committed is None:
            return
        if size > committed:
            log.info("cutting %s back from %d to %d bytes (uncommitted batch)", self.path, size,
                     committed)  # fmt: skip
            self._file.truncate(committed)
            self._file.flush()
            os.fsync(self._file.fileno())
        elif size < committed:
            log.warning(
                "%s is shorter (%d bytes) than the cursor says (%d): rotated? appending",
                self.path, size, committed,
            )  # fmt: skip

    def write(self, lines: Sequence[str]) -> int | None:
        """Append the lines (each ends with a line feed); durable before it returns."""
        if not lines:
            return self.size
        data = "".join(f"{line}\n" for line in lines).encode("utf-8")
        try:
            self._file.write(data)
            self._file.flush()
            if self.path is not None:
                os.fsync(self._file.fileno())
        except OSError as exc:
            raise DeliveryError(f"writing to {self.path or 'stdout'} failed: {exc}") from exc
        return self.size

    def close(self) -> None:
        if self.path is not None:
            self._file.close()
