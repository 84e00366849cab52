"""The actor runtime on its own: mailbox backpressure, cancellation, crashes, supervision, close."""

import pytest
import trio
import trio.testing

from genaio.actors import Actor, Envelope, RestartBudget, single_error, supervise
from genaio.errors import ActorCrashedError, APIError, ClientClosedError, InternalError


class Gate:
    """A handler whose calls wait until released, recording what it saw."""

    def __init__(self):
        self.release = trio.Event()
        self.started: list = []
        self.cancelled: list = []

    async def __call__(self, envelope: Envelope) -> None:
        self.started.append(envelope.work)
        try:
            await self.release.wait()
        except trio.Cancelled:
            self.cancelled.append(envelope.work)
            raise
        if envelope.work == "boom":
            raise RuntimeError("a bug")
        if envelope.work == "api-error":
            raise APIError(400, {"error": {"message": "bad", "status": "INVALID_ARGUMENT"}})
        envelope.reply.send(f"done {envelope.work}")


async def start(nursery, actor, budget=None):
    await nursery.start(supervise, actor, budget or RestartBudget(3, 60))


async def test_a_full_mailbox_makes_callers_wait(nursery):
    gate = Gate()
    actor = Actor("t", gate, mailbox_size=2, concurrency=1)
    await start(nursery, actor)
    results = []

    async def caller(i):
        results.append(await actor.call(i))

    for i in range(10):
        nursery.start_soon(caller, i)
    await trio.testing.wait_all_tasks_blocked()
    stats = actor.statistics()
    # One running; two queued (the mailbox's); the other seven callers wait to submit: the
    # backpressure. The actor holds at most its mailbox plus its workers, however many come.
    assert (stats.in_flight, stats.queued, stats.submitted) == (1, 2, 3)
    gate.release.set()
    await trio.testing.wait_all_tasks_blocked()
    assert sorted(results) == sorted(f"done {i}" for i in range(10))
    assert actor.statistics().completed == 10


async def test_concurrency_is_bounded(nursery):
    gate = Gate()
    actor = Actor("t", gate, mailbox_size=10, concurrency=3)
    await start(nursery, actor)
    for i in range(6):
        nursery.start_soon(actor.call, i)
    await trio.testing.wait_all_tasks_blocked()
    assert len(gate.started) == 3
    assert actor.statistics().queued == 3
    gate.release.set()


async def test_api_errors_are_replies_and_the_actor_keeps_serving(nursery):
    gate = Gate()
    gate.release.set()
    actor = Actor("t", gate, mailbox_size=1, concurrency=1)
    await start(nursery, actor)
    with pytest.raises(APIError):
        await actor.call("api-error")
    assert await actor.call("next") == "done next"
    assert actor.statistics().restarts == 0


async def test_a_cancelled_caller_cancels_exactly_its_work(nursery):
    gate = Gate()
    actor = Actor("t", gate, mailbox_size=4, concurrency=4)
    await start(nursery, actor)
    other = []
    nursery.start_soon(lambda: _append(other, actor.call("other")))
    with trio.move_on_after(1) as scope:
        await actor.call("mine")
    assert scope.cancelled_caught
    await trio.testing.wait_all_tasks_blocked()
    assert gate.cancelled == ["mine"]
    gate.release.set()
    await trio.testing.wait_all_tasks_blocked()
    assert other == ["done other"]
    assert actor.statistics().in_flight == 0


async def test_a_caller_cancelled_while_queued_is_skipped(nursery):
    gate = Gate()
    actor = Actor("t", gate, mailbox_size=4, concurrency=1)
    await start(nursery, actor)
    nursery.start_soon(actor.call, "first")
    await trio.testing.wait_all_tasks_blocked()
    with trio.move_on_after(1):
        await actor.call("queued")
    gate.release.set()
    await trio.testing.wait_all_tasks_blocked()
    assert gate.started == ["first"]


async def test_a_bug_in_one_call_fails_only_that_call(nursery):
    gate = Gate()
    actor = Actor("t", gate, mailbox_size=4, concurrency=2)
    await start(nursery, actor, RestartBudget(max_restarts=1, window=60))
    outcomes = {}

    async def caller(work):
        try:
            outcomes[work] = await actor.call(work)
        except InternalError as exc:
            outcomes[work] = exc

    for round_ in range(3):  # more bugs than the restart budget allows crashes
        nursery.start_soon(caller, "boom")
        nursery.start_soon(caller, f"bystander {round_}")
        await trio.testing.wait_all_tasks_blocked()
        gate.release.set()
        await trio.testing.wait_all_tasks_blocked()
        gate.release = trio.Event()
        error = outcomes.pop("boom")
        assert type(error) is InternalError  # not the actor's crash
        assert isinstance(error.__cause__, RuntimeError)
        assert outcomes.pop(f"bystander {round_}") == f"done bystander {round_}"
    assert actor.statistics().restarts == 0
    gate.release.set()
    assert await actor.call("after") == "done after"


class Poisoned(Actor):
    """An actor with a bug in its own loop: it fails on taking the envelope of work "poison"."""

    async def _perform(self, envelope, scope):
        if envelope.work == "poison":
            raise RuntimeError("a bug in the actor's loop")
        await super()._perform(envelope, scope)


async def test_a_crash_of_the_loop_fails_the_held_envelopes_and_the_actor_restarts(nursery):
    gate = Gate()
    actor = Poisoned("t", gate, mailbox_size=4, concurrency=2)
    await start(nursery, actor)
    outcomes = {}

    async def caller(work):
        try:
            outcomes[work] = await actor.call(work)
        except ActorCrashedError as exc:
            outcomes[work] = exc

    nursery.start_soon(caller, "held")
    await trio.testing.wait_all_tasks_blocked()
    with pytest.raises(ActorCrashedError) as caught:
        await actor.call("poison")
    assert isinstance(caught.value.__cause__, RuntimeError)
    await trio.testing.wait_all_tasks_blocked()
    assert isinstance(outcomes["held"], ActorCrashedError)
    assert actor.statistics().restarts == 1
    # The restarted actor serves the next call.
    gate.release.set()
    assert await actor.call("after") == "done after"


async def test_crashes_past_the_budget_propagate():
    gate = Gate()
    gate.release.set()
    actor = Poisoned("t", gate, mailbox_size=4, concurrency=1)
    with pytest.raises(ExceptionGroup) as caught:
        async with trio.open_nursery() as nursery:
            await start(nursery, actor, RestartBudget(max_restarts=2, window=60))
            for _ in range(3):
                with pytest.raises(ActorCrashedError):
                    await actor.call("poison")
            await trio.sleep_forever()
    assert caught.group_contains(ActorCrashedError)
    assert actor.statistics().restarts == 2


def test_one_error_stands_for_a_group_and_carries_the_others():
    first, second = RuntimeError("first"), ValueError("second")
    api = APIError(503, {"error": {"message": "busy", "status": "UNAVAILABLE"}})
    error = single_error(ExceptionGroup("g", [first, ExceptionGroup("inner", [api, second])]))
    assert error is api  # the genaio error, wherever it is in the group
    assert isinstance(error.__cause__, ExceptionGroup)
    assert list(error.__cause__.exceptions) == [first, second]
    assert "RuntimeError: first" in error.__notes__[0]
    assert "ValueError: second" in error.__notes__[0]
    # An error with a cause of its own keeps it; the others are still named.
    own = ConnectionError("reset")
    api2 = APIError(None, {})
    api2.__cause__ = own
    assert single_error(ExceptionGroup("g", [api2, first])).__cause__ is own
    assert "RuntimeError: first" in api2.__notes__[0]
    alone = KeyError("k")
    assert single_error(alone) is alone
    assert single_error(ExceptionGroup("g", [alone])) is alone
    assert not getattr(alone, "__notes__", None)


async def test_close_fails_queued_and_new_callers_and_lets_running_work_finish(nursery):
    gate = Gate()
    actor = Actor("t", gate, mailbox_size=4, concurrency=1)
    stopped = trio.Event()

    async def run_then_signal(task_status=trio.TASK_STATUS_IGNORED):
        await supervise(actor, RestartBudget(), task_status=task_status)
        stopped.set()

    await nursery.start(run_then_signal)
    outcomes = {}

    async def caller(work):
        try:
            outcomes[work] = await actor.call(work)
        except ClientClosedError as exc:
            outcomes[work] = exc

    nursery.start_soon(caller, "running")
    await trio.testing.wait_all_tasks_blocked()
    nursery.start_soon(caller, "queued")
    await trio.testing.wait_all_tasks_blocked()
    actor.close()
    await trio.testing.wait_all_tasks_blocked()
    assert isinstance(outcomes["queued"], ClientClosedError)
    with pytest.raises(ClientClosedError):
        await actor.call("late")
    assert not stopped.is_set()  # running work goes on after close
    gate.release.set()
    await stopped.wait()
    assert outcomes["running"] == "done running"


async def _append(results, awaitable):
    results.append(await awaitable)
