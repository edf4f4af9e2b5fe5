"""JSON Schema (2020-12) of the event and the checkpoint, derived from the contract's own checks.

``EVENT_SCHEMA`` and ``CHECKPOINT_SCHEMA`` are built from ``FIELDS_BY_VERSION`` and
``CHECKPOINT_FIELDS``: every check states the schema of what it accepts, so the published schema
and ``validate_event`` / ``validate_checkpoint`` cannot drift. What a JSON Schema cannot say is
written in the descriptions and enforced by the validators alone: free-form JSON (``args``,
``attrs``) is I-JSON (no NaN, no lone surrogate, numbers within a double) and nests at most
``MAX_DEPTH`` levels. Cross-record rules (one stream per batch, the chain itself) are the
collector's (section 6 of docs/event-contract.md), not the schema's.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any, Final

from .checkpoint import ALG_ED25519, ALG_NONE, CHECKPOINT_FIELDS
from .event import FIELDS_BY_VERSION, schema_of

__all__ = ["CHECKPOINT_SCHEMA", "EVENT_SCHEMA", "event_schema"]

_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
_Fields = Mapping[str, tuple[Callable[[str, Any], None], bool]]


def _object(fields: _Fields, *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            name: copy.deepcopy(schema_of(check))
            for name, (check, _) in fields.items()
            if name not in exclude
        },
        "required": [name for name, (_, required) in fields.items() if required],
        "additionalProperties": False,
    }


def event_schema(version: int) -> dict[str, Any]:
    """The schema of an event of ``version``, as ``validate_event`` checks it."""
    schema = _object(FIELDS_BY_VERSION[version])
    schema["title"] = f"tooltrail event, version {version}"
    schema["properties"]["v"] = {"type": "integer", "const": version}
    return schema


def _checkpoint_schema() -> dict[str, Any]:
    unsigned = _object(CHECKPOINT_FIELDS, exclude=("key_id", "sig"))
    unsigned["properties"]["alg"] = {"type": "string", "const": ALG_NONE}
    signed = _object(CHECKPOINT_FIELDS)
    signed["properties"]["alg"] = {"type": "string", "const": ALG_ED25519}
    signed["required"] = [*signed["required"], "key_id", "sig"]
    return {
        "$schema": _DIALECT,
        "title": "tooltrail checkpoint",
        "description": "a stream's head, unsigned (alg 'none') or signed with Ed25519",
        "oneOf": [unsigned, signed],
    }


#: an event of any version this build accepts (``v`` tells which)
EVENT_SCHEMA: Final[dict[str, Any]] = {
    "$schema": _DIALECT,
    "title": "tooltrail event",
    "description": "docs/event-contract.md; hash = SHA-256 of the RFC 8785 bytes without hash",
    "oneOf": [event_schema(v) for v in sorted(FIELDS_BY_VERSION)],
}
CHECKPOINT_SCHEMA: Final[dict[str, Any]] = _checkpoint_schema()
