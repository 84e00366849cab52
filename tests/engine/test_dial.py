"""The pool's dials: at most `max_dials` at once per origin, the connect timeout per dial, a line
that takes a connection come free, leaves nothing behind when cancelled and fails with a dial that
failed; over TLS on loopback, to a server that holds each handshake until the test lets it go.
"""

import ssl

import anyio
import anyio.abc
import anyio.lowlevel
import anyio.streams.tls
import httpx
import pytest
import trio
import trio.testing

from genaio.engine._config import MAX_DIALS
from genaio.engine._connection import Origin
from genaio.engine._dial import Dialer, DialStatistics
from genaio.engine._http11 import split_url
from genaio.engine._httpx_adapter import client_args
from genaio.engine._pool import PooledTransport

#: Bound on every test on the real clock: a broken line hangs instead of failing.
TIMEOUT = 5
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


class SlowTLS:
    """A TLS server that starts each handshake only when let (`let`), or after `delay` seconds,
    then answers every request after `answer_delay` seconds; `refuse` closes each connection
    before any handshake. Counts what a client's burst looks like from here."""

    def __init__(self, *, delay: float | None = None, answer_delay: float = 0.0) -> None:
        self.delay = delay
        self.answer_delay = answer_delay
        self.refuse = False
        self.accepted = 0
        self.handshaking = 0  # accepted, handshake not done
        self.peak = 0
        self._turns = trio.Semaphore(0, max_value=1000)
        self.port = 0

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}/v1beta/models/m:generateContent"

    def let(self, handshakes: int) -> None:
        for _ in range(handshakes):
            self._turns.release()

    async def handle(self, stream: anyio.abc.SocketStream, context: ssl.SSLContext) -> None:
        self.accepted += 1
        self.handshaking += 1
        self.peak = max(self.peak, self.handshaking)
        try:
            if self.refuse:
                return
            if self.delay is None:
                await self._turns.acquire()
            else:
                await trio.sleep(self.delay)
            tls = await anyio.streams.tls.TLSStream.wrap(
                stream, server_side=True, ssl_context=context, standard_compatible=False
            )
        finally:
            self.handshaking -= 1
        async with tls:
            data = b""
            while True:
                while b"\r\n\r\n" not in data:
                    try:
                        data += await tls.receive()
                    except anyio.EndOfStream:
                        return
                data = data.split(b"\r\n\r\n", 1)[1]
                await trio.sleep(self.answer_delay)
                await tls.send(OK)


@pytest.fixture
async def server(certificate, nursery):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    slow = SlowTLS()
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    slow.port = listener.extra(anyio.abc.SocketAttribute.local_port)

    async def handle(stream: anyio.abc.SocketStream) -> None:
        async with stream:
            await slow.handle(stream, context)

    stop = trio.CancelScope()

    async def serve() -> None:
        async with listener:
            with stop:
                await listener.serve(handle)

    nursery.start_soon(serve)
    yield slow
    stop.cancel()


@pytest.fixture
def client_context(certificate) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certificate[0]))


def pool(context: ssl.SSLContext, **kwargs) -> PooledTransport:
    return PooledTransport(ssl_context=context, max_connections=1000, **kwargs)


async def get(pool: PooledTransport, url: str, results: list) -> None:
    response = await pool.exchange("GET", split_url(url), ())
    async for _ in response.aiter_raw():
        pass
    results.append(response.status_code)


async def wait_until(predicate) -> None:
    """Let other tasks (and the kernel's loopback) run until `predicate` holds."""
    with anyio.fail_after(TIMEOUT):
        while not predicate():
            await anyio.lowlevel.checkpoint()


async def test_no_more_than_max_dials_are_opened_at_once(server, client_context):
    results: list[int] = []
    async with pool(client_context, max_dials=3) as transport:
        with trio.fail_after(TIMEOUT):
            async with trio.open_nursery() as nursery:
                for _ in range(10):
                    nursery.start_soon(get, transport, server.url, results)
                await wait_until(lambda: server.handshaking == 3)
                await trio.testing.wait_all_tasks_blocked()
                stats = transport.statistics()
                assert (stats.dialing, stats.waiting, server.accepted) == (3, 7, 3)
                server.let(10)
        assert results == [200] * 10
        assert server.peak == 3
        stats = transport.statistics()
        assert stats.opened + stats.reused == 10
        assert stats.opened == server.accepted
        assert transport.dialer.statistics() == DialStatistics(0, 0, 0, 0)


async def test_a_request_in_line_takes_a_connection_that_came_free(server, client_context):
    """One dial at a time: the first connection is answered and freed while the second dial
    still waits for its handshake, and the third request in line takes it."""
    results: list[int] = []
    async with pool(client_context, max_dials=1) as transport:
        with trio.fail_after(TIMEOUT):
            async with trio.open_nursery() as nursery:
                for _ in range(3):
                    nursery.start_soon(get, transport, server.url, results)
                await wait_until(lambda: transport.statistics().waiting == 2)
                server.let(1)
                await wait_until(lambda: len(results) == 2)
                stats = transport.statistics()
                assert (stats.opened, stats.reused, stats.dialing) == (1, 1, 1)
                server.let(1)
        assert results == [200] * 3
        assert (transport.statistics().opened, server.accepted) == (2, 2)


async def test_the_connect_timeout_counts_from_the_start_of_each_dial(
    server, client_context, autojump_clock
):
    """Each handshake takes 6 s of a 10 s connect timeout; the second dial waits its turn for
    6 s first, and is not timed out at 10 s. Slow answers: nobody takes a connection come free."""
    server.delay, server.answer_delay = 6.0, 100.0
    results: list[int] = []
    async with pool(client_context, max_dials=1, connect_timeout=10.0) as transport:
        async with trio.open_nursery() as nursery:
            for _ in range(2):
                nursery.start_soon(get, transport, server.url, results)
            await trio.sleep(12.5)
            assert transport.statistics().opened == 2
        assert results == [200, 200]
        assert transport.dialer.statistics().failed == 0


async def test_a_dial_that_times_out_fails_the_line_behind_it(
    server, client_context, autojump_clock
):
    errors: list[tuple[type, float]] = []
    started = trio.current_time()

    async def get_failing() -> None:
        with pytest.raises(httpx.TransportError) as caught:
            await get(transport, server.url, [])
        errors.append((type(caught.value), trio.current_time() - started))

    async with pool(client_context, max_dials=1, connect_timeout=10.0) as transport:
        async with trio.open_nursery() as nursery:
            for _ in range(3):
                nursery.start_soon(get_failing)
        assert errors == [(httpx.ConnectTimeout, 10.0)] * 3
        assert transport.dialer.statistics() == DialStatistics(0, 0, failed=1, timed_out=1)
        assert server.accepted == 1


async def test_a_refused_handshake_fails_the_line_with_connect_error(server, client_context):
    server.refuse = True
    async with pool(client_context, max_dials=1) as transport:
        with trio.fail_after(TIMEOUT):
            async with trio.open_nursery() as nursery:
                for _ in range(3):
                    nursery.start_soon(expect_connect_error, transport, server.url)
        assert transport.statistics().open == 0
        assert transport.dialer.statistics() == DialStatistics(0, 0, failed=1, timed_out=0)


async def expect_connect_error(transport: PooledTransport, url: str) -> None:
    with pytest.raises(httpx.ConnectError):
        await get(transport, url, [])


async def test_a_cancelled_request_in_line_leaves_no_count_behind(server, client_context):
    results: list[int] = []
    async with pool(client_context, max_dials=1) as transport:
        with trio.fail_after(TIMEOUT):
            async with trio.open_nursery() as nursery:
                nursery.start_soon(get, transport, server.url, results)
                await wait_until(lambda: transport.statistics().dialing == 1)
                async with trio.open_nursery() as waiters:
                    for _ in range(3):
                        waiters.start_soon(get, transport, server.url, results)
                    await wait_until(lambda: transport.statistics().waiting == 3)
                    waiters.cancel_scope.cancel()
                stats = transport.statistics()
                assert (stats.dialing, stats.waiting, stats.open, stats.busy) == (1, 0, 1, 1)
                server.let(1)
            await get(transport, server.url, results)
        assert results == [200, 200]
        assert transport.dialer.statistics() == DialStatistics(0, 0, 0, 0)


async def test_closing_the_pool_fails_the_line(server, client_context):
    async with pool(client_context, max_dials=1) as transport:
        with trio.fail_after(TIMEOUT):
            async with trio.open_nursery() as nursery:
                nursery.start_soon(expect_connect_error, transport, server.url)
                nursery.start_soon(expect_connect_error, transport, server.url)
                await wait_until(lambda: transport.statistics().waiting == 1)
                await transport.aclose()
                assert transport.statistics().waiting == 0
                server.refuse = True
                server.let(1)  # the dial in flight fails too: the server closes it


ORIGIN: Origin = (b"https", b"127.0.0.1", 1)


@pytest.mark.anyio
async def test_a_request_woken_and_cancelled_at_once_keeps_or_passes_on_its_turn(anyio_backend):
    """A woken wait returns even if cancelled at once (the request then dials or takes the
    connection, and its dial passes the turn on when it ends): the line is left empty."""
    dialer = Dialer(max_dials=1, connect_timeout=None, tls_context=ssl.create_default_context)
    woken: list[str] = []
    scopes = {name: anyio.CancelScope() for name in ("first", "second")}

    async def wait(name: str) -> None:
        with scopes[name]:
            await dialer.wait_turn(ORIGIN)
            woken.append(name)

    async with anyio.create_task_group() as tg:
        tg.start_soon(wait, "first")
        await wait_until(lambda: dialer.statistics().waiting == 1)
        tg.start_soon(wait, "second")
        await wait_until(lambda: dialer.statistics().waiting == 2)
        dialer.changed(ORIGIN)
        scopes["first"].cancel()
        await wait_until(lambda: woken)
        scopes["second"].cancel()
    assert woken == ["first"]
    assert dialer.statistics() == DialStatistics(0, 0, 0, 0)


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_wake_up_that_a_cancellation_overrides_goes_to_the_next_in_line(anyio_backend):
    """asyncio can raise a cancellation at a wait whose event is already set: the wake-up is
    not lost, the next in line gets it."""
    import asyncio

    dialer = Dialer(max_dials=1, connect_timeout=None, tls_context=ssl.create_default_context)
    first = asyncio.create_task(dialer.wait_turn(ORIGIN))
    second = asyncio.create_task(dialer.wait_turn(ORIGIN))
    await wait_until(lambda: dialer.statistics().waiting == 2)
    dialer.changed(ORIGIN)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    await asyncio.wait_for(second, TIMEOUT)
    assert dialer.statistics() == DialStatistics(0, 0, 0, 0)


async def test_max_dials_comes_from_async_client_args():
    default = client_args({}, 100)["transport"]
    chosen = client_args({"max_dials": 5}, 100)["transport"]
    assert f"max_dials={MAX_DIALS}>" in repr(default.dialer)
    assert "max_dials=5>" in repr(chosen.dialer)
    with pytest.raises(ValueError, match="max_dials"):
        client_args({"max_dials": 0}, 100)
