"""Redaction stage: scrub secrets from JSON-like values before they are hashed or stored.

Each secret becomes a typed placeholder ``[REDACTED:<type>]`` (snake_case ASCII type) and adds one
to ``counts[<type>]``; a value changes if and only if something was counted.

**Key names** are split into words (non-alphanumerics, camelCase humps) and lower-cased; a key
names a secret when a trailing run of its words, joined, equals a configured name without
separators: ``X-Api-Key``, ``apiKey``, ``DB_PASSWORD`` match, ``max_tokens``, ``password_hash``,
``PGPASSWORD`` do not. In a dict the whole value under such a key becomes ``[REDACTED:secret_key]``
(``None``, bools, empty values and placeholders are kept); in text, so does the value after
``name=``, ``name:`` or ``"name": "..."`` (also JSON-escaped), unless it is
``null``/``true``/``false`` or a ``Bearer``/``Basic`` scheme.

**Text types**: ``private_key`` (whole PEM block, or to the end if the END line is missing),
``aws_access_key_id``, ``aws_secret_access_key`` (40 chars after a name with ``aws`` and
``secret``), ``github_token``, ``gitlab_token``, ``slack_token``, ``slack_webhook`` (path),
``stripe_key`` (``sk_``/``rk_``/``whsec_``), ``anthropic_key``, ``openai_key`` (needs a digit),
``jwt``, ``bearer_token`` (8+ chars with a digit, or 20+; ``Bearer`` is kept), ``basic_auth`` (must
decode to ``user:pass``), ``url_password`` (``https://user:[REDACTED:url_password]@host``),
``secret_key`` (above), ``credit_card`` (13-19 digits, plain or grouped 4-4-4-4[-n]/4-6-5/4-6-4,
first digit 2-6, Luhn-valid), opt-in ``email`` and ``phone`` (``+`` and 8-15 digits, or US
``(555) 234-5678``), then ``extra_patterns``.

**Speed.** The built-in rules are one regex whose branches each start with a literal, mostly the
rare last character of a prefix (``_`` of ``ghp_``, ``J`` of ``eyJ``, ``=`` of ``name=``), so the
engine only stops there: a short clean string costs ~0.2 µs. Candidates are confirmed in Python
(Luhn, base64, key name). A changed string is re-scanned (at most 4 passes: a placeholder can
complete a boundary), so redaction is idempotent; ``extra_patterns`` (a second regex) must not
match placeholders.

**Bounds.** Only the first ``max_string`` characters are scanned (backed off to a whitespace among
the last 256, not to cut a token); the rest becomes ``[REDACTED:oversize]``: fail closed rather
than store unscanned text. Placeholders do not count against the limit (up to 4 x ``max_string``),
so redacting again changes nothing; ``max_string=0``: no cap. Containers nested deeper than 64
become ``[REDACTED:max_depth]``. Dicts and lists are copied, tuples become lists, strings are
scanned, dict keys are not, anything else is returned as is; the input is never mutated.
"""

from __future__ import annotations

import base64
import binascii
import re
import string
from dataclasses import dataclass

__all__ = ["DEFAULT_SECRET_KEYS", "PLACEHOLDER_RE", "RedactionOptions", "Redactor"]

DEFAULT_SECRET_KEYS: tuple[str, ...] = (
    "password", "passwords", "passwd", "passphrase", "secret", "secrets", "token", "api_key",
    "apikey", "access_key", "secret_key", "secret_access_key", "access_token", "refresh_token",
    "id_token", "authorization", "auth", "cookie", "set-cookie", "private_key", "client_secret",
    "session", "session_id", "credential", "credentials",
)  # fmt: skip
#: a whole placeholder, as produced by this module
PLACEHOLDER_RE = re.compile(r"\[REDACTED:[a-z][a-z0-9_]*\]")
_TYPE_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_RENAME = re.compile(r"(\(\?P<|\(\?P=)([a-z]+)")
_FLAGS = re.compile(r"\A(?:\(\?([aiLmsux]+)\))?")
_AWS_VALUE = re.compile(r"[A-Za-z0-9/+]{40}")
_KEY_PH = "[REDACTED:secret_key]"
_OVERSIZE = "[REDACTED:oversize]"
_MAX_DEPTH = 64
_KEY_CACHE_MAX = 4096
_IDENT = string.ascii_letters + string.digits + "_.-"
_EMAIL_LOCAL = _IDENT + "%+"


def _after(prefix: str, width: int, rest: str, edge: str = "A-Za-z0-9_") -> tuple[int, str]:
    """A branch anchored on the last character of ``prefix`` (a regex of fixed ``width``), which
    must follow a character outside ``[edge]``; the match starts ``width - 1`` chars late."""
    anchor = re.escape(prefix[-1])
    return width - 1, f"{anchor}(?<={prefix})(?<![{edge}]{prefix}){rest}"


_BEARER = r"[ \t]+(?P<s>[A-Za-z0-9._~+/-]+=*)(?![A-Za-z0-9._~+/=[-])"
_BASIC = r"[ \t]+(?P<s>[A-Za-z0-9+/]{6,}={0,2})(?![A-Za-z0-9+/=])"
# 13-19 contiguous digits, 4-4-4-4[-1..3] (c = the 4-4-4-4 part), 4-6-5 or 4-6-4
_CARD = (
    r"(?:\d{12,18}(?!\w)|(?P<c>\d{3}(?P<sep>[ -])\d{4}(?P=sep)\d{4}(?P=sep)\d{4})"
    r"(?:(?P=sep)\d{1,3})?(?![\w-])|\d{3}(?P<sepb>[ -])\d{6}(?P=sepb)\d{4,5}(?![\w-]))"
)
# (type, back, regex): each regex starts with a literal; the secret starts ``back`` characters
# before the match. Groups s/t/u: the span to replace (default: all); c: a card's 4-4-4-4 part.
_BUILTIN: tuple[tuple[str, int, str], ...] = (
    ("private_key", 0, r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"
     r"(?:[\s\S]*?-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|[\s\S]*)"),
    ("aws_access_key_id", *_after("A(?:KI|SI|BI|CC|GP|ID|RO|IP|NP|NV|PK)A", 4,
                                  r"[A-Z0-9]{16}(?![A-Za-z0-9])", "A-Za-z0-9")),
    ("github_token", *_after("gh[pousr]_", 4, r"[A-Za-z0-9]{36,255}(?![A-Za-z0-9_])")),
    ("github_token", *_after("github_", 7, r"pat_[A-Za-z0-9_]{22,255}(?![A-Za-z0-9_])")),
    *(("gitlab_token", *_after(f"gl{p}-", len(p) + 3, r"[A-Za-z0-9_-]{20,}"))
      for p in ("pat", "ptt", "cbt", "dt", "rt", "oas", "soat")),
    ("slack_token", *_after("xox[abposr]-", 5, r"[A-Za-z0-9-]{10,}")),
    ("slack_token", *_after("xapp-", 5, r"[A-Za-z0-9-]{10,}")),
    ("stripe_key", *_after("[rs]k_(?:live|test)_", 8, r"[A-Za-z0-9]{10,}")),
    ("stripe_key", *_after("whsec_", 6, r"[A-Za-z0-9+/]{20,}")),
    ("anthropic_key", *_after("sk-ant-", 7, r"[A-Za-z0-9_-]{20,}", "A-Za-z0-9_-")),
    ("openai_key", *_after("sk-", 3, r"(?!ant-)(?=[A-Za-z_-]*[0-9])[A-Za-z0-9_-]{20,}",
                           "A-Za-z0-9_-")),
    ("jwt", *_after("eyJ", 3, r"[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}(?:\.[A-Za-z0-9_-]*){1,3}",
                    "A-Za-z0-9_-")),
    *(("bearer_token", 0, f"{w[0]}(?<![A-Za-z0-9]{w[0]}){w[1:]}{_BEARER}")
      for w in ("Bearer", "bearer", "BEARER")),
    *(("basic_auth", 0, f"{w[0]}(?<![A-Za-z0-9]{w[0]}){w[1:]}{_BASIC}")
      for w in ("Basic", "basic", "BASIC")),
    ("slack_webhook", 0, r"://hooks\.slack\.com/(?:services|workflows|triggers)/"
     r"(?P<s>[A-Za-z0-9_/+-]{8,})"),
    ("url_password", 0, r"://[^\s:/@[\]]*:(?P<s>[^\s/?#[\]]+)@"),
    *(("credit_card", 0, rf"{d}(?<![\w.]{d}){_CARD}") for d in "23456"),
)  # fmt: skip
# name=value / "name": "value": anchored on the separator; the name is checked in Python
_KV_VALUE = (
    r"[ \t]*+(?![=:{(\[]|//|(?i:bearer|basic|digest)\s|(?:null|true|false)\b)"
    r"(?:\\?\"(?P<s>(?:(?!\[REDACTED:)[^\"\\\n])+)\\?\"|'(?P<t>(?:(?!\[REDACTED:)[^'\n])+)'"
    r"|(?P<u>(?:(?!\[REDACTED:)[^\s\"'&;,<>\\])+))"
)
_EMAIL = (("email", 0, r"@(?<=[A-Za-z0-9._%+-]@)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
                       r"\.[A-Za-z]{2,}(?![A-Za-z0-9-])"),)  # fmt: skip
_PHONE = (
    ("phone", 0, r"\+(?<![\w+]\+)[1-9][0-9 .()-]{6,20}[0-9](?!\w)"),
    ("phone", 0, r"\((?<![\w(]\()[2-9]\d{2}\) ?[2-9]\d{2}[-. ]\d{4}(?![\w-])"),
    *(("phone", 0, rf"{d}(?<![\w+.]{d})\d{{2}}[-. ][2-9]\d{{2}}[-. ]\d{{4}}(?![\w-])")
      for d in "23456789"),
)  # fmt: skip


def _luhn(digits: str) -> bool:
    doubled = sum((0, 2, 4, 6, 8, 1, 3, 5, 7, 9)[int(c)] for c in digits[-2::-2])
    return (sum(map(int, digits[-1::-2])) + doubled) % 10 == 0


@dataclass(frozen=True, slots=True)
class RedactionOptions:
    """What to redact. Key names are matched case- and separator-insensitively (see module doc)."""

    key_names: tuple[str, ...] = DEFAULT_SECRET_KEYS
    emails: bool = False
    phones: bool = False
    #: (type_name, regex): type_name is snake_case; the regex must not match the empty string
    extra_patterns: tuple[tuple[str, str], ...] = ()
    #: characters scanned per string; the rest becomes ``[REDACTED:oversize]``; 0 = no limit
    max_string: int = 65536


_PLAIN_SCALARS = (int, float, bool)


class Redactor:
    """Compiled redaction rules; thread-safe and reusable. See the module docstring."""

    __slots__ = ("_groups", "_key_cache", "_key_names", "_max_string", "_rx", "_types", "_xrx")

    def __init__(self, options: RedactionOptions | None = None) -> None:
        opts = options if options is not None else RedactionOptions()
        if opts.max_string < 0:
            raise ValueError("max_string must be >= 0")
        self._max_string = opts.max_string
        self._key_names = frozenset(re.sub("[^a-z0-9]", "", n.lower()) for n in opts.key_names)
        self._key_cache: dict[str, bool] = {}
        # one look-behind: the separator follows the last two letters of a name (or of
        # aws_secret[_key]), maybe then a quote or a space; _locate checks the whole name
        ends = {
            w[-1][-2:].lower()
            for n in (*opts.key_names, "secret", "key")
            if (w := _WORDS.findall(n))
        }
        alt = "|".join(r"[\s\S]" * (2 - len(e)) + "".join(f"[{c}{c.upper()}]" for c in e)
                       for e in sorted(ends))  # fmt: skip
        end = "".join(sorted({c for e in ends for c in (e[-1], e[-1].upper())}))
        kv = tuple(
            ("secret_key", 0, rf"{sep}(?<=(?:[\s\S](?:{alt})|(?:{alt})[\"' ]|[{end}]\\\"){sep})"
             + _KV_VALUE)
            for sep in ":="
        )  # fmt: skip
        specs = _BUILTIN + kv + (_EMAIL if opts.emails else ()) + (_PHONE if opts.phones else ())
        by_first: dict[str, list[str]] = {}  # one top-level branch per first character
        for i, (_, _, src) in enumerate(specs):
            n = 2 if src[0] == "\\" else 1
            rest = _RENAME.sub(rf"\g<1>_\g<2>{i}", src[n:]) + f"(?P<_m{i}>)"
            by_first.setdefault(src[:n], []).append(rest)
        self._rx = re.compile("|".join(f"{c}(?:{'|'.join(r)})" for c, r in by_first.items()))
        self._types = {f"_m{i}": (i, typ, back) for i, (typ, back, _) in enumerate(specs)}
        gi = self._rx.groupindex
        self._groups = [tuple(g for g in (f"_s{i}", f"_t{i}", f"_u{i}", f"_c{i}") if g in gi)
                        for i in range(len(specs))]  # fmt: skip
        xparts = []
        for j, (typ, src) in enumerate(opts.extra_patterns):
            if not _TYPE_NAME.match(typ):
                raise ValueError(f"extra pattern type {typ!r} is not snake_case ASCII")
            try:
                if re.compile(src).fullmatch(""):
                    raise ValueError(f"extra pattern {typ!r} matches the empty string")
            except re.error as exc:
                raise ValueError(f"extra pattern {typ!r} is not a valid regex: {exc}") from exc
            # a leading global flag group, e.g. "(?i)", becomes a scoped one
            xparts.append(_FLAGS.sub(r"(?\1:", src, count=1) + f")(?P<_x{j}>)")
            self._types[f"_x{j}"] = (-1, typ, 0)
        try:
            self._xrx = re.compile("|".join(xparts)) if xparts else None
        except re.error as exc:
            raise ValueError(f"extra patterns do not combine: {exc}") from exc

    def redact_value(self, value: object, counts: dict[str, int]) -> object:
        """Return a redacted copy of a JSON-like value; ``counts[type] += 1`` per redaction."""
        if type(value) is dict and self._xrx is None and self._flat_clean(value):
            return dict(value)  # the common case: flat arguments with nothing to redact
        return self._walk(value, counts, 0)

    def _flat_clean(self, value: dict[object, object]) -> bool:
        """Scalars only, no secret key name, no candidate in any string: nothing to redact."""
        search, limit = self._rx.search, self._max_string
        for key, item in value.items():
            if type(key) is not str or self._is_secret_key(key):
                return False
            if isinstance(item, str):
                if type(item) is not str or 0 < limit < len(item) or search(item):
                    return False
            elif not (item is None or type(item) in _PLAIN_SCALARS):
                return False
        return True

    def redact_str(self, s: str, counts: dict[str, int]) -> str:
        """Return ``s`` with every secret replaced by its typed placeholder."""
        tail = ""
        limit = self._max_string
        # placeholders do not count against the limit (up to 4x): redacting again is a no-op
        if 0 < limit < len(s) and (
            len(s) > 4 * limit or len(s) - sum(map(len, PLACEHOLDER_RE.findall(s))) > limit
        ):
            ws = max(s.rfind(c, max(0, limit - 256), limit) for c in " \n\t")
            s, tail = s[: ws + 1 if ws >= 0 else limit], _OVERSIZE
            counts["oversize"] = counts.get("oversize", 0) + 1
        m = self._rx.search(s) if self._xrx is None else self._next(s, 0)
        if m is None:
            return s + tail if tail else s
        for _ in range(4):  # re-scan after a change: a placeholder can complete a boundary
            if m is None or (out := self._scan(s, m, counts)) is s:
                break
            s = out
            m = self._next(s, 0)
        return s + tail

    def _scan(self, s: str, m: re.Match[str] | None, counts: dict[str, int]) -> str:
        """One pass from the first candidate ``m``; returns ``s`` itself if nothing matched."""
        out: list[str] = []
        last = 0
        while m is not None:
            i, typ, back = self._types[m.lastgroup or ""]
            hit = self._locate(m, i, typ, back, last) if i >= 0 else (m.start(), m.end(), typ)
            if hit is None or hit[0] >= hit[1]:
                m = self._next(s, m.start() + 1)
                continue
            a, b, typ = hit
            out.append(s[last:a])
            out.append(f"[REDACTED:{typ}]")
            counts[typ] = counts.get(typ, 0) + 1
            last = b
            m = self._next(s, b)
        if not out:
            return s
        out.append(s[last:])
        return "".join(out)

    def _next(self, s: str, pos: int) -> re.Match[str] | None:
        m = self._rx.search(s, pos)
        if self._xrx is not None:
            x = self._xrx.search(s, pos)
            if x is not None and (m is None or x.start() < m.start()):
                return x
        return m

    def _locate(
        self, m: re.Match[str], i: int, typ: str, back: int, last: int
    ) -> tuple[int, int, str] | None:
        """(start, end, type) to replace for built-in branch ``i``, or None to reject it."""
        s, st = m.string, m.start()
        if typ == "secret_key":  # the name before the separator must name a secret
            head = s[max(last, st - 160) : st].rstrip(" ").rstrip("'\"").rstrip("\\")
            name = head[len(head.rstrip(_IDENT)) :]
            low = name.lower()
            aws = "aws" in low and "secret" in low
            secret = bool(name) and self._is_secret_key(name)
            if not (aws or secret):
                return None
        a, b = max(last, st - back), m.end()
        groups = self._groups[i]
        for g in groups:
            if g[1] != "c" and m.start(g) >= 0:
                a, b = m.span(g)
                break
        if typ == "secret_key":
            if aws and _AWS_VALUE.fullmatch(s, a, b):
                return a, b, "aws_secret_access_key"
            return (a, b, typ) if secret else None
        if typ == "email":
            a = last + len(s[last:a].rstrip(_EMAIL_LOCAL))
            if a == st:
                return None
        elif typ == "credit_card":
            for end in (b, m.end(groups[0])) if groups and m.start(groups[0]) >= 0 else (b,):
                digits = "".join(ch for ch in s[a:end] if ch.isdigit())
                if 13 <= len(digits) <= 19 and _luhn(digits):
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
        elif typ == "phone" and not 8 <= sum(c.isdigit() for c in s[a:b]) <= 15:
            return None
        return a, b, typ

    def _is_secret_key(self, key: str) -> bool:
        hit = self._key_cache.get(key)
        if hit is None:
            words = _WORDS.findall(key)
            hit = any("".join(words[i:]).lower() in self._key_names for i in range(len(words)))
            if len(self._key_cache) >= _KEY_CACHE_MAX:
                self._key_cache.clear()
            self._key_cache[key] = hit
        return hit

    def _walk(self, v: object, counts: dict[str, int], depth: int) -> object:
        if type(v) is str:
            return self.redact_str(v, counts)
        if not isinstance(v, dict | list | tuple):
            return self.redact_str(str.__str__(v), counts) if isinstance(v, str) else v
        if depth >= _MAX_DEPTH:
            counts["max_depth"] = counts.get("max_depth", 0) + 1
            return "[REDACTED:max_depth]"
        depth += 1
        if not isinstance(v, dict):
            return [
                self.redact_str(x, counts) if type(x) is str else self._walk(x, counts, depth)
                for x in v
            ]
        out: dict[object, object] = {}
        cache = self._key_cache
        for k, item in v.items():
            secret = cache.get(k) if type(k) is str else False
            if secret is None:
                secret = self._is_secret_key(k)
            if not secret:
                out[k] = (
                    self.redact_str(item, counts)
                    if type(item) is str
                    else self._walk(item, counts, depth)
                )
            elif (
                item is None
                or isinstance(item, bool)
                or (isinstance(item, str | dict | list | tuple) and not item)
                or (isinstance(item, str) and PLACEHOLDER_RE.fullmatch(item))
            ):
                out[k] = item  # nothing to hide, or already redacted
            else:
                out[k] = _KEY_PH
                counts["secret_key"] = counts.get("secret_key", 0) + 1
        return out
