"""Baselines: per-entity p50 / p99 with the group's borrowed below ``min_windows``, and features
relative to a baseline (0 at p50, 1 at p99, a floor on the spread, clipped)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest

from tooltrail.detectors.baseline import Baseline, relative
from tooltrail.detectors.features import FEATURES

CALLS = FEATURES.index("calls")
ERRORS = FEATURES.index("error_rate")
RARITY = FEATURES.index("seq_rarity")


def _windows(entity: str, calls: list[float]) -> pd.DataFrame:
    """One window per value of ``calls``; every other feature 0 except error_rate = calls / 1e4."""
    rows = pd.DataFrame(0.0, index=range(len(calls)), columns=list(FEATURES))
    rows["calls"] = calls
    rows["error_rate"] = np.asarray(calls) / 1e4
    rows.insert(0, "entity", entity)
    return rows


@pytest.fixture
def windows() -> pd.DataFrame:
    busy = _windows("busy", [float(i) for i in range(1, 101)])  # 100 windows: 1 .. 100 calls
    fresh = _windows("fresh", [1000.0] * 5)  # 5 windows
    return pd.concat([busy, fresh], ignore_index=True)


def test_an_entity_with_enough_windows_has_its_own_percentiles(windows: pd.DataFrame) -> None:
    base = Baseline.fit(windows, min_windows=60)
    p50, p99, own = base.lookup(pd.Series(["busy"]))
    assert own.tolist() == [True]
    assert base.basis(own) == ["entity"]
    assert p50[0, CALLS] == pytest.approx(50.5)
    assert p99[0, CALLS] == pytest.approx(np.quantile(np.arange(1, 101), 0.99))
    assert p50[0, ERRORS] == pytest.approx(50.5 / 1e4)


def test_the_baseline_keeps_each_entitys_largest_value_of_every_feature(
    windows: pd.DataFrame,
) -> None:
    """Beside the percentiles, the largest window each entity had (round 18: what a tool gave
    anyone at most), however few windows (a thin entity's too); a fit saved before it was
    kept has none."""
    base = Baseline.fit(windows, min_windows=60)
    assert base.max_ is not None
    by = dict(zip(base.entities, base.max_[:, CALLS], strict=True))
    assert by == {"busy": 100.0, "fresh": 1000.0}
    assert base.max_[:, ERRORS].tolist() == [0.01, 0.1]
    assert Baseline.fit(windows.iloc[:0]).max_.shape == (0, len(FEATURES))  # type: ignore[union-attr]


def test_a_new_or_unknown_entity_borrows_the_groups_percentiles(windows: pd.DataFrame) -> None:
    base = Baseline.fit(windows, min_windows=60)
    p50, p99, own = base.lookup(pd.Series(["fresh", "busy", "never-seen"]))
    assert own.tolist() == [False, True, False]
    assert base.basis(own) == ["group", "entity", "group"]
    everything = windows["calls"].to_numpy()
    for row in (0, 2):
        assert p50[row, CALLS] == pytest.approx(np.quantile(everything, 0.5))
        assert p99[row, CALLS] == pytest.approx(np.quantile(everything, 0.99))
    assert p50[0, CALLS] != 1000.0  # not fresh's own median


def test_min_windows_is_inclusive(windows: pd.DataFrame) -> None:
    _, p99, own = Baseline.fit(windows, min_windows=5).lookup(pd.Series(["fresh"]))
    assert own.tolist() == [True]
    assert p99[0, CALLS] == pytest.approx(1000.0)
    assert Baseline.fit(windows, min_windows=6).lookup(pd.Series(["fresh"]))[2].tolist() == [False]


def test_a_baseline_fitted_on_nothing_answers_with_an_empty_group() -> None:
    base = Baseline.fit(_windows("nobody", []), min_windows=1)
    p50, p99, own = base.lookup(pd.Series(["a", "b"]))
    assert own.tolist() == [False, False]
    assert p50.shape == p99.shape == (2, len(FEATURES))
    assert not p50.any()
    assert not p99.any()


def _spread_baseline() -> tuple[np.ndarray, np.ndarray]:
    """A p50 / p99 with spreads above every floor: counts 10 → 1000, shares 0 → 1, bits 0 → 10."""
    p50 = np.full((1, len(FEATURES)), 10.0)
    p99 = np.full((1, len(FEATURES)), 1000.0)
    for name in ("error_rate", "off_hours", "fp_novelty"):
        p50[0, FEATURES.index(name)], p99[0, FEATURES.index(name)] = 0.0, 1.0
    p50[0, RARITY], p99[0, RARITY] = 0.0, 10.0
    return p50, p99


def test_relative_is_zero_at_p50_and_one_at_p99() -> None:
    p50, p99 = _spread_baseline()
    np.testing.assert_allclose(relative(p50, p50, p99), 0.0, atol=1e-12)
    np.testing.assert_allclose(relative(p99, p50, p99), 1.0)


def test_relative_measures_counts_on_a_log_scale_and_shares_linearly() -> None:
    p50, p99 = _spread_baseline()
    x = p50.copy()
    x[0, CALLS] = math.sqrt(11 * 1001) - 1  # half-way between 10 and 1000 in log1p
    x[0, ERRORS] = 0.5
    r = relative(x, p50, p99)
    assert r[0, CALLS] == pytest.approx(0.5)
    assert r[0, ERRORS] == pytest.approx(0.5)


def test_relative_is_clipped_to_minus_five_and_fifty() -> None:
    p50, p99 = _spread_baseline()
    x = p50.copy()
    x[0, RARITY] = 1000.0  # (1000 - 0) / 10 = 100 spreads up
    low = p50.copy()
    low[0, RARITY] = -100.0
    assert relative(x, p50, p99)[0, RARITY] == 50.0
    assert relative(low, p50, p99)[0, RARITY] == -5.0


def test_a_flat_baseline_is_divided_by_the_floor_not_by_zero() -> None:
    flat = np.full((1, len(FEATURES)), 10.0)
    flat[0, ERRORS] = 0.0
    x = flat.copy()
    x[0, CALLS] = math.expm1(math.log1p(10) + 0.7)  # one floor (0.7 in log1p) above
    x[0, ERRORS] = 0.25  # half a floor (0.5) above
    r = relative(x, flat, flat)
    assert np.isfinite(r).all()
    assert r[0, CALLS] == pytest.approx(1.0)
    assert r[0, ERRORS] == pytest.approx(0.5)
    assert r[0, FEATURES.index("bytes_in")] == 0.0


def test_a_job_that_runs_a_minute_a_day_has_its_own_baseline_from_its_days() -> None:
    """Few windows over many days (a scheduled job) are the job's own baseline; as few windows
    on fewer days (someone who tried a tool twice) borrow the group's; a fit saved before days
    were kept (``days_`` None) decides by windows alone."""
    day = 86_400_000_000
    job = _windows("job", [3.0] * 30)  # six windows a day, five days
    job["window_start"] = [d * day + w * 10_000_000 for d in range(5) for w in range(6)]
    trial = _windows("trial", [40.0] * 30)  # thirty windows, two days
    trial["window_start"] = [d * day + w * 10_000_000 for d in range(2) for w in range(15)]
    busy = _windows("busy", [float(i) for i in range(1, 101)])
    busy["window_start"] = [w * 10_000_000 for w in range(100)]
    base = Baseline.fit(pd.concat([job, trial, busy], ignore_index=True), min_days=5)
    _, p99, own = base.lookup(pd.Series(["job", "trial", "busy"]))
    assert own.tolist() == [True, False, True]
    assert p99[0, CALLS] == pytest.approx(3.0)  # the job's own: it always makes three calls
    assert base.dense(pd.Series(["job", "trial", "busy", "never-seen"])).tolist() == [
        False,
        False,
        True,
        False,
    ]  # windows enough (days aside): what the hours a job works are judged on
    base.days_ = None
    assert base.lookup(pd.Series(["job", "trial", "busy"]))[2].tolist() == [False, False, True]
