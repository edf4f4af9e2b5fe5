"""Peer context for one entity's novelty and hours: is the organisation doing it too, does a
peer do it?

Four features read an entity-window against the other people of the deployment, from events up to
the window's end only (so live and backfill agree):

``peers_novel_1h``  how many *other* users started on a tool or server new to them in the hour up
                    to a call (the largest over the window's calls). A release afternoon moves
                    many people onto tools they never used at once: an organisation event, not
                    one entity's anomaly (``org_event_users``, a setting).
``novel_shared``    never-used tools and servers of the window that another user also started
                    on in the hour up to the call, or whose server another user started on a
                    tool of (``shared_on_server``), or on a server the whole deployment first
                    used less than a day before the call (``launched``: a server being rolled
                    out, which its first users try before anyone else has): novelty the
                    organisation shares (a release's merge and deploy tools, a server being
                    taken up) is not this entity's own.
``peers_rare_1h``   how many *other* users made a call at an hour rare for them (the per-call
                    ``rare_hour`` flag of ``features.py``) in the hour up to a call: a release
                    night or an incident keeps several people up at once; a stolen session at
                    night is one person's (``off_hours`` then does not page, ``families.py``).
``peers_rare_server_1h``  the same, counting only rare-hour calls on a server the window's call
                    is on: a team's month-end close on the ledger keeps *its* people up; a
                    stolen payments session that night is still alone on its servers.
``tool_starters``  (per call) how many other established users started on the call's tool in
                    the hour up to it: a deadline moves a dozen lecturers onto the grading tool
                    their assistants use (``features.py`` then counts their deletes as the
                    organisation's, :data:`UPTAKE_PEERS`).
``tool_peers``      how many other people used a user × tool entity's tool in the baseline (from
                    the fit, so also fixed before the window): a
                    sensitive tool colleagues use every day is not news the way one nobody uses is.

How paging uses them: ``novelty_burst`` (``families.py``) counts only the novelty nobody else
shares; a model alert during an organisation event is kept as ``low`` (``engine.py``); a first use
of a sensitive tool that colleagues use is ``low`` (``rules.py``); a destructive call with a tool
its user took up today while :data:`UPTAKE_PEERS` others started on it in the hour is not
counted as the user's delete (``features.py``). Nothing else here hides a window that the other
families (volume, deletes, errors, hours) judge far out. "Other users" are established ones (a
day or more of history): a new hire discovering tools is no release.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Protocol

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

__all__ = ["UPTAKE_PEERS", "launched", "peer_columns", "peers_novel", "shared_start", "tool_peers"]

_DAY_US: Final = 86_400_000_000  # less history than this: a new hire, not an established user
#: other established users starting on a tool in the same hour that make it the organisation's
#: uptake (``tool_starters``): two colleagues, not one (one account an insider also holds)
UPTAKE_PEERS: Final = 2


class _History(Protocol):
    def first_seen(self, keys: Sequence[str], frame: pd.DataFrame) -> pd.Series: ...


def peer_columns(ev: pd.DataFrame, history: _History, horizon_us: int) -> dict[str, np.ndarray]:
    """Per call of a prepared frame: ``peers_novel`` (:func:`peers_novel`), ``shared_tool`` /
    ``shared_server`` (:func:`shared_start`; ``shared_tool`` is ``tool_starters`` ≥ 1) and
    ``shared_on_server`` (another user started on
    a tool of the call's server), from established users' first uses; :func:`launched`;
    ``peers_rare``: :func:`peers_novel` of the calls the frame's ``rare_hour`` column flags, and
    ``peers_rare_server``: the same among the calls on the call's server; ``tool_starters``:
    the other established users who started on the call's tool in the hour up to it."""
    people = (ev["user"] != "").to_numpy()
    rare = ev["rare_hour"].to_numpy() > 0
    sub = ev.loc[people]
    old, tool, server = (np.zeros(len(ev), dtype=bool) for _ in range(3))
    old[people] = (sub["ts"] - history.first_seen(["user"], sub)).to_numpy() >= _DAY_US
    tool[people] = (sub["ts"] == history.first_seen(["user", "tool_key"], sub)).to_numpy()
    server[people] = (sub["ts"] == history.first_seen(["user", "source_name"], sub)).to_numpy()
    starters = _per_key(ev, tool & old, "tool_key", horizon_us)
    return {
        "peers_novel": peers_novel(ev, (tool | server) & old, horizon_us),
        "shared_tool": starters > 0,
        "shared_server": shared_start(ev, server & old, "source_name", horizon_us),
        "shared_on_server": shared_start(ev, tool & old, "source_name", horizon_us),
        "launched": launched(ev, history),
        "peers_rare": peers_novel(ev, rare, horizon_us),
        "peers_rare_server": _per_key(ev, rare, "source_name", horizon_us),
        "tool_starters": starters,
    }


def _per_key(ev: pd.DataFrame, flagged: np.ndarray, key: str, horizon_us: int) -> np.ndarray:
    """:func:`peers_novel` counted among the calls sharing the call's ``key`` (its server):
    other users whose flagged calls on the same server fall in the hour up to the call."""
    out = np.zeros(len(ev), dtype="int64")
    if not flagged.any():
        return out
    codes, _ = pd.factorize(ev[key])
    for code in np.unique(codes[flagged]):
        rows = np.flatnonzero(codes == code)
        out[rows] = peers_novel(ev.iloc[rows], flagged[rows], horizon_us)
    return out


def launched(ev: pd.DataFrame, history: _History) -> np.ndarray:
    """Per call: its server (a server-side source; a host is no launch) was first used by
    anyone in the deployment less than a day before the call: a server being rolled out."""
    age = (ev["ts"] - history.first_seen(["source_name"], ev)).to_numpy()
    out: np.ndarray = (ev["source_kind"] == "server").to_numpy() & (age < _DAY_US)
    return out


def peers_novel(ev: pd.DataFrame, novel: np.ndarray, horizon_us: int) -> np.ndarray:
    """Per call of ``ev`` (prepared, ts-ordered): the number of users other than the call's own
    whose calls flagged in ``novel`` fall in ``(ts - horizon_us, ts]``."""
    ts = ev["ts"].to_numpy()
    users = ev["user"].to_numpy()
    out = np.zeros(len(ev), dtype="int64")
    flagged = novel & (users != "")
    if not flagged.any():
        return out
    for user in np.unique(users[flagged]):
        times = np.sort(ts[flagged & (users == user)])
        upto = np.searchsorted(times, ts, side="right")
        last = np.where(upto > 0, times[np.maximum(upto - 1, 0)], np.iinfo("int64").min // 2)
        out += ((upto > 0) & (ts - last < horizon_us) & (users != user)).astype("int64")
    return out


def shared_start(ev: pd.DataFrame, novel: np.ndarray, key: str, horizon_us: int) -> np.ndarray:
    """Per call of ``ev``: whether a user other than the call's own started on the call's ``key``
    (a tool or a server) in ``(ts - horizon_us, ts]`` (their calls flagged in ``novel``): the
    count :func:`_per_key` gives, at least one."""
    out: np.ndarray = _per_key(ev, novel, key, horizon_us) > 0
    return out


def tool_peers(entities: pd.Series, tools_of: dict[str, frozenset[str]]) -> np.ndarray:
    """Per user × tool entity (``user|tool``): the other people who used the tool (``tools_of``)."""
    users = entities.str.split("|", n=1).str[0].to_numpy()
    tools = entities.str.rsplit("|", n=1).str[-1].to_numpy()
    counts: dict[str, int] = {}
    for used in tools_of.values():
        for tool in used:
            counts[tool] = counts.get(tool, 0) + 1
    out = np.array([counts.get(t, 0) for t in tools], dtype=float)
    own = np.array([t in tools_of.get(u, frozenset()) for u, t in zip(users, tools, strict=True)])
    peers: np.ndarray = out - own
    return peers
