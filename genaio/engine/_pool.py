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
the body), enforced by the pool's watchdog (`_watchdog.py`: one task, not a cancel scope per
wait). Both raise httpx's timeout exceptions, as any httpx transport does.

HTTP/2 (`http2=True`): https origins are offered ALPN `h2` too; the HTTP/2 connections the
servers that choose it give, their streams, and when to open another are `_pool_http2.py`'s.
The pool checks a connection out for an https origin by asking it first, and serves the origins
whose server chose HTTP/1.1 as above.

The HTTP/1.1 connection is `_connection.py`, the HTTP/2 one `_http2.py`; opening either (a bounded
number at once per origin), `_dial.py`; the responses and their bodies, `_pooled_response.py`.
"""

from __future__ import annotations

import asyncio
import math
import ssl
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TYPE_CHECKING

import anyio
import attrs
import httpx
import sniffio

from genaio.engine._config import MAX_DIALS
from genaio.engine._connection import Connection, Origin, raise_mapped
from genaio.engine._dial import Dialer
from genaio.engine._http2_wire import Refused
from genaio.engine._http11 import Encoded, ProtocolError, Target, encode_request
from genaio.engine._pool_http2 import Http2Origins, Http2Statistics
from genaio.engine._pool_places import Places
from genaio.engine._pooled_response import HttpxBody, PooledResponse, PoolResponse
from genaio.engine._watchdog import Watchdog, no_clock

if TYPE_CHECKING:  # HTTP/2's modules (and hpack) come with the first HTTP/2 connection
    from genaio.engine._http2 import Http2Connection
    from genaio.engine._http2_wire import Exchange

__all__ = ["PoolResponse", "PoolStatistics", "PooledResponse", "PooledTransport"]

#: What an https connection offers when the pool speaks HTTP/2, in order of preference.
_ALPN = ["h2", "http/1.1"]


@attrs.frozen
class PoolStatistics:
    """Connections open, idle and serving a request now, and requests waiting for one (for a
    free slot, or in line to open one: `PooledTransport.dialer` has the line's statistics)."""

    open: int
    idle: int
    busy: int
    waiting: int
    opened: int  # connections opened over the pool's life
    reused: int  # requests served on a connection that was kept alive
    #: Idle connections closed instead of being reused: expired, or closed or written to by
    #: the server while idle.
    dropped: int = 0
    dialing: int = 0  # connections being opened now (counted in open and busy too)
    #: Exchanges in flight on HTTP/2 connections (each of which counts once in `open`, and in
    #: `busy` while it carries any, else in `idle`).
    streams: int = 0


def _loop_clock() -> Callable[[], float]:
    """The running loop's clock: what `anyio.current_time` reads (trio's, which a MockClock
    drives, or the asyncio loop's `time`) without looking the loop up on every call."""
    if sniffio.current_async_library() == "trio":
        import trio

        return trio.lowlevel.current_clock().current_time
    return asyncio.get_running_loop().time


class PooledTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 with keep-alive, at most `max_connections` open, `max_keepalive` kept idle for
    at most `keepalive_expiry` seconds each (None: until the server closes them), at most
    `max_dials` being opened at once per origin; with `http2`, HTTP/2 to the https servers that
    choose it."""

    def __init__(
        self,
        *,
        max_connections: int = 100,
        max_keepalive: int = 100,
        keepalive_expiry: float | None = None,
        ssl_context: ssl.SSLContext | None = None,
        connect_timeout: float | None = None,
        read_timeout: float | None = None,
        max_dials: int = MAX_DIALS,
        http2: bool = False,
    ) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        self._max_keepalive = max_keepalive
        self._expiry = math.inf if keepalive_expiry is None else keepalive_expiry
        # None: httpx's default context, made at the first TLS connection (loading the CA
        # bundle costs tens of ms that a plain-HTTP client, such as one of the emulator's, never
        # needs).
        self._ssl_context = ssl_context
        self._connect_timeout = connect_timeout  # also bounds an HTTP/2 connection's settings
        self.dialer = Dialer(
            max_dials=max_dials, connect_timeout=connect_timeout, tls_context=self._tls_context
        )
        self._read_timeout = read_timeout  # the httpx door's default; `exchange` takes its own
        self._idle: defaultdict[Origin, list[Connection]] = defaultdict(list)
        self._idle_count = 0
        self._places = Places(max_connections)
        self._clock: Callable[[], float] = no_clock  # the loop's, from the first request on
        self._watchdog = Watchdog()
        self.opened = self.reused = self.dropped = 0
        self._http2: Http2Origins | None = None  # https origins' HTTP/2 connections
        if http2:
            self._http2 = Http2Origins(
                self,
                self._places,
                self._watchdog,
                self._connect,
                keepalive_expiry=self._expiry,
                connect_timeout=connect_timeout,
            )
            if ssl_context is not None:
                ssl_context.set_alpn_protocols(_ALPN)

    def __repr__(self) -> str:
        origins = ", ".join(
            f"{scheme.decode()}://{host.decode()}:{port} ({len(stack)} idle)"
            for (scheme, host, port), stack in self._idle.items()
        )
        places = self._places
        return (
            f"<PooledTransport{' closed' if places.closed else ''} open={places.open} "
            f"idle={self._idle_count} busy={places.busy} waiting={places.waiting} "
            f"max={places.limit} [{origins}]>"
        )

    def statistics(self) -> PoolStatistics:
        dials = self.dialer.statistics()
        http2 = Http2Statistics(0, 0, 0) if self._http2 is None else self._http2.statistics()
        places = self._places
        return PoolStatistics(
            open=places.open,
            idle=self._idle_count + http2.connections - http2.carrying,
            busy=places.busy + http2.carrying,
            waiting=places.waiting + dials.waiting,
            opened=self.opened,
            reused=self.reused,
            dropped=self.dropped,
            dialing=dials.dialing,
            streams=http2.streams,
        )

    def exchange(
        self,
        method: str,
        target: Target,
        headers: Sequence[tuple[bytes, bytes]],
        body: bytes = b"",
        *,
        read_timeout: float | None = None,
    ) -> Awaitable[PoolResponse]:
        """Send a request on a pooled connection; what to await for its response, body unread.

        `read_timeout` bounds the server's silence (None: no bound). Failures raise httpx's
        transport exceptions, as from any httpx transport. Cancellation: a cancelled exchange
        closes its HTTP/1.1 connection, or resets its HTTP/2 stream; nothing is returned to the
        pool half-used. (A plain function returning what to await: no frame of its own alive
        while the request is in flight.)
        """
        if self._http2 is not None and target.origin[0] == b"https":
            return self._exchange_any(method, target, headers, body, read_timeout)
        return self._exchange_h1(method, target, headers, body, read_timeout)

    async def _exchange_h1(
        self,
        method: str,
        target: Target,
        headers: Sequence[tuple[bytes, bytes]],
        body: bytes,
        read_timeout: float | None,
    ) -> PoolResponse:
        """`exchange` on an HTTP/1.1 connection, sent once more on a new one if a kept-alive
        connection turns out to have been closed by the server."""
        data = _encoded(method, target, headers, body)
        connection = await self._checkout(target.origin)
        try:
            return await self._exchange(connection, method, data, read_timeout)
        except httpx.TransportError:
            if not connection.reused or connection.answered or connection.timed_out:
                raise
        # A kept-alive connection the server had closed meanwhile: nothing of the answer came,
        # so one more try on a new connection is safe (the body is in memory). A silent one
        # is not stale: the server may be working on the request.
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
            stream=HttpxBody(response),
            extensions=response.extensions(),
        )

    async def aclose(self) -> None:
        """Close the idle connections and the watchdog; busy ones close when their response
        ends. Cancellation: what is left is closed forcefully."""
        self._places.closed = True
        self.dialer.close(httpx.ConnectError("the connection pool is closed"))
        idle = [c for stack in self._idle.values() for c in stack]
        self._idle.clear()
        self._idle_count = 0
        for connection in idle:
            await self._close(connection)
        if self._http2 is not None:
            await self._http2.aclose()
        await self._watchdog.aclose()

    # What a `PooledResponse` calls while its body is read.

    async def receive(self, connection: Connection) -> None:
        """More of `connection`'s answer, within its read timeout (the watchdog closes the
        connection of a server silent longer)."""
        timeout = connection.read_timeout
        if timeout is None:
            await connection.receive()
            return
        self._watchdog.arm(connection, self._clock() + timeout)
        await connection.receive()
        self._watchdog.disarm(connection)

    async def release(self, connection: Connection) -> None:
        """The response was read to its end: keep `connection` if it may serve another."""
        now = self._clock()
        if not self._keep(connection, now):
            await self._close(connection)
        stack = self._idle.get(connection.origin)
        if stack and now - stack[0].idle_since >= self._expiry:  # rare: no call otherwise
            while (expired := self._take_expired(connection.origin, now)) is not None:
                await self._close(expired)

    async def discard(self, connection: Connection) -> None:
        """The exchange failed or was left: `connection` cannot be reused."""
        self._places.busy -= 1
        self._watchdog.disarm(connection)
        await self._close(connection)

    # What an `Http2Response` calls while its body is read (plain functions returning what to
    # await: no frame of their own).

    def receive_stream(self, exchange: Exchange) -> Awaitable[None]:
        """`Http2Origins.receive_stream`."""
        assert self._http2 is not None  # only an HTTP/2 pool makes an `Http2Response`
        return self._http2.receive_stream(exchange)

    def end_stream(self, exchange: Exchange) -> Awaitable[None]:
        """`Http2Origins.end_stream`."""
        assert self._http2 is not None
        return self._http2.end_stream(exchange)

    # The synchronous core: which connection, and whether one may be kept.

    def _take_idle(self, origin: Origin) -> Connection | None:
        """The most recently used idle connection (the least likely to be stale), taken out."""
        stack = self._idle.get(origin)
        if not stack:
            return None
        self._idle_count -= 1
        return stack.pop()

    def _reuse(self, connection: Connection, now: float) -> bool:
        """Whether an idle connection taken out may serve a request (else it is to be closed)."""
        if now - connection.idle_since >= self._expiry or connection.readable():
            self.dropped += 1
            return False
        self._places.busy += 1
        self.reused += 1
        connection.reused = True
        return True

    def _take_expired(self, origin: Origin, now: float) -> Connection | None:
        """The longest-idle connection of `origin` if it has expired, taken out (to be closed)."""
        stack = self._idle.get(origin)
        if not stack or now - stack[0].idle_since < self._expiry:
            return None
        self._idle_count -= 1
        self.dropped += 1
        return stack.pop(0)

    def _evict_idle(self) -> Connection | None:
        """The longest-idle connection of any origin, taken out of the pool (to be closed)."""
        for stack in self._idle.values():
            if stack:
                self._idle_count -= 1
                return stack.pop(0)
        return None

    def _keep(self, connection: Connection, now: float) -> bool:
        """Return a finished connection to the pool, if it may serve another request: its
        response ended exactly where the bytes read end, the server agreed to keep it, and it
        had the whole request before it answered."""
        self._places.busy -= 1
        parser = connection.parser
        if self._places.closed or not (parser.done and parser.keep_alive) or connection.early:
            return False
        if self._idle_count >= self._max_keepalive:
            return False
        connection.idle_since = now
        self._idle[connection.origin].append(connection)
        self._idle_count += 1
        self._places.notify()
        self.dialer.changed(connection.origin)
        return True

    # The async shell.

    async def _checkout(self, origin: Origin, *, fresh: bool = False) -> Connection:
        if self._clock is no_clock:
            self._clock = self._watchdog.clock = _loop_clock()
        while True:
            if self._places.closed:
                raise httpx.ConnectError("the connection pool is closed")
            if not fresh and (connection := self._take_idle(origin)) is not None:
                if self._reuse(connection, self._clock()):
                    return connection
                await self._close(connection)
                continue
            if not self.dialer.may_dial(origin):  # wait for a dial to end, or a connection
                await self.dialer.wait_turn(origin)  # of this origin to come free meanwhile
                continue
            if self._places.free:
                opened = await self._connect(origin)
                assert isinstance(opened, Connection)  # h2 is offered on `_exchange_any`'s way
                return opened
            if (victim := self._evict_idle()) is not None:
                await self._close(victim)
                continue
            await self._places.wait_for_change()

    def _tls_context(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            self._ssl_context = httpx.create_ssl_context()
            if self._http2 is not None:
                self._ssl_context.set_alpn_protocols(_ALPN)
        return self._ssl_context

    async def _connect(self, origin: Origin) -> Connection | Http2Connection:
        """Open a connection to `origin` in a place of the pool's (busy while it opens)."""
        places = self._places
        places.open += 1
        places.busy += 1
        try:
            stream = await self.dialer.dial(origin)
        except BaseException:
            places.busy -= 1
            places.give_back()
            raise
        self.opened += 1
        if stream.extra(anyio.streams.tls.TLSAttribute.alpn_protocol, None) == "h2":
            from genaio.engine._http2 import Http2Connection

            return Http2Connection(origin, stream, self._watchdog)
        return Connection(origin, stream)

    # HTTP/2 (`http2=True`, https origins).

    async def _exchange_any(
        self,
        method: str,
        target: Target,
        headers: Sequence[tuple[bytes, bytes]],
        body: bytes,
        read_timeout: float | None,
    ) -> PoolResponse:
        """`exchange` to an https origin on an HTTP/2 pool: on a stream of a shared connection,
        or on an HTTP/1.1 one if the server chose that. Sent once more on another connection
        if the server did not process it, or if a kept-alive connection had been closed by the
        server: on HTTP/1.1 as `exchange` does; on HTTP/2, a connection that carried nothing
        else when this request took it, that fails before anything came for the request, not
        for a timeout (a server closing an idle connection as the request went out, without
        the GOAWAY that would have said so)."""
        http2 = self._http2
        assert http2 is not None  # `exchange` comes here for an HTTP/2 pool only
        for attempt in range(1, 3):  # (a range's iterator is no object for the collector)
            connection = await self._checkout_any(http2, target.origin, fresh=attempt > 1)
            idle_before = not isinstance(connection, Connection) and (
                connection.reserved == 1 and connection.requests > 0
            )
            try:
                if not isinstance(connection, Connection):
                    return await http2.stream(
                        connection, method, target, headers, body, read_timeout
                    )
                try:
                    data = _encoded(method, target, headers, body)
                except BaseException:
                    await self.discard(connection)
                    raise
                return await self._exchange(connection, method, data, read_timeout)
            except Refused:
                if attempt > 1:
                    raise
            except httpx.TransportError as exc:
                if attempt > 1:
                    raise
                if isinstance(connection, Connection):
                    if not connection.reused or connection.answered or connection.timed_out:
                        raise
                elif not idle_before or connection.error is None:  # not stale: a reset stream,
                    raise  # or a connection busy with others when this request took it
                elif isinstance(exc, httpx.TimeoutException):  # the server may be working
                    raise
        raise AssertionError("unreachable")

    async def _checkout_any(
        self, http2: Http2Origins, origin: Origin, *, fresh: bool
    ) -> Connection | Http2Connection:
        """A stream of an HTTP/2 connection to `origin`, or an HTTP/1.1 connection to it (an
        idle one unless `fresh`); a new connection only when none has room and those being
        opened will not have room for this request (`Http2Origins.dial_wanted`)."""
        if self._clock is no_clock:
            self._clock = self._watchdog.clock = _loop_clock()
        while True:
            if self._places.closed:
                raise httpx.ConnectError("the connection pool is closed")
            if (expired := http2.take_expired(origin)) is not None:
                await http2.close(expired)
                continue
            if (shared := http2.take_stream(origin)) is not None:
                return shared
            if not fresh and (connection := self._take_idle(origin)) is not None:
                if self._reuse(connection, self._clock()):
                    return connection
                await self._close(connection)
                continue
            if not http2.dial_wanted(origin):  # a connection being opened will have room
                await http2.wait_for_stream(origin)
                continue
            if not self.dialer.may_dial(origin):  # an HTTP/1.1 origin: as `_checkout` waits
                await self.dialer.wait_turn(origin)
                continue
            if self._places.free:
                return await http2.open(origin)
            if (victim := self._evict_idle()) is not None:
                await self._close(victim)
                continue
            await self._places.wait_for_change()

    async def _exchange(
        self, connection: Connection, method: str, data: Encoded, read_timeout: float | None
    ) -> PooledResponse:
        """Send `data` on `connection` and return the response with its body still unread."""
        parser = connection.parser
        parser.reset(head_only=method == "HEAD")
        connection.answered = connection.early = False
        connection.read_timeout = read_timeout
        try:
            if read_timeout is not None:  # one deadline for sending and the head: a server
                # that does not read the request is silent too
                self._watchdog.arm(connection, self._clock() + read_timeout)
            if isinstance(data, bytes):  # head and body in one write (most requests)
                await connection.stream.send(data)
            else:
                await connection.send_in_pieces(*data)
            while not parser.head_done:
                await connection.receive()
        except BaseException as exc:
            await self.discard(connection)
            raise_mapped(exc, httpx.ReadError, httpx.ReadTimeout, connection)
        if read_timeout is not None:
            self._watchdog.disarm(connection)
        return PooledResponse(self, connection)

    async def _close(self, connection: Connection) -> None:
        self._places.give_back()
        self.dialer.changed(connection.origin)
        await anyio.aclose_forcefully(connection.stream)


def _encoded(
    method: str, target: Target, headers: Iterable[tuple[bytes, bytes]], body: bytes
) -> Encoded:
    try:
        return encode_request(method, target, headers, body)
    except ProtocolError as exc:
        raise httpx.LocalProtocolError(str(exc)) from exc
