"""Compiled per-shape validators: the quick path of ``validate_event``.

An event's *shape* is its version and its field names in order (emitters write them in canonical
order, so one emitter sends few shapes). For each shape one function is generated from the
fields' own quick tests (``_checks.quick_of``): it unpacks the event's values at once and tests
each inline, with no per-field dispatch. It answers True only when every value passes its quick
test, which is never more permissive than the field's check; a field whose check has no quick
test (free-form JSON, counts) is handed to that check, which raises the precise error itself,
exactly as ``validate_event`` would at that point. The fields that are exactly N lowercase hex
digits (hashes, fingerprints, trace and span ids) have their types and lengths tested in place
and their digits at once over their concatenation (``_checks.hex_digits_test``: ASCII, and no
byte left once the digits are deleted; one test instead of six per event, ~40 % of the time of
the regular expression it replaced), before any field check that may raise. On False the
caller runs the full ``validate_event``, which raises the error naming the field and the rule
(or accepts a value the quick test does not cover, such as ``3.0`` for an integer). So the
messages are the checks' own, and what is accepted is unchanged.

Only shapes made of known fields of a known version, with every required field present, are
compiled (the source names fields of ``FIELDS`` only: nothing of any input is in it); at most
:data:`MAX_SHAPES` are kept, beyond which events simply take the full path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from ._checks import _Check, compile_function, hex_digits_test, hex_length, quick_of

__all__ = ["MAX_SHAPES", "ShapeValidator"]

#: compiled shapes kept at most (each a small function)
MAX_SHAPES: Final = 512

_Quick = Callable[[dict[str, Any]], bool]


def _refuse(event: dict[str, Any]) -> bool:
    return False


class ShapeValidator:
    """``validator(event)``: True when the compiled function of the event's shape accepts it
    (it may raise the field's own ``EventInvalid``); False sends it down the full path."""

    __slots__ = ("_shapes", "_versions")

    def __init__(self, versions: Mapping[int, Mapping[str, tuple[_Check, bool]]]) -> None:
        self._versions = versions
        self._shapes: dict[tuple[Any, ...], _Quick] = {}

    def __call__(self, event: Any) -> bool:
        if type(event) is not dict:
            return False
        v = event.get("v")
        if type(v) is not int:
            return False
        shape = (v, *event)
        test = self._shapes.get(shape)
        if test is None:
            test = self._compile(v, shape[1:])
            if len(self._shapes) < MAX_SHAPES:
                self._shapes[shape] = test
        return test(event)

    def _compile(self, version: int, names: tuple[str, ...]) -> _Quick:
        fields = self._versions.get(version)
        if fields is None or not set(names) <= fields.keys():
            return _refuse  # an unknown version or field: the full path names it
        if any(required and name not in names for name, (_, required) in fields.items()):
            return _refuse  # a required field is missing: the full path names it
        namespace: dict[str, Any] = {}
        values = ", ".join(f"x{i}" for i in range(len(names)))
        lines = ["def test(e):", f"    {values}{',' if len(names) == 1 else ''} = e.values()"]
        hexes: list[str] = []  # fixed-length hex fields whose digits are not tested yet

        def test_hexes() -> None:
            if hexes:
                joined = "".join(f"{{{x}}}" for x in hexes)
                lines.append(f'    h = f"{joined}"')
                lines.append(f"    if not ({hex_digits_test('h')}): return False")
                hexes.clear()

        for i, name in enumerate(names):
            check = fields[name][0]
            if name == "v":
                continue  # the shape's own version: chosen by it
            length = hex_length(check)
            if length is not None:  # its length now, its digits with the others' in one match
                test = f"type(x{i}) is str and len(x{i}) == {length}"
                lines.append(f"    if not ({test}): return False")
                hexes.append(f"x{i}")
                continue
            quick = quick_of(check)
            if quick is None:  # the check itself raises the precise error, or accepts
                test_hexes()  # it may raise only once every field before it passed
                namespace[f"k{i}"] = check
                lines.append(f"    k{i}({name!r}, x{i})")
                continue
            expr, namespace[f"c{i}"] = quick
            lines.append(f"    if not ({expr.format(x=f'x{i}', c=f'c{i}')}): return False")
        test_hexes()
        lines.append("    return True")
        return compile_function("test", lines, namespace)
