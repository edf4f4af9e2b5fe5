"""What the redactor looks for, compiled: the options (``RedactionOptions``), the default key
names and hint words, and :func:`compile_rules`, which turns them into the one regex the
redactor scans with: one top-level branch per first character (mostly the rare last character
of a token's prefix, so the engine only stops there), each branch naming its rule
(``_m<i>`` / ``_x<j>``) so a match says which rule it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import _redact_rules as rules

__all__ = [
    "DEFAULT_HINT_WORDS",
    "DEFAULT_SECRET_KEYS",
    "RedactionOptions",
    "compile_rules",
    "key_words",
]

DEFAULT_SECRET_KEYS: tuple[str, ...] = (
    "password", "passwords", "passwd", "passphrase", "pwd", "secret", "secrets", "token",
    "api_key", "apikey", "access_key", "secret_key", "secret_access_key", "access_token",
    "refresh_token", "id_token", "authorization", "auth", "cookie", "set-cookie", "private_key",
    "client_secret", "session", "session_id", "credential", "credentials", "db_pass",
    "database_pass", "key_pass", "account_key", "auth_key", "service_key", "client_key",
    "priv_key", "db_key", "database_key",
)  # fmt: skip
#: last words of a key name that lower the high-entropy bar for its value
DEFAULT_HINT_WORDS: tuple[str, ...] = (
    "key", "keys", "token", "tokens", "secret", "secrets", "pass", "pwd", "pin", "salt", "sig",
    "signature", "cookie", "auth", "credential", "credentials", "dsn", "cert", "jwt", "otp",
    "hmac", "sas",
)  # fmt: skip
_TYPE_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
#: the words of a key name: ``X-Api-Key`` -> X, Api, Key (camelCase humps and separators split)
key_words = _WORDS.findall
_RENAME = re.compile(r"(\(\?P<|\(\?P=)([a-z]+)")
_FLAGS = re.compile(r"\A(?:\(\?([aiLmsux]+)\))?")


@dataclass(frozen=True, slots=True)
class RedactionOptions:
    """What to redact. Key names are matched case- and separator-insensitively (see module doc)."""

    key_names: tuple[str, ...] = DEFAULT_SECRET_KEYS
    hint_words: tuple[str, ...] = DEFAULT_HINT_WORDS
    #: the PII profile: emails, phone numbers, IBANs, US SSNs
    pii: bool = False
    emails: bool = False
    phones: bool = False
    #: IPv4 / IPv6 addresses (not part of ``pii``: addresses are often wanted in an audit)
    ips: bool = False
    #: the high-entropy detector for unknown token shapes
    entropy: bool = True
    #: (type_name, regex): type_name is snake_case; the regex must not match the empty string
    extra_patterns: tuple[tuple[str, str], ...] = ()
    #: characters scanned per string; the rest becomes ``[REDACTED:oversize]``; 0 = no limit
    max_string: int = 65536


def _guarded(branches: list[tuple[str, frozenset[str] | None]]) -> str:
    """The branches of one first character as one alternation, in their order; a run of
    guarded branches shares one look-behind for the union of their guards (a necessary
    condition of each, so the result is the same, only cheaper to reject)."""
    out: list[str] = []
    run: list[str] = []
    ends: set[str] = set()

    def close() -> None:
        if len(run) > 1:
            alts = "|".join(re.escape(e) for e in sorted(ends))
            out.append(f"(?<={alts})(?:{'|'.join(run)})")
        else:
            out.extend(run)
        run.clear()
        ends.clear()

    for rest, guard in branches:
        if guard is None:
            close()
            out.append(rest)
        else:
            run.append(rest)
            ends.update(guard)
    close()
    return "|".join(out)


def compile_rules(
    opts: RedactionOptions,
    *,
    guards: bool = True,
) -> tuple[
    re.Pattern[str],
    dict[str, tuple[int, str, int]],
    list[tuple[str, ...]],
    re.Pattern[str] | None,
]:
    """The scanning regex, its rule of each branch (``{group: (index, type, back)}``), the
    capture groups each rule uses, and the regex of the ``extra_patterns`` (None: none).
    ``guards=False`` leaves out the cheap pre-checks (the same matches, slower: for tests)."""
    # one look-behind: the separator follows the last two letters of a name (or of
    # aws_secret[_key], or of a hint word), maybe then a quote or a space; _locate checks
    # the whole name
    ends = {
        w[-1][-2:].lower()
        for n in (*opts.key_names, *opts.hint_words, "secret", "key")
        if (w := _WORDS.findall(n))
    }
    # the exact endings, one branch per first letter (a literal: the engine skips a branch
    # whose first letter differs without entering it)
    seconds: dict[str, set[str]] = {}
    for e in ends:
        if len(e) == 2:
            for first in {e[0], e[0].upper()}:
                seconds.setdefault(first, set()).update((e[1], e[1].upper()))
    alt = "|".join(
        [f"{first}[{''.join(sorted(sec))}]" for first, sec in sorted(seconds.items())]
        + [rf"[\s\S][{e}{e.upper()}]" for e in sorted(ends) if len(e) == 1]
    )
    end = "".join(sorted({c for e in ends for c in (e[-1], e[-1].upper())}))
    # the name's last two letters, checked as two character sets first: cheap, and most
    # ':' and '=' in ordinary text fail here
    c2 = "".join(sorted({c for e in ends if len(e) == 2 for c in (e[0], e[0].upper())}))
    pre = (
        rf"(?:(?<=[{c2}][{end}]{{sep}})|(?<=[{c2}][{end}][\"' ]{{sep}})|(?<=[{end}]\\\"{{sep}}))"
        if guards and all(len(e) == 2 for e in ends)
        else ""
    )
    kv = tuple(
        ("secret_key", 0, rf"{sep}{pre.format(sep=sep)}"
         rf"(?<=(?:[\s\S](?:{alt})|(?:{alt})[\"' ]|[{end}]\\\"){sep})" + rules.KV_VALUE)
        for sep in ":="
    )  # fmt: skip
    pii = opts.pii
    specs = (
        rules.BUILTIN
        + kv
        + (rules.EMAIL if opts.emails or pii else ())
        + (rules.PHONE if opts.phones or pii else ())
        + (rules.IBAN + rules.SSN if pii else ())
        + (rules.IP if opts.ips else ())
    )
    # one top-level branch per first character; in it, each run of branches that look behind
    # for a prefix is tried only when the text ends with one of their prefixes' last characters
    by_first: dict[str, list[tuple[str, frozenset[str] | None]]] = {}
    for i, (_, _, src) in enumerate(specs):
        n = 2 if src[0] == "\\" else 1
        rest = _RENAME.sub(rf"\g<1>_\g<2>{i}", src[n:]) + f"(?P<_m{i}>)"
        first = src[n - 1]  # the literal character (``-`` and ``\-`` are one branch)
        by_first.setdefault(first, []).append((rest, rules.GUARDS.get(src) if guards else None))
    rx = re.compile("|".join(f"{re.escape(c)}(?:{_guarded(r)})" for c, r in by_first.items()))
    types: dict[str, tuple[int, str, int]] = {
        f"_m{i}": (i, typ, back) for i, (typ, back, _) in enumerate(specs)
    }
    gi = rx.groupindex
    groups = [tuple(g for g in (f"_s{i}", f"_t{i}", f"_u{i}", f"_c{i}") if g in gi)
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
        types[f"_x{j}"] = (-1, typ, 0)
    try:
        xrx = re.compile("|".join(xparts)) if xparts else None
    except re.error as exc:
        raise ValueError(f"extra patterns do not combine: {exc}") from exc
    return rx, types, groups, xrx
