"""The one event contract: schema, canonical bytes (RFC 8785), hash chain, checkpoints, verify.

Every tooltrail stage imports this package; nothing else canonicalizes or hashes events.
Standard library only (``cryptography`` is used for Ed25519 when installed).
"""

from .checkpoint import (
    Signer,
    checkpoint_body,
    key_id_of,
    load_public_keys,
    signing_available,
    validate_checkpoint,
    verify_checkpoint,
)
from .errors import (
    CanonicalizationError,
    ContractError,
    EventInvalid,
    IntegrityError,
    SignatureError,
)
from .event import (
    FIELDS,
    GENESIS_HASH,
    OUTCOMES,
    SPEC_VERSION,
    canonical_bytes,
    compute_hash,
    seal,
    validate_event,
)
from .jcs import canonicalize
from .verify import BREAK_CLASSES, Finding, StreamSummary, VerifyReport, verify

__all__ = [
    "BREAK_CLASSES",
    "FIELDS",
    "GENESIS_HASH",
    "OUTCOMES",
    "SPEC_VERSION",
    "CanonicalizationError",
    "ContractError",
    "EventInvalid",
    "Finding",
    "IntegrityError",
    "SignatureError",
    "Signer",
    "StreamSummary",
    "VerifyReport",
    "canonical_bytes",
    "canonicalize",
    "checkpoint_body",
    "compute_hash",
    "key_id_of",
    "load_public_keys",
    "seal",
    "signing_available",
    "validate_checkpoint",
    "validate_event",
    "verify",
    "verify_checkpoint",
]
