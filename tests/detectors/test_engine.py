"""The scoring engine on a simulated frame (``FrameSource``): deterministic, the same candidates
in one call or in many small steps, cold start held back, false-positive labels learned as normal
in the next fit, fits saved and loaded (a tampered file refused), and alerts that explain
themselves down to the events and the investigation link.

A small simulation (4 users, 3 days, the attacks on the last day) with a 2-day baseline and a
1-day learning period keeps each fit around a second.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import math
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest

from tooltrail.detectors._persist import MAGIC
from tooltrail.detectors.alert import SEVERITIES, Alert, Severity, alert_id
from tooltrail.detectors.engine import Engine
from tooltrail.detectors.features import FEATURES, LEVELS, entity_column
from tooltrail.detectors.settings import DetectSettings
from tooltrail.detectors.source import FrameSource
from tooltrail.simulator import SimConfig, Simulation, simulate, to_frame

pytestmark = pytest.mark.slow

SECOND = 1_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
SIM = SimConfig(seed=3, users=4, days=3)
DASHBOARD = (
    "https://grafana.example/d/investigate?kind={entity_kind}&entity={entity}"
    "&from={from_ms}&to={to_ms}&alert={alert_id}"
)
SETTINGS = DetectSettings(learning_days=1, baseline_days=2, dashboard_url=DASHBOARD)
FP_WEIGHT = 20  # a window labelled false positive counts this often in the next fit

Windows = dict[tuple[str, str, int], pd.Series]


def _dicts(alerts: Sequence[Alert]) -> list[dict[str, Any]]:
    return [a.to_dict() for a in alerts]


def _learning_suppressed(engine: Engine) -> float:
    value = engine.metrics.registry.get_sample_value(
        "tooltrail_alerts_suppressed_total", {"reason": "learning"}
    )
    return value or 0.0


@pytest.fixture(scope="module")
def sim() -> Simulation:
    return simulate(SIM)


@pytest.fixture(scope="module")
def frame(sim: Simulation) -> pd.DataFrame:
    return to_frame(sim)


@pytest.fixture(scope="module")
def span() -> tuple[int, int]:
    """10:00-11:40 of the attack day: the stolen key's new client, the runaway agent loop."""
    return SIM.attack_start_us + 10 * HOUR, SIM.attack_start_us + 11 * HOUR + 40 * MINUTE


@pytest.fixture(scope="module")
def scored_windows() -> Windows:
    """Every window the module's engine scored, by (level, entity, window_start)."""
    return {}


@pytest.fixture(scope="module")
def engine(frame: pd.DataFrame, scored_windows: Windows) -> Engine:
    def keep(kind: str, level: str, windows: pd.DataFrame, _learning: np.ndarray) -> None:
        if kind == "score":
            for _, row in windows.iterrows():
                scored_windows[(level, str(row["entity"]), int(row["window_start"]))] = row

    return Engine(FrameSource(frame), SETTINGS, on_features=keep)


@pytest.fixture(scope="module")
def candidates(engine: Engine, span: tuple[int, int]) -> list[Alert]:
    found = engine.score(*span)
    detectors = {a.detector for a in found}
    # not equal by being empty: model and rule candidates, on several levels
    assert any(d.startswith("model:") for d in detectors), detectors
    assert any(d.startswith("rule:") for d in detectors), detectors
    return found


# -- determinism and live = backfill ------------------------------------------------------------


def test_two_engines_on_the_same_frame_give_identical_candidates(
    frame: pd.DataFrame, candidates: list[Alert], span: tuple[int, int]
) -> None:
    other = Engine(FrameSource(frame.copy()), SETTINGS)
    again = other.score(*span)
    assert [(a.id, a.score, a.reason) for a in again] == [
        (a.id, a.score, a.reason) for a in candidates
    ]
    assert _dicts(again) == _dicts(candidates)
    assert other.fit_seconds  # it fit its own models: nothing was shared


def test_a_randomized_model_is_deterministic_too(frame: pd.DataFrame) -> None:
    settings = SETTINGS.model_copy(update={"ensemble": ("ecod", "iforest")})
    hour = (SIM.attack_start_us + 11 * HOUR, SIM.attack_start_us + 12 * HOUR)
    source, cache = FrameSource(frame), {}  # the same features; each engine fits its own model
    first, second = (Engine(source, settings, feature_cache=cache).score(*hour) for _ in range(2))
    assert first
    assert _dicts(first) == _dicts(second)


def test_scoring_in_small_steps_equals_scoring_the_range_at_once(
    engine: Engine, candidates: list[Alert], span: tuple[int, int]
) -> None:
    since, until = span
    step = SETTINGS.step_us
    # cursor-style steps of uneven length: one step, a few steps, minutes, an hour, the rest
    bounds = [since, since + step, since + 4 * step, since + 7 * MINUTE, since + HOUR]
    bounds += [*range(since + HOUR + 13 * MINUTE, until, 11 * MINUTE), until]
    stepped: list[Alert] = []
    for lo, hi in itertools.pairwise(bounds):
        stepped.extend(engine.score(lo, hi))
    assert len(bounds) > 8
    assert _dicts(stepped) == _dicts(candidates)


# -- what an alert carries ----------------------------------------------------------------------


def test_every_alert_carries_its_evidence_events_and_link(
    engine: Engine,
    frame: pd.DataFrame,
    candidates: list[Alert],
    scored_windows: Windows,
) -> None:
    events = FrameSource(frame).frame
    kinds = set()
    for alert in candidates:
        kinds.add(alert.entity_kind)
        assert alert.severity in SEVERITIES
        assert alert.entity_kind in LEVELS
        assert alert.entity
        assert alert.window_end - alert.window_start == SETTINGS.window_us
        assert alert.window_end % SETTINGS.step_us == 0
        assert alert.detector == f"model:{alert.entity_kind}" or alert.detector.startswith("rule:")
        assert math.isfinite(alert.score)
        assert alert.entity in alert.reason, alert.reason
        assert len(alert.reason.split()) >= 5, alert.reason
        assert alert.dedupe_key == f"{alert.detector}|{alert.entity_kind}|{alert.entity}"
        assert alert.id == alert_id(alert.dedupe_key, alert.window_start)

        # the evidence: the window's own feature values, next to the fit's baseline
        window = scored_windows[(alert.entity_kind, alert.entity, alert.window_start)]
        fitted = engine.model_for(engine.fit_time(alert.window_end))
        baseline = fitted.levels[alert.entity_kind].baseline
        # a user × tool family rule reads the pair's own history however thin (else the level's)
        pair_rule = alert.entity_kind == "user_tool" and alert.detector.startswith("rule:family:")
        read = baseline.sparse if pair_rule else baseline.lookup
        p50, p99 = read(pd.Series([alert.entity]))[:2]
        assert alert.features
        for ev in alert.features:
            j = FEATURES.index(ev.name)
            assert ev.value == pytest.approx(float(window[ev.name]))
            assert (ev.baseline_p50, ev.baseline_p99) == pytest.approx((p50[0, j], p99[0, j]))
            assert ev.baseline_p50 <= ev.baseline_p99

        # the events: exactly the entity's events in the window
        mine = events.loc[
            (events[entity_column(alert.entity_kind)] == alert.entity)
            & (events["ts"] >= alert.window_start)
            & (events["ts"] < alert.window_end)
        ]
        assert alert.events.count == len(mine) > 0
        assert list(alert.events.event_ids) == list(mine["event_id"].head(20))
        sessions = list(dict.fromkeys(s for s in mine["session_id"] if s))[:10]
        assert list(alert.events.session_ids) == sessions
        assert alert.events.session_ids

        # the link: the settings' template, the entity URL-encoded, a margin around the window
        assert alert.link.startswith("https://grafana.example/d/investigate?")
        assert f"entity={quote(alert.entity, safe='')}&" in alert.link
        query = parse_qs(urlsplit(alert.link).query)
        assert query["entity"] == [alert.entity]
        assert query["kind"] == [alert.entity_kind]
        assert query["alert"] == [alert.id]
        assert int(query["from"][0]) < alert.window_start // 1000
        assert int(query["to"][0]) > alert.window_end // 1000
    # an entity with a "|" in it was among them, and it is encoded in the link
    piped = [a for a in candidates if "|" in a.entity]
    assert piped
    assert all("%7C" in a.link and "|" not in a.link for a in piped)
    assert len(kinds) >= 3, kinds


def test_no_dashboard_url_means_no_link(frame: pd.DataFrame, span: tuple[int, int]) -> None:
    engine = Engine(FrameSource(frame), SETTINGS.model_copy(update={"dashboard_url": ""}))
    assert engine.link("user", "u-01", *span, "abc") == ""


# -- cold start ---------------------------------------------------------------------------------


def _new_user_burst(sim: Simulation, frame: pd.DataFrame) -> tuple[pd.DataFrame, int, int]:
    """The simulator's new user (first seen today), two hours in: a minute of heavy calls from
    a client never seen for them; half an hour later a loop of identical calls. Returns the
    frame and the two start times."""
    new = next(b for b in sim.benign_bursts if b.scenario == "benign:new_user")
    heavy = (new.start + 2 * HOUR) // MINUTE * MINUTE
    loop = heavy + 30 * MINUTE
    template = frame.loc[(frame["user"] == new.user) & (frame["ts"] < heavy)].iloc[-1].to_dict()
    tools = ("read_file", "list_directory", "search_files", "write_file", "read_channel")
    tools += ("run_query", "list_issues", "get_issue")
    rows = []
    for i in range(60):
        rows.append(
            template
            | {
                "ts": heavy + i * 900_000,
                "event_id": f"heavy-{i:04d}",
                "client": "cursor",
                "client_version": "1.0.0",
                "tool": tools[i % len(tools)],
                "resource_uri": f"file:///archive/{i}",
                "args_fingerprint": hashlib.sha256(b"heavy%d" % i).hexdigest(),
                "trace_id": f"{i:032x}",
                "args_bytes": 20_000_000,
                "result_bytes": 50_000_000,
                "duration_us": 120 * SECOND,
                "outcome": "error" if i % 2 else "ok",
                "error_type": "tool_error" if i % 2 else "",
            }
        )
    for i in range(2 * SETTINGS.loop_repeats_per_minute):
        rows.append(template | {"ts": loop + i * 500_000, "event_id": f"loop-{i:04d}"})
    burst = pd.concat([frame, pd.DataFrame(rows)], ignore_index=True)
    return burst.sort_values("ts", kind="stable").reset_index(drop=True), heavy, loop


@pytest.fixture(scope="module")
def new_user(sim: Simulation, frame: pd.DataFrame) -> tuple[str, str, pd.DataFrame, int, int]:
    new = next(b for b in sim.benign_bursts if b.scenario == "benign:new_user")
    burst, heavy, loop = _new_user_burst(sim, frame)
    return new.user, new.agent, burst, heavy, loop


def _theirs(alerts: Sequence[Alert], user: str, agent: str) -> list[Alert]:
    return [a for a in alerts if a.entity.split("|")[0] in (user, agent)]


@pytest.fixture(scope="module")
def no_learning(new_user: tuple[str, str, pd.DataFrame, int, int]) -> tuple[Engine, list[Alert]]:
    _, _, burst, heavy, loop = new_user
    engine = Engine(FrameSource(burst), SETTINGS.model_copy(update={"learning_days": 0.0}))
    return engine, engine.score(heavy - 5 * MINUTE, loop + 5 * MINUTE)


@pytest.mark.parametrize(
    "settings",
    [SETTINGS, DetectSettings(baseline_days=2)],
    ids=["learning_days=1", "default learning_days"],
)
def test_a_new_entity_raises_no_model_or_baseline_rule_alert_while_learning(
    new_user: tuple[str, str, pd.DataFrame, int, int],
    no_learning: tuple[Engine, list[Alert]],
    settings: DetectSettings,
) -> None:
    user, agent, burst, heavy, loop = new_user
    # the same traffic without a learning period: the new user is paged by models and rules
    _, unguarded = no_learning
    seen = {a.detector for a in _theirs(unguarded, user, agent)}
    assert {"model:user", "model:agent", "rule:new_client", "rule:loop"} <= seen, seen

    engine = Engine(FrameSource(burst), settings)
    guarded = engine.score(heavy - 5 * MINUTE, loop + 5 * MINUTE)
    # hard limits apply from the first call; nothing else does
    assert {a.detector for a in _theirs(guarded, user, agent)} == {"rule:loop"}
    new_client = [a for a in unguarded if a.detector == "rule:new_client" and a.entity == user]
    assert _learning_suppressed(engine) >= len(new_client) > 0


def _callers(events: pd.DataFrame, a: Alert) -> set[str]:
    """The users behind the calls of ``a``'s window."""
    mine = events.loc[
        (events[f"e_{a.entity_kind}"] == a.entity)
        & (events["ts"] >= a.window_start)
        & (events["ts"] < a.window_end)
    ]
    return set(mine["user"])


def test_a_server_window_only_a_new_user_made_waits_for_their_learning_period(
    new_user: tuple[str, str, pd.DataFrame, int, int],
    no_learning: tuple[Engine, list[Alert]],
) -> None:
    """The new user's heavy minute alone on a server (× tool): the server's model alert is
    the person's habits, and waits with the person's (round 5: a new hire's larger
    arguments paged the server × tool)."""
    user, _, burst, heavy, loop = new_user
    events = FrameSource(burst).frame

    def server_models(alerts: Sequence[Alert]) -> list[Alert]:
        return [
            a
            for a in alerts
            if a.detector in ("model:server_tool", "model:source") and _callers(events, a) == {user}
        ]

    _, unguarded = no_learning
    assert server_models(unguarded)  # without a learning period they page: not vacuous
    guarded = Engine(FrameSource(burst), SETTINGS).score(heavy - 5 * MINUTE, loop + 5 * MINUTE)
    assert server_models(guarded) == []


def test_a_mixed_levels_model_alert_on_one_persons_calls_their_own_levels_page_is_kept_low(
    new_user: tuple[str, str, pd.DataFrame, int, int],
    no_learning: tuple[Engine, list[Alert]],
) -> None:
    """The user's heavy minute, past learning: the server's (and server × tool's) model alert
    on a window only they called in is kept low where an alert at the person's own levels
    pages the same window (the same calls, said once); where the person's levels are quiet
    it stands."""
    user, _, burst, _, _ = new_user
    events = FrameSource(burst).frame
    _, alerts = no_learning

    medium = SEVERITIES.index("medium")
    paged_own = {
        a.window_end
        for a in alerts
        if a.entity_kind in ("user", "user_tool")
        and a.entity.split("|")[0] == user
        and SEVERITIES.index(a.severity) >= medium
    }
    theirs = [
        a
        for a in alerts
        if a.detector in ("model:server_tool", "model:source") and _callers(events, a) == {user}
    ]
    said = [a for a in theirs if a.window_end in paged_own]
    assert said, "no server model alert beside the person's own: the check is vacuous"
    assert {a.severity for a in said} == {"low"}
    # the ones on windows the person's levels did not page keep the model's severity
    assert all(a.severity != "low" for a in theirs if a.window_end not in paged_own)


def test_one_person_is_every_call_of_the_window_by_one_named_user() -> None:
    from tooltrail.detectors._context import WindowBatch

    end = 10 * MINUTE
    windows = pd.DataFrame(
        {"entity": ["web", "web", "web"], "window_start": [0, end, 2 * end]}
    ).assign(window_end=lambda w: w["window_start"] + end)
    events = pd.DataFrame(
        {
            "ts": [1, 2, end + 1, end + 2, 2 * end + 1],
            "user": ["ann", "ann", "ann", "bob", ""],
            "e_source": ["web"] * 5,
        }
    )
    none = np.zeros((3, len(FEATURES)))
    batch = WindowBatch("source", windows, events, none, none, none, none, ["entity"] * 3)
    assert [batch.one_person(batch.calls(i)) for i in range(3)] == [True, False, False]
    # at a person's own levels the question does not arise
    own = WindowBatch(
        "user",
        windows,
        events.rename(columns={"e_source": "e_user"}),
        none,
        none,
        none,
        none,
        ["entity"] * 3,
    )
    assert not own.one_person(own.calls(0))


def test_learning_days_zero_suppresses_nothing(no_learning: tuple[Engine, list[Alert]]) -> None:
    engine, _ = no_learning
    assert _learning_suppressed(engine) == 0


def test_an_established_user_first_using_a_sensitive_tool_is_not_learning(
    engine: Engine, sim: Simulation, frame: pd.DataFrame
) -> None:
    probe = next(i for i in sim.incidents if i.scenario == "privilege_probing")
    first_day = frame.loc[frame["user"] == probe.user, "ts"].min()
    assert probe.start - first_day > SETTINGS.learning_us  # long past its learning period
    found = engine.score(probe.start - 2 * MINUTE, probe.end + 2 * MINUTE)
    sensitive = [a for a in found if a.detector == "rule:sensitive_tool"]
    assert {a.entity.split("|")[0] for a in sensitive} == {probe.user}


# -- false-positive feedback --------------------------------------------------------------------


def _fp(user: str, start: int, end: int) -> Alert:
    """A model alert on ``user`` for ``[start, end)``, labelled false positive."""
    return Alert(
        severity="medium",
        detector="model:user",
        entity_kind="user",
        entity=user,
        window_start=start,
        window_end=end,
        score=4.0,
        reason=f"user {user} made many calls",
        dedupe_key=f"model:user|user|{user}",
        status="false_positive",
    )


def test_a_window_labelled_false_positive_is_learned_as_normal_in_the_next_fit(
    frame: pd.DataFrame,
) -> None:
    fit_at = SIM.attack_start_us
    fitted: dict[str, tuple[pd.DataFrame, np.ndarray]] = {}

    def keep(kind: str, level: str, windows: pd.DataFrame, learning: np.ndarray) -> None:
        if kind == "fit":
            fitted[level] = (windows, learning)

    source, cache = FrameSource(frame), {}  # the second engine reuses the first's features
    plain = Engine(source, SETTINGS, on_features=keep, feature_cache=cache)
    plain_user = plain.model_for(fit_at).levels["user"]
    windows, learning = fitted["user"]
    history = windows.loc[~learning]
    # the busiest minute of the most active user in the baseline, and the minute after it
    user = str(history["entity"].value_counts().index[0])
    own = history.loc[history["entity"] == user]
    busiest = own.loc[own["calls"].idxmax()]
    start, end = int(busiest["window_start"]), int(busiest["window_end"]) + MINUTE
    labels = [_fp(user, start, end), _fp(user, fit_at, fit_at + MINUTE)]  # the 2nd: after the fit
    weighted = Engine(
        source, SETTINGS, false_positives=lambda: labels, feature_cache=cache
    ).model_for(fit_at)

    before = plain_user.baseline.lookup(pd.Series([user]))[1][0]
    after = weighted.levels["user"].baseline.lookup(pd.Series([user]))[1][0]
    calls = FEATURES.index("calls")
    assert after[calls] > before[calls]
    # exactly the p99 of the entity's windows with the labelled ones counted FP_WEIGHT times
    labelled = own.loc[(own["window_start"] >= start) & (own["window_end"] <= end)]
    assert len(labelled) > 1
    expected = pd.concat([own] + [labelled] * (FP_WEIGHT - 1))[list(FEATURES)].quantile(0.99)
    np.testing.assert_allclose(after, expected.to_numpy(dtype=float))
    # other users' baselines are untouched
    others = pd.Series(sorted(set(history["entity"]) - {user}))
    np.testing.assert_array_equal(
        plain_user.baseline.lookup(others)[1], weighted.levels["user"].baseline.lookup(others)[1]
    )


# -- model persistence --------------------------------------------------------------------------

LOOP = (SIM.attack_start_us + 11 * HOUR, SIM.attack_start_us + 11 * HOUR + 30 * MINUTE)
Saved = tuple[Path, list[Alert], dict[tuple[Any, ...], Any]]


@pytest.fixture(scope="module")
def saved(frame: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Saved:
    """A model dir holding one fit, the candidates scored with it, and the features computed
    (shared with the engines below: they differ only in where their models come from)."""
    model_dir = tmp_path_factory.mktemp("saved") / "models"
    cache: dict[tuple[Any, ...], Any] = {}
    first = Engine(FrameSource(frame), SETTINGS, model_dir=model_dir, feature_cache=cache)
    found = first.score(*LOOP)
    assert found
    assert len(first.fit_seconds) == 1
    return model_dir, found, cache


def _engine_in(frame: pd.DataFrame, model_dir: Path, saved: Saved) -> Engine:
    return Engine(FrameSource(frame), SETTINGS, model_dir=model_dir, feature_cache=saved[2])


def test_an_engine_with_a_model_dir_saves_its_fit(saved: Saved) -> None:
    model_dir, _, _ = saved
    (path,) = model_dir.glob("*.model")
    assert path.name.startswith(f"fit-{SIM.attack_start_us}-")
    assert path.read_bytes().startswith(MAGIC)
    assert path.stat().st_mode & 0o077 == 0  # readable by its owner only


def test_a_saved_fit_is_loaded_by_the_next_engine(
    frame: pd.DataFrame, saved: Saved, caplog: pytest.LogCaptureFixture
) -> None:
    model_dir, fitted, _ = saved
    second = _engine_in(frame, model_dir, saved)
    with caplog.at_level(logging.WARNING, logger="tooltrail.detectors.engine"):
        assert _dicts(second.score(*LOOP)) == _dicts(fitted)
    assert [r.getMessage() for r in caplog.records] == []
    assert second.fit_seconds == []  # loaded, not fit


def test_a_tampered_model_file_is_refused_and_fit_again(
    frame: pd.DataFrame, saved: Saved, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    model_dir = tmp_path / "models"
    shutil.copytree(saved[0], model_dir)
    (path,) = model_dir.glob("*.model")
    data = bytearray(path.read_bytes())
    data[-100] ^= 0x01  # one bit of the pickle payload
    path.write_bytes(bytes(data))

    again = _engine_in(frame, model_dir, saved)
    with caplog.at_level(logging.WARNING, logger="tooltrail.detectors.engine"):
        assert _dicts(again.score(*LOOP)) == _dicts(saved[1])
    assert len(again.fit_seconds) == 1  # refused, so fit again: no crash
    (refusal,) = [r.getMessage() for r in caplog.records]
    assert "not loading" in refusal
    assert path.name in refusal
    assert "digest mismatch" in refusal
    assert path.read_bytes() != bytes(data)  # the refit replaced the edited file


def test_model_files_differ_by_settings(frame: pd.DataFrame, saved: Saved, tmp_path: Path) -> None:
    model_dir = tmp_path / "models"
    shutil.copytree(saved[0], model_dir)
    other = SETTINGS.model_copy(update={"ensemble": ("copod",)})
    engine = Engine(FrameSource(frame), other, model_dir=model_dir, feature_cache=saved[2])
    engine.model_for(SIM.attack_start_us)
    assert len(engine.fit_seconds) == 1  # another configuration never loads this fit
    assert len(list(model_dir.glob("*.model"))) == 2


def _model_alert(
    level: str, entity: str, actor: str, end: int, detector: str = "", severity: Severity = "medium"
) -> Alert:
    """A candidate of ``detector`` (default ``model:<level>``) on a minute ending at ``end``."""
    detector = detector or f"model:{level}"
    alert = Alert(
        severity=severity,
        detector=detector,
        entity_kind=level,
        entity=entity,
        window_start=end - 60_000_000,
        window_end=end,
        score=1.0,
        reason="made a tool transition it never makes",
        dedupe_key=f"{detector}|{level}|{entity}",
    )
    alert.actor = actor
    return alert


def test_a_transition_alone_pages_only_when_the_person_and_the_tool_both_find_it_rare() -> None:
    """A model alert only a tool transition carries is kept low unless, in the same window, a
    model alert about the same actor comes from the other side (person vs tool)."""
    from tooltrail.detectors.engine import _corroborated

    end = 10**12
    person_only = [_model_alert("user", "ann", "ann", end)]
    assert [a.severity for a in _corroborated(person_only, [])] == ["low"]
    # the agent acting for ann is the same side: no corroboration
    agent = _model_alert("agent", "bot", "ann", end)
    assert [
        a.severity for a in _corroborated([_model_alert("user", "ann", "ann", end)], [agent])
    ] == ["low"]
    # ann's tool, in the same window: both sides (either may be the one the transition carries)
    tool = _model_alert("user_tool", "ann|fetch", "ann", end)
    pair = _corroborated([_model_alert("user", "ann", "ann", end)], [tool])
    assert [a.severity for a in pair] == ["medium"]
    both = _corroborated(
        [
            _model_alert("user", "ann", "ann", end),
            _model_alert("server_tool", "web|fetch", "ann", end),
        ],
        [],
    )
    assert [a.severity for a in both] == ["medium", "medium"]
    # another window, another actor, or no actor known: no corroboration
    for other in (
        _model_alert("user_tool", "ann|fetch", "ann", end + 10_000_000),
        _model_alert("user_tool", "bob|fetch", "bob", end),
        _model_alert("source", "web", "", end),
    ):
        assert [
            a.severity for a in _corroborated([_model_alert("user", "ann", "ann", end)], [other])
        ] == ["low"]


def test_a_model_alert_only_slow_calls_or_a_long_session_carry_is_not_paged() -> None:
    """How the calls ran (a server under load, an agent left running overnight) adds to a
    model alert but carries none alone; a transition alone waits for corroboration."""
    from tooltrail.detectors.engine import _carriers
    from tooltrail.detectors.features import MODEL_FEATURES

    col = {name: i for i, name in enumerate(MODEL_FEATURES)}
    rel = np.zeros((5, len(MODEL_FEATURES)))
    rel[0, col["duration_p95"]] = 40  # slow calls only
    rel[1, [col["session_len"], col["seq_rarity"]]] = 9  # a long session on a new path
    rel[2, [col["duration_p95"], col["bytes_out"]]] = 9  # slow *and* a lot out
    rel[3, col["seq_rarity"]] = 9  # a transition only
    rel[4, col["new_tools"]] = 2  # ordinary: below the model's bar, over min_excess
    scores = np.array([2.0, 2.0, 2.0, 2.0, 2.0])
    alone, operational = _carriers(rel, scores, 1.0, 1.5, 30.0)
    assert alone.tolist() == [False, False, False, True, False]
    assert operational.tolist() == [True, True, False, False, False]


def _family_alert(level: str, entity: str, end: int, family: str = "destructive") -> Alert:
    user = entity.split("|")[0]
    return _model_alert(level, entity, user, end, f"rule:family:{family}", "high")


def test_a_family_paging_the_person_and_their_tool_in_one_window_is_one_finding() -> None:
    """ann's 22 cancellations page her (user) and her tool (user × tool) in one window: the
    tool's alert is stored low, the person's pages. Another window, another person, another
    family, or the person's alert not raised: the tool's alert pages as raised."""
    from tooltrail.detectors.engine import _one_finding

    end = 10**12
    person = _family_alert("user", "ann", end)
    tool = _family_alert("user_tool", "ann|flight_cancel", end)
    assert [a.severity for a in _one_finding([tool, person])] == ["low", "high"]
    for others in (
        [_family_alert("user", "ann", end + 10**7)],
        [_family_alert("user", "bob", end)],
        [_family_alert("user", "ann", end, family="bulk_read")],
        [],
    ):
        alone = _family_alert("user_tool", "ann|flight_cancel", end)
        assert _one_finding([alone, *others])[0].severity == "high"


def test_the_model_finding_the_person_and_their_tool_in_one_window_is_one_finding() -> None:
    """t.nakamura's all-nighter: the person's model and the tool's model both find the same odd
    move in one window; the tool's alert is stored low, the person's pages. Not when the
    person's alert is less severe than the tool's, comes from a family rule, or falls in
    another window; the tool's family alert is not lowered by the person's model alert."""
    from tooltrail.detectors.engine import _one_finding

    end = 10**12
    person = _model_alert("user", "tn", "tn", end)
    tool = _model_alert("user_tool", "tn|doc_get", "tn", end)
    assert [a.severity for a in _one_finding([tool, person])] == ["low", "medium"]
    for others, severity in (
        ([_model_alert("user", "tn", "tn", end)], "high"),
        ([_family_alert("user", "tn", end)], "medium"),
        ([_model_alert("user", "tn", "tn", end + 10**7)], "medium"),
    ):
        alone = _model_alert("user_tool", "tn|doc_get", "tn", end, severity=severity)
        assert _one_finding([alone, *others])[0].severity == severity
    family = _family_alert("user_tool", "tn|doc_get", end)
    by_model = _model_alert("user", "tn", "tn", end, severity="high")
    assert _one_finding([family, by_model])[0].severity == "high"


def test_a_model_alert_three_others_share_at_the_same_moment_is_the_populations_shift() -> None:
    """A storm: w.moreno's farthest feature (new resources, minute after minute) is beyond
    their own p99 for three other adjusters in windows ending at the same time: the
    population's shift (kept low). Not when one of them is a minute later, when the others are
    far out on another feature, or when the "others" are w.moreno's own tools."""
    from tooltrail.detectors.engine import _shifted
    from tooltrail.detectors.features import MODEL_FEATURES

    j = MODEL_FEATURES.index("novel_minutes_1h")
    k = MODEL_FEATURES.index("bytes_out")
    end = 10**12

    def shifted(entities: list[str], ends: list[int], far: list[int]) -> bool:
        rel = np.zeros((len(entities), len(MODEL_FEATURES)))
        rel[0, j] = 4.0
        for row, col in enumerate(far[1:], start=1):
            rel[row, col] = 1.5
        windows = pd.DataFrame({"entity": entities, "window_end": ends})
        return bool(_shifted(windows, rel, np.array([0]), 3)[0])

    storm = ["w.moreno", "p.berg", "c.lund", "g.kim"]
    assert shifted(storm, [end] * 4, [j] * 4)
    assert not shifted(storm, [end, end, end, end + 60 * 10**6], [j] * 4)
    assert not shifted(storm, [end] * 4, [j, j, j, k])
    own = ["w.moreno", "w.moreno|doc_upload", "w.moreno|claim_get", "w.moreno|geo_swath"]
    assert not shifted(own, [end] * 4, [j] * 4)
