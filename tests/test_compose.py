"""docker-compose.yml (not runnable here: no Docker engine) stays consistent with the settings."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tooltrail.cli import app
from tooltrail.collector.settings import Settings
from tooltrail.pipeline.settings import PipelineSettings

COMPOSE = yaml.safe_load((Path(__file__).parents[1] / "docker-compose.yml").read_text())


@pytest.mark.parametrize(
    ("service", "prefix", "settings"),
    [
        ("collector", "TOOLTRAIL_COLLECTOR_", Settings),
        ("pipeline", "TOOLTRAIL_PIPELINE_", PipelineSettings),
    ],
)
def test_service_environment_names_real_settings(
    service: str, prefix: str, settings: type[Settings] | type[PipelineSettings]
) -> None:
    env = COMPOSE["services"][service]["environment"]
    assert env, service
    for name in env:
        assert name.startswith(prefix), name
        assert name.removeprefix(prefix).lower() in settings.model_fields, name


def test_service_commands_exist() -> None:
    assert app is not None
    commands = {c.name for c in app.registered_commands} | {g.name for g in app.registered_groups}
    for name in ("collector", "pipeline"):
        assert COMPOSE["services"][name]["command"][0] in commands
    assert COMPOSE["services"]["pipeline"]["environment"]["TOOLTRAIL_PIPELINE_STORE_URL"].endswith(
        ":8123"
    )
