"""``drive``: send a simulation through the real emitter → collector path, in event time.

One :class:`~tooltrail.emitter.Emitter` per simulated server records each call with the call's
own timestamp (an injected clock), duration, size and outcome. Whenever event time crosses a
``tick_us`` boundary, every emitter is flushed (the collector acknowledged every event before the
boundary) and only then ``on_tick(boundary)`` runs, so a live detector can score complete
windows. Raises :class:`SimulatorError` if the collector did not take everything in time.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tooltrail.emitter import Actor, Emitter
from tooltrail.emitter.mcpwire import TOOL_HINTS_ATTR

from .errors import SimulatorError
from .frame import DEFAULT_FINGERPRINT_KEY, Annotations, call_hints, hints_of, recorded_uri
from .model import SimCall, Simulation

__all__ = ["DriveReport", "drive", "record"]

log = logging.getLogger(__name__)

_TEN_MINUTES_US = 600_000_000


@dataclass(frozen=True)
class DriveReport:
    """What :func:`drive` sent: calls, per server, wall time, throughput, ticks."""

    calls: int
    per_server: dict[str, int] = field(default_factory=dict)
    wall_seconds: float = 0.0
    events_per_second: float = 0.0
    ticks: int = 0


class _Progress:
    """A rich progress bar over calls showing the simulated day (or nothing)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self._bar = None
        self._task = None
        if enabled:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
            )
            self._task = self._bar.add_task("simulating", total=total)
            self._bar.start()

    def update(self, done: int, ts: int) -> None:
        if self._bar is not None and self._task is not None:
            day = datetime.fromtimestamp(ts / 1e6, UTC).strftime("%a %Y-%m-%d %H:%M")
            self._bar.update(self._task, completed=done, description=f"event time {day}")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


@contextmanager
def _emitters(
    servers: list[str],
    *,
    clock: Callable[[], int],
    collector_url: str,
    api_keys: Mapping[str, str],
    spool_root: Path,
    fingerprint_key: bytes,
) -> Iterator[dict[str, Emitter]]:
    missing = [s for s in servers if s not in api_keys]
    if missing:
        raise SimulatorError(f"api_keys: no API key for server(s) {', '.join(missing)}")
    out: dict[str, Emitter] = {}
    try:
        for server in servers:
            out[server] = Emitter(
                source_name=server,
                source_kind="server",
                spool_dir=spool_root / server,
                collector_url=collector_url,
                api_key=api_keys[server],
                fingerprint_key=fingerprint_key,
                flush_interval=0.02,
                clock=clock,
            )
        yield out
    finally:
        for em in out.values():
            em.close()


def drive(
    sim: Simulation,
    *,
    collector_url: str,
    api_keys: Mapping[str, str],
    spool_root: Path,
    fingerprint_key: bytes = DEFAULT_FINGERPRINT_KEY,
    on_signer: Callable[[str, str], None] | None = None,
    tick_us: int = _TEN_MINUTES_US,
    on_tick: Callable[[int], None] | None = None,
    progress: bool = False,
    flush_timeout: float = 60.0,
    annotations: Annotations | None = None,
) -> DriveReport:
    """Record every call of ``sim`` through one emitter per server, in order of event time.

    ``api_keys`` maps server → API key; ``on_signer(server, public_key_b64)`` runs for each
    emitter that signs checkpoints, before any call is recorded (register it with the
    collector). After the last call everything is flushed, the emitters are closed and
    ``on_tick(last ts + 1)`` runs. ``annotations``: the tools' MCP annotations, recorded as the
    hooks record them (``attrs["tooltrail.tool.hints"]``).
    """
    if tick_us <= 0:
        raise ValueError("tick_us must be positive")
    calls = sim.calls
    hints = hints_of(annotations)
    servers = sorted({c.server for c in calls})
    now = [calls[0].ts if calls else 0]
    started = time.perf_counter()
    per_server: Counter[str] = Counter()
    ticks = 0
    bar = _Progress(len(calls), progress)
    try:
        with (
            _emitters(
                servers,
                clock=lambda: now[0],
                collector_url=collector_url,
                api_keys=api_keys,
                spool_root=spool_root,
                fingerprint_key=fingerprint_key,
            ) as emitters,
            ThreadPoolExecutor(max(1, len(servers)), thread_name_prefix="sim-flush") as pool,
        ):
            for server, em in emitters.items():
                if on_signer is not None and em.signer is not None:
                    on_signer(server, em.signer.public_key_b64)
            dirty: set[str] = set()

            def flush() -> None:
                names = sorted(dirty)
                results = pool.map(lambda s: emitters[s].flush(flush_timeout), names)
                failed = [s for s, ok in zip(names, results, strict=True) if not ok]
                if failed:
                    raise SimulatorError(
                        f"the collector did not accept every event of {', '.join(failed)} "
                        f"within {flush_timeout}s (stats: {emitters[failed[0]].stats()})"
                    )
                dirty.clear()

            actors: dict[tuple[str, str, str, str], Actor] = {}
            boundary = (calls[0].ts // tick_us + 1) * tick_us if calls else 0
            for i, c in enumerate(calls):
                while c.ts >= boundary:
                    flush()
                    if on_tick is not None:
                        on_tick(boundary)
                    ticks += 1
                    boundary += tick_us
                now[0] = c.ts
                record(emitters[c.server], c, actors, hints=call_hints(c, hints))
                dirty.add(c.server)
                per_server[c.server] += 1
                if i % 256 == 0:
                    bar.update(i, c.ts)
            flush()
            bar.update(len(calls), now[0])
    finally:
        bar.close()
    if on_tick is not None and calls:
        on_tick(calls[-1].ts + 1)
        ticks += 1
    wall = time.perf_counter() - started
    return DriveReport(
        calls=len(calls),
        per_server=dict(sorted(per_server.items())),
        wall_seconds=wall,
        events_per_second=len(calls) / wall if wall > 0 else 0.0,
        ticks=ticks,
    )


def record(
    em: Emitter,
    c: SimCall,
    actors: dict[tuple[str, str, str, str], Actor] | None = None,
    *,
    hints: str = "",
) -> None:
    """Record one simulated call with ``em`` as its server would: arguments, actor, session,
    trace, resource, size, duration, outcome and the tool's ``hints`` (the time is whatever
    ``em``'s clock says). ``actors`` caches the Actor objects between calls."""
    key = (c.user, c.agent, c.client, c.client_version)
    actor = actors.get(key) if actors is not None else None
    if actor is None:
        actor = Actor(user=c.user, client=c.client, client_version=c.client_version, agent=c.agent)
        if actors is not None:
            actors[key] = actor
    with em.record(
        c.method,
        tool=c.tool,
        args=c.args,
        actor=actor,
        session_id=c.session_id,
        trace_id=c.trace_id,
        resource_uri=recorded_uri(c),
        attrs={TOOL_HINTS_ATTR: hints} if hints else None,
    ) as call:
        call.set_result_bytes(c.result_bytes)
        call.set_duration_us(c.duration_us)
        if c.outcome == "denied":
            call.deny(c.error_type or "denied")
        elif c.outcome == "error":
            call.fail(c.error_type or "error")
