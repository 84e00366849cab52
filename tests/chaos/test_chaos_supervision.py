"""A bug inside an actor, reached through client.aio: the envelopes it held fail with
ActorCrashedError, the supervisor restarts it, and past the budget the failure propagates
(every caller then gets one typed error) instead of looping."""

import trio
import trio.testing

import genaio
from genaio.actors import _rest
from genaio.errors import ActorCrashedError, ClientClosedError, GenaioError
from tests.chaos.conftest import MODEL, make_client
from tests.chaos.counts import tally


def inject_bug(monkeypatch, crashes):
    """The next `crashes` calls the models actor performs raise a bug (not an API error)."""
    perform = _rest.perform
    left = [crashes]

    async def buggy(transport, envelope, throttle=None):
        if left[0] > 0:
            left[0] -= 1
            raise ZeroDivisionError("an injected bug")
        await perform(transport, envelope, throttle)

    monkeypatch.setattr("genaio.actors._family.perform", buggy)


async def test_a_crash_fails_what_the_actor_held_and_it_is_restarted(genaio_emulator, monkeypatch):
    inject_bug(monkeypatch, crashes=1)
    async with make_client(genaio_emulator).aio as aio:
        with trio.fail_after(10):
            outcomes = []

            async def caller():
                try:
                    outcomes.append(await aio.models.generate_content(model=MODEL, contents="x"))
                except GenaioError as exc:
                    outcomes.append(exc)

            async with trio.open_nursery() as nursery:
                for _ in range(3):
                    nursery.start_soon(caller)
            crashed = [o for o in outcomes if isinstance(o, ActorCrashedError)]
            assert crashed and isinstance(crashed[0].__cause__, ZeroDivisionError)
            assert all(isinstance(o, ActorCrashedError) or o.text for o in outcomes)
            response = await aio.models.generate_content(model=MODEL, contents="after")
            assert response.text == "You said: after"
        assert aio.statistics()["families"]["models"].restarts == 1
    tally(crashes=1)


async def test_crashes_past_the_budget_close_the_client(genaio_emulator, monkeypatch):
    inject_bug(monkeypatch, crashes=100)
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
