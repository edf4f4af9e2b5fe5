"""Event sources: the store (SQL over ``events``) and a frame (in memory) give the same features.

That equivalence is what lets the benchmark (frame) stand for live detection (store). The store is
a real chDB store; rows go in with ``Store.insert_rows`` under the pipeline's own column list.
"""

from __future__ import annotations

import pandas as pd  # type: ignore[import-untyped]
import pytest

from tests.detectors._events import insert_frame
from tests.detectors.test_features import DAY, HOUR, MIN, STEP, T, W, event, frame
from tooltrail.detectors.features import FEATURES, LEVELS, ActorProfile, build_features
from tooltrail.detectors.source import EventSource, FrameSource, StoreSource
from tooltrail.pipeline.store import Store
from tooltrail.simulator import SimConfig, simulate, to_frame

pytestmark = pytest.mark.store

SIM = SimConfig(seed=11, users=4, days=2)


def _features(
    source: EventSource, profile: ActorProfile, since: int, until: int
) -> dict[str, pd.DataFrame]:
    """What the engine computes: events from an hour and a window before ``since``."""
    events = source.events(since - HOUR - W, until)
    feats = build_features(
        events,
        source.history,
        profile,
        since=since,
        until=until,
        window_us=W,
        step_us=STEP,
    )
    return {
        level: f.sort_values(["entity", "window_start"]).reset_index(drop=True)
        for level, f in feats.items()
    }


def _assert_same(left: dict[str, pd.DataFrame], right: dict[str, pd.DataFrame]) -> None:
    assert set(left) == set(right) == set(LEVELS)
    for level in LEVELS:
        pd.testing.assert_frame_equal(left[level], right[level], obj=f"level {level}")


@pytest.fixture(scope="module")
def sim_frame() -> pd.DataFrame:
    return to_frame(simulate(SIM))


def test_store_source_gives_the_frame_sources_features_on_a_simulated_day(
    store: Store, sim_frame: pd.DataFrame
) -> None:
    insert_frame(store, sim_frame)
    frame_source, store_source = FrameSource(sim_frame), StoreSource(store)
    day1 = SIM.start_us + DAY
    profile = ActorProfile.fit(frame_source.events(SIM.start_us, day1), min_calls=50)
    since, until = day1 + HOUR, day1 + 13 * HOUR  # new client 01:05, exfiltration, loop, ...
    by_frame = _features(frame_source, profile, since, until)
    by_store = _features(store_source, profile, since, until)
    _assert_same(by_frame, by_store)
    # not equal by being empty: the range holds the attack day's novelty and sessions
    user = by_frame["user"]
    assert len(user) > 500
    for name in ("new_tools", "new_clients", "new_resources", "session_len", "novel_minutes_1h"):
        assert user[name].sum() > 0, name
    assert set(by_frame["user"].columns) >= set(FEATURES)


def test_store_source_events_and_extent_match_the_frame(
    store: Store, sim_frame: pd.DataFrame
) -> None:
    assert StoreSource(store).extent() is None
    insert_frame(store, sim_frame)
    frame_source, store_source = FrameSource(sim_frame), StoreSource(store)
    assert store_source.extent() == frame_source.extent()
    since, until = SIM.start_us + DAY + 9 * HOUR, SIM.start_us + DAY + 10 * HOUR
    got, want = store_source.events(since, until), frame_source.events(since, until)
    assert len(got) == len(want) > 0
    for column in ("ts", "event_id", "user", "tool_key", "agent_key", "e_user_tool", "e_agent"):
        assert list(got[column]) == list(want[column]), column


def test_store_source_collapses_redelivered_events(store: Store) -> None:
    events = frame(*(event(T + i * STEP, tool="read" if i % 2 else "write") for i in range(12)))
    insert_frame(store, events)
    insert_frame(store, events)  # the same rows again: an at-least-once redelivery
    assert len(StoreSource(store).events(T - DAY, T + DAY)) == len(events)
    _assert_same(
        _features(FrameSource(events), ActorProfile(), T - MIN, T + 5 * MIN),
        _features(StoreSource(store), ActorProfile(), T - MIN, T + 5 * MIN),
    )


def _first_sightings() -> pd.DataFrame:
    """Alice's first calls ever: a new tool, client, resource and fingerprint, in one session."""
    first = {"tool": "write", "client": "cli2", "resource_uri": "file:///b"}
    return frame(
        event(T - DAY, session_id="old"),
        event(T + 5 * 10**6, session_id="s", args_fingerprint="f1", trace_id="t1", **first),
        event(T + 3 * MIN, session_id="s", args_fingerprint="f1", trace_id="t2", **first),
    )


def test_host_events_without_a_server_twin_count_the_same_in_both_sources(store: Store) -> None:
    events = _first_sightings()
    events["source_kind"] = "host"
    insert_frame(store, events)
    by_frame = _features(FrameSource(events), ActorProfile(), T - MIN, T + 5 * MIN)
    _assert_same(by_frame, _features(StoreSource(store), ActorProfile(), T - MIN, T + 5 * MIN))
    assert by_frame["user"]["new_tools"].max() == 1


def test_host_mirrors_give_the_same_features_from_the_store(store: Store) -> None:
    served = _first_sightings()
    mirrors = served.loc[served["trace_id"] != ""].copy()
    mirrors["source_kind"], mirrors["source_name"] = "host", "desktop"
    mirrors["ts"] -= 2000  # the host logs the call 2 ms before the server does
    mirrors["event_id"] += "-host"
    events = pd.concat([served, mirrors], ignore_index=True)
    insert_frame(store, events)
    by_frame = _features(FrameSource(events), ActorProfile(), T - MIN, T + 5 * MIN)
    assert by_frame["user"]["new_tools"].max() == 1
    _assert_same(by_frame, _features(StoreSource(store), ActorProfile(), T - MIN, T + 5 * MIN))


def test_tool_listings_are_no_calls_in_either_source(store: Store) -> None:
    """A ``tools/list`` event (recorded for drift, no tool, a session of its own start) changes
    no feature: the same features as without it, from the frame and from the store."""
    calls = _first_sightings()
    listings = frame(
        event(T - 2 * DAY, session_id="s", method="tools/list", tool=""),
        event(T + 2 * MIN, session_id="s2", method="tools/list", tool="", client="cli9"),
    )
    events = pd.concat([calls, listings], ignore_index=True)
    insert_frame(store, events)
    want = _features(FrameSource(calls), ActorProfile(), T - MIN, T + 5 * MIN)
    assert want["user"]["new_tools"].max() == 1
    _assert_same(want, _features(FrameSource(events), ActorProfile(), T - MIN, T + 5 * MIN))
    _assert_same(want, _features(StoreSource(store), ActorProfile(), T - MIN, T + 5 * MIN))


def test_store_history_reads_hour_bands_as_the_frame_does(
    store: Store, sim_frame: pd.DataFrame
) -> None:
    """``hour_band`` (a derived column: SQL in the store, pandas in a frame) names the same
    three-hour band of the same day type, so "first worked in this band" agrees."""
    insert_frame(store, sim_frame)
    frame_source, store_source = FrameSource(sim_frame), StoreSource(store)
    events = frame_source.events(SIM.start_us, SIM.end_us)
    assert events["hour_band"].nunique() >= 6  # not equal by being constant
    keys = ["user", "hour_band"]
    got = store_source.history.first_seen(keys, events)
    want = frame_source.history.first_seen(keys, events)
    assert list(got) == list(want)


def test_store_counts_each_actors_calls_per_hour_as_the_frame_does(
    store: Store, sim_frame: pd.DataFrame
) -> None:
    """``hours`` (the history a person's working hours are learned from) is the same from the
    store as from a frame: listings and host mirrors left out, agents standing for no user."""
    served = sim_frame.iloc[[10]].assign(trace_id="t" * 32)
    extra = pd.concat(
        [
            served.assign(event_id=served["event_id"] + "-host", source_kind="host"),  # mirror
            sim_frame.iloc[[11]].assign(event_id="listing", method="tools/list", tool=""),
        ]
    )
    events = pd.concat([sim_frame.drop(index=10), served, extra], ignore_index=True)
    insert_frame(store, events)
    got = StoreSource(store).hours(SIM.start_us, SIM.end_us)
    want = FrameSource(events).hours(SIM.start_us, SIM.end_us)
    key = ["actor", "hour"]
    got, want = (f.sort_values(key).reset_index(drop=True) for f in (got, want))
    assert len(want) > 20
    assert want["actor"].nunique() >= 4
    assert want["calls"].sum() == len(sim_frame)  # the listing and the mirror are no calls
    pd.testing.assert_frame_equal(got, want)
    # half a range holds only its hours
    mid = (SIM.start_us + SIM.end_us) // 2
    half = StoreSource(store).hours(mid, SIM.end_us)
    assert half["hour"].min() >= mid // HOUR
    assert 0 < len(half) < len(want)
    assert list(StoreSource(store).hours(0, 1).columns) == ["actor", "hour", "calls"]  # none
