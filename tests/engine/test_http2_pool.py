"""HTTP/2 on genaio's pool, against hypercorn serving the emulator over TLS on loopback (a
throwaway self-signed certificate made here), and against small h2 servers that misbehave."""

import json
import random
import socket
import ssl
from functools import partial

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.settings
import httpx
import hyperframe.frame
import pytest
import trio
import trio.testing
from hypercorn.config import Config as HypercornConfig
from hypercorn.trio import serve

import genaio
from genaio.emulator import EmulatorConfig
from genaio.emulator._app import EmulatorApp
from genaio.emulator._core import Emulator
from genaio.engine._http2 import Http2Connection
from genaio.engine._http2_wire import Refused
from genaio.engine._http11 import DEFAULT_HEADERS, split_url
from genaio.engine._httpx_adapter import client_args
from genaio.engine._pool import PooledTransport
from genaio.engine._watchdog import Watchdog

MODEL = "gemini-2.0-flash"
BODY = json.dumps({"contents": [{"role": "user", "parts": [{"text": "hello"}]}]}).encode()
HEADERS = (*DEFAULT_HEADERS, (b"content-type", b"application/json"), (b"x-goog-api-key", b"k"))


@pytest.fixture
def client_context(certificate) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certificate[0]))


async def serve_emulator(nursery, certificate, alpn=("h2", "http/1.1"), **settings) -> str:
    """The emulator behind hypercorn over TLS, offering `alpn`; returns its base URL."""
    config = HypercornConfig()
    config.bind = ["127.0.0.1:0"]
    config.certfile, config.keyfile = str(certificate[0]), str(certificate[1])
    config.alpn_protocols = list(alpn)
    config.accesslog = config.errorlog = None
    app = EmulatorApp(Emulator(EmulatorConfig(**settings)))
    binds = await nursery.start(serve, app, config)
    return binds[0]


def generate(url: str) -> tuple:
    return split_url(f"{url}/v1beta/models/{MODEL}:generateContent")


async def call(pool: PooledTransport, url: str) -> dict:
    response = await pool.exchange("POST", generate(url), HEADERS, BODY, read_timeout=10)
    body = b"".join([chunk async for chunk in response.aiter_bytes()])
    assert response.status_code == 200, body
    return json.loads(body)


async def test_concurrent_calls_share_one_connection(nursery, certificate, client_context):
    url = await serve_emulator(nursery, certificate)
    pool = PooledTransport(ssl_context=client_context, http2=True)
    with trio.fail_after(20):
        async with trio.open_nursery() as calls:
            for _ in range(50):
                calls.start_soon(call, pool, url)
        stats = pool.statistics()
        assert (stats.opened, stats.open, stats.streams) == (1, 1, 0)
        assert stats.idle == 1 and stats.busy == 0
        await call(pool, url)  # the connection serves on
        assert pool.statistics().opened == 1
        await pool.aclose()
    assert pool.statistics().open == 0


async def test_fallback_to_http11_when_the_server_chooses_it(nursery, certificate, client_context):
    url = await serve_emulator(nursery, certificate, alpn=("http/1.1",))
    pool = PooledTransport(ssl_context=client_context, http2=True)
    with trio.fail_after(20):
        answer = await call(pool, url)
        assert answer["candidates"]
        response = await pool.exchange("POST", generate(url), HEADERS, BODY)
        assert response.http_version == b"HTTP/1.1"
        await response.aclose()
        assert pool.statistics().streams == 0
        await pool.aclose()


async def test_a_cancelled_caller_leaves_the_others_and_the_connection(
    nursery, certificate, client_context
):
    url = await serve_emulator(nursery, certificate)
    pool = PooledTransport(ssl_context=client_context, http2=True)
    with trio.fail_after(20):
        await call(pool, url)
        done = []

        async def one() -> None:
            done.append(await call(pool, url))

        async with trio.open_nursery() as calls:
            for _ in range(20):
                calls.start_soon(one)
            with trio.CancelScope() as doomed:
                doomed.cancel()  # cancelled at its first checkpoint, mid-exchange
                await call(pool, url)
            for _ in range(5):  # and some cancelled a little later
                with trio.move_on_after(0.001):
                    await call(pool, url)
        assert len(done) == 20
        await call(pool, url)
        stats = pool.statistics()
        assert (stats.opened, stats.open, stats.streams) == (1, 1, 0)
        await pool.aclose()


async def test_a_response_left_half_read_resets_only_its_stream(
    nursery, certificate, client_context
):
    url = await serve_emulator(nursery, certificate)
    pool = PooledTransport(ssl_context=client_context, http2=True)
    with trio.fail_after(20):
        response = await pool.exchange("POST", generate(url), HEADERS, BODY)
        assert response.http_version == b"HTTP/2"
        await response.aclose()  # unread: its stream is reset
        await call(pool, url)
        assert pool.statistics().opened == 1
        await pool.aclose()


async def test_the_client_streams_over_http2(nursery, certificate, client_context):
    url = await serve_emulator(nursery, certificate)
    options = {"base_url": url, "async_client_args": {"http2": True, "verify": client_context}}
    client = genaio.Client(api_key="k", http_options=options)
    with trio.fail_after(20):
        texts = []
        async for chunk in await client.aio.models.generate_content_stream(
            model=MODEL, contents="tell me a long story"
        ):
            texts.append(chunk.text)
        assert len(texts) > 1
        async with trio.open_nursery() as calls:
            for _ in range(10):
                calls.start_soon(
                    partial(client.aio.models.generate_content, model=MODEL, contents="hi")
                )
        pool = client.aio.statistics()["pool"]
        assert pool.opened == 1 and pool.streams == 0
        await client.aio.aclose()


# Servers that misbehave: an h2 server written here, on trio, answering each stream as
# `answer(conn, stream_id, number)` says (number counts the streams opened on all connections).


async def serve_h2(nursery, certificate, answer, on_end=None, max_streams=100) -> str:
    """`answer(conn, stream_id, number)` for each request's head (bytes it returns are written
    first, before h2's); `on_end(server, stream_id)`, a task, once a request's body is whole."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificate[0]), str(certificate[1]))
    context.set_alpn_protocols(["h2"])
    streams = []

    async def connection(stream: trio.SSLStream) -> None:
        server = H2Server(stream)
        server.conn.local_settings = h2.settings.Settings(
            client=False,
            initial_values={h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: max_streams},
        )
        server.conn.initiate_connection()
        try:  # a client that leaves (even mid-handshake) ends its connection alone
            await server.send()
            async with trio.open_nursery() as tasks:
                await serve_connection(server, tasks)
                tasks.cancel_scope.cancel()
        except* (trio.BrokenResourceError, h2.exceptions.ProtocolError):
            pass

    async def serve_connection(server: H2Server, tasks: trio.Nursery) -> None:
        while data := await server.stream.receive_some(65536):
            for event in server.conn.receive_data(data):
                if isinstance(event, h2.events.RequestReceived):
                    streams.append(event.stream_id)
                    try:
                        first = answer(server.conn, event.stream_id, len(streams))
                    except h2.exceptions.StreamClosedError:
                        continue  # the client reset it already (in the same read)
                    await server.send(first or b"")
                elif isinstance(event, h2.events.DataReceived):
                    size = event.flow_controlled_length
                    server.conn.acknowledge_received_data(size, event.stream_id)
                elif isinstance(event, h2.events.StreamEnded) and on_end is not None:
                    tasks.start_soon(on_end, server, event.stream_id)
                elif isinstance(event, h2.events.WindowUpdated):
                    server.window.set()
                    server.window = trio.Event()
            await server.send()

    listeners = await nursery.start(trio.serve_ssl_over_tcp, connection, 0, context)
    port = listeners[0].transport_listener.socket.getsockname()[1]
    return f"https://127.0.0.1:{port}"


class H2Server:
    """One connection of `serve_h2`: h2's state, its writes one at a time, and an event set at
    each WINDOW_UPDATE."""

    def __init__(self, stream: trio.SSLStream) -> None:
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
        self.stream = stream
        self.lock = trio.Lock()
        self.window = trio.Event()

    async def send(self, first: bytes = b"") -> None:
        async with self.lock:
            await self.stream.send_all(first + self.conn.data_to_send())


def ok(conn, stream_id: int) -> None:
    conn.send_headers(stream_id, [(":status", "200"), ("content-length", "2")])
    conn.send_data(stream_id, b"{}", end_stream=True)


async def exchange(pool, url):
    response = await pool.exchange("POST", generate(url), HEADERS, BODY, read_timeout=5)
    return response.status_code, b"".join([c async for c in response.aiter_raw()])


async def test_a_request_in_flight_waits_with_no_frame_between_the_pool_and_its_stream(
    nursery, certificate, client_context
):
    """A request waiting for its answer keeps the frames of the pool's door, its stream and
    the connection's wait, and nothing between them (`exchange` and the pool's HTTP/2 share
    hand on their callee's coroutine, as thousands of requests in flight each keep theirs)."""

    def answer(conn, stream_id, number):
        if number == 1:  # the connection's warm-up; the next waits
            ok(conn, stream_id)

    url = await serve_h2(nursery, certificate, answer)
    pool = PooledTransport(ssl_context=client_context, http2=True)
    with trio.fail_after(10):
        assert await exchange(pool, url) == (200, b"{}")
        async with trio.open_nursery() as calls:
            calls.start_soon(pool.exchange, "POST", generate(url), HEADERS, BODY)
            await trio.testing.wait_all_tasks_blocked()
            [task] = calls.child_tasks
            frames, coroutine = [], task.coro
            while hasattr(coroutine, "cr_code"):
                frames.append(coroutine.cr_code.co_qualname)
                coroutine = coroutine.cr_await
            calls.cancel_scope.cancel()
        assert frames[:3] == [
            "PooledTransport._exchange_any",
            "Http2Origins.stream",
            "Http2Connection.wait",
        ], frames
        await pool.aclose()


async def test_a_request_alone_goes_out_whole_in_one_write(nursery, certificate, client_context):
    """A request whose task reads for itself is written once, head and body together, by its
    reading (not in a write of its own before it)."""
    url = await serve_h2(nursery, certificate, lambda conn, stream_id, number: ok(conn, stream_id))
    pool = PooledTransport(ssl_context=client_context, http2=True)
    with trio.fail_after(10):
        assert await exchange(pool, url) == (200, b"{}")  # the settings exchanged meanwhile
        [connection] = [c for cs in pool._http2.connections.values() for c in cs]
        writes, send = [], connection.stream.send

        async def counted(data: bytes) -> None:
            writes.append(bytes(data))
            await send(data)

        connection.stream.send = counted
        assert await exchange(pool, url) == (200, b"{}")
        assert [frame_types(data) for data in writes] == [[1, 0]]  # HEADERS, DATA
        await pool.aclose()


async def test_answers_in_the_order_asked_are_read_by_few_readers(
    nursery, certificate, client_context
):
    """Servers answer roughly in the order they were asked. The reading is handed on to the
    newest waiter, which reads everyone's answers before its own, rather than to the oldest,
    whose answer is the next: that would make every answer a reader of its own (a wake and a
    cancel scope each, which under a burst of thousands was most of the cost of an answer)."""
    calls, asked = 20, []

    async def answer_all_in_order(server: H2Server, stream_id: int) -> None:
        asked.append(stream_id)
        if len(asked) == calls or stream_id == 1:  # (the first: the connection's warm-up)
            for each in sorted(asked):  # one write, and one TLS record, per answer
                ok(server.conn, each)
                await server.send()

    url = await serve_h2(nursery, certificate, lambda *_: None, on_end=answer_all_in_order)
    pool = PooledTransport(ssl_context=client_context, http2=True)
    with trio.fail_after(10):
        assert await exchange(pool, url) == (200, b"{}")  # the connection, settings exchanged
        asked.clear()
        [connection] = [c for cs in pool._http2.connections.values() for c in cs]
        readers, receive = [], connection.stream.receive

        async def noted(max_bytes: int = 65536) -> bytes:
            task = trio.lowlevel.current_task()
            if not readers or readers[-1] is not task:
                readers.append(task)
            return await receive(max_bytes)

        connection.stream.receive = noted
        async with trio.open_nursery() as callers:
            for _ in range(calls):
                callers.start_soon(exchange, pool, url)
        assert 1 <= len(readers) <= 3  # the first to wait, then the newest waiter
        await pool.aclose()


def frame_types(data: bytes) -> list[int]:
    types, at = [], 0
    while at < len(data):
        types.append(data[at + 3])
        at += 9 + int.from_bytes(data[at : at + 3], "big")
    return types


async def test_a_reset_stream_fails_alone(nursery, certificate, client_context):
    def answer(conn, stream_id, number):
        if number == 2:
            conn.reset_stream(stream_id, h2.errors.ErrorCodes.INTERNAL_ERROR)
        else:
            ok(conn, stream_id)

    url = await serve_h2(nursery, certificate, answer)
    pool = PooledTransport(ssl_context=client_context, http2=True)
    with trio.fail_after(10):
        assert await exchange(pool, url) == (200, b"{}")
        with pytest.raises(httpx.RemoteProtocolError, match="INTERNAL_ERROR"):
            await exchange(pool, url)
        assert await exchange(pool, url) == (200, b"{}")
        assert pool.statistics().opened == 1
        await pool.aclose()


async def test_refused_and_goaway_streams_are_sent_again(nursery, certificate, client_context):
    held = []

    def answer(conn, stream_id, number):
        if number == 1:
            conn.reset_stream(stream_id, h2.errors.ErrorCodes.REFUSED_STREAM)
        elif number == 3:
            held.append(stream_id)  # answered after the GOAWAY, which lets it finish
        elif number == 4:  # a GOAWAY (written here: h2 sends nothing after one), then the held
            ok(conn, held[0])
            return hyperframe.frame.GoAwayFrame(0, last_stream_id=held[0]).serialize()
        else:
            ok(conn, stream_id)
        return None

    url = await serve_h2(nursery, certificate, answer)
    pool = PooledTransport(ssl_context=client_context, http2=True)
    with trio.fail_after(10):
        assert await exchange(pool, url) == (200, b"{}")  # refused once, then sent again
        async with trio.open_nursery() as calls:

            async def below_the_goaway() -> None:
                assert await exchange(pool, url) == (200, b"{}")

            calls.start_soon(below_the_goaway)
            await trio.testing.wait_all_tasks_blocked()
            assert await exchange(pool, url) == (200, b"{}")  # above it: on a new connection
        stats = pool.statistics()
        assert (stats.opened, stats.open) == (2, 1)  # the first closed once its last ended
        await pool.aclose()


async def test_a_silent_stream_times_out_alone(nursery, certificate, client_context):
    def answer(conn, stream_id, number):
        if number != 1:  # the first stream gets no answer
            ok(conn, stream_id)

    url = await serve_h2(nursery, certificate, answer)
    pool = PooledTransport(ssl_context=client_context, http2=True)
    with trio.fail_after(10):
        async with trio.open_nursery() as calls:

            async def silent() -> None:
                with pytest.raises(httpx.ReadTimeout):
                    await pool.exchange("POST", generate(url), HEADERS, BODY, read_timeout=0.5)

            calls.start_soon(silent)
            await trio.testing.wait_all_tasks_blocked()
            for _ in range(3):
                assert await exchange(pool, url) == (200, b"{}")
        assert await exchange(pool, url) == (200, b"{}")
        assert pool.statistics().opened == 1
        await pool.aclose()


async def test_flow_control_both_ways(nursery, certificate, client_context):
    """A body larger than the server's windows waits for its WINDOW_UPDATEs; an answer larger
    than ours (1 MiB a stream, 16 MiB the connection) is acknowledged as it is read."""
    big = bytes(range(256)) * (20 * 4096)  # 20 MiB

    def answer(conn, stream_id, number):
        conn.send_headers(stream_id, [(":status", "200")])

    async def send_big(server, stream_id):
        conn, sent = server.conn, 0
        while sent < len(big):
            window = min(conn.local_flow_control_window(stream_id), conn.max_outbound_frame_size)
            if not window:
                await server.window.wait()
                continue
            conn.send_data(
                stream_id, big[sent : sent + window], end_stream=sent + window >= len(big)
            )
            sent += window
            await server.send()

    url = await serve_h2(nursery, certificate, answer, on_end=send_big)
    pool = PooledTransport(ssl_context=client_context, http2=True)
    upload = b"u" * (3 << 20)  # 3 MiB, against the server's 64 KiB initial windows
    with trio.fail_after(30):
        response = await pool.exchange("POST", generate(url), HEADERS, upload, read_timeout=10)
        body = b"".join([c async for c in response.aiter_raw()])
        assert body == big
        assert pool.statistics().opened == 1
        await pool.aclose()


async def test_a_bad_head_fails_its_stream_alone(nursery, certificate, client_context):
    def answer(conn, stream_id, number):
        if number == 2:  # no :status, written raw: h2 would refuse to send it
            block = conn.encoder.encode([(b"x-no-status", b"1")])
            return hyperframe.frame.HeadersFrame(
                stream_id, data=block, flags=["END_HEADERS", "END_STREAM"]
            ).serialize()
        ok(conn, stream_id)
        return None

    url = await serve_h2(nursery, certificate, answer)
    pool = PooledTransport(ssl_context=client_context, http2=True)
    with trio.fail_after(10):
        assert await exchange(pool, url) == (200, b"{}")
        with pytest.raises(httpx.RemoteProtocolError, match="no valid status"):
            await exchange(pool, url)
        assert await exchange(pool, url) == (200, b"{}")
        assert pool.statistics().opened == 1
        await pool.aclose()


async def test_a_connection_error_fails_its_streams_and_the_next_call_reconnects(
    nursery, certificate, client_context
):
    held = []

    def answer(conn, stream_id, number):
        if number == 1:
            held.append(stream_id)
            return None
        if number == 2:  # a frame on stream 0 that must not be there: a connection error
            return b"\x00\x00\x01\x00\x00\x00\x00\x00\x00x"  # DATA on 0
        ok(conn, stream_id)
        return None

    url = await serve_h2(nursery, certificate, answer)
    pool = PooledTransport(ssl_context=client_context, http2=True)
    with trio.fail_after(10):
        async with trio.open_nursery() as calls:

            async def first() -> None:
                with pytest.raises(httpx.RemoteProtocolError, match="HTTP/2"):
                    await exchange(pool, url)

            calls.start_soon(first)
            await trio.testing.wait_all_tasks_blocked()
            with pytest.raises(httpx.RemoteProtocolError, match="HTTP/2"):
                await exchange(pool, url)
        assert await exchange(pool, url) == (200, b"{}")
        stats = pool.statistics()
        assert (stats.opened, stats.open, stats.streams) == (2, 1, 0)
        await pool.aclose()


async def test_callers_cancelled_at_any_point_leave_the_connection_serving(
    nursery, certificate, client_context
):
    """Callers cancelled at random moments (while the reading may be handed to them, among
    others) never stall the others: every caller not cancelled gets its answer."""
    url = await serve_h2(nursery, certificate, lambda conn, stream_id, number: ok(conn, stream_id))
    pool = PooledTransport(ssl_context=client_context, http2=True)
    rng = random.Random(23)
    answered = []

    async def one(delay: float) -> None:
        with trio.move_on_after(delay):
            answered.append(await exchange(pool, url))

    with trio.fail_after(30):
        for _ in range(6):
            async with trio.open_nursery() as calls:
                for _ in range(100):  # the server's MAX_CONCURRENT_STREAMS: one connection
                    calls.start_soon(one, rng.choice([0, 0.0005, 0.001, 0.002, 0.005, 60]))
        assert await exchange(pool, url) == (200, b"{}")
        stats = pool.statistics()  # (a caller cancelled while it opened one closes it)
        assert (stats.open, stats.streams, stats.busy) == (1, 0, 0)
        await pool.aclose()


async def test_callers_beyond_every_connections_streams_wait_for_a_place(
    nursery, certificate, client_context
):
    """With the pool at its connection limit and every stream taken, a caller waits, and takes
    the place a finished stream frees."""
    answered = []

    async def one() -> None:
        answered.append(await exchange(pool, url))

    url = await serve_h2(nursery, certificate, lambda conn, sid, n: ok(conn, sid), max_streams=2)
    pool = PooledTransport(ssl_context=client_context, http2=True, max_connections=1)
    with trio.fail_after(20):
        async with trio.open_nursery() as calls:
            for _ in range(8):
                calls.start_soon(one)
        assert answered == [(200, b"{}")] * 8
        stats = pool.statistics()
        assert (stats.opened, stats.open, stats.streams, stats.waiting) == (1, 1, 0, 0)
        await pool.aclose()


async def test_callers_beyond_a_known_servers_streams_open_connections_together(
    nursery, certificate, client_context
):
    """Once a connection has told how many streams the server takes, the callers beyond them
    open as many connections as they need at once (not one after another, which over a
    distant link is a handshake's round trips each), and no more than they need."""
    calls, held = 12, trio.Event()
    arrived = 0

    async def answer_when_all_came(server, stream_id) -> None:
        nonlocal arrived
        arrived += 1
        if arrived == calls:
            held.set()
        await held.wait()  # every stream stays taken until all the requests are in
        ok(server.conn, stream_id)
        await server.send()

    url = await serve_h2(
        nursery, certificate, lambda *_: None, on_end=answer_when_all_came, max_streams=3
    )
    pool = PooledTransport(ssl_context=client_context, http2=True)
    dialing = most_dialing = 0
    dial = pool.dialer.dial

    async def counted_dial(origin):
        nonlocal dialing, most_dialing
        dialing += 1
        most_dialing = max(most_dialing, dialing)
        try:
            return await dial(origin)
        finally:
            dialing -= 1

    pool.dialer.dial = counted_dial
    with trio.fail_after(20):
        async with trio.open_nursery() as tasks:
            for _ in range(calls):
                tasks.start_soon(exchange, pool, url)
        assert pool.statistics().opened == calls // 3  # as many as the streams need
        assert most_dialing == calls // 3 - 1  # the first alone, then the rest together
        await pool.aclose()


async def test_http2_is_the_default_on_a_tls_context_genaio_makes(
    nursery, certificate, client_context, monkeypatch
):
    """Without `http2`, the pool offers HTTP/2 over the TLS context it makes itself (here one
    trusting the test certificate through SSL_CERT_FILE, as httpx reads it), and not over a
    context of the caller's, which it leaves as given unless `http2=True` asks."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    url = await serve_emulator(nursery, certificate)
    spoken = {}
    for label, args in {
        "default": {},
        "http2=False": {"http2": False},
        "own context": {"verify": client_context},
        "own context, http2=True": {"verify": client_context, "http2": True},
    }.items():
        pool = client_args(args, 10)["transport"]
        response = await pool.exchange("POST", generate(url), HEADERS, BODY, read_timeout=10)
        spoken[label] = response.http_version
        await response.aclose()
        await pool.aclose()
    assert spoken == {
        "default": b"HTTP/2",
        "http2=False": b"HTTP/1.1",
        "own context": b"HTTP/1.1",
        "own context, http2=True": b"HTTP/2",
    }


async def test_a_request_on_an_idle_connection_the_server_closed_is_sent_again(
    nursery, certificate, client_context
):
    """A server that closes an idle connection without a GOAWAY as a request goes out on it
    (here: at the connection's second request, unanswered) leaves that request unprocessed:
    it is sent once more on a new connection, as HTTP/1.1 does for a kept-alive connection the
    server closed. A connection that fails while other streams are on it does not count."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificate[0]), str(certificate[1]))
    context.set_alpn_protocols(["h2"])
    connections = 0

    async def serve(stream: trio.SSLStream) -> None:
        nonlocal connections
        connections += 1
        server = H2Server(stream)
        server.conn.initiate_connection()
        answered = 0
        try:
            await server.send()
            while data := await stream.receive_some(65536):
                for event in server.conn.receive_data(data):
                    if isinstance(event, h2.events.RequestReceived):
                        if answered:  # closed as the request came: no GOAWAY, no answer
                            await stream.aclose()
                            return
                        answered += 1
                        ok(server.conn, event.stream_id)
                await server.send()
        except trio.BrokenResourceError:
            pass

    listeners = await nursery.start(trio.serve_ssl_over_tcp, serve, 0, context)
    url = f"https://127.0.0.1:{listeners[0].transport_listener.socket.getsockname()[1]}"
    pool = PooledTransport(ssl_context=client_context, http2=True)
    with trio.fail_after(20):
        assert await exchange(pool, url) == (200, b"{}")
        assert await exchange(pool, url) == (200, b"{}")  # sent again, on a new connection
        assert connections == 2
        await pool.aclose()


async def test_the_httpx_door_speaks_http2(nursery, certificate, client_context):
    url = await serve_emulator(nursery, certificate)
    pool = PooledTransport(ssl_context=client_context, http2=True)
    async with httpx.AsyncClient(transport=pool, headers={"x-goog-api-key": "k"}) as client:
        with trio.fail_after(20):
            response = await client.post(
                f"{url}/v1beta/models/{MODEL}:generateContent", content=BODY
            )
            assert response.status_code == 200 and response.json()["candidates"]
            assert (response.http_version, response.reason_phrase) == ("HTTP/2", "OK")
            assert pool.statistics().streams == 0


@pytest.mark.parametrize("then_reset", [False, True])
async def test_an_answer_before_the_body_is_sent_ends_the_stream(
    nursery, certificate, client_context, then_reset
):
    """A server that answers (413, say) before taking the whole body: the rest is not sent,
    the stream is reset, and its place is free again. A RST_STREAM NO_ERROR after the answer
    (asking for no more of the body, RFC 9113 §8.1) leaves the answer whole."""

    def answer(conn, stream_id, number):
        if number == 1:  # whole answer at once, without waiting for the body
            conn.send_headers(stream_id, [(":status", "413")], end_stream=True)
            if then_reset:
                conn.reset_stream(stream_id, h2.errors.ErrorCodes.NO_ERROR)
        else:
            ok(conn, stream_id)

    url = await serve_h2(nursery, certificate, answer, max_streams=1)
    pool = PooledTransport(ssl_context=client_context, http2=True)
    with trio.fail_after(10):
        too_large = await pool.exchange("POST", generate(url), HEADERS, b"x" * (1 << 20))
        assert too_large.status_code == 413
        assert [chunk async for chunk in too_large.aiter_raw()] == []
        await too_large.aclose()
        assert await exchange(pool, url) == (200, b"{}")  # the one place is free again
        assert pool.statistics().opened == 1
        await pool.aclose()


async def test_streams_the_server_would_not_process_are_refused_before_they_are_sent():
    """No I/O: a stream past the server's current MAX_CONCURRENT_STREAMS, or on a connection
    going away (reserved before the GOAWAY came), is refused (the pool sends it elsewhere); a
    stream above the GOAWAY's last stream id fails refused too, and is forgotten unreset."""
    connection = Http2Connection((b"https", b"a", 443), stream=None, watchdog=Watchdog())
    target = split_url("https://a/x")
    connection.frames.max_concurrent = 1  # as if the server's SETTINGS said so
    first = connection.open("GET", target, [], b"", None)
    with pytest.raises(Refused, match="no more streams"):
        connection.open("GET", target, [], b"", None)
    connection.reset(first)  # its place is free again
    second = connection.open("GET", target, [], b"", None)
    connection.frames.data_to_send()
    connection.on_goaway(first.stream_id, 0)
    assert isinstance(second.error, Refused) and second.closed
    with pytest.raises(Refused, match="GOAWAY"):
        connection.open("GET", target, [], b"", None)
    connection.reset(second)
    assert connection.frames.data_to_send() == b""  # no RST_STREAM for it
    assert not connection.exchanges


def test_on_asyncio(certificate, client_context):
    """The same pool on asyncio (hypercorn's asyncio server in the same loop): concurrent calls
    share one connection, and a cancelled one leaves it to the others."""
    import asyncio

    import hypercorn.asyncio

    sock = socket.create_server(("127.0.0.1", 0))
    url = f"https://127.0.0.1:{sock.getsockname()[1]}"
    config = HypercornConfig()
    config.bind = [f"fd://{sock.fileno()}"]
    config.certfile, config.keyfile = str(certificate[0]), str(certificate[1])
    config.accesslog = config.errorlog = None
    app = EmulatorApp(Emulator(EmulatorConfig()))

    async def main() -> None:
        stop = asyncio.Event()
        server = asyncio.create_task(
            hypercorn.asyncio.serve(app, config, shutdown_trigger=stop.wait)
        )
        pool = PooledTransport(ssl_context=client_context, http2=True)
        try:
            async with asyncio.timeout(20):
                await asyncio.gather(*(call(pool, url) for _ in range(30)))
                doomed = asyncio.create_task(call(pool, url))
                await asyncio.sleep(0)
                doomed.cancel()
                await asyncio.gather(*(call(pool, url) for _ in range(5)))
                stats = pool.statistics()
                assert (stats.opened, stats.open, stats.streams) == (1, 1, 0)
        finally:
            await pool.aclose()
            stop.set()
            await server

    asyncio.run(main())
    sock.detach()  # hypercorn closed it
