"""Folder = import path: every folder X/ is tooltrail.X, the root package has its own folder,
and the package list is derived from the folders (setup.py), shipped and importable."""

from __future__ import annotations

import importlib
import runpy
from pathlib import Path

ROOT = Path(__file__).parents[1]
SETUP = runpy.run_path(str(ROOT / "setup.py"), run_name="setup")  # not "__main__": no build


def test_every_folder_is_its_import_path() -> None:
    mapping: dict[str, str] = SETUP["package_dir"]()
    assert mapping["tooltrail"] == "src/tooltrail"
    for name, folder in mapping.items():
        assert name == "tooltrail" or name.startswith("tooltrail."), name  # nothing shadows
        if name != "tooltrail":
            assert name == f"tooltrail.{folder}", f"{folder}/ is installed as {name}"


def test_the_derived_package_list_covers_every_folder_and_imports() -> None:
    listed = SETUP["packages"]()
    mapping: dict[str, str] = SETUP["package_dir"]()
    for name, folder in mapping.items():
        assert name in listed
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            assert ".".join([name, *rel.parts]) in listed
    for name in listed:
        importlib.import_module(name)
