"""``tooltrail wrap --no-record`` forwards server → host by ``splice(2)`` (``stdio.py``): the
host reads the server's bytes unchanged, in order, whether they were spliced or, forced by
``--no-zero-copy``, read and written; a stdout the kernel will not splice into (a file opened
for appending, ``EINVAL``) gets every byte by ``read``/``write`` instead; a host that stops
reading ends the session as it does without splicing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ._relay_tape import TOOLTRAIL
from .test_relay_recorder import _call

SERVER = [sys.executable, str(Path(__file__).parents[2] / "benchmarks" / "wrap.py"), "--serve"]
MB = 1_000_000


def _calls() -> list[dict[str, Any]]:
    small = [_call(i, "echo", text=f"small {i}") for i in range(5)]
    large = [_call(100 + i, "echo", size=MB + i) for i in range(10)]
    return [*small, *large, *[_call(200 + i, "echo", text=f"after {i}") for i in range(5)]]


def _session(command: list[str], calls: list[dict[str, Any]]) -> list[bytes]:
    """Each call written after the answer to the last was read: the answers, as read."""
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdin is not None
    assert proc.stdout is not None
    answers = []
    for call in calls:
        proc.stdin.write(json.dumps(call).encode() + b"\n")
        proc.stdin.flush()
        answers.append(proc.stdout.readline())
    proc.stdin.close()
    assert proc.stdout.read() == b""
    assert proc.wait(timeout=120) == 0
    return answers


def _relay(*options: str) -> list[str]:
    return [*TOOLTRAIL, "wrap", "--no-record", *options, "--", *SERVER]


@pytest.mark.parametrize("options", [(), ("--no-zero-copy",)], ids=["splice", "read-write"])
def test_the_relay_alone_passes_every_byte_spliced_or_copied(options: tuple[str, ...]) -> None:
    calls = _calls()
    direct = _session(SERVER, calls)
    assert _session(_relay(*options), calls) == direct  # byte for byte, line for line
    assert all(len(a) > MB for a in direct[5:15])  # the large ones were large


def test_an_append_only_stdout_that_refuses_splice_gets_every_byte(tmp_path: Path) -> None:
    """``splice`` into a file opened for appending (a shell's ``>>``) is ``EINVAL``."""
    requests = b"".join(json.dumps(c).encode() + b"\n" for c in _calls())
    outputs = []
    for name, command in (("direct", SERVER), ("wrap", _relay())):
        out = tmp_path / f"{name}.out"
        out.write_bytes(b"already there\n")
        with out.open("ab") as appended:
            done = subprocess.run(command, input=requests, stdout=appended, timeout=120)
        assert done.returncode == 0
        outputs.append(out.read_bytes())
    assert outputs[1] == outputs[0]
    assert len(outputs[0].splitlines()) == 21


def test_a_host_that_stops_reading_ends_the_spliced_session() -> None:
    """The host closes its end of our stdout mid-stream, then our stdin: the server's output
    is drained, the server told to stop (its stdin closed), and wrap exits as it did."""
    proc = subprocess.Popen(_relay("--exit-grace", "5"), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE)  # fmt: skip
    assert proc.stdin is not None
    assert proc.stdout is not None
    for call in _calls()[5:]:  # large answers nobody reads
        proc.stdin.write(json.dumps(call).encode() + b"\n")
    proc.stdin.flush()
    proc.stdout.close()
    proc.stdin.close()
    assert proc.wait(timeout=60) == 0
