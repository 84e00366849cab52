"""`Wakeup`: an event for one waiting task, on trio and on asyncio."""

import anyio
import pytest

from genaio.engine._parking import Wakeup

pytestmark = pytest.mark.anyio


async def test_a_wakeup_set_before_the_wait_returns_at_once():
    wakeup = Wakeup()
    wakeup.set()
    wakeup.set()  # a no-op
    with anyio.fail_after(1):
        await wakeup.wait()
    assert wakeup.is_set


async def test_set_wakes_the_waiting_task_and_clear_makes_it_wait_again():
    wakeup, woken = Wakeup(), []

    async def waiter() -> None:
        for _ in range(2):
            await wakeup.wait()
            woken.append(True)
            wakeup.clear()

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(waiter)
        for count in (1, 2):
            await anyio.wait_all_tasks_blocked()
            assert len(woken) == count - 1  # parked until set
            wakeup.set()
            wakeup.set()  # set twice before it runs: woken once
            await anyio.wait_all_tasks_blocked()
            assert len(woken) == count


async def test_a_cancelled_wait_ends_and_a_later_set_wakes_nobody():
    wakeup = Wakeup()

    async def waits() -> None:
        await wakeup.wait()

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(waits)
        await anyio.wait_all_tasks_blocked()
        tasks.cancel_scope.cancel()
    wakeup.set()  # nobody waits: nothing to wake, nothing raised
    wakeup.clear()
    wakeup.set()
    with anyio.fail_after(1):
        await wakeup.wait()
