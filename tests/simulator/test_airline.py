"""The airline generator: deterministic, recordable, on shifts and flights, labelled as promised."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from tooltrail.simulator import SimCall, Simulation
from tooltrail.simulator._history import args_size, histories
from tooltrail.simulator.airline import (
    ANNOTATIONS,
    KNOBS,
    SERVERS,
    URI_SCHEMES,
    AirlineConfig,
    generate,
    inject,
    server_of,
)

from . import _interface as shared
from ._generators import Traffic
from ._interface import DAY_US, HOUR_US, labelled


def test_same_seed_same_traffic_other_seed_other_traffic(base: Simulation) -> None:
    shared.assert_deterministic(
        generate, AirlineConfig(seed=1), AirlineConfig(seed=2), first=base, inject=inject
    )
    assert 30_000 <= len(base.calls) <= 70_000


def test_every_call_is_what_an_emitter_records(base: Simulation) -> None:
    causes = ("timeout", "not_found", "conflict", "validation_error", "forbidden",
              "service_unavailable")  # fmt: skip
    shared.assert_recordable_traffic(base, server_of, URI_SCHEMES, errors=causes, servers=SERVERS)
    assert all(c.outcome == "denied" for c in base.calls if c.error_type == "forbidden")
    assert all(c.outcome != "denied" for c in base.calls if c.error_type != "forbidden")


def test_annotation_styles_follow_the_servers(base: Simulation) -> None:
    styles = shared.assert_annotation_styles(base, ANNOTATIONS)
    assert {server_of(t) for t in styles["absent"]} == {"safety", "acars"}
    assert {server_of(t) for t in styles["readonly_only"]} == {"dispatch", "stations"}


def _local(c: SimCall, tz: float) -> datetime:
    return datetime.fromtimestamp(c.ts / 1e6, UTC) + timedelta(hours=tz)


def test_people_keep_their_shifts_and_time_zones(base: Simulation) -> None:
    cut = base.config.attack_start_us
    hist = [c for c in base.calls if c.ts < cut]
    who = {u.name: u for u in base.users}
    office = [c for c in hist if who[c.user].role in ("revenue", "it", "safety")]
    assert office
    assert all(_local(c, who[c.user].tz_hours).weekday() < 5 for c in office)  # no weekends
    # Manila's care desk works America's night: 01:00-10:00 UTC
    manila = [c for c in hist if who[c.user].role == "care" and who[c.user].tz_hours == 8.0]
    assert manila
    assert all(1 <= c.ts % DAY_US // HOUR_US < 10 for c in manila)
    # the hub's controllers rotate through day, swing and night: almost every hour is someone's
    occ_hours = {c.ts % DAY_US // HOUR_US for c in hist if who[c.user].role == "occ"}
    assert len(occ_hours) >= 22
    # one controller alone covers more hours than any office worker (the rota moves)
    by_user: dict[str, set[int]] = {}
    for c in hist:
        by_user.setdefault(c.user, set()).add(c.ts % DAY_US // HOUR_US)
    rot = max(len(h) for u, h in by_user.items() if who[u].role == "occ")
    desk = max(len(h) for u, h in by_user.items() if who[u].role == "revenue")
    assert rot > desk
    # the mechanics' tablets updated mid-history
    assert {c.client_version for c in hist if c.client == "mro-tablet"} == {"2.3.1", "2.4.0"}


def test_jobs_run_on_their_clocks(base: Simulation) -> None:
    start, cut = base.config.start_us, base.config.attack_start_us
    hist = [c for c in base.calls if c.ts < cut]
    days = (cut - start) // DAY_US
    acars = Counter((c.ts - start) // DAY_US for c in hist if c.tool == "position_ingest")
    assert set(acars) == set(range(days))
    assert min(acars.values()) >= 288  # every five minutes, retries on top
    legality = [c for c in hist if c.user == "svc-crewlegality"]
    assert {c.ts % DAY_US // HOUR_US for c in legality} <= {9, 10}  # 02:00 in Denver
    # every flight plan filed was created first, in the same trace
    created = {(c.trace_id, c.args["flight"]) for c in hist if c.tool == "flight_plan_create"}
    filed = [c for c in hist if c.tool == "flight_plan_file"]
    assert filed
    assert all((c.trace_id, c.args["flight"]) in created for c in filed)


def test_timeouts_are_retried_with_the_same_arguments(base: Simulation) -> None:
    calls = [c for c in base.calls if not c.label]
    after: dict[tuple[str, str, str], list[SimCall]] = {}
    for c in calls:
        if c.tool:
            after.setdefault((c.user, c.trace_id, str(c.tool)), []).append(c)
    timeouts = [c for c in calls if c.error_type == "timeout"]
    assert timeouts
    for c in timeouts:
        same = after[(c.user, c.trace_id, str(c.tool))]
        later = [d for d in same if d.ts > c.ts]
        if later:  # retried after the timeout, with the same arguments
            assert later[0].args == c.args
            assert later[0].ts >= c.ts + c.duration_us
        else:  # or given up after the third attempt
            tries = [d for d in same if d.ts <= c.ts]
            assert [d.error_type for d in tries[-3:]] == ["timeout"] * 3


def test_weather_and_broken_aircraft_cause_work(base: Simulation) -> None:
    start = base.config.start_us
    scored = (base.config.attack_start_us - start) // DAY_US
    delays = Counter((c.ts - start) // DAY_US for c in base.calls if c.tool == "delay_code_set")
    typical = statistics.median(delays[d] for d in range(scored))
    assert delays[scored] > 1.5 * typical  # the New Year's Eve snow
    # an AOG work order follows the tech log, the manual and the MEL in its trace
    aog = [c for c in base.calls if c.tool == "workorder_create" and c.args.get("aog")]
    assert len(aog) >= 5
    for w in aog:
        trace = [c for c in base.calls if c.trace_id == w.trace_id and c.ts <= w.ts]
        assert {"tech_log_get", "mel_lookup", "part_reserve"} <= {c.tool for c in trace}
        assert any(str(c.resource_uri).startswith("manuals://") for c in trace)
    # a long delay sends crew control to check legality in the same trace
    long = [c for c in base.calls if c.tool == "delay_code_set" and c.args["minutes"] > 90]
    checked = {c.trace_id for c in base.calls if c.tool == "crew_legality_check"}
    assert long
    assert all(c.trace_id in checked for c in long)  # the crew desk is staffed at every hour


def test_the_hard_negatives_look_as_described(base: Simulation) -> None:
    cut = base.config.attack_start_us
    hist = [c for c in base.calls if c.ts < cut]
    seen = {c.user for c in hist}
    servers_of: dict[str, set[str]] = {}
    hours_of: dict[str, set[int]] = {}
    for c in hist:
        servers_of.setdefault(c.user, set()).add(c.server)
        hours_of.setdefault(c.user, set()).add(c.ts % DAY_US // HOUR_US)
    cancels = labelled(base, "benign:storm_cancellations")
    assert Counter(c.tool for c in cancels)["flight_cancel"] >= 20
    assert ANNOTATIONS["flight_cancel"]["destructiveHint"] is True
    assert max(c.ts for c in cancels) - min(c.ts for c in cancels) < HOUR_US
    rebook = labelled(base, "benign:irops_mass_rebook")
    assert Counter(c.tool for c in rebook)["rebook"] >= 100
    crew = labelled(base, "benign:crew_rebuild")
    assert Counter(c.tool for c in crew)["crew_remove_from_pairing"] >= 50
    night = labelled(base, "benign:aog_night")
    assert night[0].user in seen
    assert {c.ts % DAY_US // HOUR_US for c in night} - hours_of[night[0].user]  # called in
    assert sum(c.method == "resources/read" for c in night) >= 10
    export = labelled(base, "benign:quarter_end_export")
    export = [c for c in export if c.method == "tools/call"]
    assert len(export) >= 40
    assert min(c.result_bytes for c in export) >= 1_000_000
    hire = labelled(base, "benign:new_hire")
    assert hire[0].user not in seen
    assert sum(c.outcome == "denied" for c in hire) == 2
    moved = labelled(base, "benign:role_change")
    assert moved[0].user in seen
    assert {c.server for c in moved} - servers_of[moved[0].user] >= {"ops-control", "crew"}
    audit = labelled(base, "benign:regulator_audit")
    assert Counter(c.tool for c in audit)["report_get"] >= 200
    rerun = labelled(base, "benign:fare_rerun")
    failed = [c for c in rerun if c.outcome == "error"]
    redone = [c for c in rerun if c.outcome == "ok" and c.method == "tools/call"]
    assert [c.args["chunk"] for c in failed] == [c.args["chunk"] for c in redone]
    assert min(c.ts for c in redone) > max(c.ts for c in failed)
    backfill = labelled(base, "benign:acars_backfill")
    down = [c for c in backfill if c.error_type == "service_unavailable"]
    up = [c for c in backfill if c.outcome == "ok" and c.method == "tools/call"]
    assert len(down) >= 30
    assert min(c.ts for c in up) > max(c.ts for c in down)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_attacks_take_this_worlds_victims_and_tools(
    base: Simulation, traffic: Traffic, gen: str, seed: int
) -> None:
    sims = traffic.attacked(gen, seed)
    hist = histories(base)
    for level, sim in sims.items():
        inc = {i.scenario: i for i in sim.incidents}
        calls = {f: [c for c in sim.calls if c.label == i.id] for f, i in inc.items()}
        wiped = calls["destructive"]
        assert server_of(str(wiped[0].tool)) in hist[inc["destructive"].user].servers
        probe = calls["error_storm"]
        assert str(probe[0].tool).endswith(("_search", "_trace"))
        assert all(args_size(c.args) > KNOBS["error_storm"][level]["min_bytes"] for c in probe)
        assert {c.session_id for c in calls["off_hours"]}.isdisjoint(
            {c.session_id for c in base.calls if c.user == inc["off_hours"].user}
        )  # a replayed session the victim's own client never opened
        assert not any(str(c.tool).startswith("svc") for c in calls["bulk_read"])
        assert all(not i.user.startswith("svc-") for i in sim.incidents)
    louder = [len([c for c in s.calls if c.label.startswith("bulk_read")]) for s in sims.values()]
    assert louder == sorted(louder)
    assert louder[0] < louder[-1]
    users = {i.user for s in sims.values() for i in s.incidents}
    assert len(users) > 5
