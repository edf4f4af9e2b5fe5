"""Scoring alerts against labelled traffic (the simulator's labels): recall, precision, delay.

An alert *covers* the events of its entity inside ``[window_start, last_window_end)``. It
detects an incident when any covered event carries that incident's label; an alert that covers
no attack event is a *false alert* (one covering a labelled benign burst is counted as such
too). Per scenario:

- recall    = incidents detected / incidents
- precision = alerts detecting the scenario / (those + every false alert of the run): the
              false alerts a responder wades through next to that scenario's true ones
- delay     = windows (steps) from the incident's first call to the end of the first window
              that raised an alert on it

``benign_windows`` are the scored entity-windows that hold no attack event; false alerts are
reported per 10 000 of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd  # type: ignore[import-untyped]

from .alert import SEVERITIES, Alert, Severity
from .features import LEVELS, entity_column, in_windows, named
from .paging import GroupPager
from .source import FrameSource

__all__ = [
    "Evaluation",
    "Labelled",
    "ScenarioScore",
    "attack_windows",
    "covered_labels",
    "evaluate",
    "false_pages",
    "labelled_events",
]


class Labelled(Protocol):
    """What the evaluation needs of an incident (the simulator's ``Incident`` has it)."""

    @property
    def id(self) -> str: ...
    @property
    def scenario(self) -> str: ...
    @property
    def start(self) -> int: ...


def labelled_events(source: FrameSource, frame: pd.DataFrame) -> pd.DataFrame:
    """``source``'s prepared events with the ``label`` column of ``frame`` (the simulator's
    frame it was built from), matched by event id."""
    labels = pd.Series(frame["label"].to_numpy(), index=frame["event_id"].to_numpy())
    return source.frame.assign(label=labels.reindex(source.frame["event_id"]).to_numpy())


@dataclass
class ScenarioScore:
    incidents: int = 0
    detected: int = 0
    true_alerts: int = 0
    delays: list[float] = field(default_factory=list)

    def recall(self) -> float:
        return self.detected / self.incidents if self.incidents else float("nan")

    def precision(self, false_alerts: int) -> float:
        total = self.true_alerts + false_alerts
        return self.true_alerts / total if total else 0.0

    def f1(self, false_alerts: int) -> float:
        p, r = self.precision(false_alerts), self.recall()
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Evaluation:
    scenarios: dict[str, ScenarioScore]
    false_alerts: int
    false_on_bursts: int
    alerts: int
    benign_windows: int
    missed: list[str]

    def false_per_10k(self) -> float:
        return 1e4 * self.false_alerts / self.benign_windows if self.benign_windows else 0.0

    def merge(self, other: Evaluation) -> Evaluation:
        scen = {k: ScenarioScore(**vars(v)) for k, v in self.scenarios.items()}
        for k, v in other.scenarios.items():
            s = scen.setdefault(k, ScenarioScore())
            s.incidents += v.incidents
            s.detected += v.detected
            s.true_alerts += v.true_alerts
            s.delays = [*s.delays, *v.delays]
        return Evaluation(
            scen,
            self.false_alerts + other.false_alerts,
            self.false_on_bursts + other.false_on_bursts,
            self.alerts + other.alerts,
            self.benign_windows + other.benign_windows,
            [*self.missed, *other.missed],
        )


def covered_labels(alert: Alert, events: pd.DataFrame) -> set[str]:
    """The labels of the events an alert covers (its entity, from its first window's start to
    its last window's end); none for an alert that is not about traffic."""
    col = entity_column(alert.entity_kind)
    if col not in events.columns:  # a stream / integrity alert: not about traffic
        return set()
    end = max(alert.last_window_end, alert.window_end)
    ts = events["ts"]
    mine = events.loc[(events[col] == alert.entity) & (ts >= alert.window_start) & (ts < end)]
    return {str(label) for label in mine["label"] if label}


def false_pages(
    alerts: Sequence[Alert],
    events: pd.DataFrame,
    incidents: Iterable[Labelled],
    *,
    min_severity: Severity = "medium",
) -> int:
    """How many notifications a person on call gets that are about no incident: the alerts
    that page (:class:`~.paging.GroupPager`, in the order they were raised, at least
    ``min_severity``) whose group holds no alert covering an incident."""
    ids = {i.id for i in incidents}
    rank = SEVERITIES.index(min_severity)
    true_groups = {a.group or a.id for a in alerts if ids & covered_labels(a, events)}
    pager = GroupPager()
    out = 0
    for a in sorted(alerts, key=lambda a: (a.window_end, a.window_start, a.id)):
        if pager.pages(a) and SEVERITIES.index(a.severity) >= rank:
            out += (a.group or a.id) not in true_groups
    return out


def evaluate(
    alerts: Sequence[Alert],
    events: pd.DataFrame,
    incidents: Iterable[Labelled],
    *,
    benign_windows: int,
    step_us: int,
    min_severity: Severity = "medium",
) -> Evaluation:
    """``events``: a prepared frame (``features.prepare``) with a ``label`` column."""
    rank = SEVERITIES.index(min_severity)
    paging = [a for a in alerts if SEVERITIES.index(a.severity) >= rank]
    incs: dict[str, Labelled] = {i.id: i for i in incidents}
    scores: dict[str, ScenarioScore] = {}
    for inc in incs.values():
        scores.setdefault(inc.scenario, ScenarioScore()).incidents += 1
    first: dict[str, int] = {}
    false_alerts = false_on_bursts = 0
    for alert in paging:
        labels = covered_labels(alert, events)
        hit = [incs[label] for label in labels if label in incs]
        if not hit:
            false_alerts += 1
            false_on_bursts += bool(labels)
            continue
        for scenario in {inc.scenario for inc in hit}:
            scores[scenario].true_alerts += 1
        for inc in hit:
            first[inc.id] = min(first.get(inc.id, alert.window_end), alert.window_end)
    missed = []
    for inc in incs.values():
        if inc.id in first:
            scores[inc.scenario].detected += 1
            scores[inc.scenario].delays.append(max(0.0, (first[inc.id] - inc.start) / step_us))
        else:
            missed.append(inc.id)
    return Evaluation(scores, false_alerts, false_on_bursts, len(paging), benign_windows, missed)


def attack_windows(
    events: pd.DataFrame,
    attack_labels: set[str],
    *,
    since: int,
    until: int,
    window_us: int,
    step_us: int,
) -> Mapping[str, int]:
    """Per level: how many entity-windows ending in ``(since, until]`` hold an attack event."""
    hot = events.loc[events["label"].isin(attack_labels)]
    out: dict[str, int] = {}
    for level in LEVELS:
        rep = in_windows(
            hot.loc[named(hot, level)],
            since=since,
            until=until,
            window_us=window_us,
            step_us=step_us,
        )
        out[level] = len(rep[[entity_column(level), "window_start"]].drop_duplicates())
    return out
