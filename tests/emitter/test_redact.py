"""Redaction: every type positive and negative, key names, counts, shape, bounds, properties.

Fake secrets are built at runtime from obviously synthetic parts so that no literal in this file
looks like a real credential to a secret scanner.
"""

from __future__ import annotations

import base64
import copy
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tooltrail.emitter.redact import (
    DEFAULT_SECRET_KEYS,
    PLACEHOLDER_RE,
    RedactionOptions,
    Redactor,
)

GITHUB = "gh" + "p_" + "a" * 36
GITHUB_PAT = "github" + "_pat_" + "a" * 30
GITLAB = "gl" + "pat-" + "a" * 20
SLACK = "xo" + "xb-" + "0" * 12 + "-" + "a" * 12
SLACK_HOOK = "T" + "0" * 8 + "/B" + "0" * 8 + "/" + "x" * 24
STRIPE = "sk" + "_live_" + "0" * 24
STRIPE_WHSEC = "wh" + "sec_" + "a" * 32
OPENAI = "sk" + "-proj-" + "a1" * 24
ANTHROPIC = "sk" + "-ant-" + "api03-" + "a" * 40
AWS_ID = "AK" + "IA" + "0" * 16
AWS_SECRET = "a" * 20 + "/" + "B" * 19
JWT = "ey" + "J" + "a" * 10 + ".ey" + "J" + "b" * 10 + "." + "c" * 10
PEM_BODY = "M" + "A" * 63 + "\n" + "A" * 40
PEM = "-----BEGIN " + "RSA PRIVATE KEY-----\n" + PEM_BODY + "\n-----END " + "RSA PRIVATE KEY-----"
TOKEN = "tok" + "0" * 20
BASIC = base64.b64encode(b"user:" + b"x" * 8).decode()
PASSWORD = "pw" + "9" * 10
VISA = "4111" + "1111" * 3  # the well-known Visa test number (passes Luhn)
MASTERCARD = "5555" + "5555" + "5555" + "4444"
AMEX = "3782" + " 822463" + " 10005"


def redact(value: Any, options: RedactionOptions | None = None) -> tuple[Any, dict[str, int]]:
    counts: dict[str, int] = {}
    return Redactor(options).redact_value(value, counts), counts


# (type, text, the secret that must disappear, the exact expected output)
POSITIVE = [
    ("github_token", f"use {GITHUB} now", GITHUB, "use [REDACTED:github_token] now"),
    ("github_token", GITHUB_PAT, GITHUB_PAT, "[REDACTED:github_token]"),
    ("gitlab_token", f"({GITLAB})", GITLAB, "([REDACTED:gitlab_token])"),
    ("slack_token", SLACK, SLACK, "[REDACTED:slack_token]"),
    (
        "slack_webhook",
        "post to https://hooks.slack.com/services/" + SLACK_HOOK,
        SLACK_HOOK,
        "post to https://hooks.slack.com/services/[REDACTED:slack_webhook]",
    ),
    ("stripe_key", STRIPE, STRIPE, "[REDACTED:stripe_key]"),
    ("stripe_key", STRIPE_WHSEC, STRIPE_WHSEC, "[REDACTED:stripe_key]"),
    ("openai_key", f"OPENAI {OPENAI}", OPENAI, "OPENAI [REDACTED:openai_key]"),
    ("anthropic_key", ANTHROPIC, ANTHROPIC, "[REDACTED:anthropic_key]"),
    ("aws_access_key_id", f"id {AWS_ID}.", AWS_ID, "id [REDACTED:aws_access_key_id]."),
    (
        "aws_secret_access_key",
        f"aws_secret_access_key = {AWS_SECRET}",
        AWS_SECRET,
        "aws_secret_access_key = [REDACTED:aws_secret_access_key]",
    ),
    (
        "aws_secret_access_key",
        f'{{"AWS_SECRET_ACCESS_KEY": "{AWS_SECRET}"}}',
        AWS_SECRET,
        '{"AWS_SECRET_ACCESS_KEY": "[REDACTED:aws_secret_access_key]"}',
    ),
    ("jwt", f"jwt:{JWT}", JWT, "jwt:[REDACTED:jwt]"),
    ("private_key", f"k\n{PEM}\nend", PEM_BODY, "k\n[REDACTED:private_key]\nend"),
    ("private_key", PEM[:80], "M" + "A" * 10, "[REDACTED:private_key]"),  # END line cut off
    (
        "bearer_token",
        f"Authorization: Bearer {TOKEN}",
        TOKEN,
        "Authorization: Bearer [REDACTED:bearer_token]",
    ),
    ("bearer_token", f"bearer {JWT}.", JWT, "bearer [REDACTED:bearer_token]."),
    ("basic_auth", f"Basic {BASIC}", BASIC, "Basic [REDACTED:basic_auth]"),
    (
        "url_password",
        f"postgres://bob:{PASSWORD}@db:5432/app",
        PASSWORD,
        "postgres://bob:[REDACTED:url_password]@db:5432/app",
    ),
    (
        "url_password",
        f"https://user:{PASSWORD}@host/x",
        PASSWORD,
        "https://user:[REDACTED:url_password]@host/x",
    ),
    ("credit_card", f"card {VISA}", VISA, "card [REDACTED:credit_card]"),
    ("credit_card", "4111 1111 1111 1111 12/29", "4111 1111", "[REDACTED:credit_card] 12/29"),
    ("credit_card", "5555-5555-5555-4444", "5555-5555", "[REDACTED:credit_card]"),
    ("credit_card", f"amex {AMEX}.", AMEX, "amex [REDACTED:credit_card]."),
    ("credit_card", MASTERCARD, MASTERCARD, "[REDACTED:credit_card]"),
    ("secret_key", f"DB_PASSWORD={PASSWORD} x", PASSWORD, "DB_PASSWORD=[REDACTED:secret_key] x"),
    ("secret_key", f"--password={PASSWORD}", PASSWORD, "--password=[REDACTED:secret_key]"),
    (
        "secret_key",
        f'{{"apiKey": "{PASSWORD} two"}}',
        PASSWORD,
        '{"apiKey": "[REDACTED:secret_key]"}',
    ),
    (
        "secret_key",
        f'{{\\"client_secret\\": \\"{PASSWORD}\\"}}',
        PASSWORD,
        '{\\"client_secret\\": \\"[REDACTED:secret_key]\\"}',
    ),
    (
        "secret_key",
        f"https://x.io/cb?access_token={PASSWORD}&state=1",
        PASSWORD,
        "https://x.io/cb?access_token=[REDACTED:secret_key]&state=1",
    ),
    ("secret_key", f"password: {PASSWORD}", PASSWORD, "password: [REDACTED:secret_key]"),
]


@pytest.mark.parametrize(("typ", "text", "secret", "expected"), POSITIVE)
def test_each_type_is_redacted(typ: str, text: str, secret: str, expected: str) -> None:
    out, counts = redact(text)
    assert out == expected
    assert secret not in out
    assert counts == {typ: 1}


NEGATIVE = [
    "/tmp/data/report.csv",
    "the Bearer of bad news",
    "bearer authentication is described in RFC 6750.",
    "Bearer tokens are opaque",
    "Basic information",
    "basic authentication",
    "Basic " + "abcdefgh",  # base64, but decodes to no user:pass
    "4111111111111112",  # fails Luhn
    "4111 1111 1111 1112",
    "ts 1700000000000",  # 13 digits, but no card starts with 1
    "pi 3.4111111111111111",  # digits after a decimal point
    "id " + "9" * 20,  # too long for a card
    "gh" + "p_" + "short",
    "sk-learn is a library",
    "eyJ but not a token",
    "AKIA is a prefix",
    "https://example.com:8080/path?q=1",
    "http://user@host/path",
    "max_tokens=5 token_count: 3 password_hash=abc",
    "if token == expected: pass",
    "author: Jane; time 10:30",
    "password: null, token: true",
    "mail bob@example.com or call +1 415 555 2671 or (415) 555-2671",
    "task-" + "a" * 30,  # 'sk-' inside a word
    "x" + GITHUB,  # glued to a word: not a token boundary
]


@pytest.mark.parametrize("text", NEGATIVE)
def test_clean_text_is_left_alone(text: str) -> None:
    assert redact(text) == (text, {})


@pytest.mark.parametrize(
    "key",
    ["password", "PASSWORD", "Password", "db_password", "DB-PASSWORD", "x-api-key", "X_API_KEY",
     "apiKey", "ApiKey", "APIKEY", "api.key", "Set-Cookie", "clientSecret", "refresh_token",
     "Authorization", "proxy-authorization", "aws_secret_access_key", "sessionId", "credentials"],
)  # fmt: skip
def test_secret_key_names_are_case_and_separator_insensitive(key: str) -> None:
    assert redact({key: "v", "other": 1}) == (
        {key: "[REDACTED:secret_key]", "other": 1},
        {"secret_key": 1},
    )


@pytest.mark.parametrize(
    "key", ["max_tokens", "token_count", "author", "password_hash", "oauth_provider", "path"]
)
def test_innocent_key_names_are_kept(key: str) -> None:
    assert redact({key: "v"}) == ({key: "v"}, {})


def test_secret_key_values_of_any_shape_are_replaced_whole() -> None:
    value = {"token": 12345, "auth": {"user": "bob", "pass": "x"}, "secrets": ["a", "b"]}
    out, counts = redact(value)
    assert out == dict.fromkeys(value, "[REDACTED:secret_key]")
    assert counts == {"secret_key": 3}


def test_secret_key_values_with_nothing_to_hide_are_kept_and_not_counted() -> None:
    value = {"password": None, "token": True, "secret": "", "auth": {}, "api_key": "[REDACTED:x]"}
    assert redact(value) == (value, {})


def test_custom_key_names() -> None:
    opts = RedactionOptions(key_names=("pin",))
    assert redact({"pin": 1234, "password": "x"}, opts) == (
        {"pin": "[REDACTED:secret_key]", "password": "x"},
        {"secret_key": 1},
    )
    assert redact({"password": "x"}, RedactionOptions(key_names=())) == ({"password": "x"}, {})
    assert "passwd" in DEFAULT_SECRET_KEYS


def test_nested_values_and_exact_counts() -> None:
    value = {
        "path": "/tmp/a.txt",
        "limit": 10,
        "ratio": 0.5,
        "flag": False,
        "none": None,
        "headers": [{"Authorization": f"Bearer {TOKEN}"}, f"x {GITHUB} y {GITHUB}"],
        "nested": {"deeper": [[f"jwt {JWT}", {"api_key": "k"}], (VISA, "4111111111111112")]},
    }
    out, counts = redact(value)
    assert out == {
        "path": "/tmp/a.txt",
        "limit": 10,
        "ratio": 0.5,
        "flag": False,
        "none": None,
        "headers": [
            {"Authorization": "[REDACTED:secret_key]"},
            "x [REDACTED:github_token] y [REDACTED:github_token]",
        ],
        "nested": {
            "deeper": [
                ["jwt [REDACTED:jwt]", {"api_key": "[REDACTED:secret_key]"}],
                ["[REDACTED:credit_card]", "4111111111111112"],  # tuples become lists
            ]
        },
    }
    assert counts == {"secret_key": 2, "github_token": 2, "jwt": 1, "credit_card": 1}


def test_counts_accumulate_into_the_callers_dict() -> None:
    redactor = Redactor()
    counts = {"jwt": 2}
    redactor.redact_str(JWT, counts)
    redactor.redact_value([GITHUB], counts)
    assert counts == {"jwt": 3, "github_token": 1}


def test_input_is_never_mutated() -> None:
    value = {"password": "x", "list": [GITHUB, {"token": "t"}], "t": (JWT,)}
    before = copy.deepcopy(value)
    out, _ = redact(value)
    assert value == before
    assert out is not value
    assert out["list"] is not value["list"]


def test_unchanged_output_means_no_counts() -> None:
    value = {"a": [1, "b", {"c": None}], "d": "e"}
    out, counts = redact(value)
    assert out == value
    assert counts == {}


def test_other_types_pass_through() -> None:
    marker = object()

    class Sub(str):
        pass

    out, counts = redact({"o": marker, "b": b"bytes", "s": Sub(GITHUB), "i": 2**70})
    assert out == {"o": marker, "b": b"bytes", "s": "[REDACTED:github_token]", "i": 2**70}
    assert out["o"] is marker
    assert type(out["s"]) is str
    assert counts == {"github_token": 1}


def test_emails_only_when_enabled() -> None:
    text = "write to bob.smith+tag@mail.example.co.uk today"
    assert redact(text) == (text, {})
    assert redact(text, RedactionOptions(emails=True)) == (
        "write to [REDACTED:email] today",
        {"email": 1},
    )
    assert redact("x @ y and a@b", RedactionOptions(emails=True)) == ("x @ y and a@b", {})


@pytest.mark.parametrize(
    "text",
    ["+1 415 555 2671", "+44 20 7946 0958", "+14155552671", "(415) 555-2671", "415-555-2671"],
)
def test_phones_only_when_enabled(text: str) -> None:
    assert redact(f"call {text}.") == (f"call {text}.", {})
    assert redact(f"call {text}.", RedactionOptions(phones=True)) == (
        "call [REDACTED:phone].",
        {"phone": 1},
    )


@pytest.mark.parametrize("text", ["2024-01-15", "v1.2.3", "10.0.0.1", "+1 2", "1234567"])
def test_phones_negative(text: str) -> None:
    assert redact(text, RedactionOptions(phones=True)) == (text, {})


def test_extra_patterns() -> None:
    opts = RedactionOptions(extra_patterns=(("employee_id", r"\bEMP-\d{6}\b"), ("x_key", "XK\\w+")))
    out, counts = redact({"a": "ids EMP-123456, EMP-12 and XKabc " + GITHUB}, opts)
    assert out == {"a": "ids [REDACTED:employee_id], EMP-12 and [REDACTED:x_key] "
                         "[REDACTED:github_token]"}  # fmt: skip
    assert counts == {"employee_id": 1, "x_key": 1, "github_token": 1}


@pytest.mark.parametrize(
    "extra",
    [("Bad-Name", "x"), ("", "x"), ("ok", "("), ("ok", "a*"), ("ok", "(?P<a>x)|(?P<a>y)")],
)
def test_invalid_extra_patterns_are_refused(extra: tuple[str, str]) -> None:
    with pytest.raises(ValueError, match="extra pattern"):
        Redactor(RedactionOptions(extra_patterns=(extra,)))


def test_extra_patterns_with_a_leading_global_flag() -> None:
    opts = RedactionOptions(extra_patterns=(("ticket", r"(?i)tkt-\d+"),))
    assert redact("see TKT-42 and tkt-7", opts) == (
        "see [REDACTED:ticket] and [REDACTED:ticket]",
        {"ticket": 2},
    )


def test_extra_patterns_that_do_not_combine_are_refused() -> None:
    extras = (("one", "(?P<g>a)"), ("two", "(?P<g>b)"))
    with pytest.raises(ValueError, match="do not combine"):
        Redactor(RedactionOptions(extra_patterns=extras))


def test_oversize_strings_are_cut_fail_closed() -> None:
    redactor = Redactor(RedactionOptions(max_string=1000))
    text = "word " * 150 + GITHUB + " " + "z" * 2000
    counts: dict[str, int] = {}
    out = redactor.redact_str(text, counts)
    assert out == "word " * 150 + "[REDACTED:github_token] [REDACTED:oversize]"
    assert counts == {"github_token": 1, "oversize": 1}
    assert redactor.redact_str(out, counts) == out
    # placeholders do not count against the limit, so text that grew stays whole
    grown = "a" * 990 + " token=x"
    assert redactor.redact_str(grown, {}) == "a" * 990 + " token=[REDACTED:secret_key]"
    assert redactor.redact_str("a" * 990 + " token=[REDACTED:secret_key]", {}) == (
        "a" * 990 + " token=[REDACTED:secret_key]"
    )
    # no whitespace to back off to: cut at the limit
    assert redactor.redact_str("y" * 5000, {}) == "y" * 1000 + "[REDACTED:oversize]"
    # a token straddling the limit is not cut in half
    half = redactor.redact_str("a " * 490 + GITHUB + " tail", {})
    assert "ghp" not in half
    assert half.endswith(" [REDACTED:oversize]")
    unlimited = Redactor(RedactionOptions(max_string=0))
    assert unlimited.redact_str("y" * 100_000, {}) == "y" * 100_000
    with pytest.raises(ValueError, match="max_string"):
        Redactor(RedactionOptions(max_string=-1))


def test_deep_nesting_is_bounded() -> None:
    value: Any = "leaf"
    for _ in range(200):
        value = [value]
    out, counts = redact(value)
    depth = 0
    while isinstance(out, list):
        out, depth = out[0], depth + 1
    assert (out, depth, counts) == ("[REDACTED:max_depth]", 64, {"max_depth": 1})


@pytest.mark.parametrize(
    "text",
    ["A" * 50_000, "a1" * 25_000, "2" * 50_000, "x@" * 25_000, "a:" * 25_000, "ab_" * 17_000,
     "Bearer " * 7_000, "https://" + "a" * 50_000, "password=" * 5_000, "+1" * 25_000,
     "-----BEGIN PRIVATE KEY-----" + "A" * 50_000, "4111 " * 10_000, "sk-" * 15_000],
)  # fmt: skip
def test_pathological_inputs_run_in_linear_time(text: str) -> None:
    redactor = Redactor(RedactionOptions(emails=True, phones=True, max_string=0))
    start = time.perf_counter()
    redactor.redact_str(text, {})
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize(
    ("text", "expected", "counts"),
    [
        # a placeholder can complete the boundary of a secret glued to another one: re-scanned
        (
            f"Basic {BASIC}{GITHUB}",
            "Basic [REDACTED:basic_auth][REDACTED:github_token]",
            {"basic_auth": 1, "github_token": 1},
        ),
        # the user part of a URL never swallows a placeholder
        (f"://{GITHUB}@", "://[REDACTED:github_token]@", {"github_token": 1}),
        # a bearer token cannot end in "=" followed by more text, so the pair is still seen
        (
            f"Bearer aws_secret_access_key={AWS_SECRET}",
            "Bearer aws_secret_access_key=[REDACTED:aws_secret_access_key]",
            {"aws_secret_access_key": 1},
        ),
    ],
)
def test_regressions_found_by_hypothesis(text: str, expected: str, counts: dict[str, int]) -> None:
    assert redact(text) == (expected, counts)
    assert redact(expected) == (expected, {})


# ---- properties -------------------------------------------------------------------------------

# recognisable on their own
SECRETS = [GITHUB, GITHUB_PAT, GITLAB, SLACK, STRIPE, STRIPE_WHSEC, OPENAI, ANTHROPIC, AWS_ID,
           JWT, VISA, MASTERCARD]  # fmt: skip
# recognisable only in a context (and never embedded bare)
IN_CONTEXT = [TOKEN, BASIC, PASSWORD, AWS_SECRET, SLACK_HOOK, PEM_BODY]
SECRET_FRAGMENTS = [
    *SECRETS,
    f"Bearer {TOKEN}",
    f"Basic {BASIC}",
    f"https://u:{PASSWORD}@h.example/p",
    f"token={PASSWORD}",
    f'"password": "{PASSWORD}"',
    f"aws_secret_access_key={AWS_SECRET}",
    "https://hooks.slack.com/services/" + SLACK_HOOK,
    PEM,
]
FILLER = st.text(
    alphabet=st.sampled_from("abcxyzABJ0123456789 -_:=/.@+()'\"[]"), min_size=0, max_size=12
)
TEXT = st.lists(st.one_of(FILLER, st.sampled_from(SECRET_FRAGMENTS)), min_size=1, max_size=8).map(
    " ".join
)
KEYS = st.one_of(st.sampled_from(["password", "Api-Key", "path", "max_tokens", "q"]), FILLER)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=12,
)
REDACTORS = [
    Redactor(),
    Redactor(RedactionOptions(emails=True, phones=True)),
    Redactor(RedactionOptions(max_string=64)),
]


@settings(max_examples=500, deadline=None)
@given(TEXT, st.sampled_from(REDACTORS))
def test_property_no_embedded_secret_survives_and_redaction_is_idempotent(
    text: str, redactor: Redactor
) -> None:
    counts: dict[str, int] = {}
    once = redactor.redact_str(text, counts)
    for secret in SECRETS + IN_CONTEXT:
        if secret in text:
            assert secret not in once
    again: dict[str, int] = {}
    assert redactor.redact_str(once, again) == once
    assert again == {}
    assert sum(counts.values()) == len(PLACEHOLDER_RE.findall(once))


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_property_values_idempotent_and_counted(value: Any) -> None:
    redactor = Redactor()
    counts: dict[str, int] = {}
    once = redactor.redact_value(value, counts)
    again: dict[str, int] = {}
    assert redactor.redact_value(once, again) == once
    assert again == {}
    if not counts:
        assert once == value
