"""Features per entity and event-time window, computed with pandas.

A window is ``[start, start + window)`` with ``start`` on the ``step`` grid (1-minute windows
advancing every 10 s by default), so every event lies in ``window / step`` windows. Only windows in
which the entity acted exist (an idle entity has no windows). Entities come at several levels
(:data:`LEVELS`): the user, the user × tool, the agent (or the client when no agent is named),
the server × tool and the server (``source.name``).

Per entity-window (:data:`FEATURES`):

``calls``               calls in the window
``distinct_tools``      tools (``resources/read`` etc. count by method) used
``distinct_resources``  distinct ``mcp.resource.uri`` touched
``bytes_in``            sum of ``args_bytes``
``bytes_out``           sum of ``result_bytes``
``error_rate``          share of calls with outcome ``error``
``denials``             calls with outcome ``denied``
``duration_p95``        95th percentile of ``duration_us`` (µs)
``new_tools``           tools this entity used for the first time ever in this window
``new_clients``         clients (MCP client names) first seen for this entity in this window
``off_hours``           share of calls in hours of the day (UTC) the actor rarely works in
``session_len``         age of the oldest session active in the window (seconds); 0 at the
                        server and server × tool levels, whose windows mix every client's
                        connections
``fp_novelty``          share of calls whose argument fingerprint this entity never sent before
``repeat_max``          most calls with one identical argument fingerprint (a loop repeats)
``seq_rarity``          rarest tool transition in a session, ``-log2 P(prev → tool)`` under the
                        actor's own transition counts backed off to its group's
``new_resources``       resources this entity touched for the first time ever in this window
                        (a call's resource: its ``mcp.resource.uri``, else the fingerprint of the
                        resource its arguments name, ``attrs["tooltrail.resource"]``)
``novel_minutes_1h``    minutes of the hour ending with the window in which the entity touched
                        a resource it never touched before: a slow and steady trickle fills
                        many minutes, a burst only a few. Counted in windows that themselves
                        touch something new (an hour-long echo of a past burst stays quiet)
``new_servers``         servers (``source.name``) this entity used for the first time ever
``destructive``         calls of destructive tools (:mod:`.semantics`: the server's MCP tool
                        annotations the emitter recorded, ``tool_hints``, else the tool's name),
                        less those with a tool the user took up today while two other
                        established users started on it in the hour (:mod:`.cohort`,
                        ``tool_starters``: the organisation taking up a tool together)
``exporting``           calls of tools that send data out (:mod:`.semantics`)
``errors``              calls with outcome ``error``
``args_max``            the largest ``args_bytes`` of a call
``result_max``          the largest ``result_bytes`` of a call (many large results, or one)
``rare_hour_calls``     calls at an hour of a day type (weekday / weekend, UTC) at which the
                        actor made no call in its stored history (``hours_days``, 28 by
                        default), within two hours either side, and which it worked on at
                        most one day a week on the other day type (a weekday worker's Sunday
                        afternoon keeps their hours); 0 for actors with too little history
                        for their own hours (50 calls on at least 4 days)
``novel_1h``            never-seen tools and servers of the entity in the hour up to the
                        window's end (a burst of novelty, whatever the window cut)
``peers_novel_1h``      other users who started on a tool or server new to them in the hour up
                        to a call of the window (the most over its calls; :mod:`.cohort`)
``novel_shared``        never-used tools and servers of the window that another established user
                        also started on in the hour up to the call, or whose server another
                        established user started on a tool of, or on a server the deployment
                        first used less than a day before (a launch; :mod:`.cohort`)
``with_user``           1 when a call of the window names a user (an agent acting for someone)
``adopting``            1 when a call of the window uses a tool its user took up earlier (first
                        use 10 min to 24 h before the call): someone taking up new tools over
                        the day, in separate sittings (a role change), not in one burst
``tool_peers``          other people who used this tool in the baseline (user × tool level)
``rare_hour_cold``      ``rare_hour_calls`` made after a quiet spell: the user made no call in
                        the two hours before the call, its last ten minutes aside (a sitting that
                        *starts* at an hour the user never works, not a day's work that runs
                        late: someone working late keeps calling every few minutes); counted
                        over the sitting's first ten minutes up to the window's end, in a window
                        holding one (a stolen session paced a call every two minutes has one
                        in every window, and its second call is the second of the sitting)
``far_hour_calls``      of those, the calls at an hour with no call of the user within *three*
                        hours either side (on this day type)
``novel_jump``          the most surprising move *for everyone* (bits: ``-log2`` of the
                        deployment's share of moves from the session's previous tool that go
                        there) by which the entity reached a tool it never used in the window:
                        a new team's routine or a review's steps are moves colleagues make
                        daily; a sweep over unrelated tools is one nobody makes
``peers_rare_1h``       other users who made a call at an hour rare for them (``rare_hour_calls``)
                        in the hour up to a call of the window (the most over its calls): a
                        release night or an incident keeps several people up at once; a
                        stolen session at night is one person's
``peers_rare_server_1h`` the same, counting only rare-hour calls on the servers of the window's
                        calls: a team's month-end close keeps *its* people up on its servers;
                        a stolen payments session that night is still alone on its own
``bytes_out_1h``        bytes of results the entity received in the hour up to the window's end:
                        a harvest paced to look like work (a read a minute) is small in every
                        minute and large over the hour
``novel_shared_1h``     ``novel_shared`` over the hour up to the window's end: of ``novel_1h``, what
                        the organisation shares
``bytes_out_5m``        the same over the five minutes up to the window's end
``results_5m``          how many results of comparable size make up ``bytes_out_5m``: its
                        square over the sum of the results' squares (12 results of 1 MB: 12;
                        one export of 12 MB beside small reads: ~1). A harvest reads object
                        after object; a migration or a log pull moves a few large exports
``calls_1h``            calls in the hour up to the window's end: a harvest of one tool paced a
                        read a minute is one call in every window and sixty in the hour
``results_1h``          ``results_5m`` over the hour: how many results of comparable size make up
                        ``bytes_out_1h`` (a harvest's sixty objects: tens; a month-end's three
                        exports: three)
``destructive_5m``      destructive calls over the five minutes up to the window's end: deletes
                        paced a minute apart stay under a burst in every window
``destructive_1h``      the same over the hour: deletes paced five minutes apart stay under a
                        burst in every five minutes

The first 17 are what the models see (:data:`MODEL_FEATURES`); the later ones feed the families'
paging rules (``families.py``), each against the entity's own baseline.

"First ever" and "session start" are read from the whole stored history (:class:`History`), so
a feature depends only on events up to the window's end: a replay scores exactly as live did.
Host-side events mirrored by a server-side event (same trace, method, tool and resource:
:data:`MIRROR_KEY`) count once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from .cohort import UPTAKE_PEERS, peer_columns, tool_peers
from .history import BatchHistory, FrameHistory, History
from .profile import ActorProfile
from .semantics import ToolSemantics

__all__ = [
    "EVENT_COLUMNS",
    "FEATURES",
    "HORIZON_US",
    "LEVELS",
    "LOOKBACK_US",
    "MIRROR_KEY",
    "MODEL_FEATURES",
    "NOT_CALLS",
    "STORED_SQL",
    "ActorProfile",
    "BatchHistory",
    "FrameHistory",
    "History",
    "build_features",
    "entity_column",
    "in_windows",
    "named",
    "prepare",
]

#: the event columns the features read (names of the store's ``events`` columns)
EVENT_COLUMNS: Final = (
    "ts",
    "event_id",
    "source_kind",
    "source_name",
    "method",
    "tool",
    "resource_uri",
    "user",
    "agent",
    "client",
    "session_id",
    "trace_id",
    "outcome",
    "duration_us",
    "args_bytes",
    "result_bytes",
    "args_fingerprint",
    "tool_hints",
    "resource_key",
    "call_effect",
)
#: columns that are not stored as such: the SQL that reads each from the store's ``events``
STORED_SQL: Final = {
    "tool_hints": "JSONExtractString(attrs, 'tooltrail.tool.hints')",
    "resource_key": "JSONExtractString(attrs, 'tooltrail.resource')",
    "call_effect": "JSONExtractString(attrs, 'tooltrail.call.effect')",
}
#: a host-side event with a server-side event of the same values is the same call, counted once
MIRROR_KEY: Final = ("trace_id", "method", "tool", "resource_uri")
#: methods that are no call of the user's: a listing the emitters record for drift
#: (``tools/list``) is not activity and counts in no feature
NOT_CALLS: Final = ("tools/list",)
#: derived columns and the SQL expression that computes each in the store
DERIVED_SQL: Final = {
    "tool_key": "if(tool != '', tool, method)",
    "agent_key": "if(agent != '', agent, client)",
    "resource_uri": "if(resource_uri != '', resource_uri, " + STORED_SQL["resource_key"] + ")",
    # the three-hour band of a day type (weekday 0-7, weekend 8-15; UTC), as ``hour_band``
    "hour_band": "toString(if((intDiv(ts, 86400000000) + 3) % 7 >= 5, 8, 0)"
    " + intDiv(intDiv(ts, 3600000000) % 24, 3))",
}
LEVELS: Final[Mapping[str, tuple[str, ...]]] = {
    "user": ("user",),
    "user_tool": ("user", "tool_key"),
    "agent": ("agent_key",),
    "server_tool": ("source_name", "tool_key"),
    "source": ("source_name",),
}
FEATURES: Final = (
    "calls",
    "distinct_tools",
    "distinct_resources",
    "bytes_in",
    "bytes_out",
    "error_rate",
    "denials",
    "duration_p95",
    "new_tools",
    "new_clients",
    "off_hours",
    "session_len",
    "fp_novelty",
    "repeat_max",
    "seq_rarity",
    "new_resources",
    "novel_minutes_1h",
    "new_servers",
    "destructive",
    "exporting",
    "errors",
    "args_max",
    "result_max",
    "rare_hour_calls",
    "novel_1h",
    "peers_novel_1h",
    "novel_shared",
    "tool_peers",
    "with_user",
    "adopting",
    "rare_hour_cold",
    "far_hour_calls",
    "novel_jump",
    "peers_rare_1h",
    "peers_rare_server_1h",
    "bytes_out_1h",
    "bytes_out_5m",
    "results_5m",
    "novel_shared_1h",
    "destructive_5m",
    "destructive_1h",
    "calls_1h",
    "results_1h",
)
#: the features the models are fitted on (the families read the rest)
MODEL_FEATURES: Final = FEATURES[: FEATURES.index("novel_minutes_1h") + 1]
#: how far back a window's features look: the trailing-hour features
HORIZON_US: Final = 3600 * 1_000_000
#: the short trailing span (``bytes_out_5m``, ``results_5m``, ``destructive_5m``)
_SHORT_US: Final = 300 * 1_000_000
_DAY_US: Final = 24 * HORIZON_US
_HALF_DAY_US: Final = 12 * HORIZON_US
_ADOPTED_US: Final = 10 * 60 * 1_000_000  # a tool taken up this long ago: an earlier sitting
#: a call starts a sitting when its user made no call in the ``QUIET_US`` before it but in its
#: last ``_SITTING_US`` (the sitting's own first minutes): someone working late comes back
#: within an hour or two (a quarter's close: sittings 25-80 min apart); a stolen identity at an
#: hour its owner never works starts cold
_SITTING_US: Final = 10 * 60 * 1_000_000
QUIET_US: Final = 2 * HORIZON_US
#: how far back before the first window's start a feature pass needs events
LOOKBACK_US: Final = max(HORIZON_US, QUIET_US)
#: levels whose windows carry no session age: a server serves every kind of client, and a
#: person's tool is called from whichever of their clients they use (a CLI agent's per-task
#: connections, an IDE's whole day): a connection's age is judged at the user and the agent
_NO_SESSION_LEN: Final = frozenset({"server_tool", "source", "user_tool"})
_NUM_COLS: Final = ("ts", "duration_us", "args_bytes", "result_bytes")
_STR_COLS: Final = tuple(c for c in EVENT_COLUMNS if c not in _NUM_COLS)


def entity_column(level: str) -> str:
    """Name of the column that holds ``level``'s entity key in a prepared frame."""
    return f"e_{level}"


def prepare(events: pd.DataFrame) -> pd.DataFrame:
    """Normalize a frame of events (store columns) for feature building: types, derived keys
    (``tool_key``, ``agent_key``, one entity column per level), host mirrors and
    :data:`NOT_CALLS` dropped, ts order."""
    df = events.loc[:, [c for c in EVENT_COLUMNS if c in events.columns]].copy()
    for col in _STR_COLS:
        df[col] = df[col].astype(object).fillna("").astype(str) if col in df.columns else ""
    df = df.loc[~df["method"].isin(NOT_CALLS)]
    for col in _NUM_COLS:
        values = df[col] if col in df.columns else pd.Series(0, index=df.index)
        df[col] = pd.to_numeric(values, errors="coerce").fillna(0).astype("int64")
    if (df["source_kind"] == "host").any() and (df["source_kind"] == "server").any():
        served = df.loc[(df["source_kind"] == "server") & (df["trace_id"] != ""), list(MIRROR_KEY)]
        host = df["source_kind"] == "host"
        twin = pd.MultiIndex.from_frame(df.loc[host, list(MIRROR_KEY)]).isin(
            pd.MultiIndex.from_frame(served)
        )
        mirror = np.zeros(len(df), dtype=bool)
        mirror[np.flatnonzero(host.to_numpy())[twin]] = True
        df = df.loc[~mirror]
    # a tool call's resource: the one it names, else the one the emitter derived from its
    # arguments (fingerprinted: ``emitter/resources.py``); after the mirror check, as in SQL
    df["resource_uri"] = df["resource_uri"].where(df["resource_uri"] != "", df["resource_key"])
    df["tool_key"] = df["tool"].where(df["tool"] != "", df["method"])
    df["agent_key"] = df["agent"].where(df["agent"] != "", df["client"])
    weekend = (df["ts"] // _DAY_US + 3) % 7 >= 5
    df["hour_band"] = (weekend * 8 + df["ts"] // HORIZON_US % 24 // 3).astype(str)
    for level, keys in LEVELS.items():
        col = df[keys[0]]
        for key in keys[1:]:
            col = col + "|" + df[key]
        df[entity_column(level)] = col
    return df.sort_values(["ts", "event_id"], kind="stable").reset_index(drop=True)


def _per_event(
    ev: pd.DataFrame,
    history: History,
    profile: ActorProfile,
    semantics: ToolSemantics,
    cold: np.ndarray,
) -> pd.DataFrame:
    """Columns every level shares: off-hours, session age, transition surprise, tool kinds."""
    ev = ev.copy()
    ev["off_hours"] = profile.off_hours(ev)
    # an hour band of the week the user worked in on an earlier day (a past on-call night) is
    # not rare, even when the baseline's profile no longer holds it
    worked = ev["ts"] - history.first_seen(["user", "hour_band"], ev) >= _HALF_DAY_US
    unworked = ~(worked & (ev["user"] != "")).to_numpy()
    ev["rare_hour"] = profile.rare_hour(ev) * unworked
    ev["rare_cold"] = ev["rare_hour"] * cold
    ev["far_cold"] = profile.rare_hour(ev, margin=3) * unworked * cold
    ev["is_destructive"], ev["is_exporting"] = semantics.flags(
        ev["tool_key"], ev["tool_hints"], ev["call_effect"]
    )
    ev["session_len"] = (ev["ts"] - history.session_start(ev)).clip(lower=0) / 1e6
    ev["seq_rarity"], ev["group_bits"] = profile.surprises(ev)
    ev["is_error"] = (ev["outcome"] == "error").astype("int64")
    ev["has_user"] = (ev["user"] != "").astype("int64")
    ev["took_up"] = took_up = ev["ts"] - history.first_seen(["user", "tool_key"], ev)
    ev["adopting"] = ((took_up >= _ADOPTED_US) & (took_up < _DAY_US) & (ev["user"] != "")).astype(
        "int64"
    )
    ev["is_denied"] = (ev["outcome"] == "denied").astype("int64")
    ev["resource"] = ev["resource_uri"].where(ev["resource_uri"] != "")
    ev["fp"] = ev["args_fingerprint"].where(ev["args_fingerprint"] != "")
    return ev


def _quiet_before(ev: pd.DataFrame) -> np.ndarray:
    """Per call of a prepared frame (ts-ordered): 1 when its user made no call in
    ``[ts - QUIET_US, ts - _SITTING_US)`` (a sitting that started at most ten minutes ago after
    two hours' quiet); 0 for calls that name no user. Reads only the two hours before the call,
    which every feature pass holds for the calls of its windows (:data:`LOOKBACK_US`)."""
    out = np.zeros(len(ev), dtype="int64")
    users = ev["user"].to_numpy()
    ts = ev["ts"].to_numpy()
    codes, names = pd.factorize(users)
    for code, name in enumerate(names):
        if name == "":
            continue
        rows = np.flatnonzero(codes == code)
        times = ts[rows]  # sorted: the frame is in ts order
        upto = np.searchsorted(times, times - _SITTING_US, side="left")
        since = np.searchsorted(times, times - QUIET_US, side="left")
        out[rows] = upto == since
    return out


def build_features(
    events: pd.DataFrame,
    history: History,
    profile: ActorProfile,
    *,
    since: int,
    until: int,
    window_us: int,
    step_us: int,
    levels: Sequence[str] = tuple(LEVELS),
    semantics: ToolSemantics | None = None,
) -> dict[str, pd.DataFrame]:
    """Entity-windows whose end lies in ``(since, until]``, per level.

    ``events`` is a prepared frame (:func:`prepare`) holding at least every event in
    ``[since - window_us - LOOKBACK_US, until)``. Each result frame has ``entity``,
    ``window_start``, ``window_end`` and the :data:`FEATURES` columns (float64).
    """
    lo = since - window_us - HORIZON_US  # a window's first call looks back one hour
    wide = events.loc[(events["ts"] >= since - window_us - QUIET_US) & (events["ts"] < until)]
    near = (wide["ts"] >= lo).to_numpy()
    ev = wide.loc[near]
    out: dict[str, pd.DataFrame] = {}
    if ev.empty:
        return {level: _empty() for level in levels}
    cold = _quiet_before(wide)[near]  # ... and whether it starts a sitting, two hours
    ev = ev.reset_index(drop=True)
    history = BatchHistory(history, ev)
    ev = _per_event(ev, history, profile, semantics or ToolSemantics(), cold)
    ev = ev.assign(**peer_columns(ev, history, HORIZON_US))
    # a delete with a tool its user took up today while others are taking it up too (lecturers
    # entering grades at a deadline with the tool their assistants use) is the organisation's
    # uptake, not the user's deletes: it counts in no ``destructive`` feature
    together = (
        (ev["took_up"] < _DAY_US) & (ev["tool_starters"] >= UPTAKE_PEERS) & (ev["user"] != "")
    ).to_numpy()
    ev["is_destructive"] = np.where(together, 0, ev["is_destructive"])
    for level in levels:
        keys = list(LEVELS[level])
        ecol = entity_column(level)
        part = ev.loc[named(ev, level)].copy()
        if part.empty:
            out[level] = _empty()
            continue
        part["new_tool"] = _first(history, [*keys, "tool_key"], part)
        part["new_server"] = _first(history, [*keys, "source_name"], part)
        part["novel"] = part["new_tool"] + part["new_server"]
        # how the entity reached a tool it never used: by a move the deployment makes (a new
        # team's routine, a pull request's review steps) or by one nobody makes (a sweep)
        part["novel_jump"] = part["new_tool"] * part["group_bits"]
        on_server = part["shared_on_server"] | part["launched"]
        part["shared"] = part["new_tool"] * (part["shared_tool"] | on_server) + part[
            "new_server"
        ] * (part["shared_server"] | on_server)
        part["new_client"] = _first(history, [*keys, "client"], part) & (part["client"] != "")
        part["new_res"] = _first(history, [*keys, "resource_uri"], part) & part["resource"].notna()
        fp_new = _first(history, [*keys, "args_fingerprint"], part)
        part["fp_new"] = np.where(part["fp"].notna(), fp_new.astype(float), np.nan)
        rep = in_windows(part, since=since, until=until, window_us=window_us, step_us=step_us)
        windows = _aggregate(rep, ecol, window_us)
        if level in _NO_SESSION_LEN and not windows.empty:
            # a server's windows mix every client's connections (a probe's five-second
            # sessions, an IDE's whole day): how long one has been open says nothing about it
            windows["session_len"] = 0.0
        if level == "user_tool" and not windows.empty:
            windows["tool_peers"] = tool_peers(windows["entity"], profile.tools)
        minute = part["ts"] // 60_000_000
        novel = part.loc[part["new_res"] > 0]
        part["novel_minute"] = 0
        firsts = ~pd.DataFrame({"e": novel[ecol], "m": minute[novel.index]}).duplicated()
        part.loc[novel.index[firsts.to_numpy()], "novel_minute"] = 1
        part["result_sq"] = part["result_bytes"].to_numpy(dtype=float) ** 2
        part["one"] = 1.0
        (
            trailing,
            novel,
            hour_out,
            shared,
            short_out,
            short_sq,
            short_destructive,
            hour_destructive,
            sitting_cold,
            hour_calls,
            hour_sq,
        ) = _trailing(
            part,
            ecol,
            windows,
            (
                ("novel_minute", HORIZON_US),
                ("novel", HORIZON_US),
                ("result_bytes", HORIZON_US),
                ("shared", HORIZON_US),
                ("result_bytes", _SHORT_US),
                ("result_sq", _SHORT_US),
                ("is_destructive", _SHORT_US),
                ("is_destructive", HORIZON_US),
                ("rare_cold", _SITTING_US),
                ("one", HORIZON_US),
                ("result_sq", HORIZON_US),
            ),
        )
        windows["rare_hour_cold"] = np.where(windows["rare_hour_cold"] > 0, sitting_cold, 0.0)
        windows["destructive_5m"] = short_destructive
        windows["destructive_1h"] = hour_destructive
        windows["novel_shared_1h"] = shared
        windows["novel_minutes_1h"] = np.where(windows["new_resources"] > 0, trailing, 0.0)
        windows["novel_1h"] = novel
        windows["bytes_out_1h"] = hour_out
        windows["bytes_out_5m"] = short_out
        windows["results_5m"] = _comparable(short_out, short_sq)
        windows["calls_1h"] = hour_calls
        windows["results_1h"] = _comparable(hour_out, hour_sq)
        out[level] = windows
    return out


def named(events: pd.DataFrame, level: str) -> np.ndarray:
    """Rows of a prepared frame that have an entity at ``level``: every part of its key set."""
    mask: np.ndarray = np.logical_and.reduce([events[k].to_numpy() != "" for k in LEVELS[level]])
    return mask


def in_windows(
    events: pd.DataFrame, *, since: int, until: int, window_us: int, step_us: int
) -> pd.DataFrame:
    """Each event once per window it lies in (``window_start`` added), for the windows on the
    step grid whose end is in ``(since, until]``."""
    recent = events.loc[events["ts"] >= since - window_us]
    slots = (recent["ts"] // step_us).to_numpy()
    reps = [recent.assign(window_start=(slots - j) * step_us) for j in range(window_us // step_us)]
    rep = pd.concat(reps, ignore_index=True)
    end = rep["window_start"] + window_us
    return rep.loc[(end > since) & (end <= until)]


def _first(history: History, keys: list[str], part: pd.DataFrame) -> pd.Series:
    """Whether each row is the first stored sighting of its ``keys`` values."""
    return (part["ts"] == history.first_seen(keys, part)).astype("int64")


def _comparable(total: np.ndarray, squares: np.ndarray) -> np.ndarray:
    """How many results of comparable size make up ``total``: its square over the sum of the
    results' squares (0 without results)."""
    out: np.ndarray = np.divide(total**2, squares, out=np.zeros_like(total), where=squares > 0)
    return out


def _trailing(
    part: pd.DataFrame, ecol: str, windows: pd.DataFrame, sums: Sequence[tuple[str, int]]
) -> list[np.ndarray]:
    """Per window and per ``(column, span_us)`` of ``sums``, the sum of the column over the
    entity's events in ``[end - span_us, end)`` (a span at most :data:`HORIZON_US`): one sort
    of the events serves every column and span."""
    if windows.empty:
        return [np.zeros(0) for _ in sums]
    codes, uniques = pd.factorize(part[ecol])
    t0 = int(min(part["ts"].min(), windows["window_end"].min() - HORIZON_US))
    # one sortable key per (entity, time): entity code × (time span + 1) + time offset
    span = int(max(part["ts"].max(), windows["window_end"].max())) - t0 + 1
    if (len(uniques) + 1) * span >= 2**62:
        raise ValueError("too many entities over too long a range for one feature pass")
    shift = np.int64(span)
    keys = codes.astype("int64") * shift + (part["ts"].to_numpy() - t0)
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    wcodes = pd.Index(uniques).get_indexer(windows["entity"]).astype("int64")
    ends = windows["window_end"].to_numpy() - t0
    hi = np.searchsorted(keys, wcodes * shift + ends, side="left")
    lo = {
        span_us: np.searchsorted(keys, wcodes * shift + (ends - span_us), side="left")
        for span_us in {span_us for _, span_us in sums}
    }
    cum: dict[str, np.ndarray] = {}
    out = []
    for col, span_us in sums:
        if col not in cum:
            cum[col] = np.concatenate(([0.0], np.cumsum(part[col].to_numpy(dtype=float)[order])))
        out.append(cum[col][hi] - cum[col][lo[span_us]])
    return out


def _aggregate(rep: pd.DataFrame, ecol: str, window_us: int) -> pd.DataFrame:
    if rep.empty:
        return _empty()
    g = rep.groupby([ecol, "window_start"], sort=True, observed=True)
    agg = g.agg(
        calls=("ts", "size"),
        distinct_tools=("tool_key", "nunique"),
        distinct_resources=("resource", "nunique"),
        bytes_in=("args_bytes", "sum"),
        bytes_out=("result_bytes", "sum"),
        error_rate=("is_error", "mean"),
        denials=("is_denied", "sum"),
        new_tools=("new_tool", "sum"),
        new_servers=("new_server", "sum"),
        destructive=("is_destructive", "sum"),
        exporting=("is_exporting", "sum"),
        errors=("is_error", "sum"),
        args_max=("args_bytes", "max"),
        result_max=("result_bytes", "max"),
        rare_hour_calls=("rare_hour", "sum"),
        rare_hour_cold=("rare_cold", "sum"),
        far_hour_calls=("far_cold", "sum"),
        peers_novel_1h=("peers_novel", "max"),
        novel_shared=("shared", "sum"),
        with_user=("has_user", "max"),
        adopting=("adopting", "max"),
        new_clients=("new_client", "sum"),
        new_resources=("new_res", "sum"),
        off_hours=("off_hours", "mean"),
        session_len=("session_len", "max"),
        fp_novelty=("fp_new", "mean"),
        seq_rarity=("seq_rarity", "max"),
        novel_jump=("novel_jump", "max"),
        peers_rare_1h=("peers_rare", "max"),
        peers_rare_server_1h=("peers_rare_server", "max"),
    )
    agg["duration_p95"] = g["duration_us"].quantile(0.95)
    repeats = rep.groupby([ecol, "window_start", "fp"], sort=False, observed=True).size()
    agg["repeat_max"] = repeats.groupby(level=[0, 1]).max().reindex(agg.index).fillna(0)
    agg = agg.reset_index().rename(columns={ecol: "entity"})
    agg["window_end"] = agg["window_start"] + window_us
    agg["novel_minutes_1h"] = 0.0
    agg["novel_1h"] = 0.0
    agg["bytes_out_1h"] = 0.0
    agg["bytes_out_5m"] = 0.0
    agg["results_5m"] = 0.0
    agg["novel_shared_1h"] = 0.0
    agg["destructive_5m"] = 0.0
    agg["destructive_1h"] = 0.0
    agg["calls_1h"] = 0.0
    agg["results_1h"] = 0.0
    agg["tool_peers"] = 0.0
    agg[list(FEATURES)] = agg[list(FEATURES)].astype("float64").fillna(0.0)
    return agg[["entity", "window_start", "window_end", *FEATURES]]


def _empty() -> pd.DataFrame:
    cols: dict[str, Any] = {"entity": pd.Series(dtype=object)}
    cols["window_start"] = pd.Series(dtype="int64")
    cols["window_end"] = pd.Series(dtype="int64")
    for name in FEATURES:
        cols[name] = pd.Series(dtype="float64")
    return pd.DataFrame(cols)
