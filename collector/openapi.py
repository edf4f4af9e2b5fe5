"""What the collector's OpenAPI document says about ``POST /v1/events``: the request body schema,
the answers' models (202, 409 and the errors) and the route's documentation (``ROUTE_DOCS``).

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

from fastapi import Depends
from fastapi.security import HTTPBearer
from pydantic import BaseModel, Field

from tooltrail.contract import CHECKPOINT_SCHEMA, EVENT_SCHEMA

__all__ = [
    "BATCH_SCHEMA",
    "BATCH_VERSION",
    "ROUTE_DOCS",
    "Accepted",
    "ChainBrokenOut",
    "ErrorOut",
    "FindingOut",
    "HeadOut",
    "Status",
]

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


# -- OpenAPI documentation of the ingest route (the handler reads the raw body itself) ----------


class Status(BaseModel):
    status: str


class HeadOut(BaseModel):
    seq: int
    hash: str


class Accepted(BaseModel):
    accepted: int = Field(description="events handed downstream by this request")
    duplicates: int = Field(description="events already accepted before (not delivered again)")
    checkpoints: int
    stream_id: str | None
    head: HeadOut | None = Field(description="the stream's last accepted event")


class FindingOut(BaseModel):
    class_: str = Field(alias="class", description="a tooltrail.contract break class")
    stream_id: str
    seq: int
    detail: str
    event_id: str | None = Field(None, description="the event the finding names, if one")


class ChainBrokenOut(Accepted):
    error: str = "chain_broken"
    message: str
    findings: list[FindingOut]
    stored_as_evidence: bool
    quarantined: int = Field(description="events kept as evidence beside the stream")
    kept_through: int = Field(description="this batch's events up to this seq are in the stream")
    action: str = Field(
        description="new_stream: continue the events after kept_through on a new stream that "
        "names this one; continue: every event is in the stream (only checkpoints refused)"
    )


class ErrorOut(BaseModel):
    error: str = Field(description="unauthorized, forbidden, invalid, too_large, ...")
    message: str
    index: int | None = Field(None, description="422: the event's position in the batch")
    checkpoint: int | None = Field(None, description="422: the checkpoint's position")
    field: str | None = Field(None, description="422: the field that broke a rule")
    rule: str | None = Field(None, description="422: the rule it broke")


_RETRY = {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}}
ROUTE_DOCS: dict[str, Any] = {
    "status_code": 202,
    "tags": ["ingest"],
    "summary": "Ship a batch of one stream's events",
    "response_model": Accepted,
    "responses": {
        400: {"model": ErrorOut, "description": "not gzip or not JSON"},
        401: {"model": ErrorOut, "description": "missing, unknown, revoked or expired key"},
        403: {"model": ErrorOut, "description": "the key may not write this source or stream"},
        409: {"model": ChainBrokenOut, "description": "chain broken; quarantined as evidence"},
        413: {"model": ErrorOut, "description": "body, batch or event over the limit"},
        415: {"model": ErrorOut, "description": "unsupported Content-Encoding"},
        422: {"model": ErrorOut, "description": "the batch breaks the event contract"},
        429: {"model": ErrorOut, "description": "over the source's rate", "headers": _RETRY},
        503: {"model": ErrorOut, "description": "the sink cannot take it now", "headers": _RETRY},
    },
    "openapi_extra": {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": BATCH_SCHEMA}},
        },
    },
    # documents the scheme only (auto_error=False): the key store answers 401 itself
    "dependencies": [Depends(HTTPBearer(auto_error=False, description="tt_<key id>_<secret>"))],
}
