"""The recorder: a relay hands it a copy of what it forwarded, and returns at once.

Guarantee: nothing the relay calls here parses, blocks on I/O or raises. ``stream`` and
``message`` take the bytes the relay has *already* forwarded, stamp the time, and queue them
(one lock-protected counter, one queue put); framing, JSON parsing, pairing and the emitter's
stages all run on the recorder's own thread. A large response is read by its envelope only
(``_envelope.py``: a megabyte of tool result is not parsed to be dropped).

Failure behaviour: auditing never stops the relay. If the emitter cannot be built, the recorder
drains and drops (logged once). If the backlog passes ``max_backlog`` bytes (the recorder
cannot keep up, e.g. a burst of huge results), the excess is dropped, not buffered: the framing
re-synchronises at the next newline, calls whose messages were dropped end as ``no_response``,
and the loss is logged and counted in ``stats()["dropped_bytes"]``. A message that is not JSON
is counted (``unparsed``) and skipped; the relay forwarded it unchanged anyway.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Collection
from typing import Any, Final

from .._emitter import Emitter
from ..mcpwire import DEFAULT_DENY_CODES
from ._envelope import ENVELOPE_MIN, envelope
from ._exchange import CLIENT, SERVER, Exchange

__all__ = ["DEFAULT_METHODS", "Recorder"]

log = logging.getLogger("tooltrail.emitter.relay")

DEFAULT_METHODS: Final = ("tools/call", "resources/read", "prompts/get")
"""The requests recorded by default: the server-side hook's (``tools/list`` is recorded too)."""

_STREAM, _MESSAGE, _GAP, _STOP, _SSE, _SSE_END, _SKIMMED = range(7)  # the worker's frames too


def crossing_time() -> tuple[int, int]:
    """A crossing time for ``message(at=...)``: (µs since the epoch, ``perf_counter_ns``)."""
    return time.time_ns() // 1000, time.perf_counter_ns()


class Recorder:
    """Records the calls of one relay on a background thread (see the module docstring).

    ``make_emitter(clock)`` builds the emitter on that thread (a slow spool or key load never
    delays the first forwarded byte); it must pass ``clock`` to ``Emitter(clock=...)``, so each
    event's ``ts`` is when its request crossed the relay, not when it was recorded.
    """

    def __init__(
        self,
        make_emitter: Callable[[Callable[[], int]], Emitter],
        *,
        relay: str,
        transport: str,
        methods: Collection[str] = DEFAULT_METHODS,
        deny_codes: Collection[int] = DEFAULT_DENY_CODES,
        server_address: str | None = None,
        record_tools_list: bool = True,
        max_backlog: int = 64 * 2**20,
        max_line: int = 64 * 2**20,
        close_timeout: float = 2.0,
    ) -> None:
        self._make_emitter = make_emitter
        self._options: dict[str, Any] = {
            "methods": methods,
            "deny_codes": deny_codes,
            "transport": transport,
            "relay": relay,
            "server_address": server_address,
            "record_tools_list": record_tools_list,
        }
        self._max_backlog = max_backlog
        self._max_line = max_line
        self._close_timeout = close_timeout
        self._queue: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._backlog = 0
        self._local = threading.local()
        self._stats = {"messages": 0, "unparsed": 0, "dropped_bytes": 0, "errors": 0, "events": 0}
        self._emitter: Emitter | None = None
        self._thread = threading.Thread(target=self._run, name="tooltrail-recorder", daemon=True)
        self._thread.start()

    # -- the relay's side (hot path) -------------------------------------------------------

    def clock(self) -> int:
        """The emitter's clock: a recorded request's time while it is recorded, else now."""
        ts: int | None = getattr(self._local, "ts", None)
        return ts if ts is not None else time.time_ns() // 1000

    def stream(self, sender: int, chunk: bytes, at: tuple[int, int] | None = None) -> None:
        """A chunk of newline-delimited JSON-RPC that ``sender`` (CLIENT / SERVER) sent."""
        ts_us, t_ns = at or self.now()
        self._put((_STREAM, sender, chunk, ts_us, t_ns))

    now = staticmethod(crossing_time)

    def message(
        self,
        sender: int,
        body: bytes,
        session: str | None = None,
        at: tuple[int, int] | None = None,
    ) -> None:
        """One whole JSON-RPC message or batch (an HTTP request or response body) that crossed
        at ``at`` (:meth:`now`; default: now), in ``session`` (the ``Mcp-Session-Id``)."""
        ts_us, t_ns = at or self.now()
        self._put((_MESSAGE, sender, body, ts_us, t_ns, session))

    def skimmed(
        self,
        sender: int,
        envelope: bytes,
        size: int,
        session: str | None = None,
        at: tuple[int, int] | None = None,
    ) -> None:
        """A message of ``size`` bytes whose envelope (``_envelope.envelope``, as JSON) was
        taken by the sender of these copies (``_skim.py``): recorded as the message would be."""
        ts_us, t_ns = at or self.now()
        self._put((_SKIMMED, sender, envelope, ts_us, t_ns, session, size))

    def sse(
        self,
        stream: object,
        chunk: bytes,
        session: str | None = None,
        at: tuple[int, int] | None = None,
    ) -> None:
        """A chunk of a ``text/event-stream`` response from the server; ``stream``: any key
        unique to that response (each event's data is one JSON-RPC message)."""
        ts_us, t_ns = at or self.now()
        self._put((_SSE, stream, chunk, ts_us, t_ns, session))

    def lost(self, channel: object, *, ended_line: bool) -> None:
        """Bytes of ``channel`` (a sender, or an SSE stream's key) were dropped upstream of this
        recorder; ``ended_line``: they ended with a newline (framing resumes at once)."""
        self._queue.put((_GAP, channel, not ended_line))

    def sse_end(self, stream: object) -> None:
        """That response ended (its framing state is dropped)."""
        self._queue.put((_SSE_END, stream))

    def _put(self, item: tuple[Any, ...]) -> None:
        n = len(item[2])
        with self._lock:
            if self._backlog + n > self._max_backlog:
                self._stats["dropped_bytes"] += n
                # framing resumes after the next newline, unless the lost chunk ended a line
                item = (_GAP, item[1], not item[2].endswith(b"\n"))
                n = 0
            self._backlog += n
        self._queue.put(item)

    def close(self, timeout: float | None = None) -> dict[str, int]:
        """Record what is queued, end unanswered calls as ``no_response``, close the emitter
        (its final checkpoint); wait at most ``timeout`` seconds. Returns :meth:`stats`."""
        self._queue.put((_STOP,))
        self._thread.join(self._close_timeout if timeout is None else timeout)
        return self.stats()

    def stats(self) -> dict[str, int]:
        with self._lock:
            return dict(self._stats)

    # -- the recorder's thread -------------------------------------------------------------

    def _run(self) -> None:
        try:
            self._emitter = self._make_emitter(self.clock)
            exchange: Exchange | None = Exchange(self._emitter, at_ts=self._at_ts, **self._options)
        except Exception as exc:
            log.error("tooltrail: cannot record this relay's calls (no emitter): %r", exc)
            exchange = None
        lines: dict[int, list[bytes]] = {CLIENT: [], SERVER: []}
        sizes = {CLIENT: 0, SERVER: 0}
        resync = {CLIENT: False, SERVER: False}
        events: dict[object, _SseFrames] = {}
        while True:
            item = self._queue.get()
            kind = item[0]
            if kind == _STOP:
                break
            if kind == _GAP:
                if item[1] in lines:
                    lines[item[1]].clear()
                    sizes[item[1]] = 0
                    resync[item[1]] = item[2]
                elif item[1] in events:  # an SSE stream lost a chunk: its partial event too
                    events[item[1]] = _SseFrames()
                continue
            if kind == _SSE_END:
                events.pop(item[1], None)
                continue
            with self._lock:
                self._backlog -= len(item[2])
            if exchange is None:
                continue
            if kind == _MESSAGE:
                self._parse(exchange, item[1], item[2], item[3], item[4], item[5])
                continue
            if kind == _SKIMMED:
                _, sender, body, ts_us, t_ns, session, size = item
                self._record(exchange, sender, json.loads(body), size, ts_us, t_ns, session)
                continue
            if kind == _SSE:
                frames = events.setdefault(item[1], _SseFrames())
                for data in frames.feed(item[2]):
                    self._parse(exchange, SERVER, data, item[3], item[4], item[5])
                continue
            _, sender, chunk, ts_us, t_ns = item
            buf = lines[sender]
            start = 0
            while (end := chunk.find(b"\n", start)) >= 0:
                piece = chunk[start:end]
                start = end + 1
                if resync[sender]:  # the tail of a line whose head was dropped
                    resync[sender] = False
                    continue
                if buf:
                    buf.append(piece)
                    piece = b"".join(buf)
                    buf.clear()
                    sizes[sender] = 0
                self._parse(exchange, sender, piece, ts_us, t_ns, None)
            rest = len(chunk) - start
            if rest and not resync[sender]:
                if sizes[sender] + rest > self._max_line:
                    buf.clear()
                    sizes[sender] = 0
                    resync[sender] = True
                    self._count("dropped_bytes", rest)
                else:
                    buf.append(chunk[start:])
                    sizes[sender] += rest
        if exchange is not None:  # a last message without its newline
            for sender, buf in lines.items():
                if buf and not resync[sender]:
                    now = time.time_ns() // 1000
                    self._parse(exchange, sender, b"".join(buf), now, time.perf_counter_ns(), None)
        self._finish(exchange)

    def _parse(
        self,
        exchange: Exchange,
        sender: int,
        raw: bytes,
        ts_us: int,
        t_ns: int,
        session: str | None,
    ) -> None:
        size = len(raw)
        if raw.endswith(b"\r"):
            size -= 1
        if not raw.strip():
            return
        try:
            msg = envelope(raw) if size >= ENVELOPE_MIN else None
            if msg is None:
                msg = json.loads(raw)
        except ValueError:
            self._count("unparsed")
            return
        self._record(exchange, sender, msg, size, ts_us, t_ns, session)

    def _record(
        self,
        exchange: Exchange,
        sender: int,
        msg: Any,
        size: int,
        ts_us: int,
        t_ns: int,
        session: str | None,
    ) -> None:
        self._count("messages")
        try:
            exchange.message(sender, msg, size, ts_us, t_ns, session)
        except Exception as exc:
            self._failed(exc)

    def _finish(self, exchange: Exchange | None) -> None:
        try:
            if exchange is not None:
                exchange.close(time.perf_counter_ns())
        except Exception as exc:
            self._failed(exc)
        emitter = self._emitter
        if emitter is not None:
            self._stats["events"] = int(emitter.stats().get("recorded", 0))
            emitter.close(self._close_timeout)
        if self._stats["dropped_bytes"]:
            log.warning(
                "tooltrail: %d bytes of relayed traffic were not audited (recorder overloaded)",
                self._stats["dropped_bytes"],
            )

    def _at_ts(self, ts: int | None) -> None:
        self._local.ts = ts

    def _count(self, what: str, n: int = 1) -> None:
        with self._lock:
            self._stats[what] += n

    def _failed(self, exc: BaseException) -> None:
        self._count("errors")
        n = self._stats["errors"]
        if n <= 10 or n % 1000 == 0:
            log.error("tooltrail: could not record a relayed call: %r", exc)


class _SseFrames:
    """Server-sent events framing (WHATWG): lines end in LF, CR LF or CR; ``data:`` lines of
    one event are joined with LF; a blank line ends the event. Yields each event's data."""

    __slots__ = ("_data", "_tail")

    def __init__(self) -> None:
        self._tail = b""
        self._data: list[bytes] = []

    def feed(self, chunk: bytes) -> list[bytes]:
        out: list[bytes] = []
        text, hold = self._tail + chunk, b""
        if text.endswith(b"\r"):  # maybe the first half of a CR LF split across chunks
            text, hold = text[:-1], b"\r"
        lines = text.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
        self._tail = lines.pop() + hold
        for line in lines:
            if not line:
                if self._data:
                    out.append(b"\n".join(self._data))
                    self._data = []
            elif line.startswith(b"data:"):
                value = line[5:]
                self._data.append(value[1:] if value.startswith(b" ") else value)
        return out
