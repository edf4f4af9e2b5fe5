"""The simulator's errors. One root::

SimulatorError        the simulated traffic could not be delivered (drive)
"""

from __future__ import annotations

__all__ = ["SimulatorError"]


class SimulatorError(Exception):
    """Root of the simulator's errors: e.g. the collector did not accept every event in time."""
