"""Sampling a benchmark's server process with py-spy (a bench tool, never a dependency).

``record(pid, path)`` starts ``py-spy record`` on ``pid`` in raw (collapsed-stack) form, until
stopped (:func:`stop`) or for ``seconds``; None when py-spy is not installed. ``top(path)``
names the busiest functions: by their own samples (where the time is spent) and, with
``inclusive``, by the samples of every stack they are on (which of our steps costs what).
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

__all__ = ["record", "stop", "top"]


def record(
    pid: int, path: str, seconds: int | None = None, *, gil: bool = False
) -> subprocess.Popen[bytes] | None:
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        print("(no py-spy: no profile; pip install py-spy)")
        return None
    argv = [spy, "record", "-p", str(pid), "-r", "100", "--nonblocking", "--format", "raw"]
    argv += ["-o", path] + (["--gil"] if gil else []) + (["-d", str(seconds)] if seconds else [])
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(spy: subprocess.Popen[bytes] | None) -> None:
    """End a recording started without ``seconds`` (py-spy writes its file on SIGINT)."""
    if spy is not None and spy.poll() is None:
        spy.send_signal(signal.SIGINT)
        spy.wait(60)


def _frame(frame: str) -> str:
    name, _, where = frame.partition(" (")
    file = where.split(":")[0].rsplit("/", 1)[-1]
    return f"{name} ({file})" if file else name


def top(path: str, n: int = 8, *, inclusive: bool = False) -> list[str]:
    """The ``n`` busiest functions of a raw py-spy file, as ``share name (file)`` lines."""
    counts: Counter[str] = Counter()
    total = 0
    with contextlib.suppress(OSError), open(path) as f:
        for line in f:
            stack, _, k = line.rstrip().rpartition(" ")
            if not stack:
                continue
            total += int(k)
            frames = [_frame(s) for s in stack.split(";")]
            for name in set(frames) if inclusive else frames[-1:]:
                counts[name] += int(k)
    return [f"{v / max(total, 1):6.1%} {name}" for name, v in counts.most_common(n)]
