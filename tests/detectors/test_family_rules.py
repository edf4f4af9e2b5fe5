"""The family rules on hand-made windows and hours: an off-hours sitting pages on its first call
when it starts far from any hour the person works, a day's work running late does not page, and
an account whose routine is deleting in bulk is judged by the size of its runs; a person's busy
minute of their own deletes is no burst, a burst of a destructive tool they rarely call is."""

from __future__ import annotations

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest

from tooltrail.detectors.baseline import relative
from tooltrail.detectors.families import Families, PairHistory
from tooltrail.detectors.features import FEATURES, ActorProfile
from tooltrail.detectors.rules import RuleHits

from .test_features import DAY, HOUR, MIN, T, event, frame, windows

S = 1_000_000


@pytest.fixture(scope="module")
def office() -> ActorProfile:
    """alice works weekdays 09:00-17:00 UTC (her own profile; no weekend work)."""
    week = np.zeros((2, 24))
    week[0, 9:17] = 40
    return ActorProfile(week_hours={"alice": week})


def _history() -> list[dict[str, object]]:
    """Office hours on the three weekdays before ``T`` (a Monday): bands worked before."""
    return [
        event(T - d * DAY + h * HOUR + 7 * MIN, session_id=f"o{d}{h}")
        for d in (3, 4, 5)  # the Friday, Thursday and Wednesday before
        for h in range(9, 17)
    ]


def _row(win: pd.DataFrame, ts: int) -> pd.Series:
    hit = win.loc[(win["window_start"] <= ts) & (ts < win["window_end"])]
    return hit.iloc[0]


def test_a_sitting_far_from_any_working_hour_counts_from_its_first_call(
    office: ActorProfile,
) -> None:
    night = T + 3 * HOUR
    win = windows(frame(*_history(), event(night)), since=night - MIN, until=night + MIN,
                  profile=office)  # fmt: skip
    first = _row(win, night)
    assert first["rare_hour_calls"] == 1
    assert first["rare_hour_cold"] == 1
    assert first["far_hour_calls"] == 1  # no call of alice's within three hours of 03:00


def test_a_sitting_at_an_odd_hour_paced_a_call_every_two_minutes_counts_its_calls(
    office: ActorProfile,
) -> None:
    """A stolen session at 19:30 (two hours past alice's day, not three) replaying a call every
    two minutes: one call in every window, and the window of its second call counts two of the
    sitting (so the rule paging on a sitting's second call sees it), of its third three."""
    back = T + 19 * HOUR + 30 * MIN
    calls = [event(back + k * 2 * MIN, session_id="stolen") for k in range(3)]
    win = windows(frame(*_history(), *calls), since=back, until=back + 5 * MIN, profile=office)
    assert _row(win, back)["rare_hour_cold"] == 1
    assert _row(win, back + 2 * MIN)["rare_hour_cold"] == 2
    assert _row(win, back + 4 * MIN)["rare_hour_cold"] == 3
    assert _row(win, back + 2 * MIN)["calls"] == 1
    assert (win["far_hour_calls"] == 0).all()


def test_a_day_of_work_running_late_is_not_a_sitting_at_an_odd_hour(office: ActorProfile) -> None:
    late = [event(T + 16 * HOUR + k * 5 * MIN, session_id=f"l{k}") for k in range(48)]  # → 20:00
    win = windows(frame(*_history(), *late), since=T + 19 * HOUR, until=T + 20 * HOUR,
                  profile=office)  # fmt: skip
    assert win["rare_hour_calls"].max() >= 1  # 19:00 is two hours past anything she works
    assert (win["rare_hour_cold"] == 0).all()  # ... but she has been calling all along
    assert (win["far_hour_calls"] == 0).all()
    # the same hour after an hour's quiet starts a sitting there (rare, not three hours out)
    back = T + 19 * HOUR + 30 * MIN
    alone = windows(frame(*_history(), event(back), event(back + 20 * S)),
                    since=back, until=back + MIN, profile=office)  # fmt: skip
    row = _row(alone, back + 20 * S)
    assert row["rare_hour_cold"] == 2
    assert row["far_hour_calls"] == 0


def _frame(**cols: list[float]) -> pd.DataFrame:
    n = len(next(iter(cols.values())))
    data = {name: np.asarray(cols.get(name, [0.0] * n), dtype=float) for name in FEATURES}
    out = pd.DataFrame({"entity": [f"e{i}" for i in range(n)], **data})
    out["window_start"], out["window_end"] = T, T + MIN
    return out


def _fired(
    level: str, win: pd.DataFrame, p50: pd.DataFrame, p99: pd.DataFrame
) -> dict[str, list[int]]:
    cols = list(FEATURES)
    values, lo, hi = (f[cols].to_numpy(dtype=float) for f in (win, p50, p99))
    rel = relative(values, lo, hi)
    hits = Families().run(level, win, rel, hi, np.ones(len(win), dtype=bool))
    out: dict[str, list[int]] = {}
    for h in hits:  # one family may fire through two paths, on different rows
        out[h.rule] = sorted(out.get(h.rule, []) + [int(r) for r in h.rows])
    return out


def test_off_hours_pages_on_a_far_first_call_or_on_two_calls_of_a_fresh_sitting() -> None:
    win = _frame(
        rare_hour_calls=[1, 2, 1, 5],
        rare_hour_cold=[1, 2, 1, 0],  # the last: a day's work running late
        far_hour_calls=[1, 0, 0, 0],
        calls=[1, 2, 1, 5],
    )
    zero = _frame(calls=[0, 0, 0, 0])
    fired = _fired("user", win, zero, zero)
    assert fired["family:off_hours"] == [0, 1]


def test_a_job_that_deletes_in_bulk_every_night_pages_only_far_above_its_runs() -> None:
    # a cleanup job (p50 8, p99 12 deletes a minute) at twice its runs; at five times them; a
    # person (p99 1) deleting five in a minute
    win = _frame(destructive=[24, 60, 5], calls=[40, 80, 6])
    p50 = _frame(destructive=[8, 8, 0], calls=[30, 30, 3])
    p99 = _frame(destructive=[12, 12, 1], calls=[45, 45, 8])
    fired = _fired("user", win, p50, p99)
    assert fired["family:destructive"] == [1, 2]


def test_a_busy_minute_of_a_persons_own_deletes_is_no_burst() -> None:
    # three deletes where the person's own p99 is two (a busy minute, paged in round 4), four
    # against three; five against two pages (more than twice the person's own p99)
    win = _frame(destructive=[3, 4, 5], calls=[7, 9, 8])
    p50 = _frame(destructive=[0, 0, 0], calls=[3, 3, 3])
    p99 = _frame(destructive=[2, 2.74, 2], calls=[9, 9, 9])
    fired = _fired("user", win, p50, p99)
    assert fired["family:destructive"] == [2]


def _pair(
    count: list[float],
    usual: list[float],
    windows_: list[float],
    established: list[bool],
    **extra: list[float],
) -> tuple[pd.DataFrame, dict[str, list[int]], list[RuleHits]]:
    n = len(count)
    win = _frame(destructive=count, calls=count, **extra)
    win["entity"] = [f"u{i}|delete_pod" for i in range(n)]
    zero = _frame(calls=[0.0] * n)
    cols = list(FEATURES)
    values, lo = (f[cols].to_numpy(dtype=float) for f in (win, zero))
    # the level's baseline says nothing about these thin pairs (the group's)
    group = _frame(destructive=[3.0] * n, calls=[7.0] * n)[cols].to_numpy(dtype=float)
    own_p99 = _frame(destructive=usual, calls=usual)[cols].to_numpy(dtype=float)
    pair = PairHistory(
        lo, own_p99, np.asarray(windows_), np.asarray(established), *[np.zeros(n)] * 3
    )
    hits = Families().run(
        "user_tool",
        win,
        relative(values, lo, group),
        group,
        np.zeros(n, dtype=bool),  # too thin for an own baseline of the pair
        pair=pair,
    )
    out: dict[str, list[int]] = {}
    for h in hits:
        out[h.rule] = sorted(out.get(h.rule, []) + [int(r) for r in h.rows])
    return win, out, hits


def test_a_burst_of_a_destructive_tool_the_person_rarely_calls_pages_on_its_own_history() -> None:
    # 4 calls of a tool the user called in 6 windows of the baseline (p99 1): pages; 3 calls of a
    # tool never called (p99 0): pages; the same 4 calls by someone back from a month away (no
    # own baseline at the user level): not; 3 where the pair's own p99 is 2: not; a job whose
    # runs are 13 (routine) at 27: not, at 60: pages
    _, fired, hits = _pair(
        count=[4, 3, 4, 3, 27, 60],
        usual=[1, 0, 1, 2, 13, 13],
        windows_=[6, 0, 6, 40, 47, 47],
        established=[True, True, False, True, True, True],
    )
    assert fired["family:destructive"] == [0, 1, 5]
    (hit,) = hits
    assert hit.baseline is not None  # explained against the pair's own history, not the group
    assert "u0 called delete_pod, a destructive tool, 4 times in 1 min" in hit.reasons[0]
    assert (
        "usual p99 for this tool is 1 per window (6 windows of its own baseline)"
        in (hit.reasons[0])
    )


def test_deletes_paced_with_a_tool_nobody_here_uses_page_on_their_second_call() -> None:
    # one delete a minute (two in five minutes) with a tool neither the person nor anyone else
    # called in the baseline: pages; the same with a tool three colleagues use (taken up: a
    # role change; judged as a burst): not; the first delete: not; a tool the person called in
    # 4 windows: not; by someone back from a month away (no own baseline): not
    _, fired, hits = _pair(
        count=[1, 1, 1, 1, 1],
        usual=[0, 0, 0, 1, 0],
        windows_=[0, 0, 0, 4, 0],
        established=[True, True, True, True, False],
        destructive_5m=[2, 2, 1, 2, 2],
        tool_peers=[0, 3, 0, 0, 0],
    )
    assert fired["family:destructive"] == [0]
    (hit,) = hits
    assert (
        "u0 called delete_pod, a destructive tool, 2 times in the last five minutes; it never "
        "called it in its own baseline, nor did anyone else here" in hit.reasons[0]
    )


def test_a_novelty_burst_pages_when_reached_by_a_move_nobody_makes() -> None:
    # four tools and a server new to the person, reached by a move colleagues make daily (a
    # new team's routine: 2.4 bits) — no page; the same by a jump nobody makes (8 bits) — pages
    win = _frame(new_tools=[4, 4], new_servers=[1, 1], novel_jump=[2.4, 8.0], calls=[6, 6])
    zero = _frame(calls=[0.0, 0.0])
    fired = _fired("user", win, zero, zero)
    assert fired["family:novelty_burst"] == [1]


def test_a_late_sitting_back_within_two_hours_of_the_last_is_a_day_running_late(
    office: ActorProfile,
) -> None:
    # a quarter's close: alice stays on to 18:00, then comes back at 19:20 (80 min later) at an
    # hour two hours past anything she works: not a sitting that starts cold (an hour's quiet
    # was the bar until round 5, and paged); after two hours and a half it is one
    late = [event(T + 17 * HOUR + k * 10 * MIN, session_id=f"l{k}") for k in range(7)]  # → 18:00
    back = T + 19 * HOUR + 20 * MIN
    win = windows(frame(*_history(), *late, event(back), event(back + 20 * S)),
                  since=back, until=back + MIN, profile=office)  # fmt: skip
    row = _row(win, back + 20 * S)
    assert row["rare_hour_calls"] == 2
    assert row["rare_hour_cold"] == 0
    later = T + 20 * HOUR + 30 * MIN
    win = windows(frame(*_history(), *late, event(later), event(later + 20 * S)),
                  since=later, until=later + MIN, profile=office)  # fmt: skip
    assert _row(win, later + 20 * S)["rare_hour_cold"] == 2


def test_one_result_orders_of_magnitude_above_the_persons_largest_pages_on_its_own() -> None:
    # one 120 MiB result where the person's largest is ~500 KB (p99): pages at its first call;
    # a 3 MiB report against a usual 600 KB (five times: someone's large query): not; 120 MiB
    # for someone who pulls 50 MiB results routinely: not
    mib = float(1 << 20)
    win = _frame(result_max=[120 * mib, 3 * mib, 120 * mib], bytes_out=[120 * mib, 3 * mib,
                 120 * mib], calls=[1, 1, 1])  # fmt: skip
    p50 = _frame(result_max=[20e3, 20e3, 5 * mib], bytes_out=[30e3, 30e3, 5 * mib],
                 calls=[2, 2, 2])  # fmt: skip
    p99 = _frame(result_max=[500e3, 600e3, 50 * mib], bytes_out=[900e3, 900e3, 60 * mib],
                 calls=[8, 8, 8])  # fmt: skip
    fired = _fired("user", win, p50, p99)
    assert fired.get("family:bulk_read") == [0]
    hi = p99[list(FEATURES)].to_numpy(dtype=float)
    hits = Families().run("user", win, np.zeros(hi.shape), hi, np.ones(3, dtype=bool))
    (hit,) = [h for h in hits if h.rule == "family:bulk_read"]
    assert "one tool result of 120.0 MB in 1 min" in hit.reasons[0]
    assert "the largest it usually receives (p99) is 488.3 KB" in hit.reasons[0]


def test_a_persons_minute_of_small_records_far_above_their_own_pages_without_a_floor() -> None:
    # 26 records, 50 KB, where the person's minute is ~800 B: pages at the user level, under
    # the read burst's 64 KiB floor (a floor here too would let a harvest of small records
    # under it pass every minute path: round 14 measured one and kept none); 1.5 KB, twice
    # the person's p99: not
    win = _frame(bytes_out=[50e3, 1.5e3], calls=[26, 3], result_max=[2e3, 700.0])
    p50 = _frame(bytes_out=[300.0, 300.0], calls=[1, 1], result_max=[300.0, 300.0])
    p99 = _frame(bytes_out=[800.0, 800.0], calls=[2, 2], result_max=[700.0, 700.0])
    assert _fired("user", win, p50, p99).get("family:bulk_read") == [0]


def test_a_burst_of_reads_of_one_tool_pages_against_the_pairs_own_pace() -> None:
    # 24 reads of a tool the person calls at a p99 of 4 a minute, for 300 KB against 30 KB:
    # pages; a busy minute at twice the pace (8 against 4): not; the same burst of a tool the
    # person never called (novelty's, not a harvest of their own tool): not; by someone with no
    # own baseline (back from a month away): not; many calls returning what the pair usually
    # returns in a minute (a poller): not; a replay of small acknowledgements, six times the
    # pair's bytes but a few KB: not; nor 50 KB of small records, a hundred times the pair's
    # bytes but under the read burst's floor (64 KiB: the person's own minute judges it)
    n = 7
    win = _frame(calls=[24, 8, 24, 24, 24, 24, 24],
                 bytes_out=[300e3, 80e3, 300e3, 300e3, 40e3, 3e3, 50e3])  # fmt: skip
    win["entity"] = [f"u{i}|get_file_contents" for i in range(n)]
    cols = list(FEATURES)
    zero = _frame(calls=[0.0] * n)[cols].to_numpy(dtype=float)
    own_p99 = _frame(calls=[4.0] * n, bytes_out=[30e3] * 5 + [500] * 2)[cols].to_numpy(dtype=float)
    pair = PairHistory(zero, own_p99, np.asarray([40, 40, 0, 40, 40.0, 40, 40]),
                       np.asarray([True, True, True, False, True, True, True]),
                       np.zeros(n), np.zeros(n), np.zeros(n))  # fmt: skip
    values = win[cols].to_numpy(dtype=float)
    hits = Families().run("user_tool", win, relative(values, zero, own_p99), own_p99,
                          np.zeros(n, dtype=bool), pair=pair)  # fmt: skip
    (hit,) = [h for h in hits if h.rule == "family:bulk_read"]
    assert [int(r) for r in hit.rows] == [0]
    assert hit.baseline is not None
    assert "u0 called get_file_contents 24 times in 1 min" in hit.reasons[0]
    assert "usual p99 for this tool is 4 calls" in hit.reasons[0]


def test_others_up_at_hours_rare_for_them_count_in_the_hour_up_to_each_call() -> None:
    """bob and carol work the office hours alice does; at 03:00 bob and then carol start
    calling, and alice joins at 03:40: two others were up at an hour rare for them in the
    hour before her calls, both on her server (or one, when carol works another); bob,
    first, had nobody."""
    week = np.zeros((2, 24))
    week[:, 9:17] = 8
    prof = ActorProfile(week_hours={u: week for u in ("alice", "bob", "carol")})
    night = T + 3 * HOUR
    calls = [
        event(night, user="bob", session_id="b"),
        event(night + 10 * MIN, user="carol", session_id="c"),
        event(night + 40 * MIN, session_id="a"),
    ]
    win = windows(frame(*calls), since=night, until=night + HOUR, profile=prof)
    assert _row(win.loc[win["entity"] == "alice"], night + 40 * MIN)["peers_rare_1h"] == 2
    assert _row(win.loc[win["entity"] == "alice"], night + 40 * MIN)["peers_rare_server_1h"] == 2
    assert _row(win.loc[win["entity"] == "bob"], night)["peers_rare_1h"] == 0
    # the same night with carol on another server: both count anywhere, one on alice's server
    calls[1] = event(night + 10 * MIN, user="carol", session_id="c", source_name="ledger")
    win = windows(frame(*calls), since=night, until=night + HOUR, profile=prof)
    alice = _row(win.loc[win["entity"] == "alice"], night + 40 * MIN)
    assert (alice["peers_rare_1h"], alice["peers_rare_server_1h"]) == (2, 1)
    # someone up at an hour that is usual for them (a night shift) is nobody's company
    shift = np.zeros((2, 24))
    shift[:, 0:8] = 8
    prof = ActorProfile(week_hours={"alice": week, "bob": shift, "carol": shift})
    win = windows(frame(*calls), since=night, until=night + HOUR, profile=prof)
    assert _row(win.loc[win["entity"] == "alice"], night + 40 * MIN)["peers_rare_1h"] == 0


def test_a_night_the_organisation_keeps_together_does_not_page_off_hours() -> None:
    """Fresh sittings at rare hours: alone (pages); with two others up at hours rare for them,
    one on a server of the window's calls (a team's month-end close: no page); with one other
    up elsewhere while three start on new tools (an incident: no page); with one other up and
    nobody on new tools (pages); with two others up on other servers (a finance team's
    month-end close while a stolen payments session runs: pages); with three others up
    anywhere (the organisation's night: no page); with one other up on the same server (a
    colleague covering a night shift hides nobody: pages)."""
    win = _frame(
        rare_hour_calls=[2] * 7,
        rare_hour_cold=[2] * 7,
        far_hour_calls=[2] * 7,
        peers_rare_1h=[0, 2, 1, 1, 2, 3, 1],
        peers_rare_server_1h=[0, 1, 0, 0, 0, 0, 1],
        peers_novel_1h=[0, 0, 3, 0, 0, 0, 0],
        calls=[2] * 7,
    )
    zero = _frame(calls=[0] * 7)
    assert _fired("user", win, zero, zero)["family:off_hours"] == [0, 3, 4, 6]


def test_a_harvest_paced_over_an_hour_pages_on_the_hours_bytes() -> None:
    """Every minute ordinary; over the hour 20 times the person's own p99 for an hour, and at
    least 2 MiB (pages); 30 times a small p99 but under 2 MiB (no page); 6 MiB but only ten
    times the person's usual hour (no page); the hour's echo in an ordinary minute (no page);
    3 MiB at 30 times a small p99 (pages since round 13: the floor was 5 MiB)."""
    mib = float(1 << 20)
    hours = [24 * mib, 1.5 * mib, 6 * mib, 24 * mib, 3 * mib]
    # the fourth: an ordinary minute after the hour's harvest (its echo), no share of the hour
    win = _frame(bytes_out_1h=hours, bytes_out=[500e3] * 3 + [20e3, 500e3], calls=[1] * 5)
    p99 = _frame(bytes_out_1h=[1 * mib, 0.05 * mib, 0.6 * mib, 1 * mib, 0.1 * mib],
                 bytes_out=[600e3] * 5, calls=[2] * 5)  # fmt: skip
    assert _fired("user", win, p99, p99)["family:bulk_read"] == [0, 4]


def test_a_harvest_read_object_by_object_pages_on_five_minutes_of_results() -> None:
    """Five minutes of results ten times the person's own p99 for five minutes, at least 2 MiB,
    made of four or more comparable results, in a window holding its share: pages (row 0).
    Not: the same bytes as one large export and a few reads (a migration, a log pull: row 1);
    under 2 MiB (row 2); only five times the person's own five minutes (row 3); the five
    minutes' echo in a minute of small reads after the harvest (row 4)."""
    mib = float(1 << 20)
    win = _frame(
        bytes_out_5m=[5 * mib, 5 * mib, 1.5 * mib, 5 * mib, 5 * mib],
        results_5m=[5, 1.3, 5, 5, 5],
        bytes_out=[mib, 4 * mib, 0.3 * mib, mib, 20e3],
        calls=[1] * 5,
    )
    p99 = _frame(
        bytes_out_5m=[0.4 * mib, 0.4 * mib, 0.1 * mib, mib, 0.4 * mib],
        bytes_out=[4 * mib] * 5,  # no one-minute rule reaches these windows
        result_max=[4 * mib] * 5,
        calls=[2] * 5,
    )
    assert _fired("user", win, p99, p99).get("family:bulk_read") == [0]


def test_a_paced_harvest_is_explained_in_the_persons_own_terms() -> None:
    mib = float(1 << 20)
    win = _frame(bytes_out_5m=[5 * mib], results_5m=[6], bytes_out=[mib], calls=[1])
    p99 = _frame(bytes_out_5m=[0.4 * mib], bytes_out=[4 * mib], result_max=[4 * mib], calls=[2])
    cols = list(FEATURES)
    values, hi = (f[cols].to_numpy(dtype=float) for f in (win, p99))
    hits = Families().run("user", win, relative(values, hi, hi), hi, np.ones(1, dtype=bool))
    (hit,) = [h for h in hits if h.rule == "family:bulk_read"]
    assert hit.features == ("bytes_out_5m", "results_5m", "calls")
    assert hit.reasons == [
        "e0 received 5.0 MB of tool results in the last five minutes, as many as 6 results of "
        "comparable size; its usual p99 for five minutes is 409.6 KB"
    ]


def test_a_job_with_an_own_baseline_from_its_days_is_judged_on_what_it_does_not_its_hours() -> None:
    """A scheduled job seen a minute a day (own baseline from its days, too few windows to say
    which hours it works): a delete burst pages, a sitting at an hour it never ran does not; the
    same windows of a person with windows enough page both."""
    win = _frame(destructive=[6, 0, 6, 0], rare_hour_cold=[0, 3, 0, 3], calls=[6, 3, 6, 3])
    zero = _frame(calls=[0] * 4)
    cols = list(FEATURES)
    values, lo = (f[cols].to_numpy(dtype=float) for f in (win, zero))
    rel = relative(values, lo, lo)
    own = np.ones(4, dtype=bool)
    dense = np.array([False, False, True, True])
    hits = Families().run("user", win, rel, lo, own, hours_own=dense)
    fired = {h.rule: sorted(int(r) for r in h.rows) for h in hits}
    assert fired == {"family:destructive": [0, 2], "family:off_hours": [3]}


def test_a_novelty_sweep_paced_a_call_a_minute_pages_on_the_hours_count() -> None:
    """Never-used tools and servers counted over the hour, less what others share, at the burst
    (4), in a window reaching one more by a move nobody makes: pages (row 0). Not: most of the
    hour's novelty shared with others (row 1); the window's step one colleagues make daily (row
    2); the hour's echo in a window with nothing new (row 3); someone taking up a role's tools
    since earlier in the day, who needs twice the burst (row 4)."""
    win = _frame(
        novel_1h=[6, 6, 6, 6, 6],
        novel_shared_1h=[1, 3, 1, 1, 1],
        new_tools=[1, 1, 1, 0, 1],
        novel_jump=[6, 6, 2, 0, 6],
        adopting=[0, 0, 0, 0, 1],
        calls=[1] * 5,
    )
    zero = _frame(calls=[0] * 5)
    assert _fired("user", win, zero, zero).get("family:novelty_burst") == [0]


def test_deletes_paced_a_minute_apart_page_on_five_minutes_against_the_entitys_own() -> None:
    """Five minutes' destructive calls at the pace (6) and more than twice the entity's own p99
    for five minutes, in a window holding its share of them: pages (row 0), though no window
    reaches the burst (3). Not: someone whose own five minutes hold four deletes (row 1);
    someone whose own five minutes hold the pace anyway, even at five times it (row 2: writing
    files all day); the five minutes' echo in a window with none of them (row 3); five deletes
    in five minutes (row 4)."""
    win = _frame(
        destructive_5m=[7, 7, 50, 7, 5], destructive=[2, 2, 2, 0, 1], calls=[3, 3, 6, 2, 2]
    )
    p99 = _frame(destructive_5m=[1, 4, 10, 1, 1], destructive=[1, 2, 3, 1, 1], calls=[9] * 5)
    zero = _frame(calls=[0] * 5)
    assert _fired("user", win, zero, p99).get("family:destructive") == [0]


def test_deletes_paced_five_minutes_apart_page_on_the_hour_against_the_entitys_own() -> None:
    """An hour's destructive calls at ``destructive_hour`` (12) and more than four times the
    entity's own p99 for an hour, in a window holding one, the last five minutes holding their
    share of the hour: pages (row 0), though no five minutes reach the pace (6). Not: an hour
    of eleven (row 1); someone whose own hour holds the twelve anyway (row 2: a cleanup
    routine); the hour's echo in a window without a delete (row 3); 16 against an own hour of
    five (row 4: a fraud analyst's busy day); 38 in an hour whose last five minutes hold two
    (row 5: a burst's echo, the burst paged on its own)."""
    win = _frame(
        destructive_1h=[13, 11, 40, 13, 16, 38],
        destructive_5m=[2, 2, 3, 2, 2, 2],
        destructive=[1, 1, 1, 0, 1, 1],
        calls=[2] * 6,
    )
    p99 = _frame(
        destructive_1h=[2, 1, 12, 2, 5, 2],
        destructive_5m=[1] * 6,
        destructive=[1] * 6,
        calls=[9] * 6,
    )
    zero = _frame(calls=[0] * 6)
    assert _fired("user", win, zero, p99).get("family:destructive") == [0]
    values, lo, hi = (f[list(FEATURES)].to_numpy(dtype=float) for f in (win, zero, p99))
    hits = Families().run("user", win, relative(values, lo, hi), hi, np.ones(6, dtype=bool))
    assert [r for h in hits for r in h.reasons] == [
        "e0 made 13 destructive calls in the last hour; its usual p99 for an hour is 2"
    ]


def test_a_burst_of_deletes_pages_for_an_entity_judged_by_its_groups_baseline() -> None:
    """Someone with too little history of their own (a part-timer: four days in the week) is
    judged by the group's p99 for destructive calls, and the reason says so (row 0); the other
    families still need an own baseline (row 1: calls at an hour never worked)."""
    win = _frame(destructive=[5, 0], rare_hour_cold=[0, 3], far_hour_calls=[0, 1], calls=[5, 3])
    zero = _frame(calls=[0, 0])
    values, lo, hi = (f[list(FEATURES)].to_numpy(dtype=float) for f in (win, zero, zero))
    hits = Families().run("user", win, relative(values, lo, hi), hi, np.zeros(2, dtype=bool))
    assert [(h.rule, list(h.rows)) for h in hits] == [("family:destructive", [0])]
    assert "its group's usual p99 is 0" in hits[0].reasons[0]


def test_a_sweep_onto_two_never_used_servers_in_a_minute_pages_without_a_surprising_move() -> None:
    """An agent steered by what it read walks moves colleagues make (no surprise), but onto
    servers its person never used: four never-used items with two servers in one minute page
    (row 0), and the reason says how; with one new server, not (row 1); the same sweep paced
    over the hour, in a window stepping onto two new servers, pages (row 2)."""
    win = _frame(
        new_tools=[2, 3, 0],
        new_servers=[2, 1, 2],
        novel_1h=[4, 4, 6],
        calls=[4, 4, 2],
    )
    zero = _frame(calls=[0, 0, 0])
    values, lo, hi = (f[list(FEATURES)].to_numpy(dtype=float) for f in (win, zero, zero))
    hits = Families().run("user", win, relative(values, lo, hi), hi, np.ones(3, dtype=bool))
    fired = sorted(int(r) for h in hits if h.rule == "family:novelty_burst" for r in h.rows)
    assert fired == [0, 2]
    reasons = [r for h in hits for r in h.reasons]
    assert any("stepping onto 2 server(s) it never used within 1 min" in r for r in reasons)


def test_a_harvest_of_one_tool_paced_over_the_hour_pages_against_the_pair_and_the_peers() -> None:
    """Over the hour: four results of ~220 KB from a tool whose results are at most 23 KB for
    the person and 30 KB for anyone, 15 times the pair's own hour: pages (row 0, and its
    reason says so in the person's and the peers' terms). Not: the same from a tool that gives
    colleagues 200 KB exports (a quarter's exports: row 1); three such results (row 2); four
    among sixty calls of the tool (a day's queries with a few exports: row 3); a pair with no
    history (a role's new tool: novelty's, row 4); a person without an own baseline (row 5);
    only five times the pair's own hour (row 6); a window of an ordinary small read after it
    (the hour's echo: row 7). Round 18: four results of ~440 KB from a tool that returns pages
    of at most 180 KB to anyone (175 KB p99), under three times the pair's own p99 (170 KB),
    twelve times its own hour: beyond any page the tool ever gave, pages (row 8); not results
    of ~330 KB, under twice that page (row 9), nor three and a half of them (a quarter-end's
    three or four sheets with one larger: row 10), nor four among ten calls of the tool in the
    hour (a month-end's large queries among small ones: row 11)."""
    n = 12
    hour = [880e3] * 5 + [880e3, 290e3, 880e3] + [1.8e6, 1.32e6, 1.58e6, 1.8e6]
    win = _frame(
        bytes_out_1h=hour,
        results_1h=[4, 4, 3, 4, 4, 4, 4, 4, 4, 4, 3.5, 4],
        calls_1h=[5, 5, 4, 60, 5, 5, 5, 5, 6, 6, 5, 10],
        bytes_out=[220e3] * 7 + [3e3] + [450e3, 330e3, 450e3, 450e3],
        result_max=[220e3] * 7 + [3e3] + [450e3, 330e3, 450e3, 450e3],
        calls=[1] * n,
    )
    win["entity"] = [f"u{i}|policy_get" for i in range(n)]
    cols = list(FEATURES)
    zero = _frame(calls=[0.0] * n)[cols].to_numpy(dtype=float)
    own_p99 = _frame(
        result_max=[23e3] * 8 + [170e3] * 4, bytes_out_1h=[58e3] * 8 + [150e3] * 4, calls=[3.0] * n
    )
    own = own_p99[cols].to_numpy(dtype=float)
    pair = PairHistory(
        zero,
        own,
        np.asarray([170, 170, 170, 170, 0, 170, 170, 170.0, 170, 170, 170, 170]),
        np.asarray([True] * 5 + [False] + [True] * 6),
        np.asarray([30e3, 200e3] + [30e3] * 6 + [175e3] * 4),
        np.asarray([10e3, 60e3] + [10e3] * 6 + [60e3] * 4),
        np.asarray([30e3, 200e3] + [30e3] * 6 + [180e3] * 4),
    )
    values = win[cols].to_numpy(dtype=float)
    hits = Families().run("user_tool", win, relative(values, zero, own), own,
                          np.ones(n, dtype=bool), pair=pair)  # fmt: skip
    found = [h for h in hits if h.rule == "family:bulk_read"]
    assert [int(r) for h in found for r in h.rows] == [0, 8]
    (hit,) = found
    assert hit.features == ("bytes_out_1h", "results_1h", "calls_1h")
    assert hit.reasons == [
        "user × tool u0|policy_get: u0 received 859.4 KB from policy_get in the last hour, 4 "
        "results of about 214.8 KB each; the largest it usually gets from this tool (p99) is "
        "22.5 KB and 56.6 KB an hour, and the tool's largest for anyone is 29.3 KB (p99), "
        "29.3 KB ever in the baseline",
        "user × tool u8|policy_get: u8 received 1.7 MB from policy_get in the last hour, 4 "
        "results of about 439.5 KB each; the largest it usually gets from this tool (p99) is "
        "166.0 KB and 146.5 KB an hour, and the tool's largest for anyone is 170.9 KB (p99), "
        "175.8 KB ever in the baseline",
    ]


def test_a_harvests_first_object_pages_when_nobody_here_gets_one_that_large() -> None:
    """One result of 120 KB from a tool whose results are 6-9 KB for the person and at most
    10 KB for anyone: pages on that result (row 0), naming the pair's and the peers' terms.
    Not: the same when the tool gives colleagues 80 KB (a peer's exports: row 1); 300 KB from a
    tool whose results vary from 30 to 100 KB for the person (its tail: row 2); 50 KB (under
    the floor: row 3); a pair with no history (a role's new tool: novelty's, row 4); a person
    without an own baseline (row 5); a window with a delete (the destructive family's: row 6);
    300 KB from a tool that gives anyone 5 KB usually and up to 140 KB (files, logs: a large
    one now and then, row 7)."""
    n = 8
    win = _frame(
        result_max=[120e3, 120e3, 300e3, 50e3, 120e3, 120e3, 120e3, 300e3],
        bytes_out=[120e3, 120e3, 300e3, 50e3, 120e3, 120e3, 120e3, 300e3],
        calls=[1.0] * n,
        destructive=[0, 0, 0, 0, 0, 0, 1, 0],
    )
    win["entity"] = [f"u{i}|account_lookup" for i in range(n)]
    cols = list(FEATURES)
    p50 = _frame(result_max=[6e3, 6e3, 30e3, 2e3, 6e3, 6e3, 6e3, 6e3])[cols].to_numpy(dtype=float)
    p99 = _frame(result_max=[9e3, 9e3, 100e3, 5e3, 9e3, 9e3, 9e3, 9e3])[cols].to_numpy(dtype=float)
    pair = PairHistory(
        p50,
        p99,
        np.asarray([300, 300, 300, 300, 0, 300, 300, 300.0]),
        np.asarray([True] * 5 + [False, True, True]),
        np.asarray([10e3, 80e3, 100e3, 10e3, 10e3, 10e3, 10e3, 140e3]),
        np.asarray([4e3, 30e3, 40e3, 4e3, 4e3, 4e3, 4e3, 5e3]),
        np.asarray([12e3, 90e3, 110e3, 12e3, 12e3, 12e3, 12e3, 1e6]),
    )
    values = win[cols].to_numpy(dtype=float)
    hits = Families().run("user_tool", win, relative(values, p50, p99), p99,
                          np.ones(n, dtype=bool), pair=pair)  # fmt: skip
    found = [h for h in hits if h.rule == "family:bulk_read"]
    assert [int(r) for h in found for r in h.rows] == [0]
    (hit,) = found
    assert hit.features == ("result_max", "bytes_out", "calls")
    assert hit.reasons == [
        "user × tool u0|account_lookup: u0 received one result of 117.2 KB from account_lookup "
        "in 1 min; its own history with this tool: 5.9 KB usually (p50), 8.8 KB at most (p99); "
        "the tool's largest for anyone is 9.8 KB"
    ]
