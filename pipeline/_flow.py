"""The processor's flow control on its consumer: pausing the partitions, and their lag.

:func:`hold` pauses every assigned partition while the processor must not take more (a flush is
failing, or the buffer is full) and resumes them after: the member keeps polling, so it stays
in its group, and its memory stays bounded. :func:`lags` is how far each partition's records
run ahead of what the processor took.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

__all__ = ["hold", "lags"]

log = logging.getLogger(__name__)


def hold(consumer: Any, why: str | None) -> None:
    """Pause the assigned partitions for ``why`` (a reason), or resume them (None)."""
    assigned = consumer.assignment()
    paused = consumer.paused()
    if why and assigned - paused:
        log.info("pausing %s (%s)", sorted(assigned), why)
        consumer.pause(*(assigned - paused))
    elif not why and paused:
        consumer.resume(*paused)


def lags(consumer: Any, positions: Mapping[Any, int]) -> dict[tuple[str, int], int]:
    """Records not taken yet per assigned partition ((topic, partition) -> count), where both
    the high watermark and the position (``positions``: after the last record taken) are known."""
    out: dict[tuple[str, int], int] = {}
    for tp in consumer.assignment():
        high = consumer.highwater(tp)
        position = positions.get(tp)
        if high is not None and position is not None:
            out[(tp.topic, tp.partition)] = max(int(high) - position, 0)
    return out
