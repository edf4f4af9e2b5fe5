"""The insurer generator: deterministic, recordable, caused by claims and storms, labelled as
it promises, attacked on victims from its own traffic with knobs that grow."""

from __future__ import annotations

import bisect
from collections import Counter

import pytest

from tooltrail.simulator import SimCall, Simulation
from tooltrail.simulator._history import args_size, histories
from tooltrail.simulator.claims import (
    ANNOTATIONS,
    FAMILIES,
    HARD_NEGATIVES,
    INTENSITIES,
    KNOBS,
    SERVERS,
    URI_SCHEMES,
    ClaimsConfig,
    generate,
    inject,
    server_of,
)

from . import _interface as shared
from ._generators import Traffic
from ._interface import DAY_US, HOUR_US, MINUTE_US, labelled

CENTRAL = 5 * HOUR_US  # Central daylight time is UTC−5 in September


def _day(sim: Simulation, c: SimCall) -> int:
    """The Central-time day index of a call (day 0: Thursday 17 September)."""
    return (c.ts - sim.config.start_us - CENTRAL) // DAY_US


def test_same_seed_same_traffic_other_seed_other_traffic(base: Simulation) -> None:
    shared.assert_deterministic(
        generate, ClaimsConfig(seed=1), ClaimsConfig(seed=2), first=base, inject=inject
    )
    assert 50_000 <= len(base.calls) <= 130_000
    assert len({c.user for c in base.calls}) >= 75


def test_every_call_is_what_an_emitter_records(base: Simulation) -> None:
    causes = ("timeout", "conflict", "validation_error", "not_found", "forbidden",
              "service_unavailable")  # fmt: skip
    shared.assert_recordable_traffic(base, server_of, URI_SCHEMES, errors=causes, servers=SERVERS)
    assert all(c.outcome == "denied" for c in base.calls if c.error_type == "forbidden")
    tools = {c.tool for c in base.calls if c.tool}
    assert 70 <= len(tools) <= 100
    extract = [
        c.result_bytes for c in base.calls if c.tool == "wh_reserve_extract" and c.outcome == "ok"
    ]
    assert min(extract) > 10 * max(c.result_bytes for c in base.calls if c.tool == "claim_get")


def test_annotations_come_in_three_styles_by_server(base: Simulation) -> None:
    styles = shared.assert_annotation_styles(base, ANNOTATIONS)
    assert {server_of(t) for t in styles["absent"]} == {"fraud", "geo"}
    assert {server_of(t) for t in styles["readonly_only"]} == {"docs", "crm", "mail", "vendors"}
    assert {t for t in styles["full"] if ANNOTATIONS[t]["destructiveHint"]} >= {
        "policy_cancel", "claim_delete_draft", "payment_void", "credential_rotate",
    }  # fmt: skip


def test_claims_cause_the_work_that_follows(base: Simulation) -> None:
    hist = [c for c in base.calls if c.ts < base.config.attack_start_us]
    creates = sorted(c.ts for c in hist if c.tool == "claim_create" and c.user != "svc-fraudscore")
    job = [c for c in base.calls if c.user == "svc-fraudscore" and c.tool]
    assert len(creates) > 300
    assert {c.tool for c in job} == {"fraud_score"}
    # every new claim is scored by the rules job within minutes (the system names the claim)
    times = sorted(c.ts for c in job)
    later = [times[bisect.bisect_right(times, ts)] for ts in creates]
    assert all(0 < t - ts < 10 * MINUTE_US for t, ts in zip(later, creates, strict=True))
    scored = {c.args["claim_id"]: c.ts for c in job}
    # assigned after it is scored, then paid at least a day later (claims filed before the
    # span are worked too)
    assigned = [c for c in hist if c.tool == "claim_assign" and c.args["claim_id"] in scored]
    assert assigned
    assert all(c.ts > scored[c.args["claim_id"]] for c in assigned)
    paid = [c for c in hist if c.tool == "payment_create" and c.args["claim_id"] in scored]
    assert paid
    assert all(c.ts - scored[c.args["claim_id"]] > 20 * HOUR_US for c in paid)
    # a payment above the adjuster's authority is approved by finance after it is created
    # (the system numbers payments: the amount links the two)
    created = {c.args["amount"]: c for c in hist if c.tool == "payment_create"}
    role = {u.name: u.role for u in base.users}
    approved = [c for c in hist if c.tool == "payment_approve" and c.args["amount"] in created]
    assert len(approved) > 30
    assert {role[c.user] for c in approved} == {"finance"}
    assert all(c.args["amount"] > 7500 for c in approved)
    assert all(c.ts > created[c.args["amount"]].ts for c in approved)
    # in a storm the field adjuster reads the storm report before the swath or flood zone
    reports = [c for c in hist if c.method == "resources/read" and c.server == "geo"]
    assert reports
    assert {role[c.user] for c in reports} == {"field_adjuster"}
    # each field photo is ingested and read by the OCR pipeline minutes later
    uploads = sum(1 for c in base.calls if c.tool == "doc_upload" and c.outcome == "ok")
    ingests = Counter(c.tool for c in base.calls if c.user == "svc-ocr")
    assert ingests["doc_extract_text"] >= 0.8 * uploads


def test_rhythms_follow_the_roles_shifts_and_storms(base: Simulation) -> None:
    cut = base.config.attack_start_us
    hist = [c for c in base.calls if c.ts < cut]
    role = {u.name: u.role for u in base.users}
    weekend = {2, 3, 9, 10}  # Saturdays and Sundays (day 0 is a Thursday)
    on_weekend = {role[c.user] for c in hist if _day(base, c) in weekend}
    assert {"intake", "field_adjuster"} <= on_weekend
    assert not on_weekend & {"desk_adjuster", "underwriter", "actuary", "finance", "it"}
    # the field adjusters' afternoons are on the phone app, their mornings on the laptop
    tz = {u.name: u.tz_hours for u in base.users}
    weekdays = {0, 1, 4, 5, 6}  # day % 7 (day 0 is a Thursday)
    field = [
        c for c in hist if role.get(c.user) == "field_adjuster" and _day(base, c) % 7 in weekdays
    ]
    local = {id(c): (c.ts % DAY_US / HOUR_US + tz[c.user]) % 24 for c in field}
    app = [c for c in field if c.client == "plainsward-field"]
    laptop = [c for c in field if c.client != "plainsward-field"]
    assert app
    assert laptop
    assert min(local[id(c)] for c in app) >= 12.0
    assert max(local[id(c)] for c in laptop) < 12.0
    # the evening intake shift takes calls until 23:00 Central (04:00 UTC)
    late = {
        c.user for c in hist if role.get(c.user) == "intake" and 2 <= c.ts % DAY_US // HOUR_US < 4
    }
    assert len(late) >= 4
    # the flood (day 5) and the hail (from the scored day's eve) raise the FNOL count
    fnol = Counter(_day(base, c) for c in base.calls if c.tool == "claim_create")
    assert fnol[5] + fnol[6] > 1.3 * (fnol[0] + fnol[1])
    assert sum(1 for c in base.calls if c.tool == "claim_create" and c.ts >= cut) > 2 * fnol[1]
    # the policy sync runs every night; the desktop client updates on day 6
    assert len({_day(base, c) for c in hist if c.tool == "policy_export_changes"}) == 13
    versions = {c.client_version for c in hist if c.client == "claude-desktop"}
    assert versions == {"0.13.4", "0.13.9"}


def _hist(sim: Simulation, user: str) -> tuple[set[int], set[str], set[str]]:
    h = histories(sim).get(user)
    return (h.hours, h.servers, set(h.tools)) if h else (set(), set(), set())


@pytest.mark.parametrize("seed", [1, 2])
def test_the_hard_negatives_are_on_the_scored_day_as_described(base: Simulation, seed: int) -> None:
    sim = base if seed == 1 else generate(ClaimsConfig(seed=seed))
    shared.assert_hard_negatives_labelled(sim, HARD_NEGATIVES, at_least=10)
    assert Counter(b.scenario for b in sim.benign_bursts)["benign:cat_surge"] == 4
    seen = {c.user for c in sim.calls if c.ts < sim.config.attack_start_us}
    for b in sim.benign_bursts:
        if b.scenario == "benign:cat_surge":
            hours, _, tools = _hist(sim, b.user)
            calls = [c for c in sim.calls if c.label == b.id]
            assert not {c.ts % DAY_US // HOUR_US for c in calls} & hours  # never that late
            assert {c.tool for c in calls if c.tool} <= tools  # their own tools
    overflow = labelled(sim, "benign:cat_intake_overflow")
    _, servers, _ = _hist(sim, overflow[0].user)
    assert {"crm", "claims"} <= {c.server for c in overflow} - servers
    assert Counter(c.tool for c in overflow)["claim_create"] >= 20
    sweep = labelled(sim, "benign:cat_field_sweep")
    assert Counter(c.tool for c in sweep)["doc_upload"] >= 140
    reserving = labelled(sim, "benign:quarter_end_reserving")
    assert sum(c.result_bytes > 1_000_000 for c in reserving) >= 15
    assert sum(c.result_bytes for c in reserving) > 50_000_000
    ring = labelled(sim, "benign:siu_ring_pull")
    assert len({c.args["claim_id"] for c in ring if c.tool == "claim_get"}) == 45
    exam = labelled(sim, "benign:market_conduct_export")
    assert Counter(c.tool for c in exam)["claim_get"] >= 180
    renewals = Counter(c.tool for c in labelled(sim, "benign:renewal_run") if c.outcome == "ok")
    assert renewals["policy_renew"] >= 250
    assert 18 <= renewals["policy_cancel"] <= 22
    purge = labelled(sim, "benign:duplicate_fnol_purge")
    assert Counter(c.tool for c in purge)["claim_delete_draft"] >= 55
    rotation = labelled(sim, "benign:credential_rotation")
    assert Counter(c.tool for c in rotation)["credential_rotate"] >= 45
    change = labelled(sim, "benign:role_change")
    _, servers, tools = _hist(sim, change[0].user)
    assert "warehouse" not in servers
    assert {"claim_assign", "payment_approve"} <= {c.tool for c in change} - tools
    hire = labelled(sim, "benign:new_adjuster")
    assert hire[0].user not in seen
    assert hire[0].method == "tools/list"
    assert any(c.outcome == "denied" for c in hire)
    swap = labelled(sim, "benign:shift_swap")
    hours, _, _ = _hist(sim, swap[0].user)
    assert len({c.ts % DAY_US // HOUR_US for c in swap} - hours) >= 5
    cover = labelled(sim, "benign:region_cover")
    assert next(u.tz_hours for u in sim.users if u.name == cover[0].user) == -6.0
    rerun = labelled(sim, "benign:batch_rerun")
    first_ok = min(c.ts for c in rerun if c.outcome == "ok" and c.tool)
    night = [c for c in rerun if c.error_type == "service_unavailable" and c.ts < first_ok]
    assert len(night) >= 36
    assert first_ok - max(c.ts for c in night) > 6 * HOUR_US  # rerun the next morning
    ocr = labelled(sim, "benign:ocr_backlog_errors")
    assert sum(c.outcome == "error" for c in ocr) >= 25
    assert min(args_size(c.args) for c in ocr if c.tool) > 1000


def test_the_attacks_take_victims_from_the_traffic(base: Simulation, traffic: Traffic) -> None:
    hist = histories(base)
    negative = {c.user for c in base.calls if c.label}
    for seed in (1, 2):
        for sim in traffic.attacked("claims", seed).values():
            inc = {i.scenario: i for i in sim.incidents}
            assert set(inc) == set(FAMILIES)
            for i in sim.incidents:
                assert not i.user.startswith("svc-")
                assert i.user not in negative
                assert i.agent == hist[i.user].agents.most_common(1)[0][0]
            destroy = [c for c in sim.calls if c.label == inc["destructive"].id and c.tool]
            assert server_of(str(destroy[0].tool)) in hist[inc["destructive"].user].servers
            probe = [c for c in sim.calls if c.label == inc["error_storm"].id and c.tool]
            assert any(p in str(c.args) for c in probe for p in ("UNION", "{{", "../", "jndi"))


def _span(sim: Simulation, family: str) -> float:
    i = next(i for i in sim.incidents if i.scenario == family)
    return (i.end - i.start) / MINUTE_US


def test_the_intensities_grow_louder_and_faster(base: Simulation, traffic: Traffic) -> None:
    for knobs in KNOBS.values():
        assert [knobs[i]["calls"] for i in INTENSITIES] == sorted(
            {knobs[i]["calls"] for i in INTENSITIES}
        )
    sims = traffic.attacked("claims")
    for family in FAMILIES:
        counts = [next(i.calls for i in sims[x].incidents if i.scenario == family)
                  for x in INTENSITIES]  # fmt: skip
        assert counts[0] < counts[1] < counts[2], family
        rate = [counts[k] / max(_span(sims[x], family), 1.0) for k, x in enumerate(INTENSITIES)]
        assert rate[0] < rate[1] < rate[2], family
    reads = [
        min(c.result_bytes for c in sims[x].calls if c.label == "bulk_read#0" and c.tool)
        for x in INTENSITIES
    ]
    assert reads[0] < reads[1] < reads[2]
    probes = [
        min(args_size(c.args) for c in sims[x].calls if c.label == "error_storm#0" and c.tool)
        for x in INTENSITIES
    ]
    assert probes[0] < probes[1] < probes[2]


def test_inject_refuses_what_it_cannot_do(base: Simulation) -> None:
    with pytest.raises(ValueError, match="per_family"):
        inject(base, ("off_hours",), per_family=70)
    with pytest.raises(ValueError, match="days"):
        ClaimsConfig(days=7)
