"""The tides generator (``simulator/tides``): deterministic, recordable, labelled, bursty; its own
attacks land on victims with history in the shape each family and intensity promises."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from tooltrail.simulator import Simulation, to_frame
from tooltrail.simulator.inject import FAMILIES, INTENSITIES
from tooltrail.simulator.tides import (
    ANNOTATIONS,
    KNOBS,
    SERVERS,
    TidesConfig,
    generate,
    inject,
)
from tooltrail.simulator.tides._calls import args_size
from tooltrail.simulator.tides._history import histories, slot
from tooltrail.simulator.tides.attacks import DELETES
from tooltrail.simulator.tides.catalog import server_of, tool
from tooltrail.simulator.tides.topics import TOPICS

from . import _interface as shared
from ._generators import GENERATORS
from ._recordable import assert_stored_as_framed

HOUR_US = 3_600_000_000
DAY_US = 24 * HOUR_US
KEY = b"tides-test-key"
SMALL = GENERATORS["tides"].config  # the shared traffic's config: 40 people


def test_it_is_deterministic_from_the_seed(base: Simulation) -> None:
    shared.assert_deterministic(generate, SMALL, TidesConfig(seed=4, people=40), first=base)
    assert [c.ts for c in base.calls] == sorted(c.ts for c in base.calls)
    cfg = base.config
    assert all(cfg.start_us <= c.ts < cfg.end_us for c in base.calls)
    assert cfg.end_us - cfg.attack_start_us == DAY_US  # the last day is scored


def test_every_call_is_what_a_real_emitter_records(base: Simulation) -> None:
    methods = ("initialize", "tools/list", "tools/call", "resources/read")
    shared.assert_recordable_traffic(base, server_of, ("file:///", "gdrive:///"), methods=methods)
    assert all(c.resource_uri is None for c in base.calls if c.method != "resources/read")
    frame = to_frame(base.calls[:5000], annotations=ANNOTATIONS)
    assert (frame["args_bytes"] > 0).any()
    assert (frame["resource_key"] != "").any()  # the emitter derives resources from arguments
    assert (frame.loc[frame["method"] == "tools/call", "resource_uri"] == "").all()
    assert (frame.loc[frame["method"] == "resources/read", "resource_uri"] != "").all()
    hints = set(frame["tool_hints"])
    assert "" in hints
    assert len(hints) >= 3


def test_servers_annotate_fully_partly_or_not_at_all(base: Simulation) -> None:
    full = {"readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"}
    kinds: dict[str, set[str]] = defaultdict(set)
    for s in SERVERS:
        for t in s.tools:
            given = set(ANNOTATIONS.get(t.name, {}))
            assert given == {"full": full, "readonly": {"readOnlyHint"}, "none": set()}[s.annotates]
        kinds[s.annotates].add(s.name)
    used = {c.server for c in base.calls}
    assert all(len(names & used) >= 3 for names in kinds.values())
    assert ANNOTATIONS["s3_delete_object"]["destructiveHint"] is True
    assert ANNOTATIONS["delete_file"] == {"readOnlyHint": False}  # GitHub-style: one hint
    assert "kubectl_delete" not in ANNOTATIONS  # destructive by name only
    assert all(tool(n).name == n for weights in TOPICS.values() for n in weights)


def test_activity_is_bursty_and_heavy_tailed(base: Simulation) -> None:
    people = Counter(
        c.user for c in base.calls if c.method == "tools/call" and "svc-" not in c.user
    )
    counts = sorted(people.values())
    assert counts[-1] > 5 * statistics.median(counts)  # a few power users, a long tail
    assert counts[0] < statistics.median(counts) / 3
    sessions = Counter(c.session_id for c in base.calls if c.method == "tools/call")
    sizes = sorted(sessions.values())
    assert sizes[0] == 1
    assert sizes[-1] >= 40
    results = sorted(c.result_bytes for c in base.calls if c.tool == "query")
    assert results[-1] > 20 * statistics.median(results)  # log-normal with a Pareto tail
    zones = {u.tz_hours for u in base.users if u.role != "service"}
    assert {1.0, -8.0} <= zones
    errors = Counter((c.server, c.ts // DAY_US) for c in base.calls if c.outcome == "error")
    assert max(errors.values()) > 5 * statistics.median(errors.values())  # bad upstream days


def test_the_hard_negatives_look_as_described(base: Simulation) -> None:
    assert len({b.user for b in base.benign_bursts if b.scenario == "benign:release_spike"}) > 5
    cut = base.config.attack_start_us
    users = {u.name: u for u in base.users}
    by = {b.scenario: b for b in base.benign_bursts}
    before = [c for c in base.calls if c.ts < cut]

    def calls(name: str) -> list:  # type: ignore[type-arg]
        return [c for c in base.calls if c.label == by[f"benign:{name}"].id]

    night = by["benign:oncall_night"]
    assert 3 <= (night.start / HOUR_US + users[night.user].tz_hours) % 24 < 4
    assert {"kubectl_rollout", "resolve_sentry_issue"} <= {c.tool for c in calls("oncall_night")}
    for newcomer in ("new_hire", "contractor_first_day"):
        assert not any(c.user == by[f"benign:{newcomer}"].user for c in before)
    assert by["benign:contractor_first_day"].client not in {c.client for c in before}
    mover = by["benign:role_change"]
    old = {c.server for c in before if c.user == mover.user}
    assert {c.server for c in calls("role_change")} - old
    scan = calls("security_scan")
    assert len({c.server for c in scan}) >= 8
    assert sum(c.outcome == "denied" for c in scan) > 0.15 * len(scan)
    assert (
        sum(c.tool in ("delete_branch", "jira_delete_issue") for c in calls("branch_cleanup")) >= 40
    )
    usual = Counter(c.ts // DAY_US for c in before if c.user == "svc-etl")
    assert len(calls("nightly_batch")) > 1.3 * max(usual.values())
    power = by["benign:power_user_day"]
    days = Counter(c.ts // DAY_US for c in before if c.user == power.user)
    assert power.calls > max(days.values())


def _shape(base: Simulation, sim: Simulation, intensity: str) -> None:
    past = histories(base)
    cut, end = base.config.attack_start_us, base.config.end_us
    hard = {b.user for b in base.benign_bursts}
    for inc in sim.incidents:
        calls = [c for c in sim.calls if c.label == inc.id]
        tools = [c for c in calls if c.method == "tools/call"]
        h = past[inc.user]
        n, minutes, third = KNOBS[inc.scenario][intensity]
        assert len(h.days) >= 5
        assert not inc.user.startswith("svc-")
        assert inc.user not in hard
        assert all(c.user == inc.user and cut <= c.ts < end for c in calls)
        assert (inc.start, inc.end, inc.calls) == (calls[0].ts, calls[-1].ts, len(calls))
        names = {c.tool for c in tools}
        if inc.scenario == "novelty_burst":
            assert len(tools) == n
            assert all(c.server not in h.servers for c in tools)
            assert len({c.server for c in tools}) >= min(third, 2)
            assert inc.end - inc.start <= minutes * 60_000_000
        elif inc.scenario == "off_hours":
            assert len(tools) == n
            assert all(slot(c.ts) not in h.slots for c in calls)
            assert names <= set(h.tools)
        elif inc.scenario == "destructive":
            assert len(tools) == n
            assert len(names) == 1
            assert names.pop() in {t for pool in DELETES.values() for t in pool}
        elif inc.scenario == "error_storm":
            assert len(tools) == n
            assert len(names) == 1
            name = names.pop()
            assert name in h.tools
            assert sum(c.outcome == "error" for c in tools) >= 0.4 * n
            assert min(args_size(c.args) for c in tools) > third * h.max_args[name]
        else:
            assert all(tool(c.tool).kind == "read" for c in tools if c.tool)
            per_call = statistics.median(c.result_bytes for c in tools)
            usual = statistics.median(
                c.result_bytes for c in base.calls if c.ts < cut and c.tool in names
            )
            assert per_call > 1.5 * usual


@pytest.mark.parametrize("intensity", INTENSITIES)
def test_each_family_lands_on_a_victim_with_history_in_its_shape(
    base: Simulation, intensity: str
) -> None:
    for seed in (1, 2, 3):
        sim = inject(base, FAMILIES, intensity, seed=seed)
        assert sorted(i.scenario for i in sim.incidents) == sorted(FAMILIES)
        assert len({i.user for i in sim.incidents}) == len(FAMILIES)
        assert [c for c in sim.calls if not c.label or c.label.startswith("benign:")] == base.calls
        _shape(base, sim, intensity)


def test_shapes_vary_across_seeds_and_grow_with_intensity(base: Simulation) -> None:
    past = histories(base)
    strangers, deletes, spans = set(), set(), set()
    for seed in range(1, 13):
        sim = inject(base, ["novelty_burst", "destructive", "bulk_read"], "mid", seed=seed)
        for inc in sim.incidents:
            if inc.scenario == "novelty_burst":
                strangers.add(inc.client not in past[inc.user].clients)
            elif inc.scenario == "destructive":
                name = next(c.tool for c in sim.calls if c.label == inc.id)
                deletes.add(next(k for k, pool in DELETES.items() if name in pool))
            else:
                spans.add(inc.end - inc.start > 20 * 60_000_000)
    assert strangers == {True, False}  # the victim's own seat, and a stolen token elsewhere
    assert deletes == set(DELETES)  # annotated, readOnlyHint false only, name only
    assert spans == {True, False}  # slow-and-low, and smash-and-grab
    for fam in FAMILIES:
        sizes = [KNOBS[fam][lvl][0] for lvl in INTENSITIES]
        assert sizes == sorted(sizes)
        assert sizes[0] < sizes[-1]


@pytest.mark.store
@pytest.mark.slow
def test_a_slice_goes_through_the_real_emitter_and_collector_as_the_frame_says(
    base: Simulation, tmp_path: Path
) -> None:
    sim = inject(base, ["error_storm", "novelty_burst"], "mid", seed=2)
    cut = sim.config.attack_start_us
    labels = {"error_storm#0", "novelty_burst#0", "benign:security_scan#0"}
    calls = [c for c in sim.calls if c.ts >= cut and (c.label in labels or c.user == "svc-etl")]
    assert_stored_as_framed(Simulation(sim.config, calls, [], []), tmp_path, KEY, ANNOTATIONS)
    assert {c.label for c in calls} >= labels
    assert len(calls) < 1000
