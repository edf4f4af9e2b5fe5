"""Rules: each fires on a crafted window and not on an ordinary one, with its severity and reason;
``AnyOf`` refuses an empty list and runs a rule only on its levels; ``default_rules`` follows
the settings. One end-to-end case builds the windows from events with ``build_features``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest

from tests.detectors.test_features import MIN, STEP, T, W, event, features, frame
from tooltrail.detectors.features import (
    FEATURES,
)
from tooltrail.detectors.rules import (
    AnyOf,
    DenialBurst,
    FirstSeen,
    Loop,
    NewClient,
    RateLimit,
    RuleHits,
    SensitiveTool,
    default_rules,
    judged_by_routine,
)
from tooltrail.detectors.settings import DetectSettings

ORDINARY: dict[str, float] = {name: 0.0 for name in FEATURES} | {
    "calls": 12.0,
    "distinct_tools": 3.0,
    "bytes_in": 400.0,
    "bytes_out": 9000.0,
    "repeat_max": 2.0,
    "off_hours": 0.0,
}


def windows(*overrides: dict[str, Any]) -> pd.DataFrame:
    """One ordinary window per argument, each with its overrides (``entity`` defaults to alice)."""
    rows = []
    for i, fields in enumerate(overrides):
        start = T + i * STEP
        row = {"entity": "alice", "window_start": start, "window_end": start + W, **ORDINARY}
        row.update(fields)
        rows.append(row)
    return pd.DataFrame(rows)


def _fired(hits: RuleHits | None) -> list[int]:
    return [] if hits is None else hits.rows.tolist()


@pytest.mark.parametrize(
    ("rule", "level", "crafted", "at_limit"),
    [
        (RateLimit(100), "user", {"calls": 101.0}, {"calls": 100.0}),
        (Loop(40), "agent", {"repeat_max": 40.0, "calls": 41.0}, {"repeat_max": 39.0}),
        (DenialBurst(5), "user", {"denials": 5.0}, {"denials": 4.0}),
    ],
    ids=["rate_limit", "loop", "denial_burst"],
)
def test_a_limit_rule_fires_on_the_crafted_window_only(
    rule: RateLimit | Loop | DenialBurst,
    level: str,
    crafted: dict[str, float],
    at_limit: dict[str, float],
) -> None:
    win = windows({}, crafted, at_limit, {"entity": "bob"})
    hits = rule(level, win)
    assert hits is not None
    assert _fired(hits) == [1]
    assert hits.rule == rule.name
    assert hits.baseline_rule is False
    assert "alice" in hits.reasons[0]
    assert set(hits.features) <= set(FEATURES)
    assert rule(level, windows({}, at_limit)) is None


def test_limit_rule_reasons_and_severities() -> None:
    win = windows({"calls": 500.0}, {"repeat_max": 50.0, "error_rate": 0.5}, {"denials": 9.0})
    rate, loop, denied = (
        RateLimit(100)("user", win),
        Loop(40)("user", win),
        DenialBurst(5)("user", win),
    )
    assert rate is not None
    assert loop is not None
    assert denied is not None
    assert (rate.severities, rate.reasons) == (
        ["high"],
        ["alice made 500 calls in one window (hard limit 100)"],
    )
    assert loop.severities == ["medium"]
    assert "50 times" in loop.reasons[0]
    assert "50%" in loop.reasons[0]
    assert (denied.severities, denied.reasons) == (
        ["high"],
        ["alice was denied 9 times in one window"],
    )


def test_sensitive_tool_fires_on_the_first_use_of_a_listed_tool_only() -> None:
    win = windows(
        {"entity": "alice|grant_role", "new_tools": 1.0},  # first use of a sensitive tool
        {"entity": "alice|grant_role", "new_tools": 0.0},  # used before
        {"entity": "alice|read_file", "new_tools": 1.0},  # new, not sensitive
        {"entity": "grant_role|read_file", "new_tools": 1.0},  # the tool is the last part
    )
    hits = SensitiveTool(frozenset({"grant_role", "run_command"}))("user_tool", win)
    assert hits is not None
    assert _fired(hits) == [0]
    assert hits.severities == ["high"]
    assert hits.baseline_rule is True
    assert hits.reasons == [
        "alice|grant_role: first use of a sensitive tool by this user (0 other people used it)"
    ]


def test_a_sensitive_tool_colleagues_use_is_kept_low_on_first_use() -> None:
    """A role change takes up tools colleagues use daily: recorded, not paged."""
    win = windows(
        {"entity": "alice|export_table", "new_tools": 1.0, "tool_peers": 4.0},
        {"entity": "bob|export_table", "new_tools": 1.0, "tool_peers": 1.0},
    )
    hits = SensitiveTool(frozenset({"export_table"}))("user_tool", win)
    assert hits is not None
    assert _fired(hits) == [0, 1]
    assert hits.severities == ["low", "high"]
    assert "4 other people" in hits.reasons[0]


@pytest.mark.parametrize(
    ("off_hours", "severity"), [(0.0, "medium"), (0.49, "medium"), (0.5, "high"), (1.0, "high")]
)
def test_new_client_is_high_when_off_hours_is_at_least_half(
    off_hours: float, severity: str
) -> None:
    win = windows({}, {"new_clients": 1.0, "off_hours": off_hours})
    hits = NewClient()("user", win)
    assert hits is not None
    assert _fired(hits) == [1]
    assert hits.severities == [severity]
    assert hits.baseline_rule is True


def test_new_client_severities_follow_their_own_rows() -> None:
    win = windows(
        {"new_clients": 1.0, "off_hours": 1.0},
        {"off_hours": 1.0},  # off hours but no new client: quiet
        {"new_clients": 2.0, "off_hours": 0.0},
    )
    hits = NewClient()("user", win)
    assert hits is not None
    assert _fired(hits) == [0, 2]
    assert hits.severities == ["high", "medium"]


def test_first_seen_fires_on_a_new_server_tool_with_low_severity() -> None:
    win = windows({"entity": "fs|read"}, {"entity": "fs|exec", "new_tools": 1.0})
    hits = FirstSeen()("server_tool", win)
    assert hits is not None
    assert _fired(hits) == [1]
    assert hits.severities == ["low"]
    assert FirstSeen()("server_tool", windows({"entity": "fs|read"})) is None


@pytest.mark.parametrize("empty", [(), []])
def test_any_of_refuses_an_empty_list(empty: Any) -> None:
    with pytest.raises(ValueError, match="at least one rule"):
        AnyOf(empty)


def test_any_of_runs_a_rule_only_on_its_levels() -> None:
    win = windows({"calls": 500.0, "denials": 9.0})
    rules = AnyOf((RateLimit(100, levels=("user",)), DenialBurst(5, levels=("agent",))))
    assert [h.rule for h in rules.run("user", win)] == ["rate_limit"]
    assert [h.rule for h in rules.run("agent", win)] == ["denial_burst"]
    assert rules.run("source", win) == []
    assert AnyOf((RateLimit(100),)).run("user", windows({})) == []


def test_default_rules_follow_the_settings() -> None:
    settings = DetectSettings(
        max_calls_per_minute=50,
        loop_repeats_per_minute=10,
        denial_burst=3,
        sensitive_tools=("drop_db",),
    )
    rules = default_rules(settings)
    assert {r.name for r in rules.rules} == {
        "rate_limit",
        "loop",
        "denial_burst",
        "sensitive_tool",
        "new_client",
        "first_seen",
    }
    win = windows({"calls": 51.0}, {"repeat_max": 10.0}, {"denials": 3.0}, {"calls": 50.0})
    by_rule = {h.rule: _fired(h) for h in rules.run("user", win)}
    assert by_rule == {"rate_limit": [0], "loop": [1], "denial_burst": [2]}
    tools = windows(
        {"entity": "alice|drop_db", "new_tools": 1.0},
        {"entity": "alice|grant_role", "new_tools": 1.0},  # the default list's, not these settings'
    )
    by_rule = {h.rule: _fired(h) for h in rules.run("user_tool", tools)}
    assert by_rule == {"sensitive_tool": [0]}  # user_tool: only rate_limit and sensitive_tool run


def test_rules_fire_on_windows_built_from_events() -> None:
    """A loop of identical calls and a burst of denials, through ``build_features``."""
    loop = [event(T + i * 10**6 // 2, agent="looper", args_fingerprint="same") for i in range(45)]
    denied = [event(T + 30 * 10**6 + i, user="bob", agent="", outcome="denied") for i in range(6)]
    feats = features(frame(*loop, *denied), since=T, until=T + 2 * MIN, levels=("user", "agent"))
    rules = default_rules(DetectSettings())
    for level, entity, rule in (("agent", "looper", "loop"), ("user", "bob", "denial_burst")):
        win = feats[level]
        fired = {h.rule: set(win["entity"].iloc[h.rows]) for h in rules.run(level, win)}
        assert fired.get(rule) == {entity}, (level, fired)


def test_rules_find_nothing_in_a_level_without_windows() -> None:
    feats = features(frame(event(T)), since=T + 10 * MIN, until=T + 20 * MIN)
    rules = default_rules(DetectSettings())
    for level, win in feats.items():
        assert win.empty
        assert rules.run(level, win) == []


def test_a_job_that_repeats_one_call_every_run_does_not_page_its_loop() -> None:
    """A nightly job repeating one call ~20 times a run, 40 at month end: kept as low, with its
    own p99 in the reason; a person (own p99 3) or an entity without an own baseline (the hard
    limit) at 40: pages; the job at four times its runs: pages."""
    win = windows(
        {"repeat_max": 40.0}, {"repeat_max": 40.0}, {"repeat_max": 40.0}, {"repeat_max": 84.0}
    )
    hits = Loop(40)("user", win)
    assert hits is not None
    assert hits.routine == "repeat_max"
    values = win[list(FEATURES)].to_numpy(dtype=float)
    p99 = np.zeros_like(values)
    p99[:, FEATURES.index("repeat_max")] = [21.0, 3.0, 21.0, 21.0]
    own = np.array([True, True, False, True])
    judged = judged_by_routine(hits, values, p99, own, DetectSettings().routine_factor)
    assert judged.severities == ["low", "medium", "medium", "medium"]
    assert "its own p99 is 21 (its routine)" in judged.reasons[0]
    assert "routine" not in judged.reasons[1]
