"""RFC 6962 Merkle tree hash, inclusion proofs, and the digest's canonical hash."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tooltrail.contract import (
    DIGEST_FIELDS,
    GENESIS_DIGEST_HASH,
    MerkleRoot,
    Signer,
    canonicalize,
    digest_body,
    digest_hash,
    inclusion_proof,
    load_public_keys,
    merkle_root,
    merkle_root_hex,
    verify_checkpoint,
    verify_inclusion,
)

# The Certificate Transparency reference test data (RFC 6962 tree): eight leaves and the root
# of every prefix of them.
CT_LEAVES = [
    bytes.fromhex(x)
    for x in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",  # empty tree
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def reference_mth(leaves: list[bytes]) -> bytes:
    """RFC 6962, section 2.1, written as the RFC states it (recursive split)."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + reference_mth(leaves[:k]) + reference_mth(leaves[k:])).digest()


@pytest.mark.parametrize("n", range(len(CT_ROOTS)))
def test_roots_match_the_certificate_transparency_test_data(n: int) -> None:
    assert merkle_root(CT_LEAVES[:n]).hex() == CT_ROOTS[n]


def test_incremental_root_can_be_read_at_any_size() -> None:
    acc = MerkleRoot()
    assert acc.root().hex() == CT_ROOTS[0]
    for n, leaf in enumerate(CT_LEAVES, start=1):
        acc.add(leaf)
        assert (acc.count, acc.root().hex()) == (n, CT_ROOTS[n])


hashes = st.lists(st.binary(min_size=32, max_size=32), max_size=70)


@settings(max_examples=80, deadline=None)
@given(leaves=hashes)
def test_root_equals_the_rfc_definition(leaves: list[bytes]) -> None:
    assert merkle_root(leaves) == reference_mth(leaves)
    assert merkle_root_hex(x.hex() for x in leaves) == reference_mth(leaves).hex()


@settings(max_examples=60, deadline=None)
@given(leaves=st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=70, unique=True))
def test_inclusion_proofs_verify_and_bind_leaf_and_index(leaves: list[bytes]) -> None:
    n = len(leaves)
    root = merkle_root(leaves)
    for i in {0, n // 2, n - 1}:
        proof = inclusion_proof(leaves, i)
        assert len(proof) <= (n - 1).bit_length()
        assert verify_inclusion(leaves[i], i, n, proof, root)
        other = leaves[(i + 1) % n] if n > 1 else bytes(32) if leaves[i] != bytes(32) else b"1" * 32
        assert not verify_inclusion(other, i, n, proof, root)
        if n > 1:
            assert not verify_inclusion(leaves[i], (i + 1) % n, n, proof, root)
            assert not verify_inclusion(leaves[i], i, n, proof[:-1], root)


def test_inclusion_proof_of_a_missing_leaf_is_refused() -> None:
    with pytest.raises(IndexError):
        inclusion_proof(CT_LEAVES, 8)
    assert not verify_inclusion(CT_LEAVES[0], 8, 8, [], merkle_root(CT_LEAVES))


def test_a_digest_is_signed_like_a_checkpoint_and_linked_by_its_canonical_hash() -> None:
    signer = Signer(bytes(range(32)))
    first = digest_body("svc.0123456789abcdef", 0, 0, 9, "ab" * 32, GENESIS_DIGEST_HASH, 7)
    signer.sign(first)
    assert list(first) == list(DIGEST_FIELDS)
    assert first["count"] == 10
    verify_checkpoint(first, load_public_keys([signer.public_key]))
    link = digest_hash(first)
    assert link == hashlib.sha256(canonicalize(first)).hexdigest()
    edited = {**first, "sig": signer.sign(dict(first, last_seq=8))["sig"]}
    assert digest_hash(edited) != link
