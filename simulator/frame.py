"""Simulated calls as the rows of the store's ``events`` table, without the transport.

``args_bytes``, ``args_fingerprint``, the (redacted) ``resource_uri`` and ``resource_key`` (the
fingerprint of the resource a tool call's arguments name, ``attrs["tooltrail.resource"]``) come
from the emitter's own stages (``Redact`` then ``Fingerprint``), so for the same call and key they
equal what the real path stores; a test sends a simulation through the path and compares. Like a
real server, only ``resources/read`` records its resource as ``resource_uri``: a tool call's
resource is what the emitter derives from its arguments. Given the generator's tool
``annotations`` (as its servers' ``tools/list`` gives them), ``tool_hints`` is what the emitter
records from them in ``attrs["tooltrail.tool.hints"]`` for a call of that tool; without, ``""``
(a server that gives none). pandas is imported only when :func:`to_frame` runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

from tooltrail.emitter.mcpwire import short, tool_hints
from tooltrail.emitter.resources import RESOURCE_ATTR
from tooltrail.emitter.stages import Fingerprint, Redact
from tooltrail.emitter.statements import EFFECT_ATTR

from .model import SimCall, Simulation

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped]

__all__ = [
    "DEFAULT_FINGERPRINT_KEY",
    "FRAME_COLUMNS",
    "Annotations",
    "call_hints",
    "event_id",
    "hints_of",
    "recorded_uri",
    "to_frame",
]

#: tool name → its MCP annotations (``readOnlyHint``, ``destructiveHint`` ...), as a generator's
#: servers give them in ``tools/list``
Annotations = Mapping[str, Mapping[str, object]]

#: the key ``drive`` and ``to_frame`` use unless told otherwise (a simulation, not a secret)
DEFAULT_FINGERPRINT_KEY: Final = b"tooltrail-simulator"
#: the frame's columns: the store's ``events`` names the detectors read, plus ``label``
FRAME_COLUMNS: Final = (
    "ts",
    "event_id",
    "source_name",
    "source_kind",
    "method",
    "tool",
    "resource_uri",
    "user",
    "agent",
    "client",
    "client_version",
    "session_id",
    "trace_id",
    "outcome",
    "error_type",
    "duration_us",
    "args_bytes",
    "result_bytes",
    "args_fingerprint",
    "server_address",
    "label",
    "resource_key",
    "tool_hints",
    "call_effect",
)
_INT_COLUMNS: Final = ("ts", "duration_us", "args_bytes", "result_bytes")


def recorded_uri(c: SimCall) -> str | None:
    """The ``mcp.resource.uri`` a server records for ``c``: only a ``resources/read`` has one."""
    return c.resource_uri if c.method == "resources/read" else None


def hints_of(annotations: Annotations | None) -> dict[str, str]:
    """Tool → the hints an emitter records for its calls (the emitter's own mapping)."""
    if not annotations:
        return {}
    return tool_hints([{"name": t, "annotations": a} for t, a in annotations.items()])


def call_hints(c: SimCall, hints: Mapping[str, str]) -> str:
    """The hints a call of ``c`` carries: a ``tools/call`` of an annotated tool, else ``""``."""
    if c.method != "tools/call" or not c.tool:
        return ""
    return hints.get(short(c.tool), "")


def event_id(ts: int, index: int) -> str:
    """A deterministic, time-ordered 32-hex-digit id: ms of ``ts``, then the call's index."""
    return f"{ts // 1000:012x}7{index:019x}"


def to_frame(
    sim_or_calls: Simulation | Iterable[SimCall],
    *,
    fingerprint_key: bytes = DEFAULT_FINGERPRINT_KEY,
    annotations: Annotations | None = None,
) -> pd.DataFrame:
    """One row per call, columns :data:`FRAME_COLUMNS`, in the calls' order (``annotations``:
    the tools' MCP annotations, which become ``tool_hints`` as the emitter records them).

    Absent strings are ``""`` as in the store; integer columns are int64.
    """
    import pandas as pd

    calls = sim_or_calls.calls if isinstance(sim_or_calls, Simulation) else list(sim_or_calls)
    redact, fingerprint = Redact(), Fingerprint(fingerprint_key)
    hints = hints_of(annotations)
    cols: dict[str, list[Any]] = {name: [] for name in FRAME_COLUMNS}
    for i, c in enumerate(calls):
        ev: dict[str, Any] = {"_args": c.args}
        if (uri := recorded_uri(c)) is not None:
            ev["mcp.resource.uri"] = uri
        ev = fingerprint(redact(ev))
        row = (
            c.ts,
            event_id(c.ts, i),
            c.server,
            "server",
            c.method,
            c.tool or "",
            ev.get("mcp.resource.uri", ""),
            c.user,
            c.agent,
            c.client,
            c.client_version,
            c.session_id,
            c.trace_id,
            c.outcome,
            c.error_type or "",
            c.duration_us,
            ev["args_bytes"],
            c.result_bytes,
            ev["args_fingerprint"],
            "",
            c.label,
            ev.get("attrs", {}).get(RESOURCE_ATTR, ""),
            call_hints(c, hints),
            ev.get("attrs", {}).get(EFFECT_ATTR, ""),
        )
        for name, value in zip(FRAME_COLUMNS, row, strict=True):
            cols[name].append(value)
    frame = pd.DataFrame(cols, columns=list(FRAME_COLUMNS))
    for name in _INT_COLUMNS:
        frame[name] = frame[name].astype("int64")
    return frame
