"""The family rules on hand-made windows and hours: an off-hours sitting pages on its first call
when it starts far from any hour the person works, a day's work running late does not page, and
an account whose routine is deleting in bulk is judged by the size of its runs."""

from __future__ import annotations

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest

from tooltrail.detectors.baseline import relative
from tooltrail.detectors.families import Families
from tooltrail.detectors.features import FEATURES, ActorProfile

from .test_features import DAY, HOUR, MIN, T, event, frame, windows

S = 1_000_000


@pytest.fixture(scope="module")
def office() -> ActorProfile:
    """alice works weekdays 09:00-17:00 UTC (her own profile; no weekend work)."""
    week = np.zeros((2, 24))
    week[0, 9:17] = 40
    return ActorProfile(week_hours={"alice": week})


def _history() -> list[dict[str, object]]:
    """Office hours on the three weekdays before ``T`` (a Monday): bands worked before."""
    return [
        event(T - d * DAY + h * HOUR + 7 * MIN, session_id=f"o{d}{h}")
        for d in (3, 4, 5)  # the Friday, Thursday and Wednesday before
        for h in range(9, 17)
    ]


def _row(win: pd.DataFrame, ts: int) -> pd.Series:
    hit = win.loc[(win["window_start"] <= ts) & (ts < win["window_end"])]
    return hit.iloc[0]


def test_a_sitting_far_from_any_working_hour_counts_from_its_first_call(
    office: ActorProfile,
) -> None:
    night = T + 3 * HOUR
    win = windows(frame(*_history(), event(night)), since=night - MIN, until=night + MIN,
                  profile=office)  # fmt: skip
    first = _row(win, night)
    assert first["rare_hour_calls"] == 1
    assert first["rare_hour_cold"] == 1
    assert first["far_hour_calls"] == 1  # no call of alice's within three hours of 03:00


def test_a_day_of_work_running_late_is_not_a_sitting_at_an_odd_hour(office: ActorProfile) -> None:
    late = [event(T + 16 * HOUR + k * 5 * MIN, session_id=f"l{k}") for k in range(48)]  # → 20:00
    win = windows(frame(*_history(), *late), since=T + 19 * HOUR, until=T + 20 * HOUR,
                  profile=office)  # fmt: skip
    assert win["rare_hour_calls"].max() >= 1  # 19:00 is two hours past anything she works
    assert (win["rare_hour_cold"] == 0).all()  # ... but she has been calling all along
    assert (win["far_hour_calls"] == 0).all()
    # the same hour after an hour's quiet starts a sitting there (rare, not three hours out)
    back = T + 19 * HOUR + 30 * MIN
    alone = windows(frame(*_history(), event(back), event(back + 20 * S)),
                    since=back, until=back + MIN, profile=office)  # fmt: skip
    row = _row(alone, back + 20 * S)
    assert row["rare_hour_cold"] == 2
    assert row["far_hour_calls"] == 0


def _frame(**cols: list[float]) -> pd.DataFrame:
    n = len(next(iter(cols.values())))
    data = {name: np.asarray(cols.get(name, [0.0] * n), dtype=float) for name in FEATURES}
    out = pd.DataFrame({"entity": [f"e{i}" for i in range(n)], **data})
    out["window_start"], out["window_end"] = T, T + MIN
    return out


def _fired(
    level: str, win: pd.DataFrame, p50: pd.DataFrame, p99: pd.DataFrame
) -> dict[str, list[int]]:
    cols = list(FEATURES)
    values, lo, hi = (f[cols].to_numpy(dtype=float) for f in (win, p50, p99))
    rel = relative(values, lo, hi)
    hits = Families().run(level, win, rel, hi, np.ones(len(win), dtype=bool))
    out: dict[str, list[int]] = {}
    for h in hits:  # one family may fire through two paths, on different rows
        out[h.rule] = sorted(out.get(h.rule, []) + [int(r) for r in h.rows])
    return out


def test_off_hours_pages_on_a_far_first_call_or_on_two_calls_of_a_fresh_sitting() -> None:
    win = _frame(
        rare_hour_calls=[1, 2, 1, 5],
        rare_hour_cold=[1, 2, 1, 0],  # the last: a day's work running late
        far_hour_calls=[1, 0, 0, 0],
        calls=[1, 2, 1, 5],
    )
    zero = _frame(calls=[0, 0, 0, 0])
    fired = _fired("user", win, zero, zero)
    assert fired["family:off_hours"] == [0, 1]


def test_a_job_that_deletes_in_bulk_every_night_pages_only_far_above_its_runs() -> None:
    # a cleanup job (p50 8, p99 12 deletes a minute) at twice its runs; at five times them; a
    # person (p99 1) deleting five in a minute
    win = _frame(destructive=[24, 60, 5], calls=[40, 80, 6])
    p50 = _frame(destructive=[8, 8, 0], calls=[30, 30, 3])
    p99 = _frame(destructive=[12, 12, 1], calls=[45, 45, 8])
    fired = _fired("user", win, p50, p99)
    assert fired["family:destructive"] == [1, 2]
