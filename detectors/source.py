"""Where the detectors read events from: the store (live, backfill) or a frame (benchmarks).

Both give the same answers for the same events: a prepared frame of the events in a time range,
the earliest stored sighting of things (:class:`~tooltrail.detectors.features.History`), and
each actor's calls per hour over a longer span (the hours people work, read from their whole
history rather than the baseline's week).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final, Protocol

import pandas as pd  # type: ignore[import-untyped]

from .features import (
    DERIVED_SQL,
    EVENT_COLUMNS,
    MIRROR_KEY,
    NOT_CALLS,
    STORED_SQL,
    FrameHistory,
    History,
    prepare,
)
from .profile import hours_of

if TYPE_CHECKING:
    from tooltrail.pipeline.store import Store

__all__ = ["EventSource", "FrameSource", "StoreSource"]


class EventSource(Protocol):
    history: History

    def events(self, since: int, until: int) -> pd.DataFrame:
        """Prepared events with ``since <= ts < until`` (µs)."""
        ...

    def extent(self) -> tuple[int, int] | None:
        """First and last event time held (µs), None when empty."""
        ...

    def hours(self, since: int, until: int) -> pd.DataFrame:
        """Calls per actor (the user, else the agent) and UTC hour with ``since <= ts < until``,
        counted as :func:`prepare` counts them: columns ``actor``, ``hour`` (``ts`` in whole
        hours since the epoch) and ``calls``; the hours an actor made no call are absent."""
        ...


class FrameSource:
    """Every event already in memory (the simulator's frame)."""

    def __init__(self, events: pd.DataFrame) -> None:
        self._all = prepare(events)
        self.history: History = FrameHistory(self._all)

    @property
    def frame(self) -> pd.DataFrame:
        """Every event, prepared (read-only by convention)."""
        return self._all

    def events(self, since: int, until: int) -> pd.DataFrame:
        ts = self._all["ts"]
        return self._all.loc[(ts >= since) & (ts < until)]

    def hours(self, since: int, until: int) -> pd.DataFrame:
        return _hours_frame(hours_of(self.events(since, until)))

    def extent(self) -> tuple[int, int] | None:
        if self._all.empty:
            return None
        return int(self._all["ts"].iloc[0]), int(self._all["ts"].iloc[-1])


_HOUR_US: Final = 3_600_000_000


def _hours_frame(found: pd.DataFrame) -> pd.DataFrame:
    if found.empty:  # an empty result from the store has no columns
        found = pd.DataFrame({"actor": [], "hour": [], "calls": []})
    return pd.DataFrame(
        {
            "actor": found["actor"].astype(str).to_numpy(),
            "hour": found["hour"].to_numpy(dtype="int64"),
            "calls": found["calls"].to_numpy(dtype="int64"),
        }
    )


def _expr(column: str) -> str:
    return DERIVED_SQL.get(column, f"`{column}`")


def _counted(db: str) -> str:
    """SQL: the event counts as a call: not a host-side mirror of a server-side event, not one
    of :data:`NOT_CALLS` (as ``prepare``)."""
    key = ", ".join(f"`{c}`" for c in MIRROR_KEY)
    skip = ", ".join(f"'{m}'" for m in NOT_CALLS)
    return (
        f"method NOT IN ({skip}) AND NOT (source_kind = 'host' AND ({key}) IN "  # noqa: S608
        f"(SELECT {key} FROM {db}.events WHERE source_kind = 'server' AND trace_id != ''))"
    )


class StoreHistory:
    """:class:`History` answered by SQL over the whole ``events`` table."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def first_seen(self, keys: Sequence[str], frame: pd.DataFrame) -> pd.Series:
        keys = list(dict.fromkeys(keys))
        combos = frame[keys].drop_duplicates()
        names = [f"k{i}" for i in range(len(keys))]
        select = ", ".join(f"{_expr(k)} AS {n}" for k, n in zip(keys, names, strict=True))
        where = " AND ".join(
            f"{_expr(k)} IN {{{n}:Array(String)}}" for k, n in zip(keys, names, strict=True)
        )
        params = {n: sorted(set(combos[k])) for k, n in zip(keys, names, strict=True)}
        db = self._store.database
        found = self._store.query_df(
            f"SELECT {select}, min(ts) AS first FROM {db}.events "  # noqa: S608
            f"WHERE {where} AND {_counted(db)} GROUP BY {', '.join(names)}",
            params,
        )
        found.columns = [*keys, "first"]
        merged = frame[keys].merge(found, on=keys, how="left")
        return pd.Series(merged["first"].to_numpy(dtype="int64"), index=frame.index)

    def session_start(self, frame: pd.DataFrame) -> pd.Series:
        sessions = sorted(set(frame["session_id"]) - {""})
        starts: dict[str, int] = {}
        if sessions:
            found = self._store.query_df(
                f"SELECT session_id, min(ts) AS first FROM {self._store.database}.events "  # noqa: S608
                "WHERE session_id IN {s:Array(String)} AND "
                f"{_counted(self._store.database)} GROUP BY session_id",
                {"s": sessions},
            )
            starts = dict(zip(found["session_id"], found["first"].astype("int64"), strict=True))
        start = frame["session_id"].map(starts)
        return start.where(frame["session_id"] != "", frame["ts"]).astype("int64")


class StoreSource:
    """Events from the store (exact redeliveries collapsed)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.history: History = StoreHistory(store)

    def events(self, since: int, until: int) -> pd.DataFrame:
        cols = ", ".join(
            f"{STORED_SQL[c]} AS `{c}`" if c in STORED_SQL else f"`{c}`" for c in EVENT_COLUMNS
        )
        frame = self._store.query_df(
            f"SELECT {cols} FROM {self._store.database}.events FINAL "  # noqa: S608
            "WHERE ts >= {lo:UInt64} AND ts < {hi:UInt64}",
            {"lo": max(since, 0), "hi": max(until, 0)},
        )
        return prepare(frame)

    def hours(self, since: int, until: int) -> pd.DataFrame:
        db = self._store.database
        actor = f"if(user != '', user, {DERIVED_SQL['agent_key']})"
        found = self._store.query_df(
            f"SELECT {actor} AS actor, intDiv(ts, {_HOUR_US}) AS hour, count() AS calls "  # noqa: S608
            f"FROM (SELECT * FROM {db}.events FINAL WHERE ts >= {{lo:UInt64}} "
            f"AND ts < {{hi:UInt64}}) WHERE {_counted(db)} GROUP BY actor, hour",
            {"lo": max(since, 0), "hi": max(until, 0)},
        )
        return _hours_frame(found)

    def extent(self) -> tuple[int, int] | None:
        found = self._store.query_df(
            f"SELECT count() AS n, min(ts) AS lo, max(ts) AS hi FROM {self._store.database}.events"  # noqa: S608
        )
        if found.empty or int(found["n"].iloc[0]) == 0:
            return None
        return int(found["lo"].iloc[0]), int(found["hi"].iloc[0])
