"""docker-compose.yml (not runnable here: no Docker engine) is checked against the code instead:
every command and option exists, every variable names a real setting, every long-running service
has a healthcheck that probes the port it serves on, start order waits on health and on the
one-shot init steps, one collector port is published, and .env.example covers every variable the
file needs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from tooltrail.cli import app
from tooltrail.collector.settings import Settings
from tooltrail.detectors.settings import DetectSettings
from tooltrail.pipeline.settings import PipelineSettings
from tooltrail.pipeline.store.options import StoreSettings

ROOT = Path(__file__).parents[1]
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
OURS = {name for name, svc in SERVICES.items() if svc.get("image") == "tooltrail:local"}
INIT = {name for name in OURS if SERVICES[name].get("restart") == "no"}
SETTINGS = {
    "TOOLTRAIL_COLLECTOR_": Settings,
    "TOOLTRAIL_PIPELINE_": PipelineSettings,
    "TOOLTRAIL_DETECT_": DetectSettings,
    "TOOLTRAIL_STORE_": StoreSettings,
}
# the store as every command and service names it (pipeline/store/options.py)
STORE_ENV = {"TOOLTRAIL_STORE_URL", "TOOLTRAIL_STORE_USER", "TOOLTRAIL_STORE_PASSWORD"}


def _resolve(args: list[str]) -> tuple[Any, list[str]]:
    """The (typer/click) command a service's argv runs, and the arguments left for it."""
    assert app is not None
    command: Any = typer.main.get_command(app)
    rest = list(args)
    while hasattr(command, "commands") and rest and not rest[0].startswith("-"):
        sub = command.commands.get(rest[0])
        assert sub is not None, f"no command {rest[0]!r} in {args}"
        command, rest = sub, rest[1:]
    return command, rest


def _argv(name: str) -> list[str]:
    command = SERVICES[name]["command"]
    return [str(a) for a in (command if isinstance(command, list) else command.split())]


def _option(args: list[str], flag: str) -> str:
    return args[args.index(flag) + 1]


def test_ours_and_the_init_steps_are_there() -> None:
    assert {"collector", "pipeline", "detectors", "digests"} <= OURS
    assert {"kafka-init", "keys-init"} <= INIT


@pytest.mark.parametrize("name", sorted(OURS - {"keys-init"}))
def test_every_command_and_option_exists(name: str) -> None:
    command, rest = _resolve(_argv(name))
    flags = {opt for p in command.params for opt in p.opts}
    for arg in rest:
        if arg.startswith("--"):
            assert arg in flags, f"{name}: {command.name} has no option {arg}"


def test_the_key_bootstrap_runs_a_real_command_on_the_collectors_key_file() -> None:
    svc = SERVICES["keys-init"]
    script = " ".join(_argv("keys-init"))
    match = re.search(r"tooltrail (keys create .*)", script)
    assert match, script
    args = [a.strip('"') for a in match.group(1).split()]
    command, rest = _resolve(args)
    assert command.name == "create"
    keys_file = _option(rest, "--keys-file")
    assert keys_file == SERVICES["collector"]["environment"]["TOOLTRAIL_COLLECTOR_KEYS_FILE"]
    (volume,) = svc["volumes"]
    name, target = volume.split(":")[:2]
    assert keys_file.startswith(target + "/")
    assert any(v.split(":")[0] == name for v in SERVICES["collector"]["volumes"])


@pytest.mark.parametrize("name", sorted(OURS))
def test_every_variable_names_a_real_setting(name: str) -> None:
    env = SERVICES[name].get("environment", {})
    for var in env:
        if var == "TOOLTRAIL_BOOTSTRAP_SOURCE":
            continue
        prefix = next((p for p in SETTINGS if var.startswith(p)), None)
        assert prefix is not None, f"{name}: {var} is no tooltrail setting"
        assert var.removeprefix(prefix).lower() in SETTINGS[prefix].model_fields, var


def test_store_variables_are_the_ones_the_commands_and_the_pipeline_read() -> None:
    detect, _ = _resolve(["detectors", "run"])
    url = next(p for p in detect.params if "--clickhouse-url" in p.opts)
    assert url.envvar == "TOOLTRAIL_STORE_URL"
    # the pipeline reads the same names (TOOLTRAIL_STORE_*) for every store field it has
    aliases = {f.validation_alias for f in PipelineSettings.model_fields.values()}
    for name in StoreSettings.model_fields:
        assert f"TOOLTRAIL_STORE_{name.upper()}" in aliases, name
    for name in ("pipeline", "detectors", "digests"):
        assert set(SERVICES[name]["environment"]) >= STORE_ENV


def test_long_running_services_have_healthchecks_and_init_steps_run_once() -> None:
    for name, svc in SERVICES.items():
        if name in INIT:
            assert "healthcheck" not in svc
            continue
        check = svc.get("healthcheck")
        assert check, f"{name} has no healthcheck"
        assert check["test"][0] in ("CMD", "CMD-SHELL")


def _probe_port(name: str) -> int:
    test = " ".join(SERVICES[name]["healthcheck"]["test"])
    match = re.search(r"127\.0\.0\.1:(\d+)/", test)
    assert match, test
    return int(match.group(1))


def test_healthchecks_probe_the_ports_the_services_serve() -> None:
    collector = _argv("collector")
    assert _probe_port("collector") == int(_option(collector, "--port"))
    assert "/readyz" in " ".join(SERVICES["collector"]["healthcheck"]["test"])
    env = SERVICES["pipeline"]["environment"]
    assert _probe_port("pipeline") == int(env["TOOLTRAIL_PIPELINE_METRICS_PORT"])
    assert env["TOOLTRAIL_PIPELINE_METRICS_HOST"] == "0.0.0.0"  # noqa: S104
    assert _probe_port("detectors") == int(_option(_argv("detectors"), "--metrics-port"))
    digests = _argv("digests")
    heartbeat = _option(digests, "--heartbeat")
    assert heartbeat in " ".join(SERVICES["digests"]["healthcheck"]["test"])


def test_start_order_waits_on_health_and_on_the_init_steps() -> None:
    for name, svc in SERVICES.items():
        depends = svc.get("depends_on", {})
        assert isinstance(depends, dict), f"{name}: depends_on needs conditions"
        for dep, spec in depends.items():
            condition = spec["condition"]
            if dep in INIT:
                assert condition == "service_completed_successfully", (name, dep)
            else:
                assert condition == "service_healthy", (name, dep)
                assert "healthcheck" in SERVICES[dep], (name, dep)
    assert set(SERVICES["collector"]["depends_on"]) >= {"kafka", "kafka-init", "keys-init"}
    assert set(SERVICES["pipeline"]["depends_on"]) >= {"kafka", "kafka-init", "clickhouse"}


def test_one_published_collector_port_and_workers_instead_of_replicas() -> None:
    svc = SERVICES["collector"]
    assert "replicas" not in svc.get("deploy", {})
    assert int(_option(_argv("collector"), "--workers")) >= 2
    (port,) = svc["ports"]
    assert port.split(":")[-1] == _option(_argv("collector"), "--port")
    assert SERVICES["collector"]["environment"]["TOOLTRAIL_COLLECTOR_HEADS"] == "kafka"


def test_the_detectors_run_as_a_pair_behind_a_lease() -> None:
    assert SERVICES["detectors"]["deploy"]["replicas"] >= 2
    assert float(_option(_argv("detectors"), "--lease-ttl")) > 0


def test_clickhouse_has_the_file_limits_it_needs() -> None:
    nofile = SERVICES["clickhouse"]["ulimits"]["nofile"]
    assert nofile["soft"] >= 262144
    assert nofile["hard"] >= 262144


def test_grafana_mounts_the_provisioning_of_this_repository() -> None:
    mounts = [v.split(":") for v in SERVICES["grafana"]["volumes"]]
    (local, target, *_) = next(m for m in mounts if m[0].startswith("./"))
    folder = ROOT / local
    assert folder.is_dir()
    assert (
        "grafana-clickhouse-datasource" in SERVICES["grafana"]["environment"]["GF_INSTALL_PLUGINS"]
    )
    (source,) = yaml.safe_load((folder / "datasources/tooltrail.yaml").read_text())["datasources"]
    assert source["type"] == "grafana-clickhouse-datasource"
    assert (source["jsonData"]["host"], source["jsonData"]["port"]) == ("clickhouse", 8123)
    password = source["secureJsonData"]["password"].lstrip("$").strip("{}")
    assert password in SERVICES["grafana"]["environment"]
    (provider,) = yaml.safe_load((folder / "dashboards/tooltrail.yaml").read_text())["providers"]
    path = provider["options"]["path"]
    assert path.startswith(target + "/")
    assert (folder / path.removeprefix(target + "/")).is_dir()


def test_env_example_covers_every_variable_the_file_needs() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    needed = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", text))
    example = {
        line.split("=", 1)[0].lstrip("# ").strip()
        for line in (ROOT / ".env.example").read_text().splitlines()
        if "=" in line
    }
    assert needed <= example, f"missing from .env.example: {sorted(needed - example)}"
    assert ".env" in (ROOT / ".gitignore").read_text().split()
