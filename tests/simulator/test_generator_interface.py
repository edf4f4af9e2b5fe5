"""The interface every generator family promises, checked once per family (``[name]``).

Each test runs for the families of ``_generators.GENERATORS`` whose row takes part in it; the
family's traffic (``base``) and attacked runs (``attacked``) are generated once per session and
shared with its own file, ``test_<name>.py``, which keeps the checks that family alone makes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tooltrail.simulator import Simulation

from . import _interface as shared
from ._generators import GENERATORS, Traffic, names
from ._recordable import assert_stored_as_framed


@pytest.mark.parametrize("gen", names(lambda g: g.library_seed is not None))
def test_the_shared_library_injects_on_this_traffic(base: Simulation, gen: str) -> None:
    g = GENERATORS[gen]
    seed = g.library_seed if g.library_seed is not None else 1
    sim = shared.assert_library_injects(base, g.annotations, seed=seed)
    assert sorted(i.scenario for i in sim.incidents) == sorted(g.module.FAMILIES)


@pytest.mark.parametrize("gen", names(lambda g: g.styles))
def test_annotations_full_partial_and_absent_all_occur(base: Simulation, gen: str) -> None:
    shared.assert_annotation_styles(base, GENERATORS[gen].annotations)


@pytest.mark.parametrize("gen", names(lambda g: g.negatives_at_least is not None))
def test_hard_negatives_are_labelled_on_the_scored_day_only(base: Simulation, gen: str) -> None:
    g = GENERATORS[gen]
    at_least = g.negatives_at_least if g.negatives_at_least is not None else 8
    shared.assert_hard_negatives_labelled(base, g.module.HARD_NEGATIVES, at_least=at_least)


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("gen", names(lambda g: g.shape))
def test_each_family_and_intensity_lands_on_a_victim_with_history_in_its_shape(
    base: Simulation, traffic: Traffic, gen: str, seed: int
) -> None:
    g = GENERATORS[gen]
    assert g.shape is not None
    m = g.module
    shared.assert_attacks_in_shape(
        base, traffic.attacked(gen, seed), families=m.FAMILIES, knobs=m.KNOBS,
        annotations=g.annotations, **g.shape()
    )  # fmt: skip


@pytest.mark.parametrize("gen", names(lambda g: g.other_seed))
def test_another_seed_picks_other_victims_or_times(base: Simulation, gen: str) -> None:
    inject = GENERATORS[gen].module.inject
    a = inject(base, intensity="mid", seed=1)
    b = inject(base, intensity="mid", seed=2)
    assert [(i.user, i.start) for i in a.incidents] != [(i.user, i.start) for i in b.incidents]


@pytest.mark.parametrize("gen", names(lambda g: g.knobs_grow))
def test_knobs_grow_louder_with_intensity(gen: str) -> None:
    m = GENERATORS[gen].module
    for family, levels in m.KNOBS.items():
        low, mid, high = (levels[i] for i in m.INTENSITIES)
        assert low["calls"] < mid["calls"] < high["calls"], family
        assert low["minutes"] > mid["minutes"] > high["minutes"], family
        for k in set(low) - {"calls", "minutes"}:
            assert low[k] < mid[k] < high[k], (family, k)


@pytest.mark.parametrize("gen", names(lambda g: g.bad_configs))
def test_bad_inject_arguments_are_refused_naming_the_argument(base: Simulation, gen: str) -> None:
    g = GENERATORS[gen]
    shared.assert_bad_inject_arguments_refused(base, g.module.inject, **g.refuse)


@pytest.mark.parametrize(
    ("gen", "kwargs", "field"),
    [
        pytest.param(name, kwargs, field, id=f"{name}-{field}")
        for name, g in GENERATORS.items()
        for kwargs, field in g.bad_configs
    ],
)
def test_bad_config_is_refused_naming_the_field(
    gen: str, kwargs: dict[str, Any], field: str
) -> None:
    config = type(GENERATORS[gen].config)
    with pytest.raises(ValueError, match=field):
        config(**kwargs)


@pytest.mark.store
@pytest.mark.slow
@pytest.mark.parametrize("gen", names(lambda g: g.slice))
def test_a_slice_of_the_scored_day_is_stored_as_framed(
    attacked: dict[str, Simulation], tmp_path: Path, gen: str
) -> None:
    g = GENERATORS[gen]
    s = g.slice
    assert s is not None
    sliced = shared.scored_day_slice(
        attacked["mid"], s.incident, s.negative, hour=s.hour, minutes=s.minutes, anchor=s.anchor
    )
    assert {c.method for c in sliced.calls} >= s.methods
    if s.check is not None:
        s.check(sliced)
    assert_stored_as_framed(sliced, tmp_path, f"{gen}-key".encode(), g.annotations)
