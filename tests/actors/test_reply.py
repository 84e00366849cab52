"""The reply: the caller parks on it directly (trio's task, asyncio's future), on both backends."""

import anyio
import pytest

from genaio.actors._reply import Reply

pytestmark = pytest.mark.anyio


async def test_a_waiting_caller_is_woken_with_the_value():
    reply: Reply[str] = Reply()
    got = []

    async def caller():
        got.append(await reply.result())

    async with anyio.create_task_group() as group:
        group.start_soon(caller)
        await anyio.wait_all_tasks_blocked()
        assert not reply.done and got == []
        reply.send("value")
        assert reply.done
    assert got == ["value"]


async def test_a_reply_done_before_the_wait_still_checkpoints():
    reply: Reply[str] = Reply()
    reply.send("early")
    with anyio.CancelScope() as scope:
        scope.cancel()
        with pytest.raises(anyio.get_cancelled_exc_class()):
            await reply.result()
    assert reply.abandoned  # the caller left, cancelled at that checkpoint


async def test_an_error_is_raised_to_the_caller():
    reply: Reply[str] = Reply()
    reply.fail(ValueError("boom"))
    reply.send("ignored: the reply is done")
    with pytest.raises(ValueError, match="boom"):
        await reply.result()


async def test_a_cancelled_wait_abandons_and_a_late_value_is_discarded():
    reply: Reply[str] = Reply()
    discarded = []
    with anyio.move_on_after(0) as scope:
        await reply.result()
    assert scope.cancelled_caught and reply.abandoned
    reply.send("late", discard=lambda: discarded.append("late"))
    assert discarded == ["late"] and not reply.done


async def test_a_value_delivered_then_abandoned_is_released():
    reply: Reply[str] = Reply()
    discarded = []
    reply.send("stream", discard=lambda: discarded.append("stream"))
    reply.abandon()
    assert discarded == ["stream"]


async def test_abandoning_cancels_the_bound_work():
    reply: Reply[str] = Reply()
    with anyio.CancelScope() as work:
        reply.bind(work)
        reply.abandon()
        await anyio.sleep_forever()
    assert work.cancelled_caught
