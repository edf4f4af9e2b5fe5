"""The secret and PII corpus: one generator per format, fresh random values from a seeded RNG.

Each ``Sample`` is the text as a user would paste it (``Authorization: Bearer …``, a DSN, a .env
line) and the parts of it that are secret: after redaction no secret, and no 12-character slice
of one, may be left anywhere. Values are built at run time from random characters, so no literal
in this file is a credential and no two runs of a format share a value by accident (the seed is
fixed: a failure replays).

PII formats need ``RedactionOptions(pii=True)``, addresses ``ips=True``: ``OPTIONS`` has both.
"""

from __future__ import annotations

import base64
import random
import string
from collections.abc import Callable
from dataclasses import dataclass

from tooltrail.emitter import RedactionOptions

__all__ = ["FORMATS", "OPTIONS", "Sample", "corpus", "slices"]

OPTIONS = RedactionOptions(pii=True, ips=True)

U36 = string.ascii_uppercase + string.digits
L36 = string.ascii_lowercase + string.digits
B62 = string.ascii_letters + string.digits
B64 = B62 + "+/"
B64URL = B62 + "-_"
HEX = "0123456789abcdef"


@dataclass(frozen=True)
class Sample:
    format: str
    text: str
    secrets: tuple[str, ...]


Gen = Callable[[random.Random], tuple[str, tuple[str, ...]]]


def r(rng: random.Random, n: int, alphabet: str = B62) -> str:
    """``n`` random characters with at least one digit and one letter (when the alphabet has)."""
    while True:
        s = "".join(rng.choice(alphabet) for _ in range(n))
        digits = any(c.isdigit() for c in alphabet)
        letters = any(c.isalpha() for c in alphabet)
        if n < 8 or (
            (not digits or any(c.isdigit() for c in s))
            and (not letters or any(c.isalpha() for c in s))
        ):
            return s


def _bare(prefix: str, n: int, alphabet: str = B62, suffix: str = "") -> Gen:
    def gen(rng: random.Random) -> tuple[str, tuple[str, ...]]:
        token = prefix + r(rng, n, alphabet) + suffix
        return token, (token,)

    return gen


def _ctx(template: str, n: int, alphabet: str = B62) -> Gen:
    """``template`` with ``{}`` replaced by a random secret of ``n`` characters."""

    def gen(rng: random.Random) -> tuple[str, tuple[str, ...]]:
        secret = r(rng, n, alphabet)
        return template.format(secret), (secret,)

    return gen


def _luhn_complete(rng: random.Random, prefix: str, length: int) -> str:
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    for check in string.digits:
        digits = body + check
        total = sum(int(c) for c in digits[-1::-2]) + sum(
            (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)[int(c)] for c in digits[-2::-2]
        )
        if total % 10 == 0:
            return digits
    raise AssertionError("unreachable")


def _card(prefix: str, length: int, groups: tuple[int, ...]) -> Gen:
    def gen(rng: random.Random) -> tuple[str, tuple[str, ...]]:
        digits = _luhn_complete(rng, prefix, length)
        parts, i = [], 0
        for g in groups:
            parts.append(digits[i : i + g])
            i += g
        text = " ".join(parts)
        return text, (text, digits)

    return gen


def _pem(kind: str, escaped: bool = False) -> Gen:
    # the body starts as real ones do (ASN.1 SEQUENCE "MII", or OpenSSH's magic): scanners check
    magic = "b3BlbnNzaC1rZXktdjEAAAAA" if kind == "OPENSSH " else "MII"

    def gen(rng: random.Random) -> tuple[str, tuple[str, ...]]:
        lines = [r(rng, 64, B64) for _ in range(4)] + [r(rng, 24, B64) + "=="]
        lines[0] = magic + lines[0][len(magic) :]
        nl = "\\n" if escaped else "\n"
        head, tail = f"-----BEGIN {kind}PRIVATE KEY-----", f"-----END {kind}PRIVATE KEY-----"
        text = f"{head}{nl}{nl.join(lines)}{nl}{tail}"
        return text, tuple(lines)

    return gen


def _jwt(rng: random.Random) -> tuple[str, tuple[str, ...]]:
    head = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').decode().rstrip("=")
    body = base64.urlsafe_b64encode(
        f'{{"sub":"{r(rng, 10, L36)}","iat":{rng.randrange(10**9, 2 * 10**9)}}}'.encode()
    ).decode()
    token = f"{head}.{body.rstrip('=')}.{r(rng, 43, B64URL)}"
    return token, (token,)


def _basic(rng: random.Random) -> tuple[str, tuple[str, ...]]:
    b64 = base64.b64encode(f"deploy:{r(rng, 16)}".encode()).decode()
    return f"Authorization: Basic {b64}", (b64,)


def _gcp(rng: random.Random) -> tuple[str, tuple[str, ...]]:
    key, lines = _pem("", escaped=True)(rng)
    text = (
        '{"type": "service_account", "project_id": "demo-project", '
        f'"private_key_id": "{r(rng, 40, HEX)}", "private_key": "{key}\\n", '
        '"client_email": "svc@demo-project.iam.gserviceaccount.com"}'
    )
    return text, lines


def _azure(rng: random.Random) -> tuple[str, tuple[str, ...]]:
    key = r(rng, 86, B64) + "=="
    text = (
        "DefaultEndpointsProtocol=https;AccountName=acmestore;"
        f"AccountKey={key};EndpointSuffix=core.windows.net"
    )
    return text, (key,)


def _discord(rng: random.Random) -> tuple[str, tuple[str, ...]]:
    uid = base64.b64encode(str(rng.randrange(10**17, 10**18)).encode()).decode().rstrip("=")
    token = f"{uid}.{r(rng, 6, B64URL)}.{r(rng, 27, B64URL)}"
    return token, (token,)


def _telegram(rng: random.Random) -> tuple[str, tuple[str, ...]]:
    token = f"{rng.randrange(10**8, 10**9)}:AA{r(rng, 33, B64URL)}"
    return token, (token,)


def _slack_hook(rng: random.Random) -> tuple[str, tuple[str, ...]]:
    path = f"T{r(rng, 8, U36)}/B{r(rng, 10, U36)}/{r(rng, 24)}"
    return f"https://hooks.slack.com/services/{path}", (path,)


def _openai_project(rng: random.Random) -> tuple[str, tuple[str, ...]]:
    token = f"sk-proj-{r(rng, 58, B64URL)}T3BlbkFJ{r(rng, 58, B64URL)}"
    return token, (token,)


def _openai_legacy(rng: random.Random) -> tuple[str, tuple[str, ...]]:
    token = f"sk-{r(rng, 20)}T3BlbkFJ{r(rng, 20)}"
    return token, (token,)


def _anthropic(rng: random.Random) -> tuple[str, tuple[str, ...]]:
    token = f"sk-ant-api03-{r(rng, 93, B64URL)}AA"
    return token, (token,)


def _notion(rng: random.Random) -> tuple[str, tuple[str, ...]]:
    token = f"ntn_{rng.randrange(10**10, 10**11)}{r(rng, 35)}"
    return token, (token,)


def _onepassword(rng: random.Random) -> tuple[str, tuple[str, ...]]:
    body = (
        f'{{"email":"{r(rng, 13, L36)}@1passwordserviceaccounts.lcl","muk":{{"k":"{r(rng, 43)}"}},'
        f'"secretKey":"A3-{r(rng, 6, U36)}-{r(rng, 6, U36)}","srpX":"{r(rng, 64, HEX)}"'
    )
    body += " " * ((1 - len(body) - 1) % 3) + "}"  # 3n+1 bytes: the base64 ends in "fQ=="
    token = "ops_" + base64.b64encode(body.encode()).decode()
    # its first 12 base64 characters are '{"email":' for every such token: not secret (and the
    # base64 of any JSON holding "email" at the same offset), so the secret starts after them
    return token, (token[16:],)


def _dotenv(rng: random.Random) -> tuple[str, tuple[str, ...]]:
    aws_id, aws_secret, stripe = "AKIA" + r(rng, 16, U36), r(rng, 40, B64), r(rng, 24)
    text = (
        f"AWS_ACCESS_KEY_ID={aws_id}\nAWS_SECRET_ACCESS_KEY={aws_secret}\n"
        f"STRIPE_SECRET_KEY=sk_live_{stripe}\nDEBUG=false"
    )
    return text, (aws_id, aws_secret, stripe)


def _email(rng: random.Random) -> tuple[str, tuple[str, ...]]:
    first, last = rng.choice(["jane", "omar", "li", "ana"]), rng.choice(["doe", "kim", "silva"])
    text = f"{first}.{last}{rng.randrange(10, 99)}@{r(rng, 8, L36)}.example.org"
    return text, (text,)


def _phone_intl(rng: random.Random) -> tuple[str, tuple[str, ...]]:
    text = f"+44 20 {rng.randrange(7000, 7999)} {rng.randrange(1000, 9999)}"
    return text, (text,)


def _phone_us(rng: random.Random) -> tuple[str, tuple[str, ...]]:
    text = f"({rng.randrange(201, 989)}) {rng.randrange(201, 989)}-{rng.randrange(1000, 9999)}"
    return text, (text,)


def _iban(rng: random.Random) -> tuple[str, tuple[str, ...]]:
    bban = "".join(rng.choice(string.digits) for _ in range(18))  # DE: 18 digits
    check = 98 - int(bban + "131400") % 97  # D=13 E=14, check digits 00
    iban = f"DE{check:02d}{bban}"
    grouped = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
    return grouped, (grouped, iban)


def _ssn(rng: random.Random) -> tuple[str, tuple[str, ...]]:
    area = rng.choice([a for a in range(1, 900) if a != 666])
    text = f"{area:03d}-{rng.randrange(1, 100):02d}-{rng.randrange(1, 10000):04d}"
    return text, (text,)


def _ipv4(rng: random.Random) -> tuple[str, tuple[str, ...]]:
    text = f"203.0.{rng.randrange(100, 255)}.{rng.randrange(100, 255)}"
    return text, (text,)


def _ipv6(rng: random.Random) -> tuple[str, tuple[str, ...]]:
    text = f"2001:db8:{r(rng, 4, HEX)}::{r(rng, 4, HEX)}:{r(rng, 4, HEX)}"
    return text, (text,)


def _azure_ad(rng: random.Random) -> tuple[str, tuple[str, ...]]:
    token = f"{r(rng, 3)}{rng.randrange(10)}Q~{r(rng, 34, B62 + '_~.-')}"
    return token, (token,)


FORMATS: dict[str, Gen] = {
    "aws_access_key_id": _bare("AKIA", 16, U36),
    "aws_secret_access_key_bare": _bare("", 40, B64),
    "aws_secret_access_key_env": _ctx("aws_secret_access_key = {}", 40, B64),
    "github_pat_classic": _bare("ghp_", 36),
    "github_oauth": _bare("gho_", 36),
    "github_fine_grained": _bare("github_pat_", 82, B62 + "_"),
    "github_app": _bare("ghs_", 36),
    "gitlab_pat": _bare("glpat-", 20, B64URL),
    "slack_bot": _ctx("xoxb-1234567890-2345678901234-{}", 24),
    "slack_user": _ctx("xoxp-1234567890-2345678901234-3456789012345-{}", 32, HEX),
    "slack_webhook": _slack_hook,
    "stripe_live": _bare("sk_live_", 24),
    "stripe_restricted": _bare("rk_test_", 24),
    "stripe_webhook": _bare("whsec_", 32),
    "openai_project": _openai_project,
    "openai_legacy": _openai_legacy,
    "anthropic": _anthropic,
    "jwt": _jwt,
    "pem_rsa": _pem("RSA "),
    "pem_openssh": _pem("OPENSSH "),
    "pem_pkcs8_escaped": _pem("", escaped=True),
    "pem_ec": _pem("EC "),
    "bearer_header": _ctx("Authorization: Bearer {}", 40),
    "basic_header": _basic,
    "url_password": _ctx("https://deploy:{}@git.example.com/repo.git", 16),
    "postgres_dsn": _ctx("postgres://app:{}@db.internal:5432/app", 20),
    "mysql_dsn": _ctx("mysql://root:{}@db.example.com:3306/shop", 16),
    "mongodb_dsn": _ctx("mongodb+srv://admin:{}@cluster0.example.net/test", 18),
    "redis_dsn": _ctx("redis://:{}@cache.internal:6379/0", 24),
    "card_visa": _card("4", 16, (4, 4, 4, 4)),
    "card_mastercard": _card("53", 16, (16,)),
    "card_amex": _card("37", 15, (4, 6, 5)),
    "dotenv_password": _ctx("DB_PASSWORD={}", 16),
    "json_api_key": _ctx('{{"api_key": "{}"}}', 32),
    "google_api_key": _bare("AIza", 35, B64URL),
    "gcp_service_account": _gcp,
    "azure_storage": _azure,
    "azure_ad_client_secret": _azure_ad,
    "npm": _bare("npm_", 36),
    "pypi": _bare("pypi-AgEIcHlwaS5vcmc", 70, B64URL),
    "huggingface": _bare("hf_", 34, string.ascii_letters),
    "twilio_api_key": _bare("SK", 32, HEX),
    "twilio_account_sid": _bare("AC", 32, HEX),
    "sendgrid": lambda rng: _bare(f"SG.{r(rng, 22, B64URL)}.", 43, B64URL)(rng),
    "mailgun": _bare("key-", 32, HEX),
    "digitalocean": _bare("dop_v1_", 64, HEX),
    "databricks": _bare("dapi", 32, HEX),
    "shopify": _bare("shpat_", 32, HEX),
    "discord_bot": _discord,
    "telegram_bot": _telegram,
    "docker_pat": _bare("dckr_pat_", 27, B64URL),
    "figma": _bare("figd_", 40, B64URL),
    "grafana_cloud": _bare("glc_", 40, B64),
    "grafana_service_account": lambda rng: _bare("glsa_", 32, B62, f"_{r(rng, 8, HEX)}")(rng),
    "groq": _bare("gsk_", 52),
    "vault": _bare("hvs.", 90, B64URL),
    "linear": _bare("lin_api_", 40),
    "notion": _notion,
    "onepassword": _onepassword,
    "tailscale": lambda rng: _bare(f"tskey-auth-{r(rng, 10)}-", 30)(rng),
    "vercel": _bare("vcp_", 24),
    "cloudflare": lambda rng: _bare("cfk_", 40, B62, r(rng, 8, HEX))(rng),
    "mailchimp": _bare("", 32, HEX, "-us12"),
    "square": _bare("sq0csp-", 43, B64URL),
    "artifactory": _bare("AKCp8", 68),
    "age": _bare("AGE-SECRET-KEY-1", 58, U36),
    "atlassian": _bare("ATATT3xFfGF0", 60, B64URL),
    "npmrc_token": _ctx("//registry.npmjs.org/:_authToken=npm_{}", 36),
    "npmrc_uuid": _ctx("//npm.example.com/:_authToken={}", 36, HEX),
    "cloudant_url": _ctx("https://acme-admin:{}@acme-admin.cloudant.com", 64, HEX),
    "cloudant_api_key": _ctx('cloudant_api_key = "{}"', 24, string.ascii_lowercase),
    "cookie_header": _ctx("Cookie: sessionid={}; theme=dark", 32, L36),
    "api_key_header": _ctx("X-Api-Key: {}", 32),
    "license_key_hint": _ctx("license_key: {}", 24),
    "query_access_token": _ctx("https://app.example.com/cb?code=1&access_token={}", 30),
    "dotenv_block": _dotenv,
    "ibm_cloud_iam": _ctx("ibm_cloud_iam_api_key = '{}'", 44, B64URL),
    "softlayer": _ctx("softlayer_api_key = {}", 64, HEX),
    "ibm_cos_hmac": _ctx('secret_access_key = "{}"', 48, HEX),
    "email": _email,
    "phone_international": _phone_intl,
    "phone_us": _phone_us,
    "iban": _iban,
    "us_ssn": _ssn,
    "ipv4": _ipv4,
    "ipv6": _ipv6,
}


def corpus(seed: int = 10) -> list[Sample]:
    rng = random.Random(seed)
    out = []
    for name, gen in FORMATS.items():
        text, secrets = gen(rng)
        out.append(Sample(name, text, secrets))
    return out


def slices(secret: str, width: int = 12) -> set[str]:
    """Every ``width``-character slice of ``secret`` (the secret itself when shorter)."""
    if len(secret) <= width:
        return {secret}
    return {secret[i : i + width] for i in range(len(secret) - width + 1)}
