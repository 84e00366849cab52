"""The Live API's websocket: wsproto (a protocol core with no I/O) over an anyio byte stream.

It runs on trio and on asyncio, as the rest of the engine does, and speaks TLS with a verifying
context unless the caller hands it another one. One task may receive while another sends; sends
are serialized here, so that a pong answered by the receiver never splits a message being
written. A close from the server, or a connection lost without one, becomes
`APIError(code=<close code>, details=<reason>)` as in the official SDK (1006 when no close frame
came); a frame that breaks the protocol is such a close too (1002, or 1007 for bad UTF-8).

Memory is bounded whatever the server sends: a message is assembled only up to `max_size`
bytes (counted as it arrives, after decompression, and inflation itself stops there), past which
the socket is closed with 1009 and `receive` raises `UnknownApiResponseError`; frames are
decoded one message at a time, so no more than one read (64 KiB) waits undecoded.
"""

from __future__ import annotations

import json
import math
import ssl
import zlib
from collections.abc import Mapping
from typing import Any
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
from wsproto.frame_protocol import CloseReason, Opcode, RsvBits
from wsproto.utilities import LocalProtocolError, RemoteProtocolError

from genaio.engine._errors import api_error
from genaio.errors import APIError, GenaioError, NetworkError, UnknownApiResponseError

__all__ = [
    "MAX_MESSAGE_SIZE",
    "SETUP_TIMEOUT",
    "WebSocket",
    "close_error",
    "connect_websocket",
    "live_limits",
    "ssl_context_from",
]

#: Bytes of one incoming message, after decompression: the official SDK's own limit (its
#: `websockets` connection's default `max_size`), so that what it accepts, genaio accepts.
MAX_MESSAGE_SIZE = 2**20
#: Seconds for a Live setup: connect, TLS, the websocket upgrade and the `setupComplete` reply.
SETUP_TIMEOUT = 30.0
_READ_SIZE = 64 * 1024
_TOO_BIG = 1009
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


def live_limits(args: Mapping[str, object] | None) -> tuple[int | None, float | None]:
    """`max_size` (bytes) and `open_timeout` (seconds) for Live, from `async_client_args`.

    These are the names under which the official SDK hands them to its websocket library;
    None turns a limit off, as there. Other keys are httpx's and are ignored here.

    Raises:
        ValueError: a value that is not a positive number (or None).
    """
    args = args or {}
    max_size = args.get("max_size", MAX_MESSAGE_SIZE)
    timeout = args.get("open_timeout", SETUP_TIMEOUT)
    if max_size is not None and (type(max_size) is not int or max_size < 1):
        raise ValueError(f"async_client_args['max_size'] must be bytes > 0 or None: {max_size!r}")
    if timeout is not None and (
        not isinstance(timeout, int | float) or isinstance(timeout, bool) or not timeout > 0
    ):
        raise ValueError(
            f"async_client_args['open_timeout'] must be seconds > 0 or None: {timeout!r}"
        )
    return max_size, None if timeout is None or math.isinf(timeout) else float(timeout)


class _BoundedDeflate(PerMessageDeflate):
    """permessage-deflate whose inflation stops at the message size limit: a 64 KiB frame can
    inflate a thousandfold. It keeps its own inflater (wsproto's negotiation and outbound side
    are used as they are); a message past the limit fails the connection with 1009."""

    def __init__(self, max_size: int | None) -> None:
        super().__init__()
        self.max_size = max_size
        self._inflater: zlib._Decompress | None = None
        self._message_compressed = False
        self._frame_compressed = False
        self._inflated = 0

    def frame_inbound_header(
        self, proto: object, opcode: Opcode, rsv: RsvBits, payload_length: int
    ) -> CloseReason | RsvBits:
        if rsv.rsv1 and (opcode.iscontrol() or opcode is Opcode.CONTINUATION):
            return CloseReason.PROTOCOL_ERROR
        if opcode in (Opcode.TEXT, Opcode.BINARY):  # a message starts
            self._message_compressed = rsv.rsv1
            self._inflated = 0
        self._frame_compressed = self._message_compressed and not opcode.iscontrol()
        if self._frame_compressed and self._inflater is None:
            self._inflater = zlib.decompressobj(-int(self.server_max_window_bits))
        return RsvBits(True, False, False)

    def frame_inbound_payload_data(self, proto: object, data: bytes) -> bytes | CloseReason:
        return self._inflate(data) if self._frame_compressed else data

    def frame_inbound_complete(self, proto: object, fin: bool) -> bytes | CloseReason | None:
        if not (fin and self._frame_compressed):
            return None
        tail = self._inflate(b"\x00\x00\xff\xff")
        self._message_compressed = self._frame_compressed = False
        if self.server_no_context_takeover:
            self._inflater = None
        return tail

    def _inflate(self, data: bytes) -> bytes | CloseReason:
        assert self._inflater is not None
        room = 0 if self.max_size is None else self.max_size - self._inflated + 1
        try:
            out = self._inflater.decompress(data, room)
        except zlib.error:
            return CloseReason.INVALID_FRAME_PAYLOAD_DATA
        self._inflated += len(out)
        if self.max_size is not None and self._inflated > self.max_size:
            return CloseReason.MESSAGE_TOO_BIG
        return out


class WebSocket:
    """One open websocket. `receive` returns whole messages; `aclose` is bounded and idempotent."""

    def __init__(
        self,
        stream: anyio.abc.ByteStream,
        protocol: WSConnection,
        max_size: int | None = MAX_MESSAGE_SIZE,
    ) -> None:
        self._stream = stream
        self._protocol = protocol
        self._max_size = max_size
        self._send_lock = anyio.Lock()
        self._parts: list[str | bytes] = []
        self._size = 0  # bytes of the message being assembled
        self._closed: GenaioError | None = None
        self._fault: tuple[int, str] | None = None  # the close to send for a server's fault
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

        Raises:
            APIError: the socket is closed (`code` is the close code; 1006 without a close).
            UnknownApiResponseError: a message was larger than `max_size` (the socket is then
                closed with 1009).

        Cancellation: safe; bytes already read stay buffered for the next call.
        """
        while True:
            message = await self._next_message()
            if message is not None:
                return message
            if self._closed is not None:
                raise self._closed
            try:
                data = await self._stream.receive(_READ_SIZE)
            except _NETWORK_ERRORS:
                data = None
            self._protocol.receive_data(data)  # None (end of stream) reads as a 1006 close

    async def aclose(self, code: int = 1000, reason: str = "") -> None:
        """Close politely (send a close frame, wait briefly for the answer), then drop the socket.

        A socket failed for a fault of the server's (a protocol error, a message too big), or
        closed with a code other than 1000, is dropped once its close frame is sent: a server
        that misbehaves is not waited for. A fault's own code replaces `code`.

        Cancellation: shielded and bounded by a short timeout. Idempotent.
        """
        if self._stream_closed:
            return
        self._stream_closed = True
        if self._fault is not None:
            code, reason = self._fault
        with anyio.CancelScope(shield=True):
            if self._protocol.state is ConnectionState.OPEN:
                with anyio.move_on_after(_CLOSE_TIMEOUT):
                    try:
                        await self._send(CloseConnection(code=code, reason=reason))
                        while self._closed is None and code == 1000:
                            await self.receive()
                    except (GenaioError, *_NETWORK_ERRORS, LocalProtocolError):
                        pass
            if self._closed is None:
                self._closed = close_error(code, reason)
            await self._stream.aclose()

    async def _send(self, event: Event) -> None:
        async with self._send_lock:
            try:
                data = self._protocol.send(event)
            except LocalProtocolError:  # closed while this send waited for the lock
                raise self._closed or close_error(_ABNORMAL, "Abnormal closure.") from None
            try:
                await self._stream.send(data)
            except _NETWORK_ERRORS as exc:
                self._closed = self._closed or close_error(_ABNORMAL, "Abnormal closure.")
                raise self._closed from exc

    async def _next_message(self) -> str | bytes | None:
        """Decode buffered frames up to the next whole message (None: more bytes are needed).

        Frames are decoded lazily, one message at a time: a read full of small compressed
        messages is never inflated all at once.
        """
        if self._closed is not None:
            return None
        for event in self._protocol.events():
            if isinstance(event, Message):
                message = self._assemble(event)
                if message is not None or self._closed is not None:
                    return message
            elif isinstance(event, Ping):
                await self._answer(event.response())
            elif isinstance(event, CloseConnection):
                await self._on_close(event)
                return None
        return None

    def _assemble(self, event: Message[Any]) -> str | bytes | None:
        data = event.data
        non_ascii = isinstance(data, str) and not data.isascii()
        self._size += len(data.encode()) if non_ascii else len(data)  # bytes, as on the wire
        if self._max_size is not None and self._size > self._max_size:
            self._parts = []
            self._too_big()
            return None
        self._parts.append(data)
        if not event.message_finished:
            return None
        joiner = "" if isinstance(event, TextMessage) else b""
        message = joiner.join(self._parts)  # type: ignore[arg-type]
        self._parts, self._size = [], 0
        return message

    def _too_big(self) -> None:
        self._closed = UnknownApiResponseError(
            f"a Live message was larger than {self._max_size} bytes: the session was closed "
            "with 1009 (async_client_args['max_size'] raises the limit)"
        )
        self._fault = (_TOO_BIG, "message too big")

    async def _on_close(self, event: CloseConnection) -> None:
        if event.code == _TOO_BIG and self._protocol.state is ConnectionState.OPEN:
            self._too_big()  # our inflater refused the message (wsproto reports it as a close)
            return
        reason = event.reason or ("Abnormal closure." if event.code == _ABNORMAL else "")
        self._closed = close_error(event.code, reason)  # before answering: no send slips in
        if self._protocol.state is ConnectionState.REMOTE_CLOSING:
            await self._answer(event.response())
        elif self._protocol.state is ConnectionState.OPEN:
            self._fault = (event.code, "")  # a protocol error found here: tell the server

    async def _answer(self, event: Event) -> None:
        try:
            await self._send(event)
        except APIError:
            pass  # the peer is gone; the next receive reports it


async def connect_websocket(
    url: str,
    headers: Mapping[str, str],
    *,
    ssl_context: ssl.SSLContext | None = None,
    max_size: int | None = MAX_MESSAGE_SIZE,
) -> WebSocket:
    """Open a websocket to a `ws://` or `wss://` URL with these handshake headers; its
    incoming messages may be `max_size` bytes at most (None: no limit).

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
        target = parts.path + _query(parts.query)
        return await _handshake(stream, parts.netloc, target, headers, max_size)
    except BaseException:
        await anyio.aclose_forcefully(stream)
        raise


async def _handshake(
    stream: anyio.abc.ByteStream,
    netloc: str,
    target: str,
    headers: Mapping[str, str],
    max_size: int | None,
) -> WebSocket:
    protocol = WSConnection(ConnectionType.CLIENT)
    request = Request(
        host=netloc,
        target=target,
        extra_headers=[(k.encode(), v.encode()) for k, v in headers.items()],
        extensions=[_BoundedDeflate(max_size)],
    )
    try:
        await stream.send(protocol.send(request))
        rejection: RejectConnection | None = None
        body = b""
        while True:
            protocol.receive_data(await stream.receive(_READ_SIZE))
            for event in protocol.events():
                if isinstance(event, AcceptConnection):
                    return WebSocket(stream, protocol, max_size)
                if isinstance(event, RejectConnection):
                    rejection = event
                    if not event.has_body:
                        raise _rejected(event, body)
                elif isinstance(event, RejectData) and rejection is not None:
                    body += event.data
                    if event.body_finished or len(body) >= _READ_SIZE:  # enough to say why
                        raise _rejected(rejection, body[:_READ_SIZE])
    except (*_NETWORK_ERRORS, RemoteProtocolError) as exc:
        raise NetworkError(f"the websocket handshake with {netloc} failed: {exc}") from exc


def _rejected(event: RejectConnection, body: bytes) -> APIError:
    try:
        parsed = json.loads(body) if body else None
    except (ValueError, RecursionError):
        parsed = None
    if not isinstance(parsed, dict):
        parsed = {"message": body.decode("utf-8", "replace"), "status": None}
    return api_error(event.status_code, parsed)


def _query(query: str) -> str:
    return f"?{query}" if query else ""
