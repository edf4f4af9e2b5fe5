"""The emitter records the same events whichever way it seals them: through the compiled
per-shape encoder first (``contract.seal_checked``, taken when orjson is absent) or through
``seal`` and the field repairs (with orjson): the same bytes, hashes and chain, the same repairs.
Each run in a process of its own (whether orjson is importable is decided at import)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tooltrail.contract import verify

SCRIPT = Path(__file__).with_name("_seal_paths.py")


def run(mode: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), mode], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def unchained(event: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event.items() if k not in ("stream_id", "hash", "prev_hash")}


def test_the_compiled_and_the_general_sealing_record_the_same_events() -> None:
    checked, general = run("stdlib"), run("orjson")
    assert checked["checked"] is True
    assert general["checked"] is False
    assert len(checked["events"]) == 6
    # each run draws its own stream id (so its hashes differ); all else is the same, and each
    # chain verifies: the hashes are those of the canonical bytes of what was recorded
    assert list(map(unchained, checked["events"])) == list(map(unchained, general["events"]))
    assert checked["stats"]["repaired"] == general["stats"]["repaired"] == 1
    for run_ in (checked, general):
        report = verify(run_["events"], complete=False)  # raises on a break of the chain
        summary = report.streams[run_["events"][0]["stream_id"]]
        assert (summary.events, summary.first_seq, summary.last_seq) == (6, 0, 5)
    repaired = checked["events"][3]
    assert "trace_id" not in repaired
    assert repaired["attrs"]["tooltrail.unencodable"] == [
        "must be 32 lowercase hex digits (W3C trace-id) at trace_id"
    ]
    assert checked["events"][2]["redactions"]  # the token was redacted before sealing
