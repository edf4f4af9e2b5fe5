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


def test_the_pipeline_shares_the_kafka_layer_not_the_collector() -> None:
    """The processor runs without the collector's web stack, and its extra does not install it."""
    import subprocess
    import sys
    import tomllib

    code = (
        "import sys, tooltrail.pipeline.processor, tooltrail.pipeline.cli;"
        "web = ('fastapi', 'uvicorn', 'tooltrail.collector');"
        "print(sorted(m for m in web if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]

    def closure(name: str) -> set[str]:
        found: set[str] = set()
        for req in extras[name]:
            if req.startswith("tooltrail["):
                for inner in req[len("tooltrail[") : -1].split(","):
                    found |= closure(inner)
            else:
                found.add(req.split("[")[0].split(">")[0].split("=")[0].split("<")[0].strip())
        return found

    pipeline = closure("pipeline")
    assert "kafka-python" in pipeline
    assert not {"fastapi", "uvicorn"} & pipeline
