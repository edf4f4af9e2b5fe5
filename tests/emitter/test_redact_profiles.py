"""Key-name hints, the high-entropy detector, the PII profile and IPs, each with its false-positive
check; the false-positive rate on ordinary tool arguments; hypothesis properties of the whole.

Fake secrets are built at run time from random characters (no literal here is a credential).
"""

from __future__ import annotations

import random
import string
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tooltrail.emitter import RedactionOptions, Redactor
from tooltrail.emitter._entropy import looks_random, threshold
from tooltrail.emitter.redact import PLACEHOLDER_RE

from ._ordinary_corpus import KINDS, ordinary
from ._secret_corpus import B62, B64, FORMATS, OPTIONS, r

RNG = random.Random(7)
TOKEN = r(RNG, 24)
FP_BOUND = 0.01  # docs/redaction.md: at most 1% of ordinary arguments may be touched


def redact(value: Any, options: RedactionOptions | None = None) -> tuple[Any, dict[str, int]]:
    counts: dict[str, int] = {}
    return Redactor(options).redact_value(value, counts), counts


# -- key-name hints ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key", ["license_key", "encryptionKey", "X-Upload-Tokens", "webhook_secret_v2", "db_sig",
            "private_key_id", "password_hash", "hmac"],
)  # fmt: skip
def test_a_hinting_key_name_lowers_the_bar_for_its_value(key: str) -> None:
    short = r(RNG, 14, string.ascii_lowercase + string.digits)  # too short to be flagged alone
    hidden = ("[REDACTED:high_entropy]", {"high_entropy": 1})
    assert redact({"v": short}) == ({"v": short}, {})
    assert redact({key: short}) == ({key: hidden[0]}, hidden[1])
    assert redact(f"{key}={short} next") in (
        (f"{key}={hidden[0]} next", hidden[1]),  # in text, when the name ends in a hint word
        (f"{key}={short} next", {}),
    )
    assert redact(f"license_key: {short}") == (f"license_key: {hidden[0]}", hidden[1])


@pytest.mark.parametrize(
    ("key", "value"),
    [("sort_key", "created_at"), ("primary_key", "id"), ("cache_key", "report:v3"),
     ("token_count", 1234), ("max_tokens", "4096"), ("partition_key", "tenant-eu-west"),
     ("api_key_name", "billing service")],
)  # fmt: skip
def test_a_hinting_key_with_an_ordinary_value_is_kept(key: str, value: Any) -> None:
    assert redact({key: value}) == ({key: value}, {})


# -- the high-entropy detector -----------------------------------------------------------------


@pytest.mark.parametrize("alphabet", [B62, B64, string.ascii_lowercase + string.digits])
@pytest.mark.parametrize("length", [32, 40, 64])
def test_long_random_tokens_without_a_known_prefix_are_redacted(alphabet: str, length: int) -> None:
    rng = random.Random(length)
    tokens = [r(rng, length, alphabet) for _ in range(200)]
    missed = [t for t in tokens if TOKEN in t or Redactor().redact_str(f"x {t} y", {}) != (
        "x [REDACTED:high_entropy] y"
    )]  # fmt: skip
    assert len(missed) <= 0.02 * len(tokens), missed  # docs/redaction.md: detection table


def test_thresholds_rise_with_length() -> None:
    assert threshold(10) == threshold(20) == 3.3
    assert threshold(20) < threshold(32) < threshold(64) == threshold(500) == 4.1
    assert not looks_random("a1" * 5)
    assert looks_random(r(random.Random(1), 10, B62), hinted=True)


@pytest.mark.parametrize(
    "text",
    ["0f" * 20, "550e8400-e29b-41d4-a716-446655440000", "/srv/data/reports/2024/q3/summary_v2",
     "my-service-name-production-eu-west-1", "AbstractSingletonProxyFactoryBean2",
     "aGVsbG8gd29ybGQsIHRoaXMgaXMgb3JkaW5hcnkgdGV4dA==", "node_modules/typescript/lib/tsc",
     "test_redaction_of_keys_in_attrs_2"],
)  # fmt: skip
def test_ids_paths_identifiers_and_base64_text_are_not_high_entropy(text: str) -> None:
    assert redact(text) == (text, {})


# -- the PII profile, and IPs -----------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["email", "phone_international", "phone_us", "iban", "us_ssn"])
def test_pii_only_with_the_profile(fmt: str) -> None:
    text, secrets = FORMATS[fmt](random.Random(3))
    assert redact(f"to {text} now") == (f"to {text} now", {})
    out, counts = redact(f"to {text} now", RedactionOptions(pii=True))
    assert all(s not in out for s in secrets)
    assert sum(counts.values()) == 1


@pytest.mark.parametrize(
    "text",
    ["DE89 3704 0044 0532 0130 07", "GB82 WEST 1234 5698 7654 33", "XX82 WEST 1234 5698 7654 32",
     "000-12-3456", "666-12-3456", "901-12-3456", "123-00-4567", "123-45-0000", "2024-01-1234",
     "v1.2.3", "order 12345678", "ISO 8601 2024-05-06"],
)  # fmt: skip
def test_pii_false_positive_checks(text: str) -> None:
    """Bad IBAN checksums and lengths, impossible SSN ranges, dates and versions are kept."""
    assert redact(text, RedactionOptions(pii=True)) == (text, {})


def test_valid_iban_and_ssn_are_redacted() -> None:
    assert redact("DE89 3704 0044 0532 0130 00 / GB82WEST12345698765432 / 123-45-6789",
                  RedactionOptions(pii=True)) == (
        "[REDACTED:iban] / [REDACTED:iban] / [REDACTED:us_ssn]", {"iban": 2, "us_ssn": 1}
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [("from 203.0.113.9:443", "from [REDACTED:ip_address]:443"),
     ("peer 2001:db8::8a2e:370:7334.", "peer [REDACTED:ip_address]."),
     ("lo ::1 up", "lo [REDACTED:ip_address] up"),
     ("at 10:30:00 v1.2.3.4 999.1.1.1 1.2.3", "at 10:30:00 v1.2.3.4 999.1.1.1 1.2.3")],
)  # fmt: skip
def test_ips_only_when_asked(text: str, expected: str) -> None:
    assert redact(text, RedactionOptions(pii=True)) == (text, {})
    assert redact(text, RedactionOptions(ips=True))[0] == expected


# -- the false-positive corpus ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "options"),
    [("default", RedactionOptions()), ("pii+ips", RedactionOptions(pii=True, ips=True))],
)
def test_false_positive_rate_on_ordinary_arguments_is_bounded(
    name: str, options: RedactionOptions
) -> None:
    redactor = Redactor(options)
    corpus = ordinary()
    touched = [(kind, text) for kind, text in corpus if redactor.redact_str(text, {}) != text]
    rate = len(touched) / len(corpus)
    print(f"false positives ({name}): {len(touched)}/{len(corpus)} = {rate:.2%}")
    assert rate <= FP_BOUND, touched
    assert {kind for kind, _ in touched} <= set(KINDS) - {"uuid", "git_sha", "our_hash", "path"}


# -- properties -------------------------------------------------------------------------------

FRAGMENTS = [text for gen in FORMATS.values() for text in [gen(random.Random(11))[0]]]
TEXT = st.lists(st.one_of(st.text(max_size=12), st.sampled_from(FRAGMENTS)), max_size=6).map(
    " ".join
)
KEYS = st.one_of(st.text(max_size=10), st.sampled_from(FRAGMENTS), st.integers(), st.none())
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=12,
)
REDACTORS = [Redactor(OPTIONS), Redactor(), Redactor(RedactionOptions(max_string=64))]


def _outside_placeholders(s: str) -> int:
    return len(PLACEHOLDER_RE.sub("", s))


@settings(max_examples=300, deadline=None)
@given(JSON, st.sampled_from(REDACTORS))
def test_property_never_raises_and_is_idempotent(value: Any, redactor: Redactor) -> None:
    counts: dict[str, int] = {}
    once = redactor.redact_value(value, counts)
    again: dict[str, int] = {}
    assert redactor.redact_value(once, again) == once
    assert again == {}


@settings(max_examples=300, deadline=None)
@given(TEXT, st.sampled_from(REDACTORS))
def test_property_text_outside_placeholders_never_grows_past_its_bound(
    text: str, redactor: Redactor
) -> None:
    out = redactor.redact_str(text, {})
    limit = redactor._max_string or len(text)
    assert _outside_placeholders(out) <= min(_outside_placeholders(text), limit)
    assert len(out) <= len(text) + 24 * len(PLACEHOLDER_RE.findall(out))
