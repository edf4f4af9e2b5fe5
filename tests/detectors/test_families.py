"""The attack families page on both generators, and their hard negatives do not.

One fixed seed per generator (the first simulator, on which the thresholds were tuned, the
Markov generator and, since round 5, the sessions generator, each built apart; all three tuned on
since: docs/alerts.md), every family of the attack
library at the middle intensity, the default settings: each family is caught, nothing labelled
as a hard negative pages (batch job, release afternoon, new hire, on-call night, role change: no
residual allowed; since round 4 the month-end close too, and markov's whole-day IDE sessions
page nothing), an off-hours sitting pages at its first call, an alert's explanation names its
feature and the entity's own baseline, and scoring the day in live-sized steps gives the alerts
of scoring it at once.
"""

from __future__ import annotations

import importlib
from typing import Any

import pandas as pd
import pytest

from tooltrail.detectors.alert import Alert
from tooltrail.detectors.alertstore import AlertStore
from tooltrail.detectors.engine import Engine
from tooltrail.detectors.evaluate import evaluate, labelled_events
from tooltrail.detectors.settings import DetectSettings
from tooltrail.detectors.source import FrameSource
from tooltrail.pipeline.store import Store
from tooltrail.simulator import SimConfig, Simulation, simulate, to_frame
from tooltrail.simulator.inject import FAMILIES, inject
from tooltrail.simulator.markov import ANNOTATIONS, HARD_NEGATIVES, MarkovConfig, generate
from tooltrail.simulator.model import HARD_NEGATIVES as SIM_HARD
from tooltrail.simulator.sessions import ANNOTATIONS as SESSIONS_ANNOTATIONS
from tooltrail.simulator.sessions import HARD_NEGATIVES as SESSIONS_HARD
from tooltrail.simulator.sessions import SessionsConfig
from tooltrail.simulator.sessions import generate as generate_sessions

pytestmark = [pytest.mark.store, pytest.mark.slow]

GENERATORS = ("sim", "markov", "sessions")
FAMILY = DetectSettings(family_rules=True)
#: the hard negatives of the first simulator (its labelled benign bursts, and the release
#: afternoon, role change and on-call night it makes on request)
SIM_NEGATIVES = (
    "benign:nightly_batch",
    "benign:ci_bot",
    "benign:weekly_report",
    "benign:new_user",
    *SIM_HARD,
)


def _traffic(generator: str) -> Simulation:
    if generator == "sim":
        cfg = SimConfig(
            seed=3, users=12, scenarios=(), incidents_per_scenario=0, hard_negatives=SIM_HARD
        )
        base = simulate(cfg)
        return inject(base, FAMILIES, "mid", seed=3)
    if generator == "sessions":  # its fourteen days: the new hires start in the second week
        base = generate_sessions(SessionsConfig(seed=3))
        return inject(base, FAMILIES, "mid", seed=3, annotations=SESSIONS_ANNOTATIONS)
    base = generate(MarkovConfig(seed=3, users=14))
    return inject(base, FAMILIES, "mid", seed=3, annotations=ANNOTATIONS)


_RUNS: dict[str, Any] = {}


def _run(generator: str) -> tuple[Simulation, pd.DataFrame, list[Alert], Engine]:
    if generator not in _RUNS:
        sim = _traffic(generator)
        # sessions' servers annotate their tools: the hints an emitter records
        frame = to_frame(sim, annotations=SESSIONS_ANNOTATIONS if generator == "sessions" else None)
        source = FrameSource(frame)
        scored: dict[str, list[pd.DataFrame]] = {}

        def keep(kind: str, level: str, windows: pd.DataFrame, _learning: object) -> None:
            if kind == "score":
                scored.setdefault(level, []).append(windows)

        engine = Engine(source, FAMILY, on_features=keep)
        candidates = engine.score(sim.config.attack_start_us, sim.config.end_us)
        _RUNS[generator] = (sim, labelled_events(source, frame), candidates, engine)
        _WINDOWS[generator] = {k: pd.concat(v, ignore_index=True) for k, v in scored.items()}
    return _RUNS[generator]  # type: ignore[no-any-return]


_WINDOWS: dict[str, dict[str, pd.DataFrame]] = {}


def _window(generator: str, alert: Alert) -> pd.Series:
    """The scored features of an alert's first window."""
    w = _WINDOWS[generator][alert.entity_kind]
    rows = w.loc[(w["entity"] == alert.entity) & (w["window_end"] == alert.window_end)]
    assert len(rows) == 1
    return rows.iloc[0]


def _gated(store: Store, candidates: list[Alert]) -> list[Alert]:
    s = DetectSettings()
    gate = AlertStore(store, cooldown_us=s.cooldown_us, group_window_us=s.group_us)
    gate.offer_many(candidates)
    return gate.list(limit=100_000)


def _paging_labels(alert: Alert, events: pd.DataFrame) -> set[str]:
    col = f"e_{alert.entity_kind}"
    ts = events["ts"]
    end = max(alert.last_window_end, alert.window_end)
    mine = events.loc[(events[col] == alert.entity) & (ts >= alert.window_start) & (ts < end)]
    return {str(x).partition("#")[0] for x in mine["label"] if x}


@pytest.mark.parametrize("generator", GENERATORS)
def test_every_family_at_the_middle_intensity_is_caught(store: Store, generator: str) -> None:
    sim, events, candidates, _ = _run(generator)
    result = evaluate(
        _gated(store, candidates), events, sim.incidents, benign_windows=1, step_us=10**7
    )
    assert set(result.scenarios) == set(FAMILIES)
    assert result.missed == []
    for family, score in result.scenarios.items():
        assert score.detected == score.incidents == 1, family


@pytest.mark.parametrize("generator", GENERATORS)
def test_an_off_hours_sitting_pages_at_its_first_call(store: Store, generator: str) -> None:
    """Far from any hour the victim works, the attack's first call pages: the first paging
    window is one that holds it (delay under one 10 s step past the call's own window)."""
    sim, events, candidates, _ = _run(generator)
    result = evaluate(
        _gated(store, candidates), events, sim.incidents, benign_windows=1, step_us=10**7
    )
    (delay,) = result.scenarios["off_hours"].delays
    assert delay <= 1.0


#: generators built blind by helpers who read no detector (docs/<name>.md), with their own attacks,
#: tuned on once their first look was reported: one fixed seed each (``ledger``'s 4: its stolen
#: session at night runs while two of finance close the month on another server, which round 11
#: took for a night the organisation keeps together), and the harvest's read it pages by (1: its
#: first object, larger than the tool gives anyone; ``grid``'s objects are twice the largest page
#: its meter-read tool ever gave but within its spreads, as a quarter-end's sheets are: they page
#: over the hour, by its ninth (round 18), not after half an hour as before)
BLIND = (("ledger", 4, 1), ("grid", 1, 9))


@pytest.mark.parametrize(("generator", "seed", "nth"), BLIND)
def test_every_family_of_a_blind_generators_own_attacks_is_caught(
    store: Store, generator: str, seed: int, nth: int
) -> None:
    """Each of the five families, as the generator's author shaped it (paced reversals, a
    stolen session at night, a harvest over an hour), at the middle intensity, pages; the paced
    deletes (with a tool nobody here uses) at their second call, the harvest at its ``nth``
    object."""
    mod = importlib.import_module(f"tooltrail.simulator.{generator}")
    base = mod.generate(getattr(mod, f"{generator.capitalize()}Config")(seed=seed))
    sim = mod.inject(base, FAMILIES, "mid", seed=seed, annotations=mod.ANNOTATIONS)
    frame = to_frame(sim, annotations=mod.ANNOTATIONS)  # the hints an emitter records
    source = FrameSource(frame)
    candidates = Engine(source, FAMILY).score(sim.config.attack_start_us, sim.config.end_us)
    events = labelled_events(source, frame)
    result = evaluate(
        _gated(store, candidates), events, sim.incidents, benign_windows=1, step_us=10**7
    )
    assert {i.scenario for i in sim.incidents} == set(FAMILIES)
    assert result.missed == []
    # paced deletes with a tool nobody here uses page at their second call (the window holding
    # it ends within a step of it), however long the attacker waits between the first two
    (inc,) = [i for i in sim.incidents if i.scenario == "destructive"]
    second = sorted(c.ts for c in sim.calls if c.label == inc.id)[1]
    (delay,) = result.scenarios["destructive"].delays
    assert delay <= (second - inc.start) / 10**7 + 1, delay
    # and the harvest on its first object (round 17: a result larger than the tool gives
    # anyone), or within minutes of its objects beyond any page the tool ever gave (round 18),
    # not an hour later on the person's whole hour
    (harvest,) = [i for i in sim.incidents if i.scenario == "bulk_read"]
    reads = sorted(c.ts for c in sim.calls if c.label == harvest.id and c.tool)
    (delay,) = result.scenarios["bulk_read"].delays
    assert delay <= (reads[nth - 1] - harvest.start) / 10**7 + 1, delay


def test_whole_day_ide_sessions_page_nothing() -> None:
    """markov's IDE assistants that keep one connection all day, on servers whose other
    sessions are a monitor's few seconds: no paging alert rests on a session's age."""
    sim, _, candidates, _ = _run("markov")
    spans: dict[str, list[int]] = {}
    for c in sim.calls:
        spans.setdefault(c.session_id, []).append(c.ts)
    assert max(max(t) - min(t) for t in spans.values()) > 6 * 3_600_000_000  # not vacuous
    assert any(c.user == "svc-watch" for c in sim.calls)
    paging = [a for a in candidates if a.severity != "low"]
    assert not [a.reason for a in paging if "session_len" in {f.name for f in a.features}]


def test_a_server_rolled_out_that_afternoon_pages_nothing(store: Store) -> None:
    """markov's release afternoon rolls out ``notes``, a server nobody used before: its first
    users (before anyone else has tried it) page nothing."""
    sim, events, candidates, _ = _run("markov")
    tried = {c.user for c in sim.calls if c.server == "notes"}
    assert len(tried) >= 2  # not vacuous
    attacks = {i.scenario for i in sim.incidents}
    paging = [
        a
        for a in _gated(store, candidates)
        if a.severity != "low" and not _paging_labels(a, events) & attacks
    ]
    assert not [a.reason for a in paging if a.entity in tried and "novelty" in a.detector]


@pytest.mark.parametrize("generator", GENERATORS)
def test_hard_negatives_raise_nothing_that_pages(store: Store, generator: str) -> None:
    sim, events, candidates, _ = _run(generator)
    negatives = {"sim": SIM_NEGATIVES, "markov": HARD_NEGATIVES, "sessions": SESSIONS_HARD}[
        generator
    ]
    present = {b.scenario for b in sim.benign_bursts}
    assert present == set(negatives)
    paging = [a for a in _gated(store, candidates) if a.severity != "low"]
    assert paging  # the attacks page: the check below is not vacuous
    hit = {label for a in paging for label in _paging_labels(a, events)}
    assert hit.isdisjoint(negatives), [
        (a.detector, a.entity, a.reason)
        for a in paging
        if _paging_labels(a, events) & set(negatives)
    ]
    if generator == "sessions":
        return  # its release launches a server (the organisation's novelty: nothing to keep)
    # ... while the release afternoon's new routine is seen: kept as low (stored, not paged)
    kept = [a for a in _gated(store, candidates) if a.severity == "low"]
    assert "benign:release_spike" in {label for a in kept for label in _paging_labels(a, events)}


def test_family_alerts_explain_in_the_entitys_own_terms(store: Store) -> None:
    _, _, candidates, _ = _run("markov")
    family = [a for a in _gated(store, candidates) if a.detector.startswith("rule:family:")]
    assert {a.detector.rsplit(":", 1)[1] for a in family} >= {"novelty_burst", "destructive"}
    for alert in family:
        assert alert.features, alert.detector
        top = alert.features[0]
        assert top.basis == "entity"  # judged against its own history, never its group's
        assert alert.entity in alert.reason
        assert any(own in alert.reason for own in ("usual p99", "own baseline", "own history")), (
            alert.reason
        )


def test_scoring_in_live_steps_equals_scoring_at_once() -> None:
    sim, _, _, _ = _run("markov")
    frame = to_frame(sim)
    hours = sorted({i.start // 3_600_000_000 for i in sim.incidents})[:2]
    # and the release afternoon's first hour: peer context (other users' novelty) is read from
    # events up to each window's end, so it too must not depend on how scoring is cut
    release = min(b.start for b in sim.benign_bursts if b.scenario == "benign:release_spike")
    hours.append(release // 3_600_000_000)
    step = 10 * 60 * 1_000_000
    at_once, live = Engine(FrameSource(frame), FAMILY), Engine(FrameSource(frame), FAMILY)
    family = 0
    for hour in hours:
        since, until = hour * 3_600_000_000, (hour + 1) * 3_600_000_000
        whole = at_once.score(since, until)
        parts = [a for t in range(since, until, step) for a in live.score(t, t + step)]
        family += sum(a.detector.startswith("rule:family:") for a in whole)
        assert [a.to_dict() for a in parts] == [a.to_dict() for a in whole]
    assert family  # not equal by being empty
