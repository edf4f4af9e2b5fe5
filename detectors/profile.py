"""What a fit learns about actors (users, else agents): usual hours and tool transitions."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

__all__ = ["ActorProfile", "hours_of"]

_SEQ_GAP_US: Final = 10 * 60 * 1_000_000  # a transition needs the previous call within 10 min
_HOUR_US: Final = 3_600_000_000


@dataclass
class ActorProfile:
    """What a fit learned about actors (users, else agents): usual hours and tool transitions.

    ``hour_share[actor]`` is the share of the actor's calls per UTC hour; actors with fewer than
    ``min_calls`` calls use ``group_hours``. Transition probabilities are the actor's counts
    backed off to the group's (add-one smoothed)."""

    hour_share: dict[str, np.ndarray] = field(default_factory=dict)
    #: per actor with its own hours (``min_calls`` calls over at least ``min_days`` days: a day
    #: or two says nothing about the hours someone never works): the days with a call per
    #: (weekday 0 / weekend 1, UTC hour)
    week_hours: dict[str, np.ndarray] = field(default_factory=dict)
    #: per actor of ``week_hours``: the days it made a call on
    work_days: dict[str, int] = field(default_factory=dict)
    group_hours: np.ndarray = field(default_factory=lambda: np.full(24, 1 / 24))
    #: per user with ``min_calls`` calls: the tools they used (a peer's working set)
    tools: dict[str, frozenset[str]] = field(default_factory=dict)
    pair_counts: dict[tuple[str, str, str], int] = field(default_factory=dict)
    from_counts: dict[tuple[str, str], int] = field(default_factory=dict)
    group_pairs: dict[tuple[str, str], float] = field(default_factory=dict)
    group_from: dict[str, float] = field(default_factory=dict)
    vocabulary: int = 1
    usual_share: float = 0.01
    backoff: float = 5.0
    peer_bits: float = 3.0

    @classmethod
    def fit(
        cls,
        ev: pd.DataFrame,
        *,
        hours: pd.DataFrame | None = None,
        min_calls: int = 200,
        min_days: int = 4,
        hour_calls: int = 24,
    ) -> ActorProfile:
        """Learn from a prepared frame of baseline events; the hours an actor works from
        ``hours`` (:meth:`~tooltrail.detectors.source.EventSource.hours` over a longer span, its
        whole stored history) when given, else from ``ev``. An actor has its own week of hours
        with at least ``min_days`` days of calls there, and ``hour_calls`` calls (from ``ev``:
        ``min_calls``)."""
        prof = cls()
        if ev.empty:
            return prof
        actor = _actor(ev)
        hour = (ev["ts"] // 3_600_000_000) % 24
        table = pd.crosstab(actor, hour).reindex(columns=range(24), fill_value=0)
        totals = table.sum(axis=1)
        group = table.sum(axis=0).to_numpy(dtype=float)
        prof.group_hours = group / max(group.sum(), 1.0)
        for name, row in table[totals >= min_calls].iterrows():
            prof.hour_share[str(name)] = row.to_numpy(dtype=float) / float(row.sum())
        if hours is None:
            hours = hours_of(ev)
            hour_calls = min_calls
        prof.week_hours, prof.work_days = _week_hours(
            hours, min_days=min_days, min_calls=hour_calls
        )
        people = ev.loc[ev["user"] != ""]
        for name, used in people.groupby("user")["tool_key"]:
            if len(used) >= min_calls:
                prof.tools[str(name)] = frozenset(used)
        prev = _previous_tool(ev)
        ok = prev != ""
        pairs = pd.DataFrame({"a": actor[ok], "p": prev[ok], "t": ev["tool_key"][ok]})
        for (a, p, t), n in pairs.value_counts().items():
            prof.pair_counts[(a, p, t)] = int(n)
            prof.from_counts[(a, p)] = prof.from_counts.get((a, p), 0) + int(n)
        for (p, t), n in pairs[["p", "t"]].value_counts().items():
            prof.group_pairs[(p, t)] = float(n)
            prof.group_from[p] = prof.group_from.get(p, 0.0) + float(n)
        prof.vocabulary = max(int(ev["tool_key"].nunique()), 1)
        return prof

    def off_hours(self, ev: pd.DataFrame) -> np.ndarray:
        """1.0 for each call made in an hour the actor rarely works in, else 0.0."""
        hours = ((ev["ts"] // 3_600_000_000) % 24).to_numpy()
        out = np.zeros(len(ev))
        for name, idx in _actor(ev).groupby(_actor(ev), sort=False).groups.items():
            share = self.hour_share.get(str(name), self.group_hours)
            rows = ev.index.get_indexer(idx)
            out[rows] = share[hours[rows]] < self.usual_share
        return out

    def rare_hour(self, ev: pd.DataFrame, margin: int = 2) -> np.ndarray:
        """1 for each call of an actor with its own hours made at an hour of a day type
        (weekday / weekend, UTC) at which it made no call before, ``margin`` hours either side
        included, and which it worked on no more than one day a week of its history on the
        other day type; else 0. Someone who works weekdays and writes a line on a Sunday
        afternoon keeps their hours; a Sunday-night sitting does not make weeknights theirs."""
        hours = ((ev["ts"] // 3_600_000_000) % 24).to_numpy()
        kinds = _weekend(ev).to_numpy()
        out = np.zeros(len(ev), dtype="int64")
        actors = _actor(ev)
        shifts = range(-margin, margin + 1)
        for name, idx in actors.groupby(actors, sort=False).groups.items():
            week = self.week_hours.get(str(name))
            if week is None:
                continue
            near = np.sum([np.roll(week, k, axis=1) for k in shifts], axis=0)
            # worked on a day type, the most days at one hour within the margin either side
            days = week.sum(axis=0)
            often = (
                np.max([np.roll(days, k) for k in shifts], axis=0)
                > self.work_days.get(str(name), 0) // 7
            )
            rows = ev.index.get_indexer(idx)
            out[rows] = (near[kinds[rows], hours[rows]] == 0) & ~often[hours[rows]]
        return out

    def surprise(self, ev: pd.DataFrame) -> np.ndarray:
        """``-log2 P(prev → tool)`` per call (0 when it has no previous call in its session),
        at most ``peer_bits`` above the surprise of the same transition for everyone."""
        return self.surprises(ev)[0]

    def surprises(self, ev: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Per call (0 when it has no previous call in its session): :meth:`surprise`, and the
        same transition's surprise for everyone (``-log2`` of the group's smoothed share of
        moves from the previous tool that go to this one: how unusual the move is for the
        whole deployment)."""
        prev = _previous_tool(ev).to_numpy()
        tools = ev["tool_key"].to_numpy()
        actors = _actor(ev).to_numpy()
        out, group = np.zeros(len(ev)), np.zeros(len(ev))
        v = float(self.vocabulary)
        for i in np.flatnonzero(prev != ""):
            a, p, t = actors[i], prev[i], tools[i]
            g = (self.group_pairs.get((p, t), 0.0) + 1.0) / (self.group_from.get(p, 0.0) + v + 1)
            n_from = self.from_counts.get((a, p), 0)
            prob = (self.pair_counts.get((a, p, t), 0) + self.backoff * g) / (n_from + self.backoff)
            group[i] = -math.log2(g)
            # a transition others make is at most ``peer_bits`` more surprising for this actor
            # than for everyone: a person taking up a colleague's routine is not a stranger's
            out[i] = min(-math.log2(prob), group[i] + self.peer_bits)
        return out, group


def hours_of(ev: pd.DataFrame) -> pd.DataFrame:
    """Calls per actor and UTC hour (``ts`` in whole hours since the epoch) of a prepared
    frame: what :meth:`~tooltrail.detectors.source.EventSource.hours` gives."""
    return (
        pd.DataFrame({"actor": _actor(ev).to_numpy(), "hour": (ev["ts"] // _HOUR_US).to_numpy()})
        .groupby(["actor", "hour"], sort=False)
        .size()
        .rename("calls")
        .reset_index()
    )


def _week_hours(
    hours: pd.DataFrame, *, min_days: int, min_calls: int
) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """Days with a call per (weekday 0 / weekend 1, UTC hour of day), and days with a call, of
    each actor with ``min_calls`` calls on ``min_days`` days or more."""
    if hours.empty:
        return {}, {}
    day = hours["hour"] // 24
    per = hours.assign(day=day).groupby("actor")
    days = per["day"].nunique()
    known = (per["calls"].sum() >= min_calls) & (days >= min_days)
    mine = hours.loc[hours["actor"].isin(known.index[known])]
    slot = ((day + 3) % 7 >= 5).astype("int64") * 24 + hours["hour"] % 24
    week = pd.crosstab(mine["actor"], slot.loc[mine.index]).reindex(columns=range(48), fill_value=0)
    shapes = {str(n): row.to_numpy(dtype=float).reshape(2, 24) for n, row in week.iterrows()}
    return shapes, {n: int(days[n]) for n in shapes}


def _weekend(ev: pd.DataFrame) -> pd.Series:
    """1 for a call on a Saturday or Sunday (UTC), else 0 (1970-01-01 was a Thursday)."""
    return ((ev["ts"] // 86_400_000_000 + 3) % 7 >= 5).astype("int64")


def _actor(ev: pd.DataFrame) -> pd.Series:
    return ev["user"].where(ev["user"] != "", ev["agent_key"])


def _previous_tool(ev: pd.DataFrame) -> pd.Series:
    """The previous call's tool in the same session (within 10 min), else ""."""
    session = ev["session_id"].where(ev["session_id"] != "", _actor(ev))
    order = np.lexsort((ev["ts"].to_numpy(), session.to_numpy()))
    s = session.to_numpy()[order]
    t = ev["tool_key"].to_numpy()[order]
    ts = ev["ts"].to_numpy()[order]
    prev = np.full(len(ev), "", dtype=object)
    same = np.zeros(len(ev), dtype=bool)
    if len(ev) > 1:
        same[1:] = (s[1:] == s[:-1]) & (ts[1:] - ts[:-1] <= _SEQ_GAP_US)
        prev[1:] = np.where(same[1:], t[:-1], "")
    out = np.empty(len(ev), dtype=object)
    out[order] = prev
    return pd.Series(out, index=ev.index)
