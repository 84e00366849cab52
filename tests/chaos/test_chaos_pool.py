"""The pool's counts stay true when a response body is abandoned half-read."""

import gc

import trio
import trio.lowlevel
import trio.testing

from genaio.testing import pool_counts
from tests.chaos.conftest import MODEL

LONG = " ".join(f"w{i}" for i in range(400))  # a hundred events: more than the pump buffers


async def test_a_stream_closed_while_its_pump_waits_returns_its_connection_once(rig):
    with trio.fail_after(10):
        stream = await rig.aio.models.generate_content_stream(model=MODEL, contents=LONG)
        await stream.__anext__()
        while stream._receive.statistics().tasks_waiting_send == 0:
            await trio.lowlevel.checkpoint()  # until the pump waits on a full buffer
        await stream.aclose()
        del stream
        gc.collect()  # the body's generator is finalized (by trio's asyncgen hooks) when freed
        await trio.testing.wait_all_tasks_blocked()
    counts = pool_counts(rig.aio)
    assert (counts.busy, counts.waiting) == (0, 0)
    assert counts.open == counts.idle >= 0
