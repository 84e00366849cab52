"""Enums: str enums that keep values this version does not know."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genaio import types


def test_known_values_are_members_and_equal_their_string():
    assert (
        types.HarmCategory("HARM_CATEGORY_HARASSMENT")
        is types.HarmCategory.HARM_CATEGORY_HARASSMENT
    )
    assert types.FinishReason.STOP == "STOP"
    assert types.FinishReason.STOP.value == "STOP"


def test_members_print_as_the_official_sdks_do():
    st = pytest.importorskip("google.genai.types")
    for ours, theirs in [
        (types.FileState.ACTIVE, st.FileState.ACTIVE),
        (types.FinishReason.STOP, st.FinishReason.STOP),
        (types.HarmCategory("harm_category_harassment"), st.HarmCategory.HARM_CATEGORY_HARASSMENT),
    ]:
        assert str(ours) == str(theirs) == f"{ours}" == format(ours)
        assert repr(ours) == repr(theirs)
        assert (ours == theirs.value) and (ours == theirs) and hash(ours) == hash(theirs.value)
        assert (ours == ours.value.lower()) is (theirs == theirs.value.lower())
    assert str(types.FileState("NEW_STATE")) == "FileState.NEW_STATE"
    assert types.File(state="ACTIVE").to_wire() == {"state": "ACTIVE"}


def test_matching_is_case_insensitive():
    assert types.Type("object") is types.Type.OBJECT
    assert types.ServiceTier("FLEX") is types.ServiceTier.FLEX


def test_unknown_value_becomes_a_stable_pseudo_member():
    value = types.FinishReason("SOMETHING_NEW_IN_2030")
    assert isinstance(value, types.FinishReason)
    assert value == "SOMETHING_NEW_IN_2030"
    assert value.value == "SOMETHING_NEW_IN_2030"
    assert types.FinishReason("SOMETHING_NEW_IN_2030") is value
    assert value not in list(types.FinishReason)


def test_unknown_enum_from_server_is_kept_and_sent_back():
    candidate = types.Candidate.from_wire({"finishReason": "BRAND_NEW", "index": 0})
    assert candidate.finish_reason == "BRAND_NEW"
    assert candidate.to_wire() == {"finishReason": "BRAND_NEW", "index": 0}


def test_non_string_is_rejected():
    with pytest.raises(ValueError):
        types.HarmBlockThreshold(3)


@given(st.from_regex(r"[A-Z][A-Z_]{0,30}", fullmatch=True))
def test_any_upper_snake_value_is_accepted(value):
    member = types.BlockedReason(value)
    assert member == value
    assert types.SafetyRating(category=value).category == value
