"""The change calendar through real detection: a backfill of simulated traffic on chDB, with an
announcement covering one actor, stores that actor's alerts as ``low`` (their original severity
kept), pages nothing about them at a real webhook receiver, and decides every other actor's
alerts exactly as without it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.detectors._events import insert_frame
from tests.detectors._http import Receiver
from tooltrail.detectors.alert import Alert
from tooltrail.detectors.alertstore import AlertStore, root_actor
from tooltrail.detectors.announce import DETECTOR, kind_of
from tooltrail.detectors.runner import Detection
from tooltrail.detectors.settings import DetectSettings
from tooltrail.detectors.sinks import Dispatcher, WebhookSink
from tooltrail.pipeline.store import StoreConfig, open_store
from tooltrail.simulator import SimConfig, simulate, to_frame

pytestmark = [pytest.mark.store, pytest.mark.slow]

HOUR = 3600 * 10**6


def _coverable(alert: Alert) -> bool:
    return alert.severity != "critical" and kind_of(alert.detector) is not None


def test_a_backfill_keeps_the_announced_actors_alerts_from_paging(tmp_path: Path) -> None:
    settings = DetectSettings(learning_days=1, baseline_days=0.5, model_dir=tmp_path / "models")
    with open_store(StoreConfig(path=os.fspath(tmp_path / "store"))) as store:
        store.migrate()
        insert_frame(store, to_frame(simulate(SimConfig(seed=3, users=4, days=3))))
        newest = int(store.query_df(f"SELECT max(ts) AS hi FROM {store.database}.events")["hi"][0])
        since, until = newest - settings.baseline_us, newest + settings.window_us
        first = {a.id: a for a in Detection(store, settings).backfill(since, until)}
        paging = [a for a in first.values() if _coverable(a) and a.severity != "low"]
        actor = next(root_actor(a) for a in paging if root_actor(a))
        assert actor is not None, "nothing paged about a person: nothing to announce"

        store.command(f"TRUNCATE TABLE {store.database}.alerts")  # the same range, from scratch
        with Receiver() as receiver:
            sink = WebhookSink(receiver.url + "/alerts", b"announce-test-secret")
            with Dispatcher([sink], retries=0, min_severity="medium") as dispatcher:
                detection = Detection(store, settings, dispatcher=dispatcher)
                start = since - HOUR
                ann = detection.alerts.announce(
                    [actor], start, until, "PT-1 pentest", by="alice", created_us=start
                )
                detection.backfill(since, until)
                assert dispatcher.flush(30)
            sent = [r.json()["alert"] for r in receiver.requests]

        stored = [a for a in AlertStore(store).list(limit=100_000) if a.detector != DETECTOR]
        assert {a.id for a in stored} == set(first)
        mine = [a for a in stored if root_actor(a) == actor and _coverable(first[a.id])]
        assert mine
        for a in mine:
            assert (a.severity, a.announcement) == ("low", ann.id)
            assert a.original_severity == first[a.id].severity
        assert not [s for s in sent if s["id"] in {a.id for a in mine}]  # nothing paged
        for a in stored:
            if a not in mine:  # every other alert decided as without the announcement
                assert (a.severity, a.announcement) == (first[a.id].severity, "")
