"""The newsroom generator: deterministic, recordable, labelled as it promises."""

from __future__ import annotations

import statistics
from collections import Counter
from types import SimpleNamespace

import pytest

from tooltrail.simulator import SimCall, Simulation
from tooltrail.simulator import newsroom as nr
from tooltrail.simulator.frame import hints_of
from tooltrail.simulator.newsroom.catalog import TOOLS
from tooltrail.simulator.newsroom.habits import habits

from . import _interface as shared
from ._generators import Traffic
from ._interface import DAY_US, HOUR_US, labelled


def _hour(c: SimCall) -> int:
    return c.ts % DAY_US // HOUR_US


def _histories(sim: Simulation) -> dict[str, SimpleNamespace]:
    """:func:`habits` as ``_interface`` reads a history: ``args_max`` a mapping, not a method."""
    return {
        u: SimpleNamespace(
            days=h.days, hours=h.hours, tools=h.tools, args_max={t: h.args_max(t) for t in h.tools}
        )
        for u, h in habits(sim).items()
    }


def test_same_seed_same_traffic_other_seed_other_traffic(base: Simulation) -> None:
    small = nr.NewsroomConfig(seed=1, days=9, reporters=10)
    shared.assert_deterministic(
        nr.generate, small, nr.NewsroomConfig(seed=2, days=9, reporters=10), inject=nr.inject
    )
    assert 30_000 <= len(base.calls) <= 80_000


def test_every_call_is_what_an_emitter_records(base: Simulation) -> None:
    causes = ("timeout", "conflict", "not_found", "sql_error", "card_declined")
    shared.assert_recordable_traffic(
        base, nr.server_of, nr.URI_SCHEMES, errors=causes, servers=nr.SERVERS
    )
    denied = {c.error_type for c in base.calls if c.outcome == "denied"}
    assert {"legal_hold", "refund_limit"} <= denied
    assert 45 <= len({c.tool for c in base.calls if c.tool}) <= len(TOOLS)
    sql = [c for c in base.calls if c.tool and c.tool.startswith("sql_run") and not c.label]
    assert sql
    assert all(str(c.args["sql"]).startswith("SELECT") for c in sql)
    listings = [c for c in base.calls if c.method == "tools/list"]
    assert all(c.tool is None and c.args == {} for c in listings)
    assert {c.server for c in listings} == set(nr.SERVERS)  # each server was redeployed


def test_annotations_are_what_servers_declare_and_consistent(base: Simulation) -> None:
    assert set(nr.ANNOTATIONS) <= set(TOOLS)
    assert {t for t, a in nr.ANNOTATIONS.items() if len(a) == 4}  # all four hints declared
    undeclared = set(TOOLS) - set(nr.ANNOTATIONS)
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


def test_traffic_follows_the_stories_the_wires_and_the_shifts(base: Simulation) -> None:
    start, cut = base.config.start_us, base.config.attack_start_us
    hist = [c for c in base.calls if c.ts < cut]
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
    london = {u.name for u in base.users if u.role == "reporter" and u.tz_hours == 0.0}
    firsts: dict[tuple[str, int], int] = {}
    for c in people:
        if c.user in london:
            firsts.setdefault((c.user, (c.ts - start) // DAY_US), _hour(c))
    before = [h for (_, d), h in firsts.items() if d < 3]
    after = [h for (_, d), h in firsts.items() if 4 <= d < 13]
    assert statistics.median(after) - statistics.median(before) >= 0.5
    versions = {c.client_version for c in hist if c.client == "newsdesk-assistant"}
    assert versions == {"3.4.2", "3.5.0"}
    assert len({u.tz_hours for u in base.users if u.role != "service"}) >= 6
    # people work inside their hours: one person's calls fill at most ~14 UTC hours of the day
    for h in habits(base).values():
        if not h.user.startswith("svc-"):
            assert len(h.hours) <= 15, h.user


def test_the_hard_negatives_look_as_described(
    base: Simulation,
) -> None:
    hist = habits(base)
    night = labelled(base, "benign:election_night")
    assert len({c.user for c in night}) >= 3
    for user in {c.user for c in night}:
        assert not {0, 1, 2, 3, 4} & set(hist[user].hours), user  # they never work nights
    assert all(_hour(c) < 8 for c in night)
    surge = labelled(base, "benign:breaking_surge")
    woken = {c.user for c in surge if 19 not in hist[c.user].hours}
    assert len(woken) >= 3  # the Asian bureaus, at three in the morning
    assert len({c.user for c in surge}) >= 10
    assert any(c.error_type == "rate_limited" for c in surge)
    takedown = labelled(base, "benign:legal_takedown")
    gone = [c for c in takedown if c.tool in ("cms_unpublish", "cms_delete_article")]
    assert len(gone) >= 30
    assert not {"cms_unpublish", "cms_delete_article"} & set(hist[gone[0].user].tools)
    moved = labelled(base, "benign:archive_migration")
    exports = [c for c in moved if c.tool == "archive_export"]
    assert len(exports) >= 50
    assert min(c.result_bytes for c in exports if c.outcome == "ok") >= 5_000_000
    assert "archive_export" not in hist[exports[0].user].tools
    hire = labelled(base, "benign:new_hire")
    assert hire[0].user not in hist
    assert len({c.server for c in hire}) >= 6
    assert sum(c.outcome == "denied" for c in hire) >= 2
    outage = labelled(base, "benign:wire_outage")
    failed = [c for c in outage if c.error_type == "upstream_unavailable"]
    replay = [c for c in outage if c.tool == "wire_ingest_item"]
    assert len(failed) >= 100
    assert len(replay) >= 20
    assert min(c.ts for c in replay) > max(c.ts for c in failed)
    trip = labelled(base, "benign:travelling")
    mine = hist[trip[0].user]
    assert not {_hour(c) for c in trip} & set(mine.hours)
    own = [c for c in trip if c.tool]
    assert len(own) >= 20
    assert sum(c.tool in mine.tools for c in own) >= 0.9 * len(own)
    purge = labelled(base, "benign:gdpr_purge")
    assert purge[0].user not in hist
    assert sum(c.tool == "subs_delete_subscriber" for c in purge) >= 200


@pytest.mark.parametrize("seed", [1, 2])
def test_every_incident_departs_from_its_victims_own_history_as_its_knobs_say(
    traffic: Traffic, gen: str, seed: int
) -> None:
    before = habits(traffic.base(gen))
    for level, sim in traffic.attacked(gen, seed).items():
        for inc in sim.incidents:
            h, knob = before[inc.user], nr.KNOBS[inc.scenario][level]
            calls = [c for c in sim.calls if c.label == inc.id]
            tools = {str(c.tool) for c in calls if c.tool}
            assert not inc.user.startswith("svc-")  # the victims are people
            who = {(c.user, c.client, c.client_version) for c in calls}
            assert who == {(inc.user, h.client, h.version)}  # the victim's own identity
            if inc.scenario == "destructive":
                assert {nr.server_of(t) for t in tools} <= h.servers  # a server they use
            elif inc.scenario == "error_storm":  # no call's slack: at least the knob's share
                assert sum(c.outcome != "ok" for c in calls) >= knob["fail"] * len(calls)
            elif inc.scenario == "bulk_read":
                (tool,) = tools
                assert tool in h.tools  # a read tool the victim uses


def test_knobs_rise_with_intensity_and_attacks_vary_with_the_seed(base: Simulation) -> None:
    assert set(nr.KNOBS) == set(nr.FAMILIES)
    for family, levels in nr.KNOBS.items():
        for knob in levels["low"]:
            low, mid, high = (levels[i][knob] for i in nr.INTENSITIES)
            if knob == "minutes":  # faster
                assert low > mid > high, (family, knob)
            else:
                assert low < mid < high, (family, knob)
    runs = [nr.inject(base, intensity="low", seed=s) for s in (1, 2, 3, 4)]
    for n, family in enumerate(nr.FAMILIES):
        victims = {r.incidents[n].user for r in runs}
        starts = {r.incidents[n].start % DAY_US // 60_000_000 for r in runs}
        assert len(victims) >= 2 or len(starts) >= 3, family
