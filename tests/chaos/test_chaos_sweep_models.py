"""Cancel each models call at every step: exactly it is cancelled, its connection is
released, nothing is left behind, and the actor serves the next call."""

import pytest
import trio

from genaio.testing import open_sockets, pool_counts, sweep_cancellation
from tests.chaos.conftest import MODEL, PROMPT, Rig, make_client
from tests.chaos.counts import tally


async def test_generate_content(rig):
    async def call():
        return await rig.aio.models.generate_content(model=MODEL, contents="hello there")

    with trio.fail_after(60):
        report = await sweep_cancellation(call, check=rig.check)
    assert report.complete and report.result.text == "You said: hello there"
    # Mailbox, worker, throttle, exchange: a call that is not coalesced takes no serve loop.
    # Whether a cancel at the last of them still lands (a point) or finds the answer already
    # there (late) depends on the emulator's timing; the attempts together cover every one.
    assert report.points + report.late >= 4
    tally(points=report.points, requests=rig.probes + report.points + report.late + 1)


async def test_generate_content_on_a_new_connection_each_time(genaio_emulator):
    """No keep-alive: every attempt connects, so the sweep also cancels mid-connect."""
    options = {"async_client_args": {"limits": {"max_keepalive_connections": 0}}}
    async with make_client(genaio_emulator, options).aio as aio:
        rig = Rig(aio, genaio_emulator)
        await rig.warm()

        async def call():
            return await aio.models.generate_content(model=MODEL, contents="cold")

        with trio.fail_after(60):
            report = await sweep_cancellation(call, check=rig.check)
        assert report.complete and report.steps > 8
        assert pool_counts(aio).open == 0
        assert open_sockets(genaio_emulator.port) in (0, None)
    tally(points=report.points, requests=rig.probes + report.points + report.late + 1)


async def test_a_stream_read_to_its_end(rig):
    async def call():
        stream = await rig.aio.models.generate_content_stream(model=MODEL, contents=PROMPT)
        async with stream:
            return "".join([chunk.text async for chunk in stream])

    with trio.fail_after(60):
        report = await sweep_cancellation(call, check=rig.check)
    assert report.complete and report.result == f"You said: {PROMPT}"
    assert report.points >= 15
    tally(points=report.points, requests=rig.probes + report.points + report.late + 1)


async def test_a_chat_send_records_nothing_when_cancelled(rig):
    chat = rig.aio.chats.create(model=MODEL)
    await chat.send_message("first")

    async def call():
        return await chat.send_message("second")

    async def history_unchanged(attempt):
        if attempt.cancelled:
            assert len(chat.get_history()) == 2
        else:  # cancelled after its last checkpoint: it completed; start again from "first"
            del chat._history[2:], chat._curated[2:]
        await rig.check()

    with trio.fail_after(60):
        report = await sweep_cancellation(call, check=history_unchanged)
    assert report.complete
    assert [c.parts[0].text for c in chat.get_history()] == [
        "first",
        "You said: first",
        "second",
        "You said: second",
    ]
    tally(points=report.points, requests=rig.probes + report.points + report.late + 2)


@pytest.mark.parametrize("page_size", [3])
async def test_a_pager_walked_to_its_end(rig, page_size):
    async def call():
        pager = await rig.aio.models.list(config={"page_size": page_size})
        return [model.name async for model in pager]

    with trio.fail_after(60):
        report = await sweep_cancellation(call, check=rig.check)
    assert report.complete and len(report.result) > 3 * page_size  # several pages
    tally(points=report.points, requests=rig.probes + report.points + report.late + 5)
