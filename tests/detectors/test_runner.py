"""Detection over a real chDB store: ``advance`` stores the alerts it raises and hands them to a
dispatcher (a signed webhook to a real local HTTP receiver); a backfill of the same range gives
the same candidates and raises nothing new; an integrity finding becomes one critical alert on
the next step even with no new window; the live cursor survives a restart in its state file.

One store for the module (chDB opens one data directory per process): the first run happens in
a fixture, and each test only adds what it checks (a finding, a second detector).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.detectors._events import insert_frame
from tests.detectors._http import Received, Receiver
from tooltrail.detectors.alert import SEVERITIES, Alert
from tooltrail.detectors.alertstore import AlertStore
from tooltrail.detectors.runner import Detection
from tooltrail.detectors.settings import DetectSettings
from tooltrail.detectors.sinks import Dispatcher, WebhookSink, verify_signature
from tooltrail.pipeline.store import Store, StoreConfig, open_store
from tooltrail.simulator import SimConfig, simulate, to_frame

pytestmark = [pytest.mark.store, pytest.mark.slow]

SIM = SimConfig(seed=3, users=4, days=3)
SECRET = b"runner-test-secret"


@dataclass
class FirstRun:
    """The store after one ``advance`` over the simulated days, and what that run did."""

    store: Store
    settings: DetectSettings
    detection: Detection
    receiver: Receiver
    dispatcher: Dispatcher
    until: int
    scored_from: int  # where the first run's cursor started
    raised: list[Alert]
    stored: list[Alert]  # the alerts table right after the run
    received: list[Received]  # what the webhook had received right after the run
    state_file: Path


def _stored(store: Store) -> list[Alert]:
    """Every alert in the ``alerts`` table, read by a fresh alert store."""
    return AlertStore(store).list(limit=100_000)


def _dicts(alerts: list[Alert]) -> list[dict[str, Any]]:
    return [a.to_dict() for a in alerts]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FirstRun]:
    root = tmp_path_factory.mktemp("runner")
    # the last half day is scored (a first start scores one baseline period): the attack
    # afternoon, with a model fit on the half day before it
    settings = DetectSettings(learning_days=1, baseline_days=0.5, model_dir=root / "models")
    with open_store(StoreConfig(path=os.fspath(root / "store"))) as store:
        store.migrate()
        insert_frame(store, to_frame(simulate(SIM)))
        extent = store.query_df(f"SELECT min(ts) AS lo, max(ts) AS hi FROM {store.database}.events")
        newest = int(extent["hi"].iloc[0])
        with Receiver() as receiver:
            dispatcher = Dispatcher([WebhookSink(receiver.url + "/alerts", SECRET)], retries=0)
            state_file = root / "state" / "cursor.json"
            detection = Detection(
                store,
                settings,
                dispatcher=dispatcher,
                state_file=state_file,
                record_candidates=True,
            )
            until = newest + settings.window_us
            raised = detection.advance(until)
            assert dispatcher.flush(30)
            yield FirstRun(
                store=store,
                settings=settings,
                detection=detection,
                receiver=receiver,
                dispatcher=dispatcher,
                until=until,
                scored_from=newest - settings.baseline_us,
                raised=raised,
                stored=_stored(store),
                received=list(receiver.requests),
                state_file=state_file,
            )
            dispatcher.close(10)


def test_advance_scores_the_windows_and_stores_the_alerts(run: FirstRun) -> None:
    assert run.raised, "the attack afternoon raised nothing: nothing to check"
    detectors = {a.detector for a in run.raised}
    assert any(d.startswith("model:") for d in detectors), detectors
    assert any(d.startswith("rule:") for d in detectors), detectors
    # a candidate per window that fired, an alert per problem: the gate deduplicated
    assert len(run.detection.candidates) > len(run.raised)
    assert run.detection.candidate_count == len(run.detection.candidates)
    # every window scored ends after the cursor's start and no later than ``until``
    step = run.settings.step_us
    for c in run.detection.candidates:
        assert run.scored_from - step < c.window_end <= run.until
    assert run.detection.cursor == run.until // step * step
    # the alerts table holds exactly the raised alerts (later repeats merged into them)
    by_id = {a.id: a for a in run.stored}
    assert set(by_id) == {a.id for a in run.raised}
    for alert in run.raised:
        kept = by_id[alert.id]
        assert kept.status == "open"
        assert (kept.detector, kept.entity_kind, kept.entity, kept.dedupe_key) == (
            alert.detector,
            alert.entity_kind,
            alert.entity,
            alert.dedupe_key,
        )
        assert kept.window_start == alert.window_start
        assert kept.last_window_end >= alert.window_end
        assert kept.count >= 1
    assert any(a.count > 1 for a in run.stored)  # the cooldown merged repeats


def test_raised_alerts_arrive_at_the_webhook_signed(run: FirstRun) -> None:
    assert run.received
    sent: list[str] = []
    for request in run.received:
        assert request.method == "POST"
        assert request.path == "/alerts"
        verify_signature(
            SECRET,
            timestamp=request.headers.get("x-tooltrail-timestamp"),
            body=request.body,
            signature=request.headers.get("x-tooltrail-signature"),
        )
        doc = request.json()
        assert doc["type"] == "tooltrail.alert"
        alert = Alert.from_dict(doc["alert"])
        assert request.headers["x-tooltrail-alert-id"] == alert.id
        sent.append(alert.id)
    # one notification per group, again only when the group's severity rose
    ranks: dict[str, int] = {}
    due = []
    for alert in run.raised:
        rank = SEVERITIES.index(alert.severity)
        if rank > ranks.get(alert.group, -1):
            ranks[alert.group] = rank
            due.append(alert.id)
    assert sorted(sent) == sorted(due)
    assert {a.group for a in run.raised} == set(ranks)  # every group was notified
    assert len(due) < len(run.raised)  # related alerts did not each page
    metrics = run.dispatcher.metrics.registry
    assert metrics.get_sample_value("tooltrail_alert_sink_sent_total", {"sink": "webhook"}) == len(
        due
    )


def test_a_backfill_of_the_same_range_gives_the_same_candidates_and_raises_nothing(
    run: FirstRun,
) -> None:
    before = len(_stored(run.store))
    replay = Detection(run.store, run.settings, record_candidates=True)  # a restart
    again = replay.backfill(run.scored_from, run.until)
    assert again == []
    assert _dicts(replay.candidates) == _dicts(run.detection.candidates)
    assert len(_stored(run.store)) == before
    # the same detector over the same range, once more: still nothing
    assert replay.backfill(run.scored_from, run.until) == []


def test_a_backfill_in_chunks_gives_the_same_candidates_as_in_one_go(run: FirstRun) -> None:
    chunked = Detection(run.store, run.settings, record_candidates=True)
    ends: list[int] = []
    assert (
        chunked.backfill(run.scored_from, run.until, chunk_us=3600_000_000, on_chunk=ends.append)
        == []
    )
    assert len(ends) > 2  # it did go in steps
    assert ends == sorted(ends)
    assert ends[-1] == run.until
    assert _dicts(chunked.candidates) == _dicts(run.detection.candidates)


def test_an_integrity_finding_becomes_one_critical_alert_without_a_new_window(
    run: FirstRun,
) -> None:
    run.store.record_findings(
        [{"stream_id": "server-fs-server", "seq": 17, "class": "hash_mismatch", "detail": "x"}]
    )
    received = len(run.receiver.requests)
    cursor = run.detection.cursor
    (alert,) = run.detection.advance(run.until)  # no window is due: the cursor is there
    assert run.detection.cursor == cursor
    assert alert.severity == "critical"
    assert alert.detector == "rule:integrity"
    assert (alert.entity_kind, alert.entity) == ("stream", "server-fs-server")
    assert "hash_mismatch" in alert.reason
    assert "seq 17" in alert.reason
    assert alert.id in {a.id for a in _stored(run.store)}
    assert run.detection.advance(run.until) == []  # raised once
    # and it was sent like any alert
    assert run.dispatcher.flush(10)
    assert run.receiver.wait_for(received + 1, timeout=10)
    assert Alert.from_dict(run.receiver.requests[-1].json()["alert"]).id == alert.id


def test_the_live_cursor_survives_a_restart_and_a_backfill_leaves_it(run: FirstRun) -> None:
    assert run.state_file.exists()
    restarted = Detection(run.store, run.settings, state_file=run.state_file)
    assert restarted.cursor == run.detection.cursor
    assert restarted.advance(run.until) == []  # nothing left to score, nothing raised twice
    assert restarted.candidate_count == 0
    short = restarted.backfill(run.until - run.settings.window_us, run.until)
    assert short == []
    again = Detection(run.store, run.settings, state_file=run.state_file)
    assert again.cursor == run.detection.cursor  # the backfill did not move the live cursor


def test_the_idle_watermark_never_runs_ahead_of_the_wall_clock(run: FirstRun) -> None:
    late = int(run.settings.lateness_seconds * 1e6)
    now = 2_000_000_000 * 1_000_000
    past = now - 86_400 * 1_000_000  # replayed or simulated traffic, a day old
    live = now - 5 * 1_000_000  # real-time traffic, quiet for 5 s
    old = Detection(run.store, run.settings.model_copy(update={"live": False}))
    assert old.watermark(past, idle=False, now_us=now) == past - late
    assert old.watermark(past, idle=True, now_us=now) == past + run.settings.window_us
    assert old.watermark(live, idle=True, now_us=now) == now - late  # not a window ahead
    d = run.detection  # live: the streams' own progress; quiet means idle_seconds of quiet
    guard = int(d.idle_seconds * 1e6)
    assert d.watermark(past, idle=False, now_us=now) == past - late  # no stream is active
    assert d.watermark(past, idle=False, now_us=now, low=past - 7) == past - 7
    assert d.watermark(past, idle=True, now_us=now) == past + run.settings.window_us
    assert d.watermark(live, idle=True, now_us=now) == now - guard
    assert now - late < now - guard < live + run.settings.window_us
