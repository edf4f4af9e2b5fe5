"""Zero-copy forwarding (``relay._splice``; ``stdio.py``): the server's bytes reach the host by
``splice`` while the recorder reads its ``tee``'d duplicate from a side pipe.

Proved here, each against the server's own output (run directly) and against ``read``/``write``
forced by ``zero_copy=False``: the host reads the same bytes, and the spool holds the same calls
(every id, outcome and wire size) whether the side pipe takes everything (1 MiB), or a one-page
side pipe is full most of the time, so that chunks go by ``read``/``write`` between spliced
ones (the recorder must still see the stream in order); and when the side pipe is full and the
copies pass the backlog limit, forwarding still completes, the call whose bytes were lost is
recorded as the read/write relay's overflow records it (``no_response``, ``dropped_bytes``
counted) and the calls after it are recorded normally.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tooltrail.emitter.relay._splice import zero_copy

from ._relay_tape import ROOT
from .test_relay_recorder import _call
from .test_relay_stdio import _verified

SERVER = [sys.executable, str(ROOT / "benchmarks" / "wrap.py"), "--serve"]  # answers at once
SIDE = [sys.executable, str(Path(__file__).with_name("_relay_side.py"))]
PAGE = 4096
MB = 1_000_000


def _session(command: list[str], calls: list[dict[str, Any]]) -> tuple[list[bytes], str]:
    """Each call written after the answer to the last was read: the answers (whole lines, as
    read) and the last line of stderr."""
    proc = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    assert proc.stderr is not None
    answers = []
    for call in calls:
        proc.stdin.write(json.dumps(call).encode() + b"\n")
        proc.stdin.flush()
        answers.append(proc.stdout.readline())
    proc.stdin.close()
    assert proc.stdout.read() == b""
    assert proc.wait(timeout=120) == 0
    err = proc.stderr.read().decode().strip().splitlines()
    return answers, err[-1] if err else ""


def _calls(big: int) -> list[dict[str, Any]]:
    small = [_call(i, "echo", text=f"small {i}") for i in range(5)]
    large = [_call(100 + i, "echo", size=MB + i) for i in range(big)]
    after = [_call(200 + i, "echo", text=f"after {i}") for i in range(5)]
    return small + large + after


def _through(
    tmp_path: Path, calls: list[dict[str, Any]], side: int, backlog: int, zc: bool
) -> tuple[list[bytes], dict[str, int], list[dict[str, Any]]]:
    """``calls`` through ``_relay_side.py``: the answers, the recorder's stats, the events."""
    spool = tmp_path / f"spool-{side}-{backlog}-{int(zc)}"
    command = [*SIDE, str(spool), str(side), str(backlog), str(int(zc)), "--", *SERVER]
    answers, last = _session(command, calls)
    return answers, json.loads(last), _verified(spool)


@pytest.mark.parametrize(
    ("side", "zc"), [(1 << 20, True), (PAGE, True), (1 << 20, False)], ids=["1MiB", "page", "rw"]
)
def test_spliced_copied_and_read_write_chunks_give_the_same_bytes_and_calls(
    tmp_path: Path, side: int, zc: bool
) -> None:
    assert zero_copy()  # this project's machines are Linux: splice and tee are there
    calls = _calls(big=20)
    direct, _ = _session(SERVER, calls)
    answers, stats, events = _through(tmp_path, calls, side, 64 * 2**20, zc)
    assert answers == direct  # byte for byte, in order
    total = sum(len(a) for a in answers)
    if not zc:
        assert stats["spliced_bytes"] == 0
    elif side == PAGE:  # some chunks spliced through the side pipe, the others copied
        assert 0 < stats["spliced_bytes"] < total
    else:
        assert stats["spliced_bytes"] > 0
    assert stats["dropped_bytes"] == 0
    assert [e["jsonrpc.request.id"] for e in events] == [str(c["id"]) for c in calls]
    assert {e["outcome"] for e in events} == {"ok"}
    assert [e["result_bytes"] for e in events] == [len(a) - 1 for a in answers]


@pytest.mark.parametrize("zc", [True, False], ids=["zero-copy", "rw"])
def test_a_full_side_pipe_past_the_backlog_loses_one_call_as_an_overflow_does(
    tmp_path: Path, zc: bool
) -> None:
    calls = _calls(big=1)
    direct, _ = _session(SERVER, calls)
    answers, stats, events = _through(tmp_path, calls, PAGE, 64 * 1024, zc)
    assert answers == direct  # forwarding completed, unchanged
    assert stats["dropped_bytes"] > 0  # counted, as the read/write relay counts it
    outcome = {e["jsonrpc.request.id"]: (e["outcome"], e.get("error.type")) for e in events}
    assert outcome.pop("100") == ("error", "no_response")
    assert list(outcome) == [str(c["id"]) for c in calls if c["id"] != 100]
    assert set(outcome.values()) == {("ok", None)}  # the calls before and after: as usual
