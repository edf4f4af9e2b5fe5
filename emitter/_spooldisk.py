"""The spool's files on disk: their names, durable writes, the ``rejected/`` folder, and what a
spool directory holds when it is opened again after a crash (``recover``).

Recovery is where the spool's crash guarantees are kept: a replacement cut short is finished if
its cursor was committed and dropped if not; segments the cursor has passed (acknowledged, their
deletion interrupted) are deleted; a torn trailing line (a write cut by a crash) is truncated; the
pending records are counted from the cursor; an unreadable cursor replays from the oldest segment
(duplicates, never a loss).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "CURSOR",
    "LOCK",
    "NEW",
    "SUFFIX",
    "Position",
    "Recovered",
    "SpoolBatch",
    "datasync",
    "fsync_dir",
    "recover",
    "segment_path",
    "write_durably",
    "write_rejected",
]

log = logging.getLogger("tooltrail.emitter.spool")

Position = tuple[int, int]
"""(segment id, byte offset just past a record's newline); tuples compare in spool order."""

SUFFIX = ".seg"
NEW = ".new"
CURSOR = "cursor.json"
LOCK = "spool.lock"
REJECTED = "rejected"

datasync = getattr(os, "fdatasync", os.fsync)


@dataclass(frozen=True, slots=True)
class SpoolBatch:
    """Oldest unacknowledged records, still in the spool until ``ack``/``set_aside``."""

    records: tuple[bytes, ...]
    positions: tuple[Position, ...]  # end position of each record
    start: Position
    nbytes: int  # sum of len(record) + 1

    @property
    def end(self) -> Position:
        return self.positions[-1]

    def __len__(self) -> int:
        return len(self.records)


def segment_path(directory: Path, sid: int) -> Path:
    return directory / f"{sid:016d}{SUFFIX}"


def write_durably(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    """Write a whole file and fsync it (the caller fsyncs the directory)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_rejected(directory: Path, seq: int, records: list[bytes], note: str) -> tuple[Path, int]:
    """Write ``records`` to ``rejected/<ts>-<n>.jsonl`` beside ``<ts>-<n>.reason`` (``note``),
    durably, never over an existing file; returns the stem's path and the last ``n`` used."""
    folder = directory / REJECTED
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    folder.mkdir(exist_ok=True)
    while True:
        seq += 1
        name = f"{stamp}-{seq}"
        try:
            write_durably(folder / f"{name}.jsonl", b"\n".join(records) + b"\n", exclusive=True)
        except FileExistsError:
            continue
        break
    write_durably(folder / f"{name}.reason", note.encode())
    fsync_dir(folder)
    return folder / name, seq


def _load_cursor(directory: Path) -> tuple[Position, bytes | None]:
    (directory / (CURSOR + ".tmp")).unlink(missing_ok=True)
    try:
        raw = json.loads((directory / CURSOR).read_bytes())
        last = raw.get("last")
        cursor = (int(raw["segment"]), int(raw["offset"]))
        return cursor, (None if last is None else base64.b64decode(last))
    except FileNotFoundError:
        return (0, 0), None
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as exc:
        # Re-sending everything (duplicates) is better than skipping anything.
        log.error(
            "spool %s: unreadable cursor (%s); replaying from the oldest segment", directory, exc
        )
        return (0, 0), None


@dataclass(slots=True)
class Recovered:
    """What a spool directory holds: its segments (id -> bytes, ascending), the ack cursor,
    the newest record, how many records are pending, and what recovery had to cut."""

    segments: dict[int, int] = field(default_factory=dict)
    cursor: Position = (0, 0)
    last: bytes | None = None
    pending: int = 0
    truncated_bytes: int = 0


def recover(directory: Path) -> Recovered:
    """Bring ``directory`` (locked by the caller) to a consistent state; see the module
    docstring. The newest segment is the one to append to."""
    out = Recovered()
    cursor, stored_last = _load_cursor(directory)
    for path in directory.glob(f"*{SUFFIX}{NEW}"):  # a replacement cut short by a crash
        stem = path.name[: -len(SUFFIX + NEW)]
        if stem.isdigit() and int(stem) == cursor[0]:
            os.replace(path, segment_path(directory, int(stem)))  # committed: finish the rename
        else:
            path.unlink()  # never committed: the old records stand
    ids = sorted(
        int(p.name[: -len(SUFFIX)])
        for p in directory.iterdir()
        if p.name.endswith(SUFFIX) and p.name[: -len(SUFFIX)].isdigit()
    )
    for sid in [s for s in ids if s < cursor[0]]:  # acked; deletion was interrupted
        segment_path(directory, sid).unlink(missing_ok=True)
        ids.remove(sid)
    if not ids:
        ids = [max(cursor[0] + 1, 1)]
        segment_path(directory, ids[0]).touch(mode=0o600)
    if cursor[0] not in ids:
        cursor = (ids[0], 0)
    last: bytes | None = None
    for sid in ids:
        path = segment_path(directory, sid)
        data = path.read_bytes()
        if data and not data.endswith(b"\n"):
            keep = data.rfind(b"\n") + 1
            log.warning("spool %s: truncating torn record (%d bytes)", path, len(data) - keep)
            os.truncate(path, keep)
            out.truncated_bytes += len(data) - keep
            data = data[:keep]
        start = 0
        if sid == cursor[0]:
            if cursor[1] > len(data):
                log.warning("spool cursor %s beyond end of segment (%d)", cursor, len(data))
                cursor = (sid, len(data))
            start = cursor[1]
        out.pending += data.count(b"\n", start)
        if data:
            last = data[data.rfind(b"\n", 0, len(data) - 1) + 1 : -1]
        out.segments[sid] = len(data)
    out.cursor = cursor
    out.last = last if last is not None else stored_last
    return out
