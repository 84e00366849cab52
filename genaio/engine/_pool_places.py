"""The places of a connection pool: what its HTTP/1.1 side (`_pool.py`) and its HTTP/2 side
(`_pool_http2.py`) both count and wait on.

A pool may hold `limit` connections. Each one open (or being opened) takes a place, whatever its
protocol; a request that finds none free and no idle connection to evict waits for the pool to
change (a place freed, a connection idle, a stream free, a connection opened). Whoever makes
such a change calls `notify`.
"""

from __future__ import annotations

import anyio

__all__ = ["Places"]


class Places:
    """A pool's connections against its limit, and the requests waiting for a change.

    `open` counts the connections open or being opened; `busy` those serving a request now (an
    HTTP/2 connection counts once in `open`, and in `busy` only while it is being opened);
    `closed` is set when the pool closes, after which it takes no more requests.
    """

    __slots__ = ("_changed", "busy", "closed", "limit", "open", "waiting")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.open = 0
        self.busy = 0
        self.waiting = 0
        self.closed = False
        self._changed = anyio.Event()

    @property
    def free(self) -> bool:
        """Whether another connection may be opened."""
        return self.open < self.limit

    def notify(self) -> None:
        """Wake the requests waiting for the pool to change."""
        if self.waiting:
            self._changed.set()
            self._changed = anyio.Event()

    def give_back(self) -> None:
        """A connection is closed: its place is free."""
        self.open -= 1
        self.notify()

    async def wait_for_change(self) -> None:
        """Until the next `notify`. Cancellation: safe; the waiter is no longer counted."""
        changed = self._changed
        self.waiting += 1
        try:
            await changed.wait()
        finally:
            self.waiting -= 1
