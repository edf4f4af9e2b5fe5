"""The one event contract: schema, canonical bytes (RFC 8785), hash chain, checkpoints, the chain
walker and verify.

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
    hash_events,
    seal,
    seal_checked,
    validate_event,
)
from .fingerprint import Fingerprinter
from .jcs import canonicalize
from .merkle import (
    DIGEST_FIELDS,
    GENESIS_DIGEST_HASH,
    MerkleRoot,
    digest_body,
    digest_hash,
    inclusion_proof,
    merkle_root,
    merkle_root_hex,
    verify_inclusion,
)
from .schema import CHECKPOINT_SCHEMA, EVENT_SCHEMA, event_schema
from .verify import (
    DEFAULT_CHECKPOINT_INTERVAL_US,
    DEFAULT_GRACE_US,
    StreamSummary,
    VerifyReport,
    unvouched_reason,
    verify,
)
from .walk import BREAK_CLASSES, ChainWalker, CheckpointStep, Finding, Head, Step

__all__ = [
    "BREAK_CLASSES",
    "CHECKPOINT_SCHEMA",
    "DEFAULT_CHECKPOINT_INTERVAL_US",
    "DEFAULT_GRACE_US",
    "DIGEST_FIELDS",
    "EVENT_SCHEMA",
    "FIELDS",
    "GENESIS_DIGEST_HASH",
    "GENESIS_HASH",
    "OUTCOMES",
    "SPEC_VERSION",
    "CanonicalizationError",
    "ChainWalker",
    "CheckpointStep",
    "ContractError",
    "EventInvalid",
    "Finding",
    "Fingerprinter",
    "Head",
    "IntegrityError",
    "MerkleRoot",
    "SignatureError",
    "Signer",
    "Step",
    "StreamSummary",
    "VerifyReport",
    "canonical_bytes",
    "canonicalize",
    "checkpoint_body",
    "compute_hash",
    "digest_body",
    "digest_hash",
    "event_schema",
    "hash_events",
    "inclusion_proof",
    "key_id_of",
    "load_public_keys",
    "merkle_root",
    "merkle_root_hex",
    "seal",
    "seal_checked",
    "signing_available",
    "unvouched_reason",
    "validate_checkpoint",
    "validate_event",
    "verify",
    "verify_checkpoint",
    "verify_inclusion",
]
