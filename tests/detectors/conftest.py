"""Detector fixtures: the pipeline's chDB ``store`` and an alert factory.

``store``  a migrated chDB store in the test's tmp dir (from ``tests.pipeline.conftest``).
``make_alert`` builds an :class:`Alert` with sensible defaults; times are minutes after ``T0``.
``app``    a root command with ``tooltrail alerts`` mounted (the CLI tests invoke it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import typer

from tests.pipeline.conftest import store  # noqa: F401  (the fixture, re-exported)
from tooltrail.detectors.alert import Alert, EventRefs, FeatureEvidence
from tooltrail.detectors.alerts_cli import register

T0 = 1_764_000_000_000_000  # µs, event time of minute 0
MINUTE = 60 * 10**6

AlertFactory = Callable[..., Alert]


def build_alert(
    *,
    entity: str = "u-17",
    entity_kind: str = "user",
    detector: str = "model:user",
    start_min: float = 0,
    length_min: float = 10,
    severity: str = "medium",
    score: float = 0.8,
    reason: str = "many more calls than usual",
    offset_us: int = 0,
    **fields: Any,
) -> Alert:
    """An alert on ``entity`` for the window [start_min, start_min + length_min) minutes
    (both moved by ``offset_us``)."""
    start = T0 + int(start_min * MINUTE) + offset_us
    return Alert(
        severity=severity,  # type: ignore[arg-type]
        detector=detector,
        entity_kind=entity_kind,
        entity=entity,
        window_start=start,
        window_end=start + int(length_min * MINUTE),
        score=score,
        reason=reason,
        dedupe_key=fields.pop("dedupe_key", f"{detector}|{entity_kind}|{entity}"),
        features=(FeatureEvidence("calls", 140.0, 12.0, 40.0),),
        events=EventRefs(140, event_ids=("e1", "e2"), session_ids=("s1",), trace_ids=("t1",)),
        link="https://grafana.example/d/tooltrail?var-user=u-17",
        **fields,
    )


@pytest.fixture
def make_alert() -> AlertFactory:
    return build_alert


@pytest.fixture
def app() -> typer.Typer:
    root = typer.Typer()

    @root.callback()
    def _root() -> None:
        """A root like tooltrail's."""

    register(root)
    return root
