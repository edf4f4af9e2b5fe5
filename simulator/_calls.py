"""Building blocks shared by benign traffic and attacks: ids, sizes, durations, one call."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

from .model import DAY_US, SimCall, SimConfig, UserProfile
from .world import TOOL_SERVER, WorkingSet

__all__ = [
    "MAX_RESULT",
    "Episode",
    "S",
    "Session",
    "Victim",
    "Who",
    "benign_outcome",
    "duration_us",
    "hex_id",
    "local_midnight",
    "lognormal",
    "make_call",
    "place",
    "result_bytes",
    "select",
    "trace_id",
    "work_hours",
]

S: Final = 1_000_000  # µs per second
MAX_RESULT: Final = 5 * 2**20
_MEDIAN_RESULT: Final = {"run_query": 20_000, "export_table": 400_000, "write_file": 120,
                         "post_message": 250, "create_pull_request": 900}  # fmt: skip
_MEDIAN_DURATION: Final = {"run_query": 200_000, "export_table": 1_500_000, "fetch_url": 180_000,
                           "run_command": 400_000, "web_search": 350_000}  # fmt: skip
_NOT_FOUND_TOOLS: Final = frozenset(
    {"read_file", "list_directory", "search_files", "resources/read", "get_file_contents",
     "describe_table"}
)  # fmt: skip


class Who(NamedTuple):
    """The actor of a call: user, agent, client and its version."""

    user: str
    agent: str
    client: str
    client_version: str

    @classmethod
    def of(cls, user: UserProfile, agent: str | None = None) -> Who:
        return cls(user.name, agent or user.agents[0], user.client, user.client_version)


@dataclass(slots=True)
class Session:
    """An ordinary session: its actor and its calls in time order (mutable while building)."""

    id: str
    who: Who
    calls: list[SimCall] = field(default_factory=list)


@dataclass(slots=True)
class Victim:
    """What an attack needs to know of its victim: profile, working set, sessions, and the
    random stream of the victim's own traffic (for sessions made up to host an attack)."""

    user: UserProfile
    ws: WorkingSet
    sessions: list[Session]
    rng: random.Random


@dataclass(frozen=True, slots=True)
class Episode:
    """A labelled episode being built: what :class:`~.model.Incident` says besides its calls."""

    id: str
    scenario: str
    who: Who
    description: str

    @classmethod
    def of(cls, episode_id: str, who: Who, description: str) -> Episode:
        """The episode ``scenario#n`` (its scenario is the id up to ``#``)."""
        return cls(episode_id, episode_id.partition("#")[0], who, description)

    def call(
        self,
        rng: random.Random,
        session: str,
        *,
        ts: int,
        tool: str,
        args: dict[str, Any],
        uri: str | None,
        trace: str | None = None,
        outcome: str | None = None,
        error_type: str | None = None,
        size: int | None = None,
    ) -> SimCall:
        """A call of this episode: its actor, its label; a new trace unless ``trace``."""
        return make_call(
            rng,
            ts=ts,
            who=self.who,
            session_id=session,
            trace=trace or trace_id(rng),
            tool=tool,
            args=args,
            uri=uri,
            label=self.id,
            outcome=outcome,
            error_type=error_type,
            size=size,
        )


def hex_id(rng: random.Random, digits: int = 32) -> str:
    return format(rng.getrandbits(4 * digits), f"0{digits}x")


def trace_id(rng: random.Random) -> str:
    """A W3C trace-id: 32 hex digits, never all zero."""
    return format(rng.getrandbits(128) | 1, "032x")


def lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return rng.lognormvariate(math.log(median), sigma)


def result_bytes(rng: random.Random, tool: str, outcome: str = "ok") -> int:
    """Heavy-tailed result size: lognormal (median ~2 KB, sigma 1.3), capped at 5 MB."""
    if outcome != "ok":
        return rng.randint(60, 400)
    return min(MAX_RESULT, int(lognormal(rng, _MEDIAN_RESULT.get(tool, 2_000), 1.3)))


def duration_us(rng: random.Random, tool: str) -> int:
    """Lognormal call duration, median ~40 ms (slower for queries, exports, fetches)."""
    return max(200, int(lognormal(rng, _MEDIAN_DURATION.get(tool, 40_000), 0.8)))


def benign_outcome(rng: random.Random, tool: str) -> tuple[str, str | None]:
    """~2 % errors (not found, timeouts), ~0.3 % denials, the rest ok."""
    r = rng.random()
    if r < 0.003:
        return "denied", "PermissionDenied"
    if r < 0.023:
        return "error", "FileNotFoundError" if tool in _NOT_FOUND_TOOLS else "Timeout"
    return "ok", None


def local_midnight(cfg: SimConfig, user: UserProfile, day: int) -> int:
    """µs (UTC) of 00:00 in the user's home timezone on simulated day ``day``."""
    return cfg.start_us + day * DAY_US - int(user.tz_hours * 3600 * S)


def make_call(
    rng: random.Random,
    *,
    ts: int,
    who: Who,
    session_id: str,
    trace: str,
    tool: str,
    args: dict[str, Any],
    uri: str | None,
    label: str = "",
    outcome: str | None = None,
    error_type: str | None = None,
    size: int | None = None,
) -> SimCall:
    """One call; outcome, size and duration are drawn unless given."""
    if outcome is None:
        outcome, error_type = benign_outcome(rng, tool)
    resource = tool == "resources/read"
    return SimCall(
        ts=ts,
        server=TOOL_SERVER[tool],
        method="resources/read" if resource else "tools/call",
        tool=None if resource else tool,
        resource_uri=uri,
        args=args,
        user=who.user,
        agent=who.agent,
        client=who.client,
        client_version=who.client_version,
        session_id=session_id,
        trace_id=trace,
        outcome=outcome,
        error_type=error_type,
        duration_us=duration_us(rng, tool),
        result_bytes=size if size is not None else result_bytes(rng, tool, outcome),
        label=label,
    )


def select(columns: str, table: str, tail: str = "") -> str:
    """The text of a simulated SQL query (an argument value; never executed)."""
    return f"SELECT {columns} FROM {table}{tail}"  # noqa: S608


def work_hours(user: UserProfile) -> tuple[float, float]:
    """Local hours well inside the user's working day."""
    return (user.work_start + 0.5, user.work_end - 1.0)


def place(
    cfg: SimConfig, rng: random.Random, user: UserProfile, hours: tuple[float, float], dur: int
) -> int:
    """A start time (µs) at local ``hours`` of some day with ``[start, start + dur]`` inside the
    attack window (the last ``attack_days`` days); the window's start if no local day fits."""
    lo, hi = cfg.start_us + (cfg.days - cfg.attack_days) * DAY_US, cfg.end_us - dur - 1
    spans = []
    for day in range(cfg.days - cfg.attack_days - 1, cfg.days + 1):
        midnight = local_midnight(cfg, user, day)
        a = max(lo, midnight + int(hours[0] * 3600 * S))
        b = min(hi, midnight + int(hours[1] * 3600 * S))
        if a < b:
            spans.append((a, b))
    x = rng.randrange(sum(b - a for a, b in spans)) if spans else 0
    for a, b in spans:
        if x < b - a:
            return a + x
        x -= b - a
    return lo
