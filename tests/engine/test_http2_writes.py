"""How the HTTP/2 connection writes: a request whose task reads for itself goes out in one write
with the reading (one cancel scope per request), and a server that reads nothing is bounded by
WRITE_TIMEOUT through the pool's watchdog, with no deadline per write."""

from __future__ import annotations

import ssl
import struct

import httpx
import pytest
import trio

from genaio.engine._http2 import WRITE_TIMEOUT
from genaio.engine._http2_frames import (
    _HEADER,
    ACK,
    INITIAL_WINDOW_SIZE,
    MAX_WINDOW,
    SETTINGS,
    WINDOW_UPDATE,
)
from genaio.engine._http11 import DEFAULT_HEADERS, split_url
from genaio.engine._pool import PooledTransport

HEADERS = (*DEFAULT_HEADERS, (b"content-type", b"application/json"))


def frame(kind: int, flags: int, stream_id: int, payload: bytes) -> bytes:
    size = len(payload)
    return _HEADER.pack(size >> 16, size & 0xFFFF, kind, flags, stream_id) + payload


async def serve_deaf(nursery, certificate) -> str:
    """An h2 server that opens every window as wide as it goes, then reads nothing more."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificate[0]), str(certificate[1]))
    context.set_alpn_protocols(["h2"])

    async def connection(stream: trio.SSLStream) -> None:
        await stream.receive_some(65536)  # the preface and the client's settings
        settings = struct.pack(">HL", INITIAL_WINDOW_SIZE, MAX_WINDOW)
        increment = struct.pack(">L", MAX_WINDOW - 65535)
        await stream.send_all(
            frame(SETTINGS, 0, 0, settings)
            + frame(WINDOW_UPDATE, 0, 0, increment)
            + frame(SETTINGS, ACK, 0, b"")
        )
        await trio.sleep_forever()

    listeners = await nursery.start(trio.serve_ssl_over_tcp, connection, 0, context)
    port = listeners[0].transport_listener.socket.getsockname()[1]
    return f"https://127.0.0.1:{port}"


async def test_a_server_that_reads_nothing_fails_the_write_after_write_timeout(
    nursery, certificate, autojump_clock
):
    """No read timeout: the body's write blocks, and the watchdog closes the connection once
    WRITE_TIMEOUT has passed; the caller gets a write timeout, and the watchdog is idle again."""
    url = await serve_deaf(nursery, certificate)
    context = ssl.create_default_context(cafile=str(certificate[0]))
    pool = PooledTransport(ssl_context=context, http2=True)
    target = split_url(f"{url}/upload")
    start = trio.current_time()
    with trio.fail_after(WRITE_TIMEOUT + 10), pytest.raises(httpx.WriteTimeout):
        await pool.exchange("POST", target, HEADERS, b"x" * (64 << 20))
    assert trio.current_time() - start == pytest.approx(WRITE_TIMEOUT, abs=1)
    assert not pool._watchdog.watched
    await pool.aclose()


def test_request_headers_are_checked_once_per_header_list_and_still_refused_each_time():
    """The checked form of a header list is remembered: the same list gives the same fields
    (its `host` as `:authority`, the headers HTTP/2 forbids dropped, `content-length` last);
    a list that fails the check is not remembered, and fails again."""
    from genaio.engine._http2_wire import RequestHeaders

    make = RequestHeaders()
    target = split_url("https://a.example/v1/x")
    headers = [(b"Host", b"b.example"), (b"Connection", b"keep-alive"), (b"X-Key", b"k")]
    expected = [
        (b":method", b"POST"),
        (b":scheme", b"https"),
        (b":authority", b"b.example"),
        (b":path", b"/v1/x"),
        (b"x-key", b"k"),
        (b"content-length", b"2"),
    ]
    assert make("POST", target, headers, b"{}") == expected
    assert make("POST", target, tuple(headers), b"{}") == expected  # remembered, the same
    assert make("GET", target, [], b"")[2] == (b":authority", b"a.example")
    for bad in ([(b"x-key", b"a\r\nb")], [(b"bad name", b"v")]):
        for _ in range(2):
            with pytest.raises(httpx.LocalProtocolError, match="invalid header"):
                make("GET", target, bad, b"")
