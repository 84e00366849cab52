"""The pool and the transport's two doors, over real loopback sockets to a scripted server.

Each server reads requests with h11 (as a server) and answers each with the next scripted answer:
raw bytes, or an action that decides what else the connection sees (a close, a silence).
"""

import gc
import gzip
import inspect
import json
import socket
from collections import Counter
from collections.abc import Awaitable, Callable
from contextlib import aclosing, asynccontextmanager
from typing import Any

import anyio
import anyio.abc
import anyio.lowlevel
import attrs
import h11
import httpx
import pytest

from genaio import errors
from genaio.engine import ApiKeyAuth, EngineConfig, HttpTransport, RestCall, RetryPolicy
from genaio.engine._bodies import MAX_BODY_BYTES, read_body
from genaio.engine._http11 import DEFAULT_HEADERS, split_url
from genaio.engine._pool import PooledTransport, PoolStatistics

pytestmark = pytest.mark.anyio

#: Bound on every test: a broken pool hangs instead of failing.
TIMEOUT = 5

OK = b'{"ok": true}'
FACADE_HEADERS = {  # what the client facade puts in EngineConfig.headers
    "content-type": "application/json",
    "user-agent": "genaio-test/0",
    "x-goog-api-client": "genaio-test/0",
}


def response(
    status: int, body: bytes, *headers: tuple[str, str], length: bool = True, version: str = "1.1"
) -> bytes:
    """A response's bytes; `content-length` added unless `length` is false."""
    reason = httpx.codes.get_reason_phrase(status)
    lines = [f"HTTP/{version} {status} {reason}", *(f"{k}: {v}" for k, v in headers)]
    if length and not any(k.lower() == "content-length" for k, _ in headers):
        lines.append(f"Content-Length: {len(body)}")
    return "\r\n".join([*lines, "", ""]).encode() + body


def chunked(body: bytes, size: int) -> bytes:
    chunks = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in [*chunks, b""])


@pytest.fixture(autouse=True)
def no_environment_proxies(monkeypatch):
    """A proxy in the environment would send HttpTransport to httpx's pool."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


# exchange(): what goes out and what comes back.


async def test_exchange_sends_the_request_and_returns_the_answer():
    headers = (*DEFAULT_HEADERS, (b"x-goog-api-key", b"k"), (b"Content-Type", b"application/json"))
    script = [
        response(201, OK, ("X-Custom", "a"), ("x-custom", "b"), ("Content-Type", "text/json")),
    ]
    async with serve(*script) as server, pooled() as pool:
        target = split_url(server.url + "/v1beta/models/m:generateContent?alt=sse")
        answer = await pool.exchange("POST", target, headers, b'{"contents": []}')
        assert (answer.status_code, answer.reason) == (201, b"Created")
        assert answer.headers["X-CUSTOM"] == "a, b"
        assert answer.headers.get("content-type") == "text/json"
        assert await read(answer) == OK
        assert pool.statistics() == stats(open=1, idle=1, opened=1)
    [received] = server.received
    assert (received.method, received.target, received.body) == (
        b"POST",
        b"/v1beta/models/m:generateContent?alt=sse",
        b'{"contents": []}',
    )
    assert received.headers == [
        (b"host", f"127.0.0.1:{server.port}".encode()),
        *headers,
        (b"content-length", b"16"),
    ]


@pytest.mark.parametrize(
    ("method", "answer", "opened"),
    [
        pytest.param("GET", response(200, OK), 1, id="keep-alive"),
        pytest.param("GET", response(200, OK, ("Connection", "close")), 3, id="connection-close"),
        pytest.param("GET", response(200, OK, version="1.0"), 3, id="http/1.0"),
        pytest.param("HEAD", response(200, b"", ("Content-Length", "5")), 3, id="head"),
    ],
)
async def test_a_connection_is_reused_only_when_both_sides_agree(method, answer, opened):
    async with serve(answer, answer, answer) as server, pooled() as pool:
        for _ in range(3):
            answer = await pool.exchange(method, split_url(server.url), ())
            assert await read(answer) == (b"" if method == "HEAD" else OK)
        kept = int(opened == 1)  # and each request not on a new connection reused one
        assert pool.statistics() == stats(open=kept, idle=kept, opened=opened, reused=3 - opened)
    assert [r.connection for r in server.received] == ([0, 0, 0] if kept else [0, 1, 2])


async def test_a_body_without_length_ends_with_the_connection():
    async with serve(CloseAfter(response(200, OK, length=False)), response(200, OK)) as server:
        async with pooled() as pool:
            for _ in range(2):
                assert await read(await pool.exchange("GET", split_url(server.url), ())) == OK
            assert pool.statistics() == stats(open=1, idle=1, opened=2)


LARGE = bytes(range(256)) * 1200  # several reads' worth


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(response(200, LARGE), id="content-length"),
        pytest.param(
            response(200, chunked(LARGE, 7000), ("Transfer-Encoding", "chunked"), length=False),
            id="chunked",
        ),
    ],
)
async def test_a_large_body_arrives_whole_and_the_connection_is_kept(answer):
    async with serve(answer, response(200, OK)) as server, pooled() as pool:
        assert await read(await pool.exchange("GET", split_url(server.url), ())) == LARGE
        assert await read(await pool.exchange("GET", split_url(server.url), ())) == OK
        assert pool.statistics() == stats(open=1, idle=1, opened=1, reused=1)


async def test_closing_the_pool_closes_idle_connections_at_once_and_busy_ones_when_done():
    async with serve(response(200, OK), response(200, OK)) as server:
        pool = PooledTransport()
        idle = await pool.exchange("GET", split_url(server.url), ())
        busy = await pool.exchange("GET", split_url(server.url), ())
        await read(idle)
        assert pool.statistics() == stats(open=2, idle=1, busy=1, opened=2)
        await pool.aclose()
        assert pool.statistics() == stats(open=1, busy=1, opened=2)
        assert await read(busy) == OK
        assert pool.statistics() == stats(opened=2)
        with pytest.raises(httpx.ConnectError):
            await pool.exchange("GET", split_url(server.url), ())


@pytest.mark.parametrize("abandon", ["aclose", "close-the-iterator"])
async def test_a_body_left_half_read_closes_the_connection(abandon):
    hold = Hold(response(200, b"hello", ("Content-Length", "10"), length=False))
    async with serve(hold) as server, pooled() as pool:
        answer = await pool.exchange("GET", split_url(server.url), ())
        async with aclosing(answer.aiter_raw()) as body:
            assert await anext(body) == b"hello"
            assert pool.statistics() == stats(open=1, busy=1, opened=1)
            if abandon == "aclose":
                await answer.aclose()
        await answer.aclose()  # again: nothing more to do
        assert pool.statistics() == stats(opened=1)
        await hold.client_closed.wait()


@pytest.mark.skipif(not socket.has_ipv6, reason="no IPv6")
async def test_an_ipv6_origin():
    async with serve(response(200, OK), host="::1") as server, pooled() as pool:
        assert await read(await pool.exchange("GET", split_url(server.url + "/x"), ())) == OK
    [received] = server.received
    assert received.headers == [(b"host", f"[::1]:{server.port}".encode())]


async def test_an_invalid_header_is_refused_before_a_connection_is_taken():
    async with pooled() as pool:
        target = split_url("http://127.0.0.1:9/")
        with pytest.raises(httpx.LocalProtocolError):
            await pool.exchange("GET", target, [(b"x-a", b"1\r\nx-injected: 2")])
        assert pool.statistics() == stats()


async def test_a_refused_connection_raises_connect_error():
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    await listener.aclose()
    async with pooled() as pool:
        with pytest.raises(httpx.ConnectError):
            await pool.exchange("GET", split_url(f"http://127.0.0.1:{port}/"), ())
        assert pool.statistics() == stats()


# Stale keep-alive connections.


async def test_a_kept_alive_connection_the_server_closed_is_replaced():
    """The server closes an idle connection: the pool sees the end of its stream and the next
    request goes on a new one, unseen."""
    first = CloseAfter(response(200, OK))
    async with serve(first, response(200, b"second")) as server, pooled() as pool:
        assert await read(await pool.exchange("GET", split_url(server.url), ())) == OK
        await first.closed.wait()
        assert pool.statistics().idle == 1  # the pool cannot know yet
        answer = await pool.exchange("POST", split_url(server.url + "/again"), (), b"body")
        assert await read(answer) == b"second"
        assert pool.statistics() == stats(open=1, idle=1, opened=2, dropped=1)
    assert [(r.connection, r.target, r.body) for r in server.received] == [
        (0, b"/", b""),
        (1, b"/again", b"body"),
    ]


@pytest.mark.parametrize(
    ("before", "cut"),
    [
        pytest.param([], b"", id="fresh-connection-closed-unanswered"),
        pytest.param([], b"HTTP/1.1 200 OK\r\nContent-Le", id="fresh-connection-half-a-head"),
        pytest.param(
            [response(200, OK)], b"HTTP/1.1 200 OK\r\nContent-Le", id="reused-half-a-head"
        ),
        pytest.param(
            [response(200, OK)],
            b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc",
            id="reused-short-body",
        ),
    ],
)
async def test_an_answer_cut_short_is_raised_not_retried(before, cut):
    """A request the server may have acted on (it began answering, or the connection was new)
    is not sent again."""
    async with serve(*before, CloseAfter(cut)) as server, pooled() as pool:
        for _ in before:
            await read(await pool.exchange("GET", split_url(server.url), ()))
        with pytest.raises(httpx.TransportError):
            await read(await pool.exchange("POST", split_url(server.url), (), b"once"))
        assert pool.statistics() == stats(opened=1, reused=len(before))
    assert server.connections == 1
    assert len(server.received) == len(before) + 1


# Limits and cancellation.


async def test_max_connections_bounds_the_pool_and_a_waiter_gets_the_released_one():
    script = [response(200, b"first"), response(200, b"second")]
    async with serve(*script) as server, pooled(max_connections=1) as pool:
        second: list[bytes] = []
        async with anyio.create_task_group() as tg:
            first = await pool.exchange("GET", split_url(server.url), ())
            tg.start_soon(fetch, pool, server.url, second)
            await wait_until(lambda: pool.statistics().waiting == 1)
            assert pool.statistics() == stats(open=1, busy=1, waiting=1, opened=1)
            assert len(server.received) == 1
            assert await read(first) == b"first"  # the connection goes back to the pool
        assert second == [b"second"]
        assert pool.statistics() == stats(open=1, idle=1, opened=1, reused=1)


async def test_at_the_limit_an_idle_connection_to_another_origin_makes_room():
    async with serve(response(200, b"a")) as a, serve(response(200, b"b")) as b:
        async with pooled(max_connections=1) as pool:
            assert await read(await pool.exchange("GET", split_url(a.url), ())) == b"a"
            assert await read(await pool.exchange("GET", split_url(b.url), ())) == b"b"
            assert pool.statistics() == stats(open=1, idle=1, opened=2)


@pytest.mark.parametrize("phase", ["waiting-for-the-head", "reading-the-body"])
async def test_cancellation_mid_exchange_closes_the_connection(phase):
    """Afterwards the counts are as before the request, and the pool serves the next one."""
    head = response(200, b"part", ("Content-Length", "99"), length=False)
    hold = Hold(b"" if phase == "waiting-for-the-head" else head)
    async with serve(hold, response(200, OK)) as server, pooled() as pool:
        body_begun = anyio.Event()

        async def request():
            answer = await pool.exchange("GET", split_url(server.url), ())
            async for _ in answer.aiter_raw():
                body_begun.set()
            pytest.fail("the body cannot end: the server never sends it all")

        async with anyio.create_task_group() as tg:
            tg.start_soon(request)
            if phase == "waiting-for-the-head":
                await server.wait_received(1)
                assert pool.statistics() == stats(open=1, busy=1, opened=1)
            else:
                await body_begun.wait()
            tg.cancel_scope.cancel()
        assert pool.statistics() == stats(opened=1)
        await hold.client_closed.wait()
        assert await read(await pool.exchange("GET", split_url(server.url), ())) == OK
        assert pool.statistics() == stats(open=1, idle=1, opened=2)


async def test_a_request_in_flight_keeps_no_closure_cells_in_genaio():
    """Thousands of requests wait on a slow server at once, and the garbage collector walks all
    they keep: genaio's frames on the way (send, exchange) are few and hold no closures."""

    def genaio_coroutines() -> dict[int, Any]:
        # The coroutines themselves, not their codes: kept alive, their ids cannot be reused by
        # the request's own coroutines (which would then pass for ones that were there before).
        return {
            id(o): o
            for o in gc.get_objects()
            if inspect.iscoroutine(o) and "/genaio/" in o.cr_code.co_filename
        }

    hold = Hold(b"")
    async with serve(hold) as server, engine_transport(server) as transport:
        before = genaio_coroutines()  # what other tests (an emulator, say) left running
        async with anyio.create_task_group() as tg:
            tg.start_soon(transport.send, RestCall("POST", "models/m:generateContent", body={}))
            await server.wait_received(1)
            waiting = [c.cr_code for i, c in genaio_coroutines().items() if i not in before]
            tg.cancel_scope.cancel()
    names = {c.co_qualname for c in waiting}
    assert names >= {"HttpTransport.send", "HttpTransport._json_attempt"}
    # The first attempt runs without the retrier, and the dispatching functions on the way
    # (`_open`, the pool's `exchange`) return their callee's coroutine: no frame of their own.
    assert not names & {"Retrier.run", "HttpTransport._open", "PooledTransport.exchange"}
    assert [c.co_qualname for c in waiting if c.co_cellvars] == []


async def test_cancelling_a_waiter_leaves_the_holder_alone():
    async with serve(response(200, OK)) as server, pooled(max_connections=1) as pool:
        first = await pool.exchange("GET", split_url(server.url), ())
        async with anyio.create_task_group() as tg:
            tg.start_soon(fetch, pool, server.url, [])
            await wait_until(lambda: pool.statistics().waiting == 1)
            tg.cancel_scope.cancel()
        assert pool.statistics() == stats(open=1, busy=1, opened=1)
        assert await read(first) == OK
        assert pool.statistics() == stats(open=1, idle=1, opened=1)


# Content-encoding, and the httpx door.

PLAIN = json.dumps({"text": "the quick brown fox " * 50}).encode()
PLAIN_GZIPPED = gzip.compress(PLAIN, mtime=0)
GZIPPED = response(200, PLAIN_GZIPPED, ("Content-Encoding", "gzip"))


@pytest.mark.parametrize(("decoded", "expected"), [(True, PLAIN), (False, PLAIN_GZIPPED)])
async def test_aiter_bytes_decodes_and_aiter_raw_does_not(decoded, expected):
    async with serve(GZIPPED) as server, pooled() as pool:
        answer = await pool.exchange("GET", split_url(server.url), ())
        assert await read(answer, decoded=decoded) == expected
        assert pool.statistics() == stats(open=1, idle=1, opened=1)


async def test_a_body_that_came_with_its_head_is_taken_whole():
    """`read_body` takes a body that has all arrived (a small answer's comes with its head) in
    one piece, without `aiter_bytes`'s generators; a content-encoded one goes through them."""
    async with serve(response(200, OK), GZIPPED) as server, pooled() as pool:
        plain = await pool.exchange("GET", split_url(server.url), ())
        assert await plain.read_arrived() == OK  # one small write: it came with the head
        assert await read_body(plain, MAX_BODY_BYTES) == b""  # taken: nothing left to read
        assert pool.statistics() == stats(open=1, idle=1, opened=1)
        gzipped = await pool.exchange("GET", split_url(server.url), ())
        assert await gzipped.read_arrived() is None  # left whole for `aiter_bytes` to decode
        assert await read_body(gzipped, MAX_BODY_BYTES) == PLAIN
        assert pool.statistics() == stats(open=1, idle=1, opened=1, reused=1)


async def test_the_httpx_door_decodes_and_keeps_status_reason_and_headers():
    script = [GZIPPED, response(404, b"gone", ("X-Why", "a"), ("x-why", "b"))]
    async with serve(*script) as server, pooled() as pool:
        async with httpx.AsyncClient(transport=pool) as client:
            answer = await client.post(server.url + "/p?q=1", content=b"data", headers={"X-A": "b"})
            assert (answer.status_code, answer.reason_phrase) == (200, "OK")
            assert answer.content == PLAIN
            assert answer.headers["content-encoding"] == "gzip"
            assert answer.http_version == "HTTP/1.1"
            missing = await client.get(server.url + "/missing")
            assert (missing.status_code, missing.reason_phrase) == (404, "Not Found")
            assert missing.headers["X-WHY"] == "a, b"
            assert missing.text == "gone"
        assert pool.statistics().reused == 1
    first, second = server.received
    assert (first.method, first.target, first.body) == (b"POST", b"/p?q=1", b"data")
    assert header_set(first.headers)[("content-length", "4")] == 1  # not doubled
    assert ("x-a", "b") in header_set(first.headers)
    assert (second.method, second.target) == (b"GET", b"/missing")


# HttpTransport: which door, and what either door does.

CALL = RestCall("POST", "models/m:generateContent", body={"contents": []})


async def test_the_default_transport_goes_to_the_pool_directly(monkeypatch):
    async with serve(response(200, OK, ("X-Custom", "v"))) as server:
        async with engine_transport(server) as transport:
            assert isinstance(transport._pool, PooledTransport)
            monkeypatch.setattr(transport.client, "send", fail_if_called)
            answer = await transport.send(CALL)
            assert answer.data == {"ok": True}
            assert answer.headers["X-CUSTOM"] == answer.headers["x-custom"] == "v"
            assert transport.pool_statistics() == stats(open=1, idle=1, opened=1)
    [received] = server.received
    assert (received.method, received.target) == (b"POST", b"/v1beta/models/m:generateContent")
    assert ("x-goog-api-key", "test-key") in header_set(received.headers)


async def test_client_args_that_change_requests_send_them_through_httpx():
    hooked: list[httpx.Request] = []

    async def hook(request):
        hooked.append(request)

    client_args = {
        "event_hooks": {"request": [hook]},
        "headers": {"x-a": "b"},
        "params": {"k": "v"},
    }
    async with serve(response(200, OK)) as server:
        async with engine_transport(server, **client_args) as transport:
            assert transport._pool is None
            assert (await transport.send(CALL)).data == {"ok": True}
            assert transport.pool_statistics() == stats(open=1, idle=1, opened=1)
    [received] = server.received
    assert [str(r.url) for r in hooked] == [f"{server.url}/v1beta/models/m:generateContent?k=v"]
    assert ("x-a", "b") in header_set(received.headers)
    assert received.target == b"/v1beta/models/m:generateContent?k=v"


@pytest.mark.parametrize("door", ["direct", "httpx"])
async def test_an_error_answer_raises_the_typed_error_with_the_decoded_response(door):
    body = json.dumps({"error": {"code": 404, "message": "no model", "status": "NOT_FOUND"}})
    answer = response(404, gzip.compress(body.encode()), ("Content-Encoding", "gzip"))
    async with serve(answer) as server, engine_transport(server, door) as transport:
        with pytest.raises(errors.NotFoundError) as caught:
            await transport.send(CALL)
        assert transport.pool_statistics() == stats(open=1, idle=1, opened=1)
    error = caught.value
    assert (error.code, error.status) == (404, "NOT_FOUND")
    assert isinstance(error.response, httpx.Response)
    assert (error.response.status_code, error.response.reason_phrase) == (404, "Not Found")
    assert error.response.json() == json.loads(body)
    assert str(error.response.request.url) == f"{server.url}/v1beta/models/m:generateContent"


@pytest.mark.parametrize("door", ["direct", "httpx"])
async def test_a_corrupt_encoded_body_raises_a_genaio_error(door):
    corrupt = response(200, b"\x1f\x8b\x08\x00garbage, not deflate", ("Content-Encoding", "gzip"))
    async with serve(corrupt) as server, engine_transport(server, door) as transport:
        with pytest.raises(errors.GenaioError):
            await transport.send(CALL)
        # The message itself was whole: its connection may serve the next request.
        assert transport.pool_statistics() == stats(open=1, idle=1, opened=1)


@pytest.mark.parametrize("door", ["direct", "httpx"])
async def test_a_redirect_is_followed_to_the_final_answer(door):
    redirect = response(307, b"", ("Location", "/v1beta/elsewhere"))
    async with serve(redirect, response(200, OK)) as server:
        async with engine_transport(server, door) as transport:
            assert (await transport.send(CALL)).data == {"ok": True}
    received = server.received
    assert [r.target for r in received] == [
        b"/v1beta/models/m:generateContent",
        b"/v1beta/elsewhere",
    ]
    assert {r.method for r in received} == {b"POST"}
    assert [json.loads(r.body) for r in received] == [{"contents": []}] * 2


@pytest.mark.parametrize(
    "call",
    [
        RestCall("POST", "models/m:generateContent", query={"alt": "sse"}, body={"contents": []}),
        RestCall("GET", "models", query={"pageSize": 5, "pageToken": None}, headers={"x-c": "1"}),
        RestCall("DELETE", "files/f"),
        RestCall(
            "PUT",
            "upload/files",
            body=b"\x00bytes",
            headers={"content-type": "application/octet-stream"},
        ),
        RestCall("POST", "files:register", body={}, authenticated=False),
        RestCall("GET", "models/a/../b"),
    ],
    ids=["post-query", "get", "delete", "bytes-overriding-a-header", "unauthenticated", "dots"],
)
async def test_both_doors_send_the_same_request(call):
    async with serve(response(200, OK), response(200, OK)) as server:
        for door in ("direct", "httpx"):
            async with engine_transport(server, door) as transport:
                assert (await transport.send(call)).data == {"ok": True}
    direct, through_httpx = server.received
    assert (direct.method, direct.target, direct.body) == (
        through_httpx.method,
        through_httpx.target,
        through_httpx.body,
    )
    assert header_set(direct.headers) == header_set(through_httpx.headers)


# Helpers: the scripted server.


@attrs.frozen
class Received:
    """A request as the server read it; `connection` numbers the connections in accept order."""

    connection: int
    method: bytes
    target: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes


#: An action answers on the stream and says whether the connection serves another request.
Action = Callable[[anyio.abc.SocketStream], Awaitable[bool]]


class Server:
    def __init__(self, answers: tuple[bytes | Action, ...], host: str) -> None:
        self.answers = list(answers)
        self.host = host
        self.received: list[Received] = []
        self.connections = 0
        self.port = 0
        self._arrived = anyio.Event()

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def wait_received(self, count: int) -> None:
        while len(self.received) < count:
            await self._arrived.wait()

    async def handle(self, stream: anyio.abc.SocketStream) -> None:
        number, self.connections = self.connections, self.connections + 1
        leftover = b""
        async with stream:
            while True:
                request, leftover = await read_request(stream, leftover)
                if request is None:
                    return
                self.received.append(Received(number, *request))
                self._arrived.set()
                self._arrived = anyio.Event()
                answer = self.answers.pop(0)
                if isinstance(answer, bytes):
                    await stream.send(answer)
                elif not await answer(stream):
                    return


@asynccontextmanager
async def serve(*answers: bytes | Action, host: str = "127.0.0.1", bound: float = TIMEOUT):
    """A server on `host` answering requests, in the order they arrive, from `answers`."""
    server = Server(answers, host)
    with anyio.fail_after(bound):
        async with await anyio.create_tcp_listener(local_host=host) as listener:
            server.port = listener.extra(anyio.abc.SocketAttribute.local_port)
            async with anyio.create_task_group() as tg:
                tg.start_soon(listener.serve, server.handle)
                yield server
                tg.cancel_scope.cancel()


class CloseAfter:
    """Send `raw`, then close the connection."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.closed = anyio.Event()

    async def __call__(self, stream: anyio.abc.SocketStream) -> bool:
        if self.raw:
            await stream.send(self.raw)
        await stream.aclose()
        self.closed.set()
        return False


class Hold:
    """Send `raw`, then say nothing more until the client closes the connection."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.client_closed = anyio.Event()

    async def __call__(self, stream: anyio.abc.SocketStream) -> bool:
        if self.raw:
            await stream.send(self.raw)
        try:
            while await stream.receive():
                pass
        except (anyio.EndOfStream, anyio.BrokenResourceError):
            self.client_closed.set()
        return False


async def read_request(stream: anyio.abc.SocketStream, leftover: bytes):
    """The next request on `stream` (None once the client closed), and the bytes after it."""
    parser = h11.Connection(h11.SERVER)
    if leftover:  # (h11 takes b"" for the end of the stream)
        parser.receive_data(leftover)
    body = b""
    while True:
        event = parser.next_event()
        if event is h11.NEED_DATA:
            try:
                parser.receive_data(await stream.receive())
            except (anyio.EndOfStream, anyio.BrokenResourceError):
                parser.receive_data(b"")
        elif isinstance(event, h11.Request):
            head = (event.method, event.target, list(event.headers.raw_items()))
        elif isinstance(event, h11.Data):
            body += event.data
        elif isinstance(event, h11.EndOfMessage):
            return (*head, body), parser.trailing_data[0]
        else:
            assert isinstance(event, h11.ConnectionClosed), event
            return None, b""


# Helpers: the client side.


@asynccontextmanager
async def pooled(*, bound: float = TIMEOUT, **kwargs):
    """A pool that, once closed, must have no connection left open."""
    with anyio.fail_after(bound):
        async with PooledTransport(**kwargs) as pool:
            yield pool
    assert pool.statistics().open == 0, pool.statistics()


@asynccontextmanager
async def engine_transport(server: Server, door: str = "direct", **client_args):
    """An HttpTransport to `server`; `door="httpx"` forces the httpx client with a no-op hook."""
    if door == "httpx":
        client_args["event_hooks"] = {"request": [no_op]}
    config = EngineConfig(
        base_url=server.url,
        api_version="v1beta",
        headers=FACADE_HEADERS,
        retry=RetryPolicy(attempts=1),
        client_args=client_args,
    )
    transport = HttpTransport(config, ApiKeyAuth("test-key"))
    assert (transport._pool is None) == bool(client_args)
    try:
        yield transport
    finally:
        await transport.aclose()


def stats(*, open=0, idle=0, busy=0, waiting=0, opened=0, reused=0, dropped=0) -> PoolStatistics:
    return PoolStatistics(
        open=open,
        idle=idle,
        busy=busy,
        waiting=waiting,
        opened=opened,
        reused=reused,
        dropped=dropped,
    )


async def read(answer, *, decoded: bool = True) -> bytes:
    chunks = answer.aiter_bytes() if decoded else answer.aiter_raw()
    return b"".join([chunk async for chunk in chunks])


async def fetch(pool: PooledTransport, url: str, into: list[bytes]) -> None:
    into.append(await read(await pool.exchange("GET", split_url(url), ())))


async def wait_until(predicate: Callable[[], bool]) -> None:
    """Let other tasks run until `predicate` holds (bounded by the test's `fail_after`)."""
    while not predicate():
        await anyio.lowlevel.checkpoint()


def header_set(headers: list[tuple[bytes, bytes]]) -> Counter:
    return Counter((name.decode().lower(), value.decode()) for name, value in headers)


async def no_op(request: httpx.Request) -> None:
    pass


async def fail_if_called(*args, **kwargs):
    pytest.fail("the request went through the httpx client")


async def test_the_pool_its_connections_and_the_transport_say_their_state_in_repr():
    async with serve(response(200, OK), response(200, OK)) as server:
        async with engine_transport(server) as transport:
            await transport.send(CALL)
            pool = transport._pool
            assert repr(pool) == (
                f"<PooledTransport open=1 idle=1 busy=0 waiting=0 max=100 "
                f"[http://127.0.0.1:{server.port} (1 idle)]>"
            )
            [connection] = pool._idle[(b"http", b"127.0.0.1", server.port)]
            assert repr(connection) == f"<Connection http://127.0.0.1:{server.port} done>"
            answer = await pool.exchange("GET", split_url(server.url), ())
            assert repr(answer) == "<PooledResponse 200 body unread>"
            await read(answer)
            assert repr(answer) == "<PooledResponse 200 released>"
            assert repr(transport) == (
                f"<HttpTransport {server.url} via pool, retries=0, pool={pool!r}>"
            )


async def test_a_plain_http_client_never_loads_the_ca_bundle_and_a_tls_one_loads_it_once(
    monkeypatch,
):
    made = []
    real = httpx.create_ssl_context

    def counting(*args: Any, **kwargs: Any) -> Any:
        made.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(httpx, "create_ssl_context", counting)
    async with serve(response(200, OK)) as server:
        async with engine_transport(server) as transport:
            await transport.send(CALL)
    assert made == []  # tens of ms a client of the emulator or a loopback service never pays
    pool = PooledTransport()
    first, second = pool._tls_context(), pool._tls_context()
    assert first is second and len(made) == 1
    await pool.aclose()
