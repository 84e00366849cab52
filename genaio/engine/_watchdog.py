"""The pool's silence watchdog: one task that closes a connection whose server has been silent
past its deadline, so that the request waiting on it ends in a read timeout.

Why not a cancel scope with a deadline around each wait, the obvious way: on trio, entering and
leaving a scope with a deadline registers and unregisters it with the run loop, about 18 µs per
request at concurrency 1 (docs/performance.md), for a timeout that almost never fires. Here a
wait costs setting a deadline on its connection and adding it to a set; the task sleeps until
the earliest deadline and, when it wakes, closes what has expired (which wakes the waiting task
with an error the pool reports as `httpx.ReadTimeout`) and sleeps again. It wakes about once a
read timeout (600 s by default), however many requests pass.

The task starts with the first wait it watches and ends once the pool is closed and no request
waits on it any more (or with the event loop): a trio system task or an asyncio task, as the
pool has no task group of its own.
"""

from __future__ import annotations

import asyncio
import contextvars
import math
from collections.abc import Callable
from typing import Protocol

import anyio
import anyio.abc
import sniffio

__all__ = ["Watchdog", "no_clock"]


class Connection(Protocol):
    """What the watchdog closes: an HTTP/1.1 connection, or one stream of an HTTP/2 one (whose
    `stream` resets that stream alone)."""

    deadline: float
    timed_out: bool

    @property
    def stream(self) -> anyio.abc.AsyncResource: ...


class Watchdog:
    """Closes the watched connections whose `deadline` has passed on `clock`."""

    __slots__ = ("_closed", "_running", "_scope", "_stopped", "_wake_at", "clock", "watched")

    def __init__(self) -> None:
        #: The event loop's clock, set by the pool before the first `arm`.
        self.clock: Callable[[], float] = no_clock
        #: Connections waiting for their server, each with its `deadline`.
        self.watched: set[Connection] = set()
        self._wake_at = math.inf  # when the task wakes next (inf: it is not running)
        self._scope: anyio.CancelScope | None = None  # the task's sleep, when it sleeps
        self._running = False
        self._stopped = anyio.Event()  # set when the task ends
        #: The pool is closed: the task ends once no connection is watched.
        self._closed = False

    def __repr__(self) -> str:
        state = "running" if self._running else "not running"
        return (
            f"<Watchdog {state}{', closed' if self._closed else ''}, "
            f"watching {len(self.watched)}, next wake {self._wake_at:g}>"
        )

    def arm(self, connection: Connection, deadline: float) -> None:
        """Close `connection` at `deadline` unless `disarm` comes first. No I/O; starts the
        task if it is not running (in the running event loop)."""
        connection.deadline = deadline
        self.watched.add(connection)
        if deadline < self._wake_at:
            self._wake_at = deadline
            if self._scope is not None:
                self._scope.deadline = deadline
            elif not self._running:
                self._start()

    def disarm(self, connection: Connection) -> None:
        """The server answered (or the wait ended otherwise): stop watching `connection`."""
        self.watched.discard(connection)
        if self._closed and not self.watched and self._scope is not None:
            self._scope.cancel()  # the last wait of a closed pool: the task may end

    async def aclose(self) -> None:
        """End the task: now if no connection is watched (and wait for its end), else once
        the last watched wait ends, so that a request still in flight keeps its bound.
        Cancellation: the task still ends."""
        self._closed = True
        if self.watched:
            return
        if self._scope is not None:
            self._scope.cancel()
        if self._running:
            await self._stopped.wait()

    def _start(self) -> None:
        self._running = True
        self._stopped = anyio.Event()
        context = contextvars.Context()  # not the context of the request that started it
        if sniffio.current_async_library() == "trio":
            import trio

            trio.lowlevel.spawn_system_task(self._run, name="genaio pool watchdog", context=context)
        else:
            loop = asyncio.get_running_loop()
            task = loop.create_task(self._run(), name="genaio pool watchdog", context=context)
            task.add_done_callback(_tasks.discard)
            _tasks.add(task)  # asyncio keeps only a weak reference to a task

    async def _run(self) -> None:
        try:
            while self.watched or not self._closed:
                now, wake, expired = self.clock(), math.inf, []
                for connection in self.watched:
                    if connection.deadline <= now:
                        expired.append(connection)
                    elif connection.deadline < wake:
                        wake = connection.deadline
                if expired:
                    for connection in expired:
                        self.watched.discard(connection)
                        connection.timed_out = True
                    for connection in expired:
                        await _close(connection)
                    continue  # connections were armed meanwhile: look again
                self._wake_at = wake
                with anyio.CancelScope(deadline=wake) as self._scope:
                    await anyio.sleep_forever()
                self._scope = None
        finally:
            self._scope = None
            self._running = False
            self._wake_at = math.inf  # the next `arm` starts a task again
            self._stopped.set()


def no_clock() -> float:
    """The clock before the first request: the pool sets the event loop's then."""
    raise AssertionError("the clock is read only once a request has started")


async def _close(connection: Connection) -> None:
    """Close a silent connection: the task waiting on it gets an error at once."""
    try:
        await anyio.aclose_forcefully(connection.stream)
    except Exception:  # the connection is gone either way, and its exchange closes it too
        pass


#: The asyncio watchdog tasks alive (asyncio holds only weak references to tasks).
_tasks: set[asyncio.Task[None]] = set()
