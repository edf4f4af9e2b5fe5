"""simulate(): determinism, the configuration's rules, and the labels file."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tooltrail.simulator import (
    ATTACK_SCENARIOS,
    BENIGN_SCENARIOS,
    SimConfig,
    Simulation,
    simulate,
)
from tooltrail.simulator.model import HARD_NEGATIVES

SMALL = SimConfig(users=5, days=2)


def test_same_seed_gives_identical_calls_and_labels() -> None:
    a, b = simulate(SMALL), simulate(SMALL)
    assert a.calls == b.calls
    assert a.labels() == b.labels()


def test_another_seed_gives_different_traffic() -> None:
    a, b = simulate(SMALL), simulate(SimConfig(seed=8, users=5, days=2))
    assert a.calls != b.calls
    assert [i.start for i in a.incidents] != [i.start for i in b.incidents]
    assert {c.trace_id for c in a.calls}.isdisjoint({c.trace_id for c in b.calls})


def test_calls_are_sorted_and_inside_the_simulated_days(default_sim: Simulation) -> None:
    cfg = default_sim.config
    ts = [c.ts for c in default_sim.calls]
    assert ts == sorted(ts)
    assert cfg.start_us <= ts[0]
    assert ts[-1] < cfg.end_us
    last = datetime.fromtimestamp((cfg.end_us - 1) / 1e6, UTC)
    assert cfg.start.weekday() == 0
    assert last.weekday() == 0


def test_default_config_injects_every_scenario_once(default_sim: Simulation) -> None:
    assert [i.scenario for i in default_sim.incidents] == list(ATTACK_SCENARIOS)
    assert [i.id for i in default_sim.incidents] == [f"{s}#0" for s in ATTACK_SCENARIOS]
    assert {b.scenario for b in default_sim.benign_bursts} == set(BENIGN_SCENARIOS)


def test_adding_attacks_leaves_the_other_traffic_as_it_was() -> None:
    quiet = simulate(SimConfig(users=6, days=2, scenarios=()))
    scenarios = tuple(s for s in ATTACK_SCENARIOS if s != "prompt_injection_sequence")
    noisy = simulate(SimConfig(users=6, days=2, scenarios=scenarios))
    assert quiet.incidents == []
    assert [c for c in noisy.calls if c.label not in {i.id for i in noisy.incidents}] == quiet.calls


def test_several_incidents_per_scenario_and_more_incidents_than_users() -> None:
    sim = simulate(SimConfig(users=3, days=1, incidents_per_scenario=2, new_users=0))
    assert Counter(i.scenario for i in sim.incidents) == dict.fromkeys(ATTACK_SCENARIOS, 2)
    assert len({i.id for i in sim.incidents}) == 14
    assert {i.user for i in sim.incidents} == {"u-00", "u-01", "u-02"}  # reused when needed


def test_victims_are_distinct_ordinary_users_when_there_are_enough(
    default_sim: Simulation,
) -> None:
    victims = [i.user for i in default_sim.incidents]
    assert len(set(victims)) == len(victims)
    ordinary = {u.name for u in default_sim.users if u.role != "service" and u.first_day == 0}
    assert set(victims) <= ordinary


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scenarios": ("bulk_exfiltration", "dns_tunnel")}, "dns_tunnel"),
        ({"attack_days": 0}, "attack_days"),
        ({"days": 2, "attack_days": 3}, "attack_days"),
        ({"users": 0}, "users"),
        ({"start": datetime(2026, 11, 2)}, "start"),
        ({"hard_negatives": ("benign:fire_drill",)}, "hard_negatives"),
    ],
)
def test_config_refuses_bad_values_naming_the_field(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        SimConfig(**kwargs)  # type: ignore[arg-type]


def test_labels_file_round_trips_and_counts_every_call(
    default_sim: Simulation, tmp_path: Path
) -> None:
    path = tmp_path / "labels.json"
    default_sim.write_labels(path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc == json.loads(json.dumps(default_sim.labels()))
    assert doc["config"]["start"] == "2026-11-02T00:00:00Z"
    assert doc["calls"] == len(default_sim.calls) == sum(doc["label_counts"].values())
    for episode in doc["incidents"] + doc["benign_bursts"]:
        assert doc["label_counts"][episode["id"]] == episode["calls"] > 0
        assert episode["start"] <= episode["end"]
    assert doc["label_counts"][""] > 0.7 * doc["calls"]  # most traffic is ordinary


def test_hard_negatives_on_request_are_labelled_on_the_last_day_only() -> None:
    plain = SimConfig(seed=4, users=12, days=5, scenarios=())
    cfg = SimConfig(seed=4, users=12, days=5, scenarios=(), hard_negatives=HARD_NEGATIVES)
    sim = simulate(cfg)
    assert {b.scenario for b in simulate(plain).benign_bursts}.isdisjoint(HARD_NEGATIVES)
    found = {b.scenario for b in sim.benign_bursts}
    assert found >= set(HARD_NEGATIVES)
    labelled = [c for c in sim.calls if c.label.partition("#")[0] in HARD_NEGATIVES]
    assert min(c.ts for c in labelled) >= cfg.attack_start_us
    # the role change: the person's calls of the last day are all labelled, and use tools they
    # never used before it
    change = next(b for b in sim.benign_bursts if b.scenario == "benign:role_change")
    theirs = [c for c in sim.calls if c.user == change.user]
    last = [c for c in theirs if c.ts >= cfg.attack_start_us]
    before = {c.tool for c in theirs if c.ts < cfg.attack_start_us}
    assert last
    assert all(c.label == change.id or c.label.startswith("benign:release") for c in last)
    assert {c.tool for c in last if c.label == change.id} - before
    # the on-call rotation worked nights before (unlabelled) and on the last night (labelled)
    night = [c for c in sim.calls if c.label.startswith("benign:oncall_night")]
    assert night
    assert all(c.user == night[0].user for c in night)
