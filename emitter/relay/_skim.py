"""The relay's side of large responses: a megabyte answer goes to the recorder as its envelope.

The feeder of :class:`~._worker.ProcessRecorder` passes each stdio copy through a
:class:`LineSkimmer` before it writes to the worker. Guarantee: the worker receives, in order,
every byte it would have received, except that a complete line of
:data:`~._envelope.ENVELOPE_MIN` bytes or more whose JSON-RPC envelope ``_envelope.envelope``
reads with certainty is replaced by that envelope (compact JSON) and the line's wire size. The
worker's exchange then gets the same dict and size it would have derived from the line itself,
so the event is the same; the megabyte never crosses the pipe, nor is it read, framed and parsed
again in the worker. A line it cannot read with certainty, or only after more than
``max_steps`` quotes and brackets, is passed whole (the worker tries again, with its own limit).

The stdio framing: a chunk with no line held back that ends a line and is shorter than
``ENVELOPE_MIN`` is passed as it is (the common case: one small message per read, no scanning).
Otherwise the lines it completes are passed (or skimmed) and an unfinished last line is held
until its newline arrives (the chunks themselves, not copies; at most ``max_hold`` bytes per
sender: past that, what is held and the rest of that line go through as they came). Once what
is held of a line reaches ``ENVELOPE_MIN`` it is scanned as its chunks come
(``_envelope.EnvelopeScan``: its bytes are searched, never joined or decoded), and a line that
stops reading (a request, too many steps, malformed) goes through as it came at once.
:meth:`LineSkimmer.lost` mirrors the worker's gap handling (``Recorder.lost``),
:meth:`LineSkimmer.drain` hands back what is held at the end.
Nothing here raises on bad input: what does not read goes through unchanged.
"""

from __future__ import annotations

import json
from typing import Any, Final

from ._envelope import ENVELOPE_MIN, EnvelopeScan, envelope

__all__ = ["SKIM_STEPS", "LineSkimmer", "Piece", "skim"]

At = tuple[int, int]
Piece = tuple[bytes, At, int]
"""What to send: (payload, crossing time, wire size); wire size -1: raw bytes of the stream,
else the payload is the JSON of a skimmed line's envelope and the size that line had."""

SKIM_STEPS: Final = 256
"""The feeder's limit on skipped quotes and brackets (it shares the relay's GIL: a line of many
small items is left to the worker, whose limit is ``MAX_STEPS``)."""
RAW: Final = -1
_CR: Final = 13


def skim(line: bytes, max_steps: int = SKIM_STEPS) -> tuple[bytes, int] | None:
    """``line`` (one message, no newline) as (the JSON of its envelope, its wire size), or None
    when it is short or its envelope does not read with certainty."""
    size = len(line) - line.endswith(b"\r")  # the worker's measure: a CR before the LF is framing
    if size < ENVELOPE_MIN:
        return None
    msg: Any = envelope(line, max_steps)
    if msg is None:
        return None
    return json.dumps(msg, separators=(",", ":")).encode(), size


class _Line:
    """What the skimmer holds of one sender's unfinished line, and its scan once it is large."""

    __slots__ = ("pieces", "scan", "size")

    def __init__(self) -> None:
        self.pieces: list[tuple[bytes, At]] = []
        self.size = 0
        self.scan: EnvelopeScan | None = None


class LineSkimmer:
    """Per sender, the line framing that lets whole large lines be skimmed (module docstring)."""

    __slots__ = ("_lines", "_raw", "held_bytes", "max_hold", "max_steps")

    def __init__(self, max_hold: int = 64 * 2**20, max_steps: int = SKIM_STEPS) -> None:
        self.max_hold = max_hold
        self.max_steps = max_steps
        self.held_bytes = 0
        self._lines: dict[int, _Line] = {}  # per sender, its unfinished line
        self._raw: set[int] = set()  # senders passed raw up to their next newline

    def feed(self, sender: int, chunk: bytes, at: At) -> list[Piece]:
        """What to send for ``chunk`` of ``sender``'s stream, in order."""
        quiet = sender not in self._lines and sender not in self._raw
        if quiet and len(chunk) < ENVELOPE_MIN and chunk.endswith(b"\n"):
            return [(chunk, at, RAW)]
        out: list[Piece] = []
        pos = 0
        if sender in self._raw:  # the rest of a line that goes as it came
            end = chunk.find(b"\n")
            if end < 0:
                return [(chunk, at, RAW)]
            self._raw.discard(sender)
            pos = end + 1
            out.append((chunk[:pos], at, RAW))
        run = pos  # the start of complete lines not yet sent
        while (end := chunk.find(b"\n", pos)) >= 0:
            line = self._lines.pop(sender, None)  # only ever before this chunk's first newline
            if line is not None:
                self.held_bytes -= line.size
            skimmed = self._skim(line, chunk, pos, end)
            if skimmed is not None:
                if pos > run:
                    out.append((chunk[run:pos], at, RAW))
                out.append((skimmed[0], at, skimmed[1]))
                run = end + 1
            elif (
                line is not None
            ):  # the line stays whole: its held head goes first, its end with the run
                out += [(p, a, RAW) for p, a in line.pieces]
            pos = end + 1
        if pos > run:
            out.append((chunk[run:pos], at, RAW))
        if pos < len(chunk):
            self._hold(sender, chunk[pos:] if pos else chunk, at, out)
        return out

    def lost(self, sender: int, *, ended_line: bool) -> None:
        """A copy of ``sender``'s stream was dropped before the feeder: what is held of the
        broken line goes (the worker drops its part too); unless the lost bytes ended a line,
        the rest of that line is passed raw (the worker skips it)."""
        self._release(sender)
        if not ended_line:
            self._raw.add(sender)

    def drain(self) -> list[tuple[int, Piece]]:
        """At the end: what is held (unfinished lines), as it came, with its sender."""
        out = [(sender, (p, a, RAW)) for sender, ln in self._lines.items() for p, a in ln.pieces]
        self._lines.clear()
        self.held_bytes = 0
        return out

    def _skim(
        self, line: _Line | None, chunk: bytes, pos: int, end: int
    ) -> tuple[bytes, int] | None:
        """The line that ``chunk[pos:end]`` ends (after what ``line`` holds of it) as (the JSON
        of its envelope, its wire size), or None when it goes whole."""
        held = line.size if line is not None else 0
        if held + end - pos < ENVELOPE_MIN:
            return None
        last = chunk[end - 1] if end > pos else line.pieces[-1][0][-1] if line else 0
        size = held + end - pos - (last == _CR)  # a CR before the LF is framing
        if size < ENVELOPE_MIN:
            return None
        scan = line.scan if line is not None else None
        if scan is None:
            scan = EnvelopeScan(self.max_steps)
            if line is not None:
                for piece, _ in line.pieces:
                    scan.feed(piece)
        scan.feed(chunk, pos, end)
        msg = scan.result()
        return None if msg is None else (json.dumps(msg, separators=(",", ":")).encode(), size)

    def _hold(self, sender: int, rest: bytes, at: At, out: list[Piece]) -> None:
        """Hold ``rest`` (the start of a line, or more of it); scan it once the line is large.
        A line too long to hold, or that does not read, goes as it came."""
        line = self._lines.get(sender)
        if line is None:
            line = self._lines[sender] = _Line()
        line.pieces.append((rest, at))
        line.size += len(rest)
        self.held_bytes += len(rest)
        readable = line.size <= self.max_hold
        if readable and line.scan is not None:
            readable = line.scan.feed(rest)
        elif readable and line.size >= ENVELOPE_MIN:  # large from now on: scan what is held
            line.scan = EnvelopeScan(self.max_steps)
            readable = all(line.scan.feed(piece) for piece, _ in line.pieces)
        if not readable:
            out += [(p, a, RAW) for p, a in line.pieces]
            self._release(sender)
            self._raw.add(sender)

    def _release(self, sender: int) -> None:
        line = self._lines.pop(sender, None)
        if line is not None:
            self.held_bytes -= line.size
