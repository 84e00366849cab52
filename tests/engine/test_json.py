"""The wire's JSON: orjson's speed without refusing what the standard library accepts."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genaio.engine import _json

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
def test_a_value_comes_back_as_the_standard_library_reads_it(value):
    encoded = _json.dumps(value)
    assert json.loads(encoded) == value
    assert _json.loads(encoded) == json.loads(encoded)


def test_integers_beyond_64_bits_are_written_by_the_standard_library():
    big = 2**80
    assert json.loads(_json.dumps({"n": big})) == {"n": big}


def test_non_string_keys_are_written_as_the_standard_library_writes_them():
    assert json.loads(_json.dumps({1: "a"})) == {"1": "a"}


def test_floats_round_trip_exactly():
    values = [0.1, 1 / 3, -2.5e-300, 1.7976931348623157e308, math.pi]
    assert _json.loads(_json.dumps(values)) == values


@pytest.mark.parametrize("text", [b"", b"{", b"[1,]", b"nope", b"\xff"])
def test_what_is_not_json_raises_value_error(text):
    with pytest.raises(ValueError):
        _json.loads(text)
