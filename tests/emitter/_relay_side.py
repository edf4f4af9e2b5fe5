"""``tooltrail wrap`` with the recorder's side pipe and backlog set by the test (the CLI keeps
the defaults): ``python _relay_side.py SPOOL SIDE_PIPE_SIZE MAX_BACKLOG ZERO_COPY -- COMMAND...``.
It is ``run`` with a ``ProcessRecorder``, as the CLI builds them; at the end it writes the
recorder's stats as one JSON line to stderr and exits with the server's status."""

from __future__ import annotations

import json
import sys

from tooltrail.emitter.relay import ProcessRecorder, keep_freed_memory, run


def main() -> None:
    spool, side, backlog, zero_copy, dashes, *command = sys.argv[1:]
    assert dashes == "--"
    keep_freed_memory()
    recorder = ProcessRecorder(
        {"source_name": "side", "spool_dir": spool},
        relay="wrap",
        transport="stdio",
        max_backlog=int(backlog),
        side_pipe_size=int(side),
    )
    status = run(command, recorder, zero_copy=zero_copy == "1", forward_signals=False)
    sys.stderr.write(json.dumps(recorder.stats()) + "\n")
    sys.exit(status if status >= 0 else 128 - status)


if __name__ == "__main__":
    main()
