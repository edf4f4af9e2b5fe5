"""Redaction stage: scrub secrets from JSON-like values before they are hashed or stored.

Each secret becomes a typed placeholder ``[REDACTED:<type>]`` (snake_case ASCII type) and adds one
to ``counts[<type>]``; a value changes if and only if something was counted. Coverage (formats,
the third-party rule sets that check it, thresholds, false-positive rates): docs/redaction.md.

**Everything string-typed is scanned**: strings at any depth, and dict *keys*: a key holding a
secret becomes its placeholder, made unique within its dict with ``#2``, ``#3`` ...

**Key names** are split into words (non-alphanumerics, camelCase humps) and lower-cased; a key
names a secret when a trailing run of its words, joined, equals a configured name without
separators: ``X-Api-Key``, ``apiKey``, ``DB_PASSWORD`` match, ``max_tokens``, ``password_hash``,
``PGPASSWORD`` do not. In a dict the whole value under such a key becomes ``[REDACTED:secret_key]``
(``None``, bools, empty values and placeholders are kept); in text, so does the value after
``name=``, ``name:`` or ``"name": "..."`` (also JSON-escaped), unless it is
``null``/``true``/``false``, a ``Bearer``/``Basic`` scheme or a PEM block. A key name whose last
word *hints* at a secret (``*_key``, ``*_token``, ``*secret*``, ``*_sig`` ...; ``hint_words``), or
that holds a secret's name followed by more words (``private_key_id``, ``password_hash``), lowers
the high-entropy detector's bar for its value (see ``_entropy``).

**Types**: prefixed tokens of ~40 services (``_redact_rules``), ``private_key`` (PEM block, or to
the end if the END line is missing), ``jwt``, ``bearer_token`` (``Bearer`` is kept),
``basic_auth`` (must decode to ``user:pass``), ``url_password``, ``slack_webhook``,
``secret_key``, ``credit_card`` (Luhn-valid), ``high_entropy`` (``_entropy``); with ``pii=True``
also ``email``, ``phone``, ``iban`` (mod-97 valid), ``us_ssn`` (valid ranges); ``ips=True``:
``ip_address`` (v4/v6, validated); then ``extra_patterns``.

**Speed.** The rules are one regex whose branches each start with a literal, mostly the rare last
character of a prefix, so the engine only stops there; candidates are confirmed in Python. Short
strings found clean are remembered (bounded cache), so a repeated key, tool name or value costs a
dict lookup; a new one costs that regex's search and, at 20+ characters, the entropy detector's
one-pass ``has_suspect``. Flat arguments take one inline pass (``redact_args``). A changed string
is re-scanned (at most 4 passes), so redaction is idempotent; ``extra_patterns`` (a second
regex) must not match placeholders.

**Bounds.** Only the first ``max_string`` characters are scanned (backed off to a whitespace among
the last 256, not to cut a token); the rest becomes ``[REDACTED:oversize]``: fail closed rather
than store unscanned text. Placeholders do not count against the limit (up to 4 x ``max_string``),
so redacting again changes nothing, and the text outside placeholders never grows. Containers
nested deeper than 64 become ``[REDACTED:max_depth]``. Dicts and lists are copied, tuples become
lists, anything else is returned as is; the input is never mutated; nothing raises on any
JSON-like input.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from tooltrail.contract.jcs import MAX_SAFE_INTEGER

from . import _redact_rules as rules
from ._entropy import HINTED_CANDIDATE, candidates, has_suspect, looks_random
from ._redact_compile import (
    DEFAULT_HINT_WORDS,
    DEFAULT_SECRET_KEYS,
    RedactionOptions,
    compile_rules,
    key_words,
)

__all__ = [
    "DEFAULT_HINT_WORDS",
    "DEFAULT_SECRET_KEYS",
    "PLACEHOLDER_RE",
    "RedactionOptions",
    "Redactor",
]

#: a whole placeholder, as produced by this module
PLACEHOLDER_RE = re.compile(r"\[REDACTED:[a-z][a-z0-9_]*\]")
_KEY_PH = "[REDACTED:secret_key]"
_OVERSIZE = "[REDACTED:oversize]"
_ENTROPY_PH = "[REDACTED:high_entropy]"
_MAX_DEPTH = 64
_CACHE_MAX = 4096
_CACHE_STR = 256  # longest string remembered as clean
_MIN_SAFE = -MAX_SAFE_INTEGER
_PLAIN, _HINT, _SECRET = rules.KEY_PLAIN, rules.KEY_HINT, rules.KEY_SECRET


class Redactor:
    """Compiled redaction rules; thread-safe and reusable. See the module docstring."""

    __slots__ = (
        "_clean",
        "_clean_keys",
        "_entropy",
        "_fast",
        "_groups",
        "_hint_words",
        "_key_cache",
        "_key_names",
        "_max_string",
        "_rx",
        "_scan_to",
        "_tok_min",
        "_types",
        "_xrx",
    )

    def __init__(self, options: RedactionOptions | None = None) -> None:
        opts = options if options is not None else RedactionOptions()
        if opts.max_string < 0:
            raise ValueError("max_string must be >= 0")
        self._max_string = opts.max_string
        self._scan_to = opts.max_string or sys.maxsize  # longest string scanned whole
        self._entropy = opts.entropy
        self._tok_min = 20 if opts.entropy else sys.maxsize  # shortest suspect (entropy)
        self._key_names = frozenset(re.sub("[^a-z0-9]", "", n.lower()) for n in opts.key_names)
        self._hint_words = frozenset(w.lower() for w in opts.hint_words)
        self._key_cache: dict[str, int] = {}
        self._clean: dict[str, None] = {}  # strings known to hold nothing to redact
        #: plain key names holding nothing to redact -> whether the name is ASCII
        self._clean_keys: dict[str, bool] = {}
        self._rx, self._types, self._groups, self._xrx = compile_rules(opts)
        #: what ``redact_args``' fast path reads, in one load (None: extra patterns, no fast path)
        self._fast = (
            (self._clean, self._clean_keys, self._rx.search, self._scan_to, self._tok_min)
            if self._xrx is None
            else None
        )

    @property
    def clean(self) -> dict[str, None]:
        """Strings known to hold nothing to redact (a bounded cache; read-only for callers)."""
        return self._clean

    # -- values ------------------------------------------------------------------------------

    def redact_value(self, value: object, counts: dict[str, int]) -> object:
        """Return a redacted copy of a JSON-like value; ``counts[type] += 1`` per redaction."""
        if type(value) is dict:
            return self.redact_args(value, counts)[0]
        return self._walk(value, counts, 0)

    def redact_args(self, args: dict[Any, Any], counts: dict[str, int]) -> tuple[object, bool]:
        """``redact_value`` of call arguments, and whether ``args`` is *flat and plain*: ASCII
        key names and only strings, booleans, None and integers within +/-2**53 as values (so
        ``contract.jcs.canonicalize_plain`` gives their canonical bytes, no check needed).

        A flat dict (plain key names, scalar values: most arguments) takes a fast path: a
        string never seen costs one search of the rules' regex and, at 20+ characters, one
        ``has_suspect`` match. Anything else is walked (not plain)."""
        fast = self._fast
        if fast is None or type(args) is not dict:
            return self._walk(args, counts, 0), False
        clean, clean_keys, search, scan_to, tok_min = fast
        out: dict[Any, Any] | None = None  # the copy, once a value changes
        tally: dict[str, int] | None = None
        plain = True
        for key, item in args.items():
            try:
                if not clean_keys[key]:
                    plain = False  # a name JCS sorts by UTF-16 code units
            except KeyError:  # a name not seen yet (or no string at all)
                if type(key) is not str or self._key_kind(key) or not self._is_clean(key):
                    return self._walk(args, counts, 0), False
                ascii_name = key.isascii()
                if not ascii_name:
                    plain = False
                if len(clean_keys) >= _CACHE_MAX:
                    clean_keys.clear()
                clean_keys[key] = ascii_name
            kind = type(item)
            if kind is str:
                if item in clean:
                    continue
                n = len(item)
                first = None
                if n <= scan_to:
                    m = search(item)
                    if m is None and (n < tok_min or not has_suspect(item)):
                        if n <= _CACHE_STR:  # clean: remember it
                            if len(clean) >= _CACHE_MAX:
                                clean.clear()
                            clean[item] = None
                        continue
                    first = (m,)
                if tally is None:
                    tally = {}
                new = self._redact(item, tally, False, first)
                if new is not item:
                    if out is None:
                        out = args.copy()
                    out[key] = new
            elif kind is int:
                if not _MIN_SAFE <= item <= MAX_SAFE_INTEGER:
                    plain = False
            elif kind is float:
                plain = False
            elif item is not None and kind is not bool:
                return self._walk(args, counts, 0), False
        if tally:
            for typ, k in tally.items():
                counts[typ] = counts.get(typ, 0) + k
        return (args.copy() if out is None else out), plain

    def _is_clean(self, s: str) -> bool:
        """Nothing to redact in ``s`` (remembered when short)."""
        limit = self._max_string
        if 0 < limit < len(s) or self._rx.search(s):
            return False
        return self._clean_of_tokens(s)

    def _clean_of_tokens(self, s: str) -> bool:
        """For ``s`` the rules' regex found nothing in: no random-looking token either
        (then ``s`` is clean, and remembered when short)."""
        if self._entropy and len(s) >= 20 and has_suspect(s) and self._entropy_hit(s, False):
            return False
        if len(s) <= _CACHE_STR:
            self._remember(self._clean, s)
        return True

    @staticmethod
    def _remember(cache: dict[str, None], s: str) -> None:
        if len(cache) >= _CACHE_MAX:
            cache.clear()
        cache[s] = None

    # -- strings -----------------------------------------------------------------------------

    def redact_str(self, s: str, counts: dict[str, int], *, hinted: bool = False) -> str:
        """Return ``s`` with every secret replaced by its typed placeholder.

        ``hinted``: ``s`` is the value of a key whose name hints at a secret (lower entropy bar).
        """
        if not hinted and s in self._clean:
            return s
        return self._redact(s, counts, hinted, None)

    def _redact(
        self,
        s: str,
        counts: dict[str, int],
        hinted: bool,
        found: tuple[re.Match[str] | None] | None,
    ) -> str:
        """``redact_str`` past the cache; ``found``: the first search's result, when known."""
        tail = ""
        limit = self._max_string
        # placeholders do not count against the limit (up to 4x): redacting again is a no-op
        if 0 < limit < len(s) and (
            len(s) > 4 * limit or len(s) - sum(map(len, PLACEHOLDER_RE.findall(s))) > limit
        ):
            ws = max(s.rfind(c, max(0, limit - 256), limit) for c in " \n\t")
            s, tail = s[: ws + 1 if ws >= 0 else limit], _OVERSIZE
            counts["oversize"] = counts.get("oversize", 0) + 1
        first = s
        for _ in range(4):  # re-scan after a change: a placeholder can complete a boundary
            m = found[0] if found is not None and s is first else self._next(s, 0)
            out = s if m is None else self._scan(s, m, counts)
            if self._entropy:
                out = self._scan_entropy(out, counts, hinted)
            if out is s:
                break
            s = out
        if s is first and not tail and not hinted and len(s) <= _CACHE_STR:
            self._remember(self._clean, s)  # a candidate that was no secret: clean
        return s + tail

    def _scan(self, s: str, m: re.Match[str] | None, counts: dict[str, int]) -> str:
        """One pass from the first candidate ``m``; returns ``s`` itself if nothing matched."""
        out: list[str] = []
        last = 0
        while m is not None:
            i, typ, back = self._types[m.lastgroup or ""]
            hit = (
                rules.locate(m, typ, back, last, self._groups[i], self._key_kind, self._hinted_hit)
                if i >= 0
                else (m.start(), m.end(), typ)
            )
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

    def _hinted_hit(self, s: str) -> bool:
        """A random-looking token in the value of a name that hints at a secret."""
        return self._entropy_hit(s, True)

    def _entropy_hit(self, s: str, hinted: bool) -> bool:
        placeholders = "[REDACTED:" in s
        for m in HINTED_CANDIDATE.finditer(s) if hinted else candidates(s):
            if looks_random(m.group(), hinted=hinted) and not (
                placeholders and _in_placeholder(s, m.start())
            ):
                return True
        return False

    def _scan_entropy(self, s: str, counts: dict[str, int], hinted: bool) -> str:
        """Replace each random-looking token (see ``_entropy``)."""
        if len(s) < (8 if hinted else 20) or not (hinted or has_suspect(s)):
            return s
        out: list[str] = []
        last = 0
        for m in HINTED_CANDIDATE.finditer(s) if hinted else candidates(s):
            if _in_placeholder(s, m.start()) or not looks_random(m.group(), hinted=hinted):
                continue
            out.append(s[last : m.start()])
            out.append(_ENTROPY_PH)
            counts["high_entropy"] = counts.get("high_entropy", 0) + 1
            last = m.end()
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

    # -- keys and containers -----------------------------------------------------------------

    def _key_kind(self, key: str) -> int:
        """_SECRET if the name names a secret, _HINT if it hints at one, else _PLAIN."""
        kind = self._key_cache.get(key)
        if kind is None:
            words = [w.lower() for w in key_words(key)]
            names = self._key_names
            kind = _PLAIN
            if any("".join(words[i:]) in names for i in range(len(words))):
                kind = _SECRET
            elif (
                words
                and (
                    words[-1] in self._hint_words
                    or any("secret" in w or "token" in w or "passw" in w for w in words)
                    # a secret's name followed by more words: private_key_id, password_hash
                    or any(
                        "".join(words[i:j]) in names for j in range(len(words)) for i in range(j)
                    )
                )
            ):
                kind = _HINT
            if len(self._key_cache) >= _CACHE_MAX:
                self._key_cache.clear()
            self._key_cache[key] = kind
        return kind

    def _key(self, key: str, counts: dict[str, int], out: dict[object, object], src: object) -> str:
        """The key as stored: redacted, and unique among the dict's keys if it changed."""
        if key in self._clean_keys:
            return key
        new = self.redact_str(key, counts)
        if new == key:
            return key
        assert isinstance(src, dict)
        if new in out or new in src:
            n = 2
            while f"{new}#{n}" in out or f"{new}#{n}" in src:
                n += 1
            new = f"{new}#{n}"
        return new

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
        for k, item in v.items():
            kind = _PLAIN
            if isinstance(k, str):  # the name is judged as stored: redacting again agrees
                k = self._key(str.__str__(k), counts, out, v)
                kind = self._key_kind(PLACEHOLDER_RE.sub(" ", k) if "[REDACTED:" in k else k)
            if kind == _PLAIN:
                out[k] = (
                    self.redact_str(item, counts)
                    if type(item) is str
                    else self._walk(item, counts, depth)
                )
            elif kind == _HINT:
                out[k] = (
                    self.redact_str(str.__str__(item), counts, hinted=True)
                    if isinstance(item, str)
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


def _in_placeholder(s: str, pos: int) -> bool:
    """Whether a token starting at ``pos`` is the word REDACTED or the type name of one."""
    if pos == 0:
        return False
    before = s[pos - 1]
    return (before == "[" and s.startswith("REDACTED:", pos)) or (
        before == ":" and s.startswith("[REDACTED:", pos - 10)
    )
