"""WHERE clauses from optional filters, every value a bound parameter (the one builder).

A reader names its filters once: ``{parameter: condition}``, each condition using its parameter
as ``{name:Type}``; :func:`where` ANDs the conditions whose value is given (not None) and
returns them with exactly those parameters. No value is ever put into the SQL text.

    EVENT_FILTERS = {"source": "source_name = {source:String}", "since": "ts >= {since:UInt64}"}
    cond, params = where(EVENT_FILTERS, source="fs-server", since=None)
    # cond == "1 AND source_name = {source:String}", params == {"source": "fs-server"}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["where"]


def where(filters: Mapping[str, str], **values: Any) -> tuple[str, dict[str, Any]]:
    """The AND of ``filters[name]`` for every ``name`` whose value is not None, and those
    values as parameters. A name that is not a filter is a programming error (KeyError)."""
    given = {name: value for name, value in values.items() if value is not None}
    return " AND ".join(["1", *(filters[name] for name in given)]), given
