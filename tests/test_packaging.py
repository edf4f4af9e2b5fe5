"""The installed names are namespaced and every folder package is shipped."""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[1]


def _config() -> dict[str, object]:
    return dict(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"])


def test_every_package_folder_is_listed_and_importable() -> None:
    config = _config()
    mapping: dict[str, str] = config["package-dir"]  # type: ignore[assignment]
    listed = set(config["packages"])  # type: ignore[call-overload]
    found = set()
    for top, folder in mapping.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            found.add(".".join([top, *rel.parts]) if rel.parts else top)
    assert found == listed
    for name in sorted(listed):
        importlib.import_module(name)


def test_no_top_level_name_can_shadow_a_users_package() -> None:
    mapping: dict[str, str] = _config()["package-dir"]  # type: ignore[assignment]
    assert all(name == "tooltrail" or name.startswith("tooltrail.") for name in mapping)
