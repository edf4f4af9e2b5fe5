"""The scoring engine: features → baselines → models and rules → alert candidates.

Event time throughout. Models are fit on an event-time grid (every ``refit_hours``, on the
``baseline_days`` before the grid point), so the model that scores a window depends only on the
window's time, never on when scoring ran: ``score(since, until)`` over a range gives the same
candidates whether it runs once (backfill) or in many small steps as data arrives (live).

Candidates then pass the alert store (dedupe, cooldown, grouping) — not this module's business.

A model alert that only a tool transition carries (``seq_rarity`` the one feature far out) is
kept ``low`` unless corroborated across levels in the same window: the person who never goes
this way *and* the tool never reached this way (a prompt injection's read-then-send pages;
one release participant's new routine does not). The same calls are said once: a model alert
at a level that mixes people (agent, server, server × tool) on one person's calls is kept
``low`` when that person's own levels page the window, and an alert about a person's tool
when the same family, or the model, pages the person (:func:`_said_already`,
:func:`_one_finding`).
Judging within one window end keeps live and backfill equal: every level of a window is
scored in the same pass.

Cold start: an entity whose first stored event is less than ``learning_days`` old raises no
model alert and no baseline-rule alert (counted as suppressed, reason ``learning``); hard limits
(rate, loop, denials) apply from its first call.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from ._context import PERSON_LEVELS, WindowBatch
from .alert import SEVERITIES, Alert, Severity
from .baseline import Baseline, relative
from .families import Families, PairHistory
from .features import (
    FEATURES,
    LOOKBACK_US,
    MODEL_FEATURES,
    ActorProfile,
    BatchHistory,
    build_features,
    entity_column,
)
from .metrics import Metrics
from .rules import AnyOf, RuleHits, default_rules, judged_by_routine
from .semantics import ToolSemantics
from .settings import DetectSettings
from .source import EventSource

__all__ = ["Engine", "FittedModel", "LevelModel", "build_ensemble"]

log = logging.getLogger(__name__)

#: the trailing hour (two for a sitting's quiet start) + session context
_LOOKBACK_US: Final = LOOKBACK_US + 10 * 60 * 1_000_000
#: whose age decides an entity's learning period: its actor, not the (actor, tool) pair, which is
#: by definition new at its first use
_ACTOR_KEYS: Final = {
    "user": ("user",),
    "user_tool": ("user",),
    "agent": ("agent_key",),
    "server_tool": ("source_name",),
    "source": ("source_name",),
}
_MIN_TRAIN: Final = 200  # fewer training windows at a level: no model there (rules only)
_FP_WEIGHT: Final = 20  # a window labelled false positive counts this often in the next fit
_MODEL: Final = np.arange(len(MODEL_FEATURES))  # the columns of ``relative`` the models see
_PEERS: Final = FEATURES.index("peers_novel_1h")
_RESULT_MAX: Final = FEATURES.index("result_max")
#: model features that corroborate a model alert but never carry its page alone: a tool
#: transition the entity never made is what a whole organisation taking up a new routine looks
#: like (a release), so it pages only beside something else far out for the entity
_SEQUENCE: Final = np.array([f == "seq_rarity" for f in MODEL_FEATURES])
#: model features of how the calls ran rather than what they did (slow calls, a long session):
#: an operations signal (a server under load, an agent left running overnight), not a security
#: one; they add to a model alert but a model alert only they carry is kept ``low``
_OPERATIONAL: Final = np.array([f in ("duration_p95", "session_len") for f in MODEL_FEATURES])


@dataclass
class LevelModel:
    baseline: Baseline
    model: Any | None  # an Ensemble, None when the level had too little history
    threshold_: float = float("inf")


@dataclass
class FittedModel:
    """Everything one fit learned; scores windows in ``[fit_at, fit_at + refit)``."""

    fit_at: int
    profile: ActorProfile
    levels: dict[str, LevelModel] = field(default_factory=dict)


class Engine:
    """Scores entity-windows of an :class:`EventSource` into alert candidates."""

    def __init__(
        self,
        source: EventSource,
        settings: DetectSettings | None = None,
        *,
        metrics: Metrics | None = None,
        false_positives: Callable[[], Sequence[Alert]] | None = None,
        model_dir: Path | None = None,
        ensemble: Callable[[DetectSettings], Any] | None = None,
        min_excess: float = 3.0,
        extreme: float = 6.0,
        feature_cache: dict[tuple[Any, ...], Any] | None = None,
        on_features: Callable[[str, str, pd.DataFrame, np.ndarray], None] | None = None,
    ) -> None:
        self.source = source
        self.settings = settings or DetectSettings()
        self.metrics = metrics or Metrics()
        self.rules: AnyOf = default_rules(self.settings)
        self.families = Families.of(self.settings) if self.settings.family_rules else None
        s = self.settings
        self.semantics = ToolSemantics.of(s.destructive_tools, s.exporting_tools, s.readonly_tools)
        self.min_excess = min_excess
        self.extreme = extreme
        self._cache = feature_cache  # shared by engines that differ only in their models
        self.on_features = on_features  # ("fit" | "score", level, windows, learning)
        self._false_positives = false_positives
        self._model_dir = model_dir
        self._ensemble = ensemble or build_ensemble
        self._models: dict[int, FittedModel] = {}
        self._fitting = threading.Lock()
        self.fit_seconds: list[float] = []

    # -- models ---------------------------------------------------------------------------------

    def fit_time(self, window_end: int) -> int:
        """The grid point whose model scores a window ending at ``window_end``."""
        refit = self.settings.refit_us
        return ((window_end - 1) // refit) * refit

    def model_for(self, fit_at: int) -> FittedModel:
        """The model fit at ``fit_at`` (loaded, or fit now: once, even when the live rules
        and the scorer ask at the same time)."""
        model = self._models.get(fit_at)
        if model is None:
            with self._fitting:
                model = self._models.get(fit_at)
                if model is None:
                    model = self._load(fit_at) or self._fit(fit_at)
                    self._models = {k: v for k, v in self._models.items() if k >= fit_at - 1} | {
                        fit_at: model
                    }
        return model

    def _fit(self, fit_at: int) -> FittedModel:
        s = self.settings
        started = time.perf_counter()
        since = fit_at - s.baseline_us
        log.info(  # a fit can take a while: say so before, not only after
            "fitting models on %s of baseline up to %s ...", _span(s.baseline_us), _iso(fit_at)
        )
        _ev, profile, feats, learning = self._windows(since, fit_at, None)
        fitted = FittedModel(fit_at, profile)
        labels = self._fp_windows(fit_at)
        for level, windows in feats.items():
            if not windows.empty:  # an entity's learning period says nothing about its habits
                windows = windows.loc[~learning[level]]
            windows = _weighted(windows, labels.get(level, []))
            baseline = Baseline.fit(
                windows, min_windows=s.min_history_windows, min_days=s.min_history_days
            )
            level_model = LevelModel(baseline, None)
            if len(windows) >= _MIN_TRAIN:
                p50, p99, _ = baseline.lookup(windows["entity"])
                x = relative(windows[list(FEATURES)].to_numpy(dtype=float), p50, p99)[:, _MODEL]
                ensemble = self._ensemble(s).fit(x)
                level_model.model = ensemble
                level_model.threshold_ = float(ensemble.threshold_)
            fitted.levels[level] = level_model
            self.metrics.fits.labels(level).inc()
        elapsed = time.perf_counter() - started
        self.fit_seconds.append(elapsed)
        self._save(fitted)
        log.info("fitted models at %s in %.2fs", _iso(fit_at), elapsed)
        return fitted

    def _fp_windows(self, fit_at: int) -> dict[str, list[tuple[str, int, int]]]:
        out: dict[str, list[tuple[str, int, int]]] = {}
        if self._false_positives is None:
            return out
        since = fit_at - self.settings.baseline_us
        for a in self._false_positives():
            if since <= a.window_start < fit_at:
                out.setdefault(a.entity_kind, []).append(
                    (a.entity, a.window_start, a.last_window_end)
                )
        return out

    def _model_path(self, fit_at: int) -> Path | None:
        if self._model_dir is None:
            return None
        return self._model_dir / f"fit-{fit_at}-{_settings_digest(self.settings)}.model"

    def _load(self, fit_at: int) -> FittedModel | None:
        path = self._model_path(fit_at)
        if path is None or self._model_dir is None or not path.exists():
            return None
        from .errors import ModelFileError
        from .models import load_model

        try:
            model, _meta = load_model(
                path, trusted_dir=self._model_dir, key=self._key(), expect=FittedModel
            )
        except ModelFileError as exc:
            log.warning("not loading %s (%s); fitting again", path, exc)
            return None
        assert isinstance(model, FittedModel)
        return model

    def _save(self, fitted: FittedModel) -> None:
        path = self._model_path(fitted.fit_at)
        if path is None or self._model_dir is None:
            return
        from .models import save_model

        self._model_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        meta = {"fit_at": fitted.fit_at, "settings": _settings_digest(self.settings)}
        save_model(fitted, path, trusted_dir=self._model_dir, meta=meta, key=self._key())

    def _key(self) -> bytes | None:
        key = self.settings.model_key
        return key.get_secret_value().encode() if key is not None else None

    # -- scoring --------------------------------------------------------------------------------

    def score(self, since: int, until: int) -> list[Alert]:
        """Alert candidates for every entity-window ending in ``(since, until]``, ordered by
        window end, then detector and entity."""
        out: list[Alert] = []
        t = since
        while t < until:
            fit_at = self.fit_time(t + 1)
            end = min(until, fit_at + self.settings.refit_us)
            out.extend(self._score_span(t, end, self.model_for(fit_at)))
            t = end
        out.sort(key=lambda a: (a.window_end, a.detector, a.entity_kind, a.entity))
        return out

    def _score_span(self, since: int, until: int, fitted: FittedModel) -> list[Alert]:
        ev, _, feats, learn = self._windows(since, until, fitted)
        alerts: list[Alert] = []
        sequence: list[Alert] = []  # model alerts only a tool transition carries
        one_person: list[Alert] = []  # model alerts of a mixed level on one person's calls
        for level, windows in feats.items():
            if windows.empty:
                continue
            self.metrics.windows_scored.labels(level).inc(len(windows))
            learning = learn[level]
            lm = fitted.levels.get(level)
            baseline = lm.baseline if lm is not None else Baseline.fit(windows.iloc[:0])
            p50, p99, own = baseline.lookup(windows["entity"])
            values = windows[list(FEATURES)].to_numpy(dtype=float)
            rel = relative(values, p50, p99)
            ctx = WindowBatch(level, windows, ev, values, rel, p50, p99, baseline.basis(own))
            if lm is not None and lm.model is not None:
                paged, alone, solo = self._model_alerts(ctx, lm, learning)
                alerts.extend(paged)
                sequence.extend(alone)
                one_person.extend(solo)
            for hits in self.rules.run(level, windows):
                hits = judged_by_routine(hits, values, p99, own, self.settings.routine_factor)
                alerts.extend(self._rule_alerts(ctx, hits, learning))
            if self.families is not None:
                pair = _pair_history(fitted, baseline, windows) if level == "user_tool" else None
                dense = baseline.dense(windows["entity"])
                for hits in self.families.run(
                    level, windows, rel, p99, own, pair=pair, hours_own=dense
                ):
                    alerts.extend(self._rule_alerts(ctx, hits, learning))
        alerts += _said_already(one_person, alerts)
        return _one_finding(alerts + _corroborated(sequence, alerts))

    def _windows(
        self, since: int, until: int, fitted: FittedModel | None
    ) -> tuple[pd.DataFrame, ActorProfile, dict[str, pd.DataFrame], dict[str, np.ndarray]]:
        """Events, actor profile, feature windows ending in ``(since, until]`` and which of them
        fall in their entity's learning period. Without ``fitted``, the profile is fit on the
        range (a model fit); with it, the fit's profile is used (scoring)."""
        key = ("fit", since, until) if fitted is None else ("score", since, until, fitted.fit_at)
        if self._cache is not None and key in self._cache:
            return self._cache[key]  # type: ignore[no-any-return]
        s = self.settings
        ev = self.source.events(since - _LOOKBACK_US, until)
        if fitted is None:
            worked = self.source.hours(until - s.hours_us, until)
            profile = ActorProfile.fit(ev.loc[ev["ts"] >= since], hours=worked)
        else:
            profile = fitted.profile
        feats = build_features(
            ev,
            self.source.history,
            profile,
            since=since,
            until=until,
            window_us=s.window_us,
            step_us=s.step_us,
            semantics=self.semantics,
        )
        seen = BatchHistory(self.source.history, ev)
        learning = {
            level: self._learning(level, ev, w, seen) if not w.empty else np.zeros(0, dtype=bool)
            for level, w in feats.items()
        }
        if self.on_features is not None:
            for level, w in feats.items():
                self.on_features(key[0], level, w, learning[level])
        out = (ev, profile, feats, learning)
        if self._cache is not None:
            self._cache[key] = out
        return out

    def _learning(
        self, level: str, ev: pd.DataFrame, windows: pd.DataFrame, history: BatchHistory
    ) -> np.ndarray:
        """Which windows fall in the learning period of the entity's *actor* (the user of a
        user × tool pair, the server of a server × tool pair): the actor's first stored event
        is less than ``learning_days`` before the window's end."""
        if self.settings.learning_us <= 0:
            return np.zeros(len(windows), dtype=bool)
        keys = list(_ACTOR_KEYS[level])
        ecol = entity_column(level)
        part = ev.loc[ev[ecol].isin(set(windows["entity"]))]
        first = history.first_seen(keys, part).groupby(part[ecol]).min()
        born = windows["entity"].map(first).to_numpy(dtype=float)
        age = windows["window_end"].to_numpy() - born
        learning: np.ndarray = age < self.settings.learning_us
        return learning

    def _model_alerts(
        self, ctx: WindowBatch, lm: LevelModel, learning: np.ndarray
    ) -> tuple[list[Alert], list[Alert], list[Alert]]:
        """The level's model alerts; apart, those only a tool transition carries (paged only
        when corroborated: :func:`_corroborated`); and apart, at a level that mixes people,
        those on windows of one person's calls (:func:`_said_already`)."""
        assert lm.model is not None
        rel = ctx.rel[:, _MODEL]
        scores = lm.model.decision_function(rel)
        excess = rel.max(axis=1)
        fire = ((scores > lm.threshold_) & (excess >= self.min_excess)) | (excess >= self.extreme)
        if ctx.level in _SERVER_LEVELS and (fire & ~learning).any():
            learning = learning | self._newcomers_only(ctx, fire & ~learning)
        quiet = fire & learning
        if quiet.any():
            self.metrics.alerts_suppressed.labels("learning").inc(int(quiet.sum()))
        out: tuple[list[Alert], list[Alert], list[Alert]] = ([], [], [])
        # an organisation event (many users on new tools this hour) is the population's shift:
        # the model's alert is kept, as low (stored, not paged)
        org = ctx.values[:, _PEERS] >= self.settings.org_event_users
        alone, operational = _carriers(rel, scores, lm.threshold_, self.min_excess, self.extreme)
        rows = np.flatnonzero(fire & ~learning)
        shifted = _shifted(ctx.windows, rel, rows, self.settings.org_shift_users)
        for i, shift in zip(rows, shifted, strict=True):
            top = np.argsort(-rel[i])[:3]
            names = tuple(FEATURES[j] for j in top if rel[i, j] > 0) or (FEATURES[top[0]],)
            quiet = org[i] or operational[i] or shift
            severity: Severity = "low" if quiet else "high" if excess[i] >= 5 else "medium"
            calls = ctx.calls(int(i))
            alert = ctx.alert(
                int(i), f"model:{ctx.level}", severity, float(scores[i]), names, self, calls=calls
            )
            out[2 if not alone[i] and ctx.one_person(calls) else int(alone[i])].append(alert)
        return out

    def _newcomers_only(self, ctx: WindowBatch, rows: np.ndarray) -> np.ndarray:
        """Which of a server level's windows in ``rows`` hold only calls of users in their
        learning period: a new hire's habits (larger arguments, other tools) are theirs, not
        the server's, and wait for the person's own learning period as the person's do."""
        out = np.zeros(len(rows), dtype=bool)
        ev = ctx.events
        people = ev.loc[ev["user"] != ""]
        if people.empty:
            return out
        born = BatchHistory(self.source.history, ev).first_seen(["user"], people)
        newcomer = (people["ts"] - born).to_numpy() < self.settings.learning_us
        col = people[entity_column(ctx.level)].to_numpy()
        ts = people["ts"].to_numpy()
        w = ctx.windows
        for i in np.flatnonzero(rows):
            start, end = int(w["window_start"].iloc[i]), int(w["window_end"].iloc[i])
            mine = (col == w["entity"].iloc[i]) & (ts >= start) & (ts < end)
            out[i] = bool(mine.any() and newcomer[mine].all())
        return out

    def _rule_alerts(self, ctx: WindowBatch, hits: RuleHits, learning: np.ndarray) -> list[Alert]:
        out = []
        if hits.baseline is not None:  # judged against the entity's own thin history
            p50, p99 = hits.baseline
            ctx = replace(ctx, p50=p50, p99=p99, basis=["entity"] * len(ctx.basis))
        for row, severity, reason in zip(hits.rows, hits.severities, hits.reasons, strict=True):
            if hits.baseline_rule and learning[row]:
                self.metrics.alerts_suppressed.labels("learning").inc()
                continue
            score = float(ctx.rel[row].max())
            out.append(
                ctx.alert(
                    int(row),
                    f"rule:{hits.rule}",
                    severity,
                    score,
                    hits.features,
                    self,
                    reason=reason,
                )
            )
        return out

    def link(self, level: str, entity: str, start: int, end: int, alert_id: str) -> str:
        template = self.settings.dashboard_url
        if not template:
            return ""
        return template.format(
            entity_kind=level,
            entity=quote(entity, safe=""),
            from_ms=start // 1000 - 5 * 60_000,
            to_ms=end // 1000 + 5 * 60_000,
            alert_id=alert_id,
        )


#: the two sides a tool transition is judged from: the person (or agent) who made it, and the
#: tool (of a person or a server) it led to
_PERSON: Final = frozenset({"user", "agent"})
#: levels whose windows mix every user's calls
_SERVER_LEVELS: Final = frozenset({"server_tool", "source"})


def _carriers(
    rel: np.ndarray, scores: np.ndarray, threshold: float, min_excess: float, extreme: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per window: whether only a tool transition carries its model alert (``alone``: paged
    only when corroborated), and whether only how its calls ran does (``operational``: slow
    calls or a long session, with or without a transition: kept low). A feature carries an
    alert when the score is over the threshold and it is ``min_excess`` p99-spans out, or when
    it alone is ``extreme``."""

    def carried(columns: np.ndarray) -> np.ndarray:
        x = rel[:, columns].max(axis=1)
        out: np.ndarray = ((scores > threshold) & (x >= min_excess)) | (x >= extreme)
        return out

    alone = ~carried(~_SEQUENCE)
    operational = ~carried(~(_SEQUENCE | _OPERATIONAL)) & ~alone
    return alone, operational


def _shifted(windows: pd.DataFrame, rel: np.ndarray, rows: np.ndarray, least: int) -> np.ndarray:
    """For each of ``rows``: whether at least ``least`` other actors (users; the entity itself
    at levels without one) are beyond their own p99 on the row's farthest feature in windows
    ending at the same time: a storm sending every field adjuster to more claims than usual,
    a quarter's close keeping a team on new queries, is the population's shift, not one
    person's. Read within one window end, so a live step and a backfill agree."""
    out = np.zeros(len(rows), dtype=bool)
    if not len(rows):
        return out
    ends = windows["window_end"].to_numpy()
    actors = windows["entity"].astype(str).str.split("|", n=1).str[0].to_numpy()
    for n, i in enumerate(rows):
        j = int(np.argmax(rel[i]))
        peers = (ends == ends[i]) & (actors != actors[i]) & (rel[:, j] >= 1)
        out[n] = len(np.unique(actors[peers])) >= least
    return out


def _corroborated(sequence: list[Alert], others: list[Alert]) -> list[Alert]:
    """Model alerts that only a tool transition carries, kept ``low`` unless corroborated across
    levels: in the same window, a model alert about the same actor from the other side — the
    person who never goes this way *and* the tool never reached this way (a prompt injection's
    read-then-send). One side alone is what an organisation taking up a new routine looks like
    (a release's first movers, before anyone else has made the same moves)."""
    sides = {
        (a.window_end, a.actor, a.entity_kind in _PERSON)
        for a in (*sequence, *others)
        if a.detector.startswith("model:") and a.actor
    }
    for a in sequence:
        if not a.actor or (a.window_end, a.actor, a.entity_kind not in _PERSON) not in sides:
            a.severity = "low"
    return sequence


def _one_finding(alerts: list[Alert]) -> list[Alert]:
    """An alert about one of a person's tools, kept ``low`` when the same detector pages the
    person (the user level) in the same window, at least as severe: one finding, said once, by
    the alert that covers all of the window's calls (the tool's, stored, names which). The same
    detector is the same family for the family rules, and the model for the models (the
    person's model and the tool's model both finding the person's odd move). Judged within one
    window end, like :func:`_corroborated`, so live and backfill agree; the person's alert
    covers every call of the tool's, so no incident and no delay moves."""
    person: dict[tuple[str, int, str], int] = {}
    for a in alerts:
        if a.entity_kind == "user" and a.severity != "low":
            key = (_finding(a.detector), a.window_end, a.entity)
            person[key] = max(person.get(key, 0), SEVERITIES.index(a.severity))
    for a in alerts:
        if a.entity_kind == "user_tool" and a.severity != "low":
            key = (_finding(a.detector), a.window_end, a.entity.split("|", 1)[0])
            if person.get(key, -1) >= SEVERITIES.index(a.severity):
                a.severity = "low"
    return alerts


def _finding(detector: str) -> str:
    """What a detector finds, whatever the level: a family rule its family, a model the
    model (``model:user`` and ``model:user_tool`` are the same finding at two levels)."""
    return "model" if detector.startswith("model:") else detector


def _said_already(one_person: list[Alert], others: list[Alert]) -> list[Alert]:
    """Model alerts at a level that mixes people (an agent, a server, a server's tool) on a
    window of one person's calls, kept ``low`` when an alert at that person's own levels
    (user, user × tool) pages the same window: the same calls, said once, against the
    person's own history. Kept as raised when the person's levels are quiet: a server that
    never receives arguments this large from anyone may see what the person's own spread
    does not (round 14: an error storm on ``tides``)."""
    rank = SEVERITIES.index("medium")
    own = {
        (a.window_end, a.actor)
        for a in others
        if a.entity_kind in PERSON_LEVELS and SEVERITIES.index(a.severity) >= rank
    }
    for a in one_person:
        if (a.window_end, a.actor) in own:
            a.severity = "low"
    return one_person


def _pair_history(fitted: FittedModel, baseline: Baseline, windows: pd.DataFrame) -> PairHistory:
    """The user × tool windows' own thin histories, and whether each pair's user has an own
    baseline at the user level."""
    p50, p99, n = baseline.sparse(windows["entity"])
    parts = windows["entity"].str.split("|", n=1)
    users, tools = parts.str[0], parts.str[1]
    lm = fitted.levels.get("user")
    actor_own = lm.baseline.lookup(users)[2] if lm is not None else np.zeros(len(users), bool)
    tool_usual, tool_result, tool_max = _tool_results(fitted, tools)
    return PairHistory(p50, p99, n, actor_own, tool_result, tool_usual, tool_max)


def _tool_results(
    fitted: FittedModel, tools: pd.Series
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per tool of ``tools``, the p50 and p99 of ``result_max`` of the server's copy of it with
    the largest p99 in the baseline (its server × tool level, every caller's windows): what
    the tool gives anyone here, usually and at most; and the largest result any copy of it
    returned anyone in the baseline (its p99 in a fit saved before maxima were kept); 0 for a
    tool that level never saw."""
    lm = fitted.levels.get("server_tool")
    if lm is None or not len(lm.baseline.entities):
        return np.zeros(len(tools)), np.zeros(len(tools)), np.zeros(len(tools))
    base = lm.baseline
    names = pd.Series(base.entities).astype(str).str.split("|", n=1).str[1]
    copies = pd.DataFrame(
        {
            "tool": names.to_numpy(),
            "p50": base.p50_[:, _RESULT_MAX],
            "p99": base.p99_[:, _RESULT_MAX],
            "max": (base.p99_ if base.max_ is None else base.max_)[:, _RESULT_MAX],
        }
    )
    largest = copies.sort_values("p99", kind="stable").groupby("tool").last()
    usual: np.ndarray = tools.map(largest["p50"]).fillna(0.0).to_numpy(dtype=float)
    most: np.ndarray = tools.map(largest["p99"]).fillna(0.0).to_numpy(dtype=float)
    ever: np.ndarray = tools.map(copies.groupby("tool")["max"].max()).fillna(0.0).to_numpy(float)
    return usual, most, ever


def _weighted(windows: pd.DataFrame, labelled: list[tuple[str, int, int]]) -> pd.DataFrame:
    """Windows labelled false positive repeated ``_FP_WEIGHT`` times: learned as normal."""
    if not labelled or windows.empty:
        return windows
    mask = np.zeros(len(windows), dtype=bool)
    for entity, start, end in labelled:
        mask |= (
            (windows["entity"] == entity)
            & (windows["window_start"] >= start)
            & (windows["window_end"] <= end)
        ).to_numpy()
    if not mask.any():
        return windows
    extra = pd.concat([windows.loc[mask]] * (_FP_WEIGHT - 1), ignore_index=True)
    return pd.concat([windows, extra], ignore_index=True)


def build_ensemble(settings: DetectSettings) -> Any:
    """The model the settings name (``ensemble``, ``ensemble_combine``, ``contamination``)."""
    from .models import ensemble_of

    return ensemble_of(
        settings.ensemble,
        combine=settings.ensemble_combine,
        contamination=settings.contamination,
        random_state=settings.random_state,
    )


def _settings_digest(settings: DetectSettings) -> str:
    relevant = (
        settings.window_seconds,
        settings.step_seconds,
        settings.baseline_days,
        settings.refit_hours,
        settings.min_history_windows,
        settings.ensemble,
        settings.ensemble_combine,
        settings.contamination,
        settings.random_state,
        len(FEATURES),
    )
    return hashlib.sha256(repr(relevant).encode()).hexdigest()[:12]


def _span(us: int) -> str:
    hours = us / 3_600_000_000
    return f"{hours / 24:g} day(s)" if hours >= 24 else f"{hours:g} hour(s)"


def _iso(us: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(us / 1e6))
