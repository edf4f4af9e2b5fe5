"""The city generator: deterministic, recordable, its rhythms, hard negatives and attacks."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from tooltrail.simulator import SimCall, Simulation
from tooltrail.simulator import inject as library
from tooltrail.simulator.civic import (
    ANNOTATIONS,
    FAMILIES,
    HARD_NEGATIVES,
    INTENSITIES,
    KNOBS,
    SERVERS,
    URI_SCHEMES,
    CivicConfig,
    generate,
    inject,
    server_of,
)
from tooltrail.simulator.civic.history import args_size, histories
from tooltrail.simulator.civic.people import roster

from . import _interface as shared
from ._generators import Traffic
from ._interface import DAY_US, HOUR_US, MINUTE_US, labelled

CENTRAL_US = 6 * HOUR_US  # Central time is UTC−6 all span long


def _local_hour(c: SimCall) -> int:
    return int((c.ts - CENTRAL_US) % DAY_US // HOUR_US)


def test_same_seed_same_city_other_seed_other_city(base: Simulation) -> None:
    shared.assert_deterministic(
        generate, CivicConfig(seed=1), CivicConfig(seed=2), first=base, inject=inject
    )
    assert 80_000 <= len(base.calls) <= 160_000


@pytest.mark.parametrize(
    ("kw", "word"),
    [
        ({"days": 7}, "days"),
        ({"start": datetime(2027, 1, 20)}, "UTC"),
        ({"start": datetime(2027, 1, 20, 6, tzinfo=UTC)}, "midnight"),
        ({"attack_days": 2}, "attack_days"),
    ],
)
def test_bad_configs_are_refused_naming_the_field(kw: dict[str, object], word: str) -> None:
    with pytest.raises(ValueError, match=word):
        CivicConfig(seed=1, **kw)  # type: ignore[arg-type]


def test_every_call_is_recordable_and_the_styles_follow_the_servers(base: Simulation) -> None:
    causes = ("timeout", "conflict", "validation_error", "forbidden", "service_unavailable")
    shared.assert_recordable_traffic(base, server_of, URI_SCHEMES, errors=causes, servers=SERVERS)
    assert all(c.outcome == "denied" for c in base.calls if c.error_type == "forbidden")
    styles = shared.assert_annotation_styles(base, ANNOTATIONS)
    assert {server_of(t) for t in styles["absent"]} == {"foia", "billing", "sensors"}
    assert {server_of(t) for t in styles["readonly_only"]} == {"crm311", "gis", "courts"}
    # the vendor outage in history made billing calls fail, and the assistants retried them
    failed = [c for c in base.calls if c.error_type == "service_unavailable"]
    assert {c.server for c in failed} == {"billing"}


def test_the_city_keeps_its_rhythms(base: Simulation) -> None:
    cut, start = base.config.attack_start_us, base.config.start_us
    hist = [c for c in base.calls if c.ts < cut]
    dept = {p.name: p.dept for p in roster(1)}
    # the 311 desk is staffed around the clock, every day
    calltaker = [c for c in hist if dept.get(c.user) == "calltaker"]
    assert {(c.ts - start) // (4 * HOUR_US) for c in calltaker} == set(range(13 * 6))
    # inspectors work weekdays only, in the field (tablets), and their app updated mid-span
    insp = [c for c in hist if dept.get(c.user) == "inspector"]
    weekdays = {datetime.fromtimestamp((c.ts - CENTRAL_US) / 1e6, UTC).weekday() for c in insp}
    assert weekdays <= {0, 1, 2, 3, 4}
    assert {c.client for c in insp} == {"field-tablet"}
    assert {c.client_version for c in insp} == {"3.4.1", "3.5.0"}
    # the storm weekend keeps the crews out day and night; an ordinary weekend does not
    works = Counter((c.ts - start - CENTRAL_US) // DAY_US for c in hist
                    if dept.get(c.user) == "crew_lead")  # fmt: skip
    assert works[3] > 300
    assert works[4] > 300
    assert works[10] < 60
    assert works[11] < 60
    # the billing vendor's engineers in Pune work while the city sleeps
    vendor = [c for c in hist if dept.get(c.user) == "billing_vendor"]
    assert vendor
    assert all(_local_hour(c) >= 22 or _local_hour(c) < 9 for c in vendor)
    # the retention job purges a handful every night, the payment job runs four times a day
    purges = Counter((c.ts - start) // DAY_US for c in hist if c.tool == "doc_purge")
    assert set(purges) == set(range(13))
    assert max(purges.values()) <= 12
    runs = {c.trace_id for c in hist if c.tool == "payment_import"}
    assert 4 * 12 <= len(runs) <= 4 * 14
    # 311 demand follows the day: more at 10:00 than at 03:00 (local)
    by_hour = Counter(_local_hour(c) for c in hist if c.user == "svc-311intake")
    assert by_hour[10] > 3 * by_hour[3]


def test_hard_negatives_are_labelled_on_the_scored_day(base: Simulation) -> None:
    shared.assert_hard_negatives_labelled(base, HARD_NEGATIVES, at_least=10)
    assert len(HARD_NEGATIVES) >= 10


def test_the_hard_negatives_look_as_described(base: Simulation) -> None:
    cut = base.config.attack_start_us
    seen = {c.user for c in base.calls if c.ts < cut}
    foia = labelled(base, "benign:foia_release")
    exports = [c for c in foia if c.tool == "doc_export"]
    assert len(exports) == 260
    assert min(c.result_bytes for c in exports) >= 1_000_000
    assert max(c.ts for c in foia) - min(c.ts for c in foia) > 4 * HOUR_US  # paced, all day
    purge = labelled(base, "benign:retention_disposition")
    assert Counter(c.tool for c in purge)["doc_purge"] == 420
    assert {c.user for c in purge} == {"svc-retention"}
    assert ANNOTATIONS["doc_purge"]["destructiveHint"] is True
    for newcomer in ("benign:new_hire", "benign:auditor_onboarding"):
        calls = labelled(base, newcomer)
        assert calls[0].user not in seen
        assert calls[0].method == "tools/list"
        assert any(c.outcome == "denied" for c in calls)
    night = labelled(base, "benign:watermain_callout")
    assert night[0].user in seen
    assert all(3 <= _local_hour(c) < 7 for c in night)
    council = labelled(base, "benign:council_night")
    assert all(18 <= _local_hour(c) < 23 for c in council)
    assert "minutes_publish" in {c.tool for c in council}
    outage = labelled(base, "benign:payimport_outage")
    assert Counter(c.error_type for c in outage)["service_unavailable"] >= 12
    assert outage[-1].outcome == "ok"
    polygons = labelled(base, "benign:redistricting_queries")
    assert min(args_size(c.args) for c in polygons if c.tool) > 5_000
    assert any(c.error_type == "timeout" for c in polygons)
    role = labelled(base, "benign:contractor_new_role")
    before = {c.server for c in base.calls if c.user == role[0].user and c.ts < cut}
    assert "permits" not in before
    assert "permits" in {c.server for c in role}


def test_each_family_is_injected_at_mid_with_its_label(attacked: dict[str, Simulation]) -> None:
    sim = attacked["mid"]
    assert [i.scenario for i in sim.incidents] == list(FAMILIES)
    for inc in sim.incidents:
        calls = labelled(sim, inc.scenario)
        assert inc.id == f"{inc.scenario}#0"
        assert len(calls) == inc.calls
        assert {c.user for c in calls} == {inc.user}
        assert sum(c.method == "tools/call" for c in calls) == KNOBS[inc.scenario]["mid"]["calls"]
    by = {i.scenario: labelled(sim, i.scenario) for i in sim.incidents}
    # the hijacked assistant is refused now and then: the person's role does not reach it all
    assert any(c.outcome == "denied" for c in by["novelty_burst"])
    # the probe carries payloads; the harvest is paced over hours, never a spike
    assert any("UNION SELECT" in str(c.args) or "uid=*" in str(c.args) for c in by["error_storm"])
    harvest = [c for c in by["bulk_read"] if c.method == "tools/call"]
    assert harvest[-1].ts - harvest[0].ts > 2 * HOUR_US
    per_10 = Counter(c.ts // (10 * MINUTE_US) for c in harvest)
    assert max(per_10.values()) <= len(harvest) / 6


def test_knobs_grow_and_the_attacks_with_them(attacked: dict[str, Simulation]) -> None:
    for fam in FAMILIES:
        levels = [KNOBS[fam][i] for i in INTENSITIES]
        for knob in levels[0]:
            values = [lv[knob] for lv in levels]
            if knob == "minutes":
                assert values == sorted(values, reverse=True)
                assert len(set(values)) == 3
            else:
                assert values == sorted(values), (fam, knob)
                assert len(set(values)) == 3, (fam, knob)
    sizes = {i: {x.scenario: x.calls for x in attacked[i].incidents} for i in INTENSITIES}
    assert all(sizes["low"][f] < sizes["mid"][f] < sizes["high"][f] for f in FAMILIES)


def test_victims_vary_with_the_seed_and_reach_beyond_one_desk(
    base: Simulation, traffic: Traffic, gen: str
) -> None:
    dept = {p.name: p.dept for p in roster(1)}
    victims = [
        i.user for seed in (1, 2) for sim in traffic.attacked(gen, seed).values()
        for i in sim.incidents
    ]  # fmt: skip
    assert len(set(victims)) >= 12
    assert len({dept.get(v, v) for v in victims}) >= 5
    hist = histories(base)
    more = inject(base, ("off_hours",), "high", seed=5, per_family=6)
    for inc in more.incidents:
        hours = {c.ts % DAY_US // HOUR_US for c in labelled_id(more, inc.id)}
        assert all(
            min((x - y) % 24, (y - x) % 24) >= 5 for x in hours for y in hist[inc.user].hours
        )


def test_the_library_and_too_many_incidents(base: Simulation) -> None:
    assert (FAMILIES, INTENSITIES) == (library.FAMILIES, library.INTENSITIES)  # one check of both
    shared.assert_library_injects(base, ANNOTATIONS)
    shared.assert_bad_inject_arguments_refused(base, inject)


def labelled_id(sim: Simulation, label: str) -> list[SimCall]:
    return [c for c in sim.calls if c.label == label]
