"""The CRO generator: deterministic, recordable, on rotas and clinic hours, labelled as promised."""

from __future__ import annotations

from collections import Counter

import pytest

from tooltrail.simulator import SimCall, Simulation
from tooltrail.simulator.trials import (
    ANNOTATIONS,
    KNOBS,
    SERVERS,
    URI_SCHEMES,
    TrialsConfig,
    generate,
    inject,
    server_of,
)
from tooltrail.simulator.trials.history import histories

from . import _interface as shared
from ._generators import Traffic
from ._interface import DAY_US, HOUR_US, labelled


def test_same_seed_same_traffic_other_seed_other_traffic(base: Simulation) -> None:
    shared.assert_deterministic(
        generate, TrialsConfig(seed=1), TrialsConfig(seed=2), first=base, inject=inject
    )
    assert 75_000 <= len(base.calls) <= 130_000


def test_every_call_is_what_an_emitter_records(base: Simulation) -> None:
    causes = ("timeout", "not_found", "conflict", "validation_error", "forbidden",
              "service_unavailable")  # fmt: skip
    shared.assert_recordable_traffic(base, server_of, URI_SCHEMES, errors=causes, servers=SERVERS)
    assert all(c.outcome == "denied" for c in base.calls if c.error_type == "forbidden")
    assert all(c.outcome != "denied" for c in base.calls if c.error_type != "forbidden")


def test_annotation_styles_follow_the_servers(base: Simulation) -> None:
    styles = shared.assert_annotation_styles(base, ANNOTATIONS)
    assert {server_of(t) for t in styles["absent"]} == {"safety", "regsub", "portal"}
    assert {server_of(t) for t in styles["readonly_only"]} == {"iwrs", "statcomp", "labs"}
    assert ANNOTATIONS["kit_quarantine"] == {"readOnlyHint": True}  # a vendor's wrong hint


def test_a_session_lists_a_servers_tools_before_calling_it(base: Simulation) -> None:
    listed: set[tuple[str, str]] = set()
    for c in base.calls:
        if c.method == "tools/list":
            listed.add((c.session_id, c.server))
        elif c.method == "tools/call":
            assert (c.session_id, c.server) in listed


def _hour(c: SimCall) -> int:
    return c.ts % DAY_US // HOUR_US


def test_people_keep_their_rotas_and_time_zones(base: Simulation) -> None:
    cut, start = base.config.attack_start_us, base.config.start_us
    hist = [c for c in base.calls if c.ts < cut and not c.label]
    who = {u.name: u for u in base.users}
    # the Bangalore safety desk covers every hour of the day
    desk = {_hour(c) for c in hist if who[c.user].role == "pv" and who[c.user].tz_hours == 5.5}
    assert len(desk) == 24
    # site coordinators work their clinic's weekdays only (the span starts on a Thursday)
    site = [c for c in hist if who[c.user].role == "coordinator"]
    assert site
    local = [c.ts + int(who[c.user].tz_hours * HOUR_US) - start for c in site]
    assert all((t // DAY_US + 3) % 7 < 5 for t in local)
    # Tokyo's coordinators and Boston's never share a working hour
    tokyo = {_hour(c) for c in site if who[c.user].tz_hours == 9}
    boston = {_hour(c) for c in site if who[c.user].tz_hours == -5}
    assert tokyo
    assert boston
    assert not tokyo & boston
    # office clients auto-update mid-span
    assert {c.client_version for c in hist if c.client == "claude-desktop"} == {"0.9.3", "0.10.1"}


def test_jobs_and_the_calendar_make_their_traffic(base: Simulation) -> None:
    start = base.config.start_us
    day = Counter((c.ts - start) // DAY_US for c in base.calls if c.tool == "e2b_inbox_poll")
    assert min(day.values()) >= 288
    cuts = [c for c in base.calls if c.user == "svc-datacut"]
    assert {(c.ts - start) // DAY_US for c in cuts} == {4, 11}  # Monday nights
    # the EDC outage on day 8: failures retried, then given up
    out = [c for c in base.calls if c.server == "edc" and c.error_type == "service_unavailable"
           and (c.ts - start) // DAY_US == 8]  # fmt: skip
    assert len(out) >= 30
    # CARD-210's amendment brings re-consent pages on eCRF v3
    assert any(c.args.get("form_version") == "3.0" for c in base.calls if c.tool == "form_save")
    # datasets are big: statisticians and the data cut pull megabytes
    big = [c.result_bytes for c in base.calls if c.tool in ("dataset_get", "dataset_export")]
    assert max(big) > 3_000_000


def test_the_hard_negatives_look_as_described(base: Simulation) -> None:
    cut = base.config.attack_start_us
    hist = [c for c in base.calls if c.ts < cut]
    seen = {c.user for c in hist}
    servers_of: dict[str, set[str]] = {}
    hours_of: dict[str, set[int]] = {}
    for c in hist:
        servers_of.setdefault(c.user, set()).add(c.server)
        hours_of.setdefault(c.user, set()).add(_hour(c))
    lock = labelled(base, "benign:database_lock_export")
    assert sum(c.result_bytes > 2_000_000 for c in lock) >= 12
    unblind = labelled(base, "benign:interim_unblinding")
    assert "iwrs" not in servers_of[unblind[0].user]
    assert any(c.tool == "randomisation_list_get" for c in unblind)
    night = labelled(base, "benign:susar_night_rota")
    assert {_hour(c) for c in night} - hours_of[night[0].user]
    audit = labelled(base, "benign:fda_inspection")
    assert len({c.server for c in audit} - servers_of[audit[0].user]) >= 3
    hire = labelled(base, "benign:new_hire_cra")
    assert hire[0].user not in seen
    assert sum(c.outcome == "denied" for c in hire) == 2
    moved = labelled(base, "benign:role_change")
    assert {c.server for c in moved} - servers_of[moved[0].user] >= {"safety"}
    recode = labelled(base, "benign:meddra_recode")
    assert len({c.args["item"] for c in recode if c.tool == "coding_uncode"}) == 70
    rekey = labelled(base, "benign:amendment_rekey")
    assert sum(c.outcome != "ok" for c in rekey) > len(rekey) / 2
    travel = labelled(base, "benign:travelling_monitor")
    assert {_hour(c) for c in travel} - hours_of[travel[0].user]
    purge = labelled(base, "benign:query_purge")
    assert len({c.args["query"] for c in purge if c.tool == "query_delete"}) == 55
    gateway = labelled(base, "benign:e2b_gateway_outage")
    assert gateway[0].user == "svc-e2b"
    assert sum(c.error_type == "service_unavailable" for c in gateway) >= 20
    prep = labelled(base, "benign:tmf_inspection_prep")
    assert len({c.args["doc"] for c in prep if c.tool == "doc_delete"}) == 24


@pytest.mark.parametrize("seed", [1, 2])
def test_the_attacks_take_this_worlds_victims_and_tools(
    base: Simulation, traffic: Traffic, gen: str, seed: int
) -> None:
    sims = traffic.attacked(gen, seed)
    hist = histories(base)
    for level, sim in sims.items():
        inc = {i.scenario: i for i in sim.incidents}
        calls = {f: [c for c in sim.calls if c.label == i.id] for f, i in inc.items()}
        own = {c.session_id for c in base.calls}
        assert all(c.session_id not in own for cs in calls.values() for c in cs)
        wiped = [c for c in calls["destructive"] if c.method == "tools/call"]
        assert server_of(str(wiped[0].tool)) in hist[inc["destructive"].user].servers
        per_min = Counter(c.ts // 60_000_000 for c in wiped)
        assert max(per_min.values()) <= 30
        stolen = [c for c in calls["off_hours"] if c.method == "tools/call"]
        assert {c.tool for c in stolen} <= set(hist[inc["off_hours"].user].tools)
        read = [c for c in calls["bulk_read"] if c.method == "tools/call"]
        assert len({c.tool for c in read}) == 1
        assert min(c.result_bytes for c in read) >= KNOBS["bulk_read"][level]["result_kb"] * 1000
        assert all(not i.user.startswith("svc-") for i in sim.incidents)
    users = {i.user for s in sims.values() for i in s.incidents}
    assert len(users) > 5


def test_bad_config_is_refused_naming_the_field() -> None:
    with pytest.raises(ValueError, match="days"):
        TrialsConfig(days=True)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="visit_rate"):
        TrialsConfig(visit_rate=9)
