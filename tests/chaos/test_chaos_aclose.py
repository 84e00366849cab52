"""aclose() with calls queued and in flight: bounded by its grace, every waiting caller gets
one ClientClosedError, no socket or task is left; a second aclose() is a no-op; a cancelled
aclose() still closes everything."""

import pytest
import trio
import trio.testing

import genaio
from genaio.actors import FamilyLimits
from genaio.errors import ClientClosedError
from genaio.testing import live_tasks, open_sockets, pool_counts
from tests.chaos.conftest import MODEL, make_client
from tests.chaos.counts import tally

GRACE = 0.5
#: What closing may take beyond the grace: cancelling workers and closing sockets.
SLACK = 1.0
CALLERS = 12  # two in flight, the rest queued in the mailbox or waiting to submit


async def start_hung_callers(nursery, emulator, outcomes):
    """A client whose every request hangs, with CALLERS calls queued and in flight."""
    emulator.set_faults(hang_rate=1.0)
    limits = genaio.Limits(
        families={"models": FamilyLimits(concurrency=2, mailbox_size=4)}, shutdown_grace=GRACE
    )
    client = make_client(emulator, limits=limits)

    async def caller():
        try:
            await client.aio.models.generate_content(model=MODEL, contents="hang")
        except ClientClosedError as exc:
            outcomes.append(exc)
        except BaseException as exc:
            outcomes.append(exc)
            raise

    for _ in range(CALLERS):
        nursery.start_soon(caller)
    await trio.testing.wait_all_tasks_blocked()
    while emulator.stats()["in_flight"] < 2:  # both requests reached the server
        await trio.testing.wait_all_tasks_blocked()
    stats = client.aio.statistics()["families"]["models"]
    assert stats.in_flight == 2 and stats.queued >= 4
    return client


@pytest.mark.parametrize("cancel_aclose", [False, True])
async def test_aclose_with_calls_queued_and_in_flight(genaio_emulator, cancel_aclose):
    before = live_tasks()
    outcomes: list[BaseException] = []
    with trio.fail_after(10):
        async with trio.open_nursery() as nursery:
            client = await start_hung_callers(nursery, genaio_emulator, outcomes)
            started = trio.current_time()
            with trio.move_on_after(0.1 if cancel_aclose else 10):
                await client.aio.aclose()
            if cancel_aclose:
                await client.aio.aclose()  # returns once the first one has finished
            took = trio.current_time() - started
        assert GRACE <= took <= GRACE + SLACK
        assert len(outcomes) == CALLERS
        assert all(type(e) is ClientClosedError for e in outcomes)
        assert open_sockets(genaio_emulator.port) in (0, None)
        assert pool_counts(client.aio) is None or pool_counts(client.aio).open == 0
        assert live_tasks() == before
        again = trio.current_time()
        await client.aio.aclose()
        assert trio.current_time() - again < 0.05  # a no-op
        with pytest.raises(ClientClosedError):
            await client.aio.models.generate_content(model=MODEL, contents="late")
    tally(requests=2, faults=2)
