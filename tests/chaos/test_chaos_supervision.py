"""Bugs inside an actor, reached through client.aio.

A bug in one call's work (here: an answer that its handling fails on) fails that call alone with
InternalError: concurrent calls succeed, the actor is not restarted, and no number of such
answers spends the restart budget. A bug in the actor's own loop crashes it: the envelopes it
held fail with ActorCrashedError, the supervisor restarts it, and past the budget the failure
propagates (every caller then gets one typed error) instead of looping."""

import anyio
import pytest
import trio

import genaio
from genaio.actors import Actor
from genaio.engine import HttpTransport
from genaio.errors import ActorCrashedError, ClientClosedError, GenaioError, InternalError
from tests.chaos.conftest import MODEL, make_client
from tests.chaos.counts import tally


def poison_answers(monkeypatch):
    """Handling an answer to a prompt that says "poison" raises a bug (not an API error), as a
    parser that fails on a server's odd value would."""
    send = HttpTransport.send

    async def parse_badly(self, call, **kwargs):
        answer = await send(self, call, **kwargs)
        if "poison" in repr(call.body):
            raise ValueError("a parser that fails on this answer")
        return answer

    monkeypatch.setattr(HttpTransport, "send", parse_badly)


def break_the_loop(monkeypatch, crashes):
    """An actor's own loop (a worker taking an envelope) fails on the next `crashes` envelopes."""
    perform = Actor._perform
    left = [crashes]

    async def buggy(self, envelope, scope):
        if left[0] > 0:
            left[0] -= 1
            raise ZeroDivisionError("an injected bug in the actor's loop")
        await perform(self, envelope, scope)

    monkeypatch.setattr(Actor, "_perform", buggy)


@pytest.mark.anyio
async def test_an_answer_that_breaks_one_call_fails_only_that_call(genaio_emulator, monkeypatch):
    poison_answers(monkeypatch)
    limits = genaio.Limits(max_restarts=2)
    async with make_client(genaio_emulator, limits=limits).aio as aio:
        outcomes: dict[str, object] = {}

        async def caller(prompt):
            try:
                response = await aio.models.generate_content(model=MODEL, contents=prompt)
                outcomes[prompt] = response.text
            except GenaioError as exc:
                outcomes[prompt] = exc

        for round_ in range(2 * limits.max_restarts + 1):  # more than the budget of crashes
            outcomes.clear()
            async with anyio.create_task_group() as group:
                group.start_soon(caller, "poison")
                for i in range(4):
                    group.start_soon(caller, f"healthy {round_} {i}")
            error = outcomes.pop("poison")
            assert type(error) is InternalError
            assert isinstance(error.__cause__, ValueError)
            assert outcomes == {p: f"You said: {p}" for p in outcomes}
            assert len(outcomes) == 4
        stats = aio.statistics()["families"]["models"]
        assert (stats.restarts, stats.closed) == (0, False)
        response = await aio.models.generate_content(model=MODEL, contents="after")
        assert response.text == "You said: after"
    tally(contained=2 * limits.max_restarts + 1)


async def test_a_crash_of_the_loop_fails_what_it_held_and_it_is_restarted(
    genaio_emulator, monkeypatch
):
    async with make_client(genaio_emulator).aio as aio:
        with trio.fail_after(10):
            await aio.models.generate_content(model=MODEL, contents="start")
            break_the_loop(monkeypatch, crashes=1)
            with pytest.raises(ActorCrashedError) as caught:
                await aio.models.generate_content(model=MODEL, contents="x")
            assert isinstance(caught.value.__cause__, ZeroDivisionError)
            response = await aio.models.generate_content(model=MODEL, contents="after")
            assert response.text == "You said: after"
        assert aio.statistics()["families"]["models"].restarts == 1
    tally(crashes=1)


async def test_crashes_past_the_budget_close_the_client(genaio_emulator, monkeypatch):
    break_the_loop(monkeypatch, crashes=100)
    client = make_client(genaio_emulator, limits=genaio.Limits(max_restarts=2))
    errors = []
    with trio.fail_after(10):
        for _ in range(6):
            try:
                await client.aio.models.generate_content(model=MODEL, contents="x")
            except (ActorCrashedError, ClientClosedError) as exc:
                errors.append(type(exc))
    # Three crashes (the first and two restarts), then the tree is gone: calls fail at once.
    assert errors[:3] == [ActorCrashedError] * 3
    assert set(errors[3:]) <= {ActorCrashedError, ClientClosedError}
    assert client.aio.statistics() is None or client.aio.statistics()["closed"]
    await client.aio.aclose()
    tally(crashes=3)
