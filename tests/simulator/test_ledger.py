"""The payments generator: deterministic, recordable, labelled as it promises."""

from __future__ import annotations

from collections import Counter

import pytest

from tooltrail.simulator import SimCall, Simulation
from tooltrail.simulator._history import histories
from tooltrail.simulator.ledger import (
    ANNOTATIONS,
    SERVERS,
    URI_SCHEMES,
    LedgerConfig,
    generate,
    inject,
    server_of,
)

from . import _interface as shared
from ._generators import Traffic
from ._interface import DAY_US, HOUR_US, labelled


def test_same_seed_same_traffic_other_seed_other_traffic(base: Simulation) -> None:
    shared.assert_deterministic(
        generate, LedgerConfig(seed=1), LedgerConfig(seed=2), first=base, inject=inject
    )
    assert 30_000 <= len(base.calls) <= 80_000


def test_every_call_is_what_an_emitter_records(base: Simulation) -> None:
    causes = ("timeout", "conflict", "validation_error", "forbidden", "service_unavailable")
    shared.assert_recordable_traffic(base, server_of, URI_SCHEMES, errors=causes, servers=SERVERS)
    assert all(c.outcome == "denied" for c in base.calls if c.error_type == "forbidden")
    exports = [c.result_bytes for c in base.calls if c.tool == "ledger_export"]
    assert min(exports) > 100 * max(c.result_bytes for c in base.calls if c.tool == "txn_get")


def test_the_unannotated_tools_are_those_of_two_servers(base: Simulation) -> None:
    absent = {c.tool for c in base.calls if c.tool} - set(ANNOTATIONS)
    assert {server_of(t) for t in absent} == {"bankfiles", "observability"}


def test_traffic_follows_the_money_and_the_shifts(base: Simulation) -> None:
    start, cut = base.config.start_us, base.config.attack_start_us
    hist = [c for c in base.calls if c.ts < cut]

    def day(c: SimCall) -> int:
        return (c.ts - start) // DAY_US

    alerts = Counter(day(c) for c in hist if c.tool == "fraud_get_alert")
    assert alerts[10] > 1.5 * alerts[3]  # Black Friday's payments raise more alerts
    # settlement runs every evening of every region, bank files only on business days
    assert set(Counter(day(c) for c in hist if c.tool == "settle_create_batch").values()) == {3}
    uploads = Counter(day(c) for c in hist if c.tool == "bankfile_upload")
    assert set(uploads) == {0, 1, 2, 3, 6, 7, 8, 9, 10}  # day 0 is a Tuesday
    # follow-the-sun: night-time (London) alerts are worked in Bengaluru
    by_user = {u.name: u.tz_hours for u in base.users}
    night = [c for c in hist if c.tool == "fraud_get_alert" and c.ts % DAY_US < 5 * HOUR_US]
    assert night
    assert {by_user[c.user] for c in night} == {5.5}
    # every recon exception follows a bank file that morning
    first_recon = min(c.ts for c in hist if c.tool == "recon_get_exception")
    assert first_recon > min(c.ts for c in hist if c.tool == "recon_run")
    # a KYC reviewer reads the case's documents before deciding
    reads = [c for c in hist if c.method == "resources/read" and c.server == "kyc"]
    assert reads
    assert {c.user for c in reads} <= {u.name for u in base.users if u.tz_hours in (1.0, 8.0)}
    # the engineers' CLI updated mid-history
    assert {c.client_version for c in hist if c.client == "claude-code"} == {"2.0.31", "2.0.40"}
    assert len({u.tz_hours for u in base.users if u.role != "service"}) == 6


def test_the_hard_negatives_look_as_described(
    base: Simulation,
) -> None:
    cut = base.config.attack_start_us
    hist = [c for c in base.calls if c.ts < cut]
    seen = {c.user for c in hist}
    close = labelled(base, "benign:month_end_close")
    assert max(c.ts % DAY_US for c in close) > 22 * HOUR_US  # London finance up late
    assert max(c.result_bytes for c in close) >= 1_000_000
    freeze = labelled(base, "benign:fraud_ring_freeze")
    assert Counter(c.tool for c in freeze)["account_freeze"] >= 60
    assert (max(c.ts for c in freeze) - min(c.ts for c in freeze)) < HOUR_US
    outage = labelled(base, "benign:bank_outage_replay")
    failed = [c for c in outage if c.error_type == "service_unavailable"]
    replayed = [c for c in outage if c.outcome == "ok"]
    assert len(failed) >= 30
    assert [c.args["file"] for c in replayed] == [c.args["file"] for c in failed]
    assert min(c.ts for c in replayed) > max(c.ts for c in failed)
    audit = labelled(base, "benign:regulator_export")
    assert Counter(c.tool for c in audit)["kyc_get_case"] >= 100
    assert {c.user for c in audit} <= seen
    hire = labelled(base, "benign:new_hire")
    assert hire[0].user not in seen
    assert any(c.outcome == "denied" for c in hire)
    assert {c.method for c in hire} >= {"tools/list", "tools/call"}
    night = labelled(base, "benign:oncall_night")
    assert night[0].user in seen
    assert all(c.ts % DAY_US < 5 * HOUR_US for c in night)
    reprocess = labelled(base, "benign:cardnet_reprocess")
    assert len(reprocess) >= 300
    assert {c.user for c in reprocess} == {"svc-cardnet"}
    deadline = labelled(base, "benign:dispute_deadline")
    assert Counter(c.tool for c in deadline)["dispute_submit"] >= 30


@pytest.mark.parametrize("seed", [1, 2])
def test_the_attacks_take_this_worlds_victims_and_tools(
    base: Simulation, traffic: Traffic, gen: str, seed: int
) -> None:
    sims = list(traffic.attacked(gen, seed).values())
    hist = histories(base)
    for sim in sims:
        inc = {i.scenario: i for i in sim.incidents}
        assert inc["destructive"].user in {
            u for u, h in hist.items() if "ledger_get_entry" in h.tools
        }
        assert "txn_search" in hist[inc["bulk_read"].user].tools
        hijack = [c for c in sim.calls if c.label == inc["novelty_burst"].id]
        assert hijack[0].method == "resources/read"  # the dispute text comes first
        assert str(hijack[0].resource_uri).startswith("disputes://")
        assert all(c.method == "tools/call" for c in hijack[1:])
    assert (
        len(
            {i.user for s in sims for i in s.incidents}
            | {i.start for s in sims for i in s.incidents}
        )
        > 5
    )
