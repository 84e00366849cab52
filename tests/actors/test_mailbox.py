"""The mailbox: hand-offs to waiting consumers (the last to park first, `last` ones only when no
other waits), the bound, size 0, close, and cancellation on both sides."""

import asyncio
import functools

import anyio
import pytest

from genaio.actors._mailbox import Mailbox


async def consume(box, got, **kwargs):
    try:
        got.append(await box.get(**kwargs))
    except anyio.EndOfStream:
        got.append("end")


@pytest.mark.anyio
async def test_an_item_goes_straight_to_the_consumer_that_parked_last():
    box = Mailbox(4)
    first, second, staff = [], [], []
    async with anyio.create_task_group() as group:
        group.start_soon(functools.partial(consume, box, staff, last=True))
        await anyio.wait_all_tasks_blocked()
        group.start_soon(consume, box, first)
        await anyio.wait_all_tasks_blocked()
        group.start_soon(consume, box, second)
        await anyio.wait_all_tasks_blocked()
        for item in "abc":
            assert box.put_nowait(item)
        assert box.statistics().buffered == 0  # handed over, none buffered
    assert (second, first, staff) == (["a"], ["b"], ["c"])


@pytest.mark.anyio
async def test_callers_beyond_the_buffer_wait_in_order():
    box = Mailbox(2)
    async with anyio.create_task_group() as group:
        for item in "abcd":
            group.start_soon(box.put, item)
            await anyio.wait_all_tasks_blocked()
        assert box.statistics() == (2, 2, 0)
        assert not box.put_nowait("e")  # full, and others wait before it
        assert [box.get_nowait() for _ in range(2)] == ["a", "b"]
        await anyio.wait_all_tasks_blocked()
        assert box.statistics() == (2, 0, 0)
    assert [box.get_nowait() for _ in range(2)] == ["c", "d"]
    with pytest.raises(anyio.WouldBlock):
        box.get_nowait()


@pytest.mark.anyio
async def test_size_0_hands_over_only():
    box = Mailbox(0)
    got = []
    async with anyio.create_task_group() as group:
        assert not box.put_nowait("a")
        group.start_soon(box.put, "a")
        await anyio.wait_all_tasks_blocked()
        assert box.statistics() == (0, 1, 0)
        assert box.get_nowait() == "a"
        group.start_soon(consume, box, got)
        await anyio.wait_all_tasks_blocked()
        assert box.put_nowait("b")
    assert got == ["b"]


@pytest.mark.anyio
async def test_a_cancelled_put_puts_nothing():
    box = Mailbox(0)
    with anyio.move_on_after(0.01):
        await box.put("a")
    assert box.statistics() == (0, 0, 0)
    with pytest.raises(anyio.WouldBlock):
        box.get_nowait()


@pytest.mark.anyio
async def test_close_refuses_puts_ends_gets_and_keeps_the_buffer():
    box = Mailbox(1)
    refused, got = [], []

    async def put(item):
        try:
            await box.put(item)
        except anyio.ClosedResourceError:
            refused.append(item)

    assert box.put_nowait("a")
    async with anyio.create_task_group() as group:
        group.start_soon(put, "b")
        await anyio.wait_all_tasks_blocked()
        box.close()
    assert refused == ["b"]
    with pytest.raises(anyio.ClosedResourceError):
        box.put_nowait("c")
    assert box.get_nowait() == "a"
    await consume(box, got)
    assert got == ["end"]


def test_an_item_handed_to_a_consumer_cancelled_in_that_instant_goes_back():
    # Under trio a task woken is never cancelled before it runs; under asyncio a plain
    # `Task.cancel()` (asyncio.run's shutdown, asyncio.timeout) can do it.
    box = Mailbox(1)
    got = []

    async def main():
        consumer = asyncio.get_running_loop().create_task(consume(box, got))
        await anyio.wait_all_tasks_blocked()
        assert box.put_nowait("a")  # handed over...
        consumer.cancel()  # ...and cancelled before the consumer ran
        with pytest.raises(asyncio.CancelledError):
            await consumer

    asyncio.run(main())
    assert got == []
    assert box.get_nowait() == "a"
