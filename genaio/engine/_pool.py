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
was read to its exact end, nothing else arrived, and both sides agree to keep it; anything else
(an error, a cancellation, a response left half-read, bytes after the end, an answer that came
before the request was sent whole) closes it. An idle connection is handed out again only if it
has been idle less than `keepalive_expiry` and its socket shows nothing to read (a server that
closed it, or sent bytes nobody asked for); expired ones are closed by the pool before the
server's own idle timeout would close them under a request.

Timeouts: `connect_timeout` bounds opening a connection; an exchange's `read_timeout` bounds the
silence of the server (sending the request and receiving the head, then each wait for more of
the body). Both raise httpx's timeout exceptions, as any httpx transport does.
"""

from __future__ import annotations

import asyncio
import math
import select
import socket
import ssl
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable
from typing import NoReturn

import anyio
import anyio.abc
import anyio.streams.tls
import attrs
import httpx
import sniffio

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
#: A request body larger than this is sent in pieces of this size, each after checking that the
#: server has not answered already (an early answer, e.g. a 413, ends the sending).
_SEND_PIECE = 256 * 1024
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
    #: Idle connections closed instead of being reused: expired, or closed or written to by
    #: the server while idle.
    dropped: int = 0


class _Connection:
    """One HTTP/1.1 connection: a byte stream and the parser of its responses."""

    __slots__ = (
        "_poll",
        "_ssl",
        "answered",
        "early",
        "idle_since",
        "origin",
        "parser",
        "read_timeout",
        "reused",
        "stream",
    )

    def __init__(self, origin: Origin, stream: anyio.abc.ByteStream) -> None:
        self.origin = origin
        self.stream = stream
        self.parser = ResponseParser()
        self.reused = False
        self.answered = False  # whether the server sent anything in the current exchange
        self.early = False  # whether it answered before the request was sent whole
        self.idle_since = 0.0
        self.read_timeout: float | None = None
        self._ssl = stream.extra(anyio.streams.tls.TLSAttribute.ssl_object, None)
        self._poll = _poller(stream.extra(anyio.abc.SocketAttribute.raw_socket, None))

    def readable(self) -> bool:
        """Whether the server sent something (bytes, or the end of the stream) that nobody has
        read: on an idle connection, that it is unusable. A poll with no wait; no I/O."""
        if self._ssl is not None and self._ssl.pending():
            return True
        return self._poll is not None and bool(self._poll.poll(0))

    async def send(self, data: bytes) -> None:
        """Send a request; a large one in pieces, stopping if the server answers first."""
        if len(data) <= _SEND_PIECE:
            await self.stream.send(data)
            return
        for start in range(0, len(data), _SEND_PIECE):
            if start and self.readable():
                self.early = True  # the answer (say a 413) came first; the rest goes unsent
                return
            await self.stream.send(data[start : start + _SEND_PIECE])

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


def _loop_tools() -> tuple[Callable[[], float], Callable[..., anyio.CancelScope]]:
    """The running loop's clock (what `anyio.current_time` reads: trio's, which a MockClock
    drives, or the asyncio loop's `time`) and its cancel scope class: anyio's helpers look the
    loop up on every call, and the pool uses both on every request."""
    if sniffio.current_async_library() == "trio":
        import trio

        return trio.current_time, trio.CancelScope  # type: ignore[return-value]
    return asyncio.get_running_loop().time, anyio.CancelScope


def _poller(sock: socket.socket | None) -> select.poll | None:
    """A poll object watching `sock` for something to read (made once per connection)."""
    if sock is None or not hasattr(select, "poll"):
        return None
    poller = select.poll()
    poller.register(sock, select.POLLIN | select.POLLPRI)
    return poller


class PooledTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 with keep-alive, at most `max_connections` open, `max_keepalive` kept idle for
    at most `keepalive_expiry` seconds each (None: until the server closes them)."""

    def __init__(
        self,
        *,
        max_connections: int = 100,
        max_keepalive: int = 100,
        keepalive_expiry: float | None = None,
        ssl_context: ssl.SSLContext | None = None,
        connect_timeout: float | None = None,
        read_timeout: float | None = None,
    ) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        self._max = max_connections
        self._max_keepalive = max_keepalive
        self._expiry = math.inf if keepalive_expiry is None else keepalive_expiry
        self._ssl_context = ssl_context or httpx.create_ssl_context()
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout  # the httpx door's default; `exchange` takes its own
        self._idle: defaultdict[Origin, list[_Connection]] = defaultdict(list)
        self._idle_count = 0
        self._open = 0  # including connections being opened
        self._busy = 0
        self._waiting = 0
        self._changed = anyio.Event()
        self._closed = False
        self._clock: Callable[[], float] | None = None
        self._scope: Callable[..., anyio.CancelScope] = anyio.CancelScope
        self.opened = self.reused = self.dropped = 0

    def statistics(self) -> PoolStatistics:
        return PoolStatistics(
            open=self._open,
            idle=self._idle_count,
            busy=self._busy,
            waiting=self._waiting,
            opened=self.opened,
            reused=self.reused,
            dropped=self.dropped,
        )

    async def exchange(
        self,
        method: str,
        target: Target,
        headers: Iterable[tuple[bytes, bytes]],
        body: bytes = b"",
        *,
        read_timeout: float | None = None,
    ) -> PooledResponse:
        """Send a request on a pooled connection and return its response, body unread.

        `read_timeout` bounds the server's silence (None: no bound). Failures raise httpx's
        transport exceptions, as from any httpx transport. Cancellation: a cancelled exchange
        closes its connection; nothing is returned to the pool half-used.
        """
        data = _encoded(method, target, headers, body)
        connection = await self._checkout(target.origin)
        try:
            return await self._exchange(connection, method, data, read_timeout)
        except httpx.TransportError:
            if not connection.reused or connection.answered:
                raise
        # A kept-alive connection the server had closed meanwhile: nothing of the answer came,
        # so one more try on a new connection is safe (the body is in memory).
        connection = await self._checkout(target.origin, fresh=True)
        return await self._exchange(connection, method, data, read_timeout)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """The httpx transport interface, over `exchange`."""
        url = request.url
        target = Target(url.scheme, url.host, url.port, url.raw_path)
        headers = [
            (name, value)
            for name, value in request.headers.raw
            if name.lower() not in (b"content-length", b"transfer-encoding")
        ]
        timeout = request.extensions.get("timeout", {}).get("read", self._read_timeout)
        response = await self.exchange(
            request.method, target, headers, await request.aread(), read_timeout=timeout
        )
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
        """The most recently used idle connection (the least likely to be stale), taken out."""
        stack = self._idle.get(origin)
        if not stack:
            return None
        self._idle_count -= 1
        return stack.pop()

    def _reuse(self, connection: _Connection, now: float) -> bool:
        """Whether an idle connection taken out may serve a request (else it is to be closed)."""
        if now - connection.idle_since >= self._expiry or connection.readable():
            self.dropped += 1
            return False
        self._busy += 1
        self.reused += 1
        connection.reused = True
        return True

    def _take_expired(self, origin: Origin, now: float) -> _Connection | None:
        """The longest-idle connection of `origin` if it has expired, taken out (to be closed)."""
        stack = self._idle.get(origin)
        if not stack or now - stack[0].idle_since < self._expiry:
            return None
        self._idle_count -= 1
        self.dropped += 1
        return stack.pop(0)

    def _evict_idle(self) -> _Connection | None:
        """The longest-idle connection of any origin, taken out of the pool (to be closed)."""
        for stack in self._idle.values():
            if stack:
                self._idle_count -= 1
                return stack.pop(0)
        return None

    def _keep(self, connection: _Connection, now: float) -> bool:
        """Return a finished connection to the pool, if it may serve another request: its
        response ended exactly where the bytes read end, the server agreed to keep it, and it
        had the whole request before it answered."""
        self._busy -= 1
        parser = connection.parser
        if self._closed or not (parser.done and parser.keep_alive) or connection.early:
            return False
        if self._idle_count >= self._max_keepalive:
            return False
        connection.idle_since = now
        self._idle[connection.origin].append(connection)
        self._idle_count += 1
        self._notify()
        return True

    def _now(self) -> float:
        """The event loop's clock (anyio's `current_time` looks the loop up on every call; the
        pool reads the clock twice per request)."""
        if self._clock is None:
            self._clock, self._scope = _loop_tools()
        return self._clock()

    async def _receive(self, connection: _Connection) -> None:
        """More of `connection`'s answer, within its read timeout: `TimeoutError` if the
        server stays silent longer."""
        timeout = connection.read_timeout
        if timeout is None:
            await connection.receive()
            return
        with self._scope(deadline=self._now() + timeout) as scope:
            await connection.receive()
        if scope.cancelled_caught:
            raise TimeoutError(f"no byte from the server for {timeout:g} s")

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
                if self._reuse(connection, self._now()):
                    return connection
                await self._close(connection)
                continue
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
            _raise_mapped(exc, httpx.ConnectError, httpx.ConnectTimeout)
        self.opened += 1
        return _Connection(origin, stream)

    async def _exchange(
        self, connection: _Connection, method: str, data: bytes, read_timeout: float | None
    ) -> PooledResponse:
        """Send `data` on `connection` and return the response with its body still unread."""
        connection.parser.reset(head_only=method == "HEAD")
        connection.answered = connection.early = False
        connection.read_timeout = read_timeout
        try:
            if read_timeout is None:
                await connection.send(data)
                await connection.receive_head()
            else:  # one scope for both: a server that does not read the request is silent too
                with self._scope(deadline=self._now() + read_timeout) as scope:
                    await connection.send(data)
                    await connection.receive_head()
                if scope.cancelled_caught:
                    raise TimeoutError(f"no answer from the server within {read_timeout:g} s")
        except BaseException as exc:
            await self._discard(connection)
            _raise_mapped(exc, httpx.ReadError, httpx.ReadTimeout)
        return PooledResponse(self, connection)

    async def _release(self, connection: _Connection) -> None:
        now = self._now()
        if not self._keep(connection, now):
            await self._close(connection)
        while (expired := self._take_expired(connection.origin, now)) is not None:
            await self._close(expired)

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
                await self._pool._receive(connection)
        except BaseException as exc:
            # `aclose` may have released the connection already (a body left half-read, then
            # this generator finalized): release it exactly once.
            if self._connection is connection:
                self._connection = None
                await self._pool._discard(connection)
            _raise_mapped(exc, httpx.ReadError, httpx.ReadTimeout)
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
        try:
            tail = decoder.flush()
        except ProtocolError as exc:
            raise httpx.DecodingError(str(exc)) from exc
        if tail:
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


def _raise_mapped(
    exc: BaseException,
    default: Callable[[str], httpx.TransportError],
    timeout: Callable[[str], httpx.TimeoutException],
) -> NoReturn:
    """Raise the httpx exception for an I/O failure; cancellation and httpx's own pass as they
    are, so that the engine maps every transport failure in one place."""
    if isinstance(exc, httpx.HTTPError) or not isinstance(exc, Exception):
        raise exc
    if isinstance(exc, TimeoutError):
        raise timeout(str(exc) or "timed out") from exc
    if isinstance(exc, ProtocolError):
        raise httpx.RemoteProtocolError(str(exc)) from exc
    raise default(str(exc) or type(exc).__name__) from exc
