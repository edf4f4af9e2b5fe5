"""Durable, append-only on-disk queue of opaque records: an event is *recorded* once it is here.

Layout of ``directory``::

    0000000000000001.seg ...  segments: records, each terminated by b"\\n", names sort in order
    <id>.seg.new              a replacement being written (``replace_pending``); kept only if
                              the cursor already points at segment <id>
    cursor.json               ack cursor (segment, offset) + the newest record ever appended
    spool.lock                flock()ed while a Spool has the directory open (one process only)
    rejected/<ts>-<n>.jsonl   batches the collector refused for good, with a <ts>-<n>.reason

Guarantees:

* ``append`` does a single ``os.write`` of ``record + b"\\n"`` to the open segment (no
  Python-level buffering), so once it returns True the record survives ``kill -9`` of the
  process. It survives power loss once a later ``sync()`` (fdatasync) has returned.
* Nothing is removed before ``ack``: ``read_batch`` keeps returning the same oldest records.
  ``ack`` persists the cursor atomically (tmp file, fsync, rename, fsync dir) *before*
  deleting fully acknowledged segments, so a crash never loses an unacknowledged record;
  at worst the batch in flight is delivered again (at-least-once). An ``ack`` that covers
  everything appended also retires the segment being written, so acknowledged records leave
  the disk at that ack, not when the segment fills (the spool is no lasting copy of events;
  ``cursor.json`` keeps the newest record, the chain head to resume from).
* A record is never half-visible: readers only consume complete lines, and opening the spool
  truncates a torn trailing line (left by a crash in the middle of a write).
* Full (bytes of segments on disk > ``max_bytes``): ``drop_newest`` refuses the new record
  (``append`` returns False, counted ``dropped_full``); ``drop_oldest`` deletes the oldest
  unacknowledged segment (counted ``dropped_oldest`` with its record count, logged).
* ``set_aside`` keeps refused records in ``rejected/`` for an operator (not counted in
  ``max_bytes``, never deleted by the spool).
* ``replace_pending`` swaps every unacknowledged record for new ones atomically (the emitter
  re-chains them onto a new stream): the new segment is written and fsynced under a temporary
  name, the cursor moved onto it (the commit point), then it is renamed and the old segments
  deleted; a crash before the commit leaves the old records, after it the new ones.
* Thread-safe: appends take one short lock; fsync and reading happen outside that lock.

Records must not contain b"\\n" (the caller guarantees it; it is not checked).
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from ._spooldisk import (
    CURSOR,
    LOCK,
    NEW,
    SUFFIX,
    Position,
    SpoolBatch,
    datasync,
    fsync_dir,
    recover,
    segment_path,
    write_durably,
    write_rejected,
)
from .errors import SpoolError

try:  # POSIX only; elsewhere the single-process rule is not enforced
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

__all__ = ["Position", "Spool", "SpoolBatch"]

log = logging.getLogger(__name__)

_CHUNK = 256 * 1024  # bytes read at a time


class Spool:
    """Durable append-only queue; see the module docstring for the guarantees."""

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        max_bytes: int = 256 * 2**20,
        segment_bytes: int = 8 * 2**20,
        on_full: Literal["drop_newest", "drop_oldest"] = "drop_newest",
    ) -> None:
        if max_bytes <= 0 or segment_bytes <= 0:
            raise ValueError("max_bytes and segment_bytes must be positive")
        if on_full not in ("drop_newest", "drop_oldest"):
            raise ValueError(f"unknown on_full policy {on_full!r}")
        self._dir = Path(directory)
        self._max_bytes = max_bytes
        self._segment_bytes = min(segment_bytes, max_bytes)
        self._on_full = on_full
        self._lock = threading.Lock()  # in-memory state; held briefly, never across fsync
        self._persist_lock = threading.Lock()  # orders cursor writes (taken before _lock)
        self._segments: dict[int, int] = {}  # id -> bytes, ascending ids
        self._fd: int | None = None
        self._write_id = 0
        self._dirty = False  # current segment written since last sync
        self._dir_dirty = False  # a segment was created since last sync
        self._retired: list[int] = []  # fds of rotated segments not yet synced
        self._rotate_next = False
        self._cursor: Position = (0, 0)
        self._last: bytes | None = None
        self._pending = 0
        self._bytes = 0
        self._rejected_seq = 0
        self._epoch = 0
        self._counts = dict.fromkeys(
            (
                "appended",
                "dropped_full",
                "dropped_oldest",
                "acked",
                "set_aside",
                "write_errors",
                "syncs",
                "truncated_bytes",
                "recovered_records",
                "replaced",
            ),
            0,
        )
        self._lock_fd: int | None = None
        try:
            self._open()
        except OSError as exc:
            self._release_lock_file()
            raise SpoolError(f"cannot open spool at {self._dir}: {exc}") from exc

    # ------------------------------------------------------------------ recovery
    def _seg_path(self, sid: int) -> Path:
        return segment_path(self._dir, sid)

    def _open(self) -> None:
        self._dir.mkdir(parents=True, exist_ok=True)
        self._lock_fd = os.open(self._dir / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        if fcntl is not None:
            try:
                fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise SpoolError(f"spool {self._dir} is in use by another process") from None
        found = recover(self._dir)
        self._segments = found.segments
        self._bytes = sum(found.segments.values())
        self._cursor = found.cursor
        self._last = found.last
        self._pending = found.pending
        self._counts["truncated_bytes"] += found.truncated_bytes
        self._counts["recovered_records"] = found.pending
        self._write_id = max(found.segments)
        self._fd = os.open(self._seg_path(self._write_id), os.O_WRONLY | os.O_APPEND)
        fsync_dir(self._dir)

    # ------------------------------------------------------------------ appending
    def append(self, record: bytes) -> bool:
        """Append one record; True once it is written, False if refused because full."""
        with self._lock:
            return self._append_locked(record + b"\n")

    def _append_locked(self, data: bytes) -> bool:
        fd = self._fd
        if fd is None:
            raise SpoolError("spool is closed")
        n = len(data)
        size = self._segments[self._write_id]
        if self._rotate_next or (size and size + n > self._segment_bytes):
            self._rotate()
            fd, size = self._fd, 0
            assert fd is not None
        if self._bytes + n > self._max_bytes and not self._make_room(n):
            self._counts["dropped_full"] += 1
            return False
        if self._fd != fd:  # _make_room rotated
            fd, size = self._fd, 0
            assert fd is not None
        try:
            written = os.write(fd, data)
        except OSError as exc:
            self._repair(fd, size)
            raise SpoolError(f"spool write failed: {exc}") from exc
        if written != n:
            self._repair(fd, size)
            raise SpoolError(f"spool short write ({written} of {n} bytes)")
        self._segments[self._write_id] = size + n
        self._bytes += n
        self._pending += 1
        self._last = data[:-1]
        self._counts["appended"] += 1
        self._dirty = True
        return True

    def _repair(self, fd: int, size: int) -> None:
        """Undo a failed/partial write so the next record does not merge with a torn one."""
        self._counts["write_errors"] += 1
        try:
            os.ftruncate(fd, size)
        except OSError:
            self._rotate_next = True  # leave the torn tail behind; recovery truncates it

    def _rotate(self) -> None:
        new_id = self._write_id + 1
        try:
            fd = os.open(
                self._seg_path(new_id), os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600
            )
        except OSError as exc:
            raise SpoolError(f"cannot create spool segment: {exc}") from exc
        old = self._fd
        if old is not None:
            if self._dirty:
                self._retired.append(old)  # fsynced and closed by the next sync()
            else:
                os.close(old)
        self._fd, self._write_id, self._dirty, self._rotate_next = fd, new_id, False, False
        self._segments[new_id] = 0
        self._dir_dirty = True

    def _make_room(self, n: int) -> bool:
        """Called with the lock held when appending n bytes would exceed max_bytes."""
        self._normalize_cursor()  # first reclaim what is fully acked, dropping nothing
        if self._cursor == (self._write_id, self._segments[self._write_id]) and self._cursor[1]:
            self._rotate()  # everything is acked: the write segment can go too
            self._normalize_cursor()
        self._delete_locked([s for s in self._segments if s < self._cursor[0]])
        if self._bytes + n <= self._max_bytes:
            return True
        if self._on_full == "drop_newest" or n > self._max_bytes:
            return False
        while self._bytes + n > self._max_bytes:
            oldest = next(iter(self._segments))
            if oldest == self._write_id:
                self._rotate()
            start = self._cursor[1] if self._cursor[0] == oldest else 0
            try:
                with open(self._seg_path(oldest), "rb") as f:
                    f.seek(start)
                    dropped = f.read(self._segments[oldest] - start).count(b"\n")
            except OSError as exc:
                raise SpoolError(f"cannot drop oldest spool segment: {exc}") from exc
            self._delete_locked([oldest])
            self._cursor = (next(iter(self._segments)), 0)
            self._pending -= dropped
            self._counts["dropped_oldest"] += dropped
            log.warning(
                "spool full (%d bytes): dropped %d oldest records", self._max_bytes, dropped
            )
        return True

    def _delete_locked(self, sids: list[int]) -> None:
        for sid in sids:
            self._bytes -= self._segments.pop(sid)
            self._seg_path(sid).unlink(missing_ok=True)

    def sync(self) -> None:
        """fdatasync every segment written since the last sync (and the directory if needed)."""
        with self._lock:
            fds, self._retired = self._retired, []
            cur = os.dup(self._fd) if self._fd is not None and self._dirty else None
            self._dirty = False
            dir_dirty, self._dir_dirty = self._dir_dirty, False
            self._counts["syncs"] += 1
        if cur is not None:
            fds.append(cur)
        error: OSError | None = None
        for fd in fds:
            try:
                datasync(fd)
            except OSError as exc:
                error = exc
            finally:
                os.close(fd)
        try:
            if dir_dirty:
                fsync_dir(self._dir)
        except OSError as exc:
            error = exc
        if error is not None:
            raise SpoolError(f"spool fsync failed: {error}") from error

    # ------------------------------------------------------------------ reading
    def read_batch(self, max_records: int, max_bytes: int) -> SpoolBatch | None:
        """Oldest unacknowledged records (at least one, even if larger than max_bytes)."""
        with self._lock:
            if self._fd is None:
                raise SpoolError("spool is closed")
            start = self._cursor
            plan = [(sid, size) for sid, size in self._segments.items() if sid >= start[0]]
        records: list[bytes] = []
        positions: list[Position] = []
        nbytes = 0
        for sid, end in plan:
            pos = start[1] if sid == start[0] else 0  # file offset of buf[0]
            buf, i = b"", 0  # i: where the next record starts in buf
            try:
                with open(self._seg_path(sid), "rb") as f:
                    f.seek(pos)
                    while len(records) < max_records:
                        nl = buf.find(b"\n", i)
                        if nl < 0:  # only whole lines below `end` are ever read
                            left = end - (pos + len(buf))
                            chunk = f.read(min(left, _CHUNK)) if left > 0 else b""
                            if not chunk:
                                break
                            buf, pos, i = buf[i:] + chunk, pos + i, 0
                            continue
                        if records and nbytes + nl + 1 - i > max_bytes:
                            return SpoolBatch(tuple(records), tuple(positions), start, nbytes)
                        records.append(buf[i:nl])
                        positions.append((sid, pos + nl + 1))
                        nbytes += nl + 1 - i
                        i = nl + 1
            except FileNotFoundError:
                continue  # dropped by drop_oldest meanwhile
            except OSError as exc:
                raise SpoolError(f"spool read failed: {exc}") from exc
            if len(records) >= max_records:
                break
        return SpoolBatch(tuple(records), tuple(positions), start, nbytes) if records else None

    # ------------------------------------------------------------------ acknowledging
    def ack(self, batch: SpoolBatch) -> None:
        """Mark the batch delivered: persist the cursor, then delete fully acked segments."""
        self._ack(batch, "acked")

    def _ack(self, batch: SpoolBatch, counter: str) -> None:
        with self._persist_lock:
            with self._lock:
                if self._fd is None:
                    raise SpoolError("spool is closed")
                if batch.end <= self._cursor:
                    return
                n = sum(1 for p in batch.positions if p > self._cursor)
                self._cursor = batch.end
                self._normalize_cursor()
                if self._cursor == (self._write_id, self._segments[self._write_id]) > (0, 0):
                    # everything is acknowledged: start a new segment so this one goes too
                    with contextlib.suppress(SpoolError):  # kept until the next ack, then
                        self._rotate()
                        self._normalize_cursor()
                self._pending -= n
                self._counts[counter] += n
                doomed = [sid for sid in self._segments if sid < self._cursor[0]]
                for sid in doomed:
                    self._bytes -= self._segments.pop(sid)
                state = {
                    "segment": self._cursor[0],
                    "offset": self._cursor[1],
                    "last": None if self._last is None else base64.b64encode(self._last).decode(),
                }
            try:
                self._write_cursor(state)
            finally:  # acked records were delivered: deleting them never loses anything
                for sid in doomed:
                    self._seg_path(sid).unlink(missing_ok=True)

    def _normalize_cursor(self) -> None:
        """Move the cursor off the end of sealed segments onto the start of the next one."""
        sid, off = self._cursor
        while sid != self._write_id and off >= self._segments.get(sid, 0):
            sid, off = next((s for s in self._segments if s > sid), self._write_id), 0
        self._cursor = (sid, off)

    def _write_cursor(self, state: Mapping[str, object]) -> None:
        tmp = self._dir / (CURSOR + ".tmp")
        try:
            write_durably(tmp, json.dumps(state).encode())
            os.replace(tmp, self._dir / CURSOR)
            fsync_dir(self._dir)
        except OSError as exc:
            raise SpoolError(f"cannot persist spool cursor: {exc}") from exc

    def set_aside(self, batch: SpoolBatch, reason: str) -> None:
        """Move the batch to rejected/<ts>-<n>.jsonl (+ .reason) and acknowledge it."""
        with self._lock:
            cursor = self._cursor
        recs = [r for r, p in zip(batch.records, batch.positions, strict=True) if p > cursor]
        if not recs:
            return
        note = f"{reason}\nrecords: {len(recs)}\nspool: {list(batch.start)}..{list(batch.end)}\n"
        try:
            where, self._rejected_seq = write_rejected(self._dir, self._rejected_seq, recs, note)
        except OSError as exc:
            raise SpoolError(f"cannot set batch aside: {exc}") from exc
        log.info("spool: set aside %d records in %s: %s", len(recs), where, reason)
        self._ack(batch, "set_aside")

    def replace_pending(self, start: Position, records: list[bytes]) -> None:
        """Replace every unacknowledged record (from ``start``, the current ack position) with
        ``records``, atomically: after a crash either all old or all new records are pending.

        Appends wait meanwhile (the lock is held across the fsyncs: this is rare)."""
        with self._persist_lock, self._lock:
            fd = self._fd
            if fd is None:
                raise SpoolError("spool is closed")
            if self._cursor != start:
                raise SpoolError(f"spool moved on ({self._cursor} != {start}): nothing replaced")
            new_id = self._write_id + 1
            data = b"".join(r + b"\n" for r in records)
            staged = self._dir / f"{new_id:016d}{SUFFIX}{NEW}"
            last = records[-1] if records else self._last
            state = {
                "segment": new_id,
                "offset": 0,
                "last": None if last is None else base64.b64encode(last).decode(),
            }
            try:
                write_durably(staged, data)
                fsync_dir(self._dir)
                self._write_cursor(state)  # the commit point
                os.replace(staged, self._seg_path(new_id))
                fsync_dir(self._dir)
                new_fd = os.open(self._seg_path(new_id), os.O_WRONLY | os.O_APPEND)
            except OSError as exc:
                raise SpoolError(f"cannot replace the pending records: {exc}") from exc
            for old in [fd, *self._retired]:
                with contextlib.suppress(OSError):
                    os.close(old)
            doomed = list(self._segments)
            self._retired, self._dirty, self._dir_dirty = [], False, False
            self._fd, self._write_id, self._rotate_next = new_fd, new_id, False
            self._segments = {new_id: len(data)}
            self._bytes = len(data)
            self._cursor = (new_id, 0)
            self._pending = len(records)
            self._last = last
            self._counts["replaced"] += len(records)
            self._epoch += 1
        for sid in doomed:
            self._seg_path(sid).unlink(missing_ok=True)

    # ------------------------------------------------------------------ introspection
    def last_record(self) -> bytes | None:
        """The newest record ever appended (survives ack of everything and reopening)."""
        with self._lock:
            return self._last

    @property
    def epoch(self) -> int:
        """How many times ``replace_pending`` moved the records (positions then change)."""
        with self._lock:
            return self._epoch

    def pending(self) -> int:
        """Records appended but neither acknowledged, set aside nor dropped."""
        with self._lock:
            return self._pending

    def ack_position(self) -> Position:
        """Position up to which everything is acknowledged (monotonic)."""
        with self._lock:
            return self._cursor

    def append_position(self) -> Position:
        """Position just past the newest appended record (monotonic)."""
        with self._lock:
            return (self._write_id, self._segments[self._write_id])

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {
                **self._counts,
                "pending": self._pending,
                "bytes_on_disk": self._bytes,
                "segments": len(self._segments),
            }

    @property
    def directory(self) -> Path:
        return self._dir

    def close(self) -> None:
        """Sync and close; idempotent. Further appends raise SpoolError."""
        if self._fd is None:
            return
        try:
            self.sync()
        finally:
            with self._lock:
                fd, self._fd = self._fd, None
            if fd is not None:
                os.close(fd)
            self._release_lock_file()

    def _release_lock_file(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing releases the flock
            self._lock_fd = None

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:  # an unclosed spool: release descriptors (no fsync here)
        fds = [getattr(self, "_fd", None), getattr(self, "_lock_fd", None)]
        for fd in fds + list(getattr(self, "_retired", ())):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
