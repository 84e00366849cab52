"""The connection pool the connection actor owns: HTTP/1.1 over anyio streams.

httpcore's pool does work proportional to its connections on every request, which makes it
slower the more requests are in flight (see docs/performance.md); this one keeps, per origin, a
stack of idle keep-alive connections (the most recently used first: the warmest, the least likely
to have been closed) and a count of open ones, so taking and returning a connection costs the same
at any load.

Two doors: `exchange`, which the engine uses (bytes in, a `PooledResponse` out: no
`httpx.Request`/`httpx.Response` per request, which cost more than the HTTP itself), and the
`httpx.AsyncBaseTransport` interface, so that the pool can serve an `httpx.AsyncClient` too.

The decisions (which connection, may another open, may this one be reused) are synchronous; the
I/O around them is a thin async shell. A connection goes back to the pool only when its response
was read to the end and both sides agree to keep it; anything else (an error, a cancellation,
a response left half-read) closes it.
"""

from __future__ import annotations

import ssl
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable
from typing import NoReturn

import anyio
import anyio.abc
import anyio.streams.tls
import attrs
import httpx

from genaio.engine._http11 import (
    Decoder,
    ProtocolError,
    ResponseHeaders,
    ResponseParser,
    Target,
    encode_request,
)

__all__ = ["PoolStatistics", "PooledResponse", "PooledTransport"]

_READ_SIZE = 64 * 1024
Origin = tuple[bytes, bytes, int]


@attrs.frozen
class PoolStatistics:
    """Connections open, idle and serving a request now, and requests waiting for one."""

    open: int
    idle: int
    busy: int
    waiting: int
    opened: int  # connections opened over the pool's life
    reused: int  # requests served on a connection that was kept alive


class _Connection:
    """One HTTP/1.1 connection: a byte stream and the parser of its responses."""

    __slots__ = ("answered", "origin", "parser", "reused", "stream")

    def __init__(self, origin: Origin, stream: anyio.abc.ByteStream) -> None:
        self.origin = origin
        self.stream = stream
        self.parser = ResponseParser()
        self.reused = False
        self.answered = False  # whether the server sent anything in the current exchange

    async def receive_head(self) -> None:
        parser = self.parser
        while not parser.head_done:
            await self.receive()

    async def receive(self) -> None:
        """Feed the parser what the server sends next (or that it closed the connection)."""
        try:
            data = await self.stream.receive(_READ_SIZE)
        except anyio.EndOfStream:
            self.parser.feed_eof()
        else:
            self.answered = True
            self.parser.feed(data)


class PooledTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 with keep-alive, at most `max_connections` open, `max_keepalive` kept idle."""

    def __init__(
        self,
        *,
        max_connections: int = 100,
        max_keepalive: int = 100,
        ssl_context: ssl.SSLContext | None = None,
        connect_timeout: float | None = None,
    ) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        self._max = max_connections
        self._max_keepalive = max_keepalive
        self._ssl_context = ssl_context or httpx.create_ssl_context()
        self._connect_timeout = connect_timeout
        self._idle: defaultdict[Origin, list[_Connection]] = defaultdict(list)
        self._idle_count = 0
        self._open = 0  # including connections being opened
        self._busy = 0
        self._waiting = 0
        self._changed = anyio.Event()
        self._closed = False
        self.opened = self.reused = 0

    def statistics(self) -> PoolStatistics:
        return PoolStatistics(
            open=self._open,
            idle=self._idle_count,
            busy=self._busy,
            waiting=self._waiting,
            opened=self.opened,
            reused=self.reused,
        )

    async def exchange(
        self,
        method: str,
        target: Target,
        headers: Iterable[tuple[bytes, bytes]],
        body: bytes = b"",
    ) -> PooledResponse:
        """Send a request on a pooled connection and return its response, body unread.

        Failures raise httpx's transport exceptions, as from any httpx transport. Cancellation: a
        cancelled exchange closes its connection; nothing is returned to the pool half-used.
        """
        data = _encoded(method, target, headers, body)
        connection = await self._checkout(target.origin)
        try:
            return await self._exchange(connection, method, data)
        except httpx.TransportError:
            if not connection.reused or connection.answered:
                raise
        # A kept-alive connection the server had closed meanwhile: nothing of the answer came,
        # so one more try on a new connection is safe (the body is in memory).
        connection = await self._checkout(target.origin, fresh=True)
        return await self._exchange(connection, method, data)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """The httpx transport interface, over `exchange`."""
        url = request.url
        target = Target(url.scheme, url.host, url.port, url.raw_path)
        headers = [
            (name, value)
            for name, value in request.headers.raw
            if name.lower() not in (b"content-length", b"transfer-encoding")
        ]
        response = await self.exchange(request.method, target, headers, await request.aread())
        return httpx.Response(
            response.status_code,
            headers=response.raw_headers,
            stream=_HttpxBody(response),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": response.reason},
        )

    async def aclose(self) -> None:
        self._closed = True
        idle = [c for stack in self._idle.values() for c in stack]
        self._idle.clear()
        self._idle_count = 0
        for connection in idle:
            await self._close(connection)

    # The synchronous core: which connection, and whether one may be kept.

    def _take_idle(self, origin: Origin) -> _Connection | None:
        stack = self._idle.get(origin)
        if not stack:
            return None
        connection = stack.pop()  # the most recently used: the least likely to be stale
        self._idle_count -= 1
        self._busy += 1
        self.reused += 1
        connection.reused = True
        return connection

    def _evict_idle(self) -> _Connection | None:
        """The longest-idle connection of any origin, taken out of the pool (to be closed)."""
        for stack in self._idle.values():
            if stack:
                self._idle_count -= 1
                return stack.pop(0)
        return None

    def _keep(self, connection: _Connection) -> bool:
        """Return a finished connection to the pool, if it may serve another request."""
        self._busy -= 1
        parser = connection.parser
        if self._closed or not (parser.done and parser.keep_alive):
            return False
        if self._idle_count >= self._max_keepalive:
            return False
        self._idle[connection.origin].append(connection)
        self._idle_count += 1
        self._notify()
        return True

    def _notify(self) -> None:
        """Wake the requests waiting for the pool to change (a slot freed, a connection idle)."""
        if self._waiting:
            self._changed.set()
            self._changed = anyio.Event()

    # The async shell.

    async def _checkout(self, origin: Origin, *, fresh: bool = False) -> _Connection:
        while True:
            if self._closed:
                raise httpx.ConnectError("the connection pool is closed")
            if not fresh and (connection := self._take_idle(origin)) is not None:
                return connection
            if self._open < self._max:
                return await self._connect(origin)
            if (victim := self._evict_idle()) is not None:
                await self._close(victim)
                continue
            changed = self._changed
            self._waiting += 1
            try:
                await changed.wait()
            finally:
                self._waiting -= 1

    async def _connect(self, origin: Origin) -> _Connection:
        self._open += 1
        self._busy += 1
        scheme, host, port = origin
        try:
            with anyio.fail_after(self._connect_timeout):
                stream: anyio.abc.ByteStream = await anyio.connect_tcp(host.decode("ascii"), port)
                if scheme == b"https":
                    stream = await anyio.streams.tls.TLSStream.wrap(
                        stream,
                        hostname=host.decode("ascii"),
                        ssl_context=self._ssl_context,
                        standard_compatible=False,
                    )
        except BaseException as exc:
            self._open -= 1
            self._busy -= 1
            self._notify()
            _raise_mapped(exc, httpx.ConnectError)
        self.opened += 1
        return _Connection(origin, stream)

    async def _exchange(self, connection: _Connection, method: str, data: bytes) -> PooledResponse:
        """Send `data` on `connection` and return the response with its body still unread."""
        connection.parser.reset(head_only=method == "HEAD")
        connection.answered = False
        try:
            await connection.stream.send(data)
            await connection.receive_head()
        except BaseException as exc:
            await self._discard(connection)
            _raise_mapped(exc, httpx.ReadError)
        return PooledResponse(self, connection)

    async def _release(self, connection: _Connection) -> None:
        if not self._keep(connection):
            await self._close(connection)

    async def _discard(self, connection: _Connection) -> None:
        self._busy -= 1
        await self._close(connection)

    async def _close(self, connection: _Connection) -> None:
        self._open -= 1
        self._notify()
        await anyio.aclose_forcefully(connection.stream)


class PooledResponse:
    """A response's status and headers, with its body read from the connection on demand.

    Reading the body to its end gives the connection back to the pool; `aclose` before the end
    closes it. Either happens exactly once.
    """

    __slots__ = ("_connection", "_pool", "headers", "raw_headers", "reason", "status_code")

    def __init__(self, pool: PooledTransport, connection: _Connection) -> None:
        self._pool = pool
        self._connection: _Connection | None = connection
        parser = connection.parser
        self.status_code = parser.status
        self.reason = parser.reason
        self.raw_headers = parser.raw_headers
        self.headers = ResponseHeaders.of(parser.raw_headers)

    async def aiter_raw(self) -> AsyncIterator[bytes]:
        """The body as it came (still content-encoded)."""
        connection = self._connection
        if connection is None:
            return
        parser = connection.parser
        try:
            while True:
                if parser.body:
                    chunks, parser.body = parser.body, []
                    for chunk in chunks:
                        yield chunk
                if parser.done:
                    break
                await connection.receive()
        except BaseException as exc:
            # `aclose` may have released the connection already (a body left half-read, then
            # this generator finalized): release it exactly once.
            if self._connection is connection:
                self._connection = None
                await self._pool._discard(connection)
            _raise_mapped(exc, httpx.ReadError)
        if self._connection is connection:
            self._connection = None
            await self._pool._release(connection)

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        """The body, its content-encoding undone."""
        try:
            decoder = Decoder(self.headers.get("content-encoding"))
        except ProtocolError as exc:
            await self.aclose()
            raise httpx.DecodingError(str(exc)) from exc
        async for chunk in self.aiter_raw():
            try:
                data = decoder.decode(chunk)
            except ProtocolError as exc:
                raise httpx.DecodingError(str(exc)) from exc
            if data:
                yield data
        if tail := decoder.flush():
            yield tail

    async def aclose(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        if connection.parser.done:  # all of it arrived (a body nobody wanted): reusable
            await self._pool._release(connection)
        else:  # left before the end: the connection cannot be reused
            await self._pool._discard(connection)


class _HttpxBody(httpx.AsyncByteStream):
    """A `PooledResponse`'s body as httpx reads it (httpx undoes the content-encoding)."""

    def __init__(self, response: PooledResponse) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._response.aiter_raw():
            yield chunk

    async def aclose(self) -> None:
        await self._response.aclose()


def _encoded(
    method: str, target: Target, headers: Iterable[tuple[bytes, bytes]], body: bytes
) -> bytes:
    try:
        return encode_request(method, target, headers, body)
    except ProtocolError as exc:
        raise httpx.LocalProtocolError(str(exc)) from exc


def _raise_mapped(exc: BaseException, default: Callable[[str], httpx.TransportError]) -> NoReturn:
    """Raise the httpx exception for an I/O failure; cancellation and httpx's own pass as they
    are, so that the engine maps every transport failure in one place."""
    if isinstance(exc, httpx.HTTPError) or not isinstance(exc, Exception):
        raise exc
    if isinstance(exc, TimeoutError):
        raise httpx.ConnectTimeout(str(exc) or "connect timed out") from exc
    if isinstance(exc, ProtocolError):
        raise httpx.RemoteProtocolError(str(exc)) from exc
    raise default(str(exc) or type(exc).__name__) from exc
