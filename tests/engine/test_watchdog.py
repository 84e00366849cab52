"""The pool's silence watchdog: a read timeout bounds each wait for the server (not the
caller's pace), fires on time however many waits it watches, is not retried, and is one task
that ends with the pool, on trio and asyncio."""

import anyio
import anyio.abc
import httpx
import pytest
import trio

from genaio.engine._http11 import split_url
from genaio.testing import live_tasks
from tests.engine.test_pool import (
    OK,
    Hold,
    no_environment_proxies,  # noqa: F401 (an autouse fixture)
    pooled,
    read,
    response,
    serve,
    stats,
)

T = 600.0  # a read timeout, under MockClock
LONG = 10 * T


class InTwoParts:
    """Send a response's head and first body bytes; the rest once `go` is set."""

    def __init__(self, body: bytes) -> None:
        self.whole = response(200, body)
        self.go = anyio.Event()

    async def __call__(self, stream: anyio.abc.SocketStream) -> bool:
        cut = len(self.whole) - 4
        await stream.send(self.whole[:cut])
        await self.go.wait()
        await stream.send(self.whole[cut:])
        return True


async def test_a_slow_reader_is_not_a_silent_server(autojump_clock):
    """The silence clock runs only while the pool waits for the server: a caller that takes
    longer than the read timeout between two pieces of the body loses nothing."""
    answer = InTwoParts(b"0123456789")
    async with serve(answer, bound=LONG) as server, pooled(bound=LONG) as pool:
        got = await pool.exchange("GET", split_url(server.url), (), read_timeout=T)
        chunks = got.aiter_raw()
        first = await anext(chunks)
        await trio.sleep(2 * T)  # the caller is busy; the server waits for nobody
        answer.go.set()
        rest = b"".join([chunk async for chunk in chunks])
        assert first + rest == b"0123456789"
        assert pool.statistics() == stats(open=1, idle=1, opened=1)


async def test_a_silent_reused_connection_is_not_retried(autojump_clock):
    """Silence is not a stale connection: the server may be working on the request."""
    async with serve(response(200, OK), Hold(b""), bound=LONG) as server:
        async with pooled(bound=LONG) as pool:
            assert await read(await pool.exchange("GET", split_url(server.url), ())) == OK
            started = trio.current_time()
            with pytest.raises(httpx.ReadTimeout):
                await pool.exchange("GET", split_url(server.url), (), read_timeout=T)
            assert trio.current_time() - started == pytest.approx(T)
            assert pool.statistics() == stats(opened=1, reused=1)
    assert len(server.received) == 2


async def test_each_wait_times_out_at_its_own_deadline(autojump_clock):
    """A shorter timeout armed while the watchdog sleeps towards a longer one wakes it."""
    ended: dict[str, float] = {}

    async def wait(name: str, bound: float) -> None:
        with pytest.raises(httpx.ReadTimeout):
            await pool.exchange("GET", split_url(server.url), (), read_timeout=bound)
        ended[name] = trio.current_time() - started

    async with serve(Hold(b""), Hold(b""), bound=LONG) as server, pooled(bound=LONG) as pool:
        started = trio.current_time()
        async with trio.open_nursery() as nursery:
            nursery.start_soon(wait, "long", T)
            await trio.testing.wait_all_tasks_blocked()
            nursery.start_soon(wait, "short", T / 10)
    assert ended == pytest.approx({"short": T / 10, "long": T})


async def test_a_request_in_flight_when_the_pool_closes_keeps_its_bound(autojump_clock):
    async with serve(Hold(b""), bound=LONG) as server, pooled(bound=LONG) as pool:
        async with trio.open_nursery() as nursery:

            async def silent() -> None:
                with pytest.raises(httpx.ReadTimeout):
                    await pool.exchange("GET", split_url(server.url), (), read_timeout=T)

            nursery.start_soon(silent)
            await server.wait_received(1)
            started = trio.current_time()
            await pool.aclose()  # returns at once: the watched request is not waited for
            assert trio.current_time() == started
        assert trio.current_time() - started == pytest.approx(T, abs=1)
        assert "not running, closed, watching 0" in repr(pool._watchdog)


@pytest.mark.anyio
async def test_a_silent_server_times_out_and_the_pool_serves_the_next_request():
    async with serve(Hold(b""), response(200, OK)) as server, pooled() as pool:
        with pytest.raises(httpx.ReadTimeout, match=r"no answer from the server for 0\.2 s"):
            await pool.exchange("GET", split_url(server.url), (), read_timeout=0.2)
        assert pool.statistics() == stats(opened=1)
        answer = await pool.exchange("GET", split_url(server.url), (), read_timeout=0.2)
        assert await read(answer) == OK


@pytest.mark.anyio
async def test_a_server_that_stops_reading_the_request_times_out():
    """The deadline covers sending too: a body the server never reads is silence."""

    async def never_reads(stream: anyio.abc.SocketStream) -> None:
        await anyio.sleep_forever()

    async with await anyio.create_tcp_listener(local_host="127.0.0.1") as listener:
        url = f"http://127.0.0.1:{listener.extra(anyio.abc.SocketAttribute.local_port)}/"
        async with anyio.create_task_group() as tg, pooled() as pool:
            tg.start_soon(listener.serve, never_reads)
            with pytest.raises(httpx.ReadTimeout):
                await pool.exchange("POST", split_url(url), (), b"x" * 50_000_000, read_timeout=0.3)
            assert pool.statistics() == stats(opened=1)
            tg.cancel_scope.cancel()


@pytest.mark.anyio
async def test_the_watchdog_is_one_task_that_ends_with_the_pool():
    before = live_tasks()
    async with serve(*[response(200, OK)] * 3) as server:
        pool_ = None
        async with pooled() as pool:
            pool_ = pool
            for _ in range(3):
                await read(await pool.exchange("GET", split_url(server.url), (), read_timeout=5))
            added = [_name(t) for t in live_tasks() - before]
            assert added.count("genaio pool watchdog") == 1
            assert "running, watching 0" in repr(pool._watchdog)
        assert "not running, closed" in repr(pool_._watchdog)
        await anyio.wait_all_tasks_blocked()
        assert "genaio pool watchdog" not in [_name(t) for t in live_tasks()]


def _name(task: object) -> str:
    get_name = getattr(task, "get_name", None)
    return get_name() if callable(get_name) else str(getattr(task, "name", task))
