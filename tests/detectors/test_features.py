"""Features per entity-window: window assignment, aggregates, first sightings, sessions, the
trailing hour, host mirrors and the actor profile, on small hand-made event frames.

``event()`` / ``frame()`` build rows with the columns of ``features.EVENT_COLUMNS`` (the store's
names); ``features()`` / ``windows()`` run ``prepare`` → ``FrameHistory`` → ``build_features``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest

from tooltrail.detectors.features import (
    EVENT_COLUMNS,
    FEATURES,
    HORIZON_US,
    LEVELS,
    ActorProfile,
    FrameHistory,
    build_features,
    prepare,
)
from tooltrail.detectors.profile import hours_of

S = 1_000_000  # µs per second
MIN = 60 * S
HOUR = 60 * MIN
DAY = 24 * HOUR
T = 20_416 * DAY  # 2025-11-24 00:00 UTC: on every grid, hour 0 of a day
W, STEP = MIN, 10 * S  # the default 1-minute windows every 10 s

_counter = iter(range(10**9))


def event(ts: int, **fields: Any) -> dict[str, Any]:
    """One stored event (store column names) of user alice calling ``read`` on server srv."""
    row: dict[str, Any] = {
        "ts": ts,
        "event_id": f"{ts:020d}-{next(_counter):06d}",
        "source_kind": "server",
        "source_name": "srv",
        "method": "tools/call",
        "tool": "read",
        "resource_uri": "",
        "user": "alice",
        "agent": "helper",
        "client": "cli",
        "session_id": "s1",
        "trace_id": "",
        "outcome": "ok",
        "duration_us": 1000,
        "args_bytes": 10,
        "result_bytes": 100,
        "args_fingerprint": "",
        "call_effect": "",
    }
    unknown = set(fields) - set(row)
    assert not unknown, unknown
    row.update(fields)
    return row


def frame(*rows: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(EVENT_COLUMNS))


def features(
    events: pd.DataFrame,
    *,
    since: int,
    until: int,
    levels: Sequence[str] = tuple(LEVELS),
    window_us: int = W,
    step_us: int = STEP,
    profile: ActorProfile | None = None,
) -> dict[str, pd.DataFrame]:
    """Entity-windows ending in ``(since, until]`` per level, history = every given event."""
    prepared = prepare(events)
    return build_features(
        prepared,
        FrameHistory(prepared),
        profile or ActorProfile(),
        since=since,
        until=until,
        window_us=window_us,
        step_us=step_us,
        levels=levels,
    )


def windows(events: pd.DataFrame, *, level: str = "user", **options: Any) -> pd.DataFrame:
    """One level's windows (see :func:`features`), ordered by entity and start."""
    out = features(events, levels=(level,), **options)[level]
    return out.sort_values(["entity", "window_start"]).reset_index(drop=True)


def _containing(win: pd.DataFrame, ts: int) -> pd.Series:
    return (win["window_start"] <= ts) & (ts < win["window_end"])


# -- windows --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("window_us", "step_us"), [(W, STEP), (2 * MIN, 20 * S), (MIN, 5 * S), (MIN, MIN)]
)
def test_an_event_lies_in_window_over_step_windows_on_the_step_grid(
    window_us: int, step_us: int
) -> None:
    ts = T + 37 * S + 123_456  # off every grid
    win = windows(
        frame(event(ts)), since=T - HOUR, until=T + HOUR, window_us=window_us, step_us=step_us
    )
    assert len(win) == window_us // step_us
    assert (win["window_start"] % step_us == 0).all()
    assert (win["window_end"] - win["window_start"] == window_us).all()
    assert _containing(win, ts).all()
    assert (np.diff(win["window_start"]) == step_us).all()
    assert (win["calls"] == 1.0).all()


def test_only_windows_whose_end_lies_in_since_until_come_out() -> None:
    ts = T + 37 * S  # in the windows starting at -20 s .. 30 s, ending at 40 s .. 90 s
    win = windows(frame(event(ts)), since=T + 50 * S, until=T + 80 * S)
    assert list(win["window_end"] - T) == [60 * S, 70 * S, 80 * S]  # 50 s out, 80 s in


def test_an_idle_entity_has_no_windows_and_an_empty_range_gives_typed_empty_frames() -> None:
    events = frame(event(T + 5 * S), event(T + 10 * MIN, user="bob"))
    win = windows(events, since=T, until=T + 2 * MIN)
    assert set(win["entity"]) == {"alice"}
    empty = features(events, since=T + 5 * DAY, until=T + 6 * DAY)
    assert set(empty) == set(LEVELS)
    for level_frame in empty.values():
        assert level_frame.empty
        assert list(level_frame.columns) == ["entity", "window_start", "window_end", *FEATURES]


def test_window_aggregates_on_a_hand_made_window() -> None:
    calls = [  # method, tool, resource_uri, outcome, duration_us, args_bytes, result_bytes
        ("tools/call", "read", "file:///a", "ok", 100, 10, 1000),
        ("tools/call", "read", "file:///a", "error", 200, 20, 2000),
        ("tools/call", "write", "file:///b", "denied", 300, 30, 0),
        ("resources/read", "", "", "denied", 1000, 40, 7),
    ]
    names = (
        "method",
        "tool",
        "resource_uri",
        "outcome",
        "duration_us",
        "args_bytes",
        "result_bytes",
    )
    events = frame(
        *(event(T + (2 + i) * S, **dict(zip(names, c, strict=True))) for i, c in enumerate(calls))
    )
    win = windows(events, since=T, until=T + MIN)  # the window [T, T + 1 min) holds all four
    row = win.loc[win["window_start"] == T].iloc[0]
    assert row["entity"] == "alice"
    assert row["calls"] == 4
    assert row["distinct_tools"] == 3  # read, write and the method resources/read
    assert row["distinct_resources"] == 2
    assert row["bytes_in"] == 100
    assert row["bytes_out"] == 3007
    assert row["error_rate"] == pytest.approx(0.25)
    assert row["denials"] == 2
    assert row["duration_p95"] == pytest.approx(np.percentile([100, 200, 300, 1000], 95))
    assert win[list(FEATURES)].dtypes.eq("float64").all()


def test_entities_per_level_and_derived_keys() -> None:
    events = frame(
        event(T + S, agent="", client="claude-code", source_name="fs"),
        event(T + 2 * S, method="resources/read", tool="", source_name="fs"),
    )
    entities = {
        level: set(windows(events, since=T, until=T + MIN, level=level)["entity"])
        for level in LEVELS
    }
    assert entities == {
        "user": {"alice"},
        "user_tool": {"alice|read", "alice|resources/read"},
        "agent": {"claude-code", "helper"},  # no agent named: the client stands in
        "server_tool": {"fs|read", "fs|resources/read"},
        "source": {"fs"},
    }


# -- first sightings, loops, sessions, the trailing hour -------------------------------------------


def test_first_ever_sightings_count_only_in_the_windows_holding_them() -> None:
    seen = {"tool": "read", "client": "cli", "resource_uri": "file:///a", "args_fingerprint": "f1"}
    new = {"tool": "write", "client": "cli2", "resource_uri": "file:///b", "args_fingerprint": "f2"}
    first, again = T + 5 * S, T + 3 * MIN
    events = frame(
        event(T - DAY, **seen),  # yesterday: far outside the loaded range, still history
        event(first, **new),
        event(first + S, **seen),
        event(again, **new),
    )
    win = windows(events, since=T - MIN, until=T + 10 * MIN)
    holding = _containing(win, first)
    assert holding.sum() == 6
    for name in ("new_tools", "new_clients", "new_resources"):
        assert (win.loc[holding, name] == 1).all(), name
        assert (win.loc[~holding, name] == 0).all(), name
    both = holding & _containing(win, first + S)
    assert both.any()
    assert (win.loc[both, "fp_novelty"] == 0.5).all()
    after = _containing(win, again)
    assert after.sum() == 6
    assert (win.loc[after, "fp_novelty"] == 0).all()


def test_first_sighting_is_per_entity() -> None:
    """Bob's first ``write`` is new for bob though alice used it before."""
    events = frame(event(T - DAY, tool="write"), event(T + 5 * S, tool="write", user="bob"))
    win = windows(events, since=T, until=T + 2 * MIN)
    assert set(win["entity"]) == {"bob"}
    assert (win["new_tools"] == 1).all()
    server = windows(events, since=T, until=T + 2 * MIN, level="server_tool")
    assert (server["new_tools"] == 0).all()  # the server has served write before


def test_repeat_max_counts_identical_fingerprints_and_ignores_missing_ones() -> None:
    loop = [event(T + i * S, args_fingerprint="x") for i in range(5)]
    other = [event(T + 6 * S, args_fingerprint="y"), event(T + 7 * S, args_fingerprint="y")]
    bare = [event(T + (8 + i) * S, args_fingerprint="") for i in range(9)]
    win = windows(frame(*loop, *other, *bare), since=T, until=T + MIN)
    row = win.loc[win["window_start"] == T].iloc[0]
    assert row["calls"] == 16
    assert row["repeat_max"] == 5
    no_fp = windows(frame(*bare), since=T, until=T + MIN)
    assert (no_fp["repeat_max"] == 0).all()
    assert (no_fp["fp_novelty"] == 0).all()  # no fingerprint: nothing novel to share


def test_session_len_is_the_session_age_and_grows() -> None:
    events = frame(
        event(T - 2 * HOUR, session_id="long"),  # the session began before the loaded range
        event(T + 5 * S, session_id="long"),
        event(T + 5 * MIN + 5 * S, session_id="long"),
        event(T + 5 * S, user="bob", session_id=""),  # no session: age 0
    )
    win = windows(events, since=T, until=T + 10 * MIN)
    alice = win.loc[win["entity"] == "alice"].set_index("window_start")["session_len"]
    assert alice.loc[T] == pytest.approx((2 * HOUR + 5 * S) / S)
    assert alice.loc[T + 5 * MIN] == pytest.approx((2 * HOUR + 5 * MIN + 5 * S) / S)
    assert alice.is_monotonic_increasing
    assert (win.loc[win["entity"] == "bob", "session_len"] == 0).all()


def test_servers_carry_no_session_age() -> None:
    """A server's windows mix every client's connections: an IDE's whole-day session says
    nothing about the server, so its levels read no session age; nor does a person's tool,
    called from whichever of their clients they use (round 5): the user and the agent do."""
    events = frame(event(T - 6 * HOUR, session_id="ide"), event(T + 5 * S, session_id="ide"))
    got = features(events, since=T, until=T + MIN)
    assert got["user"]["session_len"].max() == pytest.approx((6 * HOUR + 5 * S) / S)
    assert got["agent"]["session_len"].max() > 0
    assert (got["source"]["session_len"] == 0).all()
    assert (got["server_tool"]["session_len"] == 0).all()
    assert (got["user_tool"]["session_len"] == 0).all()


def test_trailing_hour_features_sum_over_the_hour_ending_with_the_window() -> None:
    end = T + 2 * HOUR
    events = frame(
        event(end - 61 * MIN, result_bytes=1000, resource_uri="file:///old"),  # out
        event(end - 59 * MIN, result_bytes=100, resource_uri="file:///a"),  # in
        event(end - 59 * MIN + S, result_bytes=0, resource_uri="file:///a"),  # in, not new
        event(end - 10 * S, result_bytes=1, resource_uri="file:///b"),  # in (the window itself)
        event(end, result_bytes=10_000, resource_uri="file:///c"),  # the next window's
    )
    win = windows(events, since=end - 10 * MIN, until=end + MIN)
    assert (end - 61 * MIN) >= (end - 10 * MIN) - HORIZON_US  # loaded: could have counted
    row = win.loc[win["window_end"] == end].iloc[0]
    assert row["bytes_out"] == 1
    assert row["new_resources"] == 1
    assert row["novel_minutes_1h"] == 2  # /a and /b, in two minutes; /old is 61 min back
    assert row["bytes_out_1h"] == 101  # the results of the hour up to the window's end


def test_the_trailing_hour_counts_only_in_windows_that_touch_a_new_resource() -> None:
    events = frame(
        *(event(T + i * S, resource_uri=f"file:///burst/{i}") for i in range(30)),
        event(T + 20 * MIN, resource_uri="file:///burst/0"),  # later: nothing new
        event(T + 30 * MIN, resource_uri="file:///fresh"),  # later: one new
    )
    win = windows(events, since=T + 10 * MIN, until=T + 40 * MIN).set_index("window_end")
    assert (win.loc[win["new_resources"] == 0, "novel_minutes_1h"] == 0).all()  # no echo
    fresh = win.loc[win["new_resources"] > 0, "novel_minutes_1h"]
    assert len(fresh) == 6
    assert (fresh == 2).all()  # 30 new resources in the burst's first minute, 1 at T + 30 min


def test_trailing_hour_stays_per_entity_over_a_range_longer_than_twelve_days() -> None:
    late = T + (1 << 40) + 10 * MIN - 5 * S  # alice, 12.7 days on
    events = frame(
        event(T, resource_uri="file:///a0"),
        event(T + 10 * MIN, user="bob", resource_uri="file:///b0"),
        *(event(late + i, resource_uri=f"file:///a{i + 1}") for i in range(1000)),
    )
    win = windows(events, since=T, until=late + MIN)
    bob = win.loc[win["entity"] == "bob"]
    assert len(bob) == 6
    assert (bob["novel_minutes_1h"] == 1).all()


# -- host mirrors ---------------------------------------------------------------------------------


def test_a_host_event_mirrored_by_a_server_event_counts_once() -> None:
    events = frame(
        event(T + 5 * S, source_kind="host", source_name="desktop", trace_id="t1"),
        event(T + 5 * S + 300, trace_id="t1"),
        event(T + 6 * S, source_kind="host", source_name="desktop", trace_id="t2"),  # no twin
        event(T + 7 * S, source_kind="host", source_name="desktop", trace_id=""),  # no trace
    )
    prepared = prepare(events)
    assert list(prepared["source_kind"]) == ["server", "host", "host"]
    win = windows(events, since=T, until=T + MIN)
    assert win.loc[win["window_start"] == T, "calls"].iloc[0] == 3
    sources = windows(events, since=T, until=T + MIN, level="source")
    per_source = sources.loc[sources["window_start"] == T].set_index("entity")["calls"]
    assert per_source.to_dict() == {"desktop": 2.0, "srv": 1.0}


def test_a_host_call_without_a_twin_is_kept_when_its_trace_reached_an_audited_server() -> None:
    turn = {"source_kind": "host", "source_name": "desktop", "trace_id": "turn-1"}
    events = frame(
        event(T + 5 * S, tool="read", **turn),
        event(T + 5 * S + 300, tool="read", trace_id="turn-1"),  # read's server twin
        event(T + 6 * S, tool="web_search", **turn),  # a server that is not audited
    )
    assert sorted(prepare(events)["tool"]) == ["read", "web_search"]


def test_host_events_are_kept_when_no_server_is_audited() -> None:
    events = frame(
        event(T + 5 * S, source_kind="host", trace_id="t1"),
        event(T + 6 * S, source_kind="host", trace_id="t1"),
    )
    assert len(prepare(events)) == 2


# -- the actor profile ----------------------------------------------------------------------------


def _office_hours(user: str, days: int = 3) -> list[dict[str, Any]]:
    """``user`` calls read → write → read every hour from 09:00 to 16:00 UTC."""
    rows = []
    for d in range(days):
        for h in range(9, 17):
            start = T - (d + 1) * DAY + h * HOUR
            session = f"{user}-{d}-{h}"
            for i, tool in enumerate(("read", "write", "read")):
                rows.append(event(start + i * S, user=user, tool=tool, session_id=session))
    return rows


@pytest.fixture(scope="module")
def profile() -> ActorProfile:
    return ActorProfile.fit(prepare(frame(*_office_hours("alice"))), min_calls=20)


def test_off_hours_flags_calls_in_hours_the_actor_never_works(profile: ActorProfile) -> None:
    calls = prepare(
        frame(
            event(T + 3 * HOUR),  # 03:00
            event(T + 10 * HOUR),  # 10:00
            event(T + 3 * HOUR + S, user="newcomer"),  # no own profile: the group's hours
            event(T + 11 * HOUR, user="newcomer"),
        )
    )
    keys = zip(calls["user"], calls["ts"], strict=True)
    by_user = dict(zip(keys, profile.off_hours(calls), strict=True))
    assert by_user[("alice", T + 3 * HOUR)] == 1.0
    assert by_user[("alice", T + 10 * HOUR)] == 0.0
    assert by_user[("newcomer", T + 3 * HOUR + S)] == 1.0
    assert by_user[("newcomer", T + 11 * HOUR)] == 0.0


def test_off_hours_feature_is_the_share_of_calls_outside_the_usual_hours(
    profile: ActorProfile,
) -> None:
    events = frame(
        *_office_hours("alice"),
        event(T + 3 * HOUR + S),
        event(T + 3 * HOUR + 2 * S),
    )
    night = windows(events, since=T, until=T + 4 * HOUR, profile=profile)
    assert len(night) == 6
    assert (night["off_hours"] == 1.0).all()
    nine = T - DAY + 9 * HOUR
    day = windows(events, since=nine, until=nine + MIN, profile=profile)
    assert (day["off_hours"] == 0.0).all()


def _one_day_a_week(user: str, weeks: int) -> list[dict[str, Any]]:
    """``user`` works Tuesdays 09:00-16:00 UTC (a part-timer), the last ``weeks`` weeks."""
    tuesday = T - 6 * DAY  # T is a Monday
    return [
        event(tuesday - w * 7 * DAY + h * HOUR + i * MIN, user=user, session_id=f"{w}-{h}")
        for w in range(weeks)
        for h in range(9, 17)
        for i in range(3)
    ]


def test_the_hours_a_person_works_come_from_their_whole_history_when_given() -> None:
    """A part-timer works one day in the baseline's week: too few days to know their hours from
    it; four Tuesdays of stored history are enough, and the night is then rare for them."""
    history = prepare(frame(*_one_day_a_week("bob", weeks=4)))
    week = history.loc[history["ts"] >= T - 7 * DAY]
    assert week["ts"].floordiv(DAY).nunique() == 1
    assert "bob" not in ActorProfile.fit(week, min_calls=20).week_hours
    prof = ActorProfile.fit(week, min_calls=20, hours=hours_of(history))
    assert "bob" in prof.week_hours
    calls = prepare(frame(event(T + 2 * HOUR, user="bob"), event(T + 12 * HOUR, user="bob")))
    assert list(prof.rare_hour(calls)) == [1, 0]
    # three Tuesdays are not enough days
    three = prepare(frame(*_one_day_a_week("bob", weeks=3)))
    assert "bob" not in ActorProfile.fit(week, hours=hours_of(three)).week_hours


def test_a_few_calls_every_morning_say_the_hours_of_someone_who_calls_little() -> None:
    """A treasurer checks positions with five calls at 01:00 UTC each weekday (nine mornings
    in the stored history, 45 calls): their hours are known, and 08:00 is rare for them; with
    four calls a morning on five mornings (20 calls) they are not."""

    def mornings(days: tuple[int, ...], calls: int) -> pd.DataFrame:
        return prepare(
            frame(
                *[
                    event(T - d * DAY + HOUR + i * MIN, user="tess", session_id=f"t{d}")
                    for d in days
                    for i in range(calls)
                ]
            )
        )

    weekdays = (3, 4, 5, 6, 7, 10, 11, 12, 13)  # T is a Monday: T - 1 and T - 2 are a weekend
    history = mornings(weekdays, 5)
    prof = ActorProfile.fit(history, hours=hours_of(history))
    assert "tess" in prof.week_hours
    calls = prepare(frame(event(T + HOUR, user="tess"), event(T + 8 * HOUR, user="tess")))
    assert list(prof.rare_hour(calls)) == [0, 1]
    fewer = mornings(weekdays[:5], 4)
    assert "tess" not in ActorProfile.fit(fewer, hours=hours_of(fewer)).week_hours


def _weekdays(user: str, weeks: int = 2) -> list[dict[str, Any]]:
    """``user`` works weekdays 09:00-17:00 UTC for the ``weeks`` weeks before ``T`` (a Monday)."""
    return [
        event(T - w * 7 * DAY - d * DAY + h * HOUR, user=user, session_id=f"{w}{d}{h}")
        for w in range(weeks)
        for d in (3, 4, 5, 6, 7)  # Friday back to Monday
        for h in range(9, 17)
    ]


def test_a_weekday_worker_on_a_sunday_afternoon_keeps_their_hours() -> None:
    """A Sunday at noon is not the night for someone who works weekdays 09:00-17:00; 03:00 on
    a Sunday, or on a Monday, is; so is 07:00 on a Sunday, two hours before the weekday
    start, when the margin (two hours) is one of weekdays only."""
    history = prepare(frame(*_weekdays("alice")))
    prof = ActorProfile.fit(history, min_calls=20, hours=hours_of(history))
    assert prof.work_days["alice"] == 10
    sunday = T - DAY
    calls = prepare(
        frame(
            event(sunday + 3 * HOUR),
            event(sunday + 12 * HOUR),
            event(T + 3 * HOUR),
            event(T + 7 * HOUR),  # two hours before she starts: within the margin
        )
    )
    assert list(prof.rare_hour(calls)) == [1, 0, 1, 0]


def test_a_night_worked_once_on_a_weekend_does_not_make_weeknights_usual() -> None:
    """One Sunday-night sitting in two weeks (one day in ten): a weeknight at that hour is
    still rare; worked on two Sunday nights in two weeks, it is not."""
    once = [event(T - DAY + HOUR, session_id="night")]
    twice = [*once, event(T - 8 * DAY + HOUR, session_id="night2")]
    tuesday_night = prepare(frame(event(T + DAY + HOUR)))
    for nights, rare in ((once, 1), (twice, 0)):
        history = prepare(frame(*_weekdays("alice"), *nights))
        prof = ActorProfile.fit(history, min_calls=20, hours=hours_of(history))
        assert list(prof.rare_hour(tuesday_night)) == [rare]


def test_surprise_is_higher_for_an_unseen_transition(profile: ActorProfile) -> None:
    calls = prepare(
        frame(
            event(T + 10 * HOUR, tool="read", session_id="a"),
            event(T + 10 * HOUR + S, tool="write", session_id="a"),  # read → write: usual
            event(T + 11 * HOUR, tool="read", session_id="b"),
            event(T + 11 * HOUR + S, tool="delete", session_id="b"),  # read → delete: never
        )
    )
    surprise = dict(zip(calls["ts"], profile.surprise(calls), strict=True))
    assert surprise[T + 10 * HOUR] == 0.0  # the first call of a session has no transition
    assert surprise[T + 11 * HOUR] == 0.0
    assert surprise[T + 11 * HOUR + S] > surprise[T + 10 * HOUR + S] + 2  # bits
    assert surprise[T + 10 * HOUR + S] > 0


def test_seq_rarity_is_the_rarest_transition_in_the_window(profile: ActorProfile) -> None:
    usual = [event(T + 10 * HOUR, tool="read"), event(T + 10 * HOUR + S, tool="write")]
    odd = [event(T + 11 * HOUR, tool="read"), event(T + 11 * HOUR + S, tool="delete")]
    events = frame(*usual, *odd)
    prepared = prepare(events)
    expected = profile.surprise(prepared)
    win = windows(events, since=T + 9 * HOUR, until=T + 12 * HOUR, profile=profile)
    by_start = win.set_index("window_start")["seq_rarity"]
    assert by_start.loc[T + 10 * HOUR] == pytest.approx(expected[1])
    assert by_start.loc[T + 11 * HOUR] == pytest.approx(expected[3])
    assert by_start.loc[T + 11 * HOUR] > by_start.loc[T + 10 * HOUR]


def test_prepare_fills_missing_columns_and_orders_by_time() -> None:
    partial = pd.DataFrame(
        {
            "ts": [T + 2 * S, T + S],
            "event_id": ["b", "a"],
            "source_kind": ["server", "server"],
            "method": ["tools/call", "tools/call"],
            "tool": ["read", None],
            "user": ["alice", "bob"],
            "duration_us": [5, None],
            "args_bytes": [1, 2],
            "result_bytes": [3, 4],
        }
    )
    prepared = prepare(partial)
    assert list(prepared["event_id"]) == ["a", "b"]
    assert list(prepared["tool_key"]) == ["tools/call", "read"]
    assert list(prepared["duration_us"]) == [0, 5]
    assert (prepared["session_id"] == "").all()
    assert (prepared["agent_key"] == "").all()


# -- peer context and adoption --------------------------------------------------------------------


def test_a_colleague_starting_on_tools_of_a_server_shares_that_servers_novelty() -> None:
    """Alice starts on ``merge`` of server vcs; bob, five minutes later, on ``repo_log`` of the
    same server: the organisation taking up vcs (a release), not bob's own novelty. Carol, on a
    server nobody else started on, keeps hers."""
    history = [event(T - 2 * DAY, user=u) for u in ("alice", "bob", "carol")]  # established
    # vcs and kube are established servers (dave's), not launched today
    history += [event(T - 2 * DAY, user="dave", tool="log", source_name=s) for s in ("vcs", "kube")]
    events = frame(
        *history,
        event(T, user="alice", tool="merge", source_name="vcs"),
        event(T + 5 * MIN, user="bob", tool="repo_log", source_name="vcs"),
        event(T + 5 * MIN, user="carol", tool="pods", source_name="kube"),
    )
    win = windows(events, since=T + 4 * MIN, until=T + 7 * MIN)
    at = _containing(win, T + 5 * MIN)
    bob = win.loc[at & (win["entity"] == "bob")]
    carol = win.loc[at & (win["entity"] == "carol")]
    assert (bob["new_tools"] + bob["new_servers"] == 2).all()
    assert len(bob)
    assert (bob["novel_shared"] == 2).all()  # the tool and the server: vcs is being taken up
    assert (carol["new_tools"] + carol["new_servers"] == 2).all()
    assert len(carol)
    assert (carol["novel_shared"] == 0).all()


def test_a_server_the_deployment_first_used_today_is_the_organisations_novelty() -> None:
    """A server rolled out an hour ago: its first user tries four of its tools before anyone
    else has, and none of that is theirs alone (a launch); the same sweep on a server others
    have used for days is."""
    history = [event(T - 2 * DAY, user=u) for u in ("alice", "bob")]
    history.append(event(T - 2 * DAY, user="bob", tool="get", source_name="old"))
    tools = ("search", "list", "open", "write")  # "read" is what alice and bob always use
    events = frame(
        *history,
        *(event(T + HOUR + i * S, tool=t, source_name="notes") for i, t in enumerate(tools)),
        *(
            event(T + HOUR + i * S, user="bob", tool=t, source_name="old")
            for i, t in enumerate(("scan", "fetch", "put", "tag"))
        ),
        event(T, user="ops", tool="deploy", source_name="notes"),  # the rollout, an hour before
    )
    win = windows(events, since=T + HOUR, until=T + HOUR + MIN)
    at = _containing(win, T + HOUR + 3 * S)
    alice = win.loc[at & (win["entity"] == "alice")]
    bob = win.loc[at & (win["entity"] == "bob")]
    assert len(alice)
    assert len(bob)
    assert (alice["new_tools"] + alice["new_servers"] == 5).all()
    assert (alice["novel_shared"] == 5).all()
    assert (bob["new_tools"] == 4).all()
    assert (bob["novel_shared"] == 0).all()
    # a host-side source seen for the first time is a new emitter, not a server rolled out
    hosted = frame(*(dict(e, source_kind="host") for e in events.to_dict("records")))
    win = windows(hosted, since=T + HOUR, until=T + HOUR + MIN)
    alice = win.loc[_containing(win, T + HOUR + 3 * S) & (win["entity"] == "alice")]
    assert len(alice)
    assert (alice["novel_shared"] == 0).all()


def test_adopting_marks_a_tool_taken_up_in_an_earlier_sitting_of_the_last_day() -> None:
    events = frame(
        event(T - 2 * DAY),  # alice's history: read only
        event(T - 2 * HOUR, tool="tickets"),  # takes up tickets two hours ago
        event(T + 5 * MIN, tool="tickets"),  # ... and uses it again now: adopting
        event(T + 5 * MIN + 30 * S, tool="mail"),  # first use: not yet adopted
        event(T + 9 * MIN, tool="mail"),  # four minutes later: the same sitting
        event(T + 20 * MIN),  # read: used for days, nothing taken up
    )
    win = windows(events, since=T, until=T + 25 * MIN)
    now = _containing(win, T + 5 * MIN)
    same_sitting = _containing(win, T + 9 * MIN) & ~now
    later = _containing(win, T + 20 * MIN)
    assert now.any()
    assert same_sitting.any()
    assert later.any()
    assert (win.loc[now, "adopting"] == 1).all()
    assert (win.loc[same_sitting | later, "adopting"] == 0).all()


def test_novel_jump_is_how_unusual_for_everyone_the_move_to_a_never_used_tool_was() -> None:
    """Colleagues walk read → get_pods → apply_deploy daily: bob taking it up (a new team's
    routine) reaches his new tools by usual moves; carol jumping from read to drop_table, a
    move nobody makes, by a surprising one. A sitting's first call is reached by no move (0:
    how sittings open was measured and not kept, docs/alerts.md). A tool already used counts
    nothing."""
    past = [
        event(T - DAY + k * MIN + j * S, user=u, tool=t, session_id=f"{u}{k}")
        for u in ("dan", "eve")
        for k in range(30)
        for j, t in enumerate(("read", "get_pods", "apply_deploy"))
    ]
    profile = ActorProfile.fit(prepare(frame(*past)), min_calls=20)
    now = [
        event(T - 2 * DAY, user="bob", tool="read", session_id="b0"),
        event(T - 2 * DAY, user="carol", tool="read", session_id="c0"),
        event(T, user="bob", tool="read", session_id="b1"),
        event(T + 1 * S, user="bob", tool="get_pods", session_id="b1"),
        event(T + 2 * S, user="bob", tool="apply_deploy", session_id="b1"),
        event(T, user="carol", tool="read", session_id="c1"),
        event(T + 2 * S, user="carol", tool="drop_table", session_id="c1"),
        event(T, user="gus", tool="drop_table", session_id="g1"),
    ]
    win = windows(frame(*past, *now), since=T, until=T + W, profile=profile)
    jump = win.groupby("entity")["novel_jump"].max()
    assert jump["bob"] < 1
    assert jump["carol"] > 5
    assert jump["gus"] == 0


def test_five_minutes_of_results_and_how_many_comparable_results_make_them() -> None:
    """``bytes_out_5m`` sums the results of the five minutes up to the window's end;
    ``results_5m`` is how many results of comparable size they are: twelve reads of 1 MB are
    twelve, one 12 MB export beside a few small reads is about one."""
    mb = 1_000_000
    harvest = frame(*(event(T + i * 20 * S, result_bytes=mb) for i in range(12)))
    export = frame(
        event(T, user="bob", result_bytes=12 * mb),
        *(event(T + (i + 1) * 20 * S, user="bob", result_bytes=10_000) for i in range(11)),
    )
    old = frame(event(T - 6 * MIN, result_bytes=50 * mb))  # before the five minutes: out
    win = windows(
        pd.concat([harvest, export, old], ignore_index=True),
        since=T + 3 * MIN + 50 * S,
        until=T + 4 * MIN,
    )
    alice = win.loc[win["entity"] == "alice"].iloc[-1]
    bob = win.loc[win["entity"] == "bob"].iloc[-1]
    assert alice["bytes_out_5m"] == 12 * mb
    assert alice["results_5m"] == pytest.approx(12)
    assert bob["bytes_out_5m"] == 12 * mb + 11 * 10_000
    assert 1 <= bob["results_5m"] < 1.02


def test_the_hours_calls_and_how_many_comparable_results_make_its_bytes() -> None:
    """``calls_1h`` counts the calls of the hour up to the window's end and ``results_1h`` is
    ``results_5m`` over the hour: a read of 200 KB every two minutes for forty minutes is
    twenty calls of twenty comparable results; sixty small queries and three 3 MB exports
    are sixty-three calls of about three; a call before the hour is out of both."""
    kb = 1_000
    harvest = frame(*(event(T + i * 2 * MIN, result_bytes=200 * kb) for i in range(20)))
    day = frame(
        *(event(T + i * 40 * S, user="bob", result_bytes=2 * kb) for i in range(60)),
        *(event(T + (10 + i) * MIN, user="bob", result_bytes=3_000 * kb) for i in range(3)),
    )
    old = frame(event(T - 30 * MIN, result_bytes=9_000 * kb))  # over an hour before alice's last
    win = windows(pd.concat([harvest, day, old], ignore_index=True), since=T, until=T + HOUR)
    last = win.sort_values("window_end").groupby("entity").tail(1).set_index("entity")
    alice, bob = last.loc["alice"], last.loc["bob"]
    assert (alice["calls_1h"], alice["bytes_out_1h"]) == (20, 4_000 * kb)
    assert alice["results_1h"] == pytest.approx(20)
    assert bob["calls_1h"] == 63
    assert 2.9 < bob["results_1h"] < 3.2


def test_the_hours_shared_novelty_counts_what_colleagues_also_took_up_in_it() -> None:
    """Bob takes up vcs's ``repo_log`` (shared: alice started on vcs) and, twenty minutes later,
    kube's ``pods`` (nobody else's): over the hour up to the later window he has four novel items,
    two of them shared with the organisation."""
    history = [event(T - 2 * DAY, user=u) for u in ("alice", "bob")]
    history += [event(T - 2 * DAY, user="dave", tool="log", source_name=s) for s in ("vcs", "kube")]
    events = frame(
        *history,
        event(T, user="alice", tool="merge", source_name="vcs"),
        event(T + 5 * MIN, user="bob", tool="repo_log", source_name="vcs"),
        event(T + 25 * MIN, user="bob", tool="pods", source_name="kube"),
    )
    win = windows(events, since=T + 25 * MIN, until=T + 26 * MIN)
    bob = win.loc[_containing(win, T + 25 * MIN) & (win["entity"] == "bob")]
    assert len(bob)
    assert (bob["novel_1h"] == 4).all()
    assert (bob["novel_shared_1h"] == 2).all()
    assert (bob["novel_shared"] == 0).all()  # the window's own: kube is nobody else's


def test_five_minutes_of_destructive_calls_count_deletes_paced_under_a_burst() -> None:
    """``destructive_5m`` counts the entity's destructive calls in the five minutes up to the
    window's end: deletes 45 s apart are never more than two in a minute, eight in five; a read
    is not one, nor a delete before the five minutes."""
    deletes = [event(T + i * 45 * S, tool="delete_ticket") for i in range(8)]
    reads = [event(T + i * 30 * S, tool="read") for i in range(10)]
    old = event(T - 2 * MIN, tool="delete_ticket")  # ends up 7 min before the last window
    win = windows(
        frame(old, *deletes, *reads), since=T + 5 * MIN + 30 * S, until=T + 5 * MIN + 40 * S
    )
    last = win.loc[win["entity"] == "alice"].iloc[-1]
    assert last["window_end"] == T + 5 * MIN + 40 * S
    assert last["destructive"] <= 2
    assert last["destructive_5m"] == 7  # the deletes at 45 s … 5 min 15 s; not the one at 0 s


def test_deletes_with_a_tool_the_organisation_takes_up_together_are_not_the_users_own() -> None:
    """A grading deadline: bob and cat start on ``delete_grade`` (their assistants' tool) in
    the hour before ann does; ann's deletes with it are the organisation's uptake, not hers.
    Erin takes up ``delete_page``, which only bob started on (one colleague: an account an
    insider may also hold), and frank deletes with the tool he has used for days: both count."""
    people = ("ann", "bob", "cat", "erin", "frank")
    known = [event(T - 2 * DAY, user=u, session_id=f"k{u}") for u in people]  # established
    franks = event(T - 2 * DAY + MIN, user="frank", tool="delete_grade", session_id="kf")
    starts = [
        event(T, user="bob", tool="delete_grade"),
        event(T + 5 * MIN, user="cat", tool="delete_grade"),
        event(T + 6 * MIN, user="bob", tool="delete_page"),
    ]
    at = T + 30 * MIN
    burst = [
        event(at + k * 5 * S, user=u, tool=tool, session_id=u)
        for u, tool in (("ann", "delete_grade"), ("erin", "delete_page"), ("frank", "delete_grade"))
        for k in range(3)
    ]
    win = windows(frame(*known, franks, *starts, *burst), since=at + 20 * S, until=at + 30 * S)
    got = {e: win.loc[win["entity"] == e].iloc[-1] for e in ("ann", "erin", "frank")}
    assert got["ann"]["calls"] == 3
    assert got["ann"]["destructive"] == 0
    assert got["ann"]["destructive_5m"] == 0
    assert got["erin"]["destructive"] == 3
    assert got["frank"]["destructive"] == 3
