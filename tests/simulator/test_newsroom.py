"""The newsroom generator: deterministic, recordable, labelled as it promises."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from tooltrail.simulator import SimCall, Simulation
from tooltrail.simulator import inject as library
from tooltrail.simulator import newsroom as nr
from tooltrail.simulator.frame import hints_of
from tooltrail.simulator.newsroom.catalog import TOOLS
from tooltrail.simulator.newsroom.habits import Habit, args_size, habits

from ._recordable import assert_recordable, assert_stored_as_framed

DAY_US = 86_400_000_000
HOUR_US = 3_600_000_000


@pytest.fixture(scope="module")
def newsroom() -> Simulation:
    return nr.generate(nr.NewsroomConfig(seed=1))


@pytest.fixture(scope="module")
def struck(newsroom: Simulation) -> dict[str, Simulation]:
    return {
        i: nr.inject(newsroom, intensity=i, seed=1, annotations=nr.ANNOTATIONS)
        for i in nr.INTENSITIES
    }


def _labelled(sim: Simulation, name: str) -> list[SimCall]:
    return [c for c in sim.calls if c.label == f"{name}#0"]


def _hour(c: SimCall) -> int:
    return c.ts % DAY_US // HOUR_US


def test_same_seed_same_traffic_other_seed_other_traffic(newsroom: Simulation) -> None:
    small = nr.NewsroomConfig(seed=1, days=9, reporters=10)
    a, b = nr.generate(small), nr.generate(small)
    assert a.calls == b.calls
    assert a.benign_bursts == b.benign_bursts
    assert nr.generate(nr.NewsroomConfig(seed=2, days=9, reporters=10)).calls != a.calls
    again = nr.inject(a, intensity="mid", seed=3)
    assert again.calls == nr.inject(a, intensity="mid", seed=3).calls
    assert 30_000 <= len(newsroom.calls) <= 80_000


def test_every_call_is_what_an_emitter_records(newsroom: Simulation) -> None:
    assert_recordable(newsroom.calls, nr.server_of, nr.URI_SCHEMES)
    assert {c.method for c in newsroom.calls} == {"tools/call", "resources/read", "tools/list"}
    assert [c.ts for c in newsroom.calls] == sorted(c.ts for c in newsroom.calls)
    assert newsroom.config.start_us <= newsroom.calls[0].ts
    assert newsroom.calls[-1].ts < newsroom.config.end_us
    errors = Counter(c.error_type for c in newsroom.calls if c.outcome != "ok")
    for cause in ("timeout", "conflict", "not_found", "sql_error", "card_declined"):
        assert errors[cause] > 0, cause
    denied = {c.error_type for c in newsroom.calls if c.outcome == "denied"}
    assert {"legal_hold", "refund_limit"} <= denied
    assert set(nr.SERVERS) == {c.server for c in newsroom.calls}
    assert 45 <= len({c.tool for c in newsroom.calls if c.tool}) <= len(TOOLS)
    sql = [c for c in newsroom.calls if c.tool and c.tool.startswith("sql_run") and not c.label]
    assert sql
    assert all(str(c.args["sql"]).startswith("SELECT") for c in sql)
    listings = [c for c in newsroom.calls if c.method == "tools/list"]
    assert all(c.tool is None and c.args == {} for c in listings)
    assert {c.server for c in listings} == set(nr.SERVERS)  # each server was redeployed


def test_annotations_are_what_servers_declare_and_consistent() -> None:
    assert set(nr.ANNOTATIONS) <= set(TOOLS)
    full = {t for t, a in nr.ANNOTATIONS.items() if len(a) == 4}
    read_only = {t for t, a in nr.ANNOTATIONS.items() if set(a) == {"readOnlyHint"}}
    undeclared = set(TOOLS) - set(nr.ANNOTATIONS)
    assert full
    assert read_only
    assert undeclared
    assert {nr.server_of(t) for t in undeclared} == {"legal-review", "data-desk"}
    for tool, a in nr.ANNOTATIONS.items():
        assert not (a.get("readOnlyHint") and a.get("destructiveHint")), tool
        for name in ("delete", "unpublish"):
            if name in tool:
                assert a["destructiveHint"] is True, tool
    hints = hints_of(nr.ANNOTATIONS)
    assert "destructive" in hints["cms_delete_draft"].split(",")
    assert "readonly" in hints["archive_export"].split(",")
    # a write declared with readOnlyHint false alone is destructive only by the spec's default
    assert "destructive_by_default" in hints["social_cancel_post"].split(",")


def test_traffic_follows_the_stories_the_wires_and_the_shifts(newsroom: Simulation) -> None:
    start, cut = newsroom.config.start_us, newsroom.config.attack_start_us
    hist = [c for c in newsroom.calls if c.ts < cut]
    people = [c for c in hist if not c.user.startswith("svc-")]
    day = Counter((c.ts - start) // DAY_US for c in people)
    weekend, weekdays = [2, 3, 9, 10], [0, 1, 4, 5, 6, 7, 8, 11, 12]  # day 0 is a Thursday
    assert max(day[d] for d in weekend) < 0.6 * min(day[d] for d in weekdays)
    # every story published was drafted and submitted first; reviewed ones were cleared first
    first: dict[tuple[str, str], int] = {}
    for c in hist:
        if c.tool and (c.outcome == "ok" or c.tool != "cms_publish"):
            key = str(c.args.get("draft_id") or c.args.get("article_id") or c.args.get("slug"))
            first.setdefault((c.tool, key), c.ts)
            if c.tool == "legal_clear":
                first.setdefault(("legal_clear", "A-2026-" + str(c.args["review_id"])[3:]), c.ts)
    published = [(k, t) for (tool, k), t in first.items() if tool == "cms_publish"]
    assert len(published) >= 200
    for story, t in published:
        assert first[("cms_create_draft", story)] < first[("cms_submit_for_edit", story)] < t
    reviewed = [(k, t) for k, t in published if ("legal_open_review", k) in first]
    assert reviewed
    assert all(first[("legal_clear", k)] < t for k, t in reviewed if ("legal_clear", k) in first)
    # the wires arrive faster in the European afternoon than in the night
    ingest = Counter(_hour(c) for c in hist if c.tool == "wire_ingest_item")
    assert ingest[14] > 1.8 * ingest[2]
    # London leaves summer time on 25 October: its staff start an hour later in UTC
    london = {u.name for u in newsroom.users if u.role == "reporter" and u.tz_hours == 0.0}
    firsts: dict[tuple[str, int], int] = {}
    for c in people:
        if c.user in london:
            firsts.setdefault((c.user, (c.ts - start) // DAY_US), _hour(c))
    before = [h for (_, d), h in firsts.items() if d < 3]
    after = [h for (_, d), h in firsts.items() if 4 <= d < 13]
    assert statistics.median(after) - statistics.median(before) >= 0.5
    versions = {c.client_version for c in hist if c.client == "newsdesk-assistant"}
    assert versions == {"3.4.2", "3.5.0"}
    assert len({u.tz_hours for u in newsroom.users if u.role != "service"}) >= 6
    # people work inside their hours: one person's calls fill at most ~14 UTC hours of the day
    for h in habits(newsroom).values():
        if not h.user.startswith("svc-"):
            assert len(h.hours) <= 15, h.user


def test_hard_negatives_are_labelled_on_the_scored_day_and_look_as_described(
    newsroom: Simulation,
) -> None:
    cut = newsroom.config.attack_start_us
    assert {b.scenario for b in newsroom.benign_bursts} == set(nr.HARD_NEGATIVES)
    assert len(nr.HARD_NEGATIVES) >= 6
    labelled = [c for c in newsroom.calls if c.label]
    assert all(c.ts >= cut and c.label.startswith("benign:") for c in labelled)
    assert {c.label for c in labelled} == {b.id for b in newsroom.benign_bursts}
    hist = habits(newsroom)
    night = _labelled(newsroom, "benign:election_night")
    assert len({c.user for c in night}) >= 3
    for user in {c.user for c in night}:
        assert not {0, 1, 2, 3, 4} & set(hist[user].hours), user  # they never work nights
    assert all(_hour(c) < 8 for c in night)
    surge = _labelled(newsroom, "benign:breaking_surge")
    woken = {c.user for c in surge if 19 not in hist[c.user].hours}
    assert len(woken) >= 3  # the Asian bureaus, at three in the morning
    assert len({c.user for c in surge}) >= 10
    assert any(c.error_type == "rate_limited" for c in surge)
    takedown = _labelled(newsroom, "benign:legal_takedown")
    gone = [c for c in takedown if c.tool in ("cms_unpublish", "cms_delete_article")]
    assert len(gone) >= 30
    assert not {"cms_unpublish", "cms_delete_article"} & set(hist[gone[0].user].tools)
    moved = _labelled(newsroom, "benign:archive_migration")
    exports = [c for c in moved if c.tool == "archive_export"]
    assert len(exports) >= 50
    assert min(c.result_bytes for c in exports if c.outcome == "ok") >= 5_000_000
    assert "archive_export" not in hist[exports[0].user].tools
    hire = _labelled(newsroom, "benign:new_hire")
    assert hire[0].user not in hist
    assert len({c.server for c in hire}) >= 6
    assert sum(c.outcome == "denied" for c in hire) >= 2
    outage = _labelled(newsroom, "benign:wire_outage")
    failed = [c for c in outage if c.error_type == "upstream_unavailable"]
    replay = [c for c in outage if c.tool == "wire_ingest_item"]
    assert len(failed) >= 100
    assert len(replay) >= 20
    assert min(c.ts for c in replay) > max(c.ts for c in failed)
    trip = _labelled(newsroom, "benign:travelling")
    mine = hist[trip[0].user]
    assert not {_hour(c) for c in trip} & set(mine.hours)
    own = [c for c in trip if c.tool]
    assert len(own) >= 20
    assert sum(c.tool in mine.tools for c in own) >= 0.9 * len(own)
    purge = _labelled(newsroom, "benign:gdpr_purge")
    assert purge[0].user not in hist
    assert sum(c.tool == "subs_delete_subscriber" for c in purge) >= 200


def _novelty_burst(calls: list[SimCall], h: Habit, knob: dict[str, float], ever: set[str]) -> None:
    reached = {c.server for c in calls if c.method == "tools/call"}
    assert len(reached) == knob["new_servers"]
    assert reached.isdisjoint(ever)  # nowhere its person ever went


def _off_hours(calls: list[SimCall], h: Habit, knob: dict[str, float], ever: set[str]) -> None:
    def gap(x: int, y: int) -> int:
        return min((x - y) % 24, (y - x) % 24)

    assert min(gap(_hour(c), y) for c in calls for y in h.hours) >= knob["far_hours"]
    assert {c.tool for c in calls} <= set(h.tools)  # the owner's own tools


def _destructive(calls: list[SimCall], h: Habit, knob: dict[str, float], ever: set[str]) -> None:
    (tool,) = {str(c.tool) for c in calls}
    assert nr.ANNOTATIONS[tool]["destructiveHint"] is True
    assert nr.server_of(tool) in h.servers
    assert max(Counter(c.ts // 60_000_000 for c in calls).values()) <= 30  # under a rate limit


def _error_storm(calls: list[SimCall], h: Habit, knob: dict[str, float], ever: set[str]) -> None:
    (tool,) = {str(c.tool) for c in calls}
    assert tool in h.tools
    assert sum(c.outcome != "ok" for c in calls) >= knob["fail"] * len(calls)
    floor = max(knob["size"] * h.args_max(tool), knob["min_bytes"])
    assert min(args_size(c.args) for c in calls) > floor


def _bulk_read(calls: list[SimCall], h: Habit, knob: dict[str, float], ever: set[str]) -> None:
    (tool,) = {str(c.tool) for c in calls}
    assert tool in h.tools
    assert min(c.result_bytes for c in calls) >= knob["result_kb"] * 1000


_SHAPES = {f.__name__.lstrip("_"): f for f in
           (_novelty_burst, _off_hours, _destructive, _error_storm, _bulk_read)}  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2])
def test_every_incident_departs_from_its_victims_own_history_as_its_knobs_say(
    newsroom: Simulation, struck: dict[str, Simulation], seed: int
) -> None:
    assert set(_SHAPES) == set(nr.FAMILIES)
    before = habits(newsroom)
    scored = newsroom.config.attack_start_us
    in_negatives = {c.user for c in newsroom.calls if c.label}
    servers: dict[str, set[str]] = {}
    for c in newsroom.calls:
        servers.setdefault(c.user, set()).add(c.server)
    for level in nr.INTENSITIES:
        sim = struck[level] if seed == 1 else nr.inject(newsroom, intensity=level, seed=seed)
        assert [i.scenario for i in sim.incidents] == list(nr.FAMILIES)
        assert len({i.user for i in sim.incidents}) == len(nr.FAMILIES)
        assert [c for c in sim.calls if not c.label.startswith(nr.FAMILIES)] == newsroom.calls
        by_label: dict[str, list[SimCall]] = {}
        for c in sim.calls:
            by_label.setdefault(c.label, []).append(c)
        for inc in sim.incidents:
            h, knob, calls = before[inc.user], nr.KNOBS[inc.scenario][level], by_label[inc.id]
            assert not inc.user.startswith("svc-")
            assert inc.user not in in_negatives
            assert len(h.days) >= 5
            assert scored <= inc.start <= inc.end < newsroom.config.end_us
            assert len(calls) == inc.calls == knob["calls"]
            assert (inc.end - inc.start) / 60e6 <= knob["minutes"]
            who = {(c.user, c.client, c.client_version) for c in calls}
            assert who == {(inc.user, h.client, h.version)}  # the victim's own identity
            _SHAPES[inc.scenario](calls, h, knob, servers[inc.user])


def test_knobs_rise_with_intensity_and_attacks_vary_with_the_seed(newsroom: Simulation) -> None:
    assert set(nr.KNOBS) == set(nr.FAMILIES)
    for family, levels in nr.KNOBS.items():
        for knob in levels["low"]:
            low, mid, high = (levels[i][knob] for i in nr.INTENSITIES)
            if knob == "minutes":  # faster
                assert low > mid > high, (family, knob)
            else:
                assert low < mid < high, (family, knob)
    runs = [nr.inject(newsroom, intensity="low", seed=s) for s in (1, 2, 3, 4)]
    for n, family in enumerate(nr.FAMILIES):
        victims = {r.incidents[n].user for r in runs}
        starts = {r.incidents[n].start % DAY_US // 60_000_000 for r in runs}
        assert len(victims) >= 2 or len(starts) >= 3, family


def test_the_shared_library_injects_on_this_traffic(newsroom: Simulation) -> None:
    sim = library.inject(newsroom, library.FAMILIES, "mid", seed=1, annotations=nr.ANNOTATIONS)
    assert {i.scenario for i in sim.incidents} == set(library.FAMILIES)
    assert all(i.start >= newsroom.config.attack_start_us for i in sim.incidents)


_REFUSALS = [
    pytest.param({"families": ("teleport",)}, "families", id="unknown family"),
    pytest.param({"intensity": "extreme"}, "intensity", id="unknown intensity"),
    pytest.param({"per_family": -1}, "per_family", id="negative count"),
    pytest.param({"families": ("destructive",), "per_family": 200}, "per_family", id="no victims"),
]


@pytest.mark.parametrize(("kwargs", "field"), _REFUSALS)
def test_inject_refuses_bad_arguments_naming_the_field(
    newsroom: Simulation, kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(ValueError, match=field):
        nr.inject(newsroom, **kwargs)


def test_config_and_foreign_traffic_are_refused_naming_the_field(newsroom: Simulation) -> None:
    teleport = replace(newsroom.calls[0], method="tools/call", tool="teleport")
    with pytest.raises(ValueError, match="base"):
        nr.inject(Simulation(newsroom.config, [teleport], [], []))
    for kwargs, field in (({"reporters": 3}, "reporters"), ({"days": 2}, "days"),
                          ({"stringers": 0}, "stringers")):  # fmt: skip
        with pytest.raises(ValueError, match=field):
            nr.NewsroomConfig(**kwargs)


@pytest.mark.store
@pytest.mark.slow
def test_election_night_and_an_attack_go_through_the_real_path_as_framed(
    struck: dict[str, Simulation], tmp_path: Path
) -> None:
    """Half an hour of the scored night (the live blog, the purge job, the wires) and the mid
    error storm (huge arguments, failures, refusals) through emitter, collector and store."""
    sim = struck["mid"]
    storm = next(i for i in sim.incidents if i.scenario == "error_storm")
    night = next(b for b in sim.benign_bursts if b.scenario == "benign:election_night")
    t0 = sim.config.attack_start_us + 4 * HOUR_US
    end = t0 + 30 * 60_000_000
    part = [c for c in sim.calls if c.label == storm.id or t0 <= c.ts < end]
    assert Counter(c.method for c in part)["tools/call"] > 50
    assert {c.label for c in part} >= {storm.id, night.id}
    assert {c.outcome for c in part} == {"ok", "error", "denied"}
    assert_stored_as_framed(Simulation(sim.config, part, [storm], [night]), tmp_path,
                            b"newsroom-key", nr.ANNOTATIONS)  # fmt: skip
