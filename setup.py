"""What pyproject.toml cannot say: the package list, derived from the folders.

``[tool.setuptools] package-dir`` in pyproject.toml maps each import root to its folder (the
folder names are the architecture: ``collector/`` is ``tooltrail.collector``); every folder
below a root that holds an ``__init__.py`` is a package. Nothing is listed by hand.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).parent


def package_dir() -> dict[str, str]:
    config = tomllib.loads((HERE / "pyproject.toml").read_text())["tool"]["setuptools"]
    return dict(config["package-dir"])


def packages() -> list[str]:
    """Every package: each root of ``package-dir`` and each folder below it with an
    ``__init__.py`` (the tests read the list from here too)."""
    found: list[str] = []
    for name, folder in package_dir().items():
        for init in (HERE / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(HERE / folder)
            found.append(".".join([name, *rel.parts]))
    return sorted(found)


if __name__ == "__main__":  # how setuptools' build backend runs this file
    setup(packages=packages())
