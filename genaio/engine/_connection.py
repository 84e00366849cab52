"""One pooled HTTP/1.1 connection: a byte stream, the parser of its responses, and the state the
pool decides on (reused, answered, idle since, the silence deadline the watchdog checks)."""

from __future__ import annotations

import math
import select
import socket
from collections.abc import Callable
from typing import NoReturn

import anyio
import anyio.abc
import anyio.streams.tls
import httpx

from genaio.engine._http11 import ProtocolError, ResponseParser

__all__ = ["SEND_PIECE", "Connection", "Origin", "raise_mapped"]

_READ_SIZE = 64 * 1024
#: A large request body (one `encode_request` leaves apart from its head) is sent in pieces of
#: this size, each after checking that the server has not answered already (an early answer,
#: e.g. a 413, ends the sending).
SEND_PIECE = 256 * 1024
#: (scheme, host, port), as bytes.
Origin = tuple[bytes, bytes, int]


class Connection:
    """One HTTP/1.1 connection: a byte stream and the parser of its responses."""

    __slots__ = (
        "_poll",
        "_ssl",
        "answered",
        "deadline",
        "early",
        "idle_since",
        "origin",
        "parser",
        "read_timeout",
        "reused",
        "stream",
        "timed_out",
    )

    def __init__(self, origin: Origin, stream: anyio.abc.ByteStream) -> None:
        self.origin = origin
        self.stream = stream
        self.parser = ResponseParser()
        self.reused = False
        self.answered = False  # whether the server sent anything in the current exchange
        self.early = False  # whether it answered before the request was sent whole
        self.idle_since = 0.0
        self.read_timeout: float | None = None  # the current exchange's bound on silence
        #: When the watchdog closes this connection, while it waits for the server (else inf).
        self.deadline = math.inf
        self.timed_out = False  # whether the watchdog closed it: its error is a timeout
        self._ssl = stream.extra(anyio.streams.tls.TLSAttribute.ssl_object, None)
        self._poll = _poller(stream.extra(anyio.abc.SocketAttribute.raw_socket, None))

    def __repr__(self) -> str:
        scheme, host, port = self.origin
        parser = self.parser
        state = "done" if parser.done else "body" if parser.head_done else "head"
        return (
            f"<Connection {scheme.decode()}://{host.decode()}:{port} {state}"
            f"{' reused' if self.reused else ''}{' timed out' if self.timed_out else ''}>"
        )

    def readable(self) -> bool:
        """Whether the server sent something (bytes, or the end of the stream) that nobody has
        read: on an idle connection, that it is unusable. A poll with no wait; no I/O."""
        if self._ssl is not None and self._ssl.pending():
            return True
        return self._poll is not None and bool(self._poll.poll(0))

    async def send_in_pieces(self, head: bytes, body: bytes) -> None:
        """Send a request with a large body: its head, then the body in pieces, stopping if the
        server answers first. The pieces are views of `body`, never copies of it."""
        await self.stream.send(head)
        view = memoryview(body)
        for start in range(0, len(view), SEND_PIECE):
            if self.readable():
                self.early = True  # the answer (say a 413) came first; the rest goes unsent
                return
            # anyio types `send` for bytes; every stream under it takes a view (trio's
            # `send_all`, asyncio's `transport.write`, `SSLObject.write`).
            await self.stream.send(view[start : start + SEND_PIECE])  # type: ignore[arg-type]

    async def receive(self) -> None:
        """Feed the parser what the server sends next (or that it closed the connection)."""
        try:
            data = await self.stream.receive(_READ_SIZE)
        except anyio.EndOfStream:
            self.parser.feed_eof()
        else:
            self.answered = True
            self.parser.feed(data)


def _poller(sock: socket.socket | None) -> select.poll | None:
    """A poll object watching `sock` for something to read (made once per connection)."""
    if sock is None or not hasattr(select, "poll"):
        return None
    poller = select.poll()
    poller.register(sock, select.POLLIN | select.POLLPRI)
    return poller


def raise_mapped(
    exc: BaseException,
    default: Callable[[str], httpx.TransportError],
    timeout: Callable[[str], httpx.TimeoutException],
    connection: Connection | None = None,
) -> NoReturn:
    """Raise the httpx exception for an I/O failure (on `connection`, if it was one); cancellation
    and httpx's own pass as they are, so that the engine maps every transport failure in one
    place. A connection the watchdog closed failed by a read timeout, whatever its stream raised.
    """
    if isinstance(exc, httpx.HTTPError) or not isinstance(exc, Exception):
        raise exc
    if connection is not None and connection.timed_out:
        raise httpx.ReadTimeout(
            f"no answer from the server for {connection.read_timeout:g} s"
        ) from exc
    if isinstance(exc, TimeoutError):
        raise timeout(str(exc) or "timed out") from exc
    if isinstance(exc, ProtocolError):
        raise httpx.RemoteProtocolError(str(exc)) from exc
    raise default(str(exc) or type(exc).__name__) from exc
