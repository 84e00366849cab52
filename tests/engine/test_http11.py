"""HTTP/1.1 with no I/O: requests as h11 reads them, targets as httpx builds them, responses
parsed whole or in pieces, bodies decoded."""

import gzip
import string
import zlib
from urllib.parse import parse_qsl, unquote

import h11
import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from genaio.engine._http11 import (
    Decoder,
    ProtocolError,
    ResponseHeaders,
    ResponseParser,
    encode_request,
    split_url,
)

# Requests.


@pytest.mark.parametrize(
    ("method", "headers", "body", "added"),
    [
        ("GET", [(b"X-Goog-Api-Key", b"k")], b"", []),
        ("DELETE", [], b"", []),
        ("HEAD", [(b"accept", b"*/*")], b"", []),
        (
            "POST",
            [(b"content-type", b"application/json")],
            b'{"a": 1}',
            [(b"content-length", b"8")],
        ),
        ("POST", [], b"", [(b"content-length", b"0")]),
        ("PUT", [], b"", [(b"content-length", b"0")]),
        ("PATCH", [], b"", [(b"content-length", b"0")]),
        ("GET", [], b"abc", [(b"content-length", b"3")]),
    ],
)
def test_encoded_request_reads_back_the_same(method, headers, body, added):
    """h11, as a server, reads the same request: `host` first, the headers as given, then
    `content-length` for a body (or for a method that expects one), none for a bodiless GET."""
    target = split_url("http://example.test:8080/v1/models/m:generate?alt=sse")
    data = encode_request(method, target, headers, body)
    assert read_request(data) == (
        method.encode(),
        b"/v1/models/m:generate?alt=sse",
        [(b"host", b"example.test:8080"), *headers, *added],
        body,
    )


def test_a_given_host_header_is_not_doubled():
    target = split_url("http://example.test/p")
    data = encode_request("GET", target, [(b"Host", b"other.test")], b"")
    assert read_request(data)[2] == [(b"Host", b"other.test")]


@pytest.mark.parametrize(
    "header",
    [
        (b"bad name", b"v"),
        (b"x:y", b"v"),
        (b"", b"v"),
        (b"x\r\nx-injected", b"v"),
        (b"x-a", b"v\r\nx-injected: 1"),
        (b"x-a", b"v\nx-injected: 1"),
        (b"x-a", b"v\rx"),
        (b"x-a", b"v\x00x"),
        (b"x-a", b"v\r\n\r\nGET /second HTTP/1.1"),
    ],
)
def test_header_injection_is_refused(header):
    with pytest.raises(ProtocolError):
        encode_request("GET", split_url("http://example.test/"), [header], b"")


# Targets.

PATHS = st.text(st.characters(blacklist_characters="#?", blacklist_categories=("Cs", "Cc")))
QUERIES = st.dictionaries(st.text(min_size=1, max_size=10), st.text(max_size=10), max_size=4)


@given(PATHS, QUERIES)
def test_target_decodes_as_httpx_s(path, query):
    """The target names the same path and query as httpx's (the escapes may differ)."""
    url = "http://example.test/" + path
    expected = httpx.Request("GET", url, params=query or None).url.raw_path
    assert decoded(split_url(url, query or None).target) == decoded(expected)


@pytest.mark.parametrize("path", ["a/../b", "a/./b", ".", "a/b/.."])
def test_dot_segments_are_removed_as_httpx_does(path):
    url = "http://example.test/" + path
    assert split_url(url).target == httpx.Request("GET", url).url.raw_path


@pytest.mark.parametrize(
    ("url", "query", "target"),
    [
        ("http://h.test/p?a=1", {"b": "2"}, b"/p?b=2"),
        ("http://h.test/p?a=1", None, b"/p?a=1"),
        ("http://h.test/p?a=1", {}, b"/p?a=1"),
        ("http://h.test", None, b"/"),
        ("http://h.test", {"k": "a b&c"}, b"/?k=a+b%26c"),
    ],
)
def test_a_query_replaces_the_url_s_own(url, query, target):
    assert split_url(url, query).target == target


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("http://example.test/x", (b"http", b"example.test", 80)),
        ("http://example.test:80/x", (b"http", b"example.test", 80)),
        ("https://example.test/x", (b"https", b"example.test", 443)),
        ("https://example.test:443/x", (b"https", b"example.test", 443)),
        ("https://example.test:8443/x", (b"https", b"example.test", 8443)),
        ("http://EXAMPLE.test:80/x", (b"http", b"example.test", 80)),
        ("http://[::1]:8080/x", (b"http", b"::1", 8080)),
        ("http://[::1]/x", (b"http", b"::1", 80)),
        ("http://127.0.0.1:9/", (b"http", b"127.0.0.1", 9)),
        ("https://b\u00fccher.example/", (b"https", b"xn--bcher-kva.example", 443)),
    ],
)
def test_origin_and_host_header(url, origin):
    """The `host` header is httpx's: default ports left out, IPv6 addresses in brackets."""
    target = split_url(url)
    assert target.origin == origin
    assert target.host == httpx.Request("GET", url).headers["host"].encode()


@pytest.mark.parametrize(
    "url", ["ftp://example.test/x", "ws://example.test/", "example.test/x", "http:///x", "/x"]
)
def test_a_url_that_is_not_http_is_refused(url):
    with pytest.raises(ProtocolError):
        split_url(url)


# Responses.

SIZED = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world"
CHUNKED = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n\r\n"
)


@given(st.sampled_from([SIZED, CHUNKED]), st.data())
def test_a_response_fed_in_any_pieces_parses_the_same(raw, data):
    cuts = sorted(data.draw(st.sets(st.integers(1, len(raw) - 1), max_size=12)))
    parser = ResponseParser()
    for start, end in zip([0, *cuts], [*cuts, len(raw)], strict=True):
        assert not parser.done
        parser.feed(raw[start:end])
    assert (parser.status, parser.reason, b"".join(parser.body)) == (200, b"OK", b"hello world")
    assert parser.raw_headers[0] == (b"Content-Type", b"text/plain")
    assert parser.head_done and parser.done and parser.keep_alive


@pytest.mark.parametrize(
    ("raw", "head_only", "status", "body", "keep_alive"),
    [
        pytest.param(SIZED, False, 200, b"hello world", True, id="content-length"),
        pytest.param(CHUNKED, False, 200, b"hello world", True, id="chunked"),
        pytest.param(
            b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi",
            False,
            200,
            b"hi",
            False,
            id="connection-close",
        ),
        pytest.param(
            b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi",
            False,
            200,
            b"hi",
            False,
            id="http/1.0",
        ),
        pytest.param(
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nhi",
            False,
            201,
            b"hi",
            True,
            id="100-continue-skipped",
        ),
        pytest.param(
            b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", True, 200, b"", False, id="head"
        ),
        pytest.param(b"HTTP/1.1 204 No Content\r\n\r\n", False, 204, b"", True, id="204"),
        pytest.param(
            b"HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n",
            False,
            304,
            b"",
            True,
            id="304",
        ),
    ],
)
def test_a_whole_response(raw, head_only, status, body, keep_alive):
    parser = ResponseParser()
    parser.reset(head_only=head_only)
    parser.feed(raw)
    assert parser.done
    assert (parser.status, b"".join(parser.body), parser.keep_alive) == (status, body, keep_alive)


def test_an_interim_answer_leaves_nothing_of_itself():
    parser = ResponseParser()
    parser.feed(b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n")
    assert not parser.head_done
    parser.feed(b"HTTP/1.1 200 Fine\r\nContent-Length: 0\r\n\r\n")
    assert (parser.status, parser.reason, parser.raw_headers) == (
        200,
        b"Fine",
        [(b"Content-Length", b"0")],
    )


def test_a_body_without_length_runs_until_the_close():
    parser = ResponseParser()
    parser.feed(b"HTTP/1.1 200 OK\r\n\r\nabc")
    parser.feed(b"def")
    assert parser.head_done and not parser.done
    parser.feed_eof()
    assert parser.done and not parser.keep_alive
    assert b"".join(parser.body) == b"abcdef"


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"", id="nothing"),
        pytest.param(b"HTTP/1.1 200 OK\r\nContent-Le", id="half-a-head"),
        pytest.param(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab", id="short-body"),
        pytest.param(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n", id="short-chunks"
        ),
    ],
)
def test_a_response_cut_short_is_refused(raw):
    parser = ResponseParser()
    parser.feed(raw)
    with pytest.raises(ProtocolError):
        parser.feed_eof()


@pytest.mark.parametrize(
    "raw",
    [
        b"garbage\r\n\r\n",
        b"HTTP/1.1 2x0 OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n",
    ],
)
def test_garbage_is_refused(raw):
    with pytest.raises(ProtocolError):
        ResponseParser().feed(raw)


def test_data_after_the_end_is_refused():
    parser = ResponseParser()
    parser.feed(SIZED)
    with pytest.raises(ProtocolError):
        parser.feed(b"HTTP/1.1 200 OK\r\n")


def test_two_responses_in_sequence_with_reset_between():
    parser = ResponseParser()
    parser.feed(SIZED)
    parser.reset(head_only=False)
    assert not (parser.head_done or parser.done or parser.body or parser.raw_headers)
    parser.feed(b"HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\n")
    assert (parser.status, parser.reason, parser.raw_headers) == (
        404,
        b"Not Found",
        [(b"Content-Length", b"4")],
    )
    parser.feed(b"gone")
    assert parser.done and parser.keep_alive and parser.body == [b"gone"]


def test_an_unasked_for_second_response_leaves_the_first_alone():
    parser = ResponseParser()
    parser.feed(SIZED + b"HTTP/1.1 500 Oops\r\nX-Extra: 1\r\nContent-Length: 0\r\n\r\n")
    assert parser.done and not parser.keep_alive
    assert b"".join(parser.body) == b"hello world"
    assert (parser.reason, len(parser.raw_headers)) == (b"OK", 2)


# Response headers.

RAW_HEADERS = [
    (b"Content-Type", b"application/json"),
    (b"X-Dup", b"1"),
    (b"x-dup", b"2"),
    (b"SET-COOKIE", b"a=1"),
    (b"Set-Cookie", b"b=2"),
]


def test_response_headers_join_repeats_and_ignore_case():
    headers = ResponseHeaders.of(RAW_HEADERS)
    assert headers == {
        "content-type": "application/json",
        "x-dup": "1, 2",
        "set-cookie": "a=1, b=2",
    }
    assert headers["CONTENT-TYPE"] == headers.get("Content-Type") == "application/json"
    assert "X-DUP" in headers and "x-missing" not in headers
    assert headers.get("X-Missing", "default") == "default"


TOKENS = st.text(string.ascii_letters + string.digits + "-", min_size=1, max_size=4)
VALUES = st.text(string.ascii_letters + string.digits + " ,;=/", max_size=8).map(str.strip)


@given(st.lists(st.tuples(TOKENS.map(str.encode), VALUES.map(str.encode)), max_size=8))
def test_response_headers_are_dict_of_httpx_headers(raw):
    assert dict(ResponseHeaders.of(raw)) == dict(httpx.Headers(raw))


def test_a_utf8_header_value_reads_as_httpx_reads_it():
    raw = [(b"Content-Disposition", "attachment; filename=café.txt".encode())]
    assert dict(ResponseHeaders.of(raw)) == dict(httpx.Headers(raw))


# Bodies.

PLAIN = b"".join(b"%d: the quick brown fox\n" % n for n in range(200))


def gzipped(data):
    return gzip.compress(data)


def zlib_wrapped(data):
    return zlib.compress(data)


def raw_deflated(data):
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzipped),
        (" GZip ", gzipped),
        ("deflate", zlib_wrapped),
        ("deflate", raw_deflated),
        ("identity", bytes),
        ("", bytes),
        (None, bytes),
    ],
)
@pytest.mark.parametrize("size", [1, 2, 7, 1 << 20])
def test_decoder_undoes_the_encoding_in_any_chunks(encoding, encode, size):
    encoded = encode(PLAIN)
    decoder = Decoder(encoding)
    decoded = b"".join(decoder.decode(encoded[i : i + size]) for i in range(0, len(encoded), size))
    assert decoded + decoder.flush() == PLAIN


@pytest.mark.parametrize("encoding", ["br", "zstd", "gzip, deflate", "compress"])
def test_an_unknown_encoding_is_refused(encoding):
    with pytest.raises(ProtocolError):
        Decoder(encoding)


@pytest.mark.parametrize(
    ("encoding", "chunks"),
    [
        ("gzip", [b"this is not gzip"]),
        ("gzip", [gzipped(PLAIN)[:-8], b"\0" * 8]),  # a wrong checksum at the end
        ("deflate", [b"\xff\xff\xff\xff"]),
        ("deflate", [zlib_wrapped(PLAIN)[:-4], b"\0" * 4]),
    ],
)
def test_a_corrupt_body_is_refused(encoding, chunks):
    decoder = Decoder(encoding)
    with pytest.raises(ProtocolError):
        for chunk in chunks:
            decoder.decode(chunk)


# Helpers.


def read_request(data):
    """Method, target, headers as sent, body: what an h11 server makes of `data`."""
    connection = h11.Connection(h11.SERVER)
    connection.receive_data(data)
    request = connection.next_event()
    assert isinstance(request, h11.Request), request
    body = b""
    while not isinstance(event := connection.next_event(), h11.EndOfMessage):
        assert isinstance(event, h11.Data), event
        body += event.data
    assert connection.trailing_data == (b"", False)  # nothing after the message
    return request.method, request.target, list(request.headers.raw_items()), body


def decoded(raw_path):
    path, _, query = raw_path.decode("ascii").partition("?")
    return unquote(path), parse_qsl(query, keep_blank_values=True)
