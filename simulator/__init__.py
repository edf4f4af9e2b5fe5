"""tooltrail.simulator: realistic, labelled MCP traffic.

Users, agents, servers and tools over simulated days, with labelled attack scenarios and benign
bursts, deterministic from a seed. ``simulate`` builds it in memory; ``to_frame`` gives the rows
the store would hold (pandas, imported on use); ``drive`` sends it through the real emitter →
collector path with an event-time clock (``record`` is its one-call step). ``tooltrail
simulate`` (``simulator/cli.py``) does that against a running collector.

    from tooltrail.simulator import SimConfig, simulate

    sim = simulate(SimConfig(seed=7, users=20, days=8))
    sim.write_labels("sim-labels.json")
"""

from .driver import DriveReport, drive, record
from .errors import SimulatorError
from .frame import DEFAULT_FINGERPRINT_KEY, FRAME_COLUMNS, to_frame
from .generate import simulate
from .model import (
    ATTACK_SCENARIOS,
    BENIGN_SCENARIOS,
    Incident,
    SimCall,
    SimConfig,
    Simulation,
    UserProfile,
)
from .world import SERVERS, is_secret_uri

__all__ = [
    "ATTACK_SCENARIOS",
    "BENIGN_SCENARIOS",
    "DEFAULT_FINGERPRINT_KEY",
    "FRAME_COLUMNS",
    "SERVERS",
    "DriveReport",
    "Incident",
    "SimCall",
    "SimConfig",
    "Simulation",
    "SimulatorError",
    "UserProfile",
    "drive",
    "is_secret_uri",
    "record",
    "simulate",
    "to_frame",
]
