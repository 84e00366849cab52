"""The Live API's websocket: wsproto (a protocol core with no I/O) over an anyio byte stream.

It runs on trio and on asyncio, as the rest of the engine does, and speaks TLS with a verifying
context unless the caller hands it another one. One task may receive while another sends; sends
are serialized here, so that a pong answered by the receiver never splits a message being
written. A close from the server, or a connection lost without one, becomes
`APIError(code=<close code>, details=<reason>)` as in the official SDK (1006 when no close frame
came).
"""

from __future__ import annotations

import json
import ssl
from collections import deque
from collections.abc import Mapping
from urllib.parse import urlsplit

import anyio
import anyio.abc
from wsproto import ConnectionType, WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import (
    AcceptConnection,
    CloseConnection,
    Event,
    Message,
    Ping,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)
from wsproto.extensions import PerMessageDeflate
from wsproto.utilities import LocalProtocolError, RemoteProtocolError

from genaio.engine._errors import api_error
from genaio.errors import APIError, NetworkError

__all__ = ["WebSocket", "close_error", "connect_websocket", "ssl_context_from"]

_READ_SIZE = 64 * 1024
#: How long a polite close may wait for the server's close frame before the socket is dropped.
_CLOSE_TIMEOUT = 2.0
_ABNORMAL = 1006
_NETWORK_ERRORS = (OSError, ssl.SSLError, anyio.BrokenResourceError, anyio.EndOfStream)


def close_error(code: int, reason: str | None) -> APIError:
    """The error a websocket close raises: the official SDK's shape (status/message None)."""
    return APIError(code, reason or None)


def ssl_context_from(args: Mapping[str, object] | None) -> ssl.SSLContext:
    """The TLS context for `wss://`: a verifying default, or the caller's explicit one.

    Takes the official SDK's spelling (`async_client_args={"ssl": ctx}`) and httpx's
    (`{"verify": ctx}`). Verification can only be turned off by passing a context that does
    not verify: `verify=False` is refused rather than honoured by accident.
    """
    for key in ("ssl", "verify"):
        value = (args or {}).get(key)
        if isinstance(value, ssl.SSLContext):
            return value
        if isinstance(value, str):  # a CA bundle, as httpx takes it
            return ssl.create_default_context(cafile=value)
        if value is False:
            raise ValueError(
                f"async_client_args[{key!r}]=False would turn TLS verification off for Live; "
                "pass an ssl.SSLContext that trusts the server instead"
            )
    return ssl.create_default_context()


class WebSocket:
    """One open websocket. `receive` returns whole messages; `aclose` is bounded and idempotent."""

    def __init__(self, stream: anyio.abc.ByteStream, protocol: WSConnection) -> None:
        self._stream = stream
        self._protocol = protocol
        self._send_lock = anyio.Lock()
        self._messages: deque[str | bytes] = deque()
        self._parts: list[str | bytes] = []
        self._closed: APIError | None = None
        self._stream_closed = False

    async def send_text(self, text: str) -> None:
        """Send one text message.

        Cancellation: a send cancelled half-way leaves the socket unusable; callers that cancel
        a send (the session actor, when it switches sockets) discard this socket afterwards.
        """
        if self._closed is not None:
            raise self._closed
        await self._send(TextMessage(data=text))

    async def receive(self) -> str | bytes:
        """The next whole message (text or binary); the close error once the socket is closed.

        Cancellation: safe; bytes already read stay buffered for the next call.
        """
        while not self._messages:
            if self._closed is not None:
                raise self._closed
            try:
                data = await self._stream.receive(_READ_SIZE)
            except _NETWORK_ERRORS:
                data = None
            self._protocol.receive_data(data)  # None (end of stream) reads as a 1006 close
            await self._handle_events()
        return self._messages.popleft()

    async def aclose(self, code: int = 1000, reason: str = "") -> None:
        """Close politely (send a close frame, wait briefly for the answer), then drop the socket.

        Cancellation: shielded and bounded by a short timeout. Idempotent.
        """
        if self._stream_closed:
            return
        self._stream_closed = True
        with anyio.CancelScope(shield=True):
            if self._protocol.state is ConnectionState.OPEN:
                with anyio.move_on_after(_CLOSE_TIMEOUT):
                    try:
                        await self._send(CloseConnection(code=code, reason=reason))
                        while self._closed is None:
                            await self.receive()
                    except (APIError, *_NETWORK_ERRORS, LocalProtocolError):
                        pass
            if self._closed is None:
                self._closed = close_error(code, reason)
            await self._stream.aclose()

    async def _send(self, event: Event) -> None:
        async with self._send_lock:
            try:
                await self._stream.send(self._protocol.send(event))
            except _NETWORK_ERRORS as exc:
                self._closed = self._closed or close_error(_ABNORMAL, "Abnormal closure.")
                raise self._closed from exc

    async def _handle_events(self) -> None:
        try:
            events = list(self._protocol.events())
        except RemoteProtocolError as exc:
            self._closed = close_error(getattr(exc.event_hint, "code", 1002), str(exc))
            return
        for event in events:
            if isinstance(event, Message):
                self._parts.append(event.data)
                if event.message_finished:
                    joiner = "" if isinstance(event, TextMessage) else b""
                    self._messages.append(joiner.join(self._parts))  # type: ignore[arg-type]
                    self._parts = []
            elif isinstance(event, Ping):
                await self._answer(event.response())
            elif isinstance(event, CloseConnection):
                if self._protocol.state is ConnectionState.REMOTE_CLOSING:
                    await self._answer(event.response())
                reason = event.reason or ("Abnormal closure." if event.code == _ABNORMAL else "")
                self._closed = close_error(event.code, reason)

    async def _answer(self, event: Event) -> None:
        try:
            await self._send(event)
        except APIError:
            pass  # the peer is gone; the next receive reports it


async def connect_websocket(
    url: str, headers: Mapping[str, str], *, ssl_context: ssl.SSLContext | None = None
) -> WebSocket:
    """Open a websocket to a `ws://` or `wss://` URL with these handshake headers.

    Raises:
        NetworkError: the connection or the TLS handshake failed.
        APIError: the server refused the upgrade (its HTTP status, as for REST).

    Cancellation: safe; a half-open connection is closed.
    """
    parts = urlsplit(url)
    secure = parts.scheme == "wss"
    host = parts.hostname or ""
    port = parts.port or (443 if secure else 80)
    try:
        if secure:
            stream: anyio.abc.ByteStream = await anyio.connect_tcp(
                host, port, tls=True, ssl_context=ssl_context or ssl_context_from(None)
            )
        else:
            stream = await anyio.connect_tcp(host, port)
    except _NETWORK_ERRORS as exc:
        raise NetworkError(f"could not open {parts.scheme}://{parts.netloc}: {exc}") from exc
    try:
        return await _handshake(stream, parts.netloc, parts.path + _query(parts.query), headers)
    except BaseException:
        await anyio.aclose_forcefully(stream)
        raise


async def _handshake(
    stream: anyio.abc.ByteStream, netloc: str, target: str, headers: Mapping[str, str]
) -> WebSocket:
    protocol = WSConnection(ConnectionType.CLIENT)
    request = Request(
        host=netloc,
        target=target,
        extra_headers=[(k.encode(), v.encode()) for k, v in headers.items()],
        extensions=[PerMessageDeflate()],
    )
    try:
        await stream.send(protocol.send(request))
        rejection: RejectConnection | None = None
        body = b""
        while True:
            protocol.receive_data(await stream.receive(_READ_SIZE))
            for event in protocol.events():
                if isinstance(event, AcceptConnection):
                    return WebSocket(stream, protocol)
                if isinstance(event, RejectConnection):
                    rejection = event
                    if not event.has_body:
                        raise _rejected(event, body)
                elif isinstance(event, RejectData) and rejection is not None:
                    body += event.data
                    if event.body_finished:
                        raise _rejected(rejection, body)
    except (*_NETWORK_ERRORS, RemoteProtocolError) as exc:
        raise NetworkError(f"the websocket handshake with {netloc} failed: {exc}") from exc


def _rejected(event: RejectConnection, body: bytes) -> APIError:
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        parsed = {"message": body.decode("utf-8", "replace"), "status": None}
    return api_error(event.status_code, parsed)


def _query(query: str) -> str:
    return f"?{query}" if query else ""
