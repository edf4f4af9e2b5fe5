"""``DetectSettings``: every bad value refused with a message naming the field and the rule;
comma lists and secrets from ``TOOLTRAIL_DETECT_*``; the sinks the settings ask for."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from tooltrail._settings import PLACEHOLDER_SECRETS
from tooltrail.detectors.models import MODEL_NAMES
from tooltrail.detectors.runner import sinks_from_settings
from tooltrail.detectors.settings import DetectSettings
from tooltrail.detectors.sinks import WebhookSink

ENV = "TOOLTRAIL_DETECT_"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No ``TOOLTRAIL_DETECT_*`` variable of the surrounding shell leaks into a test."""
    for name in list(os.environ):
        if name.startswith(ENV):
            monkeypatch.delenv(name)


def test_the_defaults_are_valid_and_in_microseconds() -> None:
    s = DetectSettings()
    assert s.environment == "development"
    assert (s.window_us, s.step_us) == (60_000_000, 10_000_000)
    assert s.baseline_us == 7 * 86_400_000_000
    assert s.refit_us == 24 * 3_600_000_000
    assert s.learning_us == 3 * 86_400_000_000
    assert s.cooldown_us == 30 * 60_000_000
    assert s.group_us == 10 * 60_000_000
    assert s.ensemble  # known models only (an unknown one is refused, below)
    assert set(s.ensemble) <= set(MODEL_NAMES)
    assert s.sensitive_tools == ("grant_role", "run_command", "export_table")


def test_a_window_that_is_not_a_multiple_of_the_step_is_refused() -> None:
    with pytest.raises(ValidationError, match="window_seconds must be a multiple of step_seconds"):
        DetectSettings(window_seconds=60, step_seconds=25)
    assert DetectSettings(window_seconds=75, step_seconds=25).window_us == 75_000_000


def test_an_unknown_ensemble_model_is_refused_by_name() -> None:
    with pytest.raises(ValidationError, match=r"ensemble: unknown model\(s\) xgboost") as info:
        DetectSettings(ensemble=("ecod", "xgboost"))
    assert "iforest" in str(info.value)  # the known ones are listed
    with pytest.raises(ValidationError, match="ensemble must name at least one model"):
        DetectSettings(ensemble=())
    assert DetectSettings(ensemble=("copod", "lof")).ensemble == ("copod", "lof")


def test_a_webhook_url_needs_a_secret() -> None:
    with pytest.raises(ValidationError, match="webhook_secret is required when webhook_url"):
        DetectSettings(webhook_url="https://siem.example/hooks/tooltrail")
    ok = DetectSettings(webhook_url="https://siem.example/hooks/tooltrail", webhook_secret="k3y!")
    assert ok.webhook_secret is not None
    assert "k3y!" not in repr(ok)  # a SecretStr


@pytest.mark.parametrize("environment", ["staging", "production"])
def test_a_placeholder_secret_is_refused_outside_development(environment: str) -> None:
    for placeholder in ("changeme", "CHANGETHIS"):
        assert placeholder.lower() in PLACEHOLDER_SECRETS
        with pytest.raises(ValidationError, match="webhook_secret is a placeholder"):
            DetectSettings(environment=environment, webhook_secret=placeholder)
    real = DetectSettings(environment=environment, webhook_secret="a-real-one-8f3a")
    assert real.webhook_secret is not None


def test_a_placeholder_secret_is_accepted_in_development() -> None:
    s = DetectSettings(environment="development", webhook_secret="changeme")
    assert s.webhook_secret is not None
    assert s.webhook_secret.get_secret_value() == "changeme"


def test_comma_lists_from_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(f"{ENV}SENSITIVE_TOOLS", "a,b")
    monkeypatch.setenv(f"{ENV}ENSEMBLE", " hbos , ecod,")
    s = DetectSettings()
    assert s.sensitive_tools == ("a", "b")
    assert s.ensemble == ("hbos", "ecod")


def test_an_unknown_model_from_the_environment_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(f"{ENV}ENSEMBLE", "ecod,nope")
    with pytest.raises(ValidationError, match="nope"):
        DetectSettings()


def test_numbers_paths_and_secrets_from_environment_variables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(f"{ENV}ENVIRONMENT", "production")
    monkeypatch.setenv(f"{ENV}LEARNING_DAYS", "0.5")
    monkeypatch.setenv(f"{ENV}MODEL_DIR", str(tmp_path / "models"))
    monkeypatch.setenv(f"{ENV}WEBHOOK_URL", "https://siem.example/hook")
    monkeypatch.setenv(f"{ENV}WEBHOOK_SECRET", "changeme")
    with pytest.raises(ValidationError, match="placeholder"):
        DetectSettings()
    monkeypatch.setenv(f"{ENV}WEBHOOK_SECRET", "s3cret-from-env")
    s = DetectSettings()
    assert s.learning_us == 43_200_000_000
    assert s.model_dir == tmp_path / "models"
    assert s.webhook_secret is not None
    assert s.webhook_secret.get_secret_value() == "s3cret-from-env"


def test_out_of_range_values_name_their_field() -> None:
    for field, value in (
        ("window_seconds", 5),
        ("learning_days", -1),
        ("contamination", 0.5),
        ("environment", "prod"),
    ):
        with pytest.raises(ValidationError, match=field):
            DetectSettings(**{field: value})


def test_settings_are_frozen() -> None:
    s = DetectSettings()
    with pytest.raises(ValidationError, match="frozen"):
        s.window_seconds = 30


def test_sinks_follow_the_settings() -> None:
    assert sinks_from_settings(DetectSettings()) == []
    s = DetectSettings(webhook_url="https://siem.example/hooks/tooltrail", webhook_secret="k3y!")
    (sink,) = sinks_from_settings(s)
    assert isinstance(sink, WebhookSink)
    assert sink.url == "https://siem.example/hooks/tooltrail"
    names = [x.name for x in sinks_from_settings(s, console=True)]
    assert names[0] == "webhook"
    assert len(names) == 2
