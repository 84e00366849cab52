import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genaio.engine._sse import SSEDecoder
from genaio.errors import UnknownApiResponseError


def decode(*chunks: bytes) -> list:
    decoder = SSEDecoder()
    values = []
    for chunk in chunks:
        values += decoder.feed(chunk)
    return values + decoder.close()


def test_events_framed_as_the_api_frames_them():
    assert decode(b'data: {"a": 1}\r\n\r\ndata: {"b": 2}\r\n\r\n') == [{"a": 1}, {"b": 2}]


def test_lf_framing_and_no_trailing_blank_line():
    assert decode(b'data: {"a": 1}\n\ndata: {"b": 2}') == [{"a": 1}, {"b": 2}]


def test_multi_line_data_is_joined():
    assert decode(b'data: {"a":\r\ndata: 1}\r\n\r\n') == [{"a": 1}]


def test_comments_and_sse_fields_are_ignored():
    assert decode(b': keep-alive\n\nevent: x\nid: 3\ndata: {"a": 1}\n\n') == [{"a": 1}]


def test_a_pretty_printed_error_body_on_the_stream_is_one_value():
    body = json.dumps({"error": {"code": 503, "message": "overloaded"}}, indent=2).encode()
    assert decode(b'data: {"a": 1}\r\n\r\n' + body + b"\n") == [
        {"a": 1},
        {"error": {"code": 503, "message": "overloaded"}},
    ]


def test_an_event_that_is_not_json_is_a_clear_error():
    with pytest.raises(UnknownApiResponseError):
        decode(b"data: [done]\n\n")


def test_the_done_marker_yields_nothing():
    assert decode(b'data: {"a": 1}\n\ndata: [DONE]\n\n') == [{"a": 1}]


def test_a_stream_cut_inside_a_raw_value_is_a_clear_error():
    with pytest.raises(UnknownApiResponseError):
        decode(b'{"error": {')


def test_an_oversized_event_is_refused_before_memory_runs_out():
    decoder = SSEDecoder(max_event_bytes=1000)
    with pytest.raises(UnknownApiResponseError):
        for _ in range(100):
            decoder.feed(b"data: " + b"x" * 100 + b"\n")


def test_an_oversized_line_is_refused():
    decoder = SSEDecoder(max_event_bytes=1000)
    with pytest.raises(UnknownApiResponseError):
        decoder.feed(b"data: " + b"x" * 2000)


@given(
    st.lists(
        st.dictionaries(
            st.text(max_size=5),
            st.integers(min_value=-(2**63), max_value=2**64 - 1) | st.text(max_size=20),
        ),
        max_size=5,
    ),
    st.data(),
)
def test_any_split_of_the_bytes_decodes_the_same(values, data):
    stream = b"".join(b"data: " + json.dumps(v).encode() + b"\r\n\r\n" for v in values)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=6)))
    chunks = [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True)]
    assert decode(*chunks) == values
