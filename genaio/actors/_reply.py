"""The one-shot reply slot between a caller and the worker serving its envelope."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

import anyio
import sniffio
import trio

__all__ = ["Cancellable", "Reply"]

T = TypeVar("T")


class Cancellable(Protocol):
    """The worker's cancel scope: anyio's, or on trio trio's own (anyio's wraps it)."""

    def cancel(self) -> None: ...


class Reply(Generic[T]):
    """Filled once, with a value or an exception; awaited by exactly one caller.

    A caller that stops waiting (cancelled, timed out) abandons the reply: the worker's cancel
    scope for it is cancelled, and a value that arrives later is discarded (with `discard`, if it
    holds a resource such as an open stream).
    """

    __slots__ = ("_abandoned", "_discard", "_done", "_error", "_scope", "_value", "_waiter")

    def __init__(self) -> None:
        self._done = False
        self._waiter: trio.lowlevel.Task | asyncio.Future[None] | None = None  # the caller, parked
        self._value: Any = None  # a T once sent
        self._error: BaseException | None = None
        self._scope: Cancellable | None = None
        self._discard: Callable[[], object] | None = None
        self._abandoned = False

    @property
    def done(self) -> bool:
        return self._done

    @property
    def abandoned(self) -> bool:
        return self._abandoned

    def send(self, value: T, *, discard: Callable[[], object] | None = None) -> None:
        """Deliver `value`; `discard` releases it if the caller has already gone."""
        if self._done:
            return
        if self._abandoned:
            if discard is not None:
                discard()
            return
        self._value, self._discard = value, discard
        self._finish()

    def fail(self, error: BaseException) -> None:
        """Deliver `error` to the caller (a no-op once the reply is done)."""
        if not self._done:
            self._error = error
            self._finish()

    def bind(self, scope: Cancellable) -> None:
        """Tie the worker's cancel scope to the caller until `unbind`: abandoning cancels it."""
        self._scope = scope
        if self._abandoned:
            scope.cancel()

    def unbind(self) -> None:
        """The work has ended: the scope may serve other work, which leaving must not cancel."""
        self._scope = None

    def abandon(self) -> None:
        """The caller has gone: cancel the work, release a value already delivered."""
        if self._abandoned:
            return
        self._abandoned = True
        if self._scope is not None:
            self._scope.cancel()
        if self._done and self._discard is not None:
            self._discard()

    async def wait(self) -> T:
        """The value, or raise the error.

        Cancellation: cancelling the wait abandons the reply, which cancels the work.
        """
        # The caller parks itself, with nothing in between: an Event (anyio's wraps the loop's
        # own) or a coroutine of its own would be more objects per waiting call, and with
        # thousands of calls waiting those are what the garbage collector spends its time on.
        try:
            if self._done:
                await anyio.lowlevel.checkpoint()
            elif sniffio.current_async_library() == "trio":
                self._waiter = trio.lowlevel.current_task()
                await trio.lowlevel.wait_task_rescheduled(self._unpark)
            else:
                await self._park_asyncio()
        except BaseException:
            self.abandon()
            raise
        if self._error is not None:
            raise self._error
        value: T = self._value
        return value

    def _finish(self) -> None:
        """Done: wake the caller if it is parked."""
        self._done = True
        waiter, self._waiter = self._waiter, None
        if isinstance(waiter, asyncio.Future):
            if not waiter.done():
                waiter.set_result(None)
        elif waiter is not None:
            trio.lowlevel.reschedule(waiter)

    def _unpark(self, _: object) -> trio.lowlevel.Abort:
        """trio cancels the parked caller (`wait` then abandons the reply)."""
        self._waiter = None
        return trio.lowlevel.Abort.SUCCEEDED

    async def _park_asyncio(self) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiter = future
        try:
            await future
        finally:
            self._waiter = None
