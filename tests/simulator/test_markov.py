"""The second generator and the attack library: deterministic, labelled, and only what a real
emitter records (no resource on tool calls); every family at every intensity lands on both
generators, more and faster as the intensity rises."""

from __future__ import annotations

import pytest

from tooltrail.simulator import SimConfig, Simulation, simulate
from tooltrail.simulator.inject import FAMILIES, INTENSITIES, KNOBS, inject, is_destructive_name
from tooltrail.simulator.markov import ANNOTATIONS, HARD_NEGATIVES, MarkovConfig, generate


@pytest.fixture(scope="module")
def markov() -> Simulation:
    return generate(MarkovConfig(seed=5, users=10))


@pytest.fixture(scope="module")
def first() -> Simulation:
    return simulate(SimConfig(seed=5, users=8, scenarios=(), incidents_per_scenario=0))


def test_the_generator_is_deterministic_and_labels_its_hard_negatives(markov: Simulation) -> None:
    again = generate(MarkovConfig(seed=5, users=10))
    assert again.calls == markov.calls
    assert {b.scenario for b in markov.benign_bursts} == set(HARD_NEGATIVES)
    cut = markov.config.attack_start_us
    assert all(c.ts >= cut for c in markov.calls if c.label)  # history is unlabelled
    assert [c.ts for c in markov.calls] == sorted(c.ts for c in markov.calls)
    assert generate(MarkovConfig(seed=6, users=10)).calls != markov.calls


def test_tool_calls_record_no_resource(markov: Simulation) -> None:
    tool_calls = [c for c in markov.calls if c.method == "tools/call"]
    assert tool_calls
    assert all(c.resource_uri is None for c in tool_calls)
    reads = [c for c in markov.calls if c.method == "resources/read"]
    assert reads
    assert all(c.resource_uri for c in reads)


def test_people_keep_their_rhythms(markov: Simulation) -> None:
    """Time zones differ, agents retry failed calls with the same arguments, the nightly job
    deletes objects every night."""
    assert len({u.tz_hours for u in markov.users}) >= 4
    retried = [
        (a, b)
        for a, b in zip(markov.calls, markov.calls[1:], strict=False)
        if a.outcome == "error" and a.session_id == b.session_id and a.args == b.args
    ]
    assert retried
    deletes = [c for c in markov.calls if c.user == "svc-nightly" and c.tool == "delete_object"]
    assert len({c.ts // 86_400_000_000 for c in deletes}) == markov.config.days


@pytest.mark.parametrize("intensity", INTENSITIES)
@pytest.mark.parametrize("generator", ["first", "markov"])
def test_every_family_lands_at_every_intensity(
    request: pytest.FixtureRequest, generator: str, intensity: str
) -> None:
    base: Simulation = request.getfixturevalue(generator)
    sim = inject(base, FAMILIES, intensity, seed=2, annotations=ANNOTATIONS)
    assert {i.scenario for i in sim.incidents} == set(FAMILIES)
    assert len(sim.calls) == len(base.calls) + sum(i.calls for i in sim.incidents)
    cut = sim.config.attack_start_us
    for inc in sim.incidents:
        calls = [c for c in sim.calls if c.label == inc.id]
        assert calls
        assert all(c.ts >= cut and c.user == inc.user for c in calls)
        assert all(c.resource_uri is None for c in calls)
        if inc.scenario not in ("off_hours",):
            assert len(calls) == KNOBS[inc.scenario][intensity]["n"]


def test_intensity_is_more_and_faster(markov: Simulation) -> None:
    spans = {}
    for level in INTENSITIES:
        sim = inject(markov, ["destructive"], level, seed=1, annotations=ANNOTATIONS)
        inc = sim.incidents[0]
        spans[level] = (inc.calls, (inc.end - inc.start) / max(inc.calls - 1, 1))
    assert spans["low"][0] < spans["mid"][0] < spans["high"][0]
    assert spans["low"][1] > spans["mid"][1] > spans["high"][1]


def test_bad_arguments_are_refused(markov: Simulation) -> None:
    with pytest.raises(ValueError, match="intensity"):
        inject(markov, FAMILIES, "extreme")
    with pytest.raises(ValueError, match="families"):
        inject(markov, ["teleport"], "mid")


def test_the_destructive_annotations_and_names_agree() -> None:
    for tool, hints in ANNOTATIONS.items():
        assert hints["destructiveHint"] == is_destructive_name(tool), tool
