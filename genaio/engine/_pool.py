"""The connection pool the connection actor owns: HTTP/1.1 over h11 and anyio streams.

httpx stays the client API; this is the `httpx.AsyncBaseTransport` under it. httpcore's pool does
work proportional to its connections on every request, which makes it slower the more requests
are in flight (see docs/performance.md); this one keeps, per origin, a stack of idle keep-alive
connections (the most recently used first: the warmest, the least likely to have been closed)
and a count of open ones, so taking and returning a connection costs the same at any load.

The decisions (which connection, may another open, may this one be reused) are synchronous; the
I/O around them is a thin async shell. A connection goes back to the pool only when its response
was read to the end and both sides agree to keep it; anything else (an error, a cancellation,
a response left half-read) closes it.
"""

from __future__ import annotations

import ssl
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from typing import Any, NoReturn

import anyio
import anyio.abc
import anyio.streams.tls
import attrs
import h11
import httpx

__all__ = ["PoolStatistics", "PooledTransport"]

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
    """One HTTP/1.1 connection: a byte stream and its h11 state machine."""

    __slots__ = ("h11", "origin", "reused", "stream")

    def __init__(self, origin: Origin, stream: anyio.abc.ByteStream) -> None:
        self.origin = origin
        self.stream = stream
        self.h11 = h11.Connection(h11.CLIENT)
        self.reused = False

    async def send(self, event: Any) -> None:
        data = self.h11.send(event)
        if data:
            await self.stream.send(data)

    async def next_event(self) -> Any:
        while True:
            event = self.h11.next_event()
            if event is not h11.NEED_DATA:
                return event
            self.h11.receive_data(await self.stream.receive(_READ_SIZE))

    def reusable(self) -> bool:
        return self.h11.our_state is h11.DONE and self.h11.their_state is h11.DONE


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

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send `request` on a pooled connection and return its response, body unread.

        Cancellation: a cancelled exchange closes its connection; nothing is returned to the
        pool half-used.
        """
        origin = (request.url.raw_scheme, request.url.raw_host, request.url.port or _port(request))
        connection = await self._checkout(origin, request)
        try:
            return await self._exchange(connection, request)
        except httpx.TransportError:
            if not (connection.reused and _replayable(request)):
                raise
        # A kept-alive connection the server had closed meanwhile: nothing of the answer came,
        # so one more try on a new connection is safe.
        return await self._exchange(await self._checkout(origin, request, fresh=True), request)

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
        if self._closed or not connection.reusable() or self._idle_count >= self._max_keepalive:
            return False
        connection.h11.start_next_cycle()
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

    async def _checkout(
        self, origin: Origin, request: httpx.Request, *, fresh: bool = False
    ) -> _Connection:
        while True:
            if self._closed:
                raise httpx.ConnectError("the connection pool is closed", request=request)
            if not fresh and (connection := self._take_idle(origin)) is not None:
                return connection
            if self._open < self._max:
                return await self._connect(origin, request)
            if (victim := self._evict_idle()) is not None:
                await self._close(victim)
                continue
            changed = self._changed
            self._waiting += 1
            try:
                await changed.wait()
            finally:
                self._waiting -= 1

    async def _connect(self, origin: Origin, request: httpx.Request) -> _Connection:
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
            _raise_mapped(exc, httpx.ConnectError, request)
        self.opened += 1
        return _Connection(origin, stream)

    async def _exchange(self, connection: _Connection, request: httpx.Request) -> httpx.Response:
        """Send `request` on `connection` and return the response with its body still unread."""
        try:
            await connection.send(
                h11.Request(
                    method=request.method, target=request.url.raw_path, headers=request.headers.raw
                )
            )
            async for chunk in request.stream:  # type: ignore[union-attr]
                await connection.send(h11.Data(data=chunk))
            await connection.send(h11.EndOfMessage())
            head = await connection.next_event()
        except BaseException as exc:
            await self._discard(connection)
            _raise_mapped(exc, httpx.ReadError, request)
        if not isinstance(head, h11.Response):
            await self._discard(connection)
            raise httpx.RemoteProtocolError(f"unexpected {type(head).__name__}", request=request)
        return httpx.Response(
            head.status_code,
            headers=head.headers,
            stream=_Body(self, connection, request),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": head.reason},
        )

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


class _Body(httpx.AsyncByteStream):
    """A response body, read from its connection as the caller asks; closing it gives the
    connection back (read to the end) or closes it (anything else)."""

    def __init__(self, pool: PooledTransport, connection: _Connection, request: httpx.Request):
        self._pool = pool
        self._connection: _Connection | None = connection
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        connection = self._connection
        if connection is None:
            return
        try:
            while True:
                event = await connection.next_event()
                if isinstance(event, h11.Data):
                    yield bytes(event.data)
                elif isinstance(event, h11.EndOfMessage):
                    break
                else:
                    raise httpx.RemoteProtocolError(
                        f"unexpected {type(event).__name__} in a body", request=self._request
                    )
        except BaseException as exc:
            # `aclose` may have released the connection already (a body left half-read, then
            # this generator finalized): release it exactly once.
            if self._connection is connection:
                self._connection = None
                await self._pool._discard(connection)
            _raise_mapped(exc, httpx.ReadError, self._request)
        if self._connection is connection:
            self._connection = None
            await self._pool._release(connection)

    async def aclose(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:  # left before the end: the connection cannot be reused
            await self._pool._discard(connection)


def _port(request: httpx.Request) -> int:
    return 443 if request.url.scheme == "https" else 80


def _replayable(request: httpx.Request) -> bool:
    """Whether the body can be sent again (bytes already in memory can)."""
    return isinstance(request.stream, httpx.ByteStream)


def _raise_mapped(
    exc: BaseException, default: Callable[..., httpx.TransportError], request: httpx.Request
) -> NoReturn:
    """Raise the httpx exception for an I/O failure; cancellation and httpx's own pass as they
    are, so that the engine maps every transport failure in one place."""
    if isinstance(exc, httpx.HTTPError) or not isinstance(exc, Exception):
        raise exc
    if isinstance(exc, TimeoutError):
        raise httpx.ConnectTimeout(str(exc) or "connect timed out", request=request) from exc
    if isinstance(exc, h11.RemoteProtocolError | h11.LocalProtocolError):
        raise httpx.RemoteProtocolError(str(exc), request=request) from exc
    raise default(str(exc) or type(exc).__name__, request=request) from exc
