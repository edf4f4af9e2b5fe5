"""The university generator: deterministic, recordable, calendar-driven, labelled as promised."""

from __future__ import annotations

from collections import Counter

import pytest

from tooltrail.simulator import SimCall, Simulation
from tooltrail.simulator.campus import (
    ANNOTATIONS,
    FAMILIES,
    HARD_NEGATIVES,
    SERVERS,
    URI_SCHEMES,
    CampusConfig,
    generate,
    inject,
    server_of,
)

from . import _interface as shared
from ._generators import Traffic
from ._interface import DAY_US, HOUR_US, labelled


def test_same_seed_same_traffic_other_seed_other_traffic(base: Simulation) -> None:
    shared.assert_deterministic(
        generate, CampusConfig(seed=1), CampusConfig(seed=2), first=base, inject=inject
    )
    assert 100_000 <= len(base.calls) <= 300_000


def test_every_call_is_what_an_emitter_records(base: Simulation) -> None:
    causes = ("timeout", "validation_error", "not_found", "forbidden", "service_unavailable")
    shared.assert_recordable_traffic(base, server_of, URI_SCHEMES, errors=causes, servers=SERVERS)
    assert all(c.outcome == "denied" for c in base.calls if c.error_type == "forbidden")
    sessions = Counter(c.session_id for c in base.calls if c.method == "tools/list")
    first = {}
    for c in base.calls:
        first.setdefault(c.session_id, c)
    assert all(c.method == "tools/list" for c in first.values())  # sessions open with a listing
    assert len(sessions) > 10_000


def test_which_servers_annotate_fully_and_which_not_at_all(base: Simulation) -> None:
    used = {c.tool for c in base.calls if c.tool}
    full = {t for t in used if "destructiveHint" in ANNOTATIONS.get(t, {})}
    assert {server_of(t) for t in used - set(ANNOTATIONS)} == {"library", "helpdesk", "git"}
    assert {server_of(t) for t in full} == {"lms", "rds", "identity", "finance"}


def test_traffic_follows_the_calendar(base: Simulation) -> None:
    start, cut = base.config.start_us, base.config.attack_start_us
    hist = [c for c in base.calls if c.ts < cut]

    def day(c: SimCall) -> int:
        return (c.ts - start) // DAY_US

    uploads = [c for c in hist if c.tool == "submission_upload"]
    # submissions pile up in the hours before a 23:59 deadline
    late = sum(c.ts % DAY_US >= 20 * HOUR_US for c in uploads)
    assert late > 0.5 * len(uploads)
    # weekends (days 4, 5, 11, 12 from a Tuesday) are quieter for people, not for instruments
    people = Counter(day(c) for c in hist if not c.user.startswith("svc-"))
    assert max(people[d] for d in (4, 5, 11, 12)) < 0.6 * min(people[d] for d in (1, 2, 7, 8))
    mass = Counter(day(c) for c in hist if c.user == "svc-instr-massspec")
    assert min(mass.values()) > 50
    assert set(mass) == set(range(13))
    # the grading follows deadlines: TAs download submissions only after one passed
    first_due = min(day(c) for c in uploads)
    assert min(day(c) for c in hist if c.tool == "submission_download") > first_due
    # visiting researchers abroad work in their own time zone
    tz = {u.name: u.tz_hours for u in base.users}
    visiting = [c for c in hist if tz.get(c.user) == 8.0 and c.user.startswith("v.")]
    assert visiting
    assert Counter(c.ts % DAY_US // HOUR_US for c in visiting).most_common(1)[0][0] < 10
    assert {c.client_version for c in hist if c.client == "campus-assistant"} == {"1.8.2", "1.9.0"}


def test_the_hard_negatives_look_as_described(
    base: Simulation,
) -> None:
    cut = base.config.attack_start_us
    seen = {c.user for c in base.calls if c.ts < cut}
    surge = labelled(base, "benign:deadline_surge")
    assert Counter(c.tool for c in surge)["submission_upload"] >= 100
    assert max(c.ts for c in surge) - cut > 23 * HOUR_US
    grades = labelled(base, "benign:grade_deadline")
    assert len({c.user for c in grades}) == 12
    assert all(c.ts - cut < 17 * HOUR_US for c in grades)
    requeue = labelled(base, "benign:hpc_requeue")
    failed = [c for c in requeue if c.error_type == "service_unavailable"]
    assert len(failed) >= 30
    assert Counter(c.tool for c in requeue)["job_submit"] >= 300
    assert max(c.ts for c in failed) < min(c.ts for c in requeue if c.tool == "job_submit")
    fresh = labelled(base, "benign:account_provisioning")
    assert Counter(c.tool for c in fresh)["account_create"] >= 100
    assert len({c.user for c in fresh} - seen) >= 5  # new students, never seen before
    purge = labelled(base, "benign:expired_purge")
    assert Counter(c.tool for c in purge)["account_delete"] >= 60
    assert all(c.ts - cut < 4 * HOUR_US for c in purge)
    night = labelled(base, "benign:visiting_abroad")
    assert night[0].user in seen
    assert all(c.ts - cut < 7 * HOUR_US for c in night)
    role = labelled(base, "benign:role_change")
    assert "registrar" in {c.server for c in role}
    assert "registrar" not in {c.server for c in base.calls if c.user == role[0].user and
                                not c.label}  # fmt: skip
    lock = labelled(base, "benign:exam_lockdown")
    assert all(c.outcome == "denied" for c in lock if c.method == "tools/call")
    review = labelled(base, "benign:systematic_review")
    assert Counter(c.tool for c in review)["ejournal_fetch"] >= 200
    assert len({c.user for c in labelled(base, "benign:conference_allnighter")}) == 4


@pytest.mark.parametrize("seed", [1, 2])
def test_the_attacks_take_this_worlds_victims_and_tools(
    base: Simulation, traffic: Traffic, gen: str, seed: int
) -> None:
    sims = list(traffic.attacked(gen, seed).values())
    roles = {u.name: u.role for u in base.users}
    for sim in sims:
        inc = {i.scenario: i for i in sim.incidents}
        assert roles[inc["novelty_burst"].user] == "student"
        assert roles[inc["destructive"].user] in ("researcher", "visiting")
        assert roles[inc["bulk_read"].user] == "ta"
        probe = [c for c in sim.calls if c.label == inc["error_storm"].id and c.tool]
        assert {c.tool for c in probe} <= {"forum_search", "catalogue_search"}
        assert any(c.outcome == "ok" for c in probe)  # some payloads get through


def test_a_small_week_still_holds_every_hard_negative_and_family() -> None:
    small = generate(CampusConfig(seed=3, days=7, students=80))
    shared.assert_hard_negatives_labelled(small, HARD_NEGATIVES)
    sim = inject(small, intensity="high", seed=1)
    assert [i.scenario for i in sim.incidents] == list(FAMILIES)
