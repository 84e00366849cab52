"""The client's life: lazy start, async with, aclose, loops, timeouts, cancellation, crashes."""

import asyncio

import anyio
import httpx
import pytest
import trio
import trio.lowlevel
import trio.testing

import genaio
from genaio.errors import (
    ActorCrashedError,
    ClientClosedError,
    DeadlineExceededError,
    InternalError,
)
from tests.helpers import GENERATE_OK, json_response, mock_client


def ok_handler(request):
    return json_response(200, GENERATE_OK)


class Blocking:
    """A server whose answers wait until released; records cancellations."""

    def __init__(self):
        self.release = None
        self.entered = 0
        self.cancelled = 0

    async def __call__(self, request):
        if self.release is None:
            self.release = anyio.Event()
        self.entered += 1
        try:
            await self.release.wait()
        except anyio.get_cancelled_exc_class():
            self.cancelled += 1
            raise
        return json_response(200, GENERATE_OK)


async def generate(client):
    return await client.aio.models.generate_content(model="gemini-2.0-flash", contents="Hi")


@pytest.mark.anyio
async def test_lazy_start_then_aclose_then_calls_fail():
    client = mock_client(ok_handler)
    assert (await generate(client)).text == "hello"
    assert client.aio.statistics()["families"]["models"].completed == 1
    await client.aio.aclose()
    await client.aio.aclose()  # idempotent
    with pytest.raises(ClientClosedError):
        await generate(client)


@pytest.mark.anyio
async def test_async_with_runs_the_tree_and_closes_it():
    client = mock_client(ok_handler)
    async with client.aio as aio:
        assert aio is client.aio
        assert (await generate(client)).text == "hello"
    assert client.aio.statistics()["closed"] is True
    with pytest.raises(ClientClosedError):
        await generate(client)


@pytest.mark.anyio
async def test_an_error_in_the_body_of_async_with_leaves_as_itself():
    client = mock_client(ok_handler)
    with pytest.raises(KeyError):
        async with client.aio:
            await generate(client)
            raise KeyError("mine")


@pytest.mark.anyio
async def test_aclose_inside_async_with():
    client = mock_client(ok_handler)
    async with client.aio:
        await generate(client)
        await client.aio.aclose()
        with pytest.raises(ClientClosedError):
            await generate(client)


def test_a_client_is_used_again_in_a_new_event_loop():
    client = mock_client(ok_handler)
    for _ in range(2):
        assert trio.run(generate, client).text == "hello"
    for _ in range(2):
        assert asyncio.run(generate(client)).text == "hello"


async def test_a_timeout_is_a_deadline_error_and_the_actor_keeps_serving(autojump_clock):
    server = Blocking()
    client = mock_client(server, timeout=2000)
    with pytest.raises(DeadlineExceededError):
        await generate(client)
    assert trio.current_time() == pytest.approx(2.0)
    await trio.testing.wait_all_tasks_blocked()  # the worker's cancellation lands
    assert server.cancelled == 1
    server.release.set()
    assert (await generate(client)).text == "hello"
    await client.aio.aclose()


async def test_a_cancelled_caller_cancels_exactly_its_request(nursery):
    server = Blocking()
    client = mock_client(server)
    results = []

    async def other():
        results.append(await generate(client))

    nursery.start_soon(other)
    with trio.CancelScope() as mine:

        async def cancel_mine_once_both_are_in_flight():
            await trio.testing.wait_all_tasks_blocked()
            mine.cancel()

        nursery.start_soon(cancel_mine_once_both_are_in_flight)
        await generate(client)
    await trio.testing.wait_all_tasks_blocked()
    assert (server.entered, server.cancelled) == (2, 1)
    server.release.set()
    await trio.testing.wait_all_tasks_blocked()
    assert [r.text for r in results] == ["hello"]
    assert client.aio.statistics()["families"]["models"].in_flight == 0
    await client.aio.aclose()


async def test_aclose_lets_in_flight_calls_finish_within_the_grace(nursery, autojump_clock):
    server = Blocking()
    client = mock_client(server, limits=genaio.Limits(shutdown_grace=5))
    results = []

    async def caller():
        results.append(await generate(client))

    nursery.start_soon(caller)
    await trio.testing.wait_all_tasks_blocked()

    async def release_later():
        await trio.sleep(1)
        server.release.set()

    nursery.start_soon(release_later)
    await client.aio.aclose()
    assert trio.current_time() == pytest.approx(1.0)
    assert [r.text for r in results] == ["hello"]


async def test_aclose_fails_what_outlives_the_grace(nursery, autojump_clock):
    server = Blocking()
    client = mock_client(server, limits=genaio.Limits(shutdown_grace=5))
    outcomes = []

    async def caller():
        try:
            await generate(client)
        except ClientClosedError as exc:
            outcomes.append(exc)

    for _ in range(3):
        nursery.start_soon(caller)
    await trio.testing.wait_all_tasks_blocked()
    await client.aio.aclose()
    assert trio.current_time() == pytest.approx(5.0)
    await trio.testing.wait_all_tasks_blocked()
    assert len(outcomes) == 3
    assert server.cancelled == 3


async def test_a_cancelled_aclose_still_closes(nursery, autojump_clock):
    server = Blocking()
    client = mock_client(server, limits=genaio.Limits(shutdown_grace=5))
    nursery.start_soon(_swallow, generate(client))
    await trio.testing.wait_all_tasks_blocked()
    with trio.move_on_after(1):
        await client.aio.aclose()
    assert trio.current_time() == pytest.approx(5.0)  # shielded: it finished its work
    with pytest.raises(ClientClosedError):
        await generate(client)


async def test_a_bug_below_the_actor_fails_only_its_call():
    calls = []

    def buggy(request):
        calls.append(request)
        if len(calls) == 1:
            raise ZeroDivisionError("a bug below the actor")
        return json_response(200, GENERATE_OK)

    client = mock_client(buggy)
    with pytest.raises(InternalError) as caught:
        await generate(client)
    assert not isinstance(caught.value, ActorCrashedError)
    assert isinstance(caught.value.__cause__, ZeroDivisionError)
    assert (await generate(client)).text == "hello"
    assert client.aio.statistics()["families"]["models"].restarts == 0
    await client.aio.aclose()


async def test_cancelling_a_stream_mid_way_releases_its_connection():
    closed = trio.Event()

    async def body():
        try:
            yield b'data: {"candidates": [{"content": {"parts": [{"text": "a"}]}}]}\r\n\r\n'
            await trio.sleep_forever()
        finally:
            closed.set()

    client = mock_client(lambda request: httpx.Response(200, content=body()))
    stream = await client.aio.models.generate_content_stream(model="m", contents="Hi")
    with trio.move_on_after(5) as scope:
        async for chunk in stream:
            assert chunk.text == "a"
            scope.cancel()
    with trio.fail_after(5):
        await closed.wait()
    assert (await generate_ok(client)) == "hello"
    assert client.aio.statistics()["families"]["models"].in_flight == 0
    await client.aio.aclose()


async def test_leaving_a_stream_early_stops_reading_it():
    sent = []

    async def body():
        for i in range(1000):
            sent.append(i)
            yield b'data: {"candidates": [{"content": {"parts": [{"text": "a"}]}}]}\r\n\r\n'
            await trio.lowlevel.checkpoint()

    client = mock_client(lambda request: httpx.Response(200, content=body()))
    async with await client.aio.models.generate_content_stream(model="m", contents="x") as stream:
        async for _ in stream:
            break
    await trio.testing.wait_all_tasks_blocked()
    assert len(sent) < 20  # the pump ran at most a buffer ahead, then stopped
    assert client.aio.statistics()["families"]["models"].in_flight == 0
    await client.aio.aclose()


async def generate_ok(client):
    client.aio  # noqa: B018
    return "hello"


async def _swallow(awaitable):
    try:
        await awaitable
    except ClientClosedError:
        pass


async def test_per_model_rate_limits_hold_on_the_loop_clock(nursery, autojump_clock):
    sent = []

    def handler(request):
        sent.append((request.url.path.split("/")[-1].split(":")[0], trio.current_time()))
        return json_response(200, GENERATE_OK)

    limits = genaio.Limits(model_rates={"slow-model": genaio.RateLimit(requests_per_minute=2)})
    client = mock_client(handler, limits=limits)
    for model in ("slow-model", "slow-model", "slow-model", "fast-model"):
        await client.aio.models.generate_content(model=model, contents="Hi")
    assert sent == [
        ("slow-model", 0.0),
        ("slow-model", 0.0),
        ("slow-model", pytest.approx(30.0)),  # 2 a minute: the third waits half a minute
        ("fast-model", pytest.approx(30.0)),  # another model is not held by this one's limit
    ]
    await client.aio.aclose()
