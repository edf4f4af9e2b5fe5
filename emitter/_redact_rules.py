"""The built-in redaction rules: one regex branch per format, and the checks that confirm a match.

Each rule is ``(type, back, regex)``. The regex starts with a literal (mostly the rare last
character of a token's prefix, so that the combined regex only stops there); the secret starts
``back`` characters before the match. Named groups: ``s``/``t``/``u`` the span to replace
(default: the whole match), ``c`` a card's 4-4-4-4 part. A type listed in ``DYNAMIC_START`` finds
its start by walking back from the anchor (variable-width prefixes the regex engine cannot look
behind). ``CHECKS`` confirm a match (checksums, ranges); ``locate`` turns a match into the span
to replace, or rejects it. Everything here is data plus small pure functions;
``redact.Redactor`` compiles and runs it.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
import string
from collections.abc import Callable

__all__ = [
    "BUILTIN",
    "CHECKS",
    "DYNAMIC_START",
    "EMAIL",
    "GUARDS",
    "GUARD_WIDTH",
    "IBAN",
    "IP",
    "KEY_HINT",
    "KEY_PLAIN",
    "KEY_SECRET",
    "KV_VALUE",
    "PHONE",
    "SSN",
    "iban_ok",
    "ip_ok",
    "locate",
    "luhn",
    "phone_ok",
    "spellings",
    "ssn_ok",
]


#: branch regex -> the last 3 characters its text must end with at the anchor (every spelling of
#: its prefix): the compiler checks them once for a run of such branches (a cheap guard)
GUARDS: dict[str, frozenset[str]] = {}
GUARD_WIDTH = 3


def spellings(prefix: str) -> set[str]:
    """Every string a prefix regex matches. Prefixes use only literals, ``\\x`` escapes,
    ``[abc]`` sets without ranges and ``(?:a|b)`` groups; anything else is an error."""

    def seq(i: int) -> tuple[set[str], int]:
        out = {""}
        while i < len(prefix) and prefix[i] not in ")|":
            c = prefix[i]
            if c == "\\":
                opts, i = {prefix[i + 1]}, i + 2
            elif c == "[":
                j = prefix.index("]", i)
                opts, i = set(prefix[i + 1 : j]), j + 1
                if "-" in opts or "^" in opts or "\\" in opts:
                    raise ValueError(f"prefix {prefix!r}: only plain character sets")
            elif prefix.startswith("(?:", i):
                opts, i = set(), i + 3
                while True:
                    alt, i = seq(i)
                    opts |= alt
                    if i >= len(prefix):
                        raise ValueError(f"prefix {prefix!r}: unbalanced group")
                    i += 1
                    if prefix[i - 1] == ")":
                        break
            elif c in "(){}*+?.^$":
                raise ValueError(f"prefix {prefix!r}: {c!r} is not supported")
            else:
                opts, i = {c}, i + 1
            out = {a + b for a in out for b in opts}
        return out, i

    found, end = seq(0)
    if end != len(prefix):
        raise ValueError(f"prefix {prefix!r}: unbalanced group")
    return found


def _after(prefix: str, width: int, rest: str, edge: str = "A-Za-z0-9_") -> tuple[int, str]:
    """A branch anchored on the last character of ``prefix`` (a regex of fixed ``width``), which
    must follow a character outside ``[edge]``; the match starts ``width - 1`` chars late."""
    anchor = re.escape(prefix[-1])
    # the token's next character, when a plain letter or digit, comes right after the anchor,
    # before the look-behinds: on a mismatch the engine skips the branch without entering it
    nxt = rest[0] if rest[0].isalnum() and rest[1:2] not in ("{", "*", "+", "?") else ""
    if width == 1:  # the anchor is the whole prefix
        return 0, f"{anchor}{nxt}(?<![{edge}]{prefix}{nxt}){rest[len(nxt) :]}"
    src = f"{anchor}{nxt}(?<={prefix}{nxt})(?<![{edge}]{prefix}{nxt}){rest[len(nxt) :]}"
    texts = spellings(prefix)
    if any(len(t) != width for t in texts):
        raise ValueError(f"prefix {prefix!r} is not {width} characters wide")
    if width >= GUARD_WIDTH:
        GUARDS[src] = frozenset(t[-GUARD_WIDTH:] for t in texts)
    return width - 1, src


_TOK = "A-Za-z0-9_-"
_END = f"(?![{_TOK}])"
_BEARER = r"[ \t]+(?P<s>[A-Za-z0-9._~+/-]+=*)(?![A-Za-z0-9._~+/=[-])"
_BASIC = r"[ \t]+(?P<s>[A-Za-z0-9+/]{6,}={0,2})(?![A-Za-z0-9+/=])"
# 13-19 contiguous digits, 4-4-4-4[-1..3] (c = the 4-4-4-4 part), 4-6-5 or 4-6-4
_CARD = (
    r"(?:\d{12,18}(?!\w)|(?P<c>\d{3}(?P<sep>[ -])\d{4}(?P=sep)\d{4}(?P=sep)\d{4})"
    r"(?:(?P=sep)\d{1,3})?(?![\w-])|\d{3}(?P<sepb>[ -])\d{6}(?P=sepb)\d{4,5}(?![\w-]))"
)
# prefixed tokens of well-known services: (type, prefix regex, its width, rest of the token). The
# prefix ends on the anchor: a character rare in ordinary text, or one already anchoring another
# rule (A, 3, ., _, -), so that the engine stops at as few places as possible
_PREFIXED: tuple[tuple[str, str, int, str], ...] = (
    ("github_token", "gh[pousr]_", 4, r"[A-Za-z0-9_]{36,255}(?![A-Za-z0-9_])"),
    ("github_token", "ghs_", 4, rf"[0-9]{{1,20}}_[{_TOK}]+\.[{_TOK}]+\.[{_TOK}]+{_END}"),
    ("github_token", "github_", 7, r"pat_[A-Za-z0-9_]{22,255}(?![A-Za-z0-9_])"),
    # one branch per prefix width (a look-behind has one width): pat ptt cbt oas imt, dt ft rt
    *(("gitlab_token", f"gl(?:{p})-", w, r"[A-Za-z0-9_-]{20,}")
      for p, w in (("pat|ptt|cbt|oas|imt", 6), ("dt|ft|rt", 5), ("soat", 7), ("agent", 8))),
    ("gitlab_token", "G", 1, r"R1348941[A-Za-z0-9_-]{20,}"),
    ("slack_token", "xox[abposre]-", 5, r"(?:[0-9]+-[A-Za-z0-9-]+|[A-Za-z0-9-]{10,})"),
    ("slack_token", "xapp-", 5, r"[A-Za-z0-9-]{10,}"),
    ("stripe_key", "[rs]k_(?:live|test)_", 8, r"[A-Za-z0-9]{10,}"),
    ("stripe_key", "whsec_", 6, r"[A-Za-z0-9+/]{20,}"),
    ("google_api_key", "AIz", 3, rf"a[{_TOK}]{{30,}}{_END}"),
    ("npm_token", "npm_", 4, r"[A-Za-z0-9_]{30,}(?![A-Za-z0-9_])"),
    ("pypi_token", "pypi-", 5, rf"AgE[{_TOK}]{{40,}}"),
    ("huggingface_token", "hf_", 3, r"[A-Za-z0-9]{30,}(?![A-Za-z0-9_])"),
    ("huggingface_token", "api_org_", 8, r"[A-Za-z0-9]{30,}(?![A-Za-z0-9_])"),
    ("twilio_key", "SK", 2, r"[0-9a-z]{32}(?![0-9A-Za-z])"),
    ("twilio_key", "A", 1, r"C[0-9a-z]{32}(?![0-9A-Za-z])"),
    ("sendgrid_key", "SG\\.", 3, rf"[{_TOK}]{{16,32}}\.[{_TOK}]{{16,64}}"),
    ("mailgun_key", "key-", 4, r"[0-9a-zA-Z]{32}(?![0-9A-Za-z])"),
    ("digitalocean_token", "do[por]_v1_", 7, r"[a-f0-9]{64}(?![0-9A-Za-z])"),
    ("databricks_token", "dap", 3, r"i[A-Fa-f0-9]{32}(?:-[0-9])?(?![0-9A-Za-z])"),
    ("shopify_token", "shp(?:at|ca|pa|ss)_", 6, r"[A-Za-z0-9]{32,64}(?![A-Za-z0-9])"),
    ("docker_token", "dckr_pat_", 9, rf"[{_TOK}]{{20,}}"),
    ("figma_token", "figd_", 5, rf"[{_TOK}]{{30,}}"),
    ("grafana_token", "glc_", 4, r"[A-Za-z0-9+/]{32,}={0,2}"),
    ("grafana_token", "glsa_", 5, r"[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}"),
    ("groq_key", "gsk_", 4, r"[A-Za-z0-9]{40,}"),
    ("vault_token", "hv[sbr]\\.", 4, rf"[{_TOK}]{{24,}}"),
    ("linear_key", "lin_api_", 8, r"[A-Za-z0-9_]{30,}"),
    ("notion_token", "ntn_", 4, r"[A-Za-z0-9]{40,}"),
    ("onepassword_token", "ops_", 4, r"eyJ[A-Za-z0-9+/=]{20,}"),
    ("tailscale_key", "tskey-", 6, r"[a-z]{2,20}-[0-9A-Za-z_]{8,40}-[0-9A-Za-z_]{16,}"),
    ("vercel_token", "vc[pikar]_", 4, r"[A-Za-z0-9]{20,}(?![A-Za-z0-9])"),
    ("cloudflare_token", "cfk_", 4, r"[A-Za-z0-9]{40,}(?![A-Za-z0-9])"),
    ("cloudflare_token", "cf[au]t_", 5, r"[A-Za-z0-9]{40,}(?![A-Za-z0-9])"),
    ("age_secret_key", "AGE-SECRET-KEY-", 15, r"1[0-9A-Z]{50,}"),
    ("atlassian_token", "A", 1, r"TATT3[A-Za-z0-9_=-]{40,}"),
    ("square_token", "sq0(?:csp|atp)-", 7, r"[A-Za-z0-9_\\-]{22,}"),
    ("artifactory_key", "A", 1, r"KCp?[A-Za-z0-9]{10,}(?![A-Za-z0-9])"),
    ("artifactory_key", "A", 1, r"P[0-9A-F][A-Za-z0-9]{8,}(?![A-Za-z0-9])"),
    ("anthropic_key", "sk-ant-", 7, r"[A-Za-z0-9_-]{20,}"),
    ("openai_key", "sk-", 3, r"(?!ant-)(?=[A-Za-z_-]*[0-9])[A-Za-z0-9_-]{20,}"),
    ("aws_access_key_id", "A(?:KI|SI|BI|CC|GP|ID|RO|IP|NP|NV|PK)A", 4,
     r"[A-Z0-9]{16}(?![A-Za-z0-9])"),
    ("aws_access_key_id", "A", 1, r"3T[A-Z0-9]{17}(?![A-Za-z0-9])"),
    ("jwt", "eyJ", 3, rf"[{_TOK}]{{5,}}\.[{_TOK}]{{5,}}(?:\.[{_TOK}]*){{1,3}}"),
)  # fmt: skip
_EDGE = {"anthropic_key": _TOK, "openai_key": _TOK, "jwt": _TOK, "aws_access_key_id": "A-Za-z0-9",
         "twilio_key": "A-Za-z0-9", "artifactory_key": "A-Za-z0-9"}  # fmt: skip

BUILTIN: tuple[tuple[str, int, str], ...] = (
    ("private_key", 0, r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"
     r"(?:[\s\S]*?-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|[\s\S]*)"),
    *((t, *_after(p, w, r, _EDGE.get(t, "A-Za-z0-9_"))) for t, p, w, r in _PREFIXED),
    # Discord bot token: <24-26 base64 id>.<6>.<27-38>; the id is found walking back (dynamic)
    ("discord_token", 0, rf"\.(?<=[{_TOK}]{{23}}\.)[{_TOK}]{{6}}\.[{_TOK}]{{27,38}}{_END}"),
    # Telegram bot token: <8-10 digit bot id>:<35> (the id is found walking back)
    ("telegram_token", 0, rf":(?<=[0-9]{{8}}:)[{_TOK}]{{35}}{_END}"),
    # Mailchimp: 32 hex, -us<datacenter>
    ("mailchimp_key", 32, r"-(?=us[0-9])(?<=[0-9a-z]{32}-)(?<![0-9A-Za-z][0-9a-z]{32}-)us[0-9]{1,2}"
     r"(?![0-9A-Za-z])"),
    # Azure AD client secret: xxx<digit>Q~<31-34>
    ("azure_client_secret", 5, r"~(?<=[A-Za-z0-9_.]{3}[0-9]Q~)[A-Za-z0-9_~.-]{31,34}"
     r"(?![A-Za-z0-9_~.-])"),
    *(("bearer_token", 0, f"{w[:2]}(?<![A-Za-z0-9]{w[:2]}){w[2:]}{_BEARER}")
      for w in ("Bearer", "bearer", "BEARER")),
    *(("basic_auth", 0, f"{w[:2]}(?<![A-Za-z0-9]{w[:2]}){w[2:]}{_BASIC}")
      for w in ("Basic", "basic", "BASIC")),
    ("slack_webhook", 0, r"://hooks\.slack\.com/(?:services|workflows|triggers)/"
     r"(?P<s>[A-Za-z0-9_/+-]+)"),
    ("url_password", 0, r"://[^\s:/@[\]]*:(?P<s>[^\s/?#[\]@]+)@"),
    *(("credit_card", 0, rf"{d}(?<![\w.]{d}){_CARD}") for d in "23456"),
)  # fmt: skip
DYNAMIC_START = frozenset({"discord_token", "telegram_token"})

# name=value / "name": "value": anchored on the separator; the name is checked in Python
KV_VALUE = (
    r"[ \t]*+(?![=:{(\[]|//|-----BEGIN|(?i:bearer|basic|digest)\s|(?:null|true|false)\b)"
    r"(?:\\?\"(?P<s>(?:(?!\[REDACTED:)[^\"\\\n])+)\\?\"|'(?P<t>(?:(?!\[REDACTED:)[^'\n])+)'"
    r"|(?P<u>(?:(?!\[REDACTED:)[^\s\"'&;,<>\\])+))"
)
EMAIL = (("email", 0, r"@(?<=[A-Za-z0-9._%+-]@)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
                      r"\.[A-Za-z]{2,}(?![A-Za-z0-9-])"),)  # fmt: skip
PHONE = (
    ("phone", 0, r"\+(?<![\w+]\+)[1-9][0-9 .()-]{6,20}[0-9](?!\w)"),
    ("phone", 0, r"\((?<![\w(]\()[2-9]\d{2}\) ?[2-9]\d{2}[-. ]\d{4}(?![\w-])"),
    *(("phone", 0, rf"{d}(?<![\w+.]{d})\d{{2}}[-. ][2-9]\d{{2}}[-. ]\d{{4}}(?![\w-])")
      for d in "23456789"),
)  # fmt: skip
# IBAN: anchored on the first check digit, the country code is 2 letters before it
IBAN = tuple(
    ("iban", 2, rf"{d}(?<=(?<![A-Za-z0-9])[A-Z]{{2}}{d})[0-9](?:[ ]?[A-Z0-9]{{4}}){{2,7}}"
                r"(?:[ ]?[A-Z0-9]{1,4})?(?![A-Za-z0-9])")
    for d in "0123456789"
)  # fmt: skip
SSN = tuple(
    ("us_ssn", 0, rf"{d}(?<![\w.+-]{d})\d{{2}}(?P<sep>[- ])\d{{2}}(?P=sep)\d{{4}}(?![\w-])")
    for d in "012345678"
)  # fmt: skip
IP = (
    *(("ip_address", 0, rf"{d}(?<![\w.:]{d})\d{{0,2}}\.\d{{1,3}}\.\d{{1,3}}\.\d{{1,3}}(?![\w.])")
      for d in "123456789"),
    *(("ip_address", w, rf":(?<=(?<![0-9A-Za-z:.])[0-9A-Fa-f]{{{w}}}:)"
                        r"(?:[0-9A-Fa-f]{0,4}:){1,6}[0-9A-Fa-f]{0,4}(?![0-9A-Za-z:]|\.[0-9])")
      for w in range(5)),
)  # fmt: skip

_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
    "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "ES": 24,
    "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
    "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
    "LB": 28, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25,
    "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TN": 24,
    "TR": 26, "UA": 29, "VG": 24, "XK": 20,
}  # fmt: skip


def luhn(digits: str) -> bool:
    doubled = sum((0, 2, 4, 6, 8, 1, 3, 5, 7, 9)[int(c)] for c in digits[-2::-2])
    return (sum(map(int, digits[-1::-2])) + doubled) % 10 == 0


def iban_ok(text: str) -> bool:
    """A known country's length and the ISO 13616 mod-97 checksum."""
    iban = text.replace(" ", "")
    if _IBAN_LENGTHS.get(iban[:2]) != len(iban):
        return False
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def ssn_ok(text: str) -> bool:
    """US SSN ranges: area 001-899 but not 666, group 01-99, serial 0001-9999."""
    digits = "".join(c for c in text if c.isdigit())
    area, group, serial = int(digits[:3]), int(digits[3:5]), int(digits[5:])
    return 0 < area < 900 and area != 666 and group > 0 and serial > 0


def ip_ok(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return ":" in text or text.count(".") == 3


def phone_ok(text: str) -> bool:
    return 8 <= sum(c.isdigit() for c in text) <= 15


#: type -> check the matched text must pass
CHECKS = {"iban": iban_ok, "us_ssn": ssn_ok, "ip_address": ip_ok, "phone": phone_ok}

#: what a key name is (``redact.Redactor._key_kind``): plain, hinting at a secret, naming one
KEY_PLAIN, KEY_HINT, KEY_SECRET = 0, 1, 2
_AWS_VALUE = re.compile(r"[A-Za-z0-9/+]{40}")
_IDENT = string.ascii_letters + string.digits + "_.-"
_EMAIL_LOCAL = _IDENT + "%+"
_TOKEN_CHARS = frozenset(string.ascii_letters + string.digits + "_-")


def locate(
    m: re.Match[str],
    typ: str,
    back: int,
    last: int,
    groups: tuple[str, ...],
    key_kind: Callable[[str], int],
    hinted_hit: Callable[[str], bool],
) -> tuple[int, int, str] | None:
    """(start, end, type) to replace for a match ``m`` of a built-in rule (its capture
    ``groups``; no earlier than ``last``), or None to reject it. ``key_kind`` judges a name
    before ``=``/``:``; ``hinted_hit`` whether a hinted value holds a random-looking token."""
    s, st = m.string, m.start()
    kind = KEY_PLAIN
    aws = False
    if typ == "secret_key":  # the name before the separator must name (or hint at) a secret
        head = s[max(last, st - 160) : st].rstrip(" ").rstrip("'\"").rstrip("\\")
        name = head[len(head.rstrip(_IDENT)) :]
        if m.group()[0] == ":" and head[-len(name) - 1 : -len(name)] == "/":
            return None  # a path segment before a colon: an image tag, a port, not a name
        low = name.lower()
        aws = "aws" in low and "secret" in low
        kind = key_kind(name) if name else KEY_PLAIN
        if not (aws or kind):
            return None
    a, b = max(last, st - back), m.end()
    for g in groups:
        if g[1] != "c" and m.start(g) >= 0:
            a, b = m.span(g)
            break
    if typ == "secret_key":
        if aws and _AWS_VALUE.fullmatch(s, a, b):
            return a, b, "aws_secret_access_key"
        if kind == KEY_SECRET:
            return a, b, typ
        if kind == KEY_HINT and hinted_hit(s[a:b]):
            return a, b, "high_entropy"
        return None
    if typ in DYNAMIC_START:
        a = st
        if typ == "discord_token":
            while a > last and s[a - 1] in _TOKEN_CHARS:
                a -= 1
            return (a, b, typ) if 23 <= st - a <= 28 else None
        while a > last and s[a - 1].isdigit():
            a -= 1
        ok = 8 <= st - a <= 10 and not (a > 0 and s[a - 1].isalnum())
        return (a, b, typ) if ok else None
    if typ == "email":
        a = last + len(s[last:a].rstrip(_EMAIL_LOCAL))
        if a == st:
            return None
    elif typ == "credit_card":
        for end in (b, m.end(groups[0])) if groups and m.start(groups[0]) >= 0 else (b,):
            digits = "".join(ch for ch in s[a:end] if ch.isdigit())
            if 13 <= len(digits) <= 19 and luhn(digits):
                return a, end, typ
        return None
    elif typ == "bearer_token":
        while b > a and s[b - 1] == ".":
            b -= 1
        core = s[a:b].rstrip("=")
        if len(core) < 8 or (len(core) < 20 and not any(c.isdigit() for c in core)):
            return None
    elif typ == "basic_auth":
        try:
            if b":" not in base64.b64decode(s[a:b], validate=True):
                return None
        except (binascii.Error, ValueError):
            return None
    elif (check := CHECKS.get(typ)) is not None and not check(s[a:b]):
        return None
    return a, b, typ
