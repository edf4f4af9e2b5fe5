"""Live detection while traffic arrives through the real path equals a later backfill.

The simulator sends three days through emitters → collector → embedded store with an event-time
clock; at every hour boundary (everything before it stored) the live detector scores the windows
that just completed. A fresh detector then replays the whole range at once: the same candidates,
and no alert that was not already raised live.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.detectors._events import drive_through
from tooltrail.cli.up import Stack
from tooltrail.detectors.runner import Detection
from tooltrail.detectors.settings import DetectSettings
from tooltrail.simulator import SimConfig, simulate

pytestmark = [pytest.mark.store, pytest.mark.slow]


def test_live_scoring_during_ingest_equals_a_backfill(tmp_path: Path) -> None:
    sim = simulate(SimConfig(seed=5, users=4, days=3))
    settings = DetectSettings(learning_days=1, baseline_days=2, model_dir=tmp_path / "live")
    keys_file = tmp_path / "keys.json"
    with Stack(store_path=tmp_path / "store", keys_file=keys_file, port=0) as stack:
        live = Detection(stack.store, settings, record_candidates=True)
        raised_live = []
        ticks: list[int] = []

        def on_tick(boundary: int) -> None:  # everything before the boundary is stored
            ticks.append(boundary)
            raised_live.extend(live.advance(boundary))

        drive_through(stack, sim, tmp_path, on_tick=on_tick)
        end = sim.calls[-1].ts + settings.window_us
        raised_live.extend(live.advance(end))
        assert len(ticks) >= 2 * 24  # an hour boundary at a time, over three days
        assert live.engine.fit_seconds  # models were fit while the traffic flowed
        assert raised_live, "the attack day raised nothing live: nothing to compare"

        replay = Detection(
            stack.store,
            settings.model_copy(update={"model_dir": tmp_path / "replay"}),
            record_candidates=True,
        )
        start = sim.calls[0].ts
        raised_again = replay.backfill(start, end)

        assert [c.to_dict() for c in replay.candidates] == [c.to_dict() for c in live.candidates]
        assert raised_again == []  # every alert of the range was raised live already
        stored = replay.alerts.list(limit=10_000)
        assert {a.id for a in stored} == {a.id for a in raised_live}
