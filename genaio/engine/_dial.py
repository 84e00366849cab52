"""Opening the pool's connections: TCP, then TLS, at most `max_dials` at once per origin.

Thousands of calls started at once against a fresh pool would otherwise open thousands of
connections at once: every handshake in flight together, each advancing a little per turn of the
event loop, none finishing before nearly all do. On a busy machine the burst outlasts the
connect timeout, which fires on handshakes that were only waiting for the CPU, and each retry
adds a handshake to the burst (docs/performance.md, "Cold fan-out over TLS"). With a bound, the
first connections are ready in milliseconds and serve their requests while the rest open; a
request waiting for its turn takes a connection of its origin that has come free meanwhile
instead (the pool offers it: `changed`), so a burst opens only as many connections as it needs.

The connect timeout bounds each dial from when it starts, not the wait for a turn. A dial that
fails (refused, unreachable, timed out) fails the requests in line behind it with the same
kind of error, as their own dials would most likely fail: they go to the caller's retries at
once instead of each waiting out a timeout in turn.

Waiting is one line per origin, first come first served, woken one at a time (a dial ended, or
a connection of the origin came free or closed), so a burst costs one wake-up per event, not one
per waiter.
"""

from __future__ import annotations

import ssl
from collections import Counter, defaultdict, deque
from collections.abc import Callable

import anyio
import anyio.abc
import anyio.streams.tls
import attrs
import httpx

from genaio.engine._connection import Origin, raise_mapped

__all__ = ["DialStatistics", "Dialer"]


@attrs.frozen
class DialStatistics:
    """Connections being opened now and requests in line for a turn to open one (all origins),
    and the dials over the pool's life that failed (of them, by the connect timeout)."""

    dialing: int
    waiting: int
    failed: int
    timed_out: int


class _Turn:
    """One request's place in its origin's line."""

    __slots__ = ("event", "failure", "woken")

    def __init__(self) -> None:
        self.event = anyio.Event()
        self.woken = False
        self.failure: httpx.TransportError | None = None


class Dialer:
    """Opens connections, at most `max_dials` at once per origin, each within `connect_timeout`
    seconds (None: no bound) from when its dial starts. `tls_context` is called for each TLS
    dial (the pool makes its context on first use)."""

    def __init__(
        self,
        *,
        max_dials: int,
        connect_timeout: float | None,
        tls_context: Callable[[], ssl.SSLContext],
    ) -> None:
        if max_dials < 1:
            raise ValueError("max_dials must be at least 1")
        self._max = max_dials
        self._timeout = connect_timeout
        self._tls_context = tls_context
        self._dialing: Counter[Origin] = Counter()
        self._lines: defaultdict[Origin, deque[_Turn]] = defaultdict(deque)
        self.failed = self.timed_out = 0

    def __repr__(self) -> str:
        s = self.statistics()
        return f"<Dialer dialing={s.dialing} waiting={s.waiting} max_dials={self._max}>"

    def statistics(self) -> DialStatistics:
        return DialStatistics(
            dialing=self._dialing.total(),
            waiting=sum(len(line) for line in self._lines.values()),
            failed=self.failed,
            timed_out=self.timed_out,
        )

    # The synchronous core: whose turn it is.

    def may_dial(self, origin: Origin) -> bool:
        """Whether a dial to `origin` may start now."""
        return self._dialing[origin] < self._max

    def changed(self, origin: Origin) -> None:
        """A connection of `origin` came free or closed, or one of its dials ended: wake the
        first request in its line to look again (it takes the connection, or dials)."""
        line = self._lines.get(origin)
        if line:
            turn = line.popleft()
            turn.woken = True
            turn.event.set()

    def fail(self, origin: Origin, failure: httpx.TransportError) -> None:
        """Wake every request in `origin`'s line with an error like `failure` (each its own)."""
        line = self._lines.pop(origin, None)
        for turn in line or ():
            turn.failure = type(failure)(str(failure))
            turn.event.set()

    def close(self, failure: httpx.TransportError) -> None:
        """Wake every request in line, of every origin, with `failure` (the pool closed)."""
        for origin in list(self._lines):
            self.fail(origin, failure)

    # The async shell.

    async def wait_turn(self, origin: Origin) -> None:
        """Wait in `origin`'s line until something changed for it (`changed`); then look again.

        Raises the error of a dial to `origin` that failed meanwhile. Cancellation: the request
        leaves the line; a wake-up it had been given goes to the next in line.
        """
        turn = _Turn()
        line = self._lines[origin]
        line.append(turn)
        try:
            await turn.event.wait()
        except BaseException:
            if turn.woken:  # a wake-up this request cannot use: the next in line gets it
                self.changed(origin)
            elif turn.failure is None:
                line.remove(turn)
            raise
        if turn.failure is not None:
            raise turn.failure

    async def dial(self, origin: Origin) -> anyio.abc.ByteStream:
        """A new connection's stream: TCP, then TLS for https (verified against the host).

        Failures raise `httpx.ConnectError`, or `httpx.ConnectTimeout` past the connect timeout,
        and fail the requests in line for `origin` likewise. Cancellation: the half-open
        connection is closed and the turn goes to the next in line.
        """
        self._dialing[origin] += 1
        try:
            with anyio.fail_after(self._timeout):
                return await self._open(origin)
        except Exception as exc:
            self.failed += 1
            self.timed_out += isinstance(exc, TimeoutError)
            try:
                raise_mapped(exc, httpx.ConnectError, httpx.ConnectTimeout)
            except httpx.TransportError as failure:
                self.fail(origin, type(failure)(f"a connection to this host failed: {failure}"))
                raise
        finally:
            self._dialing[origin] -= 1
            self.changed(origin)

    async def _open(self, origin: Origin) -> anyio.abc.ByteStream:
        scheme, host, port = origin
        stream = await anyio.connect_tcp(host.decode("ascii"), port)
        if scheme != b"https":
            return stream
        try:
            return await anyio.streams.tls.TLSStream.wrap(
                stream,
                hostname=host.decode("ascii"),
                ssl_context=self._tls_context(),
                standard_compatible=False,
            )
        except BaseException:
            await anyio.aclose_forcefully(stream)
            raise
