"""Simulations shared by the simulator tests (built once per session: they are deterministic).

``default_sim``  the default config: 20 users, 8 days from a Monday, every attack on the last day.
``base``         a generator family's traffic (its row of ``_generators.GENERATORS``), for the
                 family named by ``gen``: ``test_<gen>.py``'s own name, or a parameter.
``attacked``     ``base`` attacked by the family's own ``inject`` at each intensity (seed 1).
"""

from __future__ import annotations

import pytest

from tooltrail.simulator import SimConfig, Simulation, simulate

from ._generators import GENERATORS, Traffic


@pytest.fixture(scope="session")
def default_sim() -> Simulation:
    return simulate(SimConfig())


@pytest.fixture(scope="session")
def traffic() -> Traffic:
    return Traffic()


@pytest.fixture
def gen(request: pytest.FixtureRequest) -> str:
    """The family a per-generator file tests: ``test_<gen>.py``."""
    name: str = request.module.__name__.rpartition(".")[2].removeprefix("test_")
    assert name in GENERATORS, f"{request.module.__name__} tests no generator family"
    return name


@pytest.fixture
def base(traffic: Traffic, gen: str) -> Simulation:
    return traffic.base(gen)


@pytest.fixture
def attacked(traffic: Traffic, gen: str) -> dict[str, Simulation]:
    return traffic.attacked(gen)
