"""A wake-up for one waiting task: what an event does for a single waiter, at less cost.

With thousands of calls in flight, thousands of tasks wait at once (callers for their reply,
workers for their next envelope, requests for their stream's news), and the garbage collector
walks everything they hold. A trio `Event` costs a set, a coroutine and a closure of three
objects per waiting task, and anyio's wraps it in another event and coroutine; here a task on
trio parks itself (`wait_task_rescheduled`) and a task on asyncio awaits a future.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

import anyio.lowlevel
import sniffio
import trio

__all__ = ["Wakeup"]


class Wakeup:
    """Set once by whoever wakes; awaited by one task at a time; `clear` to wait again."""

    __slots__ = ("_parked", "is_set")

    def __init__(self) -> None:
        self.is_set = False
        self._parked: trio.lowlevel.Task | asyncio.Future[None] | None = None

    def wait(self) -> Awaitable[None]:
        """What to await until `set` (a checkpoint, if it is set already). A plain function:
        no frame of its own while the task waits.

        Cancellation: the wait ends at once, and a `set` after it wakes nobody.
        """
        if self.is_set:
            return anyio.lowlevel.checkpoint()
        if sniffio.current_async_library() == "trio":
            self._parked = trio.lowlevel.current_task()
            return trio.lowlevel.wait_task_rescheduled(self._unpark)  # noqa: ASYNC105 (see above)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._parked = future
        return future

    def set(self) -> None:
        """Wake the waiting task, if one waits; a no-op once set (until `clear`)."""
        if self.is_set:
            return
        self.is_set = True
        parked, self._parked = self._parked, None
        if isinstance(parked, asyncio.Future):
            if not parked.done():  # (a cancelled wait's future is done)
                parked.set_result(None)
        elif parked is not None:
            trio.lowlevel.reschedule(parked)

    def clear(self) -> None:
        self.is_set = False

    def _unpark(self, _: object) -> trio.lowlevel.Abort:
        """trio cancels the parked task: nobody may wake it any more."""
        self._parked = None
        return trio.lowlevel.Abort.SUCCEEDED
