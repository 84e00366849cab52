"""Where a client's actor tree runs: in the caller's task, or lazily in the background.

`async with client.aio` opens the tree in the caller's task: fully structured. A plain `await`
with no `async with` is the one place genaio starts work the caller does not own: the tree then
starts on first use in a background task of the running event loop (a trio system task, or an
asyncio task) and lives until `aclose()` or the end of that loop. A tree is bound to the loop
that started it; a client used again under a new `trio.run` or `asyncio.run` starts a new one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from typing import Any

import anyio
import attrs
import sniffio

from genaio.actors._actor import single_error
from genaio.actors.connection import Connection
from genaio.errors import ClientClosedError

__all__ = ["Runtime", "single_error"]

TreeFactory = Callable[[], AbstractAsyncContextManager[Connection]]
_background_tasks: set[asyncio.Task[Any]] = set()  # asyncio keeps only weak references


@attrs.define
class _Tree:
    loop: object
    ready: anyio.Event = attrs.field(factory=anyio.Event)
    finished: anyio.Event = attrs.field(factory=anyio.Event)
    connection: Connection | None = None
    failure: BaseException | None = None
    stack: AsyncExitStack | None = None  # set when the tree runs in the caller's task


class Runtime:
    """The life of one AsyncClient's actor tree, across `async with`, lazy use and loops."""

    def __init__(self, open_tree: TreeFactory) -> None:
        self._open_tree = open_tree
        self._tree: _Tree | None = None
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def current(self) -> Connection | None:
        """The tree of the running loop, if one is up (no side effects)."""
        tree = self._tree
        if tree is not None and tree.loop is _current_loop():
            return tree.connection
        return None

    async def connection(self) -> Connection:
        """The running tree of this loop, started on first use.

        Cancellation: a caller cancelled while the tree starts leaves it starting for others.
        """
        if self._closed:
            raise ClientClosedError("the client is closed; create a new genaio.Client")
        loop = _current_loop()
        tree = self._tree
        if tree is None or tree.loop is not loop:
            tree = self._tree = _Tree(loop)
            _spawn_background(self._run_in_background, tree)
        if tree.connection is None:
            await tree.ready.wait()
        if tree.failure is not None:
            raise tree.failure
        if tree.connection is None or tree.connection.closed:
            raise ClientClosedError("the client is closed; create a new genaio.Client")
        return tree.connection

    async def enter(self) -> None:
        """`async with client.aio`: run the tree in the caller's task (or adopt a lazy one)."""
        if self._closed:
            raise ClientClosedError("the client is closed; create a new genaio.Client")
        loop = _current_loop()
        if self._tree is not None and self._tree.loop is loop:
            await self.connection()
            return
        stack = AsyncExitStack()
        tree = self._tree = _Tree(loop, stack=stack)
        try:
            tree.connection = await stack.enter_async_context(self._open_tree())
        except BaseException as exc:
            tree.failure = error = single_error(exc)
            if error is exc:
                raise
            raise error from error.__cause__  # the group is in the error already
        finally:
            tree.ready.set()

    async def exit(self, exc_info: tuple[Any, Any, Any]) -> None:
        """Leave `async with client.aio`: close the tree and, if it runs here, end it."""
        tree = self._tree
        await self.aclose()
        if tree is not None and tree.stack is not None and tree.loop is _current_loop():
            try:
                await tree.stack.__aexit__(*exc_info)
            except BaseException as exc:
                error = single_error(exc)
                if error is exc:
                    raise
                raise error from error.__cause__  # the group is in the error already
            finally:
                tree.finished.set()

    async def aclose(self) -> None:
        """Close the client: idempotent, bounded, safe to call from any task of the loop."""
        self._closed = True
        tree = self._tree
        if tree is None or tree.loop is not _current_loop():
            return  # nothing started, or its loop has ended and taken the tree with it
        if tree.connection is not None:
            await tree.connection.aclose()
        if tree.stack is None:
            with anyio.CancelScope(shield=True):
                await tree.finished.wait()

    async def _run_in_background(self, tree: _Tree) -> None:
        try:
            async with self._open_tree() as connection:
                tree.connection = connection
                tree.ready.set()
                await connection.wait_closed()
        except Exception as exc:
            tree.failure = single_error(exc)
        finally:
            tree.ready.set()
            tree.finished.set()


def _current_loop() -> object:
    if sniffio.current_async_library() == "trio":
        import trio

        return trio.lowlevel.current_trio_token()
    return asyncio.get_running_loop()


def _spawn_background(fn: Callable[[_Tree], Coroutine[Any, Any, None]], tree: _Tree) -> None:
    if sniffio.current_async_library() == "trio":
        import trio

        trio.lowlevel.spawn_system_task(fn, tree, name="genaio actor tree")
    else:
        task = asyncio.get_running_loop().create_task(fn(tree), name="genaio actor tree")
        _background_tasks.add(task)
        task.add_done_callback(_background_tasks.discard)
