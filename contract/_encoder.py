"""Compiled per-shape canonical encoders: the quick path of ``seal``.

An event's *shape* is its field names in order (an emitter's call sites make few). For each
shape one function is generated that unpacks the event's values at once, tests each with its
field's quick test (``_checks.quick_of``: never more permissive than the field's check; free-form
JSON must be plain, ``jcs.is_plain``), and, when every value passes, writes the event's RFC 8785
bytes. Two forms: a template (the default without orjson), an f-string of the members already in
canonical order with their names pre-encoded, each value put in by its JSON type (an integer as
its digits, a fixed-length hex id as it is, any other string through the C string encoder the
canonical encoder uses, an object through the plain encoder); or, with orjson, its C encoder over
the whole event, whose sorted bytes are the canonical ones once every value is plain (orjson
sorts and writes an event faster than a template in Python: docs/emitter.md). Hex ids have
their lengths tested in place and their digits at once over their concatenation, by the
validator's own test (``_checks.hex_digits_test``: ASCII, and no byte left once the digits are
deleted): ~40 % of the time of a regular expression over the same characters.

Guarantee: it returns either exactly ``canonical_bytes(event)`` of an event whose every field its
contract check accepts as it is (property-tested against the canonical encoder for events of
every shape), or None: a value failed its quick test, has no canonical form (a lone surrogate),
or the shape has a field the template cannot hold (an unknown name, ``hash``). On None the caller
takes the general path (``seal`` and the field checks), which names the rule; nothing of the
event is changed either way. At most :data:`MAX_SHAPES` shapes are kept, beyond which events
take the general path.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from json.encoder import encode_basestring
from typing import Any, Final

from ._checks import _Check, compile_function, hex_digits_test, hex_length, quick_of, schema_of
from .errors import CanonicalizationError
from .jcs import canonicalize_plain, has_c_encoder, is_plain, plain_text

__all__ = ["MAX_SHAPES", "ShapeEncoder"]

#: compiled shapes kept at most (each a small function)
MAX_SHAPES: Final = 512

_Encode = Callable[[dict[str, Any]], "bytes | None"]
_BOOLEAN: Final = {True: "true", False: "false"}
#: how a value of each JSON type is put into the template, as an expression over it
_PUT: Final = {"integer": "{}", "string": "S({})", "boolean": "B[{}]", "object": "D({})"}
#: a member name the template holds as it is (nothing to escape in JSON or in an f-string)
_NAME: Final = re.compile(r"[a-z_][a-z0-9_.]*\Z").match


def _refuse(event: dict[str, Any]) -> None:
    return None


class ShapeEncoder:
    """``encoder(event)``: the canonical bytes of ``event`` (a dict without ``hash``) when every
    field passes its quick test, else None (see the module docstring)."""

    __slots__ = ("_fields", "_shapes", "_template")

    def __init__(
        self, fields: Mapping[str, tuple[_Check, bool]], *, template: bool | None = None
    ) -> None:
        self._fields = fields
        self._template = not has_c_encoder() if template is None else template
        self._shapes: dict[tuple[str, ...], _Encode] = {}

    def __call__(self, event: dict[str, Any]) -> bytes | None:
        if type(event) is not dict:
            return None
        shape = (*event,)
        encode = self._shapes.get(shape)
        if encode is None:
            encode = _compile(self._fields, shape, self._template)
            if len(self._shapes) < MAX_SHAPES:
                self._shapes[shape] = encode
        return encode(event)


def _compile(
    fields: Mapping[str, tuple[_Check, bool]], names: tuple[str, ...], template: bool
) -> _Encode:
    """The encoder of one shape (its source names known fields and indexes only)."""
    if not names or "hash" in names or not all(n in fields and _NAME(n) for n in names):
        return _refuse
    namespace: dict[str, Any] = {
        "S": encode_basestring,
        "D": plain_text,
        "P": is_plain,
        "B": _BOOLEAN,
        "C": canonicalize_plain,
        "Bad": (ValueError, CanonicalizationError),  # UnicodeEncodeError is a ValueError
    }
    values = ", ".join(f"x{i}" for i in range(len(names)))
    lines = ["def encode(e):", f"    {values}, = e.values()"]
    hexes: list[str] = []
    placed: dict[str, str] = {}  # name -> its value's part of the template (an f-string)
    for i, name in enumerate(names):
        x = f"x{i}"
        check = fields[name][0]
        kind = schema_of(check).get("type")
        put = _PUT.get(kind)  # type: ignore[arg-type]
        if put is None:
            return _refuse
        length = hex_length(check)
        quick = quick_of(check)
        if length is not None:  # its length now, its digits with the others' at once
            lines.append(f"    if not (type({x}) is str and len({x}) == {length}): return None")
            hexes.append(x)
            placed[name] = f'"{{{x}}}"'  # hex digits need no escaping
            continue
        if quick is None:
            if kind != "object":
                return _refuse  # no quick test and not free-form JSON: the general path
            test = f"type({x}) is dict and P({x})"
        else:
            expr, namespace[f"c{i}"] = quick
            test = expr.format(x=x, c=f"c{i}")
        lines.append(f"    if not ({test}): return None")
        placed[name] = "{" + put.format(x) + "}"
    lines.append("    try:")
    if hexes:  # all lowercase hex digits
        lines.append(f"        h = {' + '.join(hexes)}")
        lines.append(f"        if not ({hex_digits_test('h')}): return None")
    if template:  # the members in canonical order (ASCII names: code-unit order is Python's)
        members = ",".join(f'"{n}":{placed[n]}' for n in sorted(names))
        body = "f'{{" + members + "}}'.encode()"
    else:  # every value is plain now: the C encoder's sorted bytes are the canonical ones
        body = "C(e)"
    lines += [f"        return {body}", "    except Bad:", "        return None"]
    return compile_function("encode", lines, namespace)
