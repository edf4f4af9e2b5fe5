"""The hospital generator: deterministic, recordable, labelled as it promises."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from tooltrail.simulator import SimCall, Simulation
from tooltrail.simulator import inject as library
from tooltrail.simulator.wards import (
    ANNOTATIONS,
    FAMILIES,
    HARD_NEGATIVES,
    INTENSITIES,
    KNOBS,
    SERVERS,
    URI_SCHEMES,
    WardsConfig,
    generate,
    inject,
    server_of,
)
from tooltrail.simulator.wards.catalog import TOOLS
from tooltrail.simulator.wards.history import args_size, histories
from tooltrail.simulator.wards.org import MOVE_DAY

from ._recordable import assert_recordable, assert_stored_as_framed

DAY_US = 86_400_000_000
HOUR_US = 3_600_000_000


@pytest.fixture(scope="module")
def base() -> Simulation:
    return generate(WardsConfig(seed=1))


@pytest.fixture(scope="module")
def attacked(base: Simulation) -> dict[str, Simulation]:
    return {i: inject(base, intensity=i, seed=1, annotations=ANNOTATIONS) for i in INTENSITIES}


def _labelled(sim: Simulation, name: str) -> list[SimCall]:
    return [c for c in sim.calls if c.label == f"benign:{name}#0"]


def _hour(c: SimCall) -> int:
    return c.ts % DAY_US // HOUR_US


def _day(sim: Simulation, c: SimCall) -> int:
    return (c.ts - sim.config.start_us) // DAY_US


def test_same_seed_same_traffic_other_seed_other_traffic(base: Simulation) -> None:
    small = WardsConfig(seed=1, days=7, arrivals_per_day=20)
    a, b = generate(small), generate(small)
    assert a.calls == b.calls
    assert a.benign_bursts == b.benign_bursts
    assert generate(replace(small, seed=2)).calls != a.calls
    again = inject(a, intensity="mid", seed=3)
    assert again.calls == inject(a, intensity="mid", seed=3).calls
    assert inject(a, intensity="mid", seed=4).calls != again.calls
    assert 40_000 <= len(base.calls) <= 120_000


def test_every_call_is_what_an_emitter_records(base: Simulation) -> None:
    assert_recordable(base.calls, server_of, URI_SCHEMES)
    assert {c.method for c in base.calls} == {"tools/call", "resources/read", "tools/list"}
    assert [c.ts for c in base.calls] == sorted(c.ts for c in base.calls)
    assert base.config.start_us <= base.calls[0].ts
    assert base.calls[-1].ts < base.config.end_us
    assert base.config.days == 14
    errors = Counter(c.error_type for c in base.calls if c.outcome != "ok")
    for cause in (
        "timeout",
        "validation_error",
        "note_locked",
        "upstream_unavailable",
        "forbidden",
    ):
        assert errors[cause] > 0, cause
    assert any(c.outcome == "denied" for c in base.calls)
    assert set(SERVERS) == {c.server for c in base.calls}
    assert len(SERVERS) == 11
    assert {c.tool for c in base.calls if c.tool} == set(TOOLS)
    sizes = {t: sorted(c.result_bytes for c in base.calls if c.tool == t and c.outcome == "ok")
             for t in ("ehr_bulk_export", "ehr_record_obs")}  # fmt: skip
    assert sizes["ehr_bulk_export"][0] > 100 * sizes["ehr_record_obs"][-1]


def test_annotations_full_partial_and_absent_all_occur(base: Simulation) -> None:
    used = {c.tool for c in base.calls if c.tool}
    full = {t for t in used if "destructiveHint" in ANNOTATIONS.get(t, {})}
    readonly_only = {t for t in used if set(ANNOTATIONS.get(t, {})) == {"readOnlyHint"}}
    absent = used - set(ANNOTATIONS)
    assert full
    assert readonly_only
    assert absent
    assert {t for t in readonly_only if ANNOTATIONS[t]["readOnlyHint"] is False}
    assert {server_of(t) for t in absent} >= {"imaging", "identity"}


def test_the_history_has_the_hospitals_rhythms(base: Simulation) -> None:
    cut = base.config.attack_start_us
    hist = [c for c in base.calls if c.ts < cut]
    triage = Counter(_hour(c) for c in hist if c.tool == "ehr_search_patients")
    assert sum(triage[h] for h in (3, 4, 5)) < 0.4 * sum(triage[h] for h in (10, 11, 12))
    roles = {u.name: u.role for u in base.users}
    nurse_hours = {_hour(c) for c in hist if roles.get(c.user) == "nurse"}
    assert nurse_hours == set(range(24))  # nurses work round the clock
    weekend = [d for d in range(13) if (d + 1) % 7 in (5, 6)]  # day 0 is a Tuesday
    coding = Counter(_day(base, c) for c in hist if roles.get(c.user) == "coder")
    assert all(coding[d] == 0 for d in weekend)
    assert all(coding[d] > 0 for d in range(13) if d not in weekend)
    night_shifts = Counter(
        c.user for c in hist if roles.get(c.user) == "nurse" and _hour(c) in (1, 2, 3)
    )
    day_shifts = Counter(c.user for c in hist if roles.get(c.user) == "nurse" and _hour(c) == 11)
    assert len(set(night_shifts) & set(day_shifts)) >= 5  # rotating day / night
    purge = Counter(_day(base, c) for c in hist if c.tool == "docs_delete")
    assert len(purge) == 13
    assert {c.user for c in hist if c.tool == "docs_delete"} == {"svc-retention"}
    lab = {(_day(base, c), _hour(c)) for c in hist if c.user == "svc-lab-interface"}
    assert len(lab) >= 13 * 24 - 4  # the lab interface never sleeps
    boards = {
        (c.args["unit"], _day(base, c) >= MOVE_DAY)
        for c in hist
        if c.tool == "flow_bed_board" and c.user in {u for u, r in roles.items() if r == "nurse"}
    }
    assert ("SURG", False) in boards
    assert ("ICU", True) in boards
    moved = [
        u
        for u, r in roles.items()
        if r == "nurse"
        and {c.args["unit"] for c in hist if c.user == u and c.tool == "flow_bed_board"}
        == {"SURG", "ICU"}
    ]
    assert len(moved) == 1  # one nurse changes unit mid-history
    agency = {c.user for c in hist if c.user.startswith("agency.")}
    assert len(agency) == 2
    assert all(len({_day(base, c) for c in hist if c.user == u}) <= 4 for u in agency)
    versions = Counter((c.user, c.agent) for c in {(c.user, c.agent, c.client_version): c
                                                   for c in hist}.values())  # fmt: skip
    assert sum(n > 1 for n in versions.values()) >= 10  # clients update mid-history
    pages = [c for c in hist if c.tool == "msg_ack_page"]
    assert any(not 8 <= _hour(c) < 18 for c in pages)  # on call at night
    sessions = Counter(c.session_id for c in hist if not c.user.startswith("svc-"))
    assert len(sessions) > 1_000


def test_hard_negatives_are_labelled_on_the_scored_day_and_look_as_described(
    base: Simulation,
) -> None:
    cut = base.config.attack_start_us
    assert {b.scenario for b in base.benign_bursts} == set(HARD_NEGATIVES)
    assert len(HARD_NEGATIVES) >= 8
    assert all(b.id == f"{b.scenario}#0" for b in base.benign_bursts)
    labelled = [c for c in base.calls if c.label]
    assert all(c.ts >= cut and c.label.startswith("benign:") for c in labelled)
    assert {b.id: b.calls for b in base.benign_bursts} == dict(Counter(c.label for c in labelled))
    hist = [c for c in base.calls if c.ts < cut]
    seen = {c.user for c in hist}
    mci = _labelled(base, "mass_casualty")
    assert sum(c.tool == "ehr_register_patient" for c in mci) >= 25
    assert len({c.user for c in mci}) >= 10
    assert sum(c.tool == "sched_cancel_slot" for c in mci) >= 5
    assert all(15 <= _hour(c) < 20 for c in mci)
    down = _labelled(base, "ehr_downtime")
    failed = [c for c in down if c.error_type == "upstream_unavailable"]
    assert len(failed) >= 20
    assert len({c.user for c in failed}) >= 3
    assert {c.server for c in down} == {"ehr"}
    assert all(4 <= _hour(c) < 6 for c in failed)
    assert any(c.outcome == "ok" and _hour(c) >= 6 for c in down)  # the catch-up
    audit = _labelled(base, "compliance_audit")
    assert len({c.user for c in audit}) == 1
    assert audit[0].user in seen
    assert sum(c.tool == "ehr_get_patient" for c in audit) >= 300
    agency = _labelled(base, "agency_first_shift")
    assert agency
    assert agency[0].user not in seen
    assert len({c.user for c in agency}) == 1
    rotated = _labelled(base, "rotation_to_nights")
    person = rotated[0].user
    assert {_hour(c) for c in hist if c.user == person} <= set(range(7, 20))
    assert all(_hour(c) >= 19 for c in rotated)
    assert not [c for c in base.calls if c.user == person and c.ts >= cut and not c.label]
    purge = _labelled(base, "retention_purge")
    per_night = Counter(_day(base, c) for c in hist if c.tool == "docs_delete")
    assert sum(c.tool == "docs_delete" for c in purge) >= 5 * max(per_night.values())
    coding = _labelled(base, "month_end_coding")
    assert any(_hour(c) >= 18 for c in coding if c.user != "svc-claims")
    assert sum(c.tool == "claims_submit_batch" for c in coding) >= 6
    page = _labelled(base, "oncall_page_3am")
    assert {_hour(c) for c in page} == {3}
    assert "imaging" in {c.server for c in page}
    theirs = [c for c in hist if c.user == page[0].user and c.method == "tools/call"]
    assert sum(c.server == "imaging" for c in theirs) <= 0.05 * len(theirs)  # rarely


@pytest.mark.parametrize("seed", [1, 2])
def test_each_family_and_intensity_lands_on_a_victim_with_history_in_its_shape(
    base: Simulation, attacked: dict[str, Simulation], seed: int
) -> None:
    hist = histories(base)
    cut = base.config.attack_start_us
    negative = {c.user for c in base.calls if c.label}
    ever: dict[str, set[str]] = {}
    for c in base.calls:
        ever.setdefault(c.user, set()).add(c.server)
    for intensity in INTENSITIES:
        sim = attacked[intensity] if seed == 1 else inject(base, intensity=intensity, seed=seed)
        assert [i.scenario for i in sim.incidents] == list(FAMILIES)
        assert len({i.user for i in sim.incidents}) == len(FAMILIES)
        for inc in sim.incidents:
            h, knob = hist[inc.user], KNOBS[inc.scenario][intensity]
            assert len(h.days) >= 5
            assert inc.user not in negative
            assert not inc.user.startswith("svc-")
            assert cut <= inc.start <= inc.end < base.config.end_us
            labelled = [c for c in sim.calls if c.label == inc.id]
            assert len(labelled) == inc.calls
            calls = [c for c in labelled if c.method == "tools/call"]
            assert len(calls) == knob["calls"]
            opened = [c for c in labelled if c.method != "tools/call"]
            assert {c.method for c in opened} == {"tools/list"}
            assert {c.server for c in opened} == {c.server for c in calls}
            assert {c.user for c in labelled} == {inc.user}
            before = [c for c in base.calls if c.user == inc.user and c.agent == inc.agent]
            assert {c.client_version for c in calls} == {before[-1].client_version}
            assert (inc.end - inc.start) / 60e6 <= knob["minutes"]
            if inc.scenario == "novelty_burst":
                new = {c.server for c in calls}
                assert len(new) == knob["new_servers"]
                assert not new & ever[inc.user]
                assert len({c.tool for c in calls}) >= 3
            elif inc.scenario == "off_hours":
                hours = {_hour(c) for c in labelled}
                assert all(
                    min((x - y) % 24, (y - x) % 24) >= knob["far_hours"]
                    for x in hours
                    for y in h.hours
                )
                assert {c.tool for c in calls} <= set(h.tools)
            elif inc.scenario == "destructive":
                assert len({c.tool for c in calls}) == 1
                assert ANNOTATIONS[str(calls[0].tool)]["destructiveHint"] is True
                per_min = Counter(c.ts // 60_000_000 for c in calls)
                assert max(per_min.values()) <= 30  # under the rate limit
            elif inc.scenario == "error_storm":
                tool = str(calls[0].tool)
                assert {c.tool for c in calls} == {tool}
                assert tool in h.tools
                assert sum(c.outcome != "ok" for c in calls) >= knob["fail"] * len(calls) - 1
                assert all(args_size(c.args) > knob["size"] * h.args_max[tool] for c in calls)
                assert all(args_size(c.args) > knob["min_bytes"] for c in calls)
            else:
                assert all(c.result_bytes >= knob["result_kb"] * 1000 for c in calls)


def test_attacks_add_calls_and_change_no_benign_one(
    base: Simulation, attacked: dict[str, Simulation]
) -> None:
    sim = attacked["mid"]
    ids = {i.id for i in sim.incidents}
    assert [c for c in sim.calls if c.label not in ids] == base.calls
    added = [c for c in sim.calls if c.label in ids]
    assert len(added) == sum(i.calls for i in sim.incidents)
    assert [i.start for i in sim.incidents] == [
        min(c.ts for c in added if c.label == i.id) for i in sim.incidents
    ]
    assert {c.label.split("#")[0] for c in added} == set(FAMILIES)
    assert not {c.label for c in base.calls} & ids
    assert sim.benign_bursts == base.benign_bursts
    span = {
        level: {i.scenario: i.end - i.start for i in attacked[level].incidents}
        for level in ("low", "high")
    }
    assert span["low"]["destructive"] > 5 * span["high"]["destructive"]  # slow and fast
    assert span["low"]["destructive"] >= 60 * 60_000_000


def test_the_shared_library_injects_on_this_traffic(base: Simulation) -> None:
    sim = library.inject(base, library.FAMILIES, "mid", seed=1, annotations=ANNOTATIONS)
    assert {i.scenario for i in sim.incidents} == set(library.FAMILIES)
    assert all(i.start >= base.config.attack_start_us for i in sim.incidents)


def test_bad_arguments_are_refused_naming_the_field(base: Simulation) -> None:
    with pytest.raises(ValueError, match="families"):
        inject(base, ("teleport",))
    with pytest.raises(ValueError, match="intensity"):
        inject(base, intensity="extreme")
    with pytest.raises(ValueError, match="per_family"):
        inject(base, per_family=-1)
    with pytest.raises(ValueError, match="per_family"):
        inject(base, ("destructive",), per_family=200)
    alien = replace(base.calls[0], tool="teleport", method="tools/call")
    with pytest.raises(ValueError, match="base"):
        inject(Simulation(base.config, [alien], [], []))
    with pytest.raises(ValueError, match="days"):
        WardsConfig(days=2)
    with pytest.raises(ValueError, match="arrivals_per_day"):
        WardsConfig(arrivals_per_day=1)


@pytest.mark.store
@pytest.mark.slow
def test_a_slice_of_the_scored_day_is_stored_as_framed(
    attacked: dict[str, Simulation], tmp_path: Path
) -> None:
    sim = attacked["mid"]
    inc = sim.incidents[3]
    neg = next(b for b in sim.benign_bursts if b.scenario == "benign:ehr_downtime")
    keep = {inc.id, neg.id}
    noon = sim.config.attack_start_us + 12 * HOUR_US
    lo = next(c.ts for c in sim.calls if c.ts >= noon and c.method == "tools/list")
    part = [c for c in sim.calls if c.label in keep or lo <= c.ts < lo + 5 * 60_000_000]
    assert {c.label for c in part} >= keep
    assert {c.method for c in part} >= {"tools/call", "resources/read", "tools/list"}
    sliced = Simulation(sim.config, part, [inc], [neg])
    assert_stored_as_framed(sliced, tmp_path, b"wards-key", ANNOTATIONS)
