"""Property tests of the codecs and normalizers: any valid value round-trips; any invalid one
is a clear error (the documented type), never a crash deep inside."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genaio import types
from genaio.api._normalize import t_contents, t_model
from genaio.engine._errors import MAX_RETRY_DELAY, api_error, parse_duration, retry_delay
from genaio.engine._sse import SSEDecoder
from genaio.errors import APIError, UnknownApiResponseError

settings.register_profile("genaio", max_examples=150, deadline=None)
settings.load_profile("genaio")

# What the API's JSON holds: standard JSON (no NaN or Infinity), and integers within 64 bits (the
# protobuf mapping sends wider ones as strings), which is what the engine's orjson reads exactly.
JSON_INTEGERS = st.integers(min_value=-(2**63), max_value=2**64 - 1)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | JSON_INTEGERS
    | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
EVENT = st.dictionaries(st.text(min_size=1), JSON, max_size=4).filter(lambda d: "error" not in d)


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]


@given(st.lists(EVENT, max_size=6), st.booleans(), st.lists(st.integers(0, 10_000)))
def test_sse_events_round_trip_however_the_bytes_are_cut(events, crlf, cuts):
    eol = b"\r\n" if crlf else b"\n"
    data = b"".join(b"data: " + json.dumps(e).encode() + eol + eol for e in events)
    decoder = SSEDecoder()
    decoded = [value for chunk in split(data, cuts) for value in decoder.feed(chunk)]
    assert decoded + decoder.close() == events


@given(st.binary(max_size=300), st.lists(st.integers(0, 300)))
def test_any_bytes_decode_or_raise_the_typed_error(data, cuts):
    decoder = SSEDecoder(max_event_bytes=100)
    try:
        for chunk in split(data, cuts):
            decoder.feed(chunk)
        decoder.close()
    except UnknownApiResponseError:
        pass


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_a_duration_round_trips(seconds):
    """Up to the bound on a server's delay; a longer one is the bound."""
    assert parse_duration(f"{seconds!r}s") == pytest.approx(min(seconds, MAX_RETRY_DELAY))


@given(JSON)
def test_any_duration_value_parses_or_is_none(value):
    parsed = parse_duration(value) if not isinstance(value, dict) else None
    assert parsed is None or parsed >= 0


@given(st.integers(100, 599), JSON, st.dictionaries(st.sampled_from(["retry-after"]), st.text()))
def test_any_error_body_maps_to_one_typed_error(code, body, headers):
    error = api_error(code, body, headers=headers)
    assert isinstance(error, APIError) and error.code == code
    assert str(error) and repr(error)
    delay = retry_delay(body, headers)
    assert delay is None or delay >= 0


@given(JSON)
def test_any_answer_parses_or_is_an_unknown_answer(data):
    for model in (types.GenerateContentResponse, types.EmbedContentResponse, types.File):
        try:
            model.from_wire(data)
        except UnknownApiResponseError:
            pass


TEXT = st.text(min_size=1).filter(str.strip)


@given(st.lists(TEXT, min_size=1, max_size=5))
def test_texts_become_one_user_turn_and_round_trip_the_wire(texts):
    (content,) = t_contents(texts)
    assert content.role == "user" and [p.text for p in content.parts] == texts
    assert types.Content.from_wire(content.to_wire()) == content


@given(st.one_of(st.integers(), st.floats(), st.just([]), st.none(), st.sets(st.integers())))
def test_invalid_contents_are_a_clear_error(value):
    with pytest.raises((ValueError, TypeError)):
        t_contents(value)


@given(st.text(alphabet=st.characters(categories=["L", "N"]) | st.just("-"), min_size=1))
def test_a_model_name_is_prefixed_once(name):
    assert t_model(name, vertex=False) == f"models/{name}"
    assert t_model(t_model(name, vertex=False), vertex=False) == f"models/{name}"


@given(st.text(), st.sampled_from(["..", "?", "&"]), st.text())
def test_a_model_name_that_would_change_the_url_is_refused(before, bad, after):
    with pytest.raises(ValueError, match="not allowed"):
        t_model(before + bad + after, vertex=False)
