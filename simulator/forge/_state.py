"""The shared state of one generation run: the clock, the calendar and the work graph's queues.

The calendar: day ``days - 1`` is scored; every Tuesday is release day; the day before the last
release is a code freeze (merges to ``main`` are denied but hotfixes); the Friday of the first
full week is a hackathon. Queues connect the actors: pushes request CI runs, opened pull requests
request reviews (the review bot and a teammate), merges request deploys and feed the release
train. Times are µs (UTC).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

from ._calls import Recorder
from .org import Engineer

__all__ = ["DAY", "HOUR", "MIN", "SEC", "CiRun", "Item", "World"]

SEC: Final = 1_000_000
MIN: Final = 60 * SEC
HOUR: Final = 60 * MIN
DAY: Final = 24 * HOUR


@dataclass(slots=True)
class Item:
    """One issue on its way to production: triage → code → pr → ci → review → merge → close."""

    issue: str
    repo: str
    branch: str
    stage: str = "triage"
    code_blocks: int = 1
    pr: str = ""
    ci_ok: bool = True
    reviewed_at: int = 0  # 0: not yet reviewed
    hotfix: bool = False


@dataclass(frozen=True, slots=True)
class CiRun:
    """A pipeline run a push, a merge or a release asked for."""

    ts: int
    repo: str
    branch: str
    pipeline: str
    run_id: str
    ok: bool
    flaky: bool


@dataclass
class World:
    """Everything the generators share while one simulation is built."""

    rng: random.Random
    rec: Recorder
    start_us: int
    days: int
    engineers: list[Engineer]
    items: dict[str, list[Item]] = field(default_factory=dict)
    reviews: dict[str, list[tuple[int, str, Item]]] = field(default_factory=dict)
    ci_runs: list[CiRun] = field(default_factory=list)
    prs: list[tuple[int, str, str]] = field(default_factory=list)  # (ts, repo, pr)
    merges: list[tuple[int, str]] = field(default_factory=list)  # (ts, repo)
    counter: int = 0

    @property
    def scored(self) -> int:
        return self.days - 1

    @property
    def end_us(self) -> int:
        return self.start_us + self.days * DAY

    def weekday(self, day: int) -> int:
        return datetime.fromtimestamp((self.start_us + day * DAY) / SEC, UTC).weekday()

    def is_release(self, day: int) -> bool:
        return self.weekday(day) == 1

    def is_freeze(self, day: int) -> bool:
        last = max(d for d in range(self.days) if self.is_release(d))
        return day == last - 1 and day != self.scored

    def is_hackathon(self, day: int) -> bool:
        fridays = [d for d in range(self.days - 1) if self.weekday(d) == 4]
        return len(fridays) > 1 and day == fridays[1]

    def next_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}-{1000 + self.counter}"

    def window(self, e: Engineer, day: int) -> tuple[int, int] | None:
        """When ``e`` works on local day ``day`` (UTC µs), or None (weekend, leave, not yet)."""
        if day < e.first_day or day in e.leave:
            return None
        if self.weekday(day) not in e.week:
            return None
        lo = self.start_us + day * DAY + int((e.start_h - e.tz) * HOUR)
        return lo, lo + int(e.hours * HOUR)

    def ci(self, ts: int, repo: str, branch: str, pipeline: str, fail: float = 0.14) -> CiRun:
        """Ask for a pipeline run; it fails with ``fail`` (half of those are flaky)."""
        r = self.rng.random()
        run = CiRun(ts, repo, branch, pipeline, self.next_id("run"), r >= fail, r < fail / 2)
        self.ci_runs.append(run)
        return run
