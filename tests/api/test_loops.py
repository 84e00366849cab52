"""One client, several event loops: one actor tree per loop, each with its own sockets; a tree
ends with its loop, and `aclose()` from one loop closes the others' trees in their own loops.
Sockets are counted by the kernel (`/proc`), whatever opened them."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import anyio
import pytest

import genaio
from genaio.errors import ClientClosedError
from genaio.testing._leaks import open_sockets

MODEL = "gemini-2.0-flash"
ROUNDS = 6


def in_threads(*mains: Callable[[], Any], backends: tuple[str, ...] = ("asyncio", "trio")) -> None:
    """Run each coroutine function in a thread of its own, with a loop of its own (of
    `backends`, in turn); raise what any of them raised."""
    errors: list[BaseException] = []

    def run(main: Callable[[], Any], backend: str) -> None:
        try:
            anyio.run(main, backend=backend)
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=run, args=(main, backends[i % len(backends)]))
        for i, main in enumerate(mains)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(t.is_alive() for t in threads)
    if errors:
        raise errors[0]


@pytest.fixture
def port(genaio_emulator: Any) -> int:
    port = urlsplit(genaio_emulator.base_url).port
    assert port is not None
    if open_sockets(port) is None:
        pytest.skip("sockets are counted through /proc")
    return port


def test_two_loops_at_once_each_have_one_tree_and_leave_no_socket(genaio_emulator, port):
    client = genaio.Client(api_key="k", http_options={"base_url": genaio_emulator.base_url})
    aio = client.aio
    turns = threading.Barrier(2)
    most = [0]

    def loop(name: str) -> Callable[[], Any]:
        async def main() -> None:
            for i in range(ROUNDS):  # the loops take turns: each call follows one of the other
                answer = await aio.models.generate_content(model=MODEL, contents=f"{name} {i}")
                assert answer.text == f"You said: {name} {i}"
                await anyio.to_thread.run_sync(turns.wait)
                most[0] = max(most[0], open_sockets(port) or 0)
            assert aio.statistics() is not None  # this loop's own tree, still up

        return main

    in_threads(loop("a"), loop("b"))
    assert most[0] <= 2  # one connection per loop, however often they took turns
    assert open_sockets(port) == 0  # each tree ended with its loop
    assert all(tree.finished.is_set() for tree in aio._runtime._trees.values())


@pytest.mark.parametrize("backends", [("asyncio", "trio"), ("trio", "asyncio")])
def test_aclose_in_one_loop_closes_the_tree_of_another(genaio_emulator, port, backends):
    client = genaio.Client(api_key="k", http_options={"base_url": genaio_emulator.base_url})
    aio = client.aio
    both_up, closed = threading.Barrier(2), threading.Event()

    async def closer() -> None:
        await aio.models.generate_content(model=MODEL, contents="a")
        await anyio.to_thread.run_sync(both_up.wait)
        await aio.aclose()
        closed.set()

    async def bystander() -> None:
        await aio.models.generate_content(model=MODEL, contents="b")
        connection = aio._runtime.current()
        assert connection is not None
        await anyio.to_thread.run_sync(both_up.wait)
        await anyio.to_thread.run_sync(closed.wait)
        with anyio.fail_after(10):
            await connection.wait_closed()  # closed in this loop, by the other's aclose
        assert open_sockets(port) == 0
        with pytest.raises(ClientClosedError):
            await aio.models.generate_content(model=MODEL, contents="late")

    in_threads(closer, bystander, backends=backends)
    assert open_sockets(port) == 0


def test_a_client_is_used_again_by_loops_one_after_another(genaio_emulator, port):
    client = genaio.Client(api_key="k", http_options={"base_url": genaio_emulator.base_url})

    async def main() -> None:
        answer = await client.aio.models.generate_content(model=MODEL, contents="again")
        assert answer.text == "You said: again"

    for backend in ("trio", "asyncio", "trio", "asyncio"):
        anyio.run(main, backend=backend)
        assert open_sockets(port) == 0
        assert len(client.aio._runtime._trees) == 1  # an ended loop's tree goes with the next
