"""The logistics generator: deterministic, recordable, labelled as it promises."""

from __future__ import annotations

from collections import Counter

import pytest

from tooltrail.simulator import SimCall, Simulation
from tooltrail.simulator.depots import (
    SERVERS,
    URI_SCHEMES,
    DepotsConfig,
    generate,
    inject,
    server_of,
)

from . import _interface as shared
from ._generators import Traffic
from ._interface import DAY_US, HOUR_US, labelled


def _local_hour(sim: Simulation, c: SimCall) -> float:
    tz = next(u.tz_hours for u in sim.users if u.name == c.user)
    return (c.ts % DAY_US / HOUR_US + tz) % 24


def test_same_seed_same_traffic_other_seed_other_traffic(base: Simulation) -> None:
    small = DepotsConfig(seed=1, users=40, days=8)
    shared.assert_deterministic(
        generate, small, DepotsConfig(seed=2, users=40, days=8), inject=inject
    )
    assert 40_000 <= len(base.calls) <= 120_000


def test_every_call_is_what_an_emitter_records(base: Simulation) -> None:
    causes = ("timeout", "conflict", "validation_error", "forbidden", "customs_rejected")
    shared.assert_recordable_traffic(base, server_of, URI_SCHEMES, errors=causes, servers=SERVERS)
    assert 40 <= len({c.tool for c in base.calls if c.tool}) <= 100
    sql = [c for c in base.calls if c.tool == "sql_run_statement" and not c.label]
    assert all(str(c.args["sql"]).startswith("SELECT") for c in sql)


def test_traffic_follows_the_parcels_and_the_shifts(base: Simulation) -> None:
    start, cut = base.config.start_us, base.config.attack_start_us
    hist = [c for c in base.calls if c.ts < cut]
    day = Counter((c.ts - start) // DAY_US for c in hist if not c.user.startswith("svc-"))
    sundays, weekdays = [5, 12], [0, 1, 2, 3, 6, 7, 8, 9]  # day 0 is a Tuesday
    assert max(day[d] for d in sundays) < 0.3 * min(day[d] for d in weekdays)
    assert day[5] > 0  # the Sunday night sort for Monday
    delivered = Counter((c.ts - start) // DAY_US for c in hist if c.tool == "tms_proof_of_delivery")
    orders = Counter((c.ts - start) // DAY_US for c in hist if c.user == "svc-webshop")
    assert orders[10] > 1.3 * orders[3]  # Black Friday
    assert delivered[7] > delivered[0]  # the peak-season ramp
    assert delivered[5] == delivered[12] == 0  # no deliveries on Sundays
    sorting = [c for c in hist if c.tool == "wms_sort_scan"]
    assert all(_local_hour(base, c) >= 21.5 or _local_hour(base, c) < 7 for c in sorting)
    polls = Counter((c.ts - start) // DAY_US for c in hist if c.tool == "fleet_poll_positions")
    assert set(polls.values()) == {144}
    temps = [u for u in base.users if u.first_day > 0]
    assert temps
    for u in temps:
        first = min(((c.ts - start) // DAY_US for c in hist if c.user == u.name), default=99)
        assert first >= u.first_day
    versions = {c.client_version for c in hist if c.client == "scanhub-android"}
    assert versions == {"4.12.0", "4.13.1"}  # the handheld app updated mid-history
    assert len({u.tz_hours for u in base.users if u.role != "service"}) >= 6
    imports = [c for c in hist if c.tool == "tms_import_manifest" and c.user == "svc-webshop"]
    hours = Counter(c.ts % DAY_US // HOUR_US for c in imports)
    assert hours[10] > 3 * hours[3]  # a morning wave
    assert hours[19] > 3 * hours[3]  # and an evening wave
    retries = Counter(c.args.get("parcel") for c in hist if c.tool == "tms_proof_of_delivery")
    assert max(retries.values()) >= 2  # handhelds retry after a timeout


def test_the_hard_negatives_look_as_described(
    base: Simulation,
) -> None:
    cut = base.config.attack_start_us
    hist = [c for c in base.calls if c.ts < cut]
    seen = {c.user for c in hist}
    surge = labelled(base, "benign:peak_surge")
    assert len({c.user for c in surge} - seen) >= 8
    feed = [c for c in surge if c.user == "svc-edi-northwind"]
    usual = [c for c in hist if c.user == "svc-edi-northwind" and c.tool == "tms_import_manifest"]
    assert len(feed) >= 6
    assert min(c.args["parcels"] for c in feed) > max(c.args["parcels"] for c in usual)
    backlog = [c for c in surge if c.tool == "tms_proof_of_delivery" and c.user in seen]
    assert len(backlog) >= 300  # the Black-Friday weekend's parcels go out on Cyber Monday
    outage = labelled(base, "benign:outage_catchup")
    failed = [c for c in outage if c.error_type == "service_unavailable"]
    replayed = [c for c in outage if c.tool == "tms_record_scan"]
    assert len(failed) >= 30
    assert {c.args["parcel"] for c in replayed} == {c.args["parcel"] for c in failed}
    assert min(c.ts for c in replayed) > max(c.ts for c in failed)
    audit = labelled(base, "benign:customs_audit")
    assert {c.user for c in audit} <= seen
    assert Counter(c.tool for c in audit)["customs_get_declaration"] >= 200
    temp = labelled(base, "benign:temp_first_day")
    assert temp[0].user not in seen
    cover = labelled(base, "benign:dispatcher_cover")
    assert cover[0].user in seen
    worked = {c.ts % DAY_US // HOUR_US for c in hist if c.user == cover[0].user}
    assert {c.ts % DAY_US // HOUR_US for c in cover} - worked
    routes = {str(c.args.get("route"))[2:6] for c in cover if c.tool == "route_get"}
    before = {str(c.args.get("route"))[2:6] for c in hist if c.user == cover[0].user}
    assert routes
    assert not routes & before
    purge = labelled(base, "benign:retention_purge")
    weekly = max(Counter(c.ts // DAY_US for c in hist if c.tool == "docs_delete").values())
    assert sum(c.tool == "docs_delete" for c in purge) >= 10 * weekly
    assert {c.user for c in purge} == {"svc-retention"}
    new = labelled(base, "benign:partner_onboarding")
    assert new[0].user not in seen
    assert {c.server for c in new if c.method == "tools/list"} == set(SERVERS)
    assert any(c.outcome == "denied" for c in new)
    rot = labelled(base, "benign:key_rotation")
    assert Counter(c.tool for c in rot)["idp_rotate_api_key"] >= 7
    assert not {"idp_rotate_api_key", "idp_create_client"} & {c.tool for c in hist}
    bill = labelled(base, "benign:month_end_billing")
    assert max(c.result_bytes for c in bill) >= 1_000_000


@pytest.mark.parametrize("seed", [1, 2])
def test_the_attacks_take_this_worlds_victims_and_tools(
    base: Simulation, traffic: Traffic, gen: str, seed: int
) -> None:
    sims = list(traffic.attacked(gen, seed).values())
    victims = {i.user for sim in sims for i in sim.incidents}
    assert any(v.startswith("svc-") for v in victims)  # service identities and people
    assert any(not v.startswith("svc-") for v in victims)
