"""Sentences a person can act on: who did what, how much, against what is usual for them.

user u-17 via agent cursor-7 on fs-server touched 412 distinct resources in 1 min;
usual p99 for this user is 9
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Final

import pandas as pd  # type: ignore[import-untyped]

from .alert import FeatureEvidence

__all__ = ["human", "reason_for"]

_PHRASES: Final = {
    "calls": "made {v} calls",
    "distinct_tools": "used {v} distinct tools",
    "distinct_resources": "touched {v} distinct resources",
    "bytes_in": "sent {v} of arguments",
    "bytes_out": "received {v} of tool results",
    "error_rate": "had {v} of calls fail",
    "denials": "was denied {v} times",
    "duration_p95": "had a p95 call duration of {v}",
    "new_tools": "used {v} tool(s) for the first time",
    "new_clients": "came from {v} client(s) never seen for it",
    "off_hours": "worked outside its usual hours ({v} of calls)",
    "session_len": "kept one session going for {v}",
    "fp_novelty": "sent never-seen arguments in {v} of calls",
    "repeat_max": "repeated one identical call {v} times",
    "seq_rarity": "made a tool transition it never makes ({v})",
    "new_resources": "touched {v} resources it never touched before",
    "novel_minutes_1h": "touched never-before-touched resources in {v} separate minutes",
    "new_servers": "used {v} server(s) for the first time",
    "destructive": "made {v} destructive calls",
    "destructive_5m": "made {v} destructive calls in the last five minutes",
    "destructive_1h": "made {v} destructive calls in the last hour",
    "exporting": "made {v} calls that send data out",
    "errors": "had {v} calls fail",
    "args_max": "sent arguments of up to {v}",
    "result_max": "received a tool result of up to {v}",
    "bytes_out_1h": "received {v} of results in the last hour",
    "bytes_out_5m": "received {v} of results in the last five minutes",
    "results_5m": "received results the size of {v} comparable ones in five minutes",
    "calls_1h": "made {v} calls in the last hour",
    "results_1h": "received results the size of {v} comparable ones in the last hour",
    "rare_hour_calls": "made {v} calls at an hour it never works",
    "rare_hour_cold": "started a sitting at an hour it never works ({v} calls)",
    "far_hour_calls": "made {v} call(s) three hours from any hour it works",
    "novel_1h": "used {v} never-seen tools and servers",
    "peers_novel_1h": "saw {v} other users start on new tools",
    "peers_rare_1h": "saw {v} other users up at hours rare for them",
    "novel_shared_1h": "started on {v} tools and servers others also started on this hour",
    "novel_shared": "started on {v} tools and servers others also started on this hour",
}
_KIND: Final = {
    "user": "user",
    "user_tool": "user × tool",
    "agent": "agent",
    "server_tool": "server × tool",
    "source": "server",
}


def human(name: str, value: float) -> str:
    """A feature value in the unit a person reads it in."""
    if name in ("bytes_in", "bytes_out", "args_max", "result_max", "bytes_out_1h", "bytes_out_5m"):
        for unit in ("B", "KB", "MB", "GB"):
            if abs(value) < 1024 or unit == "GB":
                return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
            value /= 1024
    if name in ("error_rate", "off_hours", "fp_novelty"):
        return f"{value:.0%}"
    if name == "session_len":
        return f"{value / 60:.0f} min" if value < 7200 else f"{value / 3600:.1f} h"
    if name == "duration_p95":
        return f"{value / 1000:.0f} ms"
    if name in ("seq_rarity", "novel_jump"):
        return f"{value:.1f} bits"
    return f"{value:.0f}"


def _clock(us: int) -> str:
    return time.strftime("%H:%M UTC", time.gmtime(us / 1e6))


def _top(series: pd.Series) -> str:
    values = series[series != ""]
    return str(values.mode().iloc[0]) if not values.empty else ""


def reason_for(
    level: str,
    entity: str,
    evidence: Sequence[FeatureEvidence],
    events: pd.DataFrame,
    window_us: int,
) -> str:
    """One sentence for the strongest feature, with the context of the window's events."""
    who = f"{_KIND.get(level, level)} {entity}"
    if level in ("user", "user_tool") and not events.empty:
        agent = _top(events["agent_key"])
        if agent:
            who += f" via agent {agent}"
    if level in ("user", "user_tool", "agent") and not events.empty:
        server = _top(events["source_name"])
        if server:
            who += f" on {server}"
    if not evidence:
        return f"{who} behaved unusually"
    top = evidence[0]
    what = _PHRASES.get(top.name, top.name + " was {v}").format(v=human(top.name, top.value))
    span = f"in {window_us // 60_000_000} min" if window_us >= 60_000_000 else "in one window"
    if top.name.endswith("_1h"):
        span = f"of the hour up to {_clock(int(events['ts'].max()))}" if len(events) else "of 1 h"
    if top.name.endswith("_5m"):
        span = f"up to {_clock(int(events['ts'].max()))}" if len(events) else "in 5 min"
    whose = "this entity's" if top.basis == "entity" else "its group's"
    usual = human(top.name, top.baseline_p99)
    return f"{who} {what} {span}; {whose} usual p99 is {usual}"
