"""One stream processor in a process of its own, configured by ``TOOLTRAIL_PIPELINE_*``.

Used by ``test_processor.py``'s crash test. With ``TOOLTRAIL_TEST_KILL_BEFORE_COMMIT=1`` the
processor SIGKILLs itself right after its first successful insert and before it commits any
offset (a crash at the worst moment); it prints ``killing after insert`` first. Otherwise it
runs until SIGTERM, then flushes, commits and exits 0.

    python -m tests.pipeline._processor_child
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Mapping
from typing import Any

from tooltrail.pipeline.processor import Processor
from tooltrail.pipeline.settings import PipelineSettings
from tooltrail.pipeline.store import open_store

KILL_ENV = "TOOLTRAIL_TEST_KILL_BEFORE_COMMIT"


class KillBeforeCommit(Processor):
    """Dies by SIGKILL where a commit would be: the insert has succeeded, nothing is committed."""

    def _commit(self, offsets: Mapping[Any, Any]) -> None:
        inserted = int(self.metrics.value("tooltrail_pipeline_events_inserted_total"))
        print(f"killing after insert of {inserted} events", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    settings = PipelineSettings()
    store = open_store(settings.store_config())
    store.migrate()
    kind = KillBeforeCommit if os.environ.get(KILL_ENV) == "1" else Processor
    processor = kind(settings, store)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("started", flush=True)
    try:
        processor.run(stop)
    finally:
        processor.close()
        store.close()


if __name__ == "__main__":
    main()
