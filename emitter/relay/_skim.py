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
until its newline arrives (at most ``max_hold`` bytes per sender: past that, what is held and
the rest of that line go through as they came). :meth:`LineSkimmer.lost` mirrors the worker's
gap handling (``Recorder.lost``), :meth:`LineSkimmer.drain` hands back what is held at the end.
Nothing here raises on bad input: what does not read goes through unchanged.
"""

from __future__ import annotations

import json
from typing import Any, Final

from ._envelope import ENVELOPE_MIN, envelope

__all__ = ["SKIM_STEPS", "LineSkimmer", "Piece", "skim"]

At = tuple[int, int]
Piece = tuple[bytes, At, int]
"""What to send: (payload, crossing time, wire size); wire size -1: raw bytes of the stream,
else the payload is the JSON of a skimmed line's envelope and the size that line had."""

SKIM_STEPS: Final = 256
"""The feeder's limit on skipped quotes and brackets (it shares the relay's GIL: a line of many
small items is left to the worker, whose limit is ``MAX_STEPS``)."""
RAW: Final = -1


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


class LineSkimmer:
    """Per sender, the line framing that lets whole large lines be skimmed (module docstring)."""

    __slots__ = ("_held", "_raw", "_sizes", "held_bytes", "max_hold", "max_steps")

    def __init__(self, max_hold: int = 64 * 2**20, max_steps: int = SKIM_STEPS) -> None:
        self.max_hold = max_hold
        self.max_steps = max_steps
        self.held_bytes = 0
        self._held: dict[int, list[tuple[bytes, At]]] = {}
        self._sizes: dict[int, int] = {}  # bytes held, per sender
        self._raw: set[int] = set()  # senders passed raw up to their next newline

    def feed(self, sender: int, chunk: bytes, at: At) -> list[Piece]:
        """What to send for ``chunk`` of ``sender``'s stream, in order."""
        quiet = sender not in self._held and sender not in self._raw
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
            held = self._held.get(sender)  # only ever before this chunk's first newline
            skimmed = None
            if end - pos + self._sizes.get(sender, 0) >= ENVELOPE_MIN:
                line = b"".join([p for p, _ in held] + [chunk[pos:end]]) if held else chunk[pos:end]
                skimmed = skim(line, self.max_steps)
            if skimmed is not None:
                if pos > run:
                    out.append((chunk[run:pos], at, RAW))
                out.append((skimmed[0], at, skimmed[1]))
                run = end + 1
                self._release(sender)
            elif held:  # the line stays whole: its held head goes first, its end with the run
                out += [(p, a, RAW) for p, a in held]
                self._release(sender)
            pos = end + 1
        if pos > run:
            out.append((chunk[run:pos], at, RAW))
        if pos < len(chunk):
            self._hold(sender, chunk[pos:], at, out)
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
        out = [(sender, (p, a, RAW)) for sender, held in self._held.items() for p, a in held]
        self._held.clear()
        self._sizes.clear()
        self.held_bytes = 0
        return out

    def _hold(self, sender: int, rest: bytes, at: At, out: list[Piece]) -> None:
        self._held.setdefault(sender, []).append((rest, at))
        self._sizes[sender] = self._sizes.get(sender, 0) + len(rest)
        self.held_bytes += len(rest)
        if self._sizes[sender] > self.max_hold:  # too long to hold: it goes as it came
            out += [(p, a, RAW) for p, a in self._held[sender]]
            self._release(sender)
            self._raw.add(sender)

    def _release(self, sender: int) -> None:
        self._held.pop(sender, None)
        self.held_bytes -= self._sizes.pop(sender, 0)
