"""The Live session actor: one websocket session that survives the server's goAway.

The actor owns the socket. A reader task feeds the server's messages into a bounded channel
(a slow consumer stops the reader, and TCP carries the backpressure to the server); a writer
task sends the caller's frames one whole frame at a time. Both run in a task group opened
under the caller's `async with connect(...)`: nothing outlives the session.

On `goAway` the actor moves to a new connection before the server's deadline: at once if no
answer is pending, else at the end of the current turn, at the latest a margin before the
deadline. It closes the old socket first, opens a new one whose setup carries the last
resumption handle, and resends what the server had not yet taken into that handle's state
(by `lastConsumedClientMessageIndex` when the server sends it, else every frame sent after the
last completed turn). A connection lost without a goAway is resumed the same way when a handle
exists. A deliberate close never reconnects.

Every message is parsed here, totally (`parse_message`), before the session acts on it: a
message that is not a JSON object of the expected shape ends the session with
`UnknownApiResponseError` (the socket closed with 1007), an error frame with `APIError`; the
messages before it are delivered first. Nothing a server sends can crash the actor.

`ResumeState` (`_live_resume.py`) makes these decisions without I/O; `LiveSessionActor`
performs them. A crash of the actor (a bug) ends the session: the waiting receiver gets
`ActorCrashedError`, whose cause is the bug (the supervision of `_supervisor.py`, without
restarts: a session's state does not survive its actor).
"""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import attrs

from genaio._log import get_logger
from genaio.actors._errors import crash_error, single_error
from genaio.actors._live_resume import Frame, ResumeState
from genaio.engine import _json
from genaio.engine._websocket import WebSocket
from genaio.errors import (
    APIError,
    DeadlineExceededError,
    GenaioError,
    NetworkError,
    UnknownApiResponseError,
)
from genaio.types import LiveServerMessage

__all__ = [
    "INBOX_SIZE",
    "LiveSessionActor",
    "LiveStatistics",
    "open_live_session_actor",
    "parse_message",
]

log = get_logger("genaio.live")

#: Opens a socket and completes the setup (with this resumption handle, if any); returns the
#: socket and the server's first message (`setupComplete`).
Opener = Callable[[str | None], Awaitable[tuple[WebSocket, LiveServerMessage]]]

#: Server messages buffered for a slow consumer before the reader stops reading.
INBOX_SIZE = 64
#: Frames a caller may queue for the writer before `send` waits.
OUTBOX_SIZE = 16
_OPEN_ATTEMPTS = 3
#: The close code for a message that is not what the protocol says (RFC 6455: 1007).
_INVALID_PAYLOAD = 1007


@attrs.frozen
class LiveStatistics:
    received: int
    sent: int
    queued_in: int  # messages waiting for the consumer
    queued_out: int  # frames waiting for the writer
    unacknowledged: int  # frames kept for resending
    reconnects: int
    resent: int  # frames sent again on a new connection
    dropped: int
    closed: bool


class LiveSessionActor:
    """A running session: `send` frames, `receive` messages, `aclose` it."""

    def __init__(self, opener: Opener, ws: WebSocket, setup_complete: LiveServerMessage) -> None:
        self.setup_complete = setup_complete
        self._opener = opener
        self._ws = ws
        self._state = ResumeState()
        self._out_send, self._out_receive = anyio.create_memory_object_stream[Frame](OUTBOX_SIZE)
        self._in_send, self._in_receive = anyio.create_memory_object_stream[LiveServerMessage](
            INBOX_SIZE
        )
        self._scope = anyio.CancelScope()
        self._stopped = anyio.Event()
        self._failure: BaseException | None = None
        self._closed = False
        self._idle_losses = 0  # connections lost since the last message
        self.received = self.sent = self.reconnects = 0

    # -- the caller's side -------------------------------------------------------------------

    async def send(self, frame: dict[str, Any]) -> None:
        """Queue one client frame and wait until it is on a socket.

        Cancellation: a frame queued before the cancellation is still sent, whole.
        """
        self._check_open()
        item = self._state.frame(json.dumps(frame, separators=(",", ":")))
        try:
            await self._out_send.send(item)
        except anyio.BrokenResourceError:
            self._check_open()
            raise
        self.sent += 1
        await item.written.wait()  # set by the writer, or by the actor when it stops
        if not item.on_socket:
            self._check_open()

    async def receive(self) -> LiveServerMessage | None:
        """The next server message; None once the session was closed deliberately.

        Messages that arrived before the server ended the session are delivered first; a
        session closed here (`aclose`) delivers nothing more.

        Raises: the error that ended the session (a close as `APIError(code)`, a malformed
        or oversized message as `UnknownApiResponseError`).

        Cancellation: safe; no message is lost.
        """
        if self._closed:
            if self._failure is not None:
                raise self._failure
            return None
        try:
            message = await self._in_receive.receive()
        except anyio.EndOfStream:
            message = None
        if message is None:
            if self._failure is not None:
                raise self._failure
            return None
        self.received += 1
        return message

    async def aclose(self, reason: BaseException | None = None) -> None:
        """Close the session: stop the tasks, close the socket; no reconnection follows.

        `reason` (e.g. `ClientClosedError`) is what callers waiting on the session get; none
        means a deliberate close, after which `receive` returns None.

        Cancellation: shielded and bounded; idempotent.
        """
        if self._closed:
            return
        self._closed = True
        if reason is not None and self._failure is None:
            self._failure = reason
        self._scope.cancel()
        with anyio.CancelScope(shield=True):
            await self._stopped.wait()

    def statistics(self) -> LiveStatistics:
        return LiveStatistics(
            received=self.received,
            sent=self.sent,
            queued_in=self._in_receive.statistics().current_buffer_used,
            queued_out=self._out_receive.statistics().current_buffer_used,
            unacknowledged=len(self._state.replay),
            reconnects=self.reconnects,
            resent=self._state.resent,
            dropped=self._state.dropped,
            closed=self._closed or self._stopped.is_set(),
        )

    def __repr__(self) -> str:
        s = self.statistics()
        state = "closed" if s.closed else "open"
        counts = f"sent={s.sent} received={s.received} reconnects={s.reconnects}"
        return f"<LiveSessionActor {state} {counts}>"

    def _check_open(self) -> None:
        if self._failure is not None:
            raise self._failure
        if self._closed or self._stopped.is_set():
            raise anyio.ClosedResourceError("the Live session is closed")

    # -- the actor ---------------------------------------------------------------------------

    async def run(self) -> None:
        """Serve connections until the session ends; never raises (the receiver gets it)."""
        close_code = 1000
        try:
            with self._scope:
                while True:
                    await self._serve_connection()
                    await self._switch()
        except GenaioError as error:  # the server's doing: a close, a fault, a bad message
            if isinstance(error, UnknownApiResponseError):
                close_code = _INVALID_PAYLOAD
            if not self._closed:
                self._failure = self._failure or error
        except Exception as group:
            bug = single_error(group)
            log.error("live session crashed", exc_info=bug)
            self._failure = self._failure or crash_error("Live session", bug)
        finally:
            with anyio.CancelScope(shield=True):
                self._stop_intake()
                await self._ws.aclose(close_code)
                self._stopped.set()

    def _stop_intake(self) -> None:
        """End the inbox and the outbox; wake every sender still waiting for its frame."""
        self._in_send.close()
        waiting = list(self._state.replay)
        while True:
            try:
                waiting.append(self._out_receive.receive_nowait())
            except (anyio.WouldBlock, anyio.EndOfStream, anyio.ClosedResourceError):
                break
        self._out_receive.close()
        for frame in waiting:
            frame.written.set()

    async def _serve_connection(self) -> None:
        """Read and write on the current socket; return when it is time to switch sockets."""
        error: GenaioError | None = None
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(self._write, self._ws)
            try:
                await self._read(self._ws)
            except GenaioError as exc:
                error = exc
            tasks.cancel_scope.cancel()
        if error is not None:
            raise error

    async def _read(self, ws: WebSocket) -> None:
        state = self._state
        while True:
            deadline = state.go_away_at if state.go_away_at is not None else math.inf
            with anyio.move_on_at(deadline) as timer:
                try:
                    raw = await ws.receive()
                except APIError as error:
                    if self._closed or not state.resumable(error) or not self._may_resume():
                        raise
                    log.info("live connection lost; resuming", code=error.code)
                    return
            if timer.cancelled_caught:
                return  # the goAway's deadline is near: switch now
            message = parse_message(raw)
            self._idle_losses = 0
            switch = state.received(message, anyio.current_time())
            await self._in_send.send(message)  # waits while the consumer is behind
            if switch:
                return

    async def _write(self, ws: WebSocket) -> None:
        async for frame in self._out_receive:
            self._state.writing(frame)
            if self._state.holding():
                await anyio.sleep_forever()  # until the switch; the frame goes on the next socket
            try:
                await ws.send_text(frame.text)
            except GenaioError:
                return  # the socket is gone: the reader hears why; the frame is resent
            self._state.wrote(frame)

    def _may_resume(self) -> bool:
        """Count a lost connection (the count restarts at each message): a server that keeps
        dropping connections before saying anything is not resumed for ever."""
        if self._idle_losses >= _OPEN_ATTEMPTS:
            return False
        self._idle_losses += 1
        return True

    async def _switch(self) -> None:
        """Close the old socket first, open one that resumes the handle, resend the rest."""
        await self._ws.aclose()
        if self._idle_losses > 1:  # the last connection gave nothing: back off
            await anyio.sleep(0.25 * 2 ** (self._idle_losses - 2))
        for attempt in range(_OPEN_ATTEMPTS):
            try:
                self._ws, _ = await self._opener(self._state.handle)
                break
            except (NetworkError, DeadlineExceededError):
                if attempt == _OPEN_ATTEMPTS - 1:
                    raise
                await anyio.sleep(0.25 * 2**attempt)
        self.reconnects += 1
        log.info("live session resumed", reconnects=self.reconnects)
        for frame in self._state.reconnected():
            await self._ws.send_text(frame.text)
            self._state.wrote(frame)


def parse_message(raw: str | bytes) -> LiveServerMessage:
    """One server message, parsed totally.

    Raises:
        UnknownApiResponseError: not a JSON object, or not a message's shape.
        APIError: an error frame (none of a message's fields), as the official SDK reads it.
    """
    try:
        wire = _json.loads(raw)
    except ValueError:
        wire = None
    if not isinstance(wire, dict):
        raise UnknownApiResponseError(f"a Live message is not a JSON object: {raw[:200]!r}")
    message = LiveServerMessage.from_wire(wire)
    if wire and message.model_fields_set.isdisjoint(LiveServerMessage.model_fields):
        code = wire.get("code")
        raise APIError(code if type(code) is int else None, wire)
    return message


@asynccontextmanager
async def open_live_session_actor(opener: Opener) -> AsyncIterator[LiveSessionActor]:
    """Open the first connection (a refused setup raises here), then run the actor.

    The actor's tasks run in a task group in the caller's task; leaving the block closes the
    session (never reconnecting) and waits, bounded, for the socket to close.
    """
    ws, setup_complete = await opener(None)
    actor = LiveSessionActor(opener, ws, setup_complete)
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(actor.run)
        try:
            yield actor
        finally:
            await actor.aclose()
