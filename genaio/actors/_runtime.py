"""Where a client's actor trees run: in the caller's task, or lazily in the background; one per
event loop.

`async with client.aio` opens the tree in the caller's task: fully structured. A plain `await`
with no `async with` is the one place genaio starts work the caller does not own: the tree then
starts on first use in a background task of the running event loop (a trio system task, or an
asyncio task) and lives until `aclose()` or the end of that loop.

A tree is bound to the loop that started it: its sockets, tasks and channels belong to that loop
and cannot serve another. So a client used from several loops, one after another (a new
`trio.run` or `asyncio.run`) or at once (a loop in each of several threads), has one tree per
loop, kept here by loop: each ends with its loop (taking its sockets with it), and `aclose()`
closes them all, the running loop's before it returns, the others' in their own loops.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable, Coroutine
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from typing import TYPE_CHECKING, Any

import anyio
import attrs
import sniffio

from genaio.actors._errors import single_error
from genaio.errors import ClientClosedError

if TYPE_CHECKING:
    from genaio.actors._tree import ActorTree
    from genaio.engine import Throttle

__all__ = ["Runtime"]

TreeFactory = Callable[[], AbstractAsyncContextManager["ActorTree"]]
_background_tasks: set[asyncio.Task[Any]] = set()  # asyncio keeps only weak references


@attrs.define(eq=False)
class _Tree:
    """One loop's tree, while it starts, runs and after it ends."""

    loop: Any  # a trio token or an asyncio loop: the loop's own handle, for calls from elsewhere
    ready: anyio.Event = attrs.field(factory=anyio.Event)
    finished: anyio.Event = attrs.field(factory=anyio.Event)
    root: ActorTree | None = None
    failure: BaseException | None = None
    stack: AsyncExitStack | None = None  # set when the tree runs in the caller's task


class Runtime:
    """The life of one AsyncClient's actor trees, across `async with`, lazy use and loops.

    Each loop touches only its own entry of `_trees` (a dict's get, set and pop are atomic), so
    loops in several threads need no lock; `aclose` reaches other loops' trees only through
    their loops' thread-safe doors.
    """

    def __init__(self, open_tree: TreeFactory) -> None:
        self._open_tree = open_tree
        self._trees: dict[Any, _Tree] = {}
        self._closed = False

    @property
    def closed(self) -> bool:
        """Whether the client is closed (`aclose` has been called)."""
        return self._closed

    def current(self) -> ActorTree | None:
        """The tree of the running loop, if one is up (no side effects)."""
        tree = self._trees.get(_current_loop())
        return tree.root if tree is not None else None

    def quota(self, model: str) -> Throttle | None:
        """The throttle of `model`'s quota in the running loop's tree (its statistics, its rate
        limiter), if a call to the model has made one; reads only, starts nothing."""
        root = self.current()
        return root.quota(model) if root is not None else None

    async def tree(self) -> ActorTree:
        """The running tree of this loop, started on first use.

        Cancellation: a caller cancelled while the tree starts leaves it starting for others.
        """
        if self._closed:
            raise ClientClosedError("the client is closed; create a new genaio.Client")
        loop = _current_loop()
        tree = self._trees.get(loop)
        if tree is None:
            tree = self._new_tree(loop)
            _spawn_background(self._run_in_background, tree)
        if tree.root is None:
            await tree.ready.wait()
        if tree.failure is not None:
            raise tree.failure
        if tree.root is None or tree.root.closing:
            raise ClientClosedError("the client is closed; create a new genaio.Client")
        return tree.root

    async def enter(self) -> None:
        """`async with client.aio`: run the tree in the caller's task (or adopt a lazy one)."""
        if self._closed:
            raise ClientClosedError("the client is closed; create a new genaio.Client")
        loop = _current_loop()
        if loop in self._trees:
            await self.tree()
            return
        stack = AsyncExitStack()
        tree = self._new_tree(loop, stack)
        try:
            tree.root = await stack.enter_async_context(self._open_tree())
        except BaseException as exc:
            tree.failure = error = single_error(exc)
            if error is exc:
                raise
            raise error from error.__cause__  # the group is in the error already
        finally:
            tree.ready.set()

    async def exit(self, exc_info: tuple[Any, Any, Any]) -> None:
        """Leave `async with client.aio`: close the client and, if this loop's tree runs here,
        end it."""
        tree = self._trees.get(_current_loop())
        await self.aclose()
        if tree is not None and tree.stack is not None:
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
        """Close the client: idempotent, bounded, safe to call from any task of any loop.

        This loop's tree is closed before it returns; the trees of other loops still running
        are closed in their own loops, at once and bounded, but not awaited here.
        """
        self._closed = True
        loop = _current_loop()
        for other in list(self._trees.values()):
            if other.loop is not loop:
                _close_elsewhere(other)
        tree = self._trees.get(loop)
        if tree is None:
            return  # nothing started here
        if tree.root is not None:
            await tree.root.aclose()
        if tree.stack is None:
            with anyio.CancelScope(shield=True):
                await tree.finished.wait()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        running = sum(1 for tree in self._trees.values() if tree.root is not None)
        return f"<Runtime {state} trees={running}>"  # one per loop; any thread may ask

    def _new_tree(self, loop: Any, stack: AsyncExitStack | None = None) -> _Tree:
        # A tree stays after it ends, for its loop to find (closed, or failed past its restart
        # budget) until the loop itself ends; the trees of ended loops go here.
        for old in [other for other in self._trees if _ended(other)]:
            self._trees.pop(old, None)
        tree = self._trees[loop] = _Tree(loop, stack=stack)
        return tree

    async def _run_in_background(self, tree: _Tree) -> None:
        try:
            async with self._open_tree() as root:
                tree.root = root
                tree.ready.set()
                if self._closed:  # closed from another loop while this tree started
                    await root.aclose()
                await root.wait_closed()
        except Exception as exc:
            tree.failure = single_error(exc)
        finally:
            tree.ready.set()
            tree.finished.set()


def _current_loop() -> Any:
    if sniffio.current_async_library() == "trio":
        import trio

        return trio.lowlevel.current_trio_token()
    return asyncio.get_running_loop()


def _ended(loop: Any) -> bool:
    """Whether `loop` (another thread's, or none's) has ended: a closed asyncio loop, or a trio
    run that is over."""
    if isinstance(loop, asyncio.AbstractEventLoop):
        return loop.is_closed()
    import trio

    try:
        loop.run_sync_soon(_nothing)
    except trio.RunFinishedError:
        return True
    return False


def _nothing() -> None:
    pass


def _spawn_background(fn: Callable[[_Tree], Coroutine[Any, Any, None]], tree: _Tree) -> None:
    if sniffio.current_async_library() == "trio":
        import trio

        trio.lowlevel.spawn_system_task(fn, tree, name="genaio actor tree")
    else:
        task = asyncio.get_running_loop().create_task(fn(tree), name="genaio actor tree")
        _background_tasks.add(task)
        task.add_done_callback(_background_tasks.discard)


def _close_elsewhere(tree: _Tree) -> None:
    """Have `tree`'s own loop (running in another thread, or not at all) close it."""
    root = tree.root
    if root is None:
        return  # still starting: it closes itself once up (it sees the client closed)
    if isinstance(tree.loop, asyncio.AbstractEventLoop):
        try:
            # In a context of its own: this thread's would tell sniffio it runs here.
            tree.loop.call_soon_threadsafe(
                _spawn_asyncio, root.aclose, context=contextvars.Context()
            )
        except RuntimeError:
            pass  # the loop is closed, and its tree went with it
        return
    import trio

    try:
        tree.loop.run_sync_soon(trio.lowlevel.spawn_system_task, root.aclose)
    except trio.RunFinishedError:
        pass  # the run is over, and its tree went with it


def _spawn_asyncio(fn: Callable[[], Coroutine[Any, Any, None]]) -> None:
    task = asyncio.get_running_loop().create_task(fn(), name="genaio aclose")
    _background_tasks.add(task)
    task.add_done_callback(_background_tasks.discard)
