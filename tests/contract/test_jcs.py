"""RFC 8785 canonicalization: the RFC's own examples and properties."""

from __future__ import annotations

import json
import math
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tooltrail.contract import CanonicalizationError, canonicalize
from tooltrail.contract.jcs import _write, canonicalize_plain, canonicalize_stdlib_plain

# RFC 8785 Appendix B: IEEE-754 bit patterns and their ECMAScript serialization
RFC_NUMBERS = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


@pytest.mark.parametrize(("bits", "expected"), RFC_NUMBERS)
def test_rfc8785_number_serialization(bits: str, expected: str) -> None:
    value = struct.unpack(">d", bytes.fromhex(bits))[0]
    assert canonicalize(value).decode() == expected


def test_rfc8785_section_3_2_2_example() -> None:
    text = (
        '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
        ' "literals": [null, true, false]}'
    )
    expected = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert canonicalize(json.loads(text)) == expected.encode("utf-8")


def test_rfc8785_sorting_by_utf16_code_units() -> None:
    # RFC 8785 section 3.2.3: property names sorted as UTF-16 code units
    obj = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    names = [k for k in json.loads(canonicalize(obj))]
    assert [v for v in (obj[k] for k in names)] == [
        "Carriage Return",
        "One",
        "Control",
        "Latin Small Letter O With Diaeresis",
        "Euro Sign",
        "Emoji: Grinning Face",
        "Hebrew Letter Dalet With Dagesh",
    ]


@pytest.mark.parametrize(
    ("value", "field"),
    [
        (math.nan, "number"),
        (math.inf, "number"),
        ("\ud800", "string"),
        ({1: 2}, "object"),
        ({"a": {1, 2}}, "value"),
    ],
)
def test_values_without_canonical_form_are_refused(value: object, field: str) -> None:
    with pytest.raises(CanonicalizationError) as err:
        canonicalize(value)
    assert err.value.field == field


def test_large_integers_are_serialized_as_doubles() -> None:
    assert canonicalize(2**60 + 1) == b"1152921504606847000"  # as JSON.stringify(2**60)
    assert canonicalize(-(2**53)) == b"-9007199254740992"


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda kids: (
        st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4)
    ),
    max_leaves=20,
)


def _no_surrogates(value: object) -> bool:
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@given(json_values)
def test_canonical_bytes_round_trip_and_are_idempotent(value: object) -> None:
    if not _no_surrogates(value):
        return
    once = canonicalize(value)
    assert canonicalize(json.loads(once)) == once


@given(st.dictionaries(st.text(max_size=6), st.integers(0, 9), max_size=8))
def test_canonical_bytes_do_not_depend_on_key_order(d: dict[str, int]) -> None:
    if not _no_surrogates(d):
        return
    assert canonicalize(dict(reversed(list(d.items())))) == canonicalize(d)


plain_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(),
    lambda kids: (
        st.lists(kids, max_size=4)
        | st.dictionaries(st.text(st.characters(max_codepoint=127), max_size=8), kids, max_size=4)
    ),
    max_leaves=20,
)


@given(plain_values)
def test_fast_path_equals_rfc8785_on_its_domain(value: object) -> None:
    if not _no_surrogates(value):
        return
    out: list[str] = []
    _write(value, out)
    general = "".join(out).encode("utf-8")
    assert canonicalize(value) == general
    assert canonicalize_plain(value) == general  # orjson when installed
    assert canonicalize_stdlib_plain(value) == general
