"""The checks a field's value must pass, and the JSON Schema each states (``contract.schema``
publishes them): strings with a length bound, patterns, unsigned integers, enums, versions,
objects of known members, free-form I-JSON nested at most ``MAX_DEPTH`` levels. A check raises
``EventInvalid`` naming the field and the rule; it never raises anything else, whatever JSON type
it is given.

Most checks also state a *quick test*: a Python expression over the value (``{x}``, with one
constant ``{c}``) that is true only for values the check accepts as they are (never more
permissive; a value it refuses goes to the check, which raises or accepts). ``_compiled`` builds
one function per event shape from them (:func:`quick_of`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from .errors import CanonicalizationError, EventInvalid
from .jcs import MAX_SAFE_INTEGER, canonicalize

MAX_STRING: Final = 4096
MAX_ID: Final = 128
#: free-form JSON (``args``, ``attrs``) nests at most this many levels (the object itself is 1)
MAX_DEPTH: Final = 128

_HEX64 = re.compile(r"[0-9a-f]{64}\Z")
_HEX32 = re.compile(r"[0-9a-f]{32}\Z")
_HEX16 = re.compile(r"[0-9a-f]{16}\Z")
_STREAM_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}\Z")

_Check = Callable[[str, Any], None]
#: the JSON Schema of the values each check accepts (``contract.schema`` assembles them)
_SCHEMAS: dict[_Check, dict[str, Any]] = {}
#: the quick test of each check that has one: (expression over ``{x}``, the constant ``{c}``)
_QUICK: dict[_Check, tuple[str, Any]] = {}


def _described(
    check: _Check, schema: dict[str, Any], quick: str | None = None, const: Any = None
) -> _Check:
    _SCHEMAS[check] = schema
    if quick is not None:
        _QUICK[check] = (quick, const)
    return check


def quick_of(check: _Check) -> tuple[str, Any] | None:
    """The quick test of ``check`` (expression over ``{x}``, constant ``{c}``), if it has one."""
    return _QUICK.get(check)


def schema_of(check: _Check) -> dict[str, Any]:
    """The JSON Schema of what ``check`` (a ``FIELDS`` check) accepts."""
    return _SCHEMAS[check]


def _fail(field: str, rule: str) -> EventInvalid:
    return EventInvalid(field, rule)


def _kind(value: Any) -> str:
    """The type of a decoded JSON value for messages: str, int, float, bool, array, object, null."""
    return _JSON_TYPES.get(type(value), type(value).__name__)


_JSON_TYPES: Final = {dict: "object", list: "array", type(None): "null"}


def _string(max_len: int = MAX_STRING) -> _Check:
    def check(field: str, value: Any) -> None:
        if type(value) is not str:
            raise _fail(field, f"must be a string, got {_kind(value)}")
        if not value:
            raise _fail(field, "must not be empty")
        if len(value) > max_len:
            raise _fail(field, f"must be at most {max_len} characters")

    schema = {"type": "string", "minLength": 1, "maxLength": max_len}
    return _described(check, schema, f"type({{x}}) is str and 0 < len({{x}}) <= {max_len}")


def _pattern(regex: re.Pattern[str], what: str) -> _Check:
    def check(field: str, value: Any) -> None:
        if type(value) is not str:
            raise _fail(field, f"must be {what}, got {_kind(value)}")
        if not regex.match(value):
            raise _fail(field, f"must be {what}")

    # the Python patterns end in \Z (no newline before the end); JSON Schema's are ECMA-262
    ecma = "^" + regex.pattern.removesuffix("\\Z") + "$"
    quick = "type({x}) is str and {c}({x}) is not None"
    fixed = _FIXED_HEX.fullmatch(regex.pattern)
    if fixed is not None:
        _HEX_LENGTH[check] = int(fixed.group(1))
    return _described(check, {"type": "string", "pattern": ecma}, quick, regex.match)


#: a pattern of exactly N lowercase hex digits, as the checks above write it
_FIXED_HEX: Final = re.compile(r"\[0-9a-f\]\{(\d+)\}\\Z")
#: the checks that accept exactly the strings of N lowercase hex digits, and their N
_HEX_LENGTH: dict[_Check, int] = {}


def hex_length(check: _Check) -> int | None:
    """N when ``check`` accepts exactly the strings of N lowercase hex digits (a shape's such
    fields are tested at once over their concatenation: :func:`hex_digits_test`)."""
    return _HEX_LENGTH.get(check)


def _uint_check(field: str, value: Any) -> None:
    if type(value) is not int:
        raise _fail(field, f"must be an integer, got {_kind(value)}")
    if not 0 <= value <= MAX_SAFE_INTEGER:
        raise _fail(field, "must be between 0 and 2**53")


_uint = _described(
    _uint_check,
    {"type": "integer", "minimum": 0, "maximum": MAX_SAFE_INTEGER},
    f"type({{x}}) is int and 0 <= {{x}} <= {MAX_SAFE_INTEGER}",
)


def _one_of(allowed: frozenset[str]) -> _Check:
    def check(field: str, value: Any) -> None:
        if type(value) is not str or value not in allowed:
            raise _fail(field, f"must be one of {sorted(allowed)}, got {_kind(value)}")

    schema = {"type": "string", "enum": sorted(allowed)}
    return _described(check, schema, "type({x}) is str and {x} in {c}", allowed)


def _versions(accepted: frozenset[int]) -> _Check:
    def check(field: str, value: Any) -> None:
        if type(value) is not int or value not in accepted:
            raise _fail(
                field, f"unsupported version {value!r}; this build speaks {sorted(accepted)}"
            )

    schema = {"type": "integer", "enum": sorted(accepted)}
    return _described(check, schema, "type({x}) is int and {x} in {c}", accepted)


def _boolean_check(field: str, value: Any) -> None:
    if type(value) is not bool:
        raise _fail(field, f"must be true or false, got {_kind(value)}")


_boolean = _described(_boolean_check, {"type": "boolean"}, "type({x}) is bool")


def _object(members: Mapping[str, tuple[_Check, bool]]) -> _Check:
    def check(field: str, value: Any) -> None:
        if type(value) is not dict:
            raise _fail(field, f"must be an object, got {_kind(value)}")
        for name, (sub, required) in members.items():
            if name in value:
                sub(f"{field}.{name}", value[name])
            elif required:
                raise _fail(f"{field}.{name}", "is required")
        for name in value:
            if name not in members:
                raise _fail(f"{field}.{name}", "is not a known field")

    test = _object_quick(members)
    if test is None:
        return _described(check, _object_schema(members))
    return _described(check, _object_schema(members), "{c}({x})", test)


def compile_function(name: str, lines: list[str], namespace: dict[str, Any]) -> Callable[..., Any]:
    """Define the function ``name`` from its source ``lines`` (generated here, from the checks'
    own quick tests and known field names only: nothing of any input is in the source)."""
    code = compile("\n".join(lines), f"<tooltrail.contract {name}>", "exec")
    exec(code, namespace)  # noqa: S102
    return namespace[name]  # type: ignore[no-any-return]


#: the characters of lowercase hex, as bytes
_HEX_DIGITS: Final = b"0123456789abcdef"


def hex_digits_test(text: str) -> str:
    """An expression over the string ``text`` (a name) that is true exactly when every character
    of it is a lowercase hex digit (the empty string too): what ``[0-9a-f]*\\Z`` matches, with no
    regular expression. ``isascii`` reads a flag, and the ASCII string's bytes with the digits
    deleted are empty; ~40 % of the regex's time over a shape's 304 digits."""
    return f"{text}.isascii() and not {text}.encode().translate(None, {_HEX_DIGITS!r})"


def _object_quick(members: Mapping[str, tuple[_Check, bool]]) -> Callable[[Any], bool] | None:
    """The quick test of an object, as one generated function: known members only, the
    required ones present, each passing its own quick test (None when a member has none)."""
    namespace: dict[str, Any] = {"K": frozenset(members), "M": object()}
    lines = ["def test(o):", "    if type(o) is not dict or not o.keys() <= K: return False"]
    for i, (name, (sub, required)) in enumerate(members.items()):
        quick = _QUICK.get(sub)
        if quick is None:
            return None
        expr, namespace[f"c{i}"] = quick
        lines.append(f"    x = o.get({name!r}, M)")
        if required:
            lines.append("    if x is M: return False")
        lines.append(f"    if x is not M and not ({expr.format(x='x', c=f'c{i}')}): return False")
    lines.append("    return True")
    return compile_function("test", lines, namespace)


def _object_schema(members: Mapping[str, tuple[_Check, bool]]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {name: _SCHEMAS[sub] for name, (sub, _) in members.items()},
        "required": [name for name, (_, required) in members.items() if required],
        "additionalProperties": False,
    }


def _counts_check(field: str, value: Any) -> None:
    if type(value) is not dict:
        raise _fail(field, f"must be an object of counts, got {_kind(value)}")
    for name, count in value.items():
        if type(name) is not str or not name.isascii() or not name:
            raise _fail(field, "names must be non-empty ASCII strings")
        if type(count) is float and count.is_integer():
            count = value[name] = int(count)  # 3.0 is the integer 3 (JSON; same JCS bytes)
        _uint(f"{field}.{name}", count)


def _counts_quick(value: dict[Any, Any]) -> bool:
    for name, count in value.items():
        if type(name) is not str or not name or not name.isascii() or type(count) is not int:
            return False
        if not 0 <= count <= MAX_SAFE_INTEGER:
            return False
    return True


_counts = _described(
    _counts_check,
    {
        "type": "object",
        "propertyNames": {"type": "string", "pattern": "^[\\u0000-\\u007f]+$"},
        "additionalProperties": _SCHEMAS[_uint],
    },
    "type({x}) is dict and {c}({x})",
    _counts_quick,
)


def _nesting_check(field: str, value: Any) -> None:
    """Free-form JSON nests at most MAX_DEPTH levels (checked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _fail(field, f"must not nest deeper than {MAX_DEPTH} levels")
        children = item.values() if type(item) is dict else item
        stack.extend((c, depth + 1) for c in children if type(c) is dict or type(c) is list)


def _json_object_check(field: str, value: Any) -> None:
    if type(value) is not dict:
        raise _fail(field, f"must be an object, got {_kind(value)}")
    _nesting_check(field, value)
    try:
        canonicalize(value)
    except CanonicalizationError as exc:  # NaN, lone surrogate, a number beyond a double
        raise CanonicalizationError(field, exc.rule) from None


_json_object = _described(
    _json_object_check,
    {
        "type": "object",
        "description": f"free-form JSON (I-JSON: no NaN, no lone surrogate), "
        f"nesting at most {MAX_DEPTH} levels",
    },
)


_str = _string()
_id = _string(MAX_ID)
_hex64 = _pattern(_HEX64, "64 lowercase hex digits")


def _port_check(field: str, value: Any) -> None:
    if type(value) is not int:
        raise _fail(field, f"must be an integer, got {_kind(value)}")
    if not 0 <= value <= 65535:
        raise _fail(field, "must be a port number, 0 to 65535")


_port = _described(
    _port_check,
    {"type": "integer", "minimum": 0, "maximum": 65535},
    "type({x}) is int and 0 <= {x} <= 65535",
)


#: :func:`hex_digits_test` as a function (the property tests hold it to the regular expression)
is_hex_digits: Final[Callable[[str], bool]] = compile_function(
    "is_hex_digits", ["def is_hex_digits(s):", f"    return {hex_digits_test('s')}"], {}
)
