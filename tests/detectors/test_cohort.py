"""Peer context: other users' novelty in the same hour, shared starts, who else uses a tool."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tooltrail.detectors.cohort import peers_novel, shared_start, tool_peers

S = 1_000_000
HOUR = 3600 * S


def _calls(*rows: tuple[int, str, str]) -> pd.DataFrame:
    """Calls as (ts, user, tool), in time order."""
    return pd.DataFrame(rows, columns=["ts", "user", "tool_key"])


def test_peers_novel_counts_other_users_within_the_hour_up_to_each_call() -> None:
    ev = _calls(
        (0, "ann", "merge"),  # ann starts on something new
        (10 * S, "bob", "merge"),  # bob too
        (20 * S, "cat", "read"),  # cat sees both
        (20 * S, "ann", "read"),  # ann sees only bob (not herself)
        (HOUR + 5 * S, "cat", "read"),  # ann's start is over an hour old; bob's is not
        (2 * HOUR, "cat", "read"),  # both are
    )
    novel = np.array([True, True, False, False, False, False])
    assert peers_novel(ev, novel, HOUR).tolist() == [0, 1, 2, 1, 1, 0]


def test_a_users_own_starts_and_anonymous_calls_are_no_peers() -> None:
    ev = _calls((0, "ann", "a"), (S, "", "b"), (2 * S, "ann", "c"))
    novel = np.array([True, True, False])
    assert peers_novel(ev, novel, HOUR).tolist() == [0, 1, 0]


def test_shared_start_marks_calls_of_a_key_another_user_started_on_this_hour() -> None:
    ev = _calls(
        (0, "ann", "merge"),
        (5 * S, "bob", "merge"),  # ann started on merge 5 s ago
        (6 * S, "bob", "deploy"),  # nobody else started on deploy
        (7 * S, "ann", "merge"),  # her own start does not explain her
        (HOUR + S, "cat", "merge"),  # more than an hour after ann, but bob's start explains it
    )
    novel = np.array([True, True, True, False, False])
    assert shared_start(ev, novel, "tool_key", HOUR).tolist() == [False, True, False, True, True]


def test_tool_peers_counts_other_people_who_used_the_tool() -> None:
    tools = {"ann": frozenset({"export"}), "bob": frozenset({"export", "read"}), "cat": frozenset()}
    got = tool_peers(pd.Series(["ann|export", "cat|export", "cat|grant"]), tools)
    assert got.tolist() == [1.0, 2.0, 0.0]
