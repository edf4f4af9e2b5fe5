"""Alert latency, as behaviour: a rule pages while its window is still being filled, windows are
scored as soon as every active stream has passed them (not ``lateness`` later), stragglers are
still scored, and what live detection stored equals what a replay from scratch stores.

Events go straight into a real chDB store (two streams, servers ``a`` and ``b``); each
``Detection.step`` is given the wall and monotonic clocks, so nothing here waits on time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.detectors._events import insert_frame
from tests.detectors._http import Receiver
from tests.detectors.test_features import STEP, T, W, event, frame
from tooltrail.detectors.alert import Alert
from tooltrail.detectors.runner import Detection
from tooltrail.detectors.settings import DetectSettings
from tooltrail.detectors.sinks import Dispatcher, WebhookSink
from tooltrail.pipeline.store import Store

pytestmark = pytest.mark.store

S = 1_000_000
NOW = T + 10 * 86_400 * S  # the wall clock: long after the events (a replay's view)
SECRET = b"latency-test-secret"


@dataclass
class Live:
    store: Store
    detection: Detection
    receiver: Receiver
    mono: float = 0.0

    def add(self, *rows: dict[str, Any]) -> None:
        insert_frame(self.store, frame(*rows))

    def step(self, seconds: float = 1.0) -> list[Alert]:
        self.mono += seconds
        return self.detection.step(now_us=NOW, mono=self.mono)

    def newest(self) -> int:
        found = self.store.query_df(f"SELECT max(ts) AS hi FROM {self.store.database}.events")
        return int(found["hi"].iloc[0])


def _settings(tmp_path: Path, **over: Any) -> DetectSettings:
    # a lateness of an hour: anything scored within this test is scored without waiting for it
    base = {"learning_days": 0, "baseline_days": 0.5, "lateness_seconds": 3600}
    return DetectSettings(model_dir=tmp_path / "models", **(base | over))


def _calls(server: str, user: str, *seconds: float, **fields: Any) -> list[dict[str, Any]]:
    return [
        event(T + int(s * S), source_name=server, user=user, client=f"cli-{user}", **fields)
        for s in seconds
    ]


def _background(live: Live, start: float, end: float) -> None:
    """User bob calling on both servers every 5 s in [start, end]."""
    seconds = [start + 5 * i for i in range(int((end - start) // 5) + 1)]
    live.add(*_calls("a", "bob", *seconds), *_calls("b", "bob", *seconds))


@pytest.fixture
def live(store: Store, tmp_path: Path) -> Iterator[Live]:
    with Receiver() as receiver:
        dispatcher = Dispatcher([WebhookSink(receiver.url + "/alerts", SECRET)], retries=0)
        detection = Detection(
            store, _settings(tmp_path), dispatcher=dispatcher, record_candidates=True
        )
        yield Live(store, detection, receiver)
        dispatcher.close(10)


def _received(live: Live) -> list[Alert]:
    assert live.detection.dispatcher is not None
    assert live.detection.dispatcher.flush(30)
    return [Alert.from_dict(r.json()["alert"]) for r in live.receiver.requests]


def _denials(alerts: list[Alert], user: str) -> list[Alert]:
    return [a for a in alerts if a.detector == "rule:denial_burst" and a.entity == user]


def test_a_rule_alert_is_delivered_while_its_window_is_still_open(live: Live) -> None:
    _background(live, 0, 100)
    live.step()
    assert live.detection.cursor == T + 100 * S  # both streams passed it: scored, no lateness

    # five denials of mallory on a, bob still calling on b: the burst crosses the threshold
    live.add(*_calls("a", "mallory", 101, 102, 103, 104, 105, outcome="denied"))
    live.add(*_calls("b", "bob", 103))
    (alert,) = _denials(live.step(), "mallory")
    (sent,) = _denials(_received(live), "mallory")
    assert sent.id == alert.id
    # delivered before the store held any event at or after its window's end: still open
    assert live.newest() < alert.window_end
    assert alert.window_start <= T + 101 * S < T + 105 * S < alert.window_end
    assert (live.detection.cursor or 0) < alert.window_end
    assert "5 times" in alert.reason

    # the burst goes on and the window closes: the windowed pass completes the same alert
    # (the whole window's count) and merges the later windows, without paging again
    live.add(*_calls("a", "mallory", 107, 108, outcome="denied"))
    _background(live, 110, 200)
    live.step()
    assert live.detection.cursor == T + 200 * S
    assert len(_denials(_received(live), "mallory")) == 1
    kept = live.detection.alerts.get(alert.id)
    assert "7 times" in kept.reason
    assert kept.events.count == 7
    assert kept.count > 1  # the windows after the first merged into it
    assert kept.window_start == alert.window_start


def test_live_detection_stores_what_a_replay_from_scratch_stores(
    live: Live, tmp_path: Path
) -> None:
    _background(live, 0, 100)
    live.step()
    for t0 in (101, 131, 161):  # three bursts of different users, each paged live
        user = f"m{t0}"
        live.add(*_calls("a", user, t0, t0 + 1, t0 + 2, t0 + 3, t0 + 4, outcome="denied"))
        live.add(*_calls("b", "bob", t0 + 3))
        assert _denials(live.step(), user)
        live.add(*_calls("a", user, t0 + 6, outcome="denied"))
        _background(live, t0 + 9, t0 + 29)
        live.step()
    live.step(10)  # quiet: everything is scored
    end = live.newest() + W
    assert live.detection.cursor == end // STEP * STEP
    stored = {a.id: a.to_dict() for a in live.detection.alerts.list(limit=1000)}
    bursts = [a for a in stored.values() if a["detector"] == "rule:denial_burst"]
    assert sorted(a["entity"] for a in bursts) == ["helper", "m101", "m131", "m161"]  # + agent

    live.store.command(f"TRUNCATE TABLE {live.store.database}.alerts")
    replay = Detection(live.store, _settings(tmp_path / "replay"), record_candidates=True)
    raised = replay.backfill(T, end)
    assert {a.id for a in raised} == set(stored)
    again = {a.id: a.to_dict() for a in replay.alerts.list(limit=1000)}
    assert again == stored  # the same alerts, down to their content, count and group
    # and the windowed candidates are the same as the replay's
    assert [c.to_dict() for c in replay.candidates] == [
        c.to_dict() for c in live.detection.candidates
    ]


def test_windows_are_scored_at_the_slowest_active_streams_progress(live: Live) -> None:
    _background(live, 0, 100)
    live.step()
    assert live.detection.cursor == T + 100 * S
    live.add(*_calls("a", "bob", 130, 150))  # b still at 100, and it delivered just now
    live.step()
    assert live.detection.cursor == T + 100 * S  # b may still send events before 150
    live.add(*_calls("b", "bob", 140))
    live.step()
    assert live.detection.cursor == T + 140 * S
    live.step(live.detection.idle_seconds + 1)  # nothing new: the quiet system is scored out
    assert live.detection.cursor == T + (150 * S + W) // STEP * STEP


def test_a_straggler_is_still_scored(live: Live) -> None:
    _background(live, 0, 200)
    live.step()
    assert live.detection.cursor == T + 200 * S
    # five denials of eve stamped 50 s before the cursor arrive only now (a slow emitter)
    live.add(*_calls("b", "eve", 150, 151, 152, 153, 154, outcome="denied"))
    (alert,) = _denials(live.step(), "eve")
    assert alert.window_start <= T + 150 * S < T + 154 * S < alert.window_end <= T + 200 * S
    assert _denials(_received(live), "eve")
    assert live.detection.cursor == T + 200 * S  # the cursor did not move back


def _wait(until: Any, what: str, seconds: float = 60) -> None:
    """Wait for a condition of the running loop (a deadline for behaviour, not a timing)."""
    import time

    deadline = time.monotonic() + seconds
    while not until():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.05)


def test_a_page_does_not_wait_for_the_closed_windows_scoring(store: Store, tmp_path: Path) -> None:
    """``run``: the live loop fires while the scorer is busy (here: held mid-scoring), and the
    scorer catches up afterwards, completing the same alert.

    ``run`` reads the real clocks, so the streams must not look quiet at any point (a quiet
    system is scored out a window past its newest event): the first step reads the real
    monotonic clock too, and nothing here is quiet for an hour. With the default 5 s, and a
    first step on the test's own clock (which made every stream look quiet for the machine's
    uptime), a loaded machine let the scorer score the burst's windows before 107 and 108 were
    stored: the alert merged five more windows and, complete no more, kept "5 times"."""
    import threading

    with Receiver() as receiver:
        dispatcher = Dispatcher([WebhookSink(receiver.url + "/alerts", SECRET)], retries=0)
        detection = Detection(
            store,
            _settings(tmp_path, poll_seconds=0.05),
            dispatcher=dispatcher,
            idle_seconds=3600,
        )
        live = Live(store, detection, receiver)
        _background(live, 0, 100)
        detection.step(now_us=NOW)  # the real monotonic clock: the one run() reads
        assert detection.cursor == T + 100 * S
        stop = threading.Event()
        loop = threading.Thread(target=detection.run, args=(stop,))
        try:
            with detection._scoring:  # the scorer is in the middle of a long scoring step
                loop.start()
                live.add(*_calls("a", "mallory", 101, 102, 103, 104, 105, outcome="denied"))
                live.add(*_calls("b", "bob", 103))
                _wait(lambda: _denials(_received(live), "mallory"), "the live page")
                assert detection.cursor == T + 100 * S  # nothing was scored meanwhile
            (sent,) = _denials(_received(live), "mallory")
            live.add(*_calls("a", "mallory", 107, 108, outcome="denied"))
            _background(live, 110, 200)
            _wait(lambda: (detection.cursor or 0) >= T + 200 * S, "the scorer catching up")
        finally:
            stop.set()
            if loop.is_alive():
                loop.join(30)
        assert not loop.is_alive()
        dispatcher.close(10)
    kept = detection.alerts.get(sent.id)
    assert "7 times" in kept.reason  # the closed window completed the live alert
    assert len(_denials(_received(live), "mallory")) == 1


def test_the_cursor_passes_a_window_only_once_its_alerts_are_stored(
    store: Store, tmp_path: Path
) -> None:
    """A reader that waits for the cursor (the demo, a replay's caller) then finds the alerts."""
    seen: list[tuple[int | None, int, int]] = []
    detection = Detection(
        store,
        _settings(tmp_path),
        on_alert=lambda a: seen.append(
            (detection.cursor, a.window_end, len(detection.alerts.list(limit=100)))
        ),
    )
    live = Live(store, detection, Receiver())
    _background(live, 0, 100)
    live.add(*_calls("a", "mallory", 11, 12, 13, 14, 15, outcome="denied"))
    live.step()  # one advance over the whole range, as a scorer that fell behind does
    assert detection.cursor == T + 100 * S
    denials = [(c, end, n) for c, end, n in seen if end <= T + 100 * S]
    assert denials
    for cursor, end, stored in denials:
        assert cursor is None or cursor < end  # not yet moved past the alert's window
        assert stored >= 1  # and the alert was already in the store
