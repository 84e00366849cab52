"""Live's limits against a hostile server on loopback: the size of a message (plain and
compressed), the setup's timeout (on trio's MockClock), and a setup reply that is not JSON."""

from __future__ import annotations

import tracemalloc

import anyio
import pytest
import trio
import trio.testing

import genaio
from genaio.errors import APIError, DeadlineExceededError, UnknownApiResponseError
from tests.live.conftest import KEY, MODEL
from tests.live.hostile import Opcode, Peer, deflated, frame, serve_hostile

pytestmark = pytest.mark.anyio

MiB = 2**20
SETUP_COMPLETE = {"setupComplete": {}}


def client(base_url: str, **client_args: object) -> genaio.Client:
    options: dict = {"base_url": base_url}
    if client_args:
        options["async_client_args"] = client_args
    return genaio.Client(api_key=KEY, http_options=options)


async def first_error(base_url: str, **client_args: object) -> BaseException:
    """Open a session and receive until it fails; the error it raised."""
    with anyio.fail_after(20):
        try:
            async with client(base_url, **client_args).aio as aio:
                async with aio.live.connect(model=MODEL) as session:
                    while True:
                        async for _ in session.receive():
                            pass
        except Exception as error:
            return error
    raise AssertionError("unreachable")


def endless_message(chunk: int, total: int, *, compressed: bool = False):
    """A script: setupComplete, then one message of `total` bytes in `chunk`-byte fragments."""

    async def script(peer: Peer) -> None:
        await peer.accept(deflate=compressed)
        await peer.setup()
        await peer.send(SETUP_COMPLETE)
        # zeros inflate about a thousandfold
        piece = deflated(b"0" * chunk) if compressed else b"0" * chunk

        async def flood() -> None:
            await peer.raw(frame(Opcode.TEXT, piece, fin=False, rsv1=compressed))
            for _ in range(total // chunk):
                await peer.raw(frame(Opcode.CONTINUATION, piece, fin=False))

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(flood)
            await peer.wait_closed()
            tasks.cancel_scope.cancel()

    return script


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "deflated"])
async def test_a_message_past_the_limit_closes_the_session_with_1009(compressed):
    total = 256 * MiB  # never sent whole: the client stops it at 1 MiB
    chunk = 4 * MiB if compressed else 64 * 1024
    tracemalloc.start()
    try:
        async with serve_hostile(endless_message(chunk, total, compressed=compressed)) as server:
            error = await first_error(server.base_url)
            with anyio.fail_after(5):
                await server.closed.wait()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert type(error) is UnknownApiResponseError
    assert "larger than 1048576 bytes" in str(error) and "1009" in str(error)
    assert server.closes == [1009]
    assert peak < 16 * MiB, f"the client held {peak / MiB:.0f} MiB"


async def test_max_size_is_configurable():
    big = {"serverContent": {"modelTurn": {"parts": [{"text": "x" * (2 * MiB)}]}}}

    async def script(peer: Peer) -> None:
        await peer.accept()
        await peer.setup()
        await peer.send(SETUP_COMPLETE)
        await peer.send(big)
        await peer.send({"serverContent": {"turnComplete": True}})
        await peer.wait_closed()

    async with serve_hostile(script) as server:
        for limit in (4 * MiB, None):
            async with client(server.base_url, max_size=limit).aio as aio:
                async with aio.live.connect(model=MODEL) as session:
                    texts = [m.text async for m in session.receive() if m.text]
            assert texts == ["x" * (2 * MiB)]
        error = await first_error(server.base_url)  # the default: 1 MiB
    assert isinstance(error, UnknownApiResponseError)
    for name, bad in [("max_size", v) for v in (0, -1, 1.5, "1")] + [
        ("open_timeout", v) for v in (0, -1, "1", True, float("nan"))
    ]:
        with pytest.raises(ValueError, match=name):
            async with client("http://127.0.0.1:1", **{name: bad}).aio as aio:
                async with aio.live.connect(model=MODEL):
                    pass


async def test_a_setup_reply_that_is_not_json_is_a_typed_error():
    async def script(peer: Peer) -> None:
        await peer.accept()
        await peer.setup()
        await peer.send("<html>502 Bad Gateway</html>")
        await peer.wait_closed()

    async with serve_hostile(script) as server:
        async with client(server.base_url).aio as aio:
            with pytest.raises(UnknownApiResponseError, match="not a JSON object"):
                async with aio.live.connect(model=MODEL):
                    pass


# -- the setup's timeout, on trio's MockClock -----------------------------------------------


def hanging(*, upgrade: bool, setup: bool):
    async def script(peer: Peer) -> None:
        if upgrade:
            await peer.accept()
        if setup:
            await peer.setup()
        await peer.hang()

    return script


def run_on_mock_clock(main) -> object:
    # Jump the clock only after a real pause: loopback I/O lands well within it.
    return trio.run(main, clock=trio.testing.MockClock(autojump_threshold=0.2))


@pytest.mark.parametrize(
    ("upgrade", "setup"), [(False, False), (True, True)], ids=["no-upgrade", "no-setupComplete"]
)
@pytest.mark.parametrize("open_timeout", [None, 5.0], ids=["default", "open_timeout"])
def test_a_server_that_never_answers_the_setup_times_out(upgrade, setup, open_timeout):
    args = {} if open_timeout is None else {"open_timeout": open_timeout}

    async def main():
        async with serve_hostile(hanging(upgrade=upgrade, setup=setup)) as server:
            start = trio.current_time()
            async with client(server.base_url, **args).aio as aio:
                with pytest.raises(DeadlineExceededError) as caught:
                    async with aio.live.connect(model=MODEL):
                        pass
            return trio.current_time() - start, server, caught.value

    elapsed, server, error = run_on_mock_clock(main)
    expected = open_timeout or 30.0
    assert expected <= elapsed <= expected + 2  # + the polite close's own bound (2 s)
    assert server.setups == int(setup)
    assert isinstance(error, APIError) and isinstance(error, TimeoutError)
    assert error.status == "DEADLINE_EXCEEDED"


def test_open_timeout_none_waits_for_a_slow_setup():
    async def script(peer: Peer) -> None:
        await peer.accept()
        await peer.setup()
        await trio.sleep(3600)  # an hour on the mock clock
        await peer.send(SETUP_COMPLETE)
        await peer.wait_closed()

    async def main():
        async with serve_hostile(script) as server:
            async with client(server.base_url, open_timeout=None).aio as aio:
                async with aio.live.connect(model=MODEL) as session:
                    return session.session_id, trio.current_time()

    session_id, now = run_on_mock_clock(main)
    assert session_id is None and now >= 3600
