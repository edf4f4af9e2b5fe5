"""The third (held-out) generator: a valid, deterministic simulation with only what a real
emitter records; every hard negative present, labelled and shaped as described; and the attack
library finds victims in it and lands every family at every intensity."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import pytest

from tooltrail.simulator import Simulation
from tooltrail.simulator.inject import FAMILIES, INTENSITIES, KNOBS, inject
from tooltrail.simulator.model import DAY_US
from tooltrail.simulator.sessions import (
    ANNOTATIONS,
    HARD_NEGATIVES,
    SERVERS,
    SessionsConfig,
    generate,
)
from tooltrail.simulator.sessions.org import build_people
from tooltrail.simulator.sessions.tasks import expand

H = 3_600_000_000


@pytest.fixture(scope="module")
def sim() -> Simulation:
    return generate(SessionsConfig(seed=4))


def _calls_of(sim: Simulation, scenario: str) -> list:
    return [c for c in sim.calls if c.label.partition("#")[0] == scenario]


def test_the_simulation_is_well_formed(sim: Simulation) -> None:
    cfg = sim.config
    assert [c.ts for c in sim.calls] == sorted(c.ts for c in sim.calls)
    assert all(cfg.start_us <= c.ts < cfg.end_us for c in sim.calls)
    assert all(c.ts >= cfg.attack_start_us for c in sim.calls if c.label)  # history unlabelled
    assert cfg.end_us - cfg.start_us == 14 * DAY_US
    for c in sim.calls:
        assert c.outcome in ("ok", "error", "denied")
        assert (c.error_type is None) == (c.outcome == "ok")
        if c.method == "tools/call":
            assert c.tool
            assert c.resource_uri is None
        else:
            assert c.method == "resources/read"
            assert c.tool is None
            assert c.resource_uri
    assert {c.user for c in sim.calls} <= {u.name for u in sim.users}
    assert not sim.incidents
    counts = Counter(c.label for c in sim.calls if c.label)
    assert {b.id: b.calls for b in sim.benign_bursts} == dict(counts)
    for b in sim.benign_bursts:
        mine = [c.ts for c in sim.calls if c.label == b.id]
        assert (b.start, b.end) == (min(mine), max(mine))
        assert all(c.user == b.user for c in sim.calls if c.label == b.id)


def test_it_is_deterministic_from_the_seed(sim: Simulation) -> None:
    assert generate(SessionsConfig(seed=4)).calls == sim.calls
    assert generate(SessionsConfig(seed=5)).calls != sim.calls


def test_every_hard_negative_is_present_and_labelled(sim: Simulation) -> None:
    assert {b.scenario for b in sim.benign_bursts} == set(HARD_NEGATIVES)
    cut = sim.config.attack_start_us
    before = [c for c in sim.calls if c.ts < cut]
    # release: the kb server is new to everyone that day, and many people try it
    assert not [c for c in before if c.server == "kb"]
    spike = _calls_of(sim, "benign:release_spike")
    assert {c.server for c in spike} == {"kb"}
    assert len({c.user for c in spike}) >= 5
    # a first-day hire has no history at all
    first = next(b for b in sim.benign_bursts if b.id == "benign:new_user#0")
    assert not [c for c in before if c.user == first.user]
    # the role change brings servers the person never used
    move = next(b for b in sim.benign_bursts if b.scenario == "benign:role_change")
    old = {c.server for c in before if c.user == move.user}
    assert {c.server for c in _calls_of(sim, "benign:role_change")} - old
    # back from vacation: nothing in the days away, history before them
    back = next(b for b in sim.benign_bursts if b.scenario == "benign:back_from_vacation")
    days = {(c.ts - sim.config.start_us) // DAY_US for c in before if c.user == back.user}
    assert days
    assert max(days) <= 2
    # the nightly batch runs every night; the last one, labelled, deletes the most
    deletes: dict[int, int] = defaultdict(int)
    for c in sim.calls:
        if c.user == "svc-etl" and c.tool == "delete_object":
            deletes[(c.ts - sim.config.start_us) // DAY_US] += 1
    assert len(deletes) == 14
    assert deletes[13] > max(v for d, v in deletes.items() if d < 13)
    assert {c.user for c in _calls_of(sim, "benign:nightly_batch")} == {"svc-etl"}


def test_the_oncall_page_and_the_quarter_close_look_as_described(sim: Simulation) -> None:
    tz = {u.name: u.tz_hours for u in sim.users}
    page = _calls_of(sim, "benign:oncall_night")
    assert page
    local = {((c.ts + int(tz[c.user] * H)) // H) % 24 for c in page}
    assert local <= {1, 2, 3, 4, 5}
    assert {"kubernetes", "grafana"} <= {c.server for c in page}
    close = _calls_of(sim, "benign:quarter_end")
    people = {c.user for c in close}
    assert len(people) == 3
    cut = sim.config.attack_start_us
    for user in people:
        history = sorted(c.result_bytes for c in sim.calls if c.user == user and c.ts < cut)
        today = sorted(c.result_bytes for c in close if c.user == user)
        assert today[-1] > history[len(history) // 2] * 5  # large reads that day


def test_people_have_rhythms_retries_and_servers_with_and_without_annotations(
    sim: Simulation,
) -> None:
    assert len({u.tz_hours for u in sim.users if u.role != "service"}) >= 6
    retried = [
        (a, b)
        for a, b in zip(sim.calls, sim.calls[1:], strict=False)
        if a.outcome == "error" and b.session_id == a.session_id and b.args == a.args
    ]
    assert retried
    start = sim.config.start.date()
    humans = [c for c in sim.calls if not c.user.startswith("svc-")]
    weekend = [
        c
        for c in humans
        if (start + timedelta(days=(c.ts - sim.config.start_us) // DAY_US)).weekday() >= 5
    ]
    assert 0 < len(weekend) < len(humans) / 10
    annotated = {t.server for tools in SERVERS.values() for t in tools if t.hints is not None}
    assert annotated
    assert set(SERVERS) - annotated
    assert ANNOTATIONS["write_file"]["destructiveHint"] is True
    assert "destructiveHint" not in ANNOTATIONS["create_pull_request"]  # github style
    assert "delete_object" not in ANNOTATIONS  # an unannotated server: names only


def test_public_holidays_are_kept(sim: Simulation) -> None:
    """Nobody in Tokyo works through Japan's Silver Week (21-23 September 2026) in the day
    (the on-call engineer may still be paged at night)."""
    people = build_people(4, sim.config.start.date(), 14)
    tokyo = {p.name for p in people if p.region == "tokyo"}
    midnight = int(datetime(2026, 9, 21, tzinfo=UTC).timestamp()) * 1_000_000 - 9 * H
    worked = [
        c
        for c in sim.calls
        if c.user in tokyo
        and any(
            midnight + d * DAY_US + 6 * H <= c.ts < midnight + (d + 1) * DAY_US for d in range(3)
        )
    ]
    assert tokyo
    assert not worked
    assert [c for c in sim.calls if c.user in tokyo]


@pytest.mark.parametrize("intensity", INTENSITIES)
def test_the_attack_library_lands_every_family(sim: Simulation, intensity: str) -> None:
    out = inject(sim, FAMILIES, intensity, seed=3, annotations=ANNOTATIONS)
    assert {i.scenario for i in out.incidents} == set(FAMILIES)
    assert len(out.calls) == len(sim.calls) + sum(i.calls for i in out.incidents)
    for inc in out.incidents:
        assert not inc.user.startswith("svc-")
        calls = [c for c in out.calls if c.label == inc.id]
        assert all(c.ts >= out.config.attack_start_us and c.user == inc.user for c in calls)
        if inc.scenario != "off_hours":
            assert len(calls) == KNOBS[inc.scenario][intensity]["n"]


def test_templates_expand_and_bad_configs_are_refused() -> None:
    import random

    steps = expand("a{2,2} [b c?]{3,3} d?", random.Random(1))
    assert steps[:2] == ["a", "a"]
    assert steps.count("b") == 3
    with pytest.raises(ValueError, match="unbalanced"):
        expand("[a b", random.Random(1))
    with pytest.raises(ValueError, match="days"):
        SessionsConfig(days=3)
    with pytest.raises(ValueError, match="attack_days"):
        SessionsConfig(attack_days=14)
    with pytest.raises(ValueError, match="midnight"):
        SessionsConfig(start=datetime(2026, 9, 17, 5, tzinfo=UTC))
