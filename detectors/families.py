"""Paging rules per attack family, each judged against the entity's *own* baseline.

A family fires on a window when its features are far from what this entity usually does (its
p99 over the baseline, :mod:`.baseline`) *and* clear an absolute floor, corroborated by a second
feature where one feature alone is common in benign traffic. Families are baseline rules: quiet
while the entity learns, and quiet for entities judged by their group's baseline (too little
history of their own: the group's habits say nothing about one person's hours or tools).

=================  ===========  ====================================================================
family             level        fires when
=================  ===========  ====================================================================
``novelty_burst``  user, agent  ``new_tools + new_servers`` in the window ≥ ``novelty_burst``
                                (tools and servers the entity never used; its p99 is ~0), less
                                those another established user also started on in the same
                                hour or that lie on a server launched that day
                                (``novel_shared``, :mod:`.cohort`: a release); twice that
                                for someone using a tool they took up in an earlier sitting of
                                the day (``adopting``: a role change); and one of them reached
                                by a move nobody here makes (``novel_jump`` ≥
                                ``novelty_jump_bits``: a new team's routine, a first review, are
                                moves colleagues make daily); an agent only when it acts for no
                                user (else its user's alert covers it). The same counted over
                                the hour up to the window (``novel_1h`` less
                                ``novel_shared_1h``), in a window reaching one more by such a
                                move: the sweep paced a call a minute
``off_hours``      user         ``rare_hour_cold`` ≥ ``off_hours_calls``: calls at hours of a
                                day type the user never worked and works at most one day a
                                week on the other (its own hours, from up to ``hours_days``
                                of stored history) in a sitting that
                                started there after two hours' quiet (someone working late is
                                not); or one such call at an hour three hours from any the user
                                worked (``far_hour_calls``: the first call pages); not on a
                                night the organisation keeps together (``peers_rare_1h``:
                                ``org_night_users`` (3) others up at hours rare for them in the
                                hour anywhere, or two with one on a server of the window's
                                calls (``peers_rare_server_1h``), or one while
                                ``org_event_users`` others start on new tools)
``destructive``    user,        ``destructive`` ≥ ``destructive_burst`` and more than
                   user_tool    ``destructive_margin`` (2) times the entity's own p99 (a busy
                                minute of one's own deletes is not); an entity whose own p99 is
                                a burst already (deleting in bulk is its routine) needs
                                ``routine_factor`` (4) times that p99 (a month-end run is not);
                                per user × tool against the pair's own history however thin (a
                                tool the person rarely or never called), for users with an own
                                baseline; per user, five minutes' (``destructive_5m``) ≥
                                ``destructive_pace`` (6) and more than twice its own p99 for five
                                minutes (below the pace itself), in a window holding its share:
                                deletes paced a minute apart; over an hour
                                (``destructive_1h``) ≥ ``destructive_hour`` (12) and
                                ``routine_factor`` (4) × its own p99 for an hour, the last five
                                minutes holding their share: paced five minutes apart. All
                                three per user also for an entity without an own baseline,
                                against its group's. Per user × tool, ``destructive_5m`` ≥
                                ``destructive_unowned`` (2) with a tool neither the user nor
                                anyone else called in the baseline (``tool_peers`` 0): paced
                                deletes with a tool nobody here uses page on their second
                                call. Deletes with a tool the user took up today while two
                                others started on it in the hour are not counted (the
                                organisation taking up a tool: ``destructive``, features.py)
``error_probe``    user_tool    ``errors`` ≥ ``error_probe`` *and* ``args_max`` ≥ 2 spreads above
                                this user × tool's p99, or one error fewer with ``args_max`` ≥ 3
                                spreads above (a retrying agent fails with usual args); a
                                pair too thin for its own baseline: one error fewer with args
                                over ``probe_args_factor`` (4) × the pair's own p99
``bulk_read``      user         ``bytes_out`` ≥ ``bulk_factor`` (100) × own p99 in ≥ 3 calls, or
                                ≥ 4 spreads above own p99 *and* ``calls`` above own p99 (a
                                release afternoon moves calls, not result sizes); or one result
                                ≥ ``bulk_huge_bytes`` (1 MiB) and ``bulk_factor`` × own p99 of
                                ``result_max`` (a table pulled in one call); or results in
                                the hour up to the window (``bytes_out_1h``) ≥
                                ``bulk_hour_factor`` (20) × own p99 for an hour and ≥
                                ``bulk_hour_bytes`` (2 MiB): a harvest paced a read a minute;
                                or five minutes' results (``bytes_out_5m``) ≥
                                ``bulk_pace_factor`` (10) × own p99 for five minutes, ≥
                                ``bulk_pace_bytes`` (2 MiB), made of ≥ ``bulk_pace_results``
                                (4) comparable results (``results_5m``): the same harvest
                                minutes in, not a migration's few large exports
                   user_tool    ``calls`` ≥ ``bulk_tool_calls`` (8) and ``bulk_tool_factor`` (4)
                                × the pair's own p99, with more than twice its own p99 of
                                bytes and ≥ ``bulk_tool_bytes`` (64 KiB): a harvest of one tool
                                the person uses, read by read; or over the hour up to the
                                window ≥ ``harvest_results`` (4) comparable results
                                (``results_1h``), ≥ ``harvest_share`` (0.15) of the hour's
                                calls of the tool, typically ``harvest_size_factor`` (3) × the
                                pair's own p99 of ``result_max`` and ``harvest_tool_factor``
                                (4) × the largest p99 the tool returned *anyone* (its server ×
                                tool baseline: peers), adding up to ``harvest_hour_factor`` (8)
                                × the pair's own hour and ``harvest_bytes`` (512 KiB): a
                                harvest paced a read a minute of objects nobody here receives
                                (round 18: or typically ``harvest_max_factor`` (2) × the largest
                                result the tool ever returned anyone in the baseline and the
                                pair's own p99, in place of the two size factors, making up
                                ``harvest_max_share`` (0.6) of the hour's calls of the tool:
                                objects beyond any page the tool ever gave);
                                or one result ``object_spreads`` (2.5) spreads from the pair's
                                own p50 of ``result_max`` (its p99 is 1), ``object_tool_spreads``
                                (2.5) from what the tool returns anyone (its server × tool p50 and
                                p99), ``object_tool_factor`` (2) × the largest p99 the tool
                                returned anyone and ``object_bytes`` (64 KiB): that harvest's
                                first object (a tool whose results vary widely for everyone,
                                files or logs, returns a large one now and then)
=================  ===========  ====================================================================

(A spread is the ``relative`` unit of :mod:`.baseline`: the distance from the entity's p50 to
its p99, in log space for counts and bytes.) The thresholds were chosen on the first simulator
(``benchmarks/detection.py``) and are settings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from .alert import Severity
from .baseline import relative_one
from .explain import human
from .features import FEATURES
from .rules import RuleHits
from .settings import DetectSettings

__all__ = ["FAMILY_NAMES", "Families", "PairHistory"]

FAMILY_NAMES: Final = ("novelty_burst", "off_hours", "destructive", "error_probe", "bulk_read")
_I: Final = {name: i for i, name in enumerate(FEATURES)}


@dataclass(frozen=True)
class Families:
    """The family rules with their thresholds (from the settings)."""

    novelty_burst: float = 4
    off_hours_calls: float = 2
    destructive_burst: float = 3
    error_probe: float = 3
    org_event_users: float = 3
    bulk_factor: float = 100
    bulk_stream_factor: float = 20
    destructive_margin: float = 2
    routine_factor: float = 4
    novelty_jump_bits: float = 5
    bulk_tool_calls: float = 8
    bulk_tool_factor: float = 4
    bulk_huge_bytes: float = 1 << 20
    probe_args_factor: float = 4
    bulk_hour_factor: float = 20
    bulk_hour_bytes: float = 2 << 20
    bulk_pace_factor: float = 10
    bulk_pace_bytes: float = 2 << 20
    bulk_pace_results: float = 4
    destructive_pace: float = 6
    org_night_users: float = 3
    destructive_hour: float = 12
    bulk_tool_bytes: float = 64 << 10
    destructive_unowned: float = 2
    harvest_results: float = 4
    harvest_size_factor: float = 3
    harvest_tool_factor: float = 4
    harvest_hour_factor: float = 8
    harvest_bytes: float = 512 << 10
    harvest_share: float = 0.15
    object_spreads: float = 2.5
    object_tool_spreads: float = 2.5
    object_tool_factor: float = 2
    object_bytes: float = 64 << 10
    harvest_max_factor: float = 2
    harvest_max_share: float = 0.6

    @classmethod
    def of(cls, s: DetectSettings) -> Families:
        """The thresholds of the settings (each field here is a setting of the same name)."""
        return cls(**{f.name: getattr(s, f.name) for f in fields(cls)})

    def beyond(self, count: np.ndarray, usual: np.ndarray) -> np.ndarray:
        """Where a count of destructive calls is a burst for an entity whose own p99 per
        window is ``usual``: at least ``destructive_burst`` and more than ``destructive_margin``
        times that p99; when the p99 is a burst already (deleting in bulk is the entity's
        routine: a nightly job), ``routine_factor`` times it (a month-end run twice the usual
        is the schedule)."""
        routine = usual >= self.destructive_burst
        far = np.where(
            routine, count >= self.routine_factor * usual, count > self.destructive_margin * usual
        )
        out: np.ndarray = (count >= self.destructive_burst) & far
        return out

    def run(
        self,
        level: str,
        windows: pd.DataFrame,
        rel: np.ndarray,
        p99: np.ndarray,
        own: np.ndarray,
        *,
        pair: PairHistory | None = None,
        hours_own: np.ndarray | None = None,
    ) -> list[RuleHits]:
        """Each family's hits among ``windows`` (rows judged by their own baseline only; at
        the user × tool level, ``pair`` gives each pair's own history however thin).
        ``hours_own``: the rows whose own baseline holds enough windows to say which hours the
        entity works (default: every row ``own`` admits); ``off_hours`` pages only there: a job
        seen a minute a day on each of its days has an own baseline of what it does, but its
        few minutes say little about its hours."""
        hours = np.ones(len(windows), dtype=bool) if hours_own is None else hours_own
        v = {name: windows[name].to_numpy(dtype=float) for name in FEATURES}
        r = {name: rel[:, i] for name, i in _I.items()}
        u = {name: p99[:, i] for name, i in _I.items()}
        found: list[RuleHits] = []

        def add(
            name: str, mask: np.ndarray, feats: tuple[str, ...], text: str, borrow: bool = False
        ) -> None:
            """Hits of ``mask`` among entities with an own baseline; with ``borrow``, also
            among the rest, judged by the group's (``u`` holds the group's p99 for them)."""
            rows = np.flatnonzero(mask & (own | borrow))
            if not len(rows):
                return
            entity = windows["entity"].to_numpy()
            reasons = [
                (text if own[i] else text.replace("its usual", "its group's usual")).format(
                    entity=entity[i],
                    **{f: human(f, v[f][i]) for f in feats},
                    **{f"{f}_p99": human(f, u[f][i]) for f in feats},
                )
                for i in rows
            ]
            found.append(
                RuleHits(f"family:{name}", rows, ["high"] * len(rows), reasons, feats, True)
            )

        if level in ("user", "agent"):
            # novelty other people share this hour (a release's tools) is the organisation's,
            # not the entity's
            own_novel = v["new_tools"] + v["new_servers"] - v["novel_shared"]
            # an agent acting for a user is judged as that user (whose alert names the agent):
            # one incident, one alert; agents without a user are judged on their own
            alone = v["with_user"] == 0 if level == "agent" else True
            # someone already taking up new tools since earlier in the day (a role change)
            # needs a burst twice as broad
            burst = self.novelty_burst * (1 + v["adopting"])
            # reached by a move nobody here makes: a person taking up a new team's tools, or
            # reviewing a pull request for the first time, walks them the way colleagues do;
            # or a window reaching two servers the entity never used: an agent steered to
            # other systems by what it read walks colleagues' moves, not its person's servers
            jump = v["novel_jump"] >= self.novelty_jump_bits
            reach = {
                "a move of {novel_jump} of surprise for everyone": jump,
                "stepping onto {new_servers} server(s) it never used within 1 min": ~jump
                & (v["new_servers"] >= 2),
            }
            # the same sweep paced a call a minute or two (every window holds one or two of
            # them): counted over the hour up to the window, in a window that reaches one more
            own_hour = v["novel_1h"] - v["novel_shared_1h"]
            for how, sweep in reach.items():
                add(
                    "novelty_burst",
                    (own_novel >= burst) & sweep & alone,
                    ("new_tools", "new_servers", "novel_shared", "novel_jump"),
                    "{entity} used {new_tools} tool(s) and {new_servers} server(s) it never used "
                    "before, in 1 min ({novel_shared} of them also new to others this hour or on "
                    f"a server launched today), reaching one by {how}; its usual p99 is "
                    "{new_tools_p99} new tools per window",
                )
                add(
                    "novelty_burst",
                    (own_hour >= burst) & (own_novel >= 1) & (own_novel < burst) & sweep & alone,
                    ("novel_1h", "novel_shared_1h", "novel_jump", "new_servers"),
                    "{entity} used {novel_1h} tools and servers it never used before in the "
                    "last hour ({novel_shared_1h} of them also new to others), reaching one more "
                    f"by {how}",
                )
        if level == "user":
            # a sitting that starts at an hour the user never works (after two hours' quiet:
            # a day's work running late is not one) pages on its second call, or on its first
            # when no call of the user's baseline came within three hours of that hour
            fresh = v["rare_hour_cold"] >= self.off_hours_calls
            # a night the organisation keeps together (a release, an incident): others are up
            # at hours rare for them too, in the same hour, and starting on new tools, or
            # several are up: three anywhere, or two with one on a server of the window's calls
            # (a team's month-end close keeps its own people up on its servers, not payments';
            # one colleague covering a night shift on the same server hides nobody): one
            # person's stolen session at night is alone
            together = (
                (v["peers_rare_1h"] >= self.org_night_users)
                | ((v["peers_rare_1h"] >= 2) & (v["peers_rare_server_1h"] >= 1))
                | ((v["peers_rare_1h"] >= 1) & (v["peers_novel_1h"] >= self.org_event_users))
            )
            add(
                "off_hours",
                fresh & ~together & hours,
                ("rare_hour_cold", "calls"),
                "{entity} made {rare_hour_cold} calls at an hour it never works in the first "
                "ten minutes of a sitting, after two hours without a call (its own history: "
                "no call within two hours of it on this kind of day, at most one day a week "
                "at it on the other)",
            )
            add(
                "off_hours",
                (v["far_hour_calls"] >= 1) & ~fresh & ~together & hours,
                ("far_hour_calls", "calls"),
                "{entity} made {far_hour_calls} call(s) at an hour it never works, after two "
                "hours without a call (its own history: no call within three hours of it on "
                "this kind of day, at most one day a week at it on the other)",
            )
            # more than twice the person's own p99 of destructive calls (three against a p99
            # of two is a busy minute); an entity whose routine is deleting in bulk (its own
            # p99 is a burst already: a nightly cleanup job) is judged by the size of its runs
            add(
                "destructive",
                self.beyond(v["destructive"], u["destructive"]),
                ("destructive", "calls"),
                "{entity} made {destructive} destructive calls in 1 min; its usual p99 is "
                "{destructive_p99}",
                borrow=True,
            )
            # the same deletes paced a minute apart (under a burst in every window): five
            # minutes of them against the entity's own five minutes, in a window that holds
            # its share of them (the echo of a past burst over ordinary minutes stays quiet);
            # not for an entity whose five minutes hold that many anyway (someone writing
            # files all day: a busy hour of theirs is no news, and a burst is the burst's)
            add(
                "destructive",
                (v["destructive_5m"] >= self.destructive_pace)
                & (v["destructive_5m"] > self.destructive_margin * u["destructive_5m"])
                & (u["destructive_5m"] < self.destructive_pace)
                & (v["destructive"] * 5 >= v["destructive_5m"]),
                ("destructive_5m", "destructive", "calls"),
                "{entity} made {destructive_5m} destructive calls in the last five minutes; "
                "its usual p99 for five minutes is {destructive_5m_p99}",
                borrow=True,
            )
            # and paced five minutes apart (under the pace in every five minutes): the hour's
            # deletes far beyond the entity's own hours (``routine_factor`` times: a busy day
            # of one's own freezes is not), with the last five minutes holding their share of
            # the hour (the pace goes on: a burst's echo over the hour stays quiet)
            add(
                "destructive",
                (v["destructive_1h"] >= self.destructive_hour)
                & (v["destructive_1h"] > self.routine_factor * np.maximum(u["destructive_1h"], 1))
                & (u["destructive_1h"] < self.destructive_hour)
                & (v["destructive_5m"] * 12 >= v["destructive_1h"])
                & (v["destructive"] >= 1),
                ("destructive_1h", "destructive", "calls"),
                "{entity} made {destructive_1h} destructive calls in the last hour; its usual "
                "p99 for an hour is {destructive_1h_p99}",
                borrow=True,
            )
            # far enough out to page on one window: two orders of magnitude above own p99 over
            # several calls; an order less when the bytes come as a stream of large results
            # (three times the largest at least: many reads, not one big export); else far out
            # in bytes and above the usual calls
            usual = np.maximum(u["bytes_out"], 1)
            bulk = (v["bytes_out"] >= self.bulk_factor * usual) & (v["calls"] >= 3)
            stream = (v["bytes_out"] >= self.bulk_stream_factor * usual) & (
                v["bytes_out"] >= 3 * np.maximum(v["result_max"], 1)
            )
            add(
                "bulk_read",
                bulk | stream | ((r["bytes_out"] >= 4) & (r["calls"] >= 1)),
                ("bytes_out", "calls", "result_max"),
                "{entity} received {bytes_out} of tool results in {calls} calls in 1 min "
                "(the largest {result_max}); its usual p99 is {bytes_out_p99} in {calls_p99} "
                "calls",
            )
            # one result orders of magnitude larger than anything the person usually receives
            # (a table or a bucket pulled in one call): pages on its own, over a floor
            huge = (v["result_max"] >= self.bulk_huge_bytes) & (
                v["result_max"] >= self.bulk_factor * np.maximum(u["result_max"], 1)
            )
            add(
                "bulk_read",
                huge,
                ("result_max", "bytes_out", "calls"),
                "{entity} received one tool result of {result_max} in 1 min ({bytes_out} in "
                "{calls} calls); the largest it usually receives (p99) is {result_max_p99}",
            )
            # a harvest paced to look like work (a read a minute of large results): small in
            # every minute, far beyond the person's own hours in the hour; in a window that
            # holds its share of the hour at an even pace (a minute of 60: after a burst, the
            # hour's echo over ordinary calls stays quiet)
            hour = (
                (v["bytes_out_1h"] >= self.bulk_hour_bytes)
                & (v["bytes_out_1h"] >= self.bulk_hour_factor * np.maximum(u["bytes_out_1h"], 1))
                & (v["bytes_out"] * 60 >= v["bytes_out_1h"])
            )
            add(
                "bulk_read",
                hour,
                ("bytes_out_1h", "calls"),
                "{entity} received {bytes_out_1h} of tool results in the last hour; its usual "
                "p99 for an hour is {bytes_out_1h_p99}",
            )
            # the same harvest five minutes in: object after object (results of comparable
            # size: a migration's or a log pull's few large exports are not), far beyond the
            # person's own five minutes, in a window that holds its share of them
            pace = (
                (v["bytes_out_5m"] >= self.bulk_pace_bytes)
                & (v["bytes_out_5m"] >= self.bulk_pace_factor * np.maximum(u["bytes_out_5m"], 1))
                & (v["results_5m"] >= self.bulk_pace_results)
                & (v["bytes_out"] * 5 >= v["bytes_out_5m"])
            )
            add(
                "bulk_read",
                pace,
                ("bytes_out_5m", "results_5m", "calls"),
                "{entity} received {bytes_out_5m} of tool results in the last five minutes, "
                "as many as {results_5m} results of comparable size; its usual p99 for five "
                "minutes is {bytes_out_5m_p99}",
            )
        if level == "user_tool" and pair is not None:
            found += self._destructive_tool(windows, v, pair)
            found += self._read_burst(windows, v, pair)
            found += self._paced_harvest(windows, v, pair)
            found += self._first_object(windows, v, pair)
            found += self._thin_probe(windows, v, own, pair)
        if level == "user_tool":
            # the further the arguments are from anything this user sent the tool, the fewer
            # failures corroborate them (a retrying agent fails with its usual arguments)
            add(
                "error_probe",
                ((v["errors"] >= self.error_probe) & (r["args_max"] >= 2))
                | ((v["errors"] >= self.error_probe - 1) & (r["args_max"] >= 3)),
                ("errors", "args_max"),
                "{entity} failed {errors} times in 1 min with arguments up to {args_max}; "
                "its usual p99 is {errors_p99} errors and {args_max_p99} arguments",
            )
        return found

    def _destructive_tool(
        self, windows: pd.DataFrame, v: dict[str, np.ndarray], pair: PairHistory
    ) -> list[RuleHits]:
        """A burst of one destructive tool, against the user's own history *with that tool*
        (its p99 over however few windows the pair had in the baseline; 0 when the user never
        called it there): a tool the person calls once a week, called a dozen times in a
        minute, pages even when the person edits files all day. And, sooner, a destructive tool
        *nobody* here called in the baseline (``tool_peers`` 0, the user neither), called
        ``destructive_unowned`` times in five minutes: deletes paced a minute apart with a
        tool the organisation does not use page on their second call, not their twelfth (a
        tool colleagues use, taken up, is judged as a burst). Only for users with an own
        baseline (someone back from a long absence has none: a tool not called for weeks is
        theirs again, not news)."""
        count = v["destructive"]
        usual = pair.p99[:, _I["destructive"]]
        burst = self.beyond(count, usual) & pair.actor_own
        unowned = (
            ~burst
            & pair.actor_own
            & (pair.windows == 0)
            & (v["tool_peers"] == 0)
            & (v["destructive_5m"] >= self.destructive_unowned)
            & (count >= 1)
        )

        def say(i: int, user: str, tool: str) -> str:
            if unowned[i]:
                return (
                    f"{user} called {tool}, a destructive tool, "
                    f"{human('destructive', v['destructive_5m'][i])} times in the last five "
                    "minutes; it never called it in its own baseline, nor did anyone else here"
                )
            usual_text = (
                f"its usual p99 for this tool is {human('destructive', usual[i])} per window "
                f"({pair.windows[i]:.0f} windows of its own baseline)"
                if pair.windows[i]
                else "it never called it in its own baseline"
            )
            return (
                f"{user} called {tool}, a destructive tool, "
                f"{human('destructive', count[i])} times in 1 min; {usual_text}"
            )

        features = ("destructive", "destructive_5m", "calls")
        return pair.said(windows, burst | unowned, say, "destructive", features)

    def _thin_probe(
        self, windows: pd.DataFrame, v: dict[str, np.ndarray], own: np.ndarray, pair: PairHistory
    ) -> list[RuleHits]:
        """An error storm on a tool the person calls too rarely for a baseline of the pair
        (judged by the group's, where :meth:`run` reads nothing): ``error_probe`` - 1 failures
        with arguments more than ``probe_args_factor`` times the largest the person sent the
        tool in its own thin history (p99 of ``args_max``). Only for users with an own baseline,
        on tools they called in it."""
        usual = pair.p99[:, _I["args_max"]]
        mask = (
            ~own
            & (pair.windows > 0)
            & pair.actor_own
            & (usual > 0)
            & (v["errors"] >= self.error_probe - 1)
            & (v["args_max"] > self.probe_args_factor * usual)
        )

        def say(i: int, _user: str, _tool: str) -> str:
            return (
                f"failed {human('errors', v['errors'][i])} times in 1 min "
                f"with arguments up to {human('args_max', v['args_max'][i])}; the largest it "
                f"usually sends this tool (p99) is {human('args_max', usual[i])} "
                f"({pair.windows[i]:.0f} windows of its own baseline)"
            )

        return pair.said(windows, mask, say, "error_probe", ("errors", "args_max"))

    def _read_burst(
        self, windows: pd.DataFrame, v: dict[str, np.ndarray], pair: PairHistory
    ) -> list[RuleHits]:
        """Many reads of one tool the person uses, far above the pair's own pace and bytes: at
        least ``bulk_tool_calls`` calls and ``bulk_tool_factor`` times the pair's own p99 of
        calls per window, with more than twice its own p99 of result bytes and at least
        ``bulk_tool_bytes`` (a harvest of files, pages or objects one by one; a busy person's
        reads of their own tool stay near its pace; a replay of small acknowledgements is no
        harvest). Only for users with an own baseline, on tools they called in it (a tool
        never used is novelty's), and not for destructive tools."""
        calls_p99 = pair.p99[:, _I["calls"]]
        bytes_p99 = pair.p99[:, _I["bytes_out"]]
        mask = (
            (v["calls"] >= self.bulk_tool_calls)
            & (v["calls"] >= self.bulk_tool_factor * calls_p99)
            & (v["bytes_out"] > 2 * bytes_p99)
            & (v["bytes_out"] >= self.bulk_tool_bytes)
            & pair.read_own(v)
        )

        def say(i: int, user: str, tool: str) -> str:
            return (
                f"{user} called {tool} {human('calls', v['calls'][i])} "
                f"times in 1 min for {human('bytes_out', v['bytes_out'][i])} of results; its "
                f"usual p99 for this tool is {human('calls', calls_p99[i])} calls and "
                f"{human('bytes_out', bytes_p99[i])} per window ({pair.windows[i]:.0f} windows "
                "of its own baseline)"
            )

        return pair.said(windows, mask, say, "bulk_read", ("calls", "bytes_out"))

    def _paced_harvest(
        self, windows: pd.DataFrame, v: dict[str, np.ndarray], pair: PairHistory
    ) -> list[RuleHits]:
        """A harvest of one tool the person uses, paced a read a minute or two: over the hour
        up to the window, at least ``harvest_results`` results of comparable size
        (``results_1h``) making up at least ``harvest_share`` of the hour's calls of the tool,
        each typically ``harvest_size_factor`` times the largest the person gets from the tool
        (own p99 of ``result_max``) *and* ``harvest_tool_factor`` times the largest the tool
        returned to anyone in the baseline (``PairHistory.tool_result``: the peers), adding up
        to ``harvest_hour_factor`` times the pair's own hour and ``harvest_bytes``, in a window
        holding one of them (the hour's echo over ordinary calls after it stays quiet). A
        quarter's exports are as large as colleagues' were and a day's
        queries hold a few of them; a role's new tools have no pair history (novelty's); a
        harvest pulls object after object no one here receives. Round 18: also results
        typically ``harvest_max_factor`` times both the largest result the tool returned anyone
        in the baseline (its maximum, not its p99: :attr:`PairHistory.tool_max`) and the pair's
        own p99, in place of the two size factors, when those objects make up
        ``harvest_max_share`` of the hour's calls of the tool: a tool that returns bounded
        pages (meter reads, tag histories) read for objects twice any page it ever gave, which
        lie within its spreads, object after object. (On their first or second such object they
        are not told from a quarter-end's two or three sheets pulled at once; a month-end's
        large queries come among many small ones.) Only for users with an own baseline, on
        tools they called in it, and not destructive tools."""
        hour = v["bytes_out_1h"]
        results = v["results_1h"]
        size = np.divide(hour, results, out=np.zeros_like(hour), where=results > 0)
        own_size = pair.p99[:, _I["result_max"]]
        own_hour = pair.p99[:, _I["bytes_out_1h"]]
        anyone = pair.tool_result
        far = (size >= self.harvest_size_factor * np.maximum(own_size, 1)) & (
            size >= self.harvest_tool_factor * np.maximum(anyone, 1)
        )
        ever = (
            size >= self.harvest_max_factor * np.maximum(np.maximum(pair.tool_max, own_size), 1)
        ) & (results >= self.harvest_max_share * v["calls_1h"])
        mask = (
            (results >= self.harvest_results)
            & (results >= self.harvest_share * v["calls_1h"])
            & (far | ever)
            & (hour >= self.harvest_hour_factor * np.maximum(own_hour, 1))
            & (hour >= self.harvest_bytes)
            & (v["result_max"] * 2 >= size)
            & pair.read_own(v)
        )

        def say(i: int, user: str, tool: str) -> str:
            return (
                f"{user} received {human('bytes_out', hour[i])} from "
                f"{tool} in the last hour, {results[i]:.0f} results of about "
                f"{human('result_max', size[i])} each; the largest it usually gets from this "
                f"tool (p99) is {human('result_max', own_size[i])} and "
                f"{human('bytes_out', own_hour[i])} an hour, and the tool's largest for "
                f"anyone is {human('result_max', anyone[i])} (p99), "
                f"{human('result_max', pair.tool_max[i])} ever in the baseline"
            )

        features = ("bytes_out_1h", "results_1h", "calls_1h")
        return pair.said(windows, mask, say, "bulk_read", features)

    def _first_object(
        self, windows: pd.DataFrame, v: dict[str, np.ndarray], pair: PairHistory
    ) -> list[RuleHits]:
        """A harvest's first object: one result of a tool the person uses, at least
        ``object_spreads`` spreads from the pair's own p50 of ``result_max`` (a spread: the
        distance from its p50 to its p99, in log space; a pair whose results vary widely needs
        a result further out), ``object_tool_spreads`` spreads from what the tool returns
        *anyone* (its server × tool p50 and p99: developers' file reads and log queries vary
        widely for everyone, and a large one comes now and then), ``object_tool_factor`` times
        the largest p99 the tool returned anyone and ``object_bytes``. A harvest reads objects
        nobody here receives from the tool, and pages on the first of them; a quarter's exports
        or a release's records are at the tail of what the tool gives the person and its peers.
        Only for users with an own baseline, on tools they called in it, and not destructive
        tools (:meth:`PairHistory.read_own`)."""
        size = v["result_max"]
        anyone = pair.tool_result
        usual, own = pair.p50[:, _I["result_max"]], pair.p99[:, _I["result_max"]]
        mask = (
            (size >= self.object_bytes)
            & (size >= self.object_tool_factor * np.maximum(anyone, 1))
            & pair.read_own(v)
        )
        mask &= relative_one("result_max", size, usual, own) >= self.object_spreads
        mask &= (
            relative_one("result_max", size, pair.tool_usual, anyone) >= self.object_tool_spreads
        )

        def say(i: int, user: str, tool: str) -> str:
            return (
                f"{user} received one result of {human('result_max', size[i])} from {tool} in "
                f"1 min; its own history with this tool: {human('result_max', usual[i])} "
                f"usually (p50), {human('result_max', own[i])} at most (p99); the tool's "
                f"largest for anyone is {human('result_max', anyone[i])}"
            )

        return pair.said(windows, mask, say, "bulk_read", ("result_max", "bytes_out", "calls"))


@dataclass(frozen=True)
class PairHistory:
    """Per user × tool window: the pair's own baseline however thin (:meth:`Baseline.sparse`:
    p50, p99 and its number of windows), whether the pair's user has an own baseline, and the
    largest p99 of ``result_max`` the tool returned to anyone (its server × tool baselines; 0
    where none) with the p50 of the same server's copy (``tool_usual``), and the largest result
    any copy of the tool returned anyone (``tool_max``)."""

    p50: np.ndarray
    p99: np.ndarray
    windows: np.ndarray
    actor_own: np.ndarray
    tool_result: np.ndarray
    tool_usual: np.ndarray
    tool_max: np.ndarray

    def read_own(self, v: dict[str, np.ndarray]) -> np.ndarray:
        """Windows of a tool the person called in its own baseline (a tool never used is
        novelty's), by a user with an own baseline, with no destructive call: where the read
        paths judge a pair."""
        out: np.ndarray = (v["destructive"] == 0) & (self.windows > 0) & self.actor_own
        return out

    def said(
        self,
        windows: pd.DataFrame,
        mask: np.ndarray,
        say: Callable[[int, str, str], str],
        family: str,
        features: tuple[str, ...],
    ) -> list[RuleHits]:
        """A family's pages on the rows of ``mask``, each reason "user × tool <pair>: " and
        what ``say(row, user, tool)`` says."""
        rows = np.flatnonzero(mask)
        if not len(rows):
            return []
        entity = windows["entity"].to_numpy()
        reasons = [
            f"user × tool {entity[i]}: {say(int(i), *entity[i].split('|', 1))}" for i in rows
        ]
        return self.hits(family, rows, reasons, features)

    def hits(
        self, family: str, rows: np.ndarray, reasons: list[str], features: tuple[str, ...]
    ) -> list[RuleHits]:
        """A family's pages on ``rows``, judged against these pairs' own histories."""
        severities: list[Severity] = ["high"] * len(rows)
        return [
            RuleHits(
                f"family:{family}",
                rows,
                severities,
                reasons,
                features,
                True,
                baseline=(self.p50, self.p99),
            )
        ]
