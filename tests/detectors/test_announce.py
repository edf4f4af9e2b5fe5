"""Announced activity (the change calendar) through the real alert store on chDB: what it demotes,
and the adversary rules — never critical or integrity alerts, never a window that ended before it
was filed, never after its withdrawal, never another actor or family, never longer than allowed,
the same decisions after a restart, and a record of every filing and withdrawal."""

from __future__ import annotations

import time

import pytest

from tests.detectors.conftest import MINUTE, T0, build_alert
from tooltrail.detectors.alert import Alert
from tooltrail.detectors.alertstore import AlertStore
from tooltrail.detectors.announce import (
    FAMILY_KINDS,
    KINDS,
    RULE_KINDS,
    kind_of,
    parse_families,
)
from tooltrail.detectors.errors import AnnouncementError
from tooltrail.detectors.families import FAMILY_NAMES
from tooltrail.detectors.metrics import Metrics
from tooltrail.detectors.rules import default_rules
from tooltrail.detectors.settings import DetectSettings
from tooltrail.pipeline.store import Store

pytestmark = pytest.mark.store

HOUR = 60 * MINUTE


def _gate(store: Store, metrics: Metrics | None = None) -> AlertStore:
    return AlertStore(store, cooldown_us=0, metrics=metrics)  # every window its own alert


def _file(alerts: AlertStore, **kw: object) -> str:
    """An announcement for u-17 over [T0 - 1 h, T0 + 3 h], filed at T0 (event time)."""
    args: dict[str, object] = {
        "actors": ["u-17"],
        "start_us": T0 - HOUR,
        "end_us": T0 + 3 * HOUR,
        "reason": "CHG-123 approved clean-up",
        "by": "alice",
        "created_us": T0,
    }
    args.update(kw)
    return alerts.announce(**args).id  # type: ignore[arg-type]


def _stored(alerts: AlertStore, alert: Alert) -> Alert:
    return alerts.get(alert.id)


def test_a_covered_alert_is_kept_but_demoted_to_low(store: Store) -> None:
    metrics = Metrics()
    alerts = _gate(store, metrics)
    ann = _file(alerts)
    candidate = build_alert(start_min=10, severity="high", detector="rule:family:destructive")
    out = alerts.offer(candidate)
    assert out is not None
    stored = _stored(alerts, candidate)
    assert stored.severity == "low"
    assert stored.original_severity == "high"
    assert stored.announcement == ann
    assert stored.reason == (
        f"many more calls than usual (announced: CHG-123 approved clean-up, by alice, {ann})"
    )
    assert metrics.alerts_suppressed.labels(reason="announced")._value.get() == 1


@pytest.mark.parametrize(
    ("detector", "kind", "severity"),
    [
        ("model:user", "user", "critical"),  # critical: never
        ("rule:integrity", "stream", "critical"),  # a chain break
        ("rule:tool_drift", "user", "high"),  # tampering findings, whatever their severity
        ("rule:reconcile", "user", "high"),
    ],
)
def test_critical_and_integrity_alerts_are_never_announced_away(
    store: Store, detector: str, kind: str, severity: str
) -> None:
    alerts = _gate(store)
    _file(alerts, actors=["u-17"])
    candidate = build_alert(start_min=10, severity=severity, detector=detector, entity_kind=kind)
    alerts.offer(candidate)
    stored = _stored(alerts, candidate)
    assert (stored.severity, stored.announcement, stored.original_severity) == (severity, "", "")


def test_a_window_that_ended_before_the_filing_is_not_covered(store: Store) -> None:
    alerts = _gate(store)
    _file(alerts, created_us=T0 + 30 * MINUTE)
    before = build_alert(start_min=10, length_min=20, severity="high")  # ends at the filing
    after = build_alert(start_min=31, length_min=10, severity="high")  # ends after it
    alerts.offer_many([before, after])
    assert _stored(alerts, before).severity == "high"
    assert _stored(alerts, after).severity == "low"


def test_an_alert_already_paged_stays_as_it_was(store: Store) -> None:
    """Paged, then announced (the window ends after the filing): a replay, a completion or a
    merge of that alert never lowers it."""
    alerts = AlertStore(store)  # with the cooldown: later windows merge into the page
    paged = build_alert(start_min=0, severity="high", detector="rule:rate_limit")
    assert alerts.offer(paged, live=True) is not None
    _file(alerts, created_us=T0 + MINUTE)
    completed = build_alert(start_min=0, severity="high", detector="rule:rate_limit", score=0.95)
    later = build_alert(start_min=12, severity="high", detector="rule:rate_limit", score=2.0)
    alerts.offer_many([completed, later])
    stored = _stored(alerts, paged)
    assert (stored.severity, stored.announcement, stored.count) == ("high", "", 2)
    assert "announced" not in stored.reason
    assert AlertStore(store).offer(completed) is None  # after a restart: a replay, unchanged
    assert _stored(alerts, paged).severity == "high"


def test_a_withdrawn_announcement_stops_applying_at_its_withdrawal(store: Store) -> None:
    alerts = _gate(store)
    now = time.time_ns() // 1000
    ann = alerts.announce(["u-17"], now - HOUR, now + 3 * HOUR, "pentest PT-7", by="alice")
    inside = build_alert(start_min=0, length_min=1, offset_us=now - T0, severity="high")
    alerts.offer(inside)
    assert _stored(alerts, inside).severity == "low"
    withdrawn = alerts.withdraw(ann.id, by="bob")
    assert withdrawn.withdrawn_by == "bob"
    assert withdrawn.withdrawn_us is not None
    assert withdrawn.withdrawn_us >= now
    later = build_alert(start_min=2, length_min=1, offset_us=now - T0, severity="high")
    alerts.offer(later)
    assert _stored(alerts, later).severity == "high"
    with pytest.raises(AnnouncementError, match="already withdrawn by bob") as caught:
        alerts.withdraw(ann.id, by="bob")
    assert caught.value.field == "id"
    kept = [a for a in alerts.calendar.all() if a.id == ann.id]
    assert [a.withdrawn_by for a in kept] == ["bob"]  # kept, marked withdrawn


@pytest.mark.parametrize(
    ("entity", "detector", "families"),
    [
        ("u-99", "rule:family:destructive", ()),  # another actor
        ("u-17", "rule:family:bulk_read", ("destructive",)),  # a family not announced
        ("u-17", "model:user", ("destructive", "rate_limit")),
        ("u-17", "rule:rate_limit", ("models",)),
    ],
)
def test_another_actor_or_an_unannounced_family_is_not_covered(
    store: Store, entity: str, detector: str, families: tuple[str, ...]
) -> None:
    alerts = _gate(store)
    _file(alerts, families=families)
    candidate = build_alert(start_min=10, severity="high", entity=entity, detector=detector)
    alerts.offer(candidate)
    assert _stored(alerts, candidate).severity == "high"


def test_an_agent_or_tool_alert_of_the_actor_is_covered(store: Store) -> None:
    alerts = _gate(store)
    _file(alerts, families=("models",))
    tool = build_alert(start_min=10, entity="u-17|fs.delete", entity_kind="user_tool")
    server = build_alert(start_min=10, entity="fs|delete", entity_kind="server_tool", actor="u-17")
    alerts.offer_many([tool, server])
    assert [_stored(alerts, a).severity for a in (tool, server)] == ["low", "low"]


def test_outside_the_announced_window_is_not_covered(store: Store) -> None:
    alerts = _gate(store)
    _file(alerts, end_us=T0 + HOUR)
    crosses = build_alert(start_min=55, length_min=10, severity="high")
    alerts.offer(crosses)
    assert _stored(alerts, crosses).severity == "high"


def test_a_replay_after_a_restart_makes_the_same_decisions(store: Store) -> None:
    alerts = _gate(store)
    _file(alerts, created_us=T0 + 30 * MINUTE, families=("models", "destructive"))
    candidates = [
        build_alert(start_min=m, severity=s, detector=d)
        for m, s, d in [
            (0, "high", "model:user"),  # ended before the filing
            (40, "high", "model:user"),  # covered
            (40, "medium", "rule:family:destructive"),  # covered
            (40, "high", "rule:family:bulk_read"),  # another family
            (52, "critical", "model:user"),  # critical (a window of its own)
        ]
    ]
    alerts.offer_many(candidates)

    def decided(gate: AlertStore) -> dict[str, tuple[str, ...]]:
        return {
            a.id: (a.severity, a.original_severity, a.announcement, a.reason)
            for a in gate.list(limit=100)
            if a.detector != "announcement"
        }

    first = decided(alerts)
    assert sorted(d[0] for d in first.values()) == ["critical", "high", "high", "low", "low"]
    assert AlertStore(store).offer_many(candidates) == []  # after a restart: replays
    assert decided(AlertStore(store)) == first
    store.command(f"TRUNCATE TABLE {store.database}.alerts")  # a backfill from scratch
    again = _gate(store)  # the announcements stay: the same decisions
    again.offer_many(candidates)
    assert decided(again) == first


def test_a_running_detector_sees_what_another_process_filed(store: Store) -> None:
    running = _gate(store)
    running.calendar.refresh_s = 0  # re-read on every offer
    _file(_gate(store))  # e.g. `tooltrail alerts announce` through up's query endpoint
    candidate = build_alert(start_min=10, severity="high")
    running.offer(candidate)
    assert _stored(running, candidate).severity == "low"


def test_filing_and_withdrawing_are_recorded_as_low_alerts(store: Store) -> None:
    alerts = _gate(store)
    now = time.time_ns() // 1000
    ann = alerts.announce(["u-17", "u-18"], now, now + HOUR, "export Q4", by="mallory")
    alerts.withdraw(ann.id, by="alice")
    records = [a for a in AlertStore(store).list(limit=100) if a.detector == "announcement"]
    assert sorted((a.entity, a.severity, a.entity_kind) for a in records) == [
        ("u-17", "low", "user"), ("u-17", "low", "user"),
        ("u-18", "low", "user"), ("u-18", "low", "user"),
    ]  # fmt: skip
    filed = [a.reason for a in records if "withdrawn" not in a.reason]
    assert len(filed) == 2
    assert all("by mallory" in r and "export Q4" in r for r in filed)
    withdrawn = [a.reason for a in records if "withdrawn" in a.reason]
    assert len(withdrawn) == 2
    assert all("withdrawn by alice" in r for r in withdrawn)


def test_too_long_or_invalid_announcements_are_refused_and_nothing_is_stored(store: Store) -> None:
    alerts = AlertStore(store, announce_max_us=DetectSettings().announce_max_us)
    cases = [
        ({"end_us": T0 + 72 * HOUR}, "end", "at most 72 h"),  # from T0 - 1 h: 73 h
        ({"end_us": T0 - 2 * HOUR}, "end", "after the start"),
        ({"start_us": T0 - 3 * HOUR, "end_us": T0 - 2 * HOUR}, "end", "after it is filed"),
        ({"actors": []}, "actors", "at least one"),
        ({"reason": "  "}, "reason", "empty"),
        ({"reason": "x" * 501}, "reason", "at most 500 characters"),
        ({"by": ""}, "by", "empty"),
        ({"families": ("destructive", "exfil")}, "families", "unknown 'exfil'"),
    ]
    for kw, field, text in cases:
        with pytest.raises(AnnouncementError, match=text) as caught:
            _file(alerts, **kw)
        assert caught.value.field == field
    assert AlertStore(store).calendar.all() == []
    assert AlertStore(store).list(limit=10) == []
    with pytest.raises(AnnouncementError, match="no announcement 'ann-nope'"):
        alerts.withdraw("ann-nope", by="bob")


def test_the_kinds_are_the_detectors_rules_and_families() -> None:
    assert FAMILY_KINDS == FAMILY_NAMES
    assert {r.name for r in default_rules(DetectSettings()).rules} == set(RULE_KINDS)
    assert kind_of("rule:family:off_hours") == "off_hours"
    assert kind_of("model:server_tool") == "models"
    assert kind_of("rule:loop") == "loop"
    assert kind_of("rule:integrity") is None
    assert kind_of("announcement") is None
    assert kind_of("baseline:3sigma") is None
    assert parse_families(["rule:family:off_hours,models", "rule:loop"]) == (
        "off_hours", "models", "loop"
    )  # fmt: skip
    assert parse_families([]) == KINDS


def test_a_withdrawal_is_kept_across_a_restart(store: Store) -> None:
    """Even of an announcement filed (through the API) with a filing time ahead of the clock."""
    now = time.time_ns() // 1000
    for created in (now, now + HOUR):
        ann = _gate(store).announce(
            ["u-17"], now, now + 2 * HOUR, "CHG-5", by="alice", created_us=created
        )
        _gate(store).withdraw(ann.id, by="bob")
        (kept,) = [a for a in AlertStore(store).calendar.all() if a.id == ann.id]
        assert kept.withdrawn_by == "bob"


def test_merged_announced_windows_keep_the_highest_original_severity(store: Store) -> None:
    alerts = AlertStore(store)  # with the cooldown: the second window merges into the first
    _file(alerts)
    first = build_alert(start_min=10, severity="medium", score=3.0)
    alerts.offer_many([first, build_alert(start_min=20, severity="high", score=1.0)])
    merged = _stored(alerts, first)
    assert (merged.count, merged.severity, merged.original_severity) == (2, "low", "high")
