"""Simulations shared by the simulator tests (built once per session: they are deterministic).

``default_sim``  the default config: 20 users, 8 days from a Monday, every attack on the last day.
"""

from __future__ import annotations

import pytest

from tooltrail.simulator import SimConfig, Simulation, simulate


@pytest.fixture(scope="session")
def default_sim() -> Simulation:
    return simulate(SimConfig())
