"""The one-shot reply slot between a caller and the worker serving its envelope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

from genaio.engine._parking import Wakeup

__all__ = ["Cancellable", "Reply"]

T = TypeVar("T")


class Cancellable(Protocol):
    """The worker's cancel scope: anyio's, or on trio trio's own (anyio's wraps it)."""

    def cancel(self) -> None: ...


class Reply(Wakeup, Generic[T]):
    """Filled once, with a value or an exception; awaited by exactly one caller (`result`).

    A caller that stops waiting (cancelled, timed out) abandons the reply: the worker's cancel
    scope for it is cancelled, and a value that arrives later is discarded (with `discard`, if it
    holds a resource such as an open stream).
    """

    __slots__ = ("_abandoned", "_discard", "_error", "_scope", "_value")

    def __init__(self) -> None:
        super().__init__()
        self._value: Any = None  # a T once sent
        self._error: BaseException | None = None
        self._scope: Cancellable | None = None
        self._discard: Callable[[], object] | None = None
        self._abandoned = False

    @property
    def done(self) -> bool:
        return self.is_set

    @property
    def abandoned(self) -> bool:
        return self._abandoned

    def send(self, value: T, *, discard: Callable[[], object] | None = None) -> None:
        """Deliver `value`; `discard` releases it if the caller has already gone."""
        if self.is_set:
            return
        if self._abandoned:
            if discard is not None:
                discard()
            return
        self._value, self._discard = value, discard
        self.set()

    def fail(self, error: BaseException) -> None:
        """Deliver `error` to the caller (a no-op once the reply is done)."""
        if not self.is_set:
            self._error = error
            self.set()

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
        if self.is_set and self._discard is not None:
            self._discard()

    async def result(self) -> T:
        """The value, or raise the error.

        Cancellation: cancelling the wait abandons the reply, which cancels the work.
        """
        try:
            await self.wait()
        except BaseException:
            self.abandon()
            raise
        if self._error is not None:
            raise self._error
        value: T = self._value
        return value
