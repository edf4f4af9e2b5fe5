"""The plans generator (``tooltrail.simulator.plans``) and its own attack injector.

Generated once per module (two seeds, every family at every intensity on both): determinism,
recordable calls, the real emitter → collector → store path on a slice of the scored day, the
annotation styles, the hard negatives as described, each attack's promised shape on a victim
with history, and refused bad arguments.
"""

from __future__ import annotations

import itertools
import statistics
from collections import Counter
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from tooltrail.simulator import SimCall, SimConfig, Simulation
from tooltrail.simulator.frame import hints_of
from tooltrail.simulator.plans import (
    ANNOTATIONS,
    FAMILIES,
    HARD_NEGATIVES,
    INTENSITIES,
    KNOBS,
    TOOLS,
    PlansConfig,
    PlansError,
    generate,
    inject,
    server_of,
)
from tooltrail.simulator.plans.victims import args_size

from . import _interface as shared
from ._generators import Traffic
from ._recordable import assert_stored_as_framed

DAY = 86_400_000_000
HOUR = 3_600_000_000
SEEDS = (3, 8)


@pytest.fixture(scope="module")
def sims(traffic: Traffic) -> dict[int, Simulation]:
    """The shared traffic (seed 3, generated once per session) and seed 8's."""
    base = traffic.base("plans")
    assert base.config.seed == SEEDS[0]
    return {SEEDS[0]: base, **{s: generate(PlansConfig(seed=s)) for s in SEEDS[1:]}}


@pytest.fixture(scope="module")
def attacked(sims: dict[int, Simulation]) -> dict[tuple[int, str], Simulation]:
    return {
        (s, lvl): inject(sims[s], intensity=lvl, seed=s, annotations=ANNOTATIONS)
        for s in SEEDS
        for lvl in INTENSITIES
    }


def _history(sim: Simulation, user: str) -> list[SimCall]:
    return [c for c in sim.calls if c.user == user and c.ts < sim.config.attack_start_us]


def _hour_gap(hour: int, hours: set[int]) -> int:
    return min(min((hour - a) % 24, (a - hour) % 24) for a in hours)


# -- determinism and the calls themselves -----------------------------------------------------


def test_same_seed_same_traffic_and_attacks() -> None:
    small = PlansConfig(seed=11, people=30, days=8)
    shared.assert_deterministic(
        generate, small, replace(small, seed=12), inject=inject, seed=4, annotations=ANNOTATIONS
    )


def test_every_call_is_what_an_emitter_records(
    sims: dict[int, Simulation], attacked: dict[tuple[int, str], Simulation]
) -> None:
    for s in SEEDS:
        sim = attacked[(s, "high")]
        cfg = sim.config
        schemes = ("file://", "postgres://", "repo://", "gdrive:///")
        shared.assert_recordable_traffic(sim, server_of, schemes)
        for c in sim.calls:
            if c.method == "tools/list":
                assert c.tool is None
                assert c.resource_uri is None
                assert c.args == {}
            if c.method == "resources/read":
                assert c.args == {"uri": c.resource_uri}
        days = Counter((c.ts - cfg.start_us) // DAY for c in sims[s].calls)
        assert sorted(days) == list(range(cfg.days))
        assert sims[s].incidents == []


def test_sizes_are_heavy_tailed_and_durations_positive(sims: dict[int, Simulation]) -> None:
    sim = sims[SEEDS[0]]
    results = sorted(c.result_bytes for c in sim.calls if c.outcome == "ok")
    args = sorted(args_size(c.args) for c in sim.calls)
    median_r, p999_r = results[len(results) // 2], results[int(0.999 * len(results))]
    assert p999_r > 20 * median_r
    assert args[int(0.999 * len(args))] > 20 * args[len(args) // 2]


def test_people_live_in_their_own_zones_with_daylight_saving(sims: dict[int, Simulation]) -> None:
    sim = sims[SEEDS[0]]
    europe = {u.name for u in sim.users if u.tz_hours in (0.0, 1.0) and u.role != "service"}
    assert europe
    # the week before and the days after Europe leaves summer time (Sun 2026-10-25): the same
    # person's first call of a working day moves about an hour later in UTC
    before, after = (1, 2, 3), (6, 7, 8)
    first: dict[tuple[str, int], int] = {}
    for c in sim.calls:
        if c.user in europe and not c.label:
            d = (c.ts - sim.config.start_us) // DAY
            first.setdefault((c.user, d), c.ts - sim.config.start_us - d * DAY)
    shift = []
    for user in europe:
        a = [first[(user, d)] for d in before if (user, d) in first]
        b = [first[(user, d)] for d in after if (user, d) in first]
        if len(a) == len(b) == 3:
            shift.append((statistics.median(b) - statistics.median(a)) / HOUR)
    assert len(shift) >= 5
    assert 0.5 <= statistics.median(shift) <= 1.5
    weekend = sum(1 for c in sim.calls if (c.ts - sim.config.start_us) // DAY in (4, 5))
    weekday = sum(1 for c in sim.calls if (c.ts - sim.config.start_us) // DAY in (1, 2))
    assert weekend < weekday / 4


# -- annotations ------------------------------------------------------------------------------


def test_tools_declare_all_four_hints_or_a_read_only_hint_either_way(
    sims: dict[int, Simulation],
) -> None:
    sim = sims[SEEDS[0]]
    used = {c.tool for c in sim.calls if c.tool}
    readonly = {t for t in used if set(ANNOTATIONS.get(t, {})) == {"readOnlyHint"}}
    full = [t for t in used if len(ANNOTATIONS.get(t, {})) == 4]
    readonly_false = sorted(t for t in readonly if ANNOTATIONS[t]["readOnlyHint"] is False)
    assert full
    assert {t for t in readonly if ANNOTATIONS[t]["readOnlyHint"] is True}
    hints = hints_of(ANNOTATIONS)
    assert "destructive_by_default" in hints[readonly_false[0]]
    assert any("destructive" in hints[t] and "by_default" not in hints[t] for t in full)


# -- hard negatives ---------------------------------------------------------------------------


def _labelled(sim: Simulation, name: str) -> list[SimCall]:
    return [c for c in sim.calls if c.label.startswith(name + "#")]


@pytest.mark.parametrize("seed", SEEDS)
def test_hard_negatives_on_the_scored_day_as_described(
    sims: dict[int, Simulation], seed: int
) -> None:
    sim = sims[seed]
    cut = sim.config.attack_start_us
    shared.assert_hard_negatives_labelled(sim, HARD_NEGATIVES)
    for b in sim.benign_bursts:
        calls = [c for c in sim.calls if c.label == b.id]
        assert (b.start, b.end) == (calls[0].ts, calls[-1].ts)
    travel = _labelled(sim, "benign:travel")
    usual = Counter((c.ts // HOUR) % 24 for c in _history(sim, travel[0].user))
    rare = {h for h in range(24) if usual[h] < 0.02 * usual.total()}
    assert sum((c.ts // HOUR) % 24 in rare for c in travel) >= 0.4 * len(travel)
    night = _labelled(sim, "benign:overnight_refactor")
    assert len({c.user for c in night}) == 1
    assert night[-1].ts - night[0].ts >= 3 * HOUR
    assert Counter(c.tool for c in night)["edit_file"] >= 20
    war = _labelled(sim, "benign:war_room")
    assert len({c.user for c in war}) >= 3
    assert war[-1].ts - war[0].ts <= 3 * HOUR
    assert {"slack_post_message", "list_incidents"} <= {c.tool for c in war}
    export = [c for c in _labelled(sim, "benign:quarter_end_export") if c.tool == "execute-query"]
    usual = [c.result_bytes for c in sim.calls if c.tool == "execute-query" and c.ts < cut]
    assert len(export) >= 30
    assert statistics.median(c.result_bytes for c in export) > 8 * statistics.median(usual)
    hire = _labelled(sim, "benign:new_hire")
    assert hire
    assert not _history(sim, hire[0].user)
    cleanup = Counter(c.tool for c in _labelled(sim, "benign:approved_cleanup"))
    assert cleanup["move_file"] >= 40
    assert cleanup["delete_file"] >= 15
    scan = [c for c in _labelled(sim, "benign:pentest") if c.tool == "fetch"]
    assert len(scan) >= 80
    assert sum(c.outcome != "ok" for c in scan) >= 0.4 * len(scan)
    purge = [c for c in _labelled(sim, "benign:ticketed_migration") if c.tool == "execute_sql"]
    assert sum(str(c.args["sql"]).startswith("DELETE") for c in purge) >= 25
    up = _labelled(sim, "benign:client_upgrade")
    assert {c.client_version for c in up if c.client == "cursor"} == {"1.8.0"}
    relisted = {(c.user, c.server) for c in up if c.method == "tools/list"}
    used = {(c.user, c.server) for c in sim.calls if c.ts < cut and c.method == "tools/call"}
    assert relisted - used  # servers configured but never used, listed after the upgrade
    flaky = _labelled(sim, "benign:flaky_server")
    assert sum(c.error_type == "unavailable" for c in flaky) >= 0.2 * len(flaky)
    assert len({c.server for c in flaky}) == 1


# -- the injector -----------------------------------------------------------------------------


def _incident_calls(sim: Simulation, label: str) -> list[SimCall]:
    return [c for c in sim.calls if c.label == label]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("lvl", INTENSITIES)
def test_each_family_lands_on_a_victim_with_history_in_its_shape(
    sims: dict[int, Simulation], attacked: dict[tuple[int, str], Simulation], seed: int, lvl: str
) -> None:
    base, sim = sims[seed], attacked[(seed, lvl)]
    cut = sim.config.attack_start_us
    assert [c for c in sim.calls if not c.label or c.label.startswith("benign:")] == base.calls
    assert [i.scenario for i in sim.incidents] == list(FAMILIES)
    assert len({i.user for i in sim.incidents}) == len(FAMILIES)
    hard = {c.user for c in base.calls if c.label.startswith("benign:")}
    for inc in sim.incidents:
        k = KNOBS[inc.scenario][lvl]
        calls = _incident_calls(sim, inc.id)
        hist = _history(base, inc.user)
        assert inc.user not in hard
        assert not inc.user.startswith("svc-")
        assert len({(c.ts - sim.config.start_us) // DAY for c in hist}) >= 5
        assert all(c.ts >= cut and c.user == inc.user for c in calls)
        assert len(calls) >= k["calls"]
        used_servers = {c.server for c in base.calls if c.user == inc.user and c.tool}
        used_tools = {c.tool for c in hist if c.tool}
        span_min = (calls[-1].ts - calls[0].ts) / 60e6
        tools = Counter(c.tool for c in calls)
        if inc.scenario == "novelty_burst":
            new = {c.server for c in calls}
            assert not new & used_servers
            assert len(new) == k["servers"]
            assert len(tools) >= 3
            assert span_min <= k["minutes"]
        elif inc.scenario == "off_hours":
            hours = {(c.ts // HOUR) % 24 for c in hist}
            assert _hour_gap((calls[0].ts // HOUR) % 24, hours) >= k["gap_hours"]
            assert set(tools) <= used_tools
            assert span_min <= k["minutes"] * 1.5
        elif inc.scenario == "destructive":
            deleting = [t for t in tools if TOOLS[t].destructive]
            assert len(deleting) == 1
            assert len(tools) <= 2
            tool = deleting[0]
            assert tools[tool] >= k["calls"]
            assert not TOOLS[tool].reads
            ts = [c.ts for c in calls if c.tool == tool]
            gaps = sorted(b - a for a, b in itertools.pairwise(ts))
            rate = (ts[-1] - ts[0]) / 1e6 / (len(ts) - 1)
            assert k["interval_s"] * 0.5 <= rate <= k["interval_s"] * 1.6, gaps[:5]
        elif inc.scenario == "error_storm":
            assert len(tools) == 1
            (tool,) = tools
            assert tool in used_tools
            failed = sum(c.outcome != "ok" for c in calls) / len(calls)
            assert failed >= k["error_rate"] - 0.2
            largest = max(args_size(c.args) for c in hist if c.tool == tool)
            assert min(args_size(c.args) for c in calls) >= 0.9 * k["arg_factor"] * largest
        else:  # bulk_read
            assert len(tools) == 1
            (tool,) = tools
            assert tool in used_tools
            assert TOOLS[tool].reads or all(
                str(next(iter(c.args.values()))).startswith("SELECT") for c in calls
            )
            ok = sorted(c.result_bytes for c in hist if c.tool == tool and c.outcome == "ok")
            p90 = ok[int(0.9 * (len(ok) - 1))]
            got = statistics.median(c.result_bytes for c in calls if c.outcome == "ok")
            assert got >= 0.5 * k["result_factor"] * p90
            assert span_min <= k["minutes"] + 1


def test_intensities_grow_and_shapes_vary_by_seed(
    sims: dict[int, Simulation], attacked: dict[tuple[int, str], Simulation]
) -> None:
    s = SEEDS[0]
    sizes = [
        [len(_incident_calls(attacked[(s, lvl)], f"{f}#0")) for lvl in INTENSITIES]
        for f in FAMILIES
    ]
    assert all(a < b < c for a, b, c in sizes)
    victims = [[i.user for i in attacked[(s, lvl)].incidents] for lvl in INTENSITIES]
    assert sum(len(set(v)) == 1 for v in zip(*victims, strict=True)) >= 3  # mostly the same
    shapes: dict[str, set[str]] = {}
    for seed in range(8):
        for inc in inject(sims[s], intensity="low", seed=seed, annotations=ANNOTATIONS).incidents:
            shapes.setdefault(inc.scenario, set()).add(inc.description.partition(":")[0])
    assert all(len(v) >= 2 for v in shapes.values()), shapes


# -- the real path ----------------------------------------------------------------------------


@pytest.mark.store
def test_a_slice_of_the_scored_day_is_stored_as_framed(
    attacked: dict[tuple[int, str], Simulation], tmp_path: Path
) -> None:
    sim = attacked[(SEEDS[0], "mid")]
    attack = _incident_calls(sim, "destructive#0")
    negative = _labelled(sim, "benign:ticketed_migration")[:12]
    upgrade = [c for c in _labelled(sim, "benign:client_upgrade") if c.method == "tools/list"][:6]
    t = sim.config.attack_start_us + 11 * HOUR
    ordinary = [c for c in sim.calls if t <= c.ts < t + 3 * 60_000_000 and not c.label][:60]
    reads = [c for c in sim.calls if c.method == "resources/read" and c.ts >= t][:4]
    chosen = {id(c): c for c in (*attack, *negative, *upgrade, *ordinary, *reads)}
    part = sorted(chosen.values(), key=lambda c: c.ts)
    assert {c.method for c in part} == {"tools/call", "tools/list", "resources/read"}
    sliced = replace(sim, calls=part)
    assert_stored_as_framed(sliced, tmp_path, b"plans-test-key", ANNOTATIONS)


# -- bad arguments ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"people": 3}, "people"),
        ({"seed": "x"}, "seed"),
        ({"days": 2}, "days"),
        ({"start": datetime(2026, 10, 20)}, "start"),
        ({"hard_negatives": ("benign:lunch",)}, "hard_negatives"),
        ({"page_rate": -1.0}, "page_rate"),
    ],
)
def test_bad_config_is_refused(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(PlansError, match=f"^{field}:"):
        PlansConfig(**kwargs)  # type: ignore[arg-type]


def test_bad_injector_arguments_are_refused(sims: dict[int, Simulation]) -> None:
    sim = sims[SEEDS[0]]
    cases = [
        ({"families": ["nope"]}, "families"),
        ({"families": "off_hours"}, "families"),
        ({"intensity": "extreme"}, "intensity"),
        ({"seed": 1.5}, "seed"),
        ({"per_family": 0}, "per_family"),
    ]
    for kwargs, field in cases:
        with pytest.raises(PlansError, match=f"^{field}:"):
            inject(sim, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(PlansError, match=r"^sim:"):
        inject("traffic")  # type: ignore[arg-type]
    with pytest.raises(PlansError, match=r"^config:"):
        generate(SimConfig())  # type: ignore[arg-type]
