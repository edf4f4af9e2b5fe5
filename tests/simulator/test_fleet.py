"""The fleet generator (``simulator/fleet``): deterministic, recordable, labelled; its own attacks
land on victims with history in the shape each family promises."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tooltrail.simulator import Simulation, to_frame
from tooltrail.simulator.fleet import (
    ANNOTATIONS,
    SERVERS,
    FleetConfig,
    generate,
    inject,
)
from tooltrail.simulator.fleet._victims import args_size, histories, slot
from tooltrail.simulator.fleet.attacks import KNOBS
from tooltrail.simulator.fleet.catalog import server_of
from tooltrail.simulator.fleet.catalog import tool as tool_spec
from tooltrail.simulator.inject import FAMILIES, INTENSITIES

from . import _interface as shared
from ._generators import GENERATORS
from ._recordable import assert_stored_as_framed

HOUR_US = 3_600_000_000
KEY = b"fleet-test-key"
SMALL = GENERATORS["fleet"].config  # the shared traffic's config: 24 people, 7 days


def test_it_is_deterministic_from_the_seed(base: Simulation) -> None:
    shared.assert_deterministic(generate, SMALL, FleetConfig(seed=4, people=24, days=7), first=base)
    assert [c.ts for c in base.calls] == sorted(c.ts for c in base.calls)


def test_every_call_is_what_a_real_emitter_records(base: Simulation) -> None:
    methods = ("initialize", "tools/list", "tools/call", "resources/read")
    shared.assert_recordable_traffic(base, server_of, ("gdrive:///",), methods=methods)
    # the emitter's own stages read the arguments: sizes, fingerprints, derived resources, hints
    frame = to_frame(base.calls[:4000], annotations=ANNOTATIONS)
    assert (frame["args_bytes"] > 0).any()
    assert (frame["resource_key"] != "").any()
    assert (frame.loc[frame["method"] == "tools/call", "resource_uri"] == "").all()
    assert {"readonly,openworld", ""} <= set(frame["tool_hints"])


def test_some_servers_annotate_their_tools_and_others_do_not(base: Simulation) -> None:
    annotated = {s.name for s in SERVERS if all(t.name in ANNOTATIONS for t in s.tools)}
    bare = {s.name for s in SERVERS if not any(t.name in ANNOTATIONS for t in s.tools)}
    assert annotated | bare == {s.name for s in SERVERS}
    used = {c.server for c in base.calls}
    assert len(annotated & used) >= 5
    assert len(bare & used) >= 5
    assert ANNOTATIONS["delete_file"]["destructiveHint"] is True
    assert ANNOTATIONS["create_pull_request"] == {"readOnlyHint": False}  # as GitHub's server
    assert "kubectl_delete" not in ANNOTATIONS  # destructive by name only


def test_the_hard_negatives_look_as_described(base: Simulation) -> None:
    assert len({b.user for b in base.benign_bursts if b.scenario == "benign:release_spike"}) > 5
    cut = base.config.attack_start_us
    users = {u.name: u for u in base.users}
    by = {b.scenario: b for b in base.benign_bursts}
    night = by["benign:oncall_night"]
    tz = users[night.user].tz_hours
    assert 3 <= ((night.start / HOUR_US + tz) % 24) < 4  # paged at 03:00 local
    hire = by["benign:new_hire"].user
    assert all(
        c.ts >= base.config.start_us + 6 * 24 * HOUR_US for c in base.calls if c.user == hire
    )
    mover = by["benign:role_change"]
    before = {c.server for c in base.calls if c.user == mover.user and c.ts < cut}
    after = {c.server for c in base.calls if c.label == mover.id}
    assert after - before  # the new team's servers
    window = [c for c in base.calls if c.label == by["benign:change_window"].id]
    assert sum(c.tool in ("delete-many", "drop-collection") for c in window) >= 15
    reset = [c for c in base.calls if c.label == by["benign:laptop_reset"].id]
    old = {c.client_version for c in base.calls if c.user == reset[0].user and c.ts < cut}
    assert {c.client_version for c in reset}.isdisjoint(old)


def _history_bytes_per_hour(base: Simulation, user: str, tool: str) -> int:
    hours: dict[int, int] = defaultdict(int)
    for c in base.calls:
        if c.user == user and c.tool == tool and c.ts < base.config.attack_start_us:
            hours[c.ts // HOUR_US] += c.result_bytes
    return max(hours.values(), default=0)


@pytest.mark.parametrize("intensity", INTENSITIES)
def test_each_family_lands_on_a_victim_with_history_in_its_shape(
    base: Simulation, intensity: str
) -> None:
    sim = inject(base, FAMILIES, intensity, seed=5)
    assert sorted(i.scenario for i in sim.incidents) == sorted(FAMILIES)
    assert len({i.user for i in sim.incidents}) == len(FAMILIES)
    past = histories(base)
    cut, end = base.config.attack_start_us, base.config.end_us
    for inc in sim.incidents:
        calls = [c for c in sim.calls if c.label == inc.id]
        tools = [c for c in calls if c.method == "tools/call"]
        h = past[inc.user]
        assert len(h.days) >= 4
        assert not inc.user.startswith("svc-")
        assert all(c.user == inc.user and cut <= c.ts < end for c in calls)
        if inc.scenario != "bulk_read":  # a few huge reads or many small ones
            assert len(tools) == KNOBS[inc.scenario][intensity][0]
        names = {c.tool for c in tools}
        if inc.scenario == "novelty_burst":
            assert all((c.server, c.tool) not in h.ever_tools for c in tools)
            assert all(c.server not in h.ever_servers for c in tools)
            assert len({c.server for c in tools}) == KNOBS["novelty_burst"][intensity][2]
        elif inc.scenario == "off_hours":
            assert all(slot(c.ts) not in h.slots for c in calls)
            assert all((c.server, c.tool) in h.tools for c in tools)
        else:
            assert len(names) == 1
            name = names.pop()
            if inc.scenario == "destructive":
                hinted = ANNOTATIONS.get(name, {}).get("destructiveHint") is True
                named = name not in ANNOTATIONS and any(w in name for w in ("delete", "drop"))
                assert hinted or named
            elif inc.scenario == "error_storm":
                assert sum(c.outcome == "error" for c in tools) >= 0.5 * len(tools)
                assert min(args_size(c.args) for c in tools) > h.max_args[name]
            else:
                assert tool_spec(server_of(name), name).kind in ("read", "exec", "export")
                got = sum(c.result_bytes for c in tools)
                assert got > 2 * _history_bytes_per_hour(base, inc.user, name)


def test_shapes_vary_across_seeds_and_grow_with_intensity(base: Simulation) -> None:
    clients, deletes = set(), set()
    for seed in range(1, 7):
        sim = inject(base, ["novelty_burst", "destructive"], "mid", seed=seed)
        for inc in sim.incidents:
            if inc.scenario == "novelty_burst":
                clients.add(inc.client in histories(base)[inc.user].ever_clients)
            else:
                name = next(c.tool for c in sim.calls if c.label == inc.id and c.tool)
                deletes.add(name in ANNOTATIONS)
    assert clients == {True, False}  # the victim's own agent, and a client they never used
    assert deletes == {True, False}  # annotated destructive, and destructive by name only
    sizes = [
        sum(c.label == "destructive#0" for c in inject(base, ["destructive"], lvl, seed=1).calls)
        for lvl in INTENSITIES
    ]
    assert sizes == sorted(sizes)
    assert sizes[0] < sizes[-1]


def test_a_start_without_days_spans_two_weeks() -> None:
    assert FleetConfig(start=datetime(2026, 11, 10, tzinfo=UTC)).days == 14


@pytest.mark.store
@pytest.mark.slow
def test_a_slice_goes_through_the_real_emitter_and_collector_as_the_frame_says(
    base: Simulation, tmp_path: Path
) -> None:
    sim = inject(base, ["error_storm", "destructive"], "mid", seed=2)
    users = {i.user for i in sim.incidents} | {"svc-etl"}
    cut = sim.config.attack_start_us
    calls = [c for c in sim.calls if c.user in users and c.ts >= cut][:700]
    assert_stored_as_framed(Simulation(sim.config, calls, [], []), tmp_path, KEY, ANNOTATIONS)
    assert any(c.label == "error_storm#0" for c in calls)
