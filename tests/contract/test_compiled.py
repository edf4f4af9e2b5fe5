"""The compiled per-shape validator agrees with the field-by-field one: on any edit of any field
(of the event, its source, actor or counts) both accept the same events, with the same content,
or both refuse them with the same field and rule."""

from __future__ import annotations

import copy
import re
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tooltrail.contract import EventInvalid, validate_event
from tooltrail.contract._checks import hex_length, is_hex_digits
from tooltrail.contract.event import FIELDS, _quick, _validate_fields

from ..conftest import build_chain


def full() -> dict[str, Any]:
    """An event with every kind of field of the current version set."""
    ev = build_chain(1)[0]
    ev.update(
        {
            "trace_id": "0" * 32,
            "span_id": "1" * 16,
            "network.transport": "tcp",
            "server.address": "example.internal",
            "server.port": 8443,
            "tooltrail.tools.hash": "ab" * 32,
            "args_fingerprint": "cd" * 32,
            "args_truncated": False,
            "redactions": {"email": 1, "jwt": 0},
            "args": {"path": "/tmp/x", "n": [1, 2, {"deep": True}]},
            "mcp.resource.uri": "file:///x",
        }
    )
    return dict(sorted(ev.items()))


#: values at the edge of some field's rule (most edits should land on one)
EDGES = [
    *(None, True, False, [], {}, "", 3.0, 0.0, -0.0, 1.5, float("nan")),
    *(0, -1, 1, 65535, 65536, 2**53, 2**53 + 1, -(2**53) - 1, 2**63),
    *("tcp", "pipe", "ok", "denied", "server", "host", "x", "x" * 128, "x" * 129, "x" * 4097),
    *("0" * 64, "A" * 64, "0" * 63, "0" * 65, "0" * 64 + "\n", "0" * 32, "0" * 16, "g" * 16),
    *("svc.1", "-svc", "s" * 129, "\ud800", "é"),
    {"email": 1},
    {"email": -1},
    {"email": 2.0},
    {"": 1},
    {"é": 1},
    {"kind": "server", "name": "svc"},
    {"kind": "server"},
    {"user": "u", "x": "y"},
    {"a": [[[]]]},
]
json_values = st.one_of(
    st.sampled_from(EDGES),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=140),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
        ),
        max_leaves=6,
    ),
)
names = st.sampled_from([*FIELDS, "surprise"])
nested = st.sampled_from(["source", "actor", "redactions"])
member = st.sampled_from(["kind", "name", "version", "hostname", "user", "client", "email", "x"])


def outcome(validate: Any, event: dict[str, Any]) -> tuple[str, Any]:
    try:
        return "ok", validate(event)
    except EventInvalid as exc:
        return "refused", (exc.field, exc.rule)


def assert_agree(event: dict[str, Any]) -> None:
    compiled, reference = copy.deepcopy(event), copy.deepcopy(event)
    assert outcome(validate_event, compiled) == outcome(_validate_fields, reference)


def test_the_compiled_path_answers_for_good_events() -> None:
    for ev in (full(), *build_chain(3)):
        assert _quick(ev) is True
        assert validate_event(ev) is ev


def test_every_edge_value_in_every_field_is_judged_alike() -> None:
    for name in [*FIELDS, "surprise"]:
        for value in EDGES:
            ev = full()
            ev[name] = copy.deepcopy(value)
            assert_agree(ev)
        ev = full()
        ev.pop(name, None)
        assert_agree(ev)
    for where in ("source", "actor", "redactions"):
        for key in ("kind", "name", "version", "hostname", "user", "client", "email", "x"):
            for value in EDGES:
                ev = full()
                ev[where][key] = copy.deepcopy(value)
                assert_agree(ev)
            ev = full()
            ev[where].pop(key, None)
            assert_agree(ev)


@settings(max_examples=200)
@given(name=names, value=json_values, drop=st.booleans())
def test_any_edit_of_a_field_is_judged_alike(name: str, value: Any, drop: bool) -> None:
    ev = full()
    if drop:
        ev.pop(name, None)
    else:
        ev[name] = value
    assert_agree(ev)


@settings(max_examples=200)
@given(where=nested, key=member, value=json_values, drop=st.booleans())
def test_any_edit_inside_an_object_is_judged_alike(
    where: str, key: str, value: Any, drop: bool
) -> None:
    ev = full()
    ev.setdefault("actor", {})
    if drop:
        ev[where].pop(key, None)
    else:
        ev[where][key] = value
    assert_agree(ev)


@settings(max_examples=100)
@given(order=st.permutations(list(full())), version=st.sampled_from([1, 2, 3, 2.0, "2", None]))
def test_any_order_and_version_is_judged_alike(order: list[str], version: Any) -> None:
    base = full()
    ev = {name: base[name] for name in order}
    ev["v"] = version
    assert_agree(ev)


def test_a_bad_hex_digit_is_named_before_a_later_free_form_field_is_checked() -> None:
    # the hex fields' digits are tested together: still before a check that raises runs
    ev = full()
    ev["args_fingerprint"] = "cd" * 31 + "cG"
    ev["attrs"] = {"x": float("nan")}
    assert list(ev).index("args_fingerprint") < list(ev).index("attrs")
    verdict, (field, _) = outcome(validate_event, copy.deepcopy(ev))
    assert (verdict, field) == ("refused", "args_fingerprint")
    assert_agree(ev)
    for name in ("hash", "prev_hash", "trace_id", "span_id", "tooltrail.tools.hash"):
        ev = full()
        ev[name] = ev[name][:-1] + "A"  # right length, one digit wrong
        assert _quick(ev) is False
        assert_agree(ev)


#: the rule the hex fields' digits were tested with before (a regular expression)
HEX_RULE = re.compile(r"[0-9a-f]*\Z").match
#: characters near the rule's edge: other hex cases, non-ASCII digits, whitespace, prefixes
NEAR_HEX = [*"0123456789abcdefABCDEFxXg_+-.", " ", "\t", "\n", "\x00", "\x7f"]
NEAR_HEX += ["\u0661", "\uff10", "\uff41", "\u00e9", "\u212a", "\ud800", "\U0001d7ce"]
hex_like = st.one_of(
    st.text(),
    st.text(st.sampled_from(NEAR_HEX), max_size=70),
    st.text("0123456789abcdef", max_size=70).map(lambda s: "0x" + s),
    st.tuples(st.text("0123456789abcdef", max_size=70), st.sampled_from(NEAR_HEX)).map(
        lambda t: t[0] + t[1] + t[0]
    ),
)


@settings(max_examples=400)
@given(text=hex_like)
@example(text="")
@example(text="abc")  # odd length: the fields' lengths are tested apart
@example(text="0x1f")
@example(text="ABCDEF")
@example(text="\u0661\u0662")  # Arabic-Indic digits: int() takes them, the rule does not
@example(text="00 11")  # bytes.fromhex skips the space
@example(text="0f\n")  # $ in a regex would match before it; \Z does not
def test_the_hex_digits_test_is_the_regular_expression_rule(text: str) -> None:
    assert is_hex_digits(text) is (HEX_RULE(text) is not None)


HEX_FIELDS = [name for name, (check, _) in FIELDS.items() if hex_length(check) is not None]


@settings(max_examples=200)
@given(name=st.sampled_from(HEX_FIELDS), text=hex_like)
def test_any_string_of_a_hex_fields_length_is_judged_alike(name: str, text: str) -> None:
    ev = full()
    length = len(ev[name])
    ev[name] = (text * length)[:length] if text else text  # its length: the digits decide
    assert_agree(ev)
