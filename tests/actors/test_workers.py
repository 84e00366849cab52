"""Workers stay: one that has finished an envelope serves the next, and workers are started only
for envelopes that find none idle, never more than `concurrency`, on both backends."""

import gc
import weakref

import anyio
import pytest

from genaio.actors import Actor, Envelope, RestartBudget, supervise


class Recorder:
    """A handler that records which task served each envelope and waits for `release`."""

    def __init__(self):
        self.release = anyio.Event()
        self.tasks: list[int] = []

    async def __call__(self, envelope: Envelope) -> None:
        self.tasks.append(anyio.get_current_task().id)
        await self.release.wait()
        envelope.reply.send(envelope.work)


@pytest.mark.anyio
async def test_one_worker_serves_calls_made_one_after_another():
    handler = Recorder()
    handler.release.set()
    actor = Actor("t", handler, mailbox_size=4, concurrency=8)
    async with anyio.create_task_group() as group:
        await group.start(supervise, actor, RestartBudget())
        assert actor.statistics().workers == 0  # started lazily
        for i in range(5):
            assert await actor.call(i) == i
        assert len(set(handler.tasks)) == 1
        stats = actor.statistics()
        assert (stats.workers, stats.in_flight, stats.queued, stats.completed) == (1, 0, 0, 5)
        actor.close()  # the idle worker ends, and with it the actor


@pytest.mark.anyio
async def test_workers_grow_to_the_concurrency_and_are_reused():
    handler = Recorder()
    actor = Actor("t", handler, mailbox_size=10, concurrency=3)
    results = []

    async def caller(i):
        results.append(await actor.call(i))

    async with anyio.create_task_group() as group:
        await group.start(supervise, actor, RestartBudget())
        for round_ in range(2):
            for i in range(6):
                group.start_soon(caller, i)
            await anyio.wait_all_tasks_blocked()
            stats = actor.statistics()
            assert (stats.in_flight, stats.queued, stats.workers) == (3, 3, 3)
            handler.release.set()
            await anyio.wait_all_tasks_blocked()
            handler.release = anyio.Event()
            assert len(results) == 6 * (round_ + 1)
        assert len(set(handler.tasks)) == 3  # the second round ran on the same three
        assert actor.statistics().completed == 12
        actor.close()


@pytest.mark.anyio
async def test_a_worker_whose_caller_left_serves_the_next_call():
    handler = Recorder()
    actor = Actor("t", handler, mailbox_size=4, concurrency=4)
    async with anyio.create_task_group() as group:
        await group.start(supervise, actor, RestartBudget())
        with anyio.move_on_after(0.01):
            await actor.call("abandoned")
        await anyio.wait_all_tasks_blocked()
        assert actor.statistics().in_flight == 0
        handler.release.set()
        assert await actor.call("next") == "next"
        assert len(handler.tasks) == 2 and len(set(handler.tasks)) == 1
        assert actor.statistics().workers == 1
        actor.close()


@pytest.mark.anyio
async def test_leaving_after_the_reply_does_not_cancel_the_next_work_of_the_worker():
    handler = Recorder()
    handler.release.set()
    actor = Actor("t", handler, mailbox_size=4, concurrency=4)
    async with anyio.create_task_group() as group:
        await group.start(supervise, actor, RestartBudget())
        first = Envelope("first")
        await actor.submit(first)
        assert await first.reply.result() == "first"
        handler.release = anyio.Event()
        second = Envelope("second")
        await actor.submit(second)
        await anyio.wait_all_tasks_blocked()
        first.reply.abandon()  # late: its work is over, and the worker's scope serves `second`
        handler.release.set()
        await anyio.wait_all_tasks_blocked()
        assert second.reply.done  # not cancelled
        assert await second.reply.result() == "second"
        assert len(set(handler.tasks)) == 1
        actor.close()


@pytest.mark.anyio
async def test_close_ends_idle_workers_and_lets_a_busy_one_finish():
    release = anyio.Event()

    async def handler(envelope):
        if envelope.work == "busy":
            await release.wait()
        envelope.reply.send(envelope.work)

    actor = Actor("t", handler, mailbox_size=4, concurrency=4)
    stopped = anyio.Event()
    results = []

    async def serve(*, task_status=anyio.TASK_STATUS_IGNORED):
        await supervise(actor, RestartBudget(), task_status=task_status)
        stopped.set()

    async with anyio.create_task_group() as group:
        await group.start(serve)
        group.start_soon(_append, results, actor.call("busy"))
        await anyio.wait_all_tasks_blocked()
        assert await actor.call("quick") == "quick"  # a second worker, idle now
        assert actor.statistics().workers == 2
        actor.close()
        await anyio.wait_all_tasks_blocked()
        assert not stopped.is_set()  # the busy one goes on
        release.set()
        await stopped.wait()
    assert results == ["busy"]


async def _append(results, awaitable):
    results.append(await awaitable)


class Answer:
    """A call's answer the test can see die (a weak reference)."""


@pytest.mark.anyio
async def test_idle_workers_keep_nothing_of_the_calls_they_served():
    """A worker lives as long as the actor; the calls it served (their envelopes, requests and
    answers) must not: idle workers holding their first and last calls kept two answers each
    alive (and walked by the garbage collector) for as long as the client was open."""

    async def answer(envelope: Envelope) -> None:
        envelope.reply.send(Answer())

    actor = Actor("t", answer, mailbox_size=10, concurrency=3)
    answers = []

    async def caller():
        answers.append(weakref.ref(await actor.call(None)))

    async with anyio.create_task_group() as group:
        await group.start(supervise, actor, RestartBudget())
        for _ in range(2):
            for _ in range(3):
                group.start_soon(caller)
            await anyio.wait_all_tasks_blocked()
        assert actor.statistics().workers >= 1 and len(answers) == 6
        gc.collect()
        assert [ref for ref in answers if ref() is not None] == []
        assert not [o for o in gc.get_objects() if isinstance(o, Envelope)]
        actor.close()
