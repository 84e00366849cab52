"""The caller's end of a stream: an async iterator of parsed events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import anyio

from genaio.actors import OpenStream, StreamFailure
from genaio.errors import DeadlineExceededError

__all__ = ["ResponseStream"]

T = TypeVar("T")


class ResponseStream(Generic[T]):
    """Events as the server sends them; the connection is held until the stream ends or closes.

    Iterate it with `async for`; leave early with `await stream.aclose()` (or `async with`).
    A stream dropped without closing is closed when it is garbage-collected, which releases its
    connection: closing is synchronous (a channel close and a cancel), so no task is scheduled
    from `__del__`.
    """

    def __init__(
        self,
        stream: OpenStream,
        parse: Callable[[Any], T],
        *,
        idle_timeout: float | None = None,
    ) -> None:
        self._stream = stream
        self._receive = stream.events
        self._parse = parse
        self._idle_timeout = idle_timeout

    def __aiter__(self) -> ResponseStream[T]:
        return self

    async def __anext__(self) -> T:
        """The next event.

        Cancellation: cancelling the wait closes the stream (its connection is released).
        """
        try:
            if self._idle_timeout is None:
                item = await self._receive.receive()
            else:
                with anyio.move_on_after(self._idle_timeout) as scope:
                    item = await self._receive.receive()
                if scope.cancelled_caught:
                    self.close()
                    raise DeadlineExceededError(self._idle_timeout)
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            self.close()
            raise StopAsyncIteration from None
        except BaseException:
            self.close()
            raise
        if isinstance(item, StreamFailure):
            self.close()
            raise item.error
        return self._parse(item)

    def close(self) -> None:
        """Stop reading: the worker stops and the connection is released."""
        self._stream.close()

    async def aclose(self) -> None:
        self.close()

    async def __aenter__(self) -> ResponseStream[T]:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        stream = getattr(self, "_stream", None)
        if stream is not None:
            stream.close()
