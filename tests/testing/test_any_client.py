"""genaio.testing on clients that are not genaio's and loops that are not trio: the sweep and
the leak checks on google-genai under asyncio (anyio's plugin; `conftest.py` keeps
pytest-trio's `trio_mode` from taking these tests over).

The leak checks count tasks, threads and sockets from outside, so they need nothing from the
client; these tests also show that they catch what they claim to (a stray task, a thread, a
socket).
"""

from __future__ import annotations

import asyncio
import socket
import threading

import anyio
import pytest

from genaio.testing import LeakError, assert_no_leaks, snapshot, sweep_cancellation

pytestmark = [pytest.mark.anyio, pytest.mark.filterwarnings("ignore::UserWarning")]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # google-genai runs on asyncio only


async def _sweep(aio, port: int) -> None:
    async def summary() -> str:
        response = await aio.models.generate_content(model="gemini-2.5-flash", contents="text")
        return response.text

    assert await summary()  # warm: a connection in the pool
    baseline = await snapshot(aio, port=port)

    async def check(attempt) -> None:
        await assert_no_leaks(aio, baseline)
        assert await summary() == "You said: text"  # the client still serves

    with anyio.fail_after(120):
        report = await sweep_cancellation(summary, check=check)
    assert report.complete and report.points >= 3 and report.result == "You said: text"
    await assert_no_leaks(aio, baseline, channels=True)


async def test_sweep_and_leak_checks_on_google_genai(genaio_emulator, genai_async_client):
    await _sweep(genai_async_client, genaio_emulator.port)


async def test_the_checks_catch_a_task_a_thread_and_a_socket(genaio_emulator, genai_async_client):
    aio = genai_async_client
    await aio.models.generate_content(model="gemini-2.5-flash", contents="x")
    baseline = await snapshot(aio, port=genaio_emulator.port)

    stray = asyncio.get_running_loop().create_task(asyncio.sleep(60), name="stray")
    with pytest.raises(LeakError, match="stray"):
        await assert_no_leaks(aio, baseline)
    stray.cancel()

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, name="left-behind")
    thread.start()
    with pytest.raises(LeakError, match="left-behind"):
        await assert_no_leaks(aio, baseline)
    stop.set()
    thread.join()

    with socket.create_connection(("127.0.0.1", genaio_emulator.port)):
        with pytest.raises(LeakError, match="sockets to port"):
            await assert_no_leaks(aio, baseline)
    await assert_no_leaks(aio, baseline)
