"""The request body schema of ``POST /v1/events``, as the collector's OpenAPI document states it.

It is assembled from the contract's own schemas (``tooltrail.contract.EVENT_SCHEMA`` /
``CHECKPOINT_SCHEMA``, derived from the validators' checks), so what ``/openapi.json`` promises
is what ingest enforces field by field: a body valid against it is never answered 422 for a
field's type, presence, range, enum or format. What no JSON Schema can state is enforced beside
it and documented here: all events and checkpoints of a batch belong to one stream (422 otherwise);
the key's source must match ``source.name`` (403); the chain itself (seq, prev_hash, hash,
signatures) is checked against the stream's head (409 when it does not continue it).
"""

from __future__ import annotations

import copy
from typing import Any, Final

from tooltrail.contract import CHECKPOINT_SCHEMA, EVENT_SCHEMA

__all__ = ["BATCH_SCHEMA", "BATCH_VERSION"]

BATCH_VERSION: Final = 1


def _embedded(schema: dict[str, Any]) -> dict[str, Any]:
    """A contract schema without its ``$schema`` (OpenAPI 3.1 documents have one dialect)."""
    out = copy.deepcopy(schema)
    out.pop("$schema", None)
    return out


BATCH_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "required": ["v", "events"],
    "additionalProperties": False,
    "description": "events and checkpoints of one stream, in seq order (one stream per batch)",
    "properties": {
        "v": {"type": "integer", "const": BATCH_VERSION},
        "events": {"type": "array", "items": _embedded(EVENT_SCHEMA)},
        "checkpoints": {"type": "array", "items": _embedded(CHECKPOINT_SCHEMA)},
    },
}
