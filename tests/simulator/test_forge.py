"""The engineering-org generator: deterministic, recordable, labelled as it promises."""

from __future__ import annotations

from collections import Counter

from tooltrail.simulator import SimCall, Simulation
from tooltrail.simulator.forge import (
    SERVERS,
    URI_SCHEMES,
    ForgeConfig,
    generate,
    inject,
    server_of,
)
from tooltrail.simulator.forge.history import args_size
from tooltrail.simulator.forge.org import MONOREPO_DIRS

from . import _interface as shared
from ._interface import DAY_US, HOUR_US, labelled


def _local_hour(sim: Simulation, c: SimCall) -> float:
    tz = next(u.tz_hours for u in sim.users if u.name == c.user)
    return (c.ts % DAY_US / HOUR_US + tz) % 24


def test_same_seed_same_traffic_other_seed_other_traffic(base: Simulation) -> None:
    small = ForgeConfig(seed=1, users=50, days=8)
    shared.assert_deterministic(
        generate, small, ForgeConfig(seed=2, users=50, days=8), inject=inject
    )
    assert 50_000 <= len(base.calls) <= 150_000


def test_every_call_is_what_an_emitter_records(base: Simulation) -> None:
    causes = (
        "test_failed",
        "flaky_test",
        "merge_conflict",
        "rate_limited",
        "timeout",
        "forbidden",
        "branch_protected",
    )
    shared.assert_recordable_traffic(base, server_of, URI_SCHEMES, errors=causes, servers=SERVERS)
    assert 40 <= len({c.tool for c in base.calls if c.tool}) <= 100


def test_the_history_has_the_orgs_rhythms(base: Simulation) -> None:
    start, cut = base.config.start_us, base.config.attack_start_us
    hist = [c for c in base.calls if c.ts < cut]
    day = Counter((c.ts - start) // DAY_US for c in hist if not c.user.startswith("svc-"))
    weekend = [d for d in range(13) if (d + 2) % 7 in (5, 6)]  # day 0 is a Wednesday
    weekdays = [d for d in range(13) if d not in weekend]
    assert max(day[d] for d in weekend) < 0.3 * min(day[d] for d in weekdays)
    assert day[weekend[1]] > 0  # Sunday-to-Thursday people work on Sunday
    assert len({u.tz_hours for u in base.users if u.role != "service"}) >= 6
    tz = {u.name: u.tz_hours for u in base.users}
    frozen = {
        int(c.ts - start + tz[c.user] * HOUR_US) // DAY_US
        for c in hist
        if c.error_type == "branch_protected"
    }
    assert frozen == {12}  # the code freeze before the release (local day)
    janitor = Counter(
        (c.ts - start) // DAY_US
        for c in hist
        if c.tool == "git_delete_branch" and c.user == "svc-janitor"
    )
    assert len(janitor) == 13
    sessions = Counter(c.session_id for c in hist if c.agent in ("claude-code", "cursor-agent"))
    assert max(sessions.values()) >= 150  # coding agents burst
    versions = Counter(
        (c.user, c.agent) for c in {(c.user, c.agent, c.client_version): c for c in hist}.values()
    )
    assert sum(n > 1 for n in versions.values()) >= 10  # coding agents auto-update
    fixes = {
        c.args["branch"] for c in hist if c.tool == "git_push" and "/fix-inc-" in c.args["branch"]
    }
    assert fixes  # incident follow-ups become work items
    merged = {c.args["repo"] for c in hist if c.tool == "git_merge_pull_request"}
    assert {c.args["repo"] for c in hist if c.tool == "git_create_tag"} <= merged
    night = [c for c in hist if c.tool == "obs_ack_alert"]
    assert any(not 7 <= _local_hour(base, c) < 20 for c in night)  # pages at night


def test_the_hard_negatives_look_as_described(
    base: Simulation,
) -> None:
    cut = base.config.attack_start_us
    hist = [c for c in base.calls if c.ts < cut]
    seen = {c.user for c in hist}
    batch = labelled(base, "benign:nightly_batch")
    nights = Counter((c.ts // DAY_US) for c in hist if c.tool == "db_export_table")
    assert sum(c.tool == "db_export_table" for c in batch) >= 3 * max(nights.values())
    assert {c.user for c in batch} == {"svc-backup"}
    spike = labelled(base, "benign:release_spike")
    assert len({c.user for c in spike}) >= 20
    assert Counter(c.tool for c in spike)["git_merge_pull_request"] >= 20
    hire = labelled(base, "benign:new_hire")
    assert hire[0].user not in seen
    assert {c.server for c in hire if c.method == "tools/list"} == set(SERVERS)
    night = labelled(base, "benign:oncall_night")
    person = [c for c in night if not c.user.startswith("svc-")]
    assert person[0].user in seen
    assert all(2 <= _local_hour(base, c) < 6 for c in person)
    assert {"observability", "cloud"} <= {c.server for c in person}
    moved = labelled(base, "benign:role_change")
    before = {c.args.get("repo") for c in hist if c.user == moved[0].user}
    assert {"pipelines", "warehouse-models"} - before
    assert any(c.server == "db" for c in moved)
    mig = [c for c in labelled(base, "benign:repo_migration") if c.tool == "git_delete_branch"]
    assert len(mig) >= 60
    assert all(c.args["ticket"] == "MIG-2211" for c in mig)
    logs = labelled(base, "benign:incident_log_pull")
    assert sum(c.result_bytes for c in logs if c.tool == "obs_export_logs") >= 20_000_000
    assert _local_hour(base, logs[0]) < 4
    rot = labelled(base, "benign:secret_rotation")
    assert Counter(c.tool for c in rot)["secrets_rotate"] >= 30
    assert len({c.server for c in rot}) >= 4
    assert any(c.outcome == "denied" for c in rot)
    refactor = labelled(base, "benign:monorepo_refactor")
    touched = {d for c in refactor for d in MONOREPO_DIRS if f"/{d}/" in str(c.args.get("path"))}
    assert touched == set(MONOREPO_DIRS)
    assert len(refactor) >= 300
    storm = [c for c in labelled(base, "benign:flaky_ci_storm") if c.tool == "shell_run_tests"]
    assert sum(c.outcome == "error" for c in storm) >= 0.5 * len(storm)
    assert min(args_size(c.args) for c in storm) >= 4_000
