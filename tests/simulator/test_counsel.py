"""The law-firm generator: deterministic, recordable, caused by its calendar, labelled as it
promises (the checks every generator shares are in ``test_generator_interface.py``)."""

from __future__ import annotations

from collections import Counter, defaultdict
from statistics import median

import pytest

from tooltrail.simulator import SimCall, Simulation
from tooltrail.simulator._history import histories
from tooltrail.simulator.counsel import (
    ANNOTATIONS,
    HARD_NEGATIVES,
    SERVERS,
    URI_SCHEMES,
    CounselConfig,
    generate,
    inject,
    server_of,
)
from tooltrail.simulator.counsel.catalog import DESTRUCTIVE, TOOLS

from . import _interface as shared
from ._generators import Traffic
from ._interface import DAY_US, HOUR_US, MINUTE_US, labelled


def test_same_seed_same_traffic_other_seed_other_traffic(base: Simulation) -> None:
    shared.assert_deterministic(
        generate, CounselConfig(seed=1), CounselConfig(seed=2), first=base, inject=inject
    )
    assert 30_000 <= len(base.calls) <= 80_000
    assert 70 <= len({c.user for c in base.calls}) <= 90


def test_every_call_is_what_an_emitter_records(base: Simulation) -> None:
    causes = ("timeout", "conflict", "validation_error", "forbidden", "service_unavailable")
    shared.assert_recordable_traffic(base, server_of, URI_SCHEMES, errors=causes, servers=SERVERS)
    assert all(c.outcome == "denied" for c in base.calls if c.error_type == "forbidden")

    def sizes(tool: str) -> float:
        return median(c.result_bytes for c in base.calls if c.tool == tool)

    assert sizes("privilege_log_export") > 100 * sizes("doc_profile_get")
    assert sizes("doc_get") > 10 * sizes("doc_checkout")
    # a timeout or an outage is retried with the same arguments, in the same session
    for i, c in enumerate(base.calls[:-1]):
        if c.error_type == "timeout" and c.tool == "doc_search":
            again = next(x for x in base.calls[i + 1 :] if x.session_id == c.session_id)
            assert (again.tool, again.args) == (c.tool, c.args)


def test_the_servers_annotate_in_three_styles() -> None:
    styles: dict[str, set[str]] = defaultdict(set)
    for tool in TOOLS:
        ann = ANNOTATIONS.get(tool)
        styles["absent" if ann is None else str(len(ann))].add(server_of(tool))
    assert styles["absent"] == {"efiling", "research", "mail"}
    assert styles["1"] == {"review", "docketing", "conflicts", "dataroom"}
    assert styles["4"] == {"dms", "matters", "timebill", "records", "identity"}
    assert {"doc_delete", "disposition_execute", "session_revoke"} <= DESTRUCTIVE


def test_traffic_follows_the_court_calendar_the_offices_and_the_holidays(
    base: Simulation,
) -> None:
    start, cut = base.config.start_us, base.config.attack_start_us
    tz = {u.name: u.tz_hours for u in base.users}
    role = {u.name: u.role for u in base.users}
    hist = [c for c in base.calls if c.ts < cut]

    def day(c: SimCall) -> int:
        return (c.ts - start) // DAY_US

    def local(c: SimCall) -> tuple[int, float]:
        t = c.ts + int(tz[c.user] * HOUR_US) - start
        return t // DAY_US, t % DAY_US / HOUR_US

    # associates' late nights come before their matters' court filings
    filed: dict[str, set[int]] = defaultdict(set)
    for c in hist:
        if c.tool == "filing_submit" and c.outcome == "ok":
            filed[c.args["client_ref"]].add(local(c)[0])
    saves = [c for c in hist if c.tool == "doc_save_version" and role[c.user] == "associate"]

    def before_filing(c: SimCall) -> bool:
        d = local(c)[0]
        return any(0 <= f - d <= 1 for f in filed[c.args["workspace"]])

    late = [c for c in saves if not 4 <= local(c)[1] < 22.5]
    assert len(late) > 30
    assert sum(map(before_filing, late)) / len(late) > 0.6
    assert sum(map(before_filing, saves)) / len(saves) < 0.45
    # every filing is validated first, in the clerk's (or a Singapore paralegal's) session
    for c in hist:
        if c.tool == "filing_submit" and c.outcome == "ok":
            assert role[c.user] in ("docketing", "paralegal")
            assert any(
                x.tool == "filing_validate" and x.ts < c.ts
                for x in hist
                if x.session_id == c.session_id
            )
    # New York stops for Thanksgiving (day 9); London does not; weekends are quiet everywhere
    people = Counter((day(c), tz[c.user]) for c in hist if not c.user.startswith("svc-"))
    assert people[9, -5.0] < 0.5 * people[8, -5.0]
    assert people[9, 0.0] > 0.7 * people[8, 0.0]
    assert all(people[d, 0.0] < 0.25 * people[7, 0.0] for d in (4, 5, 11, 12))
    assert {u.tz_hours for u in base.users if u.role != "service"} == {-5.0, 0.0, 1.0, 8.0}
    # Singapore works while New York sleeps
    sgp = Counter(c.ts % DAY_US // HOUR_US for c in hist if tz[c.user] == 8.0)
    assert sum(n for h, n in sgp.items() if h < 12) > 0.85 * sum(sgp.values())
    # each working day's new matters are re-checked by the conflicts job the next night
    submitted = Counter(day(c) for c in hist if c.tool == "intake_submit" and c.outcome == "ok")
    rechecked = Counter(
        day(c) - 1
        for c in hist
        if c.tool == "conflicts_run" and c.user == "svc-conflicts" and c.outcome == "ok"
    )
    assert submitted
    assert {d: n for d, n in submitted.items() if d < 12} == rechecked
    # only litigation support runs productions; the records job disposes only on Sundays
    assert {role[c.user] for c in hist if c.tool == "production_run"} == {"litsupport"}
    assert {day(c) for c in hist if c.tool == "disposition_execute"} == {5, 12}
    # the desktop client updated mid-history
    first = min(day(c) for c in hist if c.client_version == "0.14.12")
    assert first == 7
    assert {c.client_version for c in hist if c.client == "claude-desktop"} == {
        "0.14.10",
        "0.14.12",
    }


def test_the_hard_negatives_look_as_described(base: Simulation) -> None:
    shared.assert_hard_negatives_labelled(base, HARD_NEGATIVES, at_least=10)
    cut = base.config.attack_start_us
    seen = {c.user for c in base.calls if c.ts < cut}
    tz = {u.name: u.tz_hours for u in base.users}

    def tools(name: str) -> Counter[str | None]:
        return Counter(c.tool for c in labelled(base, name))

    production = labelled(base, "benign:ediscovery_production")
    assert tools("benign:ediscovery_production")["review_doc_get"] >= 100
    assert max(c.result_bytes for c in production) >= 2_000_000
    assert tools("benign:litigation_hold")["hold_apply"] >= 45
    purge = labelled(base, "benign:retention_purge")
    assert {c.user for c in purge} == {"svc-records"}
    disposed = {c.args["matter"] for c in purge if c.tool in DESTRUCTIVE and c.outcome == "ok"}
    assert len(disposed) == 100
    lateral = labelled(base, "benign:lateral_partner")
    assert lateral[0].user not in seen
    assert lateral[0].method == "tools/list"
    assert sum(c.outcome == "denied" for c in lateral) >= 3
    night = labelled(base, "benign:filing_allnighter")
    assert night[0].user in seen
    hours = {int((c.ts % DAY_US / HOUR_US + tz[c.user]) % 24) for c in night}
    assert hours >= {23, 0, 1, 2, 3, 4}  # New York's night
    assert sum(c.tool == "citator_check" for c in night) >= 50
    billing = labelled(base, "benign:month_end_billing")
    assert tools("benign:month_end_billing")["prebill_generate"] >= 60
    assert max(c.result_bytes for c in billing) >= 2_000_000
    closing = labelled(base, "benign:deal_closing")
    assert tools("benign:deal_closing")["dataroom_download"] >= 200
    assert closing[-1].ts - closing[0].ts < 2 * HOUR_US
    assert tools("benign:conflicts_rerun")["conflicts_run"] >= 120
    outage = labelled(base, "benign:efiling_outage")
    failed = [c for c in outage if c.error_type == "service_unavailable"]
    assert len(failed) >= 15
    filed = [c for c in outage if c.tool == "filing_submit" and c.outcome == "ok"]
    assert len({c.args["case"] for c in filed}) == 3
    assert tools("benign:departing_transfer")["matter_transfer"] >= 30
    assert tools("benign:phishing_response")["session_revoke"] >= 40
    # none of them is the only thing on the scored day
    scored = [c for c in base.calls if c.ts >= cut]
    assert sum(not c.label for c in scored) > 2 * sum(bool(c.label) for c in scored)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_attacks_take_this_firms_victims_and_tools(
    base: Simulation, traffic: Traffic, gen: str, seed: int
) -> None:
    sims = list(traffic.attacked(gen, seed).values())
    hist = histories(base)
    role = {u.name: u.role for u in base.users}
    sessions = {c.session_id for c in base.calls}
    negative = {c.user for c in base.calls if c.label}
    for sim in sims:
        inc = {i.scenario: i for i in sim.incidents}
        for i in sim.incidents:
            calls = [c for c in sim.calls if c.label == i.id]
            assert i.user not in negative
            assert role[i.user] != "service"
            assert len(hist[i.user].days) >= 5
            assert len({c.session_id for c in calls}) == 1  # a session of its own
            assert not {c.session_id for c in calls} & sessions
        hijack = [c for c in sim.calls if c.label == inc["novelty_burst"].id]
        assert role[hijack[0].user] in ("assistant", "paralegal")
        wiped = {c.tool for c in sim.calls if c.label == inc["destructive"].id and c.tool}
        assert wiped <= DESTRUCTIVE
        assert {server_of(str(t)) for t in wiped} <= hist[inc["destructive"].user].servers
        taken = {c.tool for c in sim.calls if c.label == inc["bulk_read"].id and c.tool}
        assert taken <= set(hist[inc["bulk_read"].user].tools)
        replayed = [c for c in sim.calls if c.label == inc["off_hours"].id and c.tool]
        assert all(c.args for c in replayed)
    victims = {i.user for s in sims for i in s.incidents}
    starts = {i.start // MINUTE_US for s in sims for i in s.incidents}
    assert len(victims | starts) > 5


def test_too_few_days_or_a_second_scored_day_are_refused() -> None:
    with pytest.raises(ValueError, match="days"):
        CounselConfig(days=7)
    with pytest.raises(ValueError, match="attack_days"):
        CounselConfig(attack_days=2)
    with pytest.raises(ValueError, match="intake_per_day"):
        CounselConfig(intake_per_day=-1)


def test_the_knobs_make_each_family_louder_and_faster(traffic: Traffic, gen: str) -> None:
    sims = traffic.attacked(gen)

    def incident(level: str, family: str) -> tuple[int, int, list[SimCall]]:
        inc = next(i for i in sims[level].incidents if i.scenario == family)
        calls = [c for c in sims[level].calls if c.label == inc.id and c.tool]
        return len(calls), inc.end - inc.start, calls

    for family in ("novelty_burst", "off_hours", "destructive", "error_storm", "bulk_read"):
        (n0, span0, _), (n1, span1, _), (n2, span2, _) = (
            incident(level, family) for level in ("low", "mid", "high")
        )
        assert n0 < n1 < n2
        assert span0 > span1 > span2
    sizes = [
        min(len(str(c.args)) for c in incident(level, "error_storm")[2])
        for level in ("low", "mid", "high")
    ]
    assert sizes == sorted(sizes)
    pages = [
        min(c.result_bytes for c in incident(level, "bulk_read")[2])
        for level in ("low", "mid", "high")
    ]
    assert pages[0] < pages[1] < pages[2]
    assert pages[0] >= 120_000
