"""`client.aio.interactions.connect(id)`: a websocket to a live interaction.

The socket is the engine's (`connect_websocket`): its URL is the base URL's as `ws`/`wss`
plus `/{version}/interactions/live`, its headers the REST calls' (`call_headers`), its messages
bounded by `async_client_args['max_size']` as Live's are. The first client event names the
interaction (`interaction.connect`); the server's frames carry one event, or several under
`events`. A frame that is not such JSON fails the connection with `UnknownApiResponseError`;
a refused upgrade is the REST API's `APIError` for its status; a close is `APIError(code)`.

Leaving `async with` early detaches (`interaction.disconnect`): the interaction lives on
on the server and can be connected to again; `complete` or `cancel` end it.
"""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator, Generator, Mapping, Sequence
from types import TracebackType
from typing import Any

import anyio
from pydantic import BaseModel

from genaio.actors._tree import OpenSession
from genaio.api._resource import Backend
from genaio.engine import CallOptions
from genaio.engine._auth import call_headers
from genaio.engine._urls import interactions_live_url
from genaio.engine._websocket import (
    WebSocket,
    connect_websocket,
    live_limits,
    ssl_context_from,
)
from genaio.errors import DeadlineExceededError, GenaioError, UnknownApiResponseError
from genaio.types import InteractionSSEEvent

__all__ = ["InteractionConnection", "InteractionConnectionContext"]

#: Events after which the server sends nothing more.
_TERMINAL = frozenset(
    {
        "interaction.completed",
        "interaction.canceled",
        "interaction.cancelled",
        "reconnection_required",
    }
)
_GOING_AWAY = 1001  # the websocket close code of a client that leaves
_MALFORMED = 1007  # the close sent for a frame that is not the protocol's JSON
_DETACH_TIMEOUT = 2.0  # seconds a detach may spend telling the server


class InteractionConnection:
    """An open connection to a live interaction; one task receives at a time."""

    def __init__(self, ws: WebSocket, id: str, sessions: set[OpenSession]) -> None:
        self.id = id
        self._ws = ws
        self._sessions = sessions  # the client's tree's, which closes it with the client
        self._pending: list[InteractionSSEEvent] = []
        self._terminal = False
        self._detached = False
        self._receiving = False
        self._closed_by: BaseException | None = None  # the client's close, for its callers

    async def send(self, input: str | Mapping[str, Any] | BaseModel | Sequence[Any]) -> None:
        """Send text (as one `input` event), one client event, or a list of them.

        Cancellation: a send cancelled half-way leaves the socket unusable: detach.
        """
        self._ensure_active()
        payload = _client_payload(input)
        await self._send(payload)
        kinds = [e.get("event_type") for e in payload.get("events", [payload])]
        if "interaction.cancel" in kinds:
            self._terminal = True
            await self._close_socket()

    async def receive(self) -> AsyncIterator[InteractionSSEEvent]:
        """The server's events, up to a terminal one (`interaction.completed`, ...) or a detach.

        Raises:
            UnknownApiResponseError: a frame was not the protocol's JSON (the socket is closed).
            APIError: the server closed the connection (`code` is the close code).

        Cancellation: safe; bytes already read stay buffered for the next receive.
        """
        while not self._detached:
            if not self._pending:
                if self._terminal:
                    return
                try:
                    self._pending = await self._frame()
                except Exception:
                    if self._closed_by is not None:  # the client closed the socket under it
                        raise self._closed_by from None
                    raise
            event = self._pending.pop(0)
            if event.event_type in _TERMINAL:
                self._terminal = True
                self._pending = []
                await self._close_socket()
            yield event
        if self._closed_by is not None:  # an end by the client's close is not a normal end
            raise self._closed_by

    async def complete(self) -> None:
        """Ask the server to finish the interaction; `receive` then ends with its
        `interaction.completed`.

        Cancellation: as `send`.
        """
        if not self._terminal:
            self._ensure_active()
            await self._send({"event_type": "interaction.complete"})

    async def cancel(self) -> None:
        """Stop the interaction on the server and close the connection.

        Cancellation: as `send`; the socket's close is shielded.
        """
        if not self._terminal:
            await self.send({"event_type": "interaction.cancel"})

    async def detach(self, _code: int = 1000) -> None:
        """Leave the interaction running on the server and close this connection. Idempotent.

        Cancellation: shielded and bounded (a short wait to tell the server, then the close).
        """
        if self._detached:
            return
        self._detached = True
        self._pending = []
        with anyio.CancelScope(shield=True):
            if not self._terminal:
                with anyio.move_on_after(_DETACH_TIMEOUT):
                    try:
                        await self._send({"event_type": "interaction.disconnect"})
                    except GenaioError:
                        pass  # the server has gone already: nothing to tell it
            await self._close_socket(_code)

    async def aclose(self, reason: BaseException | None = None) -> None:
        """Detach because the client is closing: a receive under way, and any later, raise
        `reason` (the tree's `ClientClosedError`).

        Cancellation: shielded and bounded, as `detach`.
        """
        self._closed_by = reason
        await self.detach(_GOING_AWAY)  # a receive may be reading: no wait for the server's close

    async def _close_socket(self, code: int = 1000) -> None:
        self._sessions.discard(self)
        await self._ws.aclose(code)

    async def _send(self, payload: Mapping[str, Any]) -> None:
        await self._ws.send_text(json.dumps(payload, separators=(",", ":")))

    async def _frame(self) -> list[InteractionSSEEvent]:
        # Marked here, not across `receive`'s yields: a loop left with `break` does not close
        # its async generator at once, and a next `receive()` must not be refused for it.
        if self._receiving:
            raise RuntimeError("only one receive() may iterate a connection at a time")
        self._receiving = True
        try:
            raw = await self._ws.receive()
        finally:
            self._receiving = False
        try:
            return _server_events(raw)
        except UnknownApiResponseError:
            self._sessions.discard(self)
            await self._ws.aclose(_MALFORMED, "malformed frame")
            raise

    def _ensure_active(self) -> None:
        if self._closed_by is not None:
            raise self._closed_by
        if self._detached:
            raise RuntimeError("this live interaction connection is detached")
        if self._terminal:
            raise RuntimeError("this live interaction has ended")


class InteractionConnectionContext:
    """What `connect` returns: `async with` it (leaving detaches), or await it for the
    connection (then `detach` it yourself)."""

    def __init__(
        self, backend: Backend, id: str, options: CallOptions | None, timeout: float
    ) -> None:
        if backend.config.vertex:
            raise ValueError("live interactions are served by the Gemini API only")
        if not isinstance(id, str) or not id.strip():
            raise ValueError("connect() needs the id of an interaction")
        if isinstance(timeout, bool) or not isinstance(timeout, int | float):
            raise ValueError(f"timeout must be seconds > 0: {timeout!r}")
        if not (0 < timeout < math.inf):
            raise ValueError(f"timeout must be seconds > 0: {timeout!r}")
        self._backend, self._id, self._options = backend, id, options
        self._timeout = float(timeout)
        self._connection: InteractionConnection | None = None

    def __await__(self) -> Generator[Any, None, InteractionConnection]:
        return self._open().__await__()

    async def __aenter__(self) -> InteractionConnection:
        return await self._open()

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._connection is not None:
            await self._connection.detach()

    async def _open(self) -> InteractionConnection:
        """Connect and name the interaction, within the timeout.

        Cancellation: safe; a half-open socket is closed.
        """
        if self._connection is not None:
            return self._connection
        config, options = self._backend.config, self._options
        max_size = live_limits(config.client_args)[0]
        url = interactions_live_url(config, options)
        context = ssl_context_from(config.client_args) if url.startswith("wss") else None
        with anyio.move_on_after(self._timeout) as scope:
            tree = await self._backend.runtime.tree()  # which closes the connection with itself
            own = options.headers if options is not None else None
            headers = {**config.headers, **await call_headers(self._backend.auth, own)}
            ws = await connect_websocket(url, headers, ssl_context=context, max_size=max_size)
            connection = InteractionConnection(ws, self._id, tree.live_sessions)
            try:
                await connection._send({"event_type": "interaction.connect", "id": self._id})
            except BaseException:
                await ws.aclose()
                raise
            tree.live_sessions.add(connection)
            self._connection = connection
        if scope.cancelled_caught:
            raise DeadlineExceededError(self._timeout)
        assert self._connection is not None
        return self._connection


def _client_payload(input: Any) -> dict[str, Any]:
    """`send`'s argument as the frame's JSON."""
    if isinstance(input, str):
        return {"event_type": "input", "content": [{"type": "text", "text": input}]}
    if isinstance(input, list | tuple):
        if not input:
            raise ValueError("send() got an empty list of events")
        return {"events": [_client_event(e) for e in input]}
    return _client_event(input)


def _client_event(event: Any) -> dict[str, Any]:
    if isinstance(event, BaseModel):
        event = event.model_dump(mode="json", by_alias=True, exclude_none=True)
    if not isinstance(event, Mapping):
        raise TypeError(f"a client event is a mapping or a model, not {type(event).__name__}")
    return json.loads(json.dumps(event, default=_model_json))  # type: ignore[no-any-return]


def _model_json(value: object) -> Any:
    """A model nested in a client event, as JSON; anything else is not JSON (TypeError)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    raise TypeError(f"a client event holds a {type(value).__name__}, which is not JSON")


def _server_events(raw: str | bytes) -> list[InteractionSSEEvent]:
    """A server frame's events in order.

    Raises:
        UnknownApiResponseError: not UTF-8 JSON, or an event without an `event_type`.
    """
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError):
        raise UnknownApiResponseError("a live interaction frame is not JSON") from None
    events = payload.get("events") if isinstance(payload, dict) else None
    found = events if isinstance(events, list) else [payload]
    if not found or not all(
        isinstance(e, dict) and isinstance(e.get("event_type"), str) and e["event_type"]
        for e in found
    ):
        raise UnknownApiResponseError("a live interaction event has no event_type")
    return [InteractionSSEEvent.from_wire(e) for e in found]
