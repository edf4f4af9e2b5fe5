"""What to simulate: the grid's configuration (everything follows from ``seed``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tooltrail.simulator import SimConfig

__all__ = ["GridConfig"]


@dataclass(frozen=True)
class GridConfig(SimConfig):
    """14 days from Tuesday 17 November 2026; the last (Monday 30 November) is scored."""

    seed: int = 1
    days: int = 14
    start: datetime = datetime(2026, 11, 17, tzinfo=UTC)
    scenarios: tuple[str, ...] = ()
    new_users: int = 0

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.days < 7:
            raise ValueError("days must be at least 7 (five days of history before the scored)")
