"""Make an event the contract accepts out of whatever the caller handed in; never drop it.

Guarantee: every audited call leaves an event. A caller-supplied value that has no canonical
JSON form, or breaks its field's rule, is repaired and the repair is written into the event:

- inside free-form JSON (the arguments, ``attrs``) the offending value becomes the marker object
  ``{"tooltrail.unencodable": "<reason> at <path>"}`` (a lone surrogate, NaN or Infinity, an
  integer beyond a double, nesting deeper than ``MAX_DEPTH``, a key or value ``str()`` cannot
  render); a value of a type JSON does not have becomes its ``str()``, as before;
- a string field keeps its text with each lone surrogate replaced by U+FFFD, clipped to its
  limit; a field whose value still breaks its rule (an empty string, a malformed trace id) is
  left out; an integer beyond the contract's range is clamped;
- each repair adds ``"<reason> at <field>"`` to ``attrs["tooltrail.unencodable"]``, so the event
  says it was altered.

Cheap on the hot path: :func:`repair` gives the fields a caller can set a quick test (the full
contract check only for the few that are not short ids); :func:`encodable_copy` runs only when
the stages or the sealing failed on a value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from tooltrail.contract import FIELDS, EventInvalid
from tooltrail.contract._checks import compile_function
from tooltrail.contract.event import MAX_DEPTH, MAX_ID, MAX_STRING, NETWORK_TRANSPORTS
from tooltrail.contract.jcs import MAX_SAFE_INTEGER

if TYPE_CHECKING:
    from ._site import CallSite

__all__ = ["CALLER_FIELDS", "MARKER", "encodable", "encodable_copy", "repair"]

MARKER: Final = "tooltrail.unencodable"
#: free-form members of an event in progress (``_args``: the raw arguments, see stages.py)
_FREE_FORM: Final = {"_args": "args", "args": "args", "attrs": "attrs"}
_LONG_STRINGS: Final = frozenset({"mcp.resource.uri"})
_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _fixed(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def _marker(reason: str, path: str, notes: list[str]) -> dict[str, str]:
    note = f"{reason} at {path}"
    notes.append(note)
    return {MARKER: note}


def encodable(value: Any, path: str, notes: list[str], depth: int = 1) -> Any:
    """A copy of JSON-like ``value`` that has a canonical form; ``notes`` gets each repair.

    Recursion is bounded by ``MAX_DEPTH``, so any nesting is safe to pass in.
    """
    if isinstance(value, str):
        return _marker("lone surrogate", path, notes) if _has_surrogate(value) else value
    if value is None or value is True or value is False:
        return value
    if isinstance(value, int):
        try:  # canonical JSON writes an integer beyond 2**53 as the double it rounds to
            float(value)
        except OverflowError:
            return _marker("number beyond a double", path, notes)
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else _marker("NaN or Infinity", path, notes)
    if isinstance(value, Mapping | list | tuple):
        if depth >= MAX_DEPTH:
            return _marker(f"nesting deeper than {MAX_DEPTH} levels", path, notes)
        if isinstance(value, Mapping):
            out: dict[str, Any] = {}
            for key, item in value.items():
                name = key if isinstance(key, str) else _text(key, path, notes)
                if _has_surrogate(name):
                    notes.append(f"lone surrogate in a key at {path}")
                    name = _fixed(name)
                out[name] = encodable(item, f"{path}.{name}", notes, depth + 1)
            return out
        return [encodable(item, f"{path}[{i}]", notes, depth + 1) for i, item in enumerate(value)]
    try:  # a type JSON does not have: its str(), as the emitter always wrote it
        text = str(value)
    except Exception:
        return _marker(f"{type(value).__name__} that str() cannot render", path, notes)
    return encodable(text, path, notes, depth)


def _text(key: Any, path: str, notes: list[str]) -> str:
    """A member name that is not a string: its ``str()``."""
    try:
        return str(key)
    except Exception:
        notes.append(f"{type(key).__name__} key that str() cannot render at {path}")
        return f"<{type(key).__name__}>"


def encodable_copy(event: dict[str, Any]) -> dict[str, Any]:
    """``event`` (in progress, before the stages) with its free-form values made encodable and
    its strings free of lone surrogates; the repairs noted in ``attrs``."""
    notes: list[str] = []
    out = dict(event)
    for name, value in event.items():
        if name in _FREE_FORM:
            out[name] = encodable(value, _FREE_FORM[name], notes)
        elif isinstance(value, str) and _has_surrogate(value):
            out[name] = _fixed(value)
            notes.append(f"lone surrogate at {name}")
        elif name in ("actor", "source") and isinstance(value, Mapping):
            out[name] = _fixed_members(name, value, notes)
    _note(out, notes)
    return out


def _fixed_members(name: str, value: Mapping[str, Any], notes: list[str]) -> dict[str, Any]:
    members: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(item, str) and _has_surrogate(item):
            item = _fixed(item)
            notes.append(f"lone surrogate at {name}.{key}")
        members[key] = item
    return members


def _note(event: dict[str, Any], notes: list[str]) -> None:
    if not notes:
        return
    attrs = event.get("attrs")
    attrs = dict(attrs) if isinstance(attrs, Mapping) else {}
    previous = attrs.get(MARKER)
    attrs[MARKER] = (list(previous) if isinstance(previous, list) else []) + notes
    event["attrs"] = attrs


#: the fields a caller of ``Emitter.record`` / ``Call`` can set (the rest the emitter makes),
#: with the quick test each gets before the contract's own check
_ID, _UINT, _PORT, _ENUM, _HEXN, _NAMES, _FREE = range(7)
CALLER_FIELDS: Final = {
    "mcp.method.name": _ID,
    "gen_ai.tool.name": _ID,
    "actor": _NAMES,
    "error.type": _ID,
    "mcp.resource.uri": _ID,  # up to MAX_STRING: longer than an id goes to the full check
    "gen_ai.prompt.name": _ID,
    "mcp.session.id": _ID,
    "jsonrpc.request.id": _ID,
    "trace_id": _HEXN,
    "span_id": _HEXN,
    "tooltrail.transport": _ID,
    "network.transport": _ENUM,
    "network.protocol.name": _ID,
    "server.address": _ID,
    "server.port": _PORT,
    "mcp.protocol.version": _ID,
    "gen_ai.tool.call.id": _ID,
    "tooltrail.tools.hash": _HEXN,
    "duration_us": _UINT,
    "result_bytes": _UINT,
    "attrs": _FREE,
}
_CALLER_NAMES: Final = frozenset(CALLER_FIELDS)
_HEX: Final = {
    name: re.compile(f"[0-9a-f]{{{n}}}").fullmatch
    for name, n in (("trace_id", 32), ("span_id", 16), ("tooltrail.tools.hash", 64))
}


def _quick_ok(kind: int, name: str, value: Any) -> bool:
    """The common case, without the contract's full check (which names the rule otherwise)."""
    if kind == _ID:
        return type(value) is str and 0 < len(value) <= MAX_ID
    if kind == _UINT:
        return type(value) is int and 0 <= value <= MAX_SAFE_INTEGER
    if kind == _HEXN:
        return type(value) is str and _HEX[name](value) is not None
    if kind == _NAMES:
        return _names_ok(value)
    if kind == _ENUM:
        return value in NETWORK_TRANSPORTS if type(value) is str else False
    if kind == _PORT:
        return type(value) is int and 0 <= value <= 65535
    return _flat_ok(value)


def _names_ok(value: Any) -> bool:
    """``actor``: an object of short, non-empty strings (the contract checks the names)."""
    if type(value) is not dict:
        return False
    for item in value.values():
        if type(item) is not str or not 0 < len(item) <= MAX_ID:
            return False
    return True


def _flat_ok(value: Any) -> bool:
    """Free-form JSON: sealing proved it has a canonical form; only a flat object is quick."""
    return type(value) is dict and all(type(item) in _SCALARS for item in value.values())


_SCALARS: Final = frozenset({str, int, float, bool, type(None)})


def repair(event: dict[str, Any], site: CallSite | None = None) -> bool:
    """Fix, in place, the first field a caller set that breaks its rule; True when it changed
    something (the caller seals the event again and asks once more). The common values pass a
    quick test, compiled once per event shape (the field names in order: a call site makes few)
    over only the caller's fields the event holds, the usual answer being "nothing to fix";
    otherwise the fields are checked in order, the rest through the contract's own check, which
    names the rule. An event of ``site`` is quick-tested on the fields the site does not hold
    (the site's own passed when it was made)."""
    shape = tuple(event)
    if site is not None:
        test = site.tests.get(shape)
        if test is None:
            test = site.remember(site.tests, shape, _caller_test(shape, site.static))
    else:
        test = _SHAPES.get(shape)
        if test is None:
            if len(_SHAPES) >= _MAX_SHAPES:
                return _repair_first(event)  # past the shapes kept: field by field, compiling none
            test = _SHAPES[shape] = _caller_test(shape)
    if test(event):
        return False
    return _repair_first(event)


_Test = Callable[[dict[str, Any]], bool]
_SHAPES: dict[tuple[str, ...], _Test] = {}
_MAX_SHAPES: Final = 512
#: each kind's quick test as an expression over {x} (the value) and {n} (the field's name)
_EXPR: Final = {
    _ID: f"type({{x}}) is str and 0 < len({{x}}) <= {MAX_ID}",
    _UINT: f"type({{x}}) is int and 0 <= {{x}} <= {MAX_SAFE_INTEGER}",
    _PORT: "type({x}) is int and 0 <= {x} <= 65535",
    _ENUM: "type({x}) is str and {x} in E",
    _HEXN: "type({x}) is str and H[{n!r}]({x}) is not None",
    _NAMES: "N({x})",
    _FREE: "F({x})",
}


def _caller_test(shape: tuple[str, ...], skip: frozenset[str] = frozenset()) -> _Test:
    """``_quick_ok`` of every caller field of an event of this shape but those in ``skip``, as
    one generated function (its source holds only the known field names of ``CALLER_FIELDS``
    and indexes)."""
    tests = [
        _EXPR[CALLER_FIELDS[name]].format(x=f"x{i}", n=name)
        for i, name in enumerate(shape)
        if name in CALLER_FIELDS and name not in skip
    ]
    if not tests:
        return _always
    names = ", ".join(f"x{i}" for i in range(len(shape)))
    lines = [
        "def test(e):",
        f"    {names}, = e.values()",
        f"    return {' and '.join(f'({t})' for t in tests)}",
    ]
    namespace = {"E": NETWORK_TRANSPORTS, "H": _HEX, "N": _names_ok, "F": _flat_ok}
    return compile_function("test", lines, namespace)


def _always(event: dict[str, Any]) -> bool:
    return True


def _repair_first(event: dict[str, Any]) -> bool:
    kinds = CALLER_FIELDS
    for name, value in event.items():
        kind = kinds.get(name)
        if kind is None:
            continue
        if kind == _ID:  # inline: most fields are short ids
            if type(value) is str and 0 < len(value) <= MAX_ID:
                continue
        elif _quick_ok(kind, name, value):
            continue
        try:
            FIELDS[name][0](name, value)
        except EventInvalid as exc:
            return _repair_field(event, exc.field, exc.rule)
    return False


def _repair_field(event: dict[str, Any], field: str, rule: str) -> bool:
    notes: list[str] = []
    head, _, member = field.partition(".")
    if head in ("args", "attrs") and head in event:
        event[head] = encodable(event[head], head, notes)
        if not notes:  # encodable, but a rule of its own (e.g. not an object): keep it wrapped
            event[head] = {MARKER: f"{rule} at {head}"}
            notes.append(f"{rule} at {head}")
    elif head in ("actor", "source") and member and isinstance(event.get(head), dict):
        container = dict(event[head])
        if not _fix_value(container, member, MAX_ID, required=head == "source"):
            return False
        event[head] = container
        notes.append(f"{rule} at {field}")
    elif field in event:
        limit = MAX_STRING if field in _LONG_STRINGS else MAX_ID
        if not _fix_value(event, field, limit, required=False):
            return False
        notes.append(f"{rule} at {field}")
    else:
        return False
    _note(event, notes)
    return True


def _fix_value(holder: dict[str, Any], name: str, limit: int, *, required: bool) -> bool:
    value = holder[name]
    if isinstance(value, str) and value:
        fixed = _fixed(value)[:limit]
        if fixed != value:
            holder[name] = fixed
            return True
    if isinstance(value, int) and not isinstance(value, bool):
        clamped = min(max(value, 0), MAX_SAFE_INTEGER)
        if clamped != value:
            holder[name] = clamped
            return True
    if required:
        if value == "?":
            return False
        holder[name] = "?"
        return True
    del holder[name]
    return True
