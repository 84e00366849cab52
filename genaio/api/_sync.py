"""The blocking surface: the same async engine, run on an event loop in a background thread.

One generic proxy serves every family: coroutine methods block on the loop through anyio's
`BlockingPortal`, async iterators (streams, pagers) become plain iterators, and genaio's own
objects that come back (a pager, a chat) are proxied in turn. There is no sync copy of any
family's code; what editors and mypy see of it is `_sync_types.py`, generated from the async
families' signatures.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Iterator
from typing import Any

import anyio
from anyio.from_thread import BlockingPortal

from genaio.errors import ClientClosedError

__all__ = ["SyncBridge", "SyncProxy", "in_blocking_surface"]

#: `blocking` is set on the thread that runs the blocking surface's loop.
_thread = threading.local()


def in_blocking_surface() -> bool:
    """Whether this code runs for the blocking surface (on its loop's thread)."""
    return getattr(_thread, "blocking", False)


class _LoopThread:
    """An event loop in a daemon thread (it never holds up interpreter exit), with a portal.

    The loop is asyncio's: a blocking call must work from any thread, including one that runs
    a trio loop itself (the sync client used inside `trio.run`), and trio's `from_thread`
    refuses to block a thread that runs trio. The engine is the same on either backend.
    """

    def __init__(self) -> None:
        self._ready = threading.Event()
        self.portal: BlockingPortal | None = None
        self._thread = threading.Thread(target=self._main, name="genaio-sync", daemon=True)
        self._thread.start()
        self._ready.wait()

    def _main(self) -> None:
        _thread.blocking = True
        anyio.run(self._host, backend="asyncio")

    async def _host(self) -> None:
        async with BlockingPortal() as portal:
            self.portal = portal
            self._ready.set()
            await portal.sleep_until_stopped()

    def stop(self) -> None:
        if self.portal is not None:
            self.portal.call(self.portal.stop)
        self._thread.join()


class SyncBridge:
    """Owns the background loop and the AsyncClient that runs in it, both started lazily."""

    def __init__(self, make_client: Callable[[], Any]) -> None:
        self._make_client = make_client
        self._lock = threading.Lock()
        self._loop: _LoopThread | None = None
        self._client: Any = None
        self._closed = False

    def family(self, name: str) -> SyncProxy:
        client = self._started()
        target = getattr(client, name)
        return SyncProxy(target, self)

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        loop = self._loop
        if self._closed or loop is None or loop.portal is None:
            raise ClientClosedError("the client is closed; create a new genaio.Client")
        result = loop.portal.call(functools.partial(fn, *args, **kwargs))
        return self.wrap(result)

    def wrap(self, value: Any) -> Any:
        module = type(value).__module__
        if module.startswith("genaio.api"):
            return SyncProxy(value, self)
        if hasattr(value, "__anext__"):
            return _SyncIterator(value, self)
        return value

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            loop, client = self._loop, self._client
        if loop is not None and loop.portal is not None:
            loop.portal.call(client.aclose)
            loop.stop()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "running" if self._loop is not None else "idle"
        return f"<genaio.SyncBridge {state} {self._client!r}>"

    def _started(self) -> Any:
        with self._lock:
            if self._closed:
                raise ClientClosedError("the client is closed; create a new genaio.Client")
            if self._loop is None:
                self._loop = _LoopThread()
                self._client = self._make_client()
            return self._client


class SyncProxy:
    """A blocking view of one of genaio's async objects."""

    __slots__ = ("_bridge", "_target")

    def __init__(self, target: Any, bridge: SyncBridge) -> None:
        self._target = target
        self._bridge = bridge

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        bridge = self._bridge
        if inspect.iscoroutinefunction(value):

            @functools.wraps(value)  # its signature and docs, for help() and editors
            def blocking(*args: Any, **kwargs: Any) -> Any:
                return bridge.call(value, *args, **kwargs)

            return blocking
        if inspect.ismethod(value):

            @functools.wraps(value)
            def wrapped(*args: Any, **kwargs: Any) -> Any:
                return bridge.wrap(value(*args, **kwargs))

            return wrapped
        return bridge.wrap(value)

    def __dir__(self) -> list[str]:
        return [name for name in dir(self._target) if not name.startswith("_")]

    def __iter__(self) -> Iterator[Any]:
        return _SyncIterator(self._target, self._bridge)

    def __len__(self) -> int:
        return len(self._target)

    def __getitem__(self, index: Any) -> Any:
        return self._target[index]

    def __enter__(self) -> Any:
        enter = getattr(self._target, "__aenter__", None)
        return self if enter is None else self._bridge.call(enter)

    def __exit__(self, *exc_info: Any) -> None:
        exit_ = getattr(self._target, "__aexit__", None)
        if exit_ is not None:
            self._bridge.call(exit_, *exc_info)
            return
        close = getattr(self._target, "aclose", None)
        if close is not None:
            self._bridge.call(close)

    def __repr__(self) -> str:
        return f"<sync {self._target!r}>"


class _SyncIterator:
    def __init__(self, target: Any, bridge: SyncBridge) -> None:
        self._iterator = target.__aiter__()
        self._bridge = bridge

    def __iter__(self) -> _SyncIterator:
        return self

    def __next__(self) -> Any:
        try:
            return self._bridge.call(self._iterator.__anext__)
        except StopAsyncIteration:
            raise StopIteration from None
