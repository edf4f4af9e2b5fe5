"""The Dockerfile's build context, built the way Docker would (no Docker engine here).

Docker sends the context (minus ``.dockerignore``), runs each ``COPY`` and then the ``RUN pip
install``. These tests derive what must be copied from ``pyproject.toml`` (every package folder),
assemble exactly the COPY'd files in a fresh directory and build a wheel from it: an image that
misses a folder fails here, not on a user's machine.
"""

from __future__ import annotations

import fnmatch
import re
import runpy
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
SETUP = runpy.run_path(str(ROOT / "setup.py"), run_name="setup")  # not "__main__": no build
DOCKERFILE = (ROOT / "Dockerfile").read_text()
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
_PIP_WHEEL = (sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation")
SERVER_EXTRAS = {"collector", "pipeline", "detectors", "dashboards"}


def _instructions() -> list[tuple[str, str]]:
    lines = re.sub(r"\\\n", " ", DOCKERFILE).splitlines()
    out = []
    for line in lines:
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def _copies() -> list[tuple[list[str], str]]:
    copies = []
    for word, rest in _instructions():
        if word == "COPY":
            parts = rest.split()
            assert not parts[0].startswith("--"), "COPY flags are not modelled here"
            copies.append((parts[:-1], parts[-1]))
    return copies


def _ignored(rel: Path, patterns: list[str]) -> bool:
    text = rel.as_posix()
    for pattern in patterns:
        if pattern.startswith("**/"):
            if any(fnmatch.fnmatchcase(part, pattern[3:]) for part in rel.parts):
                return True
        elif fnmatch.fnmatchcase(text, pattern) or fnmatch.fnmatchcase(rel.parts[0], pattern):
            return True
    return False


def _build_context(dest: Path) -> None:
    ignore_file = ROOT / ".dockerignore"
    patterns = [
        line.strip()
        for line in (ignore_file.read_text().splitlines() if ignore_file.exists() else [])
        if line.strip() and not line.startswith("#")
    ]
    for sources, target in _copies():
        for source in sources:
            src = ROOT / source
            assert src.exists(), f"COPY {source}: not in the repository"
            assert not _ignored(Path(source), patterns), f"COPY {source}: .dockerignore drops it"
            out = dest / (target if target not in ("./", ".") else "")
            if src.is_dir():
                out = out if target not in ("./", ".") else dest / source
                for path in src.rglob("*"):
                    rel = path.relative_to(ROOT)
                    if path.is_file() and not _ignored(rel, patterns):
                        goal = out / path.relative_to(src)
                        goal.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy2(path, goal)
            else:
                goal = out / src.name if target.endswith("/") else out
                goal.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, goal)


def test_every_package_folder_is_copied() -> None:
    folders = set(SETUP["package_dir"]().values())
    copied = {s for sources, _ in _copies() for s in sources}
    assert folders <= copied, f"not copied into the image: {sorted(folders - copied)}"
    readme = PYPROJECT["project"]["readme"]
    assert {"pyproject.toml", "setup.py", readme} <= copied


def test_installs_every_server_extra_and_runs_as_non_root() -> None:
    runs = " ".join(rest for word, rest in _instructions() if word == "RUN")
    match = re.search(r'pip install [^"]*"\.\[([a-z,]+)\]"', runs)
    assert match, "the image installs the project with its extras"
    extras = set(match.group(1).split(","))
    assert extras <= set(PYPROJECT["project"]["optional-dependencies"])
    assert extras >= SERVER_EXTRAS
    users = [rest for word, rest in _instructions() if word == "USER"]
    assert users, "the image sets its user"
    assert users[-1] not in ("root", "0"), "the image must not run as root"
    entry = [rest for word, rest in _instructions() if word == "ENTRYPOINT"]
    assert entry
    assert '"tooltrail"' in entry[-1]
    assert "tooltrail" in PYPROJECT["project"]["scripts"]


@pytest.mark.slow
def test_the_context_builds_a_wheel_with_every_package(tmp_path: Path) -> None:
    context = tmp_path / "context"
    _build_context(context)
    out = tmp_path / "wheels"
    subprocess.run(
        [*_PIP_WHEEL, "-w", str(out), str(context)],
        check=True,
        cwd=tmp_path,
    )
    (wheel,) = out.glob("tooltrail-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for package in SETUP["packages"]():
        init = package.replace(".", "/") + "/__init__.py"
        assert init in names, f"{package} missing from the image's wheel"
    # no test, benchmark or local state leaks into the image
    assert not any(n.startswith(("tests/", "benchmarks/", ".tooltrail")) for n in names)
