"""The multi-tenant platform generator: deterministic, recordable, labelled as it promises."""

from __future__ import annotations

from collections import Counter

import pytest

from tooltrail.simulator import Simulation
from tooltrail.simulator._history import histories
from tooltrail.simulator.tenants import (
    FAMILIES,
    INTENSITIES,
    KNOBS,
    URI_SCHEMES,
    TenantsConfig,
    generate,
    inject,
    server_of,
)

from . import _interface as shared
from ._interface import DAY_US, HOUR_US


def test_same_seed_same_traffic_other_seed_other_traffic(base: Simulation) -> None:
    small = TenantsConfig(seed=1, tenants=10, days=8)
    shared.assert_deterministic(
        generate, small, TenantsConfig(seed=2, tenants=10, days=8), inject=inject
    )
    assert 50_000 <= len(base.calls) <= 130_000


def test_every_call_is_what_an_emitter_records(base: Simulation) -> None:
    causes = ("rate_limited", "upstream_unavailable")
    shared.assert_recordable_traffic(base, server_of, URI_SCHEMES, errors=causes)


def test_the_hard_negatives_look_as_described(
    base: Simulation,
) -> None:
    cut = base.config.attack_start_us
    labelled = [c for c in base.calls if c.label]
    gdpr = [c for c in labelled if c.label.startswith("benign:gdpr_deletion")]
    deletes = [c for c in gdpr if c.tool and "delete" in c.tool]
    assert len(deletes) >= 40
    assert all(c.args.get("ticket", "").startswith("DSR-") for c in deletes)
    incident = [c for c in labelled if c.label.startswith("benign:platform_incident")]
    assert len({c.user for c in incident}) >= 5  # every tenant sees it
    assert sum(c.outcome == "error" for c in incident) >= len(incident) // 4
    scan = [c for c in labelled if c.label.startswith("benign:security_scan")]
    assert len({c.server for c in scan}) == 10
    assert any(c.outcome == "denied" for c in scan)
    old_users = {c.user for c in base.calls if c.ts < cut}
    backfill = [c for c in labelled if c.label.startswith("benign:onboarding_backfill")]
    assert len(backfill) >= 100
    assert not {c.user for c in backfill} & old_users
    camp = [c for c in labelled if c.label.startswith("benign:campaign_surge")]
    per_day = Counter((c.ts - base.config.start_us) // DAY_US
                      for c in base.calls if c.user == camp[0].user and c.ts < cut)  # fmt: skip
    assert len(camp) >= 3 * sorted(per_day.values())[len(per_day) // 2]
    rolled = [c for c in labelled if c.label.startswith("benign:version_rollout")]
    assert {c.client_version for c in rolled} == {"9.0.0"}
    assert any(c.method == "tools/list" for c in rolled)
    billing = [c for c in labelled if c.label.startswith("benign:month_end_billing")]
    assert Counter(c.tool for c in billing)["invoices_create"] >= 5
    night = [c for c in labelled if c.label.startswith("benign:night_operator")]
    old_clients = {c.client for c in base.calls if c.ts < cut and c.user == night[0].user}
    assert night[0].user in old_users
    assert night[0].client not in old_clients


@pytest.mark.parametrize("seed", [1, 2])
def test_each_family_and_intensity_lands_on_a_victim_with_history_in_its_shape(
    base: Simulation, attacked: dict[str, Simulation], seed: int
) -> None:
    hist = histories(base)
    cut = base.config.attack_start_us
    for intensity in INTENSITIES:
        sim = attacked[intensity] if seed == 1 else inject(base, intensity=intensity, seed=seed)
        assert [i.scenario for i in sim.incidents] == list(FAMILIES)
        assert len({i.user for i in sim.incidents}) == len(FAMILIES)
        for inc in sim.incidents:
            h, knob = hist[inc.user], KNOBS[inc.scenario][intensity]
            assert len(h.days) >= 5
            assert inc.start >= cut
            assert inc.end < base.config.end_us
            calls = [c for c in sim.calls if c.label == inc.id]
            assert len(calls) == inc.calls >= knob.get("calls", 0) * 0.99
            span_min = (inc.end - inc.start) / 60e6
            if inc.scenario == "novelty_burst":
                new = {c.server for c in calls} - {server_of(t) for t in h.tools}
                assert len(new) == knob["new_servers"]
                assert span_min <= knob["minutes"]
                assert all(c.server in new for c in calls)
            elif inc.scenario == "off_hours":
                hours = {c.ts % DAY_US // HOUR_US for c in calls}
                assert all(min((x - y) % 24, (y - x) % 24) >= knob["far_hours"] - 1
                           for x in hours for y in h.hours)  # fmt: skip
                assert {c.tool for c in calls} <= set(h.tools)
            elif inc.scenario == "destructive":
                assert len({c.tool for c in calls}) == 1
                assert span_min <= knob["minutes"]
                per_min = Counter(c.ts // 60_000_000 for c in calls)
                assert max(per_min.values()) < 60  # under the platform's rate limit
            elif inc.scenario == "error_storm":
                assert len({c.tool for c in calls}) == 1
                assert calls[0].tool in h.tools
                failed = sum(c.outcome != "ok" for c in calls)
                assert failed >= 0.3 * len(calls)
                largest = h.args_max[calls[0].tool]
                assert all(len(str(c.args)) > 2 * largest for c in calls)
            else:
                assert sum(c.result_bytes for c in calls) > knob["result_x"] * 1000 * len(calls)
