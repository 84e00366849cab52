"""What a misbehaving server can do to the pool and the transport: each case costs one call a
typed error (or is answered correctly) and never reaches another call.

The scripted server is test_pool's; each test here failed before the fix it names.
"""

import json
import time

import anyio
import anyio.abc
import pytest
import trio

from genaio import errors
from genaio.engine import RestCall
from genaio.engine._config import CONNECT_TIMEOUT, KEEPALIVE_EXPIRY, READ_TIMEOUT
from genaio.engine._http11 import MAX_HEADERS, MAX_LINE_BYTES, ResponseHeaders, split_url
from tests.engine.test_pool import (
    CALL,
    OK,
    CloseAfter,
    Hold,
    engine_transport,
    no_environment_proxies,  # noqa: F401 (an autouse fixture)
    pooled,
    read,
    read_request,
    response,
    serve,
    stats,
)

#: The bound on a test under MockClock, whose time jumps.
LONG = 10 * READ_TIMEOUT


class Then:
    """Send `first`; once `go` is set, send `extra` on the same connection (unasked)."""

    def __init__(self, first: bytes, extra: bytes) -> None:
        self.first, self.extra = first, extra
        self.go = anyio.Event()
        self.sent = anyio.Event()

    async def __call__(self, stream) -> bool:
        await stream.send(self.first)
        await self.go.wait()
        await stream.send(self.extra)
        self.sent.set()
        return True


# Framing: a connection is reused only at the exact end of its answer.


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param(response(200, b'{"for": "someone else"}'), id="a-whole-second-answer"),
        pytest.param(b"HTTP/1.1 200 OK\r\nConte", id="half-a-second-answer"),
        pytest.param(b"garbage", id="bytes-that-are-no-answer"),
    ],
)
@pytest.mark.anyio
async def test_bytes_after_an_answer_in_the_same_read_close_the_connection(extra):
    async with serve(response(200, OK) + extra, response(200, b"mine")) as server:
        async with pooled() as pool:
            assert await read(await pool.exchange("GET", split_url(server.url), ())) == OK
            assert pool.statistics() == stats(opened=1)
            assert await read(await pool.exchange("GET", split_url(server.url), ())) == b"mine"
            assert pool.statistics() == stats(open=1, idle=1, opened=2)


@pytest.mark.anyio
async def test_a_second_answer_sent_later_never_reaches_the_next_caller():
    """The regression of issue 13: two answers to one request; the second arrives while the
    connection is idle and would have been read as the next request's answer."""
    twice = Then(response(200, OK), response(200, b'{"for": "someone else"}'))
    async with serve(twice, response(200, b"mine")) as server, pooled() as pool:
        assert await read(await pool.exchange("GET", split_url(server.url), ())) == OK
        twice.go.set()
        await twice.sent.wait()
        assert await read(await pool.exchange("GET", split_url(server.url), ())) == b"mine"
        assert pool.statistics() == stats(open=1, idle=1, opened=2, dropped=1)


@pytest.mark.anyio
async def test_a_body_longer_than_its_length_closes_the_connection():
    longer = response(200, OK + b"tail", ("Content-Length", str(len(OK))), length=False)
    async with serve(longer, response(200, b"mine")) as server, pooled() as pool:
        assert await read(await pool.exchange("GET", split_url(server.url), ())) == OK
        assert await read(await pool.exchange("GET", split_url(server.url), ())) == b"mine"
        assert pool.statistics().opened == 2


@pytest.mark.anyio
async def test_an_answer_before_the_request_was_sent_whole_is_read_and_not_reused():
    connections = 0

    async def handle(stream) -> None:
        nonlocal connections
        connections += 1
        async with stream:
            if connections == 1:  # a 413 once the head is in, the body left unread
                await stream.receive()
                await stream.send(response(413, b"too large", ("Connection", "keep-alive")))
                await anyio.sleep_forever()
            await read_request(stream, b"")
            await stream.send(response(200, b"mine"))
            await anyio.sleep_forever()

    async with await anyio.create_tcp_listener(local_host="127.0.0.1") as listener:
        url = f"http://127.0.0.1:{listener.extra(anyio.abc.SocketAttribute.local_port)}/"
        async with anyio.create_task_group() as tg, pooled() as pool:
            tg.start_soon(listener.serve, handle)
            answer = await pool.exchange("POST", split_url(url), (), b"x" * 50_000_000)
            assert (answer.status_code, await read(answer)) == (413, b"too large")
            assert await read(await pool.exchange("GET", split_url(url), ())) == b"mine"
            assert pool.statistics() == stats(open=1, idle=1, opened=2)
            tg.cancel_scope.cancel()


# Heads have limits; a head past one is a typed error for its call.


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(
            response(200, OK, *[("X-Many", "v")] * (MAX_HEADERS + 1)), id="too-many-headers"
        ),
        pytest.param(
            response(200, OK, ("X-Long", "v" * (MAX_LINE_BYTES + 1))), id="a-header-too-long"
        ),
        pytest.param(
            b"HTTP/1.1 200 " + b"O" * (MAX_LINE_BYTES + 1) + b"\r\n\r\n", id="a-long-status-line"
        ),
        pytest.param(b"HTTP/1.1 100 Continue\r\n\r\n" * 10_000, id="endless-interim-answers"),
        pytest.param(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;" + b"e" * 200_000,
            id="an-endless-chunk-extension",
        ),
        pytest.param(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: " + b"t" * 200_000,
            id="an-endless-trailer",
        ),
        pytest.param(b"HTTP/1.1 2000 OK\r\n\r\n", id="a-bad-status"),
        pytest.param(
            response(200, OK, ("Content-Length", "2"), ("Content-Length", "3"), length=False),
            id="two-lengths",
        ),
        pytest.param(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n",
            id="a-huge-chunk-size",
        ),
    ],
)
@pytest.mark.anyio
async def test_a_head_or_framing_past_a_limit_is_a_typed_error(answer):
    async with serve(CloseAfter(answer), response(200, OK)) as server:
        async with engine_transport(server) as transport:
            with pytest.raises(errors.NetworkError) as caught:
                await transport.send(CALL)
            assert "RemoteProtocolError" in str(caught.value)
            assert transport.pool_statistics().open == 0
            assert (await transport.send(CALL)).data == {"ok": True}  # it serves the next


def test_repeated_headers_are_joined_in_linear_time():
    raw = [(b"X-Same", b"value")] * 200_000
    started = time.perf_counter()
    headers = ResponseHeaders.of(raw)
    assert time.perf_counter() - started < 2  # quadratic: minutes
    assert headers["x-same"] == ", ".join(["value"] * 200_000)


# Every value parsed from an answer is parsed totally.


@pytest.mark.parametrize(
    ("headers", "body", "delay"),
    [
        ([("Retry-After", "soon")], b"", None),
        ([("Retry-After", "-5")], b"", 0.0),
        ([("Retry-After", "1e999")], b"", 3600.0),
        ([("Retry-After", "nan")], b"", None),
        ([("Retry-After", "Fri, 31 Dec 9999 23:59:59 GMT")], b"", 3600.0),
        ([("Retry-After", "Mon, 99 Foo 2020 99:99:99 GMT")], b"", None),
        ([], b'{"error": {"details": [{"@type": "x.RetryInfo", "retryDelay": "nans"}]}}', None),
        (
            [],
            b'{"error": {"details": [{"@type": "x.RetryInfo", "retryDelay": {"seconds": []}}]}}',
            None,
        ),
        (
            [],
            b'{"error": {"details": [{"@type": "x.RetryInfo", "retryDelay": "1e400s"}]}}',
            3600.0,
        ),
        ([], b'{"error": [1, 2]}', None),
        ([("Content-Type", "text/plain; charset=rot13")], b"\xff\xfe not text", None),
        ([("Content-Type", "text/plain; charset=no-such")], b"x", None),
    ],
)
@pytest.mark.anyio
@pytest.mark.parametrize("door", ["direct", "httpx"])
async def test_an_odd_error_answer_is_the_typed_error(door, headers, body, delay):
    async with serve(response(429, body, *headers)) as server:
        async with engine_transport(server, door) as transport:
            with pytest.raises(errors.RateLimitError) as caught:
                await transport.send(CALL)
    assert caught.value.retry_delay == delay


# Credentials stay with their origin.


@pytest.mark.anyio
@pytest.mark.parametrize("door", ["direct", "httpx"])
async def test_a_redirect_to_another_origin_is_not_followed(door):
    async with serve(response(200, OK)) as elsewhere:
        location = f"{elsewhere.url}/steal?key=secret-in-location"
        async with serve(response(307, b"", ("Location", location))) as server:
            async with engine_transport(server, door) as transport:
                with pytest.raises(errors.APIError) as caught:
                    await transport.send(CALL)
    assert elsewhere.received == []  # the key never left its origin
    error = caught.value
    assert (error.code, error.status) == (307, "REDIRECT_NOT_FOLLOWED")
    assert f"{elsewhere.url}/steal" in error.message
    assert "secret-in-location" not in str(error)


@pytest.mark.anyio
@pytest.mark.parametrize("door", ["direct", "httpx"])
async def test_a_redirect_loop_ends_in_a_typed_error(door):
    loop = response(302, b"", ("Location", "/v1beta/models/m:generateContent"))
    async with serve(*[loop] * 6) as server, engine_transport(server, door) as transport:
        with pytest.raises(errors.APIError) as caught:
            await transport.send(CALL)
    assert caught.value.status == "TOO_MANY_REDIRECTS"
    assert len(server.received) == 6


@pytest.mark.anyio
@pytest.mark.parametrize("location", ["http://[::1", "http://bad host/", "https://\u2603.invalid/"])
async def test_an_unusable_location_is_a_typed_error(location):
    async with serve(response(301, b"", ("Location", location))) as server:
        async with engine_transport(server) as transport:
            with pytest.raises(errors.APIError) as caught:
                await transport.send(CALL)
    assert caught.value.code == 301


@pytest.mark.anyio
async def test_a_303_is_followed_with_a_get_and_the_key_on_the_same_origin():
    see_other = response(303, b"", ("Location", "/v1beta/operations/o"))
    async with serve(see_other, response(200, OK)) as server:
        async with engine_transport(server) as transport:
            assert (await transport.send(CALL)).data == {"ok": True}
    _, second = server.received
    assert (second.method, second.target, second.body) == (b"GET", b"/v1beta/operations/o", b"")
    assert (b"x-goog-api-key", b"test-key") in second.headers


# Timeouts that end (MockClock: the clock jumps while every task waits).


async def test_a_silent_server_ends_in_deadline_exceeded_within_the_default(autojump_clock):
    async with serve(Hold(b""), bound=LONG) as server, engine_transport(server) as transport:
        started = trio.current_time()
        with pytest.raises(errors.DeadlineExceededError):
            await transport.send(CALL)
        assert trio.current_time() - started == pytest.approx(READ_TIMEOUT)
    assert len(server.received) == 1  # a read timeout is not retried


async def test_a_stream_that_falls_silent_ends_in_deadline_exceeded(autojump_clock):
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    event = b'data: {"n": 1}\r\n\r\n'
    async with serve(Hold(head + b"%x\r\n%s\r\n" % (len(event), event)), bound=LONG) as server:
        async with engine_transport(server) as transport:
            got = []
            with pytest.raises(errors.DeadlineExceededError):
                async with transport.open_stream(CALL) as events:
                    async for item in events:
                        got.append(item)
            assert got == [{"n": 1}]


async def test_a_call_timeout_replaces_the_silence_bound(autojump_clock):
    """`HttpOptions.timeout` bounds the call; the default read timeout does not cut it short."""
    from genaio.engine import CallOptions

    call = RestCall("POST", "m", body={}, options=CallOptions(timeout=2 * READ_TIMEOUT))
    async with serve(Hold(b""), bound=LONG) as server, engine_transport(server) as transport:
        with trio.move_on_after(1.5 * READ_TIMEOUT) as scope:
            await transport.send(call)
        assert scope.cancelled_caught  # still waiting: only the call's own scope ends it


async def test_an_unreachable_host_ends_within_the_connect_timeout(autojump_clock, monkeypatch):
    async def never_connects(*args, **kwargs):
        await anyio.sleep_forever()

    monkeypatch.setattr(anyio, "connect_tcp", never_connects)
    async with serve(bound=LONG) as server, engine_transport(server) as transport:
        started = trio.current_time()
        with pytest.raises(errors.NetworkError, match="ConnectTimeout"):
            await transport.send(CALL)
        assert trio.current_time() - started == pytest.approx(CONNECT_TIMEOUT)


# Idle connections expire.


async def test_an_idle_connection_expires_before_the_server_would_close_it(autojump_clock):
    script = [response(200, b"a"), response(200, b"b")]
    async with (
        serve(*script, bound=LONG) as server,
        pooled(keepalive_expiry=KEEPALIVE_EXPIRY, bound=LONG) as pool,
    ):
        assert await read(await pool.exchange("GET", split_url(server.url), ())) == b"a"
        await trio.sleep(KEEPALIVE_EXPIRY)
        assert await read(await pool.exchange("GET", split_url(server.url), ())) == b"b"
        assert pool.statistics() == stats(open=1, idle=1, opened=2, dropped=1)
    assert [r.connection for r in server.received] == [0, 1]


async def test_a_release_closes_the_connections_that_expired_meanwhile(autojump_clock):
    script = [response(200, b"a"), response(200, b"b"), response(200, b"c")]
    async with (
        serve(*script, bound=LONG) as server,
        pooled(keepalive_expiry=KEEPALIVE_EXPIRY, bound=LONG) as pool,
    ):
        first = await pool.exchange("GET", split_url(server.url), ())
        second = await pool.exchange("GET", split_url(server.url), ())
        await read(first)  # idle since 0
        await trio.sleep(KEEPALIVE_EXPIRY - 1)
        await read(second)  # idle since EXPIRY - 1, on top of the stack
        await trio.sleep(1.5)  # the first has expired, the second has not
        assert await read(await pool.exchange("GET", split_url(server.url), ())) == b"c"
        assert pool.statistics() == stats(open=1, idle=1, opened=2, reused=1, dropped=1)


@pytest.mark.anyio
async def test_the_default_client_expires_idle_connections():
    async with serve(response(200, OK)) as server, engine_transport(server) as transport:
        await transport.send(CALL)
        assert transport._pool._expiry == KEEPALIVE_EXPIRY
        assert json.loads(json.dumps(transport.client.timeout.as_dict())) == {
            "connect": CONNECT_TIMEOUT,
            "read": READ_TIMEOUT,
            "write": READ_TIMEOUT,
            "pool": None,
        }


@pytest.mark.anyio
async def test_a_compressed_body_cut_short_is_a_typed_error():
    """Found by the fuzzer: zlib returns what it has of a truncated stream, silently; the
    check at the end raised an exception of the codec's own, which crashed the actor. (httpx's
    door decodes as httpx does, which takes this body: only its checksum is missing.)"""
    door = "direct"
    import gzip

    cut = gzip.compress(OK)[:-4]
    answer = response(200, cut, ("Content-Encoding", "gzip"))
    async with serve(answer) as server, engine_transport(server, door) as transport:
        with pytest.raises(errors.NetworkError):
            await transport.send(CALL)


async def test_a_client_call_to_a_silent_server_ends_within_the_default(autojump_clock):
    """The same through the facade: no `HttpOptions.timeout`, and still an end."""
    import genaio

    async with serve(Hold(b""), bound=LONG) as server:
        client = genaio.Client(api_key="k", http_options={"base_url": server.url})
        async with client.aio as aio:
            started = trio.current_time()
            with pytest.raises(errors.DeadlineExceededError):
                await aio.models.generate_content(model="m", contents="hello?")
            assert trio.current_time() - started == pytest.approx(READ_TIMEOUT, abs=1)
