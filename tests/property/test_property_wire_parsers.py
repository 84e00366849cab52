"""Every parser of server input is total: any input gives a value in its documented range or
the one typed error, never another exception (which, inside an actor, would crash it)."""

import email.utils
import json
import math

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from genaio.engine._bodies import usage_tokens as _usage_tokens
from genaio.engine._calls import PreparedRequest as _Request
from genaio.engine._errors import MAX_RETRY_DELAY, error_from_response, parse_duration, retry_delay
from genaio.engine._http11 import (
    MAX_HEAD_BYTES,
    Decoder,
    ProtocolError,
    ResponseHeaders,
    ResponseParser,
    split_url,
)
from genaio.engine._redirects import redirected as _redirected
from genaio.errors import APIError

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
NUMBERS = st.one_of(
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(),
    st.text(max_size=12),
    JSON,
)
HEAD_PIECES = st.sampled_from(
    [
        b"HTTP/1.1 200 OK\r\n",
        b"HTTP/1.0 204 No\r\n",
        b"HTTP/1.1 100 Continue\r\n\r\n",
        b"Content-Length: 5\r\n",
        b"Content-Length: 99999999999999999999999\r\n",
        b"Transfer-Encoding: chunked\r\n",
        b"Connection: close\r\n",
        b"X: " + b"v" * 5000 + b"\r\n",
        b"\r\n",
        b"5\r\nhello\r\n",
        b"0\r\n\r\n",
        b"ffffffffffffffffffff\r\n",
        b"hello",
    ]
)


def _in_range(delay):
    return delay is None or (0.0 <= delay <= MAX_RETRY_DELAY and not math.isnan(delay))


@given(NUMBERS)
def test_any_duration_is_none_or_within_the_bound(value):
    assert _in_range(parse_duration(value))
    assert _in_range(parse_duration({"seconds": value, "nanos": value}))
    if isinstance(value, str):
        assert _in_range(parse_duration(value + "s"))


@given(st.text(max_size=40) | st.datetimes().map(lambda d: email.utils.format_datetime(d)))
def test_any_retry_after_is_none_or_within_the_bound(value):
    assert _in_range(retry_delay(None, {"retry-after": value}))


@given(JSON, NUMBERS)
def test_any_retry_info_is_none_or_within_the_bound(body, delay):
    detail = {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay}
    assert _in_range(retry_delay({"error": {"details": [detail, body]}}, None))
    assert _in_range(retry_delay(body, None))


@given(
    st.integers(100, 999),
    st.binary(max_size=200) | JSON.map(lambda v: json.dumps(v).encode()),
    st.sampled_from(["utf-8", "rot13", "no-such", "utf-16", "latin-1", "base64", ""]),
    st.text(max_size=20),
)
def test_any_error_answer_is_one_typed_error(code, content, charset, retry_after):
    headers = [
        (b"content-type", f"application/json; charset={charset}".encode()),
        (b"retry-after", retry_after.encode()),
    ]
    response = httpx.Response(code, headers=headers, content=content)
    error = error_from_response(response)
    assert isinstance(error, APIError)
    assert _in_range(error.retry_delay)
    str(error), repr(error)


@given(JSON)
def test_usage_is_a_sane_count_or_none(usage):
    tokens = _usage_tokens({"usageMetadata": {"totalTokenCount": usage}})
    assert tokens is None or (type(tokens) is int and 0 <= tokens <= 10**9)


@settings(max_examples=300)
@given(st.lists(HEAD_PIECES | st.binary(max_size=40), max_size=12), st.lists(st.integers(0, 400)))
def test_any_bytes_parse_or_raise_protocol_error(pieces, cuts):
    data = b"".join(pieces)
    parser = ResponseParser()
    try:
        for start, end in zip([0, *sorted(cuts)], [*sorted(cuts), len(data)], strict=False):
            if parser.done:
                break
            if data[start:end]:
                parser.feed(data[start:end])
        parser.feed_eof()
    except ProtocolError:
        return
    assert parser.head_done and parser.done
    assert len(parser.raw_headers) <= 128


@given(st.integers(1, 40))
def test_a_head_trickled_byte_by_byte_is_refused_at_its_limit(width):
    parser = ResponseParser()
    fed = 0
    try:
        parser.feed(b"HTTP/1.1 200 OK\r\n")
        while True:
            parser.feed(b"X-%d: %s\r\n" % (fed, b"v" * width))
            fed += 1
    except ProtocolError:
        pass
    assert fed * (width + 8) <= MAX_HEAD_BYTES + 64 * 1024


@given(st.lists(st.tuples(st.binary(max_size=8), st.binary(max_size=8)), max_size=50))
def test_any_headers_decode_to_a_mapping(raw):
    headers = ResponseHeaders.of(raw)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items())


@given(st.text(max_size=12), st.lists(st.binary(max_size=30), max_size=5))
def test_any_encoding_and_bytes_decode_or_raise_protocol_error(encoding, chunks):
    try:
        decoder = Decoder(encoding)
        for chunk in chunks:
            decoder.decode(chunk)
        decoder.flush()
    except ProtocolError:
        pass


@given(st.text(max_size=60), st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3))
def test_any_url_splits_or_raises_protocol_error(url, query):
    for candidate in (url, "http://h/" + url, "https://" + url):
        try:
            target = split_url(candidate, query or None)
        except ProtocolError:
            continue
        assert target.target.isascii()


REQUEST = _Request("POST", "https://api.example/v1/models/m:generateContent", None, {}, b"{}")


@given(st.sampled_from([301, 302, 303, 307, 308]), st.text(max_size=60))
def test_any_location_is_followed_on_its_origin_or_refused(status, location):
    for candidate in (location, "https://api.example/" + location, "https://" + location):
        try:
            redirected = _redirected(REQUEST, status, candidate)
        except APIError as error:
            assert error.code == status
            continue
        assert redirected.url.startswith("https://api.example")
        assert redirected.url[len("https://api.example") :][:1] in ("", "/", "?", "#")
