"""The key store: hashes only, scoped keys, rotation, revocation seen by a running collector."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tooltrail.collector.auth import KeyStore, KeyStoreError, Principal, parse_bearer
from tooltrail.collector.cli import app
from tooltrail.collector.errors import Forbidden, Unauthorized
from tooltrail.contract import Signer


@pytest.fixture
def store(tmp_path: Path) -> KeyStore:
    return KeyStore(tmp_path / "state" / "keys.json")


def test_a_key_is_shown_once_and_only_its_hash_is_stored(store: KeyStore) -> None:
    key, plaintext = store.create("svc", label="fs server")
    prefix, key_id, secret = plaintext.split("_", 2)
    assert (prefix, key_id) == ("tt", key.key_id)
    assert len(secret) >= 43  # 32 random bytes, urlsafe base64
    text = store.path.read_text()
    assert secret not in text
    assert plaintext not in text
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    doc = json.loads(text)
    assert doc["keys"][0]["streams"] == ["svc.*"]
    assert len(doc["keys"][0]["secret_sha256"]) == 64


def test_authenticate_returns_the_scoped_principal(store: KeyStore) -> None:
    key, plaintext = store.create("svc", streams=["svc.a*", "svc.b"])
    p = store.authenticate(f"Bearer {plaintext}")
    assert (p.key_id, p.source, p.streams) == (key.key_id, "svc", ("svc.a*", "svc.b"))
    assert p.may_write("svc.a123")
    assert p.may_write("svc.b")
    assert not p.may_write("svc.c")
    assert not p.may_write("other.a1")


@pytest.mark.parametrize(
    "header", [None, "", "Bearer", "Token abc", "Bearer tt_xyz_abc", "Bearer tt_0123456789ab_short"]
)
def test_malformed_credentials_are_unauthorized(store: KeyStore, header: str | None) -> None:
    with pytest.raises(Unauthorized):
        store.authenticate(header)


def test_wrong_secret_and_unknown_id_are_unauthorized(store: KeyStore) -> None:
    key, plaintext = store.create("svc")
    with pytest.raises(Unauthorized, match="unknown API key"):
        store.authenticate(f"Bearer tt_{key.key_id}_{'B' * 43}")
    with pytest.raises(Unauthorized, match="unknown API key"):
        store.authenticate(f"Bearer tt_ffffffffffff_{plaintext.split('_', 2)[2]}")


def test_revocation_by_another_process_takes_effect_without_restart(store: KeyStore) -> None:
    key, plaintext = store.create("svc")
    _, second = store.create("svc")
    assert store.authenticate(f"Bearer {plaintext}").key_id == key.key_id
    KeyStore(store.path).revoke(key.key_id)  # the CLI, elsewhere
    with pytest.raises(Unauthorized, match="revoked"):
        store.authenticate(f"Bearer {plaintext}")
    assert store.authenticate(f"Bearer {second}").source == "svc"  # rotation: the other works


def test_expired_keys_are_unauthorized(tmp_path: Path) -> None:
    now = [1_000_000.0]
    store = KeyStore(tmp_path / "keys.json", clock=lambda: now[0])
    _, plaintext = store.create("svc", expires=now[0] + 60)
    store.authenticate(f"Bearer {plaintext}")
    now[0] += 61
    with pytest.raises(Unauthorized, match="expired"):
        store.authenticate(f"Bearer {plaintext}")
    with pytest.raises(KeyStoreError, match="future"):
        store.create("svc", expires=now[0] - 1)


def test_a_broken_key_file_keeps_the_keys_loaded_before(store: KeyStore) -> None:
    _, plaintext = store.create("svc")
    store.path.write_text("{not json")
    assert store.authenticate(f"Bearer {plaintext}").source == "svc"
    with pytest.raises(KeyStoreError):
        KeyStore(store.path)


def test_missing_file_means_no_keys(store: KeyStore) -> None:
    assert store.list_keys() == []
    with pytest.raises(Unauthorized):
        store.authenticate("Bearer tt_0123456789ab_" + "A" * 43)


def test_authorize_checks_every_event_source_and_the_stream() -> None:
    p = Principal("k1", "svc", ("svc.*",))
    p.authorize("svc.1", ["svc", "svc"])
    with pytest.raises(Forbidden, match=r"event\[1\]\.source\.name"):
        p.authorize("svc.1", ["svc", "billing"])
    with pytest.raises(Forbidden, match=r"may not write stream 'billing\.1'"):
        p.authorize("billing.1", ["svc"])


def test_signers_are_registered_per_source(store: KeyStore) -> None:
    signer = Signer(bytes(range(32)))
    assert store.add_signer("svc", signer.public_key_b64) == signer.key_id
    store.add_signer("svc", signer.public_key_b64)  # idempotent
    _, plaintext = store.create("svc")
    p = store.authenticate(f"Bearer {plaintext}")
    assert p.public_keys == {signer.key_id: signer.public_key}
    assert store.signers("svc") == [signer.public_key_b64]
    with pytest.raises(KeyStoreError, match="32-byte"):
        store.add_signer("svc", "c2hvcnQ=")
    with pytest.raises(KeyStoreError, match="invalid source"):
        store.add_signer("no spaces", signer.public_key_b64)


def test_parse_bearer_is_case_insensitive_on_the_scheme() -> None:
    assert parse_bearer("bearer  tt_x ") == "tt_x"


# -- the CLI -------------------------------------------------------------------------------------


def test_cli_create_list_revoke_add_signer(tmp_path: Path) -> None:
    runner = CliRunner()
    path = str(tmp_path / "keys.json")
    created = runner.invoke(app, ["keys", "create", "-s", "svc", "--keys-file", path])
    assert created.exit_code == 0, created.output
    plaintext = created.stdout.strip().splitlines()[-1]
    assert plaintext.startswith("tt_")
    key_id = plaintext.split("_")[1]

    listed = runner.invoke(app, ["keys", "list", "--json", "--keys-file", path])
    doc = json.loads(listed.stdout)
    assert doc["keys"][0]["key_id"] == key_id
    assert doc["keys"][0]["status"] == "active"
    assert plaintext.split("_", 2)[2] not in listed.stdout

    key_file = tmp_path / "signing.key"
    signer = Signer.load_or_create(key_file)
    added = runner.invoke(
        app,
        [
            "keys",
            "add-signer",
            "-s",
            "svc",
            "--from-signing-key",
            str(key_file),
            "--keys-file",
            path,
        ],
    )
    assert added.exit_code == 0, added.output
    assert KeyStore(path).signers("svc") == [signer.public_key_b64]

    revoked = runner.invoke(app, ["keys", "revoke", key_id, "--keys-file", path])
    assert revoked.exit_code == 0
    assert "revoked" in revoked.stdout
    table = runner.invoke(app, ["keys", "list", "--keys-file", path])
    assert "revoked" in table.stdout

    missing = runner.invoke(app, ["keys", "revoke", "000000000000", "--keys-file", path])
    assert missing.exit_code == 2  # a usage error, not a finding
    assert "no key" in missing.stderr
