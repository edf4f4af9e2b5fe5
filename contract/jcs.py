"""RFC 8785 JSON Canonicalization Scheme (JCS).

``canonicalize(value)`` returns the canonical UTF-8 bytes of a JSON value:

- objects: members sorted by their names compared as UTF-16 code units, no whitespace;
- strings: ECMAScript ``JSON.stringify`` escaping (only ``"``, ``\\`` and U+0000..U+001F are
  escaped, with the short forms ``\\b \\t \\n \\f \\r``; everything else is raw UTF-8); lone
  surrogates are refused (I-JSON);
- numbers: the ECMAScript ``Number.prototype.toString`` form of the IEEE-754 double (integers
  beyond 2**53 are first rounded to a double, as any JSON parser following I-JSON would);
  NaN and infinities are refused;
- nesting: arrays and objects nest at most ``MAX_NESTING`` (256) levels, or the value is refused
  (never a RecursionError).

``canonicalize_plain`` is the fast path for values built only from strings, booleans, None,
integers within +/-2**53 and objects whose keys are ASCII: for those, a C encoder with sorted keys
already yields the JCS bytes (orjson when installed, else the standard library's; property tests
hold both to that). ``canonicalize`` takes it by itself for every value ``is_plain`` accepts (the
event contract checks only the free-form ``args`` / ``attrs`` of an event: its other fields are
plain by the schema), and the general encoder below for the rest (floats, big integers, non-ASCII
member names, which JCS sorts by UTF-16 code units).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from .errors import CanonicalizationError

__all__ = [
    "MAX_NESTING",
    "MAX_SAFE_INTEGER",
    "canonicalize",
    "canonicalize_plain",
    "has_c_encoder",
    "is_plain",
    "plain_text",
]

MAX_SAFE_INTEGER = 2**53
#: containers nest at most this deep (the outermost is level 1), which keeps the encoder's
#: recursion far from Python's limit; the event contract allows less (``event.MAX_NESTING``)
MAX_NESTING = 256

_encode_str: Callable[[str], str] = json.JSONEncoder(ensure_ascii=False).encode
_plain_encode: Callable[[Any], str] = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False
).encode

try:  # optional speed-up: same bytes on the plain domain, ~4x faster
    import orjson

    _orjson_dumps: Callable[..., bytes] | None = orjson.dumps
    _ORJSON_SORT = orjson.OPT_SORT_KEYS
except ImportError:  # pragma: no cover - stdlib-only installs
    _orjson_dumps = None
    _ORJSON_SORT = 0


def _utf16_key(name: str) -> bytes:
    return name.encode("utf-16-be", "surrogatepass")


def _number(x: float) -> str:
    if math.isnan(x) or math.isinf(x):
        raise CanonicalizationError("number", "NaN and Infinity are not JSON")
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    text = repr(abs(x))  # shortest round-trip digits
    mantissa, _, exp_text = text.partition("e")
    exponent = int(exp_text) if exp_text else 0
    int_part, _, frac_part = mantissa.partition(".")
    combined = int_part + frac_part
    leading = len(combined) - len(combined.lstrip("0"))
    digits = combined.strip("0")
    k = len(digits)
    n = len(int_part) - leading + exponent  # value = 0.digits * 10**n
    if k <= n <= 21:
        body = digits + "0" * (n - k)
    elif 0 < n <= 21:
        body = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        body = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        e_text = ("+" if e >= 0 else "-") + str(abs(e))
        body = digits + "e" + e_text if k == 1 else digits[0] + "." + digits[1:] + "e" + e_text
    return sign + body


def _write(value: Any, out: list[str], depth: int = 1) -> None:
    if isinstance(value, str):
        out.append(_encode_str(value))
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif value is None:
        out.append("null")
    elif isinstance(value, int):
        if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            out.append(str(value))
        else:
            try:
                out.append(_number(float(value)))
            except OverflowError as exc:
                raise CanonicalizationError("number", "integer too large for a double") from exc
    elif isinstance(value, float):
        out.append(_number(value))
    elif isinstance(value, dict):
        if depth > MAX_NESTING:
            raise CanonicalizationError("value", f"nests deeper than {MAX_NESTING} levels")
        out.append("{")
        try:
            names = sorted(value, key=_utf16_key)
        except (TypeError, AttributeError) as exc:
            raise CanonicalizationError("object", "member names must be strings") from exc
        for i, name in enumerate(names):
            if i:
                out.append(",")
            out.append(_encode_str(name))
            out.append(":")
            _write(value[name], out, depth + 1)
        out.append("}")
    elif isinstance(value, list | tuple):
        if depth > MAX_NESTING:
            raise CanonicalizationError("value", f"nests deeper than {MAX_NESTING} levels")
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out, depth + 1)
        out.append("]")
    else:
        raise CanonicalizationError("value", f"{type(value).__name__} is not a JSON type")


def _to_utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise CanonicalizationError("string", "lone surrogates are not allowed (I-JSON)") from exc


#: the fast path walks at most this deep; deeper values take the general encoder (which refuses
#: past ``MAX_NESTING``), so neither C encoder ever meets its own recursion limit
_PLAIN_DEPTH = 64


def is_plain(value: Any, depth: int = 1) -> bool:
    """True when ``value`` is in the fast path's domain (see the module docstring): strings,
    booleans, None, safe integers, and lists / objects of those with ASCII member names."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return True
    if kind is int:
        return bool(-MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER)
    if depth > _PLAIN_DEPTH:
        return False
    if kind is dict:
        for name, item in value.items():
            if type(name) is not str or not name.isascii() or not is_plain(item, depth + 1):
                return False
        return True
    if kind is list or kind is tuple:
        return all(is_plain(item, depth + 1) for item in value)
    return False


def canonicalize(value: Any) -> bytes:
    """Return the RFC 8785 canonical bytes of ``value``; raise CanonicalizationError."""
    if is_plain(value):
        try:
            return canonicalize_plain(value)
        except CanonicalizationError:
            pass  # a lone surrogate: the general encoder below names the rule
    out: list[str] = []
    _write(value, out)
    return _to_utf8("".join(out))


def canonicalize_stdlib_plain(value: Any) -> bytes:
    """The fast path with the standard library's C encoder."""
    try:
        return _to_utf8(_plain_encode(value))
    except (TypeError, ValueError) as exc:
        raise CanonicalizationError("value", str(exc)) from exc


def canonicalize_plain(value: Any) -> bytes:
    """Fast path; only valid for plain values (see the module docstring)."""
    if _orjson_dumps is None:
        return canonicalize_stdlib_plain(value)
    try:
        return _orjson_dumps(value, option=_ORJSON_SORT)
    except TypeError as exc:  # orjson.JSONEncodeError is a TypeError
        raise CanonicalizationError("value", str(exc)) from exc


def plain_text(value: Any) -> str:
    """``canonicalize_plain`` as text (for templates that encode once at the end); a lone
    surrogate either raises CanonicalizationError here or stays in the text, where encoding it
    to UTF-8 raises."""
    if _orjson_dumps is None:
        try:
            return _plain_encode(value)
        except (TypeError, ValueError) as exc:
            raise CanonicalizationError("value", str(exc)) from exc
    try:
        return _orjson_dumps(value, option=_ORJSON_SORT).decode()
    except TypeError as exc:
        raise CanonicalizationError("value", str(exc)) from exc


def has_c_encoder() -> bool:
    """Whether the fast path has orjson (else the standard library's C encoder, ~9x slower on
    an event: sorting the members costs it more than a compiled template does)."""
    return _orjson_dumps is not None
