"""The signer flow a new user meets: the emitter says where its key is born and the exact
command that trusts it; a checkpoint by a key the source does not trust gets a 409 naming that
command (with the emitter's own public key); ids are shown in one form; trust-on-first-use is an
opt-in mode that adopts a source's first validly signed key and nothing else."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tooltrail.cli import app
from tooltrail.cli.up import Stack
from tooltrail.collector.auth import KeyStore
from tooltrail.contract import Signer, key_id_of
from tooltrail.contract.wire import SIGNER_HEADER
from tooltrail.emitter import Emitter, MemoryTransport

from .conftest import MakeCollector, chain_of, signed

STRANGER = Signer(bytes(range(40, 72)))


def test_the_emitter_logs_the_key_it_creates_with_the_command_that_trusts_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    spool = tmp_path / "audit"
    with caplog.at_level(logging.WARNING, logger="tooltrail.emitter"):
        em = Emitter(source_name="fs-server", spool_dir=spool, transport=MemoryTransport())
        em.close()
    assert em.signer is not None
    said = [r.getMessage() for r in caplog.records if "signing key" in r.getMessage()]
    assert len(said) == 1
    assert str(spool / "signing.key") in said[0]
    assert f"tooltrail keys add-signer --source fs-server {em.signer.public_key_b64}" in said[0]
    assert em.signer.key_id in said[0]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="tooltrail.emitter"):
        Emitter(source_name="fs-server", spool_dir=spool, transport=MemoryTransport()).close()
    assert not [r for r in caplog.records if "signing key" in r.getMessage()]  # said once


def test_an_untrusted_signer_gets_a_409_naming_the_exact_fix(
    make_collector: MakeCollector,
) -> None:
    collector = make_collector()
    events = chain_of("svc", 3, "svc.0123456789abcdef")
    cp = signed(events[-1], STRANGER)
    answer = collector.post(events, [cp], headers={SIGNER_HEADER: STRANGER.public_key_b64})
    assert answer.status_code == 409
    body = answer.json()
    fix = f"tooltrail keys add-signer --source svc {STRANGER.public_key_b64}"
    assert fix in body["hint"]
    assert fix in body["message"]
    assert STRANGER.key_id in body["message"]  # the id in the one form keys list shows
    # without the header the hint still names the command and where the key comes from
    events2 = chain_of("svc", 3, "svc.00000000000000b2")
    answer = collector.post(events2, [signed(events2[-1], STRANGER)])
    assert (
        "tooltrail keys add-signer --source svc <the emitter's public key" in answer.json()["hint"]
    )


def test_trust_on_first_use_is_off_by_default(make_collector: MakeCollector) -> None:
    collector = make_collector()
    _, token = collector.keys.create("fresh")
    events = chain_of("fresh", 3)
    answer = collector.post(
        events,
        [signed(events[-1], STRANGER)],
        token=token,
        headers={SIGNER_HEADER: STRANGER.public_key_b64},
    )
    assert answer.status_code == 202  # kept, counted unsigned: checked later by verify
    assert collector.keys.signers("fresh") == []


def test_trust_on_first_use_adopts_the_first_valid_signer_only(
    make_collector: MakeCollector,
) -> None:
    collector = make_collector(trust_first_signer=True)
    _, token = collector.keys.create("fresh")
    events = chain_of("fresh", 3)
    # a header whose key did not sign the batch's checkpoint adopts nothing
    wrong = collector.post(
        events[:1],
        [signed(events[0], STRANGER)],
        token=token,
        headers={SIGNER_HEADER: Signer(bytes(range(90, 122))).public_key_b64},
    )
    assert wrong.status_code == 202
    assert collector.keys.signers("fresh") == []
    first = collector.post(
        events[1:],
        [signed(events[-1], STRANGER)],
        token=token,
        headers={SIGNER_HEADER: STRANGER.public_key_b64},
    )
    assert first.status_code == 202, first.json()
    assert collector.keys.signers("fresh") == [STRANGER.public_key_b64]
    # from now on the source has a signer: another key is not adopted but refused with the fix
    other = Signer(bytes(range(7, 39)))
    more = chain_of("fresh", 5)[3:]
    late = collector.post(
        more, [signed(more[-1], other)], token=token, headers={SIGNER_HEADER: other.public_key_b64}
    )
    assert late.status_code == 409
    assert "tooltrail keys add-signer --source fresh" in late.json()["hint"]
    assert collector.keys.signers("fresh") == [STRANGER.public_key_b64]


@pytest.mark.store
def test_a_real_emitter_is_trusted_on_first_use_by_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOOLTRAIL_COLLECTOR_TRUST_FIRST_SIGNER", "true")
    keys_file = tmp_path / "keys.json"
    with Stack(store_path=tmp_path / "store", keys_file=keys_file, port=0) as stack:
        _, api_key = KeyStore(keys_file).create("fs-server")
        em = Emitter(
            source_name="fs-server",
            spool_dir=tmp_path / "audit",
            collector_url=stack.url,
            api_key=api_key,
            checkpoint_every=2,
        )
        for n in range(5):
            with em.record("tools/call", tool="read_file", args={"n": n}):
                pass
        assert em.flush(30)
        assert em.signer is not None
        assert KeyStore(keys_file).signers("fs-server") == [em.signer.public_key_b64]
        em.close()


def test_keys_list_shows_signers_by_key_id_and_add_signer_explains_a_missing_key(
    tmp_path: Path,
) -> None:
    assert app is not None
    keys_file = tmp_path / "keys.json"
    KeyStore(keys_file).add_signer("fs-server", STRANGER.public_key_b64)
    runner = CliRunner(env={"COLUMNS": "200"})
    listed = runner.invoke(app, ["keys", "list", "--keys-file", str(keys_file)])
    assert listed.exit_code == 0
    assert f"signer of fs-server: {key_id_of(STRANGER.public_key)}" in listed.output
    where = ["--keys-file", str(keys_file)]
    missing = runner.invoke(
        app,
        ["keys", "add-signer", "--source", "fs-server", *where, "--from-signing-key", "nope.key"],
    )
    assert missing.exit_code != 0
    assert "the emitter creates signing.key in its spool_dir on its first run" in missing.output
