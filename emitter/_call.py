"""What one recorded call is while it runs: ``Actor`` (who made it) and ``Call`` (the context
manager ``Emitter.record`` hands out, sync and async). On exit a ``Call`` measures the call (or
takes the duration it was given), turns an exception into ``error`` / ``denied`` and hands the
event to its emitter, which never raises into the call."""

from __future__ import annotations

import time
from dataclasses import dataclass, fields
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ._fields import set_fields
from .stages import json_size

if TYPE_CHECKING:
    from ._emitter import Emitter
    from ._site import CallSite

__all__ = ["Actor", "Call"]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made the call: user (auth subject), client app, agent, tenant."""

    user: str | None = None
    client: str | None = None
    client_version: str | None = None
    agent: str | None = None
    tenant: str | None = None

    def as_dict(self) -> dict[str, str]:
        """The fields that are set (a loop: ``dataclasses.asdict`` deep-copies, ~10x slower)."""
        out: dict[str, str] = {}
        for name in _ACTOR_FIELDS:
            value = getattr(self, name)
            if value:
                out[name] = value
        return out


_ACTOR_FIELDS = tuple(f.name for f in fields(Actor))


class Call:
    """One recorded call; a context manager (sync and async) handed out by ``Emitter.record``."""

    __slots__ = ("_duration_us", "_emitter", "_event", "_site", "_t0")

    def __init__(
        self, emitter: Emitter, event: dict[str, Any], site: CallSite | None = None
    ) -> None:
        self._emitter = emitter
        self._event = event
        self._site = site  # its fields are in the event, redacted (Emitter.record_at)
        self._t0 = 0
        self._duration_us = -1  # -1: measure the call; set_duration_us overrides

    def set_result(self, result: Any) -> None:
        self._event["result_bytes"] = json_size(result)

    def set_result_bytes(self, size: int) -> None:
        self._event["result_bytes"] = max(0, int(size))

    def set_fields(self, **fields: Any) -> None:
        """Set more of ``Emitter.record``'s keyword fields while the call runs (``attrs`` merge):
        what is known only from the result, e.g. the hash of a ``tools/list`` it returned."""
        site = self._site
        if site is not None:  # the site's fields as given: redacted with the rest at the end
            self._event.update(site.raw)
            self._site = None
        set_fields(self._event, fields)

    def set_duration_us(self, n: int) -> None:
        """Record ``n`` µs as the call's duration instead of measuring it (replays, simulations)."""
        self._duration_us = max(0, int(n))

    def deny(self, error_type: str = "denied") -> None:
        self._event["outcome"] = "denied"
        self._event["error.type"] = error_type

    def fail(self, error_type: str) -> None:
        self._event["outcome"] = "error"
        self._event["error.type"] = error_type

    def __enter__(self) -> Call:
        self._t0 = time.perf_counter_ns()
        return self

    def __exit__(
        self, et: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        ev = self._event
        if self._duration_us >= 0:
            ev["duration_us"] = self._duration_us
        else:
            ev["duration_us"] = (time.perf_counter_ns() - self._t0) // 1000
        if exc is not None and ev["outcome"] == "ok":
            ev["outcome"] = "denied" if isinstance(exc, PermissionError) else "error"
            ev["error.type"] = type(exc).__qualname__
        self._emitter.emit(ev, self._site)

    async def __aenter__(self) -> Call:
        return self.__enter__()

    async def __aexit__(
        self, et: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.__exit__(et, exc, tb)
