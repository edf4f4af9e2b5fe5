"""tooltrail.detectors: features per entity-window, PyOD models and rules, alerts and sinks.

Importing this package imports nothing heavy; pandas, PyOD and slack-sdk load in the modules
that use them.
"""

from .alert import SEVERITIES, Alert, EventRefs, FeatureEvidence
from .errors import AlertNotFound, AnnouncementError, DetectorError, ModelFileError, SinkError

__all__ = [
    "SEVERITIES",
    "Alert",
    "AlertNotFound",
    "AnnouncementError",
    "DetectorError",
    "EventRefs",
    "FeatureEvidence",
    "ModelFileError",
    "SinkError",
]
