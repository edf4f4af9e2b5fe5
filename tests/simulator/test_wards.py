"""The hospital generator: deterministic, recordable, labelled as it promises."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from tooltrail.simulator import SimCall, Simulation
from tooltrail.simulator.wards import (
    ANNOTATIONS,
    FAMILIES,
    SERVERS,
    URI_SCHEMES,
    WardsConfig,
    generate,
    inject,
    server_of,
)
from tooltrail.simulator.wards.catalog import TOOLS
from tooltrail.simulator.wards.org import MOVE_DAY

from . import _interface as shared
from ._generators import Traffic
from ._interface import DAY_US, HOUR_US


def _labelled(sim: Simulation, name: str) -> list[SimCall]:
    return [c for c in sim.calls if c.label == f"benign:{name}#0"]


def _hour(c: SimCall) -> int:
    return c.ts % DAY_US // HOUR_US


def _day(sim: Simulation, c: SimCall) -> int:
    return (c.ts - sim.config.start_us) // DAY_US


def test_same_seed_same_traffic_other_seed_other_traffic(base: Simulation) -> None:
    small = WardsConfig(seed=1, days=7, arrivals_per_day=20)
    a = shared.assert_deterministic(generate, small, replace(small, seed=2), inject=inject)
    assert inject(a, intensity="mid", seed=4).calls != inject(a, intensity="mid", seed=3).calls
    assert 40_000 <= len(base.calls) <= 120_000


def test_every_call_is_what_an_emitter_records(base: Simulation) -> None:
    causes = ("timeout", "validation_error", "note_locked", "upstream_unavailable", "forbidden")
    shared.assert_recordable_traffic(base, server_of, URI_SCHEMES, errors=causes, servers=SERVERS)
    assert base.config.days == 14
    assert any(c.outcome == "denied" for c in base.calls)
    assert len(SERVERS) == 11
    assert {c.tool for c in base.calls if c.tool} == set(TOOLS)
    sizes = {t: sorted(c.result_bytes for c in base.calls if c.tool == t and c.outcome == "ok")
             for t in ("ehr_bulk_export", "ehr_record_obs")}  # fmt: skip
    assert sizes["ehr_bulk_export"][0] > 100 * sizes["ehr_record_obs"][-1]


def test_imaging_and_identity_leave_tools_unannotated(base: Simulation) -> None:
    absent = {c.tool for c in base.calls if c.tool} - set(ANNOTATIONS)
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


def test_the_hard_negatives_look_as_described(
    base: Simulation,
) -> None:
    cut = base.config.attack_start_us
    assert all(b.id == f"{b.scenario}#0" for b in base.benign_bursts)
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
def test_the_attacks_take_this_worlds_victims_and_tools(
    base: Simulation, traffic: Traffic, gen: str, seed: int
) -> None:
    sims = list(traffic.attacked(gen, seed).values())
    assert not any(i.user.startswith("svc-") for sim in sims for i in sim.incidents)
    for sim in sims:
        novel = next(i for i in sim.incidents if i.scenario == "novelty_burst")
        tools = {c.tool for c in sim.calls if c.label == novel.id and c.method == "tools/call"}
        assert len(tools) >= 3


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
