"""The default detector configuration on the simulator (fixed seed): every attack scenario is
caught, and nothing else pages — not the nightly batch job, the CI bot, the weekly report or the
user who started today (still learning)."""

from __future__ import annotations

import pandas as pd
import pytest

from tooltrail.detectors.alertstore import AlertStore
from tooltrail.detectors.engine import Engine
from tooltrail.detectors.evaluate import Evaluation, Labelled, evaluate, labelled_events
from tooltrail.detectors.settings import DetectSettings
from tooltrail.detectors.source import FrameSource
from tooltrail.pipeline.store import Store
from tooltrail.simulator import ATTACK_SCENARIOS, SimConfig, simulate, to_frame

pytestmark = [pytest.mark.store, pytest.mark.slow]

SEED = 1


@pytest.fixture(scope="module")
def run() -> tuple[list, pd.DataFrame, list[Labelled], Engine]:  # type: ignore[type-arg]
    sim = simulate(SimConfig(seed=SEED))  # 20 users, 8 days, the attacks on the last day
    frame = to_frame(sim)
    source = FrameSource(frame)
    events = labelled_events(source, frame)
    engine = Engine(source, DetectSettings())
    candidates = engine.score(sim.config.attack_start_us, sim.config.end_us)
    return candidates, events, sim.incidents, engine


def _gated(store: Store, candidates: list) -> list:  # type: ignore[type-arg]
    settings = DetectSettings()
    gate = AlertStore(store, cooldown_us=settings.cooldown_us, group_window_us=settings.group_us)
    gate.offer_many(candidates)
    return gate.list(limit=100_000)


def _evaluate(store: Store, run: tuple, severity: str) -> Evaluation:  # type: ignore[type-arg]
    candidates, events, incidents, _ = run
    return evaluate(
        _gated(store, candidates),
        events,
        incidents,
        benign_windows=1,
        step_us=DetectSettings().step_us,
        min_severity=severity,  # type: ignore[arg-type]
    )


def test_every_attack_scenario_is_detected(store: Store, run: tuple) -> None:  # type: ignore[type-arg]
    result = _evaluate(store, run, "medium")
    assert result.missed == []
    assert set(result.scenarios) == set(ATTACK_SCENARIOS)
    for name, score in result.scenarios.items():
        assert score.detected == score.incidents == 1, name
        assert score.delays[0] < 60, f"{name}: first alert {score.delays[0]} windows late"


def test_benign_bursts_and_the_new_user_raise_nothing(store: Store, run: tuple) -> None:  # type: ignore[type-arg]
    paging = _evaluate(store, run, "medium")
    assert paging.false_alerts == 0
    everything = _evaluate(store, run, "low")  # the bursts raise not even an informational alert
    assert everything.false_on_bursts == 0
    assert everything.false_alerts <= 1  # at most one "first seen" note on ordinary traffic
    _, _, _, engine = run
    # the new user's first day is its learning period: candidates were held back, not absent
    learning = engine.metrics.alerts_suppressed.labels("learning")._value.get()
    assert learning > 0


def test_alerts_explain_themselves(store: Store, run: tuple) -> None:  # type: ignore[type-arg]
    alerts = _gated(store, run[0])
    bulk = [a for a in alerts if a.detector.startswith("model:") and a.entity_kind == "user"]
    assert bulk
    for alert in bulk:
        assert alert.features
        assert alert.features[0].baseline_p99 >= 0
        assert "usual p99" in alert.reason
        assert alert.events.count > 0
        assert alert.events.event_ids
        assert alert.link.startswith("http")
