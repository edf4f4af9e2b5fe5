"""Models: the detector contract, comparable scores, the ensemble, the baseline, persistence."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tooltrail.detectors.errors import ModelFileError
from tooltrail.detectors.models import (
    Detector,
    Ensemble,
    NotFitted,
    PyODDetector,
    ThreeSigma,
    ensemble_of,
    load_model,
    save_model,
)

MEMBERS = ("ecod", "copod", "iforest", "hbos", "knn", "lof")
N_FEATURES = 6


def _benign(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.log1p(rng.lognormal(size=(n, N_FEATURES)))


@pytest.fixture(scope="module")
def train() -> np.ndarray:
    return _benign(3000, seed=1)


@pytest.fixture(scope="module")
def holdout() -> np.ndarray:
    return _benign(3000, seed=2)


@pytest.fixture(scope="module")
def outliers(train: np.ndarray) -> np.ndarray:
    """Windows 6 to 9 standard deviations above the mean in every feature."""
    k = np.array([[6.0], [7.0], [8.0], [9.0]])
    return np.asarray(train.mean(axis=0) + k * train.std(axis=0))


@pytest.fixture(scope="module")
def fitted(train: np.ndarray) -> dict[str, PyODDetector]:
    return {name: PyODDetector(name, random_state=7).fit(train) for name in MEMBERS}


@pytest.fixture(scope="module")
def ensemble(train: np.ndarray) -> Ensemble:
    return ensemble_of(("ecod", "iforest", "hbos"), random_state=7).fit(train)


# -- contract -------------------------------------------------------------------------------

FACTORIES: list[Callable[[], Any]] = [
    *[lambda name=name: PyODDetector(name, max_fit_samples=500) for name in MEMBERS],
    lambda: Ensemble([PyODDetector("ecod"), PyODDetector("knn")], combine="max"),
    ThreeSigma,
]


@pytest.mark.parametrize("factory", FACTORIES)
def test_contract_fit_returns_self_fitted_attrs_end_in_underscore(
    factory: Callable[[], Any], train: np.ndarray
) -> None:
    model = factory()
    assert isinstance(model, Detector)
    before = set(vars(model))
    with pytest.raises(NotFitted, match="not fitted"):
        model.decision_function(train[:5])
    assert set(vars(model)) == before
    assert model.fit(train[:800]) is model
    added = set(vars(model)) - before
    assert added
    assert all(a.endswith("_") for a in added), added
    scores = model.decision_function(train[:5])
    assert scores.shape == (5,)
    assert scores.dtype == np.float64


def test_bad_input_is_refused_with_the_rule(fitted: dict[str, PyODDetector]) -> None:
    with pytest.raises(ValueError, match="unknown model 'nope'"):
        PyODDetector("nope")
    det = fitted["ecod"]
    with pytest.raises(ValueError, match="fitted on 6"):
        det.decision_function(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="NaN or infinite"):
        det.decision_function(np.full((1, N_FEATURES), np.nan))
    with pytest.raises(ValueError, match="2-D"):
        det.decision_function(np.zeros(N_FEATURES))
    assert det.decision_function(np.empty((0, N_FEATURES))).shape == (0,)


# -- scoring ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", MEMBERS)
def test_planted_outliers_score_above_every_inlier(
    name: str, fitted: dict[str, PyODDetector], holdout: np.ndarray, outliers: np.ndarray
) -> None:
    det = fitted[name]
    assert det.decision_function(outliers).min() > det.decision_function(holdout).max()


def test_ensemble_flags_planted_outliers_and_about_contamination_of_benign(
    ensemble: Ensemble, train: np.ndarray, holdout: np.ndarray, outliers: np.ndarray
) -> None:
    assert ensemble.decision_function(outliers).min() > ensemble.decision_function(holdout).max()
    flagged = ensemble.predict(outliers)
    assert flagged.dtype == np.bool_
    assert flagged.all()
    # threshold_ = the 1 - 1e-3 training quantile: 3000 rows → at most a handful above it
    assert ensemble.predict(train).sum() <= 3
    assert ensemble.predict(holdout).mean() < 0.01


@pytest.mark.parametrize("name", ["ecod", "iforest"])
def test_same_random_state_same_scores(name: str, train: np.ndarray, holdout: np.ndarray) -> None:
    def scores(seed: int) -> np.ndarray:
        det = PyODDetector(name, max_fit_samples=1000, random_state=seed).fit(train)
        return det.decision_function(holdout)

    assert np.array_equal(scores(3), scores(3))
    assert not np.array_equal(scores(3), scores(4))  # the seed picks the subsample


@pytest.mark.parametrize("name", MEMBERS)
def test_normalized_scores_share_one_scale(
    name: str, fitted: dict[str, PyODDetector], holdout: np.ndarray
) -> None:
    # v = -log10(fraction of benign windows scoring at least as high): benign median ≈ log10 2,
    # benign 99th percentile ≈ 2, whatever the raw score of the member looks like
    scores = fitted[name].decision_function(holdout)
    assert abs(np.median(scores) - np.log10(2)) < 0.06
    assert 1.7 < np.quantile(scores, 0.99) < 2.3


def test_raw_scores_differ_in_scale_normalized_do_not(
    fitted: dict[str, PyODDetector], holdout: np.ndarray
) -> None:
    names = ("ecod", "iforest", "knn")
    raw = [np.median(fitted[n].raw_scores(holdout)) for n in names]
    normalized = [np.median(fitted[n].decision_function(holdout)) for n in names]
    assert max(raw) - min(raw) > 5  # ECOD sums -log ECDFs, IForest is around 0
    assert max(normalized) - min(normalized) < 0.1


def test_far_beyond_every_training_point_scores_higher_than_just_beyond(
    fitted: dict[str, PyODDetector], train: np.ndarray
) -> None:
    det = fitted["knn"]  # a distance grows with the distance; the tail keeps the order
    top = det.decision_function(train).max()
    just, far = train.max(axis=0) + 1.0, train.max(axis=0) + 20.0
    s_just, s_far = det.decision_function(np.vstack([just, far]))
    assert top < s_just < s_far
    assert np.isfinite(s_far)


def test_ecdf_members_score_each_row_as_if_alone(fitted: dict[str, PyODDetector]) -> None:
    det = fitted["ecod"]
    row = np.full((1, N_FEATURES), 4.0)
    alone = det.decision_function(row)[0]
    in_campaign = det.decision_function(np.repeat(row, 5000, axis=0))
    assert np.all(in_campaign == alone)  # PyOD's ECOD would rank 5000 copies as normal
    # and it is PyOD's own score for a one-row batch
    assert det.raw_scores(row)[0] == pytest.approx(det.model_.decision_function(row)[0])


def test_empty_or_misconfigured_ensemble_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one detector"):
        Ensemble([])
    with pytest.raises(ValueError, match="combine"):
        Ensemble([ThreeSigma()], combine="median")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="contamination"):
        Ensemble([ThreeSigma()], contamination=0.0)


def test_three_sigma_flags_4_sigma_not_1_sigma(train: np.ndarray) -> None:
    base = ThreeSigma().fit(train)
    assert base.mean_.shape == base.std_.shape == (N_FEATURES,)
    one, four = base.mean_.copy(), base.mean_.copy()
    one[2] += 1.0 * base.std_[2]
    four[4] += 4.0 * base.std_[4]
    s_one, s_four = base.decision_function(np.vstack([one, four]))
    assert s_one == pytest.approx(1.0)
    assert s_four == pytest.approx(4.0)
    assert s_four > 3 >= s_one


def test_three_sigma_constant_feature_has_no_division_by_zero() -> None:
    X = np.zeros((10, 2))
    X[:, 0] = np.arange(10)
    base = ThreeSigma().fit(X)
    scores = base.decision_function(np.array([[4.5, 0.0], [4.5, 0.1]]))
    assert np.isfinite(scores).all()
    assert scores[0] == pytest.approx(0.0)
    assert scores[1] > 3


# -- persistence -----------------------------------------------------------------------------


@pytest.fixture
def models_dir(tmp_path: Path) -> Path:
    d = tmp_path / "models"
    d.mkdir(mode=0o700)
    return d


@pytest.mark.parametrize("kind", ["ensemble", "knn", "three_sigma"])
def test_round_trip_gives_identical_scores_and_meta(
    kind: str,
    models_dir: Path,
    ensemble: Ensemble,
    fitted: dict[str, PyODDetector],
    train: np.ndarray,
    holdout: np.ndarray,
) -> None:
    model: Any = {
        "ensemble": ensemble,
        "knn": fitted["knn"],
        "three_sigma": ThreeSigma().fit(train),
    }[kind]
    path = models_dir / "user.model"
    meta = {"level": "user", "features": ["calls", "errors"]}
    save_model(model, path, trusted_dir=models_dir, meta=meta, key=b"k" * 32)
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert sorted(p.name for p in models_dir.iterdir()) == ["user.model"]  # no temp file left
    loaded, got_meta = load_model(path, trusted_dir=models_dir, key=b"k" * 32)
    assert got_meta == meta
    assert type(loaded) is type(model)
    assert np.array_equal(loaded.decision_function(holdout), model.decision_function(holdout))


def test_save_outside_trusted_dir_or_unpicklable_leaves_nothing(
    models_dir: Path, tmp_path: Path
) -> None:
    model = ThreeSigma().fit(np.eye(3))
    with pytest.raises(ModelFileError, match="outside the trusted directory"):
        save_model(model, tmp_path / "x.model", trusted_dir=models_dir)
    with pytest.raises(ModelFileError, match="meta is not JSON-serializable"):
        save_model(model, models_dir / "x.model", trusted_dir=models_dir, meta={"a": {1, 2}})
    model.hook = lambda: None  # type: ignore[attr-defined]
    with pytest.raises(ModelFileError, match="cannot be pickled"):
        save_model(model, models_dir / "x.model", trusted_dir=models_dir)
    assert list(models_dir.iterdir()) == []
    assert not (tmp_path / "x.model").exists()


def _saved(models_dir: Path, key: bytes | None = None) -> Path:
    path = models_dir / "m.model"
    save_model(ThreeSigma().fit(np.eye(3)), path, trusted_dir=models_dir, key=key)
    return path


def _rewrite(
    path: Path, edit: Callable[[dict[str, Any], bytes], tuple[dict[str, Any], bytes]]
) -> None:
    magic, header, payload = path.read_bytes().split(b"\n", 2)
    new_header, new_payload = edit(json.loads(header), payload)
    path.write_bytes(magic + b"\n" + json.dumps(new_header).encode() + b"\n" + new_payload)


def test_refuses_a_path_outside_the_trusted_dir(models_dir: Path, tmp_path: Path) -> None:
    path = _saved(models_dir)
    other = tmp_path / "other"
    other.mkdir(mode=0o700)
    with pytest.raises(ModelFileError, match="outside the trusted directory"):
        load_model(path, trusted_dir=other)


def test_refuses_a_symlink_escaping_the_trusted_dir(models_dir: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir(mode=0o700)
    real = _saved(outside)
    link = models_dir / "link.model"
    link.symlink_to(real)
    with pytest.raises(ModelFileError, match="outside the trusted directory"):
        load_model(link, trusted_dir=models_dir)


def test_refuses_a_file_or_dir_writable_by_others(models_dir: Path) -> None:
    path = _saved(models_dir)
    path.chmod(0o606)
    with pytest.raises(ModelFileError, match="model file is writable by group or others"):
        load_model(path, trusted_dir=models_dir)
    path.chmod(0o600)
    models_dir.chmod(0o770)
    with pytest.raises(ModelFileError, match="trusted directory is writable by group or others"):
        load_model(path, trusted_dir=models_dir)


def test_refuses_wrong_magic(models_dir: Path) -> None:
    path = _saved(models_dir)
    path.write_bytes(b"#not-a-model\n" + path.read_bytes())
    with pytest.raises(ModelFileError, match="bad magic"):
        load_model(path, trusted_dir=models_dir)


def test_refuses_an_unknown_envelope_version(models_dir: Path) -> None:
    path = _saved(models_dir)
    _rewrite(path, lambda h, p: ({**h, "envelope": 99}, p))
    with pytest.raises(ModelFileError, match="unknown envelope version 99"):
        load_model(path, trusted_dir=models_dir)


def test_refuses_an_other_pyod_release(models_dir: Path) -> None:
    path = _saved(models_dir)
    _rewrite(path, lambda h, p: ({**h, "pyod": "1.0.9"}, p))
    with pytest.raises(ModelFileError, match=r"pyod version mismatch.*refit"):
        load_model(path, trusted_dir=models_dir)


class _Plant:
    """Unpickling this writes a file: the proof that a refused payload never ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.touch, (self.marker,))


def _planted_payload(
    marker: Path,
) -> Callable[[dict[str, Any], bytes], tuple[dict[str, Any], bytes]]:
    """An edit that swaps in a code-running payload with a matching SHA-256 (no key needed)."""

    def edit(header: dict[str, Any], _: bytes) -> tuple[dict[str, Any], bytes]:
        payload = pickle.dumps(_Plant(marker))
        return {**header, "payload_sha256": hashlib.sha256(payload).hexdigest()}, payload

    return edit


def test_tampered_payload_byte_is_refused_before_unpickling(
    models_dir: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    path = _saved(models_dir)
    data = bytearray(path.read_bytes())
    data[-5] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="payload digest mismatch"):
        load_model(path, trusted_dir=models_dir)
    # a swapped payload that runs code: refused by the digest, so it never ran
    _rewrite(path, lambda h, p: (h, pickle.dumps(_Plant(marker))))
    with pytest.raises(ModelFileError, match="payload digest mismatch"):
        load_model(path, trusted_dir=models_dir)
    assert not marker.exists()


def test_keyed_files_refuse_a_missing_or_wrong_hmac(models_dir: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    unkeyed = _saved(models_dir)
    with pytest.raises(ModelFileError, match="hmac missing"):
        load_model(unkeyed, trusted_dir=models_dir, key=b"secret")
    keyed = _saved(models_dir, key=b"secret")
    with pytest.raises(ModelFileError, match="hmac mismatch"):
        load_model(keyed, trusted_dir=models_dir, key=b"other")

    # an attacker without the key recomputes the digest but cannot recompute the HMAC
    _rewrite(keyed, _planted_payload(marker))
    with pytest.raises(ModelFileError, match="hmac mismatch"):
        load_model(keyed, trusted_dir=models_dir, key=b"secret")
    assert not marker.exists()


def test_meta_edit_breaks_the_hmac(models_dir: Path) -> None:
    path = _saved(models_dir, key=b"secret")
    _rewrite(path, lambda h, p: ({**h, "meta": {"level": "admin"}}, p))
    with pytest.raises(ModelFileError, match="hmac mismatch"):
        load_model(path, trusted_dir=models_dir, key=b"secret")


def test_unkeyed_payload_naming_a_foreign_global_does_not_run(
    models_dir: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    path = _saved(models_dir)
    _rewrite(path, _planted_payload(marker))
    with pytest.raises(ModelFileError, match="disallowed global pathlib"):
        load_model(path, trusted_dir=models_dir)
    assert not marker.exists()
