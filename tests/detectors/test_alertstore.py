"""The alert store on a real chDB store: dedupe, cooldown, escalation, replay, restart,
grouping, false-positive feedback, metrics, and a store failure that leaves the index as it was."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.detectors.conftest import MINUTE, T0, AlertFactory
from tooltrail.detectors.alertstore import AlertStore, alert_from_payload
from tooltrail.detectors.errors import AlertNotFound
from tooltrail.detectors.metrics import Metrics
from tooltrail.pipeline.errors import StoreUnavailable
from tooltrail.pipeline.store import Store, StoreConfig, open_store

pytestmark = pytest.mark.store


def _value(metrics: Metrics, name: str, **labels: str) -> float:
    value = metrics.registry.get_sample_value(name, labels)
    return 0.0 if value is None else value


def _rows(store: Store) -> int:
    """Row versions written to the table (not collapsed): proves whether anything was written."""
    return int(store.command(f"SELECT count() FROM {store.database}.alerts"))


def _store_at(path: Path) -> Store:
    s = open_store(StoreConfig(path=os.fspath(path)))
    s.migrate()
    return s


def test_repeats_within_the_cooldown_merge_into_one_alert(
    store: Store, make_alert: AlertFactory
) -> None:
    metrics = Metrics()
    alerts = AlertStore(store, metrics=metrics)
    first = alerts.offer(make_alert(start_min=0, score=0.7))
    assert first is not None
    assert first.status == "open"
    assert first.count == 1
    assert alerts.offer(make_alert(start_min=10, score=0.9)) is None
    # the cooldown runs from the last merged window's end (minute 20): minute 50 still merges
    assert alerts.offer(make_alert(start_min=50, score=0.8)) is None

    (only,) = alerts.list()
    assert only.id == first.id
    assert only.count == 3
    assert only.last_window_end == T0 + 60 * MINUTE
    assert only.window_start == T0
    assert only.window_end == T0 + 10 * MINUTE
    assert only.score == 0.9
    assert _value(metrics, "tooltrail_alerts_suppressed_total", reason="cooldown") == 2
    assert (
        _value(metrics, "tooltrail_alerts_fired_total", detector="model:user", severity="medium")
        == 1
    )


def test_after_the_cooldown_a_new_alert_fires(store: Store, make_alert: AlertFactory) -> None:
    alerts = AlertStore(store, cooldown_us=30 * MINUTE)
    first = alerts.offer(make_alert(start_min=0))  # ends at minute 10
    assert first is not None
    # exactly at the edge (10 + 30) still merges; one µs after the next edge is a new alert
    assert alerts.offer(make_alert(start_min=40)) is None  # last window now ends at 50
    assert alerts.offer(make_alert(start_min=50 + 30, offset_us=1)) is not None
    (second, _) = alerts.list()  # newest first
    assert second.id != first.id
    assert second.count == 1
    assert alerts.get(first.id).count == 2


def test_severity_escalation_is_sent_again_and_reopens(
    store: Store, make_alert: AlertFactory
) -> None:
    metrics = Metrics()
    alerts = AlertStore(store, metrics=metrics)
    first = alerts.offer(make_alert(start_min=0, severity="medium", reason="a bit odd"))
    assert first is not None
    alerts.ack(first.id, by="ana")

    worse = alerts.offer(make_alert(start_min=10, severity="critical", score=3.0, reason="bad"))
    assert worse is not None
    assert worse.id == first.id
    assert (worse.severity, worse.count, worse.status) == ("critical", 2, "open")
    assert worse.reason == "bad"  # the stronger candidate explains the merged alert
    # a milder repeat does not lower the severity and is not sent
    assert alerts.offer(make_alert(start_min=20, severity="low", score=0.1)) is None
    stored = alerts.get(first.id)
    assert (stored.severity, stored.count, stored.score, stored.reason) == (
        "critical",
        3,
        3.0,
        "bad",
    )
    assert alerts.record(first.id).acked_by == "ana"
    fired = "tooltrail_alerts_fired_total"
    assert _value(metrics, fired, detector="model:user", severity="critical") == 1


def test_an_identical_replay_changes_nothing(store: Store, make_alert: AlertFactory) -> None:
    metrics = Metrics()
    alerts = AlertStore(store, metrics=metrics)
    first = alerts.offer(make_alert(start_min=0))
    assert alerts.offer(make_alert(start_min=10)) is None  # merged
    rows = _rows(store)
    before = metrics.render()

    assert alerts.offer(make_alert(start_min=0)) is None  # the same id again
    assert alerts.offer(make_alert(start_min=10)) is None  # the merged window again
    assert _rows(store) == rows
    assert metrics.render() == before
    assert first is not None
    assert alerts.get(first.id).count == 2


def test_dedupe_survives_a_restart(tmp_path: Path, make_alert: AlertFactory) -> None:
    path = tmp_path / "store"
    with _store_at(path) as store:
        alerts = AlertStore(store, fp_suppress_us=120 * MINUTE)
        first = alerts.offer(make_alert(start_min=0))
        labelled = alerts.offer(make_alert(entity="u-9", start_min=0))
        assert first is not None
        assert labelled is not None
        alerts.false_positive(labelled.id, note="batch job")

    with _store_at(path) as store:
        metrics = Metrics()
        alerts = AlertStore(store, fp_suppress_us=120 * MINUTE, metrics=metrics)
        rows = _rows(store)
        assert alerts.offer(make_alert(start_min=0)) is None  # replayed after the restart
        assert _rows(store) == rows
        assert alerts.offer(make_alert(start_min=10)) is None  # still within the cooldown
        assert alerts.get(first.id).count == 2
        assert alerts.offer(make_alert(entity="u-9", start_min=60)) is None  # label kept
        assert _value(metrics, "tooltrail_alerts_suppressed_total", reason="false_positive") == 1
        # the group of u-17 is still open: its user_tool alert joins it
        tool = alerts.offer(
            make_alert(entity="u-17|fs.read_file", entity_kind="user_tool", start_min=25)
        )
        assert tool is not None
        assert tool.group == first.id


def test_related_alerts_share_a_group(store: Store, make_alert: AlertFactory) -> None:
    alerts = AlertStore(store, group_window_us=10 * MINUTE)
    user = alerts.offer(make_alert(entity="u-17", start_min=0))  # ends at minute 10
    tool = alerts.offer(
        make_alert(entity="u-17|fs.read_file", entity_kind="user_tool", start_min=5)
    )
    other = alerts.offer(make_alert(entity="u-18", start_min=5))
    server = alerts.offer(
        make_alert(entity="u-17|fs.read_file", entity_kind="server_tool", start_min=5)
    )
    assert user is not None
    assert tool is not None
    assert other is not None
    assert server is not None
    assert user.group == user.id
    assert tool.group == user.id
    assert other.group == other.id
    assert server.group == server.id  # not an actor's entity: never grouped
    # the group's last alert ended at minute 15: minute 25 joins, a later start does not
    agent = alerts.offer(make_alert(entity="u-17", entity_kind="agent", start_min=25))
    assert agent is not None
    assert agent.group == user.id
    stream = alerts.offer(
        make_alert(entity="u-17|s1", entity_kind="user_tool", start_min=35 + 10 + 1)
    )
    assert stream is not None
    assert stream.group == stream.id
    assert alerts.get(tool.id).group == user.id  # the group is stored, not only returned


def test_false_positive_suppresses_repeats_until_it_expires(
    store: Store, make_alert: AlertFactory
) -> None:
    metrics = Metrics()
    alerts = AlertStore(store, cooldown_us=5 * MINUTE, fp_suppress_us=60 * MINUTE, metrics=metrics)
    first = alerts.offer(make_alert(start_min=0))  # ends at minute 10
    assert first is not None
    labelled = alerts.false_positive(first.id, note="nightly backup")
    assert labelled.status == "false_positive"
    assert alerts.record(first.id).note == "nightly backup"

    assert alerts.offer(make_alert(start_min=12)) is None  # within 60 min of minute 10
    assert alerts.offer(make_alert(start_min=70)) is None  # the edge: 10 + 60
    assert _value(metrics, "tooltrail_alerts_suppressed_total", reason="false_positive") == 2
    assert _value(metrics, "tooltrail_alerts_false_positive_total", detector="model:user") == 1
    later = alerts.offer(make_alert(start_min=71))
    assert later is not None
    assert later.id != first.id
    assert later.status == "open"

    labels = alerts.false_positive_labels()
    assert [a.id for a in labels] == [first.id]
    assert alerts.false_positive_labels(since_us=T0 + 1) == []


def test_ack_and_unknown_ids(store: Store, make_alert: AlertFactory) -> None:
    metrics = Metrics()
    alerts = AlertStore(store, metrics=metrics)
    first = alerts.offer(make_alert())
    assert first is not None
    acked = alerts.ack(first.id, by="ana")
    assert acked.status == "acked"
    assert alerts.get(first.id).status == "acked"
    assert [a.id for a in alerts.list(status="acked")] == [first.id]
    assert alerts.list(status="open") == []
    assert _value(metrics, "tooltrail_alerts_acked_total") == 1
    for call in (alerts.get, alerts.ack, alerts.false_positive):
        with pytest.raises(AlertNotFound, match="no alert with id 'nope'"):
            call("nope")


def test_payload_round_trips_and_columns_mirror_it(store: Store, make_alert: AlertFactory) -> None:
    alerts = AlertStore(store)
    offered = make_alert(start_min=3, severity="high", score=1.25)
    stored = alerts.offer(offered)
    assert stored is not None
    assert alerts.get(stored.id) == stored
    assert stored.features == offered.features
    assert stored.events == offered.events
    df = store.query_df(
        "SELECT id, severity, entity_kind, entity, detector, score, dedupe_key, status, payload,"
        " toUnixTimestamp64Micro(window_start) AS ws, toUnixTimestamp64Micro(window_end) AS we"
        f" FROM {store.database}.alerts FINAL"
    )
    row = df.iloc[0]
    assert alert_from_payload(row["payload"]) == stored
    assert json.loads(row["payload"])["annotations"] == {}
    d = stored.to_dict()
    for column in ("id", "severity", "entity_kind", "entity", "detector", "score", "dedupe_key"):
        assert row[column] == d[column]
    assert (row["ws"], row["we"], row["status"]) == (stored.window_start, stored.window_end, "open")


def test_list_filters_and_limits(store: Store, make_alert: AlertFactory) -> None:
    alerts = AlertStore(store)
    for i, severity in enumerate(("low", "high", "high", "critical")):
        assert alerts.offer(make_alert(entity=f"u-{i}", start_min=i * 60, severity=severity))
    assert [a.entity for a in alerts.list()] == ["u-3", "u-2", "u-1", "u-0"]
    assert [a.entity for a in alerts.list(severity="high")] == ["u-2", "u-1"]
    assert [a.entity for a in alerts.list(limit=2)] == ["u-3", "u-2"]
    window = alerts.list(since_us=T0 + 60 * MINUTE, until_us=T0 + 180 * MINUTE)
    assert [a.entity for a in window] == ["u-2", "u-1"]
    with pytest.raises(ValueError, match="severity must be one of"):
        alerts.list(severity="urgent")
    with pytest.raises(ValueError, match="severity must be one of"):
        alerts.offer(make_alert(entity="u-9", severity="urgent"))
    assert len(alerts.list()) == 4


def test_a_failed_write_leaves_the_index_unchanged(store: Store, make_alert: AlertFactory) -> None:
    alerts = AlertStore(store)
    first = alerts.offer(make_alert(start_min=0))
    assert first is not None
    db = store.database
    store.command(f"RENAME TABLE {db}.alerts TO {db}.alerts_away")
    try:
        with pytest.raises(StoreUnavailable):
            alerts.offer(make_alert(start_min=10))
        with pytest.raises(StoreUnavailable):
            alerts.offer(make_alert(entity="u-5", start_min=0))
    finally:
        store.command(f"RENAME TABLE {db}.alerts_away TO {db}.alerts")
    # neither attempt counts: the merge happens once, the new alert is not taken for a replay
    assert alerts.offer(make_alert(start_min=10)) is None
    assert alerts.get(first.id).count == 2
    assert alerts.offer(make_alert(entity="u-5", start_min=0)) is not None
