"""The electric-utility generator: deterministic, recordable, caused by its world, labelled."""

from __future__ import annotations

from collections import Counter

import pytest

from tooltrail.simulator import SimCall, Simulation
from tooltrail.simulator.grid import (
    ANNOTATIONS,
    SERVERS,
    URI_SCHEMES,
    GridConfig,
    generate,
    inject,
    server_of,
)

from . import _interface as shared
from ._generators import Traffic
from ._interface import DAY_US, HOUR_US, labelled


def _day(sim: Simulation, c: SimCall) -> int:
    return (c.ts - sim.config.start_us) // DAY_US


def test_same_seed_same_traffic_other_seed_other_traffic(base: Simulation) -> None:
    shared.assert_deterministic(
        generate, GridConfig(seed=1), GridConfig(seed=2), first=base, inject=inject
    )
    assert 100_000 <= len(base.calls) <= 300_000


def test_every_call_is_what_an_emitter_records(base: Simulation) -> None:
    causes = ("timeout", "conflict", "validation_error", "forbidden", "service_unavailable")
    shared.assert_recordable_traffic(base, server_of, URI_SCHEMES, errors=causes, servers=SERVERS)
    assert all(c.outcome == "denied" for c in base.calls if c.error_type == "forbidden")
    assert all(c.duration_us >= 30_000_000 for c in base.calls if c.error_type == "timeout")


def test_the_unannotated_tools_are_those_of_four_servers(base: Simulation) -> None:
    absent = {c.tool for c in base.calls if c.tool} - set(ANNOTATIONS)
    assert {server_of(t) for t in absent} == {"gis", "tickets", "historian", "siem"}


def test_traffic_follows_the_rota_the_weather_and_the_clock(base: Simulation) -> None:
    cut = base.config.attack_start_us
    hist = [c for c in base.calls if c.ts < cut]
    roles = {u.name: u.role for u in base.users}
    # the control room is staffed around the clock, by people who also work days
    ops = [c for c in hist if roles.get(c.user) == "control_operator"]
    assert {c.ts % DAY_US // HOUR_US for c in ops} == set(range(24))
    night = {c.user for c in ops if 0 <= c.ts % DAY_US // HOUR_US < 4}
    day = {c.user for c in ops if 9 <= c.ts % DAY_US // HOUR_US < 13}
    assert night & day
    # office roles stay home at the weekend (17 Nov 2026 is a Tuesday: days 4, 5, 11, 12)
    planners = Counter(_day(base, c) for c in hist if roles.get(c.user) == "asset_planner")
    assert {4, 5, 11, 12}.isdisjoint(planners)
    # every outage is opened before the crew updates it, and the crews work from phones
    opened = [c for c in hist if c.tool == "oms_create_outage"]
    updates = [c for c in hist if c.tool == "oms_update_restoration"]
    assert opened
    assert min(c.ts for c in updates) > min(c.ts for c in opened)
    assert {c.client for c in updates} == {"fieldmate-mobile"}
    # service accounts keep their clocks: meter ingest every quarter-hour of every day
    runs = {(_day(base, c), c.session_id) for c in hist if c.tool == "mdm_ingest_batch"}
    ingest = Counter(day for day, _ in runs)
    assert set(ingest.values()) == {96}
    # the vendor works from Bengaluru
    assert {u.tz_hours for u in base.users if u.role == "vendor"} == {5.5}


def test_the_hard_negatives_look_as_described(
    base: Simulation,
) -> None:
    cut = base.config.attack_start_us
    seen = {c.user for c in base.calls if c.ts < cut}
    storm = labelled(base, "benign:storm_surge")
    assert Counter(c.tool for c in storm)["oms_create_outage"] >= 20
    assert len({c.user for c in storm}) >= 10
    created = [c for c in base.calls if c.tool == "oms_create_outage"]
    assert sum(c.label != "" for c in created) > sum(c.ts >= cut for c in created) / 2
    closure = labelled(base, "benign:mass_wo_closure")
    dispatched = {c.args["work_order"] for c in storm if c.tool == "crew_dispatch"}
    closed = [c.args["work_order"] for c in closure if c.tool == "wo_close"]
    assert len(closed) >= 100
    assert dispatched <= set(closed)  # the storm's own orders, after the last restoration
    restored = [c.ts for c in storm if c.tool == "oms_close_outage"]
    assert min(c.ts for c in closure) > max(restored)
    assert closure[0].ts > max(c.ts for c in storm if c.tool == "oms_create_outage")
    rebill = labelled(base, "benign:rebilling_batch")
    assert Counter(c.tool for c in rebill)["bill_rebill_account"] >= 400
    trainee = labelled(base, "benign:trainee_first_shift")
    assert trainee[0].user not in seen
    assert any(c.outcome == "denied" for c in trainee)
    swap = labelled(base, "benign:shift_swap")
    assert swap[0].user in seen
    assert all(c.ts % DAY_US >= 17 * HOUR_US for c in swap)
    vendor = labelled(base, "benign:vendor_remote_support")
    assert vendor[0].user in seen
    export = labelled(base, "benign:regulator_export")
    assert max(c.result_bytes for c in export) >= 400_000
    market = labelled(base, "benign:market_spike")
    assert Counter(c.tool for c in market)["trade_cancel_bid"] > 0
    assert len(labelled(base, "benign:switching_night")) >= 24


@pytest.mark.parametrize("seed", [1, 2])
def test_the_attacks_take_this_worlds_victims_and_tools(
    base: Simulation, traffic: Traffic, gen: str, seed: int
) -> None:
    sims = list(traffic.attacked(gen, seed).values())
    for sim in sims:
        inc = {i.scenario: i for i in sim.incidents}
        hijack = [c for c in sim.calls if c.label == inc["novelty_burst"].id]
        assert hijack[0].method == "resources/read"  # the poisoned item comes first
        assert all(c.method == "tools/call" for c in hijack[1:])
        assert {c.server for c in hijack[1:]} & {"identity", "otconfig", "scada"}
        wiped = [c for c in sim.calls if c.label == inc["destructive"].id]
        insider = inc["destructive"].user
        assert wiped[0].server in {c.server for c in base.calls if c.user == insider}
