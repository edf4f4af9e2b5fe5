"""Baselines per entity, borrowed from the entity's group while it has little history.

A baseline holds, per entity of one level and per feature, the median, the 99th percentile and
the largest value over the entity's windows in the baseline period. Entities with fewer than
``min_windows`` windows use the group's (all entities of the level), unless they acted on
``min_days`` or more distinct days of it: a scheduled job that runs a minute a day has few
windows, and every one of them says what it does. Features are then expressed relative to the
baseline, so one model serves a whole level:

    r = (f(x) - f(p50)) / max(f(p99) - f(p50), floor)

where ``f`` is ``log1p`` for counts, bytes and call durations, and the identity for shares,
bits, session length and the trailing-hour novelty (how long and how sustained, not how many).
``r = 1`` means "at the entity's usual 99th percentile"; ``r = 5`` "five times that far".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from .features import FEATURES

_DAY_US: Final = 86_400_000_000

__all__ = ["Baseline", "relative", "relative_one"]

#: features read on a linear scale, with the smallest p50..p99 spread each may have; every
#: other feature (counts, bytes, durations: heavy-tailed) is read as log1p with a spread of 0.7
_LINEAR_FLOOR: Final = {
    "error_rate": 0.5,
    "off_hours": 0.5,
    "fp_novelty": 0.5,
    "seq_rarity": 3.0,  # bits
    "novel_jump": 3.0,  # bits
    "session_len": 900.0,  # seconds: how long, not how many
    "novel_minutes_1h": 5.0,  # minutes: a sustained trickle, not a burst
}
#: counts whose usual value is often 0: a spread of log1p(2), so one or two are not news
_COUNT_FLOOR: Final = {"new_servers": 1.1, "destructive": 1.1, "destructive_5m": 1.1,
                       "destructive_1h": 1.1, "exporting": 1.1, "errors": 1.1,
                       "rare_hour_calls": 1.1, "novel_1h": 1.1, "rare_hour_cold": 1.1,
                       "far_hour_calls": 1.1}  # fmt: skip
_FLOOR: Final = np.array(
    [_LINEAR_FLOOR.get(name, _COUNT_FLOOR.get(name, 0.7)) for name in FEATURES]
)
_LOG: Final = np.array([name not in _LINEAR_FLOOR for name in FEATURES])


def _transform(values: np.ndarray) -> np.ndarray:
    out = np.array(values, dtype=float, copy=True)
    out[..., _LOG] = np.log1p(np.clip(out[..., _LOG], 0, None))
    return out


@dataclass
class Baseline:
    """Per-entity and group p50 / p99 of every feature for one level (and per entity its max)."""

    entities: np.ndarray  # entity keys (str); plain arrays so a saved fit needs no pandas
    p50_: np.ndarray  # (n_entities, n_features)
    p99_: np.ndarray
    windows_: np.ndarray  # windows per entity
    group_p50_: np.ndarray  # (n_features,)
    group_p99_: np.ndarray
    min_windows: int
    #: distinct days per entity (None in a fit saved before it was kept: windows alone decide)
    days_: np.ndarray | None = None
    min_days: int = 5
    #: the largest value per entity and feature (None in a fit saved before it was kept)
    max_: np.ndarray | None = None

    @classmethod
    def fit(cls, windows: pd.DataFrame, *, min_windows: int = 60, min_days: int = 5) -> Baseline:
        feats = windows[list(FEATURES)]
        if windows.empty:
            zero = np.zeros((0, len(FEATURES)))
            group = np.zeros(len(FEATURES))
            return cls(
                np.array([], dtype=object),
                zero,
                zero,
                np.zeros(0),
                group,
                group,
                min_windows,
                np.zeros(0),
                min_days,
                zero,
            )
        g = feats.groupby(windows["entity"], sort=True)
        p50 = g.quantile(0.5)
        p99 = g.quantile(0.99).reindex(p50.index)
        return cls(
            entities=p50.index.to_numpy(dtype=object),
            p50_=p50.to_numpy(dtype=float),
            p99_=p99.to_numpy(dtype=float),
            windows_=g.size().reindex(p50.index).to_numpy(),
            group_p50_=feats.quantile(0.5).to_numpy(dtype=float),
            group_p99_=feats.quantile(0.99).to_numpy(dtype=float),
            min_windows=min_windows,
            days_=_days(windows, p50.index),
            min_days=min_days,
            max_=g.max().reindex(p50.index).to_numpy(dtype=float),
        )

    def lookup(self, entities: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """p50, p99 rows for each entity, and whether each is its own (else the group's)."""
        pos = pd.Index(self.entities).get_indexer(entities)
        own = self._dense(pos)
        if self.days_ is not None:
            known = pos >= 0
            own[known] |= self.days_[pos[known]] >= self.min_days
        n = len(entities)
        p50 = np.tile(self.group_p50_, (n, 1))
        p99 = np.tile(self.group_p99_, (n, 1))
        p50[own] = self.p50_[pos[own]]
        p99[own] = self.p99_[pos[own]]
        return p50, p99, own

    def dense(self, entities: pd.Series) -> np.ndarray:
        """Whether each entity has ``min_windows`` windows of its own (days aside)."""
        return self._dense(pd.Index(self.entities).get_indexer(entities))

    def _dense(self, pos: np.ndarray) -> np.ndarray:
        out = np.zeros(len(pos), dtype=bool)
        known = pos >= 0
        out[known] = self.windows_[pos[known]] >= self.min_windows
        return out

    def sparse(self, entities: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """p50, p99 rows of each entity's *own* windows however few they were (zero for an
        entity with no window in the baseline: it never acted there), and how many windows
        each had. For rules that read one pair's own history even when it is too thin for a
        model (a tool a person calls a few times a week)."""
        pos = pd.Index(self.entities).get_indexer(entities)
        seen = pos >= 0
        n = len(entities)
        p50, p99 = np.zeros((n, len(FEATURES))), np.zeros((n, len(FEATURES)))
        windows = np.zeros(n)
        p50[seen], p99[seen] = self.p50_[pos[seen]], self.p99_[pos[seen]]
        windows[seen] = self.windows_[pos[seen]]
        return p50, p99, windows

    def basis(self, own: np.ndarray) -> list[Literal["entity", "group"]]:
        return ["entity" if o else "group" for o in own]


def _days(windows: pd.DataFrame, entities: pd.Index) -> np.ndarray | None:
    """Distinct days each entity acted on (None for windows without a start: days unknown)."""
    if "window_start" not in windows:
        return None
    days = (windows["window_start"] // _DAY_US).groupby(windows["entity"], sort=True).nunique()
    out: np.ndarray = days.reindex(entities).to_numpy()
    return out


def relative(values: np.ndarray, p50: np.ndarray, p99: np.ndarray) -> np.ndarray:
    """Features relative to a baseline (see the module docstring), clipped to [-5, 50]."""
    return _scaled(_transform(values), _transform(p50), _transform(p99), _FLOOR)


def relative_one(name: str, values: np.ndarray, p50: np.ndarray, p99: np.ndarray) -> np.ndarray:
    """One feature's values relative to a p50 and p99 of their own (per row, say), as
    :func:`relative` reads that feature: the same scale, floor and clip."""
    i = FEATURES.index(name)

    def scale(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        out: np.ndarray = np.log1p(np.clip(x, 0, None)) if _LOG[i] else x
        return out

    return _scaled(scale(values), scale(p50), scale(p99), _FLOOR[i])


def _scaled(x: np.ndarray, m: np.ndarray, q: np.ndarray, floor: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.clip((x - m) / np.maximum(q - m, floor), -5.0, 50.0)
    return out
