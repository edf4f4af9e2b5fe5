"""Rule detectors: plain limits and facts beside the models.

A rule looks at one level's entity-windows (the feature frame) and returns the rows it fires on
(a boolean mask), with a severity and a sentence per row. Rules that judge novelty ("first use
of a sensitive tool", "a client never seen for this user") are *baseline rules*: like the models
they stay quiet while the entity is in its learning period. Hard limits always apply.
Every rule here is *live* (``Rule.live``): more events can only make a window fire, so live
detection fires it on the window still being filled (``live.py``), as the events arrive.

``AnyOf`` runs several rules as one and refuses an empty list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from .alert import Severity
from .features import FEATURES
from .settings import DetectSettings

__all__ = [
    "AnyOf",
    "DenialBurst",
    "FirstSeen",
    "Loop",
    "NewClient",
    "RateLimit",
    "Rule",
    "RuleHits",
    "SensitiveTool",
    "default_rules",
    "judged_by_routine",
]


@dataclass(frozen=True)
class RuleHits:
    """What one rule found in one level's windows: row positions, severity and reason each."""

    rule: str
    rows: np.ndarray
    severities: list[Severity]
    reasons: list[str]
    features: tuple[str, ...]  # the features the rule judged (shown as evidence)
    baseline_rule: bool
    #: the p50 / p99 rows (of every window of the level) the rule judged against, when not the
    #: level's baseline: the entity's own history however thin (shown as its own)
    baseline: tuple[np.ndarray, np.ndarray] | None = None
    #: a hard limit some entities reach by routine (a job that repeats one call every run):
    #: the feature by which :func:`judged_by_routine` keeps their hits as ``low``
    routine: str = ""


class Rule(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def levels(self) -> tuple[str, ...]: ...
    @property
    def baseline_rule(self) -> bool:
        """True: judges novelty against history, so quiet while an entity is learning."""
        ...

    @property
    def live(self) -> bool:
        """True: more events in a window can only make it fire, never stop it, so the rule
        may fire on a window still being filled (``live.py``)."""
        ...

    def __call__(self, level: str, windows: pd.DataFrame) -> RuleHits | None:
        """Rows of ``windows`` (features of ``level``) the rule fires on, or None."""
        ...


def _hits(
    rule: Rule,
    windows: pd.DataFrame,
    mask: pd.Series,
    severity: Severity | Sequence[Severity],
    reason: str,
    features: tuple[str, ...],
    routine: str = "",
) -> RuleHits | None:
    rows = np.flatnonzero(mask.to_numpy())
    if not len(rows):
        return None
    sub = windows.iloc[rows]
    reasons = [reason.format(**r) for r in sub.to_dict("records")]
    sev = [severity] * len(rows) if isinstance(severity, str) else [severity[int(i)] for i in rows]
    return RuleHits(rule.name, rows, sev, reasons, features, rule.baseline_rule, routine=routine)


def judged_by_routine(
    hits: RuleHits, values: np.ndarray, p99: np.ndarray, own: np.ndarray, factor: float
) -> RuleHits:
    """``hits`` with the rows of entities that reach the limit by routine kept as ``low``
    (stored, not paged): the entity's own p99 of the rule's ``routine`` feature is more than
    ``1 / factor`` of the window's value (a nightly job that repeats one call 20 times a run,
    repeating it 40 times at month end). An entity without an own baseline keeps the hard
    limit."""
    if not hits.routine:
        return hits
    j = FEATURES.index(hits.routine)
    value, usual = values[hits.rows, j], p99[hits.rows, j]
    routine = own[hits.rows] & (value < factor * usual)
    if not routine.any():
        return hits
    severities: list[Severity] = [
        "low" if r else s for r, s in zip(routine, hits.severities, strict=True)
    ]
    reasons = [
        f"{text}; its own p99 is {usual[k]:.0f} (its routine)" if routine[k] else text
        for k, text in enumerate(hits.reasons)
    ]
    return replace(hits, severities=severities, reasons=reasons)


@dataclass(frozen=True)
class RateLimit:
    """More calls in one window than a hard limit (per user, agent, or user × tool)."""

    max_calls: int
    levels: tuple[str, ...] = ("user", "agent", "user_tool")
    name: str = "rate_limit"
    baseline_rule: bool = False
    live: bool = True

    def __call__(self, level: str, windows: pd.DataFrame) -> RuleHits | None:
        return _hits(
            self,
            windows,
            windows["calls"] > self.max_calls,
            "high",
            "{entity} made {calls:.0f} calls in one window (hard limit "
            + str(self.max_calls)
            + ")",
            ("calls",),
        )


@dataclass(frozen=True)
class Loop:
    """The same call (identical argument fingerprint) repeated many times in one window."""

    repeats: int
    levels: tuple[str, ...] = ("agent", "user")
    name: str = "loop"
    baseline_rule: bool = False
    live: bool = True

    def __call__(self, level: str, windows: pd.DataFrame) -> RuleHits | None:
        return _hits(
            self,
            windows,
            windows["repeat_max"] >= self.repeats,
            "medium",
            "{entity} repeated one identical call {repeat_max:.0f} times in a window "
            "(error rate {error_rate:.0%}): a runaway loop?",
            ("repeat_max", "calls", "error_rate"),
            routine="repeat_max",
        )


@dataclass(frozen=True)
class DenialBurst:
    """Many denied calls in one window: probing for privileges."""

    min_denials: int
    levels: tuple[str, ...] = ("user", "agent")
    name: str = "denial_burst"
    baseline_rule: bool = False
    live: bool = True

    def __call__(self, level: str, windows: pd.DataFrame) -> RuleHits | None:
        return _hits(
            self,
            windows,
            windows["denials"] >= self.min_denials,
            "high",
            "{entity} was denied {denials:.0f} times in one window",
            ("denials", "calls", "distinct_tools"),
        )


@dataclass(frozen=True)
class SensitiveTool:
    """First use of a sensitive tool by a user (user × tool level): high when fewer than
    ``peers`` other people used the tool in the baseline, else low (kept, not paged: a tool
    colleagues use daily, as when a person takes up a new role)."""

    tools: frozenset[str]
    levels: tuple[str, ...] = ("user_tool",)
    name: str = "sensitive_tool"
    baseline_rule: bool = True
    live: bool = True
    peers: int = 2

    def __call__(self, level: str, windows: pd.DataFrame) -> RuleHits | None:
        tool = windows["entity"].str.rsplit("|", n=1).str[-1]
        mask = tool.isin(self.tools) & (windows["new_tools"] > 0)
        peers = windows["tool_peers"].to_numpy()
        severities: list[Severity] = ["low" if p >= self.peers else "high" for p in peers]
        return _hits(
            self,
            windows,
            mask,
            severities,
            "{entity}: first use of a sensitive tool by this user ({tool_peers:.0f} other "
            "people used it)",
            ("new_tools", "tool_peers", "calls"),
        )


@dataclass(frozen=True)
class NewClient:
    """A user acting through a client never seen for them; high when outside their hours."""

    levels: tuple[str, ...] = ("user",)
    name: str = "new_client"
    baseline_rule: bool = True
    live: bool = True

    def __call__(self, level: str, windows: pd.DataFrame) -> RuleHits | None:
        mask = windows["new_clients"] > 0
        off = (windows["off_hours"] >= 0.5).to_numpy()
        severities: list[Severity] = ["high" if o else "medium" for o in off]
        return _hits(
            self,
            windows,
            mask,
            severities,
            "{entity} used a client never seen for this user (off-hours share {off_hours:.0%})",
            ("new_clients", "off_hours", "calls"),
        )


@dataclass(frozen=True)
class FirstSeen:
    """A server, or a tool on a server, never seen before in this deployment."""

    levels: tuple[str, ...] = ("server_tool",)
    name: str = "first_seen"
    baseline_rule: bool = True
    live: bool = True

    def __call__(self, level: str, windows: pd.DataFrame) -> RuleHits | None:
        return _hits(
            self,
            windows,
            windows["new_tools"] > 0,
            "low",
            "{entity}: a tool (or server) seen for the first time in this deployment",
            ("new_tools",),
        )


@dataclass(frozen=True)
class AnyOf:
    """Several rules as one; refuses an empty list."""

    rules: tuple[Rule, ...]

    def __post_init__(self) -> None:
        if not self.rules:
            raise ValueError("AnyOf needs at least one rule")

    def run(self, level: str, windows: pd.DataFrame) -> list[RuleHits]:
        found = []
        for rule in self.rules:
            if level in rule.levels:
                hits = rule(level, windows)
                if hits is not None:
                    found.append(hits)
        return found


def default_rules(settings: DetectSettings) -> AnyOf:
    return AnyOf(
        (
            RateLimit(settings.max_calls_per_minute),
            Loop(settings.loop_repeats_per_minute),
            DenialBurst(settings.denial_burst),
            SensitiveTool(frozenset(settings.sensitive_tools)),
            NewClient(),
            FirstSeen(),
        )
    )
