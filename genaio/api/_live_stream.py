"""`AsyncSession.start_stream`: a stream of media sent while the session's messages are read.

The official SDK runs the sender as a loose task. Here it runs in the session's own task group
(`LiveSessionActor.start_beside`): an async generator cannot own a task group across its yields,
and the session's group outlives every iteration of it. The generator ties the sender to its
own life: closing it (a `break`, `aclose`, a cancellation) cancels the sender, and the sender
ending (the input is exhausted) ends the generator, as in the SDK.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import anyio
import attrs

from genaio.actors.live import LiveSessionActor
from genaio.types import Blob, LiveServerMessage

__all__ = ["stream_session"]


@attrs.define
class _Sender:
    """What the generator and its sender share: whether the input is done, its error, and the
    generator's current wait (cancelled when the sender ends, to wake it)."""

    done: bool = False
    error: Exception | None = None
    waiting: anyio.CancelScope | None = None

    def finish(self, error: Exception | None = None) -> None:
        self.done, self.error = True, error
        if self.waiting is not None:
            self.waiting.cancel()


async def stream_session(
    actor: LiveSessionActor[LiveServerMessage],
    send: Callable[[dict[str, Any]], Awaitable[None]],
    stream: AsyncIterator[bytes],
    mime_type: str,
) -> AsyncIterator[LiveServerMessage]:
    """Send each piece of `stream` as realtime media (`send`); yield the server's messages
    until the input is exhausted, then raise the sender's error, if any."""
    sender = _Sender()

    async def send_all() -> None:
        try:
            async for data in stream:
                blob = Blob(data=data, mime_type=mime_type).to_wire()
                await send({"realtime_input": {"mediaChunks": [blob]}})
        except Exception as error:  # the generator raises it (the session goes on)
            sender.finish(error)
        else:
            sender.finish()

    scope = actor.start_beside(send_all)
    try:
        while not sender.done:
            with anyio.CancelScope() as wait:
                sender.waiting = wait
                message = await actor.receive()  # a cancelled receive loses no message
            sender.waiting = None
            if wait.cancelled_caught:  # the sender ended
                continue
            if message is None:  # the session was closed
                return
            yield message
        if sender.error is not None:
            raise sender.error
    finally:
        scope.cancel()
