"""HTTP/2's share of the connection pool: the HTTP/2 connections to each https origin, their
streams, and the decision when to open another.

With `http2=True`, https origins are offered ALPN `h2` and `http/1.1`. When the server picks h2,
its connection carries many exchanges at once (up to the server's MAX_CONCURRENT_STREAMS) and
counts as one; another is opened only when all of an origin's are full. Until the first has told
how many streams the server takes, one is opened at a time (the callers beyond wait for it rather
than each opening their own, which under a cold fan-out would be thousands of handshakes); from
then on, as many at once as the callers waiting need. When the server picks HTTP/1.1, the origin is
served as any plain-http one. An exchange the server did not process (REFUSED_STREAM, above a
GOAWAY's last stream) is sent once more on another connection (by the pool's `_exchange_any`, which
retries on either protocol). A silent server's read timeout resets that stream alone; a server that
reads nothing for `WRITE_TIMEOUT` has its connection closed by the pool's watchdog. HTTP/1.1
requests pay nothing for this: plain-http origins, and pools without `http2`, never come here.

The pool (`_pool.py`) keeps what both protocols share: its places (`_pool_places.py`: the limit
and count of open connections, the waiting for a change), the dialer, the watchdog and the
counters; it checks a connection out by asking this class first. The connection itself is
`_http2.py`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

import anyio
import attrs
import httpx

from genaio.engine._connection import Connection, Origin, raise_mapped
from genaio.engine._http11 import Target
from genaio.engine._pool_places import Places
from genaio.engine._pooled_response import Http2Response
from genaio.engine._watchdog import Watchdog

if TYPE_CHECKING:  # HTTP/2's modules (and hpack) come with the first HTTP/2 connection
    from genaio.engine._http2 import Http2Connection
    from genaio.engine._http2_wire import Exchange
    from genaio.engine._pool import PooledTransport

__all__ = ["Http2Origins", "Http2Statistics"]


@attrs.frozen
class Http2Statistics:
    """The HTTP/2 connections open (each counts once among the pool's), those carrying any
    exchange now, and the exchanges in flight on them."""

    connections: int
    carrying: int
    streams: int


class Http2Origins:
    """The HTTP/2 connections of a pool's https origins and their streams.

    It belongs to `pool` (whose counters it adds to, and whose responses it makes), shares the
    pool's `places` (it gives a place back when a connection closes, wakes the waiters when a
    stream comes free, keeps no connection once the pool is closed) and opens its connections
    with `connect`, the pool's (which takes a place and dials).
    """

    def __init__(
        self,
        pool: PooledTransport,
        places: Places,
        watchdog: Watchdog,
        connect: Callable[[Origin], Awaitable[Connection | Http2Connection]],
        *,
        keepalive_expiry: float,
        connect_timeout: float | None,
    ) -> None:
        self._pool = pool
        self._places = places
        self._watchdog = watchdog
        self._connect = connect
        self._expiry = keepalive_expiry
        self._connect_timeout = connect_timeout  # also bounds the settings' exchange
        #: The HTTP/2 connections to each origin, the oldest first.
        self.connections: dict[Origin, list[Http2Connection]] = {}
        self._h1_origins: set[Origin] = set()  # https origins whose server chose HTTP/1.1
        # Connections being opened to each origin, the streams a connection to each carries (its
        # server's last MAX_CONCURRENT_STREAMS, once one has started), and the requests waiting
        # for a stream of one being opened.
        self._dialing: Counter[Origin] = Counter()
        self._streams_per_connection: dict[Origin, int] = {}
        self._awaiting_stream: Counter[Origin] = Counter()

    def statistics(self) -> Http2Statistics:
        shared = [c for connections in self.connections.values() for c in connections]
        return Http2Statistics(
            connections=len(shared),
            carrying=sum(c.reserved > 0 for c in shared),
            streams=sum(c.reserved for c in shared),
        )

    async def aclose(self) -> None:
        """Close the connections that carry nothing; the others close when their last stream
        ends (the pool being closed). Cancellation: each is closed forcefully."""
        for idle in [c for cs in self.connections.values() for c in cs if not c.reserved]:
            await self.close(idle)

    # The synchronous core: which connection, and whether to open another.

    def take_stream(self, origin: Origin) -> Http2Connection | None:
        """An HTTP/2 connection to `origin` with room for one more stream, the stream taken
        (the oldest first, so that the newer ones empty and the server may close them)."""
        for connection in self.connections.get(origin, ()):
            if connection.has_room():
                if connection.requests:
                    self._pool.reused += 1
                connection.reserved += 1
                return connection
        return None

    def take_expired(self, origin: Origin) -> Http2Connection | None:
        """An HTTP/2 connection to `origin` idle for `keepalive_expiry` (to be closed, as an
        HTTP/1.1 one would be)."""
        for connection in self.connections.get(origin, ()):
            if not connection.reserved and self._watchdog.clock() - connection.idle_since >= (
                self._expiry
            ):
                self._pool.dropped += 1
                return connection
        return None

    def dial_wanted(self, origin: Origin) -> bool:
        """Whether a request that found no stream free should open another connection to
        `origin` (or, if its server chose HTTP/1.1, dial as for any HTTP/1.1 origin), rather
        than wait for one of those being opened (`wait_for_stream`).

        Until a connection to `origin` has started, nobody knows whether its server speaks
        HTTP/2, or how many streams it takes: one is opened at a time (thousands of requests
        at once open one connection, not thousands). From then on, each connection being
        opened carries its opener's stream and as many more as the server's last
        MAX_CONCURRENT_STREAMS allows, and the requests beyond what those will carry open more
        at once (2,000 requests to a server taking 100 streams open 20, the first alone and
        then 19 together, not one after another: over a distant link a dial is several round
        trips)."""
        if origin in self._h1_origins:
            return True
        dialing = self._dialing[origin]
        if not dialing:
            return True
        streams = self._streams_per_connection.get(origin)
        if streams is None:
            return False
        return self._awaiting_stream[origin] >= dialing * (streams - 1)

    def _retire(self, connection: Http2Connection) -> bool:
        """Give back one stream of `connection`; whether the connection is now to be closed
        (failed, going away, or the pool closed, and it carries nothing any more)."""
        connection.reserved -= 1
        if not connection.reserved:
            connection.idle_since = self._watchdog.clock()
        if connection.error is None and connection.goaway is None and not self._places.closed:
            self._places.notify()  # a place for a stream is free
            return False
        return not connection.reserved

    # The async shell.

    async def wait_for_stream(self, origin: Origin) -> None:
        """Until the pool changes, counted among the requests that the connections being opened
        to `origin` will carry."""
        self._awaiting_stream[origin] += 1
        try:
            await self._places.wait_for_change()
        finally:
            self._awaiting_stream[origin] -= 1
            if not self._awaiting_stream[origin]:
                del self._awaiting_stream[origin]

    async def open(self, origin: Origin) -> Connection | Http2Connection:
        """Open a connection to `origin`, HTTP/2 or HTTP/1.1 as its server chooses; an HTTP/2
        one is ready (settings exchanged) and has a stream taken for the caller."""
        places = self._places
        self._dialing[origin] += 1
        try:
            connection = await self._connect(origin)
            if isinstance(connection, Connection):
                self._h1_origins.add(origin)
                return connection
            places.busy -= 1  # an HTTP/2 connection counts as busy while it carries streams
            try:
                with anyio.fail_after(self._connect_timeout):
                    await connection.start()
            except BaseException as exc:
                places.open -= 1
                await anyio.aclose_forcefully(connection.stream)
                raise_mapped(exc, httpx.ConnectError, httpx.ConnectTimeout)
            self._h1_origins.discard(origin)
            self._streams_per_connection[origin] = max(connection.max_streams, 1)
            self.connections.setdefault(origin, []).append(connection)
            connection.reserved += 1
            return connection
        finally:
            self._dialing[origin] -= 1
            if not self._dialing[origin]:
                del self._dialing[origin]
            places.notify()

    async def stream(
        self,
        connection: Http2Connection,
        method: str,
        target: Target,
        headers: Sequence[tuple[bytes, bytes]],
        body: bytes,
        read_timeout: float | None,
    ) -> Http2Response:
        """Send a request on a stream of `connection` (taken for it) and return the response
        with its body unread. Cancellation: the stream is reset, the connection serves on."""
        try:
            exchange = connection.open(method, target, headers, body, read_timeout)
        except BaseException:
            await self._release_stream(connection)
            raise
        watchdog = self._watchdog
        try:
            if read_timeout is not None:  # one deadline for sending and the head, as on
                # HTTP/1.1: a server that opens no window for the body is silent too
                watchdog.arm(exchange, watchdog.clock() + read_timeout)
            await connection.send(exchange, body)
            while not exchange.status:
                await connection.wait(exchange)
        except BaseException:
            await self.end_stream(exchange)
            raise
        if read_timeout is not None:
            watchdog.disarm(exchange)
        return Http2Response(self._pool, exchange)

    # What an `Http2Response` calls (through the pool) while its body is read.

    async def receive_stream(self, exchange: Exchange) -> None:
        """More of `exchange`'s answer, within its read timeout (the watchdog resets the stream
        of a server silent longer)."""
        timeout = exchange.read_timeout
        if timeout is None:
            await exchange.connection.wait(exchange)
            return
        watchdog = self._watchdog
        watchdog.arm(exchange, watchdog.clock() + timeout)
        await exchange.connection.wait(exchange)
        watchdog.disarm(exchange)

    async def end_stream(self, exchange: Exchange) -> None:
        """The exchange ended, or was left (its stream is reset): its place is free again."""
        self._watchdog.disarm(exchange)
        exchange.connection.reset(exchange)
        await self._release_stream(exchange.connection)

    async def _release_stream(self, connection: Http2Connection) -> None:
        """A stream of `connection` is done: send what it left to send (a RST_STREAM, window
        updates), or close the connection if it is to be closed. Cancellation: shielded."""
        if self._retire(connection):
            await self.close(connection)
        elif connection.frames.has_data_to_send():  # mostly nothing: no coroutine for it
            await connection.flush()

    async def close(self, connection: Http2Connection) -> None:
        """Close an HTTP/2 connection, taking it out of the pool if it is still there."""
        connections = self.connections.get(connection.origin, [])
        if connection in connections:
            connections.remove(connection)
            if not connections:
                del self.connections[connection.origin]
            self._places.give_back()
        await anyio.aclose_forcefully(connection.stream)
