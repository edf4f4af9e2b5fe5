"""Anomaly models over entity-window feature rows: the contract, PyOD members, the ensemble.

A model sees a float matrix ``X`` (n_windows × n_features, already transformed by the caller)
and keeps PyOD's contract: ``fit(X)`` returns the model, ``decision_function(X)`` returns one
score per row, higher = more anomalous, fitted attributes end in ``_``, and scoring an unfitted
model raises :class:`NotFitted`.

Scores of different members are made comparable by one normalization (see :class:`_TailECDF`):
a normalized score ``v`` means "about a fraction ``10**-v`` of the benign training windows
scored at least this high" (0.3 is a median window, 2 the 99th percentile, 3 one in a
thousand), extended beyond the highest training score by an exponential tail, so a window far
beyond every training window scores higher than one just beyond.

Every score is row-wise: a row's score does not depend on the other rows scored with it. PyOD's
ECOD and COPOD recompute their ECDFs over ``training ∪ batch`` at every call, so a batch full
of similar anomalous windows (a campaign) would rank them as normal; :class:`PyODDetector`
scores those two as if each row were scored alone (identical to PyOD for a one-row batch).

Saving and loading: :func:`save_model`, :func:`load_model` (in ``_persist``).
"""

from __future__ import annotations

import importlib
import inspect
import logging
import math
from collections.abc import Sequence
from typing import Any, Literal, Protocol, Self, runtime_checkable

import numpy as np
import numpy.typing as npt

from ._persist import load_model, save_model
from .errors import DetectorError

__all__ = [
    "MODEL_NAMES",
    "Detector",
    "Ensemble",
    "NotFitted",
    "PyODDetector",
    "ThreeSigma",
    "ensemble_of",
    "load_model",
    "save_model",
]

log = logging.getLogger(__name__)

Matrix = npt.NDArray[np.float64]
Scores = npt.NDArray[np.float64]

#: short name → (module, class) of the PyOD estimators :class:`PyODDetector` wraps
MODEL_NAMES: dict[str, tuple[str, str]] = {
    "ecod": ("pyod.models.ecod", "ECOD"),
    "copod": ("pyod.models.copod", "COPOD"),
    "iforest": ("pyod.models.iforest", "IForest"),
    "hbos": ("pyod.models.hbos", "HBOS"),
    "lof": ("pyod.models.lof", "LOF"),
    "knn": ("pyod.models.knn", "KNN"),
    "pca": ("pyod.models.pca", "PCA"),
    "loda": ("pyod.models.loda", "LODA"),
    "inne": ("pyod.models.inne", "INNE"),
    "mcd": ("pyod.models.mcd", "MCD"),
}
_ROW_WISE_ECDF = frozenset({"ecod", "copod"})


class NotFitted(DetectorError):
    """``decision_function`` (or ``predict``) was called before ``fit``."""


@runtime_checkable
class Detector(Protocol):
    """What the engine needs from a model: fit on benign rows, score new rows (higher = worse)."""

    def fit(self, X: Matrix) -> Self: ...

    def decision_function(self, X: Matrix) -> Scores: ...


def _as_matrix(X: Any, n_features: int | None = None, *, min_rows: int = 0) -> Matrix:
    """``X`` as a finite float64 2-D array, or ValueError naming the rule it broke."""
    arr = np.asarray(X, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"X must be 2-D (n_windows × n_features), got shape {arr.shape}")
    if arr.shape[0] < min_rows:
        raise ValueError(f"X needs at least {min_rows} rows to fit, got {arr.shape[0]}")
    if n_features is not None and arr.shape[1] != n_features:
        raise ValueError(f"X has {arr.shape[1]} features, the model was fitted on {n_features}")
    if not np.isfinite(arr).all():
        raise ValueError("X contains NaN or infinite values; impute them before fit or scoring")
    return arr


def _require_fitted(model: object, attr: str) -> None:
    if not hasattr(model, attr):
        raise NotFitted(f"{type(model).__name__} is not fitted: call fit(X) first")


def _subsample(n: int, max_rows: int, random_state: int) -> npt.NDArray[np.intp]:
    """Sorted indices of at most ``max_rows`` of ``n`` rows, the same for the same seed."""
    if n <= max_rows:
        return np.arange(n)
    rng = np.random.default_rng(random_state)
    return np.sort(rng.choice(n, size=max_rows, replace=False))


class _TailECDF:
    """Maps raw scores to ``-log10(1 - p)``, p = training-score ECDF, with an exponential tail.

    Inside the training range the map interpolates linearly between the distinct training
    scores (``p = rank / (n + 1)``, so it stays finite); below the lowest it is 0. Beyond the
    highest score ``s_max`` it continues as ``v_max + (s - s_max) / (beta · ln 10)``: an
    exponential tail whose scale ``beta`` is the mean excess of the top 1% (at least 10) of
    training scores over the next one (the exponential peaks-over-threshold estimate). The map
    is continuous, non-decreasing, and strictly increasing beyond ``s_max``.
    """

    __slots__ = ("beta", "knots", "levels")

    def __init__(self, train_scores: Scores) -> None:
        s = np.sort(np.asarray(train_scores, dtype=np.float64))
        n = s.size
        if n < 2 or not np.isfinite(s).all():
            raise ValueError("the score normalizer needs at least 2 finite training scores")
        knots, first = np.unique(s, return_index=True)
        count_le = np.append(first[1:], n)  # rows with a score <= each distinct value
        self.knots = knots
        self.levels = -np.log10(1.0 - count_le / (n + 1.0))
        k = min(n - 1, max(10, math.ceil(0.01 * n)))
        beta = float(np.mean(s[n - k :] - s[n - k - 1]))
        if not beta > 0.0:
            beta = float(s[-1] - s[0]) / n
        self.beta = beta if beta > 0.0 else 1.0

    def __call__(self, raw: Scores) -> Scores:
        top = self.knots[-1]
        out = np.interp(raw, self.knots, self.levels, left=0.0)
        beyond = raw > top
        out[beyond] = self.levels[-1] + (raw[beyond] - top) / (self.beta * math.log(10.0))
        return out


def _ecdf_scores(name: str, sorted_cols: Matrix, skew_sign: Scores, X: Matrix) -> Scores:
    """ECOD/COPOD raw scores of each row as if scored alone against the training columns.

    Equals PyOD's ``decision_function`` on a one-row batch (PyOD's ECDF over ``train + row``
    gives ``(count(train <= x) + 1) / (n + 1)``; the skewness sign is the training one).
    """
    n = sorted_cols.shape[0]
    left = np.empty_like(X)
    right = np.empty_like(X)
    for j in range(X.shape[1]):
        col = sorted_cols[:, j]
        order = np.argsort(X[:, j])  # sorted keys: searchsorted runs ~2x faster
        keys = X[order, j]
        left[order, j] = np.searchsorted(col, keys, side="right")
        right[order, j] = n - np.searchsorted(col, keys, side="left")
    u_l = -np.log((left + 1.0) / (n + 1.0))
    u_r = -np.log((right + 1.0) / (n + 1.0))
    u_skew = u_l * -np.sign(skew_sign - 1) + u_r * np.sign(skew_sign + 1)
    if name == "ecod":
        o = np.maximum(np.maximum(u_l, u_r), u_skew)
    else:
        o = np.maximum(u_skew, (u_l + u_r) / 2.0)
    return np.asarray(o.sum(axis=1), dtype=np.float64)


class PyODDetector:
    """One PyOD estimator by short name (see :data:`MODEL_NAMES`), with normalized scores.

    ``fit`` trains on at most ``max_fit_samples`` rows drawn deterministically from
    ``random_state`` (which is also passed to estimators that take one), then fits the score
    normalizer on the estimator's training scores. The same data and ``random_state`` give the
    same scores. ``params`` go to the PyOD estimator unchanged.
    """

    def __init__(
        self, name: str, *, max_fit_samples: int = 20000, random_state: int = 0, **params: Any
    ) -> None:
        if name not in MODEL_NAMES:
            raise ValueError(f"unknown model {name!r}; known: {', '.join(sorted(MODEL_NAMES))}")
        if max_fit_samples < 2:
            raise ValueError(f"max_fit_samples must be at least 2, got {max_fit_samples}")
        self.name = name
        self.max_fit_samples = max_fit_samples
        self.random_state = random_state
        self.params = params

    def __repr__(self) -> str:
        return f"PyODDetector({self.name!r}, random_state={self.random_state})"

    def _build(self) -> Any:
        module, cls_name = MODEL_NAMES[self.name]
        cls = getattr(importlib.import_module(module), cls_name)
        params = dict(self.params)
        if "random_state" in inspect.signature(cls).parameters:
            params.setdefault("random_state", self.random_state)
        return cls(**params)

    def fit(self, X: Matrix) -> Self:
        """Fit on a deterministic subsample of ``X``; returns ``self``."""
        arr = _as_matrix(X, min_rows=2)
        sample = arr[_subsample(arr.shape[0], self.max_fit_samples, self.random_state)]
        model = self._build().fit(sample)
        train_scores = np.asarray(model.decision_scores_, dtype=np.float64)
        if self.name in _ROW_WISE_ECDF:
            from scipy.stats import skew  # type: ignore[import-untyped]

            self.ecdf_columns_ = np.sort(sample, axis=0)
            self.skew_sign_ = np.sign(np.nan_to_num(skew(sample, axis=0)))
            for attr in ("U_l", "U_r", "U_skew", "O"):  # PyOD's per-call buffers: n × d each
                model.__dict__.pop(attr, None)
        self.model_ = model
        self.n_features_in_ = arr.shape[1]
        self.n_fit_samples_ = sample.shape[0]
        self.normalizer_ = _TailECDF(train_scores)
        log.debug("fitted %s on %d of %d rows", self.name, sample.shape[0], arr.shape[0])
        return self

    def raw_scores(self, X: Matrix) -> Scores:
        """The estimator's own scores (not comparable across members)."""
        _require_fitted(self, "model_")
        arr = _as_matrix(X, self.n_features_in_)
        if arr.shape[0] == 0:
            return np.empty(0)
        if self.name in _ROW_WISE_ECDF:
            return _ecdf_scores(self.name, self.ecdf_columns_, self.skew_sign_, arr)
        return np.asarray(self.model_.decision_function(arr), dtype=np.float64)

    def decision_function(self, X: Matrix) -> Scores:
        """Normalized scores: ``-log10`` of the benign tail fraction, see the module docstring."""
        raw = self.raw_scores(X)  # raises NotFitted first
        return self.normalizer_(raw)


class Ensemble:
    """Members fitted on the same rows; their normalized scores combined by ``mean`` or ``max``.

    ``threshold_`` is the ``1 - contamination`` quantile of the combined scores of (at most
    ``max_threshold_samples``, drawn from ``random_state``) training rows; ``predict`` flags
    rows above it. Members must return normalized scores (as :class:`PyODDetector` does).
    """

    def __init__(
        self,
        detectors: Sequence[Detector],
        *,
        combine: Literal["mean", "max"] = "mean",
        contamination: float = 1e-3,
        max_threshold_samples: int = 20000,
        random_state: int = 0,
    ) -> None:
        if not detectors:
            raise ValueError("an ensemble needs at least one detector")
        if combine not in ("mean", "max"):
            raise ValueError(f"combine must be 'mean' or 'max', got {combine!r}")
        if not 0.0 < contamination < 0.5:
            raise ValueError(f"contamination must be in (0, 0.5), got {contamination}")
        self.detectors = list(detectors)
        self.combine = combine
        self.contamination = contamination
        self.max_threshold_samples = max_threshold_samples
        self.random_state = random_state

    def __repr__(self) -> str:
        return f"Ensemble({self.detectors!r}, combine={self.combine!r})"

    def fit(self, X: Matrix) -> Self:
        """Fit every member on ``X``, then set ``threshold_``; returns ``self``."""
        arr = _as_matrix(X, min_rows=2)
        for det in self.detectors:
            det.fit(arr)
        self.n_features_in_ = arr.shape[1]
        rows = _subsample(arr.shape[0], self.max_threshold_samples, self.random_state)
        train = self._combined(arr[rows])
        self.threshold_ = float(np.quantile(train, 1.0 - self.contamination))
        return self

    def _combined(self, arr: Matrix) -> Scores:
        scores = np.vstack([det.decision_function(arr) for det in self.detectors])
        combined = scores.mean(axis=0) if self.combine == "mean" else scores.max(axis=0)
        return np.asarray(combined, dtype=np.float64)

    def decision_function(self, X: Matrix) -> Scores:
        """Combined normalized member scores, one per row."""
        _require_fitted(self, "threshold_")
        return self._combined(_as_matrix(X, self.n_features_in_))

    def predict(self, X: Matrix) -> npt.NDArray[np.bool_]:
        """True where the combined score is above ``threshold_``."""
        return np.asarray(self.decision_function(X) > self.threshold_, dtype=np.bool_)


def ensemble_of(
    names: Sequence[str],
    *,
    combine: Literal["mean", "max"] = "mean",
    contamination: float = 1e-3,
    random_state: int = 0,
) -> Ensemble:
    """An :class:`Ensemble` of PyOD members by short name (the detectors' settings name them;
    ``benchmarks/detection_models.py`` measures the choices)."""
    members = [PyODDetector(n, random_state=random_state) for n in names]
    return Ensemble(members, combine=combine, contamination=contamination)


class ThreeSigma:
    """The benchmark's baseline: the largest per-feature z-score ``(x - mean_) / std_``.

    "Alert when any feature is above mean + 3σ" is ``decision_function(X) > 3``. Only upward
    deviations count. ``std_`` is floored at ``min_std``, so a feature constant in training
    scores any rise as a huge z (and no division by zero).
    """

    def __init__(self, *, min_std: float = 1e-6) -> None:
        if not min_std > 0.0:
            raise ValueError(f"min_std must be > 0, got {min_std}")
        self.min_std = min_std

    def __repr__(self) -> str:
        return f"ThreeSigma(min_std={self.min_std})"

    def fit(self, X: Matrix) -> Self:
        """Per-feature mean and (floored, population) std of ``X``; returns ``self``."""
        arr = _as_matrix(X, min_rows=2)
        self.mean_ = arr.mean(axis=0)
        self.std_ = np.maximum(arr.std(axis=0), self.min_std)
        return self

    def decision_function(self, X: Matrix) -> Scores:
        """Max over features of ``(x - mean_) / std_``."""
        _require_fitted(self, "mean_")
        arr = _as_matrix(X, self.mean_.shape[0])
        if arr.shape[0] == 0:
            return np.empty(0)
        return np.asarray(((arr - self.mean_) / self.std_).max(axis=1), dtype=np.float64)
