"""Where features read history beyond their window: the first stored sighting of things.

``History`` is the protocol; ``FrameHistory`` answers it over a frame holding every event
(benchmarks, tests), ``StoreHistory`` (``source.py``) by SQL over the store, and ``BatchHistory``
asks the underlying one once per distinct key set for a whole batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import pandas as pd  # type: ignore[import-untyped]

__all__ = ["BatchHistory", "FrameHistory", "History"]


class History(Protocol):
    """What features need beyond the window: the earliest stored sighting of things."""

    def first_seen(self, keys: Sequence[str], frame: pd.DataFrame) -> pd.Series:
        """For each row of ``frame``: the first ``ts`` ever stored with the same values of
        ``keys`` (column names of a prepared frame)."""
        ...

    def session_start(self, frame: pd.DataFrame) -> pd.Series:
        """For each row of ``frame``: the first ``ts`` ever stored in its session (the row's
        own ``ts`` when it names no session)."""
        ...


class FrameHistory:
    """:class:`History` over a prepared frame that holds every event (benchmarks, tests)."""

    def __init__(self, everything: pd.DataFrame) -> None:
        self._all = everything
        self._ids = pd.Index(everything["event_id"])

    def _lookup(self, first: pd.Series, frame: pd.DataFrame) -> pd.Series:
        values = first.to_numpy()[self._ids.get_indexer(frame["event_id"])]
        return pd.Series(values, index=frame.index)

    def first_seen(self, keys: Sequence[str], frame: pd.DataFrame) -> pd.Series:
        first = self._all.groupby(list(keys), sort=False, observed=True)["ts"].transform("min")
        return self._lookup(first, frame)

    def session_start(self, frame: pd.DataFrame) -> pd.Series:
        first = self._all.groupby("session_id", sort=False)["ts"].transform("min")
        start = self._lookup(first, frame)
        return start.where(frame["session_id"] != "", frame["ts"])


class BatchHistory:
    """A :class:`History` for one batch of events: each distinct key set is asked of the
    underlying history once, for the whole batch (several levels ask for the same sightings,
    e.g. ``(user, tool_key)`` for the user and the user × tool). ``frame`` arguments must be
    row subsets of ``events`` (same index)."""

    def __init__(self, history: History, events: pd.DataFrame) -> None:
        self._history = history
        self._events = events
        self._seen: dict[tuple[str, ...], pd.Series] = {}

    def first_seen(self, keys: Sequence[str], frame: pd.DataFrame) -> pd.Series:
        key = tuple(dict.fromkeys(keys))
        if key not in self._seen:
            self._seen[key] = self._history.first_seen(list(key), self._events)
        return self._seen[key].loc[frame.index]

    def session_start(self, frame: pd.DataFrame) -> pd.Series:
        return self._history.session_start(frame)
