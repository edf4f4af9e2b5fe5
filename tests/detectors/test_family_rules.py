"""The family rules on hand-made windows and hours: an off-hours sitting pages on its first call
when it starts far from any hour the person works, a day's work running late does not page, and
an account whose routine is deleting in bulk is judged by the size of its runs; a person's busy
minute of their own deletes is no burst, a burst of a destructive tool they rarely call is."""

from __future__ import annotations

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest

from tooltrail.detectors.baseline import relative
from tooltrail.detectors.families import Families, PairHistory
from tooltrail.detectors.features import FEATURES, ActorProfile
from tooltrail.detectors.rules import RuleHits

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


def test_a_busy_minute_of_a_persons_own_deletes_is_no_burst() -> None:
    # three deletes where the person's own p99 is two (a busy minute, paged in round 4), four
    # against three; five against two pages (more than twice the person's own p99)
    win = _frame(destructive=[3, 4, 5], calls=[7, 9, 8])
    p50 = _frame(destructive=[0, 0, 0], calls=[3, 3, 3])
    p99 = _frame(destructive=[2, 2.74, 2], calls=[9, 9, 9])
    fired = _fired("user", win, p50, p99)
    assert fired["family:destructive"] == [2]


def _pair(
    count: list[float], usual: list[float], windows_: list[float], established: list[bool]
) -> tuple[pd.DataFrame, dict[str, list[int]], list[RuleHits]]:
    n = len(count)
    win = _frame(destructive=count, calls=count)
    win["entity"] = [f"u{i}|delete_pod" for i in range(n)]
    zero = _frame(calls=[0.0] * n)
    cols = list(FEATURES)
    values, lo = (f[cols].to_numpy(dtype=float) for f in (win, zero))
    # the level's baseline says nothing about these thin pairs (the group's)
    group = _frame(destructive=[3.0] * n, calls=[7.0] * n)[cols].to_numpy(dtype=float)
    own_p99 = _frame(destructive=usual, calls=usual)[cols].to_numpy(dtype=float)
    pair = PairHistory(lo, own_p99, np.asarray(windows_), np.asarray(established))
    hits = Families().run(
        "user_tool",
        win,
        relative(values, lo, group),
        group,
        np.zeros(n, dtype=bool),  # too thin for an own baseline of the pair
        pair=pair,
    )
    out: dict[str, list[int]] = {}
    for h in hits:
        out[h.rule] = sorted(out.get(h.rule, []) + [int(r) for r in h.rows])
    return win, out, hits


def test_a_burst_of_a_destructive_tool_the_person_rarely_calls_pages_on_its_own_history() -> None:
    # 4 calls of a tool the user called in 6 windows of the baseline (p99 1): pages; 3 calls of a
    # tool never called (p99 0): pages; the same 4 calls by someone back from a month away (no
    # own baseline at the user level): not; 3 where the pair's own p99 is 2: not; a job whose
    # runs are 13 (routine) at 27: not, at 60: pages
    _, fired, hits = _pair(
        count=[4, 3, 4, 3, 27, 60],
        usual=[1, 0, 1, 2, 13, 13],
        windows_=[6, 0, 6, 40, 47, 47],
        established=[True, True, False, True, True, True],
    )
    assert fired["family:destructive"] == [0, 1, 5]
    (hit,) = hits
    assert hit.baseline is not None  # explained against the pair's own history, not the group
    assert "u0 called delete_pod, a destructive tool, 4 times in 1 min" in hit.reasons[0]
    assert (
        "usual p99 for this tool is 1 per window (6 windows of its own baseline)"
        in (hit.reasons[0])
    )


def test_a_novelty_burst_pages_when_reached_by_a_move_nobody_makes() -> None:
    # four tools and a server new to the person, reached by a move colleagues make daily (a
    # new team's routine: 2.4 bits) — no page; the same by a jump nobody makes (8 bits) — pages
    win = _frame(new_tools=[4, 4], new_servers=[1, 1], novel_jump=[2.4, 8.0], calls=[6, 6])
    zero = _frame(calls=[0.0, 0.0])
    fired = _fired("user", win, zero, zero)
    assert fired["family:novelty_burst"] == [1]


def test_a_late_sitting_back_within_two_hours_of_the_last_is_a_day_running_late(
    office: ActorProfile,
) -> None:
    # a quarter's close: alice stays on to 18:00, then comes back at 19:20 (80 min later) at an
    # hour two hours past anything she works: not a sitting that starts cold (an hour's quiet
    # was the bar until round 5, and paged); after two hours and a half it is one
    late = [event(T + 17 * HOUR + k * 10 * MIN, session_id=f"l{k}") for k in range(7)]  # → 18:00
    back = T + 19 * HOUR + 20 * MIN
    win = windows(frame(*_history(), *late, event(back), event(back + 20 * S)),
                  since=back, until=back + MIN, profile=office)  # fmt: skip
    row = _row(win, back + 20 * S)
    assert row["rare_hour_calls"] == 2
    assert row["rare_hour_cold"] == 0
    later = T + 20 * HOUR + 30 * MIN
    win = windows(frame(*_history(), *late, event(later), event(later + 20 * S)),
                  since=later, until=later + MIN, profile=office)  # fmt: skip
    assert _row(win, later + 20 * S)["rare_hour_cold"] == 2
