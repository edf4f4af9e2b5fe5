"""Calls as drafts: a task is one piece of work by one actor, a run of calls a few seconds apart.

A :class:`Recorder` collects drafts (mutable rows) and turns them into sorted
:class:`~tooltrail.simulator.model.SimCall` objects at the end (:meth:`Recorder.calls`), giving
each actor's agent an MCP session per server (a client connects to each server on its own),
opened with ``tools/list`` and renewed after three quiet hours. Outcomes, sizes and durations are
drawn from the tool's catalogue entry unless the caller fixes them.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, fields
from typing import Any, Final

from ..model import SimCall
from .catalog import DENIALS, LIST_BYTES, TOOLS

__all__ = ["Actor", "Recorder", "Task"]

_SESSION_GAP_US: Final = 3 * 3_600_000_000
_DRAFT_TS, _DRAFT_SERVER, _DRAFT_USER, _DRAFT_AGENT = 0, 1, 6, 7


@dataclass(frozen=True, slots=True)
class Actor:
    """Who calls: user, agent, client and the client's version at the time."""

    user: str
    agent: str
    client: str
    version: str


class Task:
    """Calls of one actor on one errand, sharing a trace; ``t`` advances as calls are made."""

    __slots__ = ("actor", "label", "rec", "t", "trace")

    def __init__(self, rec: Recorder, actor: Actor, t: int, label: str) -> None:
        self.rec, self.actor, self.t, self.label = rec, actor, t, label
        self.trace = f"{rec.rng.getrandbits(128):032x}"

    def call(
        self,
        tool: str,
        args: dict[str, Any],
        *,
        think: tuple[float, float] = (1.0, 8.0),
        error: str | None = None,
        size: float = 1.0,
        ok: bool = False,
        result: int | None = None,
    ) -> None:
        """Call ``tool``: ``error`` forces that failure, ``ok`` forbids one; ``size`` scales the
        result (``result`` fixes it and forbids a failure); ``think`` is the agent's pause
        before the call (seconds, uniform)."""
        spec = TOOLS[tool]
        self._add(
            "tools/call",
            spec.server,
            tool,
            None,
            args,
            spec.result_b * size,
            spec.dur_ms,
            spec.fail,
            spec.errors,
            think,
            error,
            ok or result is not None,
            result,
        )

    def read(self, uri: str, *, think: tuple[float, float] = (1.0, 6.0), size: int = 6_000) -> None:
        """``resources/read`` of ``uri`` (``ehr://`` or ``docs://``)."""
        server = "ehr" if uri.startswith("ehr://") else "docs"
        self._add(
            "resources/read",
            server,
            None,
            uri,
            {},
            size,
            160,
            0.01,
            ("not_found",),
            think,
            None,
            False,
            None,
        )

    def list_tools(self, server: str, size: int) -> None:
        self._add(
            "tools/list",
            server,
            None,
            None,
            {},
            size,
            40,
            0.002,
            ("timeout",),
            (0.0, 0.2),
            None,
            False,
            None,
        )

    def wait(self, seconds: float) -> None:
        self.t += int(seconds * 1_000_000)

    def _add(
        self,
        method: str,
        server: str,
        tool: str | None,
        uri: str | None,
        args: dict[str, Any],
        size: float,
        ms: int,
        fail: float,
        errors: tuple[str, ...],
        think: tuple[float, float],
        error: str | None,
        ok: bool,
        fixed: int | None,
    ) -> None:
        rng = self.rec.rng
        self.t += int(rng.uniform(*think) * 1_000_000)
        if error is None and not ok and rng.random() < fail:
            error = rng.choice(errors)
        if error is None:
            outcome = "ok"
            result = fixed or max(40, int(size * math.exp(rng.gauss(0, 0.55))))
            dur = max(1_000, int(ms * 1000 * math.exp(rng.gauss(0, 0.45))))
        else:
            outcome = "denied" if error in DENIALS else "error"
            result = rng.randint(90, 420)
            dur = 30_000_000 if error == "timeout" else max(1_000, int(ms * 600 * rng.random()))
        a = self.actor
        self.rec.drafts.append(
            [
                self.t,
                server,
                method,
                tool,
                uri,
                args,
                a.user,
                a.agent,
                a.client,
                a.version,
                self.trace,
                outcome,
                error,
                dur,
                result,
                self.label,
            ]
        )
        self.t += dur


_FIELDS: Final = tuple(f.name for f in fields(SimCall))


def _call(row: list[Any]) -> SimCall:
    """A draft row with its session inserted, as a call (fields in :class:`SimCall`'s order)."""
    return SimCall(**dict(zip(_FIELDS, row, strict=True)))


class Recorder:
    """Collects drafts from tasks; :meth:`calls` gives the finished, sorted calls."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.drafts: list[list[Any]] = []

    def task(self, actor: Actor, t: int, label: str = "") -> Task:
        return Task(self, actor, t, label)

    def calls(self, start_us: int, end_us: int) -> list[SimCall]:
        """The drafts inside ``[start_us, end_us)`` as calls sorted by time, with sessions: one
        per actor's agent and server, renewed after three quiet hours, each opened with the
        client's ``tools/list`` (labelled like the call that opened it)."""
        rows = [d for d in self.drafts if start_us <= d[_DRAFT_TS] < end_us]
        rows.sort(key=lambda d: (d[_DRAFT_USER], d[_DRAFT_AGENT], d[_DRAFT_SERVER], d[_DRAFT_TS]))
        session, last, who = "", -1, ("", "", "")
        out: list[SimCall] = []
        rng = self.rng
        for d in rows:
            ts, server, method, label = d[0], d[1], d[2], d[15]
            if (d[6], d[7], server) != who or ts - last > _SESSION_GAP_US:
                session = f"{rng.getrandbits(64):016x}"
                if method != "tools/list":
                    at = max(start_us, ts - rng.randint(50_000, 900_000))
                    trace, took = f"{rng.getrandbits(128):032x}", rng.randint(20_000, 90_000)
                    opening = [at, server, "tools/list", None, None, {}, *d[6:10]]
                    opening += [session, trace, "ok", None, took, LIST_BYTES[server], label]
                    out.append(_call(opening))
            who, last = (d[6], d[7], server), ts
            out.append(_call([*d[:10], session, *d[10:]]))
        out.sort(key=lambda c: (c.ts, c.server, c.user))
        return out
