"""The hard rules on the window still being filled: an alert while the attack is going on.

A *live* rule (``Rule.live``: rate limit, loop, denial burst, new client, first use of a
sensitive tool, first-seen tool) can only turn on as its window fills — more events never
un-fire it — so it need not wait for the window to close. :meth:`LiveRules.window` evaluates
the next window after the live cursor (the one ending at ``cursor + step``) over the events
stored so far, with the same features, baselines, learning period and alert construction as
the windowed pass, and returns its candidates.

Why that one window, and why the alert is the one a backfill raises: every window ending at
or before the cursor is complete and was scored (the cursor follows the streams' watermark),
so no earlier window of the entity can still cross a threshold; the first window that crosses
is the same one a replay meets first. Its alert therefore has the same dedupe key, window and
id. The live loop offers these candidates to the alert store as *live* (new alerts only, never
merged); when the windowed pass scores the closed window, its candidate completes the alert
(reason, evidence, score and severity of the whole window) without paging again unless the
severity rose (``AlertStore.offer``).

Features that look back beyond the window (the trailing hour) are computed from the window's
own events here, so a live candidate's score may be below the closed window's: the completion
replaces it. A window is evaluated at every poll while it fills, so the first sightings it asks
the store about (first use of a tool, a client, a session's start) are remembered
(:class:`_RememberedHistory`): a poll asks only about what it has not seen yet. Failure
behaviour: store errors propagate to the live loop (retried next poll).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from ._context import WindowBatch
from .alert import Alert
from .baseline import Baseline, relative
from .features import FEATURES, BatchHistory, History, build_features
from .rules import judged_by_routine

if TYPE_CHECKING:
    from .engine import Engine
    from .rules import Rule

__all__ = ["LiveRules"]

_REMEMBER: Final = 200_000  # first sightings kept per key set (then forgotten, asked again)


class _RememberedHistory:
    """A :class:`History` that asks the underlying one only about values it has not answered
    before (a first sighting, once stored, stays the first — a straggler stamped earlier is the
    rare exception, and the windowed pass, which asks the store itself, completes the alert)."""

    def __init__(self, history: History) -> None:
        self._history = history
        self._first: dict[tuple[str, ...], dict[tuple[str, ...], int]] = {}
        self._sessions: dict[str, int] = {}

    def first_seen(self, keys: Sequence[str], frame: pd.DataFrame) -> pd.Series:
        keys = list(dict.fromkeys(keys))
        known = self._first.setdefault(tuple(keys), {})
        combos = list(zip(*(frame[k].astype(str) for k in keys), strict=True))
        fresh = [i for i, c in enumerate(combos) if c not in known]
        if fresh:
            if len(known) > _REMEMBER:
                known.clear()
            part = frame.iloc[fresh]
            found = self._history.first_seen(keys, part)
            for combo, first in zip((combos[i] for i in fresh), found, strict=True):
                known[combo] = int(first)
        return pd.Series([known[c] for c in combos], index=frame.index, dtype="int64")

    def session_start(self, frame: pd.DataFrame) -> pd.Series:
        fresh = frame.loc[
            (frame["session_id"] != "") & ~frame["session_id"].isin(self._sessions.keys())
        ]
        if not fresh.empty:
            if len(self._sessions) > _REMEMBER:
                self._sessions.clear()
            starts = self._history.session_start(fresh.drop_duplicates("session_id"))
            self._sessions.update(
                zip(fresh.drop_duplicates("session_id")["session_id"], starts, strict=True)
            )
        start = frame["session_id"].map(self._sessions)
        return start.where(frame["session_id"] != "", frame["ts"]).astype("int64")


class LiveRules:
    """Evaluates the engine's live rules on one open window per call."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.rules: tuple[Rule, ...] = tuple(r for r in engine.rules.rules if r.live)
        self.levels = tuple(dict.fromkeys(level for r in self.rules for level in r.levels))
        self.history = _RememberedHistory(engine.source.history)

    def window(self, end: int) -> list[Alert]:
        """Candidates of the live rules for the entity-windows ending at ``end`` (on the step
        grid), from the events stored so far, ordered by detector and entity."""
        if not self.rules:
            return []
        e, s = self.engine, self.engine.settings
        fitted = e.model_for(e.fit_time(end))
        ev = e.source.events(end - s.window_us, end)
        if ev.empty:
            return []
        feats = build_features(
            ev,
            self.history,
            fitted.profile,
            since=end - s.step_us,
            until=end,
            window_us=s.window_us,
            step_us=s.step_us,
            levels=self.levels,
            semantics=e.semantics,
        )
        seen = BatchHistory(self.history, ev)
        out: list[Alert] = []
        for level, windows in feats.items():
            if windows.empty:
                continue
            lm = fitted.levels.get(level)
            baseline = lm.baseline if lm is not None else Baseline.fit(windows.iloc[:0])
            p50, p99, own = baseline.lookup(windows["entity"])
            values = windows[list(FEATURES)].to_numpy(dtype=float)
            rel = relative(values, p50, p99)
            ctx = WindowBatch(level, windows, ev, values, rel, p50, p99, baseline.basis(own))
            quiet = np.zeros(len(windows), dtype=bool)
            learning = e._learning(level, ev, windows, seen)
            for rule in self.rules:
                hits = rule(level, windows) if level in rule.levels else None
                if hits is not None and hits.baseline_rule:  # quiet while learning (counted
                    keep = ~learning[hits.rows]  # as suppressed by the windowed pass, once)
                    hits = replace(
                        hits,
                        rows=hits.rows[keep],
                        severities=[v for v, k in zip(hits.severities, keep, strict=True) if k],
                        reasons=[v for v, k in zip(hits.reasons, keep, strict=True) if k],
                    )
                if hits is not None:
                    hits = judged_by_routine(hits, values, p99, own, s.routine_factor)
                    out.extend(e._rule_alerts(ctx, hits, quiet))
        out.sort(key=lambda a: (a.window_end, a.detector, a.entity_kind, a.entity))
        return out
