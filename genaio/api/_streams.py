"""The caller's end of a stream: an async iterator of parsed events.

Iteration ends normally only when the server ended the stream properly. Every other ending
raises one typed error after the events that did arrive: the error the server or the network
sent, `UnknownApiResponseError` for an event that does not parse, `DeadlineExceededError` for a
silent server, and `StreamInterruptedError` for a stream stopped on this side (the client closed,
the stream closed while another task read it, the work pumping it stopped).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import anyio

from genaio.actors import OpenStream
from genaio.errors import DeadlineExceededError, GenaioError, UnknownApiResponseError

__all__ = ["ResponseStream"]

T = TypeVar("T")


class ResponseStream(Generic[T]):
    """Events as the server sends them; the connection is held until the stream ends or closes.

    Iterate it with `async for`; leave early with `await stream.aclose()` (or `async with`).
    A stream dropped without closing is closed when it is garbage-collected, which releases its
    connection: closing is synchronous (a channel close and a cancel), so no task is scheduled
    from `__del__`. Once the iteration has ended (normally or with its error), it stays ended.
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
        self._finished = False

    def __aiter__(self) -> ResponseStream[T]:
        return self

    async def __anext__(self) -> T:
        """The next event.

        Cancellation: cancelling the wait closes the stream (its connection is released).
        """
        if self._finished:
            await anyio.lowlevel.checkpoint()
            raise StopAsyncIteration
        try:
            if self._idle_timeout is None:
                item = await self._receive.receive()
            else:
                with anyio.move_on_after(self._idle_timeout) as scope:
                    item = await self._receive.receive()
                if scope.cancelled_caught:
                    raise DeadlineExceededError(self._idle_timeout)
            return self._parse(item)
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            self._finish()
            ending = self._stream.ending()
            raise ending from ending.__cause__  # the channel's end is no part of it
        except GenaioError:
            self._finish()
            raise
        except Exception as exc:
            self._finish()
            raise UnknownApiResponseError(f"a stream event could not be read: {exc}") from exc
        except BaseException:
            self.close()
            raise

    def _finish(self) -> None:
        self._finished = True
        self.close()

    def close(self) -> None:
        """Stop reading: the worker stops and the connection is released."""
        self._stream.close()

    async def aclose(self) -> None:
        self.close()

    async def __aenter__(self) -> ResponseStream[T]:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "ended" if self._finished else "open"
        return f"<genaio.ResponseStream {state}>"

    def __del__(self) -> None:
        stream = getattr(self, "_stream", None)
        if stream is not None:
            stream.close()
