"""One level's scored windows, and how a row of them becomes an :class:`Alert`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from .alert import Alert, EventRefs, FeatureEvidence, Severity
from .explain import reason_for
from .features import FEATURES, entity_column

if TYPE_CHECKING:
    from .engine import Engine

__all__ = ["PERSON_LEVELS", "WindowBatch"]

_EVENT_IDS: Final = 20  # event ids an alert lists (all are counted)
#: the levels that are one person's own; the others (agent, server, server × tool) mix people
PERSON_LEVELS: Final = frozenset({"user", "user_tool"})


@dataclass
class WindowBatch:
    """One level's scored windows, for turning a row into an alert."""

    level: str
    windows: pd.DataFrame
    events: pd.DataFrame
    values: np.ndarray
    rel: np.ndarray
    p50: np.ndarray
    p99: np.ndarray
    basis: list[Any]

    def calls(self, i: int) -> pd.DataFrame:
        """The events of row ``i``'s window."""
        row = self.windows.iloc[i]
        start, end = int(row["window_start"]), int(row["window_end"])
        ev = self.events
        return ev.loc[
            (ev[entity_column(self.level)] == row["entity"])
            & (ev["ts"] >= start)
            & (ev["ts"] < end)
        ]

    def one_person(self, calls: pd.DataFrame) -> bool:
        """Whether every one of a window's ``calls`` (:meth:`calls`) is one named user's, at a
        level that mixes users (an agent, a server, a server's tool): what that person's own
        levels judge."""
        if self.level in PERSON_LEVELS:
            return False
        users = calls["user"]
        return bool(len(users)) and users.iloc[0] != "" and bool((users == users.iloc[0]).all())

    def alert(
        self,
        i: int,
        detector: str,
        severity: Severity,
        score: float,
        names: tuple[str, ...],
        engine: Engine,
        *,
        reason: str | None = None,
        calls: pd.DataFrame | None = None,
    ) -> Alert:
        """Row ``i`` as an alert (``calls``: its window's events when the caller has them)."""
        row = self.windows.iloc[i]
        entity, start, end = str(row["entity"]), int(row["window_start"]), int(row["window_end"])
        mine = self.calls(i) if calls is None else calls
        evidence = tuple(
            FeatureEvidence(
                name=n,
                value=float(self.values[i, FEATURES.index(n)]),
                baseline_p50=float(self.p50[i, FEATURES.index(n)]),
                baseline_p99=float(self.p99[i, FEATURES.index(n)]),
                basis=self.basis[i],
            )
            for n in names
        )
        text = reason or reason_for(self.level, entity, evidence, mine, end - start)
        dedupe = f"{detector}|{self.level}|{entity}"
        alert = Alert(
            severity=severity,
            detector=detector,
            entity_kind=self.level,
            entity=entity,
            window_start=start,
            window_end=end,
            score=round(score, 6),
            reason=text,
            dedupe_key=dedupe,
            features=evidence,
            events=EventRefs(
                count=len(mine),
                event_ids=tuple(mine["event_id"].head(_EVENT_IDS)),
                session_ids=tuple(dict.fromkeys(s for s in mine["session_id"] if s))[:10],
                trace_ids=tuple(dict.fromkeys(t for t in mine["trace_id"] if t))[:10],
            ),
        )
        alert.actor = _actor(self.level, entity, mine)
        alert.link = engine.link(self.level, entity, start, end, alert.id)
        return alert


def _actor(level: str, entity: str, events: pd.DataFrame) -> str:
    """The user an alert is about: its own user, else the user behind most of its calls."""
    if level in PERSON_LEVELS:
        return entity.split("|", 1)[0]
    users = events["user"][events["user"] != ""]
    if users.empty:
        return ""
    counts = users.value_counts()
    return str(counts.index[0]) if counts.iloc[0] * 2 > len(events) else ""
