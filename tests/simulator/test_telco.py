"""The telco generator: deterministic, recordable, on its rotas and calendar, labelled."""

from __future__ import annotations

import itertools
import statistics
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from tooltrail.simulator import SimCall, Simulation
from tooltrail.simulator.telco import (
    ANNOTATIONS,
    HARD_NEGATIVES,
    KNOBS,
    SERVERS,
    URI_SCHEMES,
    TelcoConfig,
    generate,
    inject,
    server_of,
)
from tooltrail.simulator.telco.attacks import _LURES, _PAYLOADS
from tooltrail.simulator.telco.catalog import TOOLS
from tooltrail.simulator.telco.history import args_size, histories

from . import _interface as shared
from ._generators import Traffic
from ._interface import DAY_US, HOUR_US, MINUTE_US, labelled


def _local(c: SimCall, tz: float) -> datetime:
    return datetime.fromtimestamp(c.ts / 1e6, UTC) + timedelta(hours=tz)


def _history(sim: Simulation) -> list[SimCall]:
    return [c for c in sim.calls if c.ts < sim.config.attack_start_us]


def _day(sim: Simulation, c: SimCall) -> int:
    return (c.ts - sim.config.start_us) // DAY_US


def test_same_seed_same_traffic_other_seed_other_traffic(base: Simulation) -> None:
    shared.assert_deterministic(
        generate, TelcoConfig(seed=1), TelcoConfig(seed=2), first=base, inject=inject
    )
    assert 80_000 <= len(base.calls) <= 160_000


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"days": 7}, "days"),
        ({"days": 40}, "days"),
        ({"care_agents": 200}, "care_agents"),
        ({"field_techs": 0}, "field_techs"),
        ({"attack_days": 2}, "attack_days"),
        ({"start": datetime(2026, 9, 23, 0, 30, tzinfo=UTC)}, "midnight"),
        ({"start": datetime(2026, 9, 23, tzinfo=UTC) + timedelta(hours=1)}, "midnight"),
    ],
)
def test_bad_configs_are_refused_naming_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        TelcoConfig(**kwargs)  # type: ignore[arg-type]


def test_every_call_is_what_an_emitter_records(base: Simulation) -> None:
    causes = ("timeout", "not_found", "conflict", "validation_error", "forbidden",
              "service_unavailable")  # fmt: skip
    shared.assert_recordable_traffic(base, server_of, URI_SCHEMES, errors=causes, servers=SERVERS)
    assert all(c.outcome == "denied" for c in base.calls if c.error_type == "forbidden")
    assert all(c.outcome != "denied" for c in base.calls if c.error_type != "forbidden")
    assert 0.01 < sum(c.outcome != "ok" for c in base.calls) / len(base.calls) < 0.04
    # a session lists a server's tools once, before its first call there (a night shift already
    # under way at the span's start listed before the recording began)
    open_at_start = {c.session_id for c in base.calls if c.ts < base.config.start_us + 12 * HOUR_US}
    listed: set[tuple[str, str]] = set()
    for c in base.calls:
        if c.session_id in open_at_start:
            continue
        key = (c.session_id, c.server)
        if c.method == "tools/list":
            assert key not in listed
            listed.add(key)
        elif c.method == "tools/call":
            assert key in listed, c


def test_annotation_styles_follow_the_servers(base: Simulation) -> None:
    styles = shared.assert_annotation_styles(base, ANNOTATIONS)
    assert {server_of(t) for t in styles["absent"]} == {"lawful", "change", "retail"}
    assert {server_of(t) for t in styles["readonly_only"]} == {
        "fieldops", "provisioning", "inventory"
    }  # fmt: skip
    # some annotations mislead: a write that says read-only, a cut-off that says not destructive
    assert ANNOTATIONS["port_status_sync"]["readOnlyHint"] is True
    assert TOOLS["port_status_sync"].kind == "write"
    assert ANNOTATIONS["hlr_resync"] == {"readOnlyHint": True}
    assert ANNOTATIONS["account_freeze"]["destructiveHint"] is False


def test_people_keep_their_rotas_shifts_and_time_zones(base: Simulation) -> None:
    hist = _history(base)
    who = {u.name: u for u in base.users}
    hours: dict[str, set[int]] = {}
    for c in hist:
        hours.setdefault(c.user, set()).add(c.ts % DAY_US // HOUR_US)
    # the NOC is staffed at every hour, but no one engineer works them all in one day
    noc = [c for c in hist if who[c.user].role == "noc"]
    assert {c.ts % DAY_US // HOUR_US for c in noc} == set(range(24))
    per_day = Counter((c.user, _day(base, c)) for c in noc)
    assert per_day
    # the outsourced partner in Kuala Lumpur works the carrier's night (21:00-05:30 UTC)
    kl = [u for u in who if who[u].role == "partner"]
    assert kl
    assert all(hours[u] <= {20, 21, 22, 23, 0, 1, 2, 3, 4, 5} for u in kl)
    # office roles never work a weekend (local), shops close on Sundays
    office = ("porting", "billing", "lawful", "change", "provisioning", "regulatory", "audit")
    desk = [c for c in hist if who[c.user].role in office]
    assert all(_local(c, who[c.user].tz_hours).weekday() < 5 for c in desk)
    shops = [c for c in hist if who[c.user].role == "shop"]
    assert shops
    assert all(_local(c, who[c.user].tz_hours).weekday() != 6 for c in shops)
    # a rotating engineer covers more hours than any office worker
    rot = max(len(hours[u]) for u in who if who[u].role == "noc" and u in hours)
    most = max(len(hours[u]) for u in who if who[u].role == "billing" and u in hours)
    assert rot > most + 8
    # the field tablets updated on day 6; a contractor and a care agent started mid-span
    field = {c.client_version for c in hist if c.client == "fieldapp"}
    assert field == {"5.2.0", "5.3.1"}
    late = [u for u in who if who[u].first_day > 0 and who[u].role in ("care", "field")]
    assert len(late) == 2
    for u in late:
        assert min(_day(base, c) for c in hist if c.user == u) >= who[u].first_day - 1


def test_a_care_agent_moves_to_the_porting_desk(base: Simulation) -> None:
    hist = _history(base)
    care_then_porting = {
        c.user for c in hist if c.server == "porting" and c.client == "claude-desktop"
    } & {c.user for c in hist if c.client == "care-desktop"}
    assert len(care_then_porting) == 1
    (u,) = care_then_porting
    last_care = max(c.ts for c in hist if c.user == u and c.client == "care-desktop")
    first_port = min(c.ts for c in hist if c.user == u and c.server == "porting")
    assert last_care < first_port


def test_the_jobs_run_on_their_clocks(base: Simulation) -> None:
    hist = _history(base)
    days = (base.config.attack_start_us - base.config.start_us) // DAY_US
    polls = Counter(_day(base, c) for c in hist if c.user == "svc-alarm-poller"
                    and c.tool == "alarm_list")  # fmt: skip
    assert set(polls) == set(range(days))
    assert min(polls.values()) >= 700  # every two minutes
    syncs = [c for c in hist if c.user == "svc-porting-sync" and c.method == "tools/call"]
    assert len(syncs) >= 96 * days
    # the change runner works only in the Tue/Thu windows, 00:00-05:00 local (23:00-04:00 UTC)
    runner = [c for c in base.calls if c.user == "svc-change-runner"]
    assert runner
    for c in runner:
        local = _local(c, 1.0)
        assert local.weekday() in (1, 3), local
        assert local.hour < 5, local
    assert Counter(c.tool for c in runner)["node_reboot"] > 0
    # the month-end bill run starts at local midnight of the 1st
    starts = [c for c in base.calls if c.tool == "bill_run_start"]
    assert len(starts) == 4
    assert {(_local(c, 1.0).day, _local(c, 1.0).hour) for c in starts} == {(1, 0)}


def test_people_retry_a_timeout_with_the_same_arguments(base: Simulation) -> None:
    by_session: dict[str, list[SimCall]] = {}
    for c in base.calls:
        if c.method == "tools/call" and not c.user.startswith("svc-"):
            by_session.setdefault(c.session_id, []).append(c)
    retried = 0
    for calls in by_session.values():
        for a, b in itertools.pairwise(calls):
            if a.error_type == "timeout" and b.tool == a.tool and b.args == a.args:
                assert b.ts >= a.ts + a.duration_us + 1_000_000
                retried += 1
    assert retried >= 30


def test_the_calendar_causes_work(base: Simulation) -> None:
    start = base.config.start_us
    scored = (base.config.attack_start_us - start) // DAY_US
    tickets = [c for c in base.calls if c.tool == "ticket_create"]
    outage = Counter(_day(base, c) for c in tickets if c.args.get("category") == "outage")
    assert max(outage, key=lambda d: outage[d]) == 6  # the fibre cut
    assert outage[6] > 100
    alarms = Counter(_day(base, c) for c in base.calls if c.tool == "alarm_ack")
    typical = statistics.median(alarms[d] for d in range(scored))
    assert alarms[6] > 1.4 * typical
    # the handset launch: shops fulfil pre-orders, the bot activates more SIMs
    fulfil = Counter(_day(base, c) for c in base.calls if c.tool == "preorder_fulfil")
    assert max(fulfil, key=lambda d: fulfil[d]) == 2
    acts = Counter(_day(base, c) for c in base.calls
                   if c.user == "svc-provisioning" and c.method == "tools/call")  # fmt: skip
    assert acts[2] > 1.3 * statistics.median(acts[d] for d in range(scored))
    # splice crews are called out into the night of the cut
    night = [c for c in base.calls if c.tool == "splice_record_submit" and _day(base, c) in (6, 7)
             and not 6 <= c.ts % DAY_US // HOUR_US < 16]  # fmt: skip
    assert len(night) >= 5


def test_the_hard_negatives_look_as_described(base: Simulation) -> None:
    shared.assert_hard_negatives_labelled(base, HARD_NEGATIVES, at_least=12)
    hist = _history(base)
    seen = {c.user for c in hist}
    servers: dict[str, set[str]] = {}
    hours: dict[str, set[int]] = {}
    days: dict[str, set[int]] = {}
    for c in hist:
        servers.setdefault(c.user, set()).add(c.server)
        hours.setdefault(c.user, set()).add(c.ts % DAY_US // HOUR_US)
        days.setdefault(c.user, set()).add(_day(base, c))
    reg = [c for c in labelled(base, "benign:regulator_data_request") if c.tool == "cdr_export"]
    assert len(reg) >= 40
    assert sum(c.result_bytes >= 2_000_000 for c in reg) >= 40
    assert "cdr_export" in {c.tool for c in hist if c.user == reg[0].user}  # not new to them
    reclaim = labelled(base, "benign:number_block_reclaim")
    deletes = [c for c in reclaim if c.tool == "number_reclaim"]
    assert len(deletes) == 150
    assert ANNOTATIONS["number_reclaim"]["destructiveHint"] is True
    assert max(Counter(c.ts // MINUTE_US for c in deletes).values()) <= 30
    assert (deletes[-1].ts - deletes[0].ts) < 40 * MINUTE_US
    new = labelled(base, "benign:noc_first_week")
    assert len(days[new[0].user]) < 5
    assert sum(c.method == "resources/read" for c in new) >= 14
    change = labelled(base, "benign:maintenance_change")
    assert {c.ts % DAY_US // HOUR_US for c in change} - hours[change[0].user]  # never this late
    assert Counter(c.tool for c in change)["node_reboot"] == 6
    rerate = labelled(base, "benign:tariff_rerate")
    assert Counter(c.tool for c in rerate)["rerate_batch"] >= 200
    failed = [c for c in rerate if c.outcome != "ok" and c.tool == "rerate_batch"]
    assert len(failed) >= 20
    storm = labelled(base, "benign:hlr_retry_storm")
    assert storm[0].user == "svc-provisioning"
    down = [c for c in storm if c.error_type in ("service_unavailable", "timeout")]
    up = [c for c in storm if c.outcome == "ok" and c.tool == "sim_activate"]
    assert len(down) >= 30
    assert min(c.ts for c in up) > max(c.ts for c in down)
    audit = labelled(base, "benign:internal_audit")
    assert {c.server for c in audit} - servers[audit[0].user] >= {"lawful", "porting", "fraud"}
    assert sum(c.outcome == "denied" for c in audit) == 3
    moved = labelled(base, "benign:contractor_new_role")
    assert moved[0].user.startswith("ctr-")
    assert moved[0].user in seen
    assert "provisioning" in {c.server for c in moved} - servers[moved[0].user]
    assert moved[0].client not in {c.client for c in hist if c.user == moved[0].user}
    sweep = labelled(base, "benign:sim_swap_sweep")
    assert Counter(c.tool for c in sweep)["sim_swap_check"] == 160
    assert Counter(c.tool for c in sweep)["account_freeze"] >= 20
    for name in ("partner_double_shift", "tower_night_callout"):
        calls = labelled(base, f"benign:{name}")
        assert {c.ts % DAY_US // HOUR_US for c in calls} - hours[calls[0].user], name
    court = labelled(base, "benign:li_court_order")
    assert Counter(c.tool for c in court)["intercept_provision"] == 25
    assert all(c.user in seen or c.user == new[0].user for c in base.calls if c.label)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_attacks_take_this_worlds_victims_and_tools(
    base: Simulation, traffic: Traffic, gen: str, seed: int
) -> None:
    sims = traffic.attacked(gen, seed)
    hist = histories(base)
    base_sessions = {c.session_id for c in base.calls}
    base_traces = {c.trace_id for c in base.calls}
    for level, sim in sims.items():
        inc = {i.scenario: i for i in sim.incidents}
        calls = {f: [c for c in sim.calls if c.label == i.id] for f, i in inc.items()}
        for f, cs in calls.items():
            assert {c.session_id for c in cs}.isdisjoint(base_sessions), f
            assert {c.trace_id for c in cs}.isdisjoint(base_traces), f
            assert not inc[f].user.startswith("svc-")
        novel = {c.server for c in calls["novelty_burst"]}
        assert novel <= set(_LURES)
        assert not novel & hist[inc["novelty_burst"].user].servers
        wiped = [c for c in calls["destructive"] if c.tool]
        assert server_of(str(wiped[0].tool)) in hist[inc["destructive"].user].servers
        assert len({c.args[TOOLS[str(c.tool)].fields[0]] for c in wiped}) == len(wiped)
        probe = [c for c in calls["error_storm"] if c.tool]
        assert all(any(p in str(c.args) for p in _PAYLOADS) for c in probe)
        floor = KNOBS["error_storm"][level]["min_bytes"]
        assert all(args_size(c.args) > floor for c in probe)
        late = calls["off_hours"]
        assert {c.tool for c in late if c.tool} <= set(hist[inc["off_hours"].user].tools)
    louder = [sum(c.result_bytes for c in s.calls if c.label.startswith("bulk_read"))
              for s in sims.values()]  # fmt: skip
    assert louder == sorted(louder)
    assert louder[0] * 10 < louder[-1]
    users = {i.user for s in sims.values() for i in s.incidents}
    assert len(users) > 5


def test_inject_refuses_more_victims_than_the_day_holds(base: Simulation) -> None:
    with pytest.raises(ValueError, match="per_family"):
        inject(base, ("off_hours",), "high", per_family=80)
    two = inject(base, ("bulk_read",), "low", seed=4, per_family=2)
    assert [i.id for i in two.incidents] == ["bulk_read#0", "bulk_read#1"]
    assert len({i.user for i in two.incidents}) == 2
