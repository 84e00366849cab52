"""The mailbox: a bounded queue whose consumers, when they wait, are handed items directly.

It is what stands between an actor's callers and its workers (or its serve loop). A caller that
finds a consumer waiting hands it the item at once; otherwise the item waits in the buffer, and
beyond the buffer the caller waits for room: that wait is the backpressure (how many may wait,
and for how long, is the actor's shedding policy). Every hand-off is a
synchronous step, so there is no instant in which an item has left the caller and reached no one.

Consumers are served last-come first-served: the one that parked most recently (the warmest
worker) gets the next item. A consumer may wait `last`, behind every other: the actor's staffing
loop does, so that it only sees the items that found no idle worker.

Why not anyio's memory object stream: it checkpoints before every send and receive, so a worker
between two envelopes is for a moment neither busy nor waiting, and an envelope arriving then
cannot tell whether it needs a new worker; and a send or receive costs a scheduling round even
when the other side is ready.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Generic, NamedTuple, TypeVar

import anyio

from genaio.engine._parking import Wakeup

__all__ = ["Mailbox", "MailboxStatistics", "fail_fast", "failing_fast"]

T = TypeVar("T")


class MailboxStatistics(NamedTuple):
    buffered: int
    waiting_put: int
    waiting_get: int


class _Waiter(Wakeup, Generic[T]):
    """A parked caller (with the item it brings) or consumer (with the item it is handed)."""

    __slots__ = ("item",)

    def __init__(self, item: T | None = None) -> None:
        super().__init__()
        self.item = item


class Mailbox(Generic[T]):
    """A FIFO of at most `size` items (0: hand-offs only, never None), until `close()`."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.closed = False
        self._buffer: deque[T] = deque()
        self._putters: deque[_Waiter[T]] = deque()  # callers waiting for room, in order
        self._getters: deque[_Waiter[T]] = deque()  # consumers waiting; the right end first

    def put_nowait(self, item: T) -> bool:
        """Hand `item` to a waiting consumer or buffer it; False if it would have to wait.

        Raises `anyio.ClosedResourceError` once the mailbox is closed.
        """
        if self.closed:
            raise anyio.ClosedResourceError
        if self._getters:
            getter = self._getters.pop()
            getter.item = item
            getter.set()
        elif self._putters or len(self._buffer) >= self.size:
            return False  # full, or others wait before it
        else:
            self._buffer.append(item)
        return True

    async def put(self, item: T) -> None:
        """`put_nowait`, waiting for room if need be (no checkpoint when there is room).

        Cancellation: either the item is in or it was never put; except that under asyncio a
        plain `Task.cancel()` can land in the instant after the item was taken: it is in then,
        and the caller must treat it as abandoned (`Actor.call` does).
        """
        if self.put_nowait(item):
            return
        putter = _Waiter(item)
        self._putters.append(putter)
        try:
            await putter.wait()
        except BaseException:
            if putter in self._putters:
                self._putters.remove(putter)
            raise
        if putter.item is not None:  # withdrawn by `close`
            raise anyio.ClosedResourceError

    def get_nowait(self) -> T:
        """The next item. Raises `anyio.WouldBlock` if there is none yet, `anyio.EndOfStream`
        if there will be none (closed, and the buffer empty)."""
        if self._buffer:
            item = self._buffer.popleft()
            if self._putters:  # room for the first caller waiting
                self._buffer.append(self._take_putter())
            return item
        if self._putters:  # a mailbox of size 0: straight from the caller
            return self._take_putter()
        if self.closed:
            raise anyio.EndOfStream
        raise anyio.WouldBlock

    async def get(self, *, last: bool = False) -> T:
        """The next item, waiting for one if need be (no checkpoint when one is there); `last`
        waits behind every other consumer. Raises `anyio.EndOfStream` once closed and empty.

        Cancellation: takes nothing. An item handed over in the instant of the cancel (asyncio's
        plain `Task.cancel()` can do that) goes back to the front.
        """
        try:
            return self.get_nowait()
        except anyio.WouldBlock:
            pass
        getter: _Waiter[T] = _Waiter()
        if last:
            self._getters.appendleft(getter)
        else:
            self._getters.append(getter)
        try:
            await getter.wait()
        except BaseException:
            if getter in self._getters:
                self._getters.remove(getter)
            elif getter.item is not None:
                self._give_back(getter.item)
            raise
        if getter.item is None:
            raise anyio.EndOfStream
        return getter.item

    def close(self) -> None:
        """No more puts: callers waiting to put get `ClosedResourceError`, consumers waiting get
        `EndOfStream`. What is buffered stays, for `get_nowait` to drain."""
        self.closed = True
        putters, self._putters = self._putters, deque()
        getters, self._getters = self._getters, deque()
        for waiter in (*putters, *getters):
            waiter.set()

    def statistics(self) -> MailboxStatistics:
        return MailboxStatistics(len(self._buffer), len(self._putters), len(self._getters))

    def _take_putter(self) -> T:
        putter = self._putters.popleft()
        item, putter.item = putter.item, None
        assert item is not None  # a putter always brings an item
        putter.set()
        return item

    def _give_back(self, item: T) -> None:
        if self._getters:
            getter = self._getters.pop()
            getter.item = item
            getter.set()
        else:
            self._buffer.appendleft(item)


_FAIL_FAST: ContextVar[bool] = ContextVar("genaio_fail_fast", default=False)


@contextmanager
def fail_fast() -> Iterator[None]:
    """The calls made in this block (and in tasks it starts) never wait for room in a family's
    queue: a call that finds it full fails at once with `QueueFullError`, for callers that
    prefer to drop work rather than wait. A call that finds room is queued and served as usual.
    """
    token = _FAIL_FAST.set(True)
    try:
        yield
    finally:
        _FAIL_FAST.reset(token)


def failing_fast() -> bool:
    """Whether the running code is inside `fail_fast()` (read only when a mailbox is full)."""
    return _FAIL_FAST.get()
