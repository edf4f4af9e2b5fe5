"""Benign traffic looks like people at work, and never like the attacks."""

from __future__ import annotations

import itertools
import random
import statistics
from collections import Counter, defaultdict

from tooltrail.simulator import SimCall, Simulation, UserProfile, is_secret_uri
from tooltrail.simulator.model import DAY_US
from tooltrail.simulator.world import TRANSITIONS, WorkingSet, make_user

HOUR_US = 3_600_000_000


def local_hour(c: SimCall, user: UserProfile) -> float:
    return (c.ts / HOUR_US + user.tz_hours) % 24


def ordinary(sim: Simulation) -> list[SimCall]:
    return [c for c in sim.calls if c.label == ""]


def profiles(sim: Simulation) -> dict[str, UserProfile]:
    return {u.name: u for u in sim.users}


def test_each_user_works_in_working_hours_more_than_at_night(default_sim: Simulation) -> None:
    users = profiles(default_sim)
    work: Counter[str] = Counter()
    night: Counter[str] = Counter()
    for c in ordinary(default_sim):
        h = local_hour(c, users[c.user])
        if 8 <= h < 19:
            work[c.user] += 1
        elif h < 6:
            night[c.user] += 1
    assert len(work) == default_sim.config.users
    for user, n in work.items():
        assert n > 5 * night[user], user


def test_weekends_are_quiet(default_sim: Simulation) -> None:
    cfg = default_sim.config
    per_day = Counter((c.ts - cfg.start_us) // DAY_US for c in ordinary(default_sim))
    weekday = statistics.mean(per_day[d] for d in range(5))  # Monday..Friday (UTC days)
    weekend = statistics.mean(per_day[d] for d in (5, 6))
    assert 0 < weekend < 0.3 * weekday


def test_result_sizes_are_heavy_tailed_and_capped(default_sim: Simulation) -> None:
    sizes = sorted(c.result_bytes for c in default_sim.calls)
    p50, p99 = sizes[len(sizes) // 2], sizes[int(len(sizes) * 0.99)]
    assert 1_000 < p50 < 5_000
    assert p99 / p50 > 10
    assert sizes[-1] <= 5 * 2**20
    queries = [c.result_bytes for c in ordinary(default_sim) if c.tool == "run_query"]
    assert statistics.median(queries) > 3 * p50


def test_sessions_have_several_calls_and_one_actor(default_sim: Simulation) -> None:
    sessions: dict[str, list[SimCall]] = defaultdict(list)
    for c in ordinary(default_sim):
        sessions[c.session_id].append(c)
    assert statistics.median(len(s) for s in sessions.values()) >= 5
    for calls in sessions.values():
        assert len({(c.user, c.agent, c.client) for c in calls}) == 1
    assert all(len(c.trace_id) == 32 and int(c.trace_id, 16) for c in default_sim.calls)


def test_outcomes_are_mostly_ok(default_sim: Simulation) -> None:
    outcomes = Counter(c.outcome for c in ordinary(default_sim))
    total = sum(outcomes.values())
    assert 0.01 < outcomes["error"] / total < 0.04
    assert 0 < outcomes["denied"] / total < 0.01
    errors = Counter(c.error_type for c in ordinary(default_sim) if c.outcome != "ok")
    assert set(errors) == {"FileNotFoundError", "Timeout", "PermissionDenied"}


def test_roles_bound_the_dangerous_tools(default_sim: Simulation) -> None:
    users = profiles(default_sim)
    benign = [c for c in default_sim.calls if not c.label or c.label.startswith("benign:")]
    by_tool: dict[str | None, set[str]] = defaultdict(set)
    for c in benign:
        by_tool[c.tool].add(users[c.user].role)
    assert by_tool["run_command"] == {"ops"}
    assert by_tool["list_users"] <= {"ops"}
    assert "grant_role" not in by_tool
    share = sum(c.tool == "run_command" for c in benign) / len(benign)
    assert share < 0.01
    assert any(c.method == "resources/read" and c.tool is None for c in benign)


def test_benign_traffic_never_contains_the_injection_transitions(
    default_sim: Simulation,
) -> None:
    attack_ids = {i.id for i in default_sim.incidents}
    sessions: dict[str, list[SimCall]] = defaultdict(list)
    for c in default_sim.calls:
        if c.label not in attack_ids:
            assert not is_secret_uri(c.resource_uri), c
            assert "finance" not in (c.resource_uri or "")
            sessions[c.session_id].append(c)
    pairs = Counter(
        (a.tool, b.tool) for calls in sessions.values() for a, b in itertools.pairwise(calls)
    )
    assert pairs[("fetch_url", "post_message")] == 0
    assert pairs[("fetch_url", "fetch_url")] > 0  # the pair counter sees real sequences
    assert pairs[("list_directory", "read_file")] > 0


def test_tool_chains_only_lead_to_known_states() -> None:
    for role, table in TRANSITIONS.items():
        for state, (nexts, cum) in table.items():
            assert set(nexts) <= set(table), (role, state)
            assert cum == sorted(cum)
            assert cum[0] > 0
        assert "grant_role" not in table
        assert "post_message" not in table["fetch_url"][0]


def test_working_sets_hold_50_to_200_resources_picked_zipf_like() -> None:
    rng = random.Random(1)
    for i, role in enumerate(("developer", "analyst", "ops") * 3):
        ws = WorkingSet(rng, make_user(rng, f"u-{i:02d}", role, i))
        assert 50 <= len(ws.all()) <= 200, role
        picks = Counter(ws.pick(rng, "file") for _ in range(2_000))
        top = ws.items["file"][0]
        assert picks[top] == max(picks.values())
        assert not any(is_secret_uri(x) for x in ws.all())


def test_benign_bursts_recur_as_promised(default_sim: Simulation) -> None:
    cfg = default_sim.config
    bursts: dict[str, list[int]] = defaultdict(list)
    for b in default_sim.benign_bursts:
        bursts[b.scenario].append((b.start - cfg.start_us) // DAY_US)
    assert sorted(bursts["benign:nightly_batch"]) == list(range(cfg.days))
    ci = Counter(bursts["benign:ci_bot"])
    assert set(ci) == set(range(cfg.days))
    assert all(3 <= n <= 6 for n in ci.values())
    assert sorted(bursts["benign:weekly_report"]) == [0, 7]  # the two Mondays
    assert bursts["benign:new_user"] == [cfg.days - 1]
    by_id = {b.id: b for b in default_sim.benign_bursts}
    nightly = by_id["benign:nightly_batch#3"]
    assert nightly.user == "svc-etl"
    assert nightly.agent == "etl-runner"
    assert nightly.client == "python-mcp"
    assert 400 <= nightly.calls <= 710
    assert nightly.end - nightly.start < 12 * 60 * 1_000_000
    for b in default_sim.benign_bursts:
        if b.scenario == "benign:ci_bot":
            assert b.user == "svc-ci"
            assert 30 <= b.calls <= 80
            assert b.end - b.start <= 180 * 1_000_000
        if b.scenario == "benign:weekly_report":
            assert 40 <= b.calls <= 60
            assert b.end - b.start <= 6 * 60 * 1_000_000


def test_new_users_start_on_the_last_day_with_clients_never_seen(default_sim: Simulation) -> None:
    cfg = default_sim.config
    (burst,) = [b for b in default_sim.benign_bursts if b.scenario == "benign:new_user"]
    new_calls = [c for c in default_sim.calls if c.label == burst.id]
    assert len(new_calls) == burst.calls > 20
    assert min(c.ts for c in new_calls) >= cfg.end_us - DAY_US
    others = [c for c in default_sim.calls if c.label != burst.id]
    assert burst.user not in {c.user for c in others}
    assert {c.client for c in new_calls}.isdisjoint({c.client for c in others})
    assert {c.agent for c in new_calls}.isdisjoint({c.agent for c in others})
