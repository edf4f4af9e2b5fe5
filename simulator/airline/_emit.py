"""How one call is recorded: sizes, durations, failures, retries and the tools/list a session
opens with. Everything an emitter would see, nothing more."""

from __future__ import annotations

import random
from typing import Any, Final

from ..model import SimCall
from .catalog import TOOLS
from .people import Person

__all__ = ["Recorder"]

SECOND: Final = 1_000_000
# tool → (typical ms, typical result bytes)
_COST: Final[dict[str, tuple[float, int]]] = {
    "flight_search": (180, 9_000),
    "pax_search": (240, 6_000),
    "fare_search": (300, 14_000),
    "defect_search": (260, 7_000),
    "report_search": (350, 9_000),
    "audit_log_search": (600, 20_000),
    "pairing_search": (320, 8_000),
    "notam_search": (400, 12_000),
    "weather_get": (150, 3_500),
    "revenue_export": (4_000, 600_000),
    "booking_curve_get": (500, 30_000),
    "position_ingest": (90, 300),
    "acars_message_ingest": (70, 250),
    "flight_plan_create": (1_200, 4_000),
    "crew_legality_check": (450, 2_500),
}
# tool → (probability of failure, causes); one of them "forbidden" means denied
_FAIL: Final[dict[str, tuple[float, tuple[str, ...]]]] = {
    "flight_plan_file": (0.04, ("validation_error", "timeout")),
    "part_search": (0.12, ("not_found",)),
    "rebook": (0.08, ("conflict", "timeout")),
    "fare_file": (0.05, ("validation_error",)),
    "position_ingest": (0.01, ("service_unavailable",)),
    "pax_get": (0.03, ("not_found",)),
    "crew_assign": (0.06, ("conflict",)),
    "gate_assign": (0.05, ("conflict",)),
    "weather_get": (0.02, ("timeout",)),
    "role_grant": (0.08, ("forbidden",)),
    "miles_adjust": (0.05, ("forbidden",)),
}
_RETRY: Final = ("timeout", "service_unavailable")


class Recorder:
    """Collects calls; a session lists a server's tools the first time it calls that server."""

    __slots__ = ("_listed", "_sessions", "calls", "origin", "rng")

    def __init__(self, origin: int, rng: random.Random) -> None:
        self.calls: list[SimCall] = []
        self.origin = origin
        self.rng = rng
        self._listed: set[tuple[str, str]] = set()
        self._sessions: dict[tuple[str, int], str] = {}

    def session(self, p: Person, shift_start: int) -> str:
        key = (p.name, shift_start)
        if key not in self._sessions:
            r = random.Random(f"airline:session:{p.name}:{shift_start}")
            self._sessions[key] = f"{r.getrandbits(64):016x}"
        return self._sessions[key]

    def _base(self, t: int, p: Person, sid: str, label: str) -> dict[str, Any]:
        day = max(0, (t - self.origin) // 86_400_000_000)
        return {
            "user": p.name,
            "agent": p.profile.agents[0],
            "client": p.profile.client,
            "client_version": p.version(day),
            "session_id": sid,
            "label": label,
        }

    def _listing(self, t: int, p: Person, server: str, sid: str, trace: str, label: str) -> None:
        if (sid, server) in self._listed:
            return
        self._listed.add((sid, server))
        n = sum(1 for s in TOOLS.values() if s == server)
        self.calls.append(
            SimCall(
                t - 400_000,
                server,
                "tools/list",
                None,
                None,
                {},
                **self._base(t, p, sid, label),
                trace_id=trace,
                outcome="ok",
                error_type=None,
                duration_us=40_000 + self.rng.randrange(60_000),
                result_bytes=900 * n + 300,
            )
        )

    def call(
        self,
        t: int,
        p: Person,
        sid: str,
        tool: str,
        args: dict[str, Any],
        *,
        trace: str = "",
        label: str = "",
        result: int | None = None,
        error: str | None = None,
        fail: bool = True,
        retries: int = 2,
    ) -> int:
        """Record ``tool`` at ``t`` (retrying a timeout), return the time after it."""
        server = TOOLS[tool]
        trace = trace or f"{self.rng.getrandbits(64):016x}"
        self._listing(t, p, server, sid, trace, label)
        ms, size = _COST.get(tool, (120.0, 1_800))
        for attempt in range(retries + 1):
            cause = error
            if cause is None and fail and tool in _FAIL:
                rate, causes = _FAIL[tool]
                cause = self.rng.choice(causes) if self.rng.random() < rate else None
            dur = max(2_000, int(self.rng.lognormvariate(0, 0.5) * ms * 1000))
            if cause == "timeout":
                dur = 30 * SECOND
            out = "ok" if cause is None else "denied" if cause == "forbidden" else "error"
            got = result if result is not None else int(size * self.rng.uniform(0.6, 1.5))
            self.calls.append(
                SimCall(
                    t,
                    server,
                    "tools/call",
                    tool,
                    None,
                    dict(args),
                    **self._base(t, p, sid, label),
                    trace_id=trace,
                    outcome=out,
                    error_type=cause,
                    duration_us=dur,
                    result_bytes=got if out == "ok" else 180 + len(cause or ""),
                )
            )
            t += dur + self.rng.randrange(SECOND, 4 * SECOND)
            if cause not in _RETRY or error is not None:
                break
            t += (2**attempt) * SECOND
        return t

    def read(
        self,
        t: int,
        p: Person,
        sid: str,
        uri: str,
        *,
        trace: str = "",
        label: str = "",
        size: int = 40_000,
    ) -> int:
        server = {"manuals": "mro", "ofp": "dispatch", "sop": "ops-control", "wx": "dispatch"}[
            uri.split(":", 1)[0]
        ]
        trace = trace or f"{self.rng.getrandbits(64):016x}"
        dur = int(self.rng.uniform(30, 200) * 1000)
        self.calls.append(
            SimCall(
                t,
                server,
                "resources/read",
                None,
                uri,
                {},
                **self._base(t, p, sid, label),
                trace_id=trace,
                outcome="ok",
                error_type=None,
                duration_us=dur,
                result_bytes=int(size * self.rng.uniform(0.7, 1.4)),
            )
        )
        return t + dur + self.rng.randrange(2 * SECOND, 20 * SECOND)
