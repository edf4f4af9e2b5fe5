"""The cyclic garbage collector of a long-running service (the collector, the processor).

Their heaps hold a large object graph built once at start-up (FastAPI and pydantic models,
kafka-python, chDB bindings) and churn through short-lived containers that hold no cycles (the
decoded events of a request, a processor's buffer of 20k events). With CPython's defaults the
young generation is collected every 700 net container allocations, so the events in flight are
walked again and again, and promoted into the older generations, whose collections walk the
whole start-up graph too. Measured with ``gc.callbacks``: about a tenth of the collector's CPU
under ``benchmarks/collector.py``, and 6-9 µs of the processor's ~20 µs per event (decode, then
columns of 20k buffered events) — 0 to 2 µs once settled.

:func:`settle` is called once a service is built: it moves everything alive then out of the
collector's reach (``gc.freeze``: it is never garbage) and collects the young generation every
``YOUNG`` net allocations, more than a full buffer of events makes. What reference counting frees
is freed as before; cycles made later are still found, only less often (at most ``YOUNG``
containers of cyclic garbage wait, a few MB). Idempotent; a second call freezes what was built
since.
"""

from __future__ import annotations

import gc
from typing import Final

__all__ = ["YOUNG", "settle"]

#: net container allocations between collections of the youngest generation
YOUNG: Final = 100_000


def settle() -> None:
    """Freeze what exists now; collect the young generation every ``YOUNG`` allocations."""
    gc.collect()  # what start-up left as garbage is freed, not frozen
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG, older, oldest)
