"""One HTTP/2 connection of the pool: many exchanges at once over one TLS stream, framed by
genaio's own sans-I/O codec (`_http2_frames.py`), with no task of its own.

The shape is httpcore's: whoever waits for its stream's news reads the socket for everyone. One
waiter at a time is the reader: it reads, the codec hands each frame to its exchange (the
`on_*` handlers, with no I/O), the handlers wake the exchanges that got news, and the reader
reads on until its own exchange has some; then it passes the reading to the newest waiter (whose
answer, servers answering about in the order asked, is the last to come). Writes go out under
one writer: a task that finds another writing leaves its frames in the codec's buffer, and the
writer sends them in its next round.

Cancellation: a cancelled caller resets its own stream (RST_STREAM CANCEL) and leaves the
connection to the others. A read cut short loses nothing (no byte has been taken), so reads are
cancellable. A write is not: anyio's TLS stream encrypts before it sends, and a cancellation in
between would lose a TLS record and break the connection for every stream on it; so each write
is shielded, and bounded by `WRITE_TIMEOUT` (a server that reads nothing that long is gone: the
pool's watchdog closes the connection, as it closes a silent HTTP/1.1 one, rather than a
deadline per write). On asyncio a native cancellation (`Task.cancel`, `asyncio.timeout`) passes
anyio's shields, so there the write runs in a task of its own that the caller's cancellation
does not reach.

What a request costs: a cancel scope costs more on trio than the HTTP/2 framing of a small
request, so a request whose task reads for itself (no other reader: always at concurrency 1)
enters one, the reader's: its request is queued by `send` and written by `_read_for` under that
scope, shielded for the write. A request sent while another task reads is written at once
under a shielded scope of its own (the reader would send it only once it wakes).

Failures stay where they belong: whatever the server says of one stream (a reset, a bad head, a
body at odds with its content-length: RFC 9113 §8.1.1) fails that exchange alone; a
connection-level failure (the socket, a connection error of the protocol) fails every exchange
on it with an httpx transport error. A stream the server never processed (refused, or above a
GOAWAY's last stream id) fails with `Refused`, so that the pool sends it again. After a GOAWAY
the connection reads on: the streams it lets finish still have answers to come.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Protocol

import anyio
import anyio.abc
import httpx
import sniffio
import trio

from genaio.engine._connection import Origin
from genaio.engine._http2_frames import (
    CANCEL,
    ENABLE_PUSH,
    INITIAL_WINDOW_SIZE,
    MAX_CONCURRENT_STREAMS,
    MAX_HEADER_LIST_SIZE,
    MAX_STREAM_ID,
    PROTOCOL_ERROR,
    REFUSED_STREAM,
    Http2Codec,
    Http2ProtocolError,
    error_name,
)
from genaio.engine._http2_wire import (
    Exchange,
    HeaderDecoder,
    HeaderEncoder,
    Refused,
    RequestHeaders,
    refused,
)
from genaio.engine._http11 import ProtocolError, Target
from genaio.engine._watchdog import Watchdog

__all__ = ["Http2Connection"]

_READ_SIZE = 64 * 1024
#: Streams at once on one connection, at most (the server's MAX_CONCURRENT_STREAMS may be less).
MAX_STREAMS = 1000
#: Our receive windows: a stream may have 1 MiB unread, all of them together 16 MiB.
_STREAM_WINDOW = 1 << 20
_CONNECTION_WINDOW = 1 << 24
_MAX_HEADER_LIST = 64 * 1024
#: What we tell the server: no push, our stream window, how many streams it may open (h2's
#: default, sent as before: with push off a server opens none), and how large a head we take.
_SETTINGS = {
    ENABLE_PUSH: 0,
    INITIAL_WINDOW_SIZE: _STREAM_WINDOW,
    MAX_CONCURRENT_STREAMS: 100,
    MAX_HEADER_LIST_SIZE: _MAX_HEADER_LIST,
}
#: A shielded write that cannot finish in this many seconds fails the connection.
WRITE_TIMEOUT = 60.0


class _Scope(Protocol):
    """A cancel scope, anyio's or (cheaper, on trio) trio's own."""

    shield: bool

    def cancel(self) -> None: ...

    def __enter__(self) -> object: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
        /,
    ) -> bool: ...


class Http2Connection:
    """One HTTP/2 connection: the frame codec over a byte stream, and its exchanges."""

    def __init__(self, origin: Origin, stream: anyio.abc.ByteStream, watchdog: Watchdog) -> None:
        self.origin = origin
        self.stream = stream
        #: The pool's: it closes the connection when a write has not finished in WRITE_TIMEOUT.
        self._watchdog = watchdog
        self.deadline = float("inf")  # the watchdog's, while a write is under way
        self.timed_out = False  # the watchdog closed the connection: a write did not finish
        self.frames: Http2Codec[Exchange] = Http2Codec(
            self,
            HeaderEncoder(),  # HPACK that remembers the blocks that repeat
            HeaderDecoder(_MAX_HEADER_LIST),
            _SETTINGS,
            _CONNECTION_WINDOW,
        )
        self._request_headers = RequestHeaders()
        self.exchanges: dict[int, Exchange] = {}  # in play: until their response is done
        self.max_streams = 1  # until the server's SETTINGS say how many
        self.reserved = 0  # streams the pool has handed out (sent or about to be)
        self.requests = 0  # streams opened over the connection's life
        self.idle_since = 0.0
        #: The last stream the server will process, once it sent a GOAWAY (no new streams then).
        self.goaway: int | None = None
        #: Why the connection failed, once it has: every exchange on it fails so.
        self.error: httpx.TransportError | None = None
        self._settled = False  # the server's SETTINGS have come
        self._reader: Exchange | None = None  # the exchange whose task reads now
        self._read_scope: _Scope | None = None  # the reader's, but while it shields a write
        self._writing = False
        self._waiting: dict[Exchange, None] = {}  # exchanges waiting while another reads
        self._asyncio = sniffio.current_async_library() == "asyncio"
        #: trio's own on trio: anyio's wraps it, at a cost per request.
        self._scope: Callable[..., _Scope] = (
            anyio.CancelScope if self._asyncio else trio.CancelScope
        )

    def __repr__(self) -> str:
        scheme, host, port = self.origin
        state = "failed" if self.error else "going away" if self.goaway is not None else "open"
        return (
            f"<Http2Connection {scheme.decode()}://{host.decode()}:{port} {state} "
            f"streams={len(self.exchanges)}/{self.max_streams} requests={self.requests}>"
        )

    def has_room(self) -> bool:
        """Whether the pool may start another stream here."""
        return self.error is None and self.goaway is None and self.reserved < self.max_streams

    async def start(self) -> None:
        """Send our preface and settings, and read until the server's settings have come (so
        that the pool knows how many streams it may open). The caller bounds it in time.
        Cancellation: the connection is left half-started (the pool closes it)."""
        self.frames.start()
        await self.flush()
        while not self._settled and self.error is None:
            self._receive(await self.stream.receive(_READ_SIZE))
            await self.flush()
        if self.error is not None:
            raise self.error

    # The exchanges' side.

    def open(
        self,
        method: str,
        target: Target,
        headers: Sequence[tuple[bytes, bytes]],
        body: bytes,
        read_timeout: float | None,
    ) -> Exchange:
        """Open a stream for a request (the caller has reserved it) and queue its head; `send`
        sends it. No I/O; raises `Refused` or `httpx.LocalProtocolError`."""
        fields = self._request_headers(method, target, headers, body)
        frames = self.frames
        stream_id = frames.next_stream_id
        if self.goaway is not None:  # reserved before the GOAWAY came: it would be ignored
            raise refused("the server is closing the connection (GOAWAY)")
        if stream_id > MAX_STREAM_ID:
            self.goaway = 0  # no stream ids left: the pool opens another connection
            raise refused("the connection has no stream ids left")
        if len(frames.streams) >= frames.max_concurrent:  # the server lowered its limit
            raise refused("the server takes no more streams now")
        exchange = Exchange(self, stream_id)
        exchange.read_timeout = read_timeout
        if method == "HEAD":
            exchange.length = 0
        self.exchanges[stream_id] = exchange
        self.requests += 1
        frames.send_headers(exchange, fields, end_stream=not body)
        return exchange

    async def send(self, exchange: Exchange, body: bytes) -> None:
        """Queue the request `open` opened, with its `body` as the windows allow (sending what
        is queued when they are shut, or as the body goes past a frame); the next `wait` sends
        the rest. Cancellation: the caller resets the stream (`reset`); what went out stays
        whole (see the module's docstring)."""
        if body:
            await self._send_body(exchange, body)

    async def wait(self, exchange: Exchange) -> None:
        """Until `exchange` has news (head, data, its end, a window to send in), reading for
        everyone if nobody else is; what is queued is sent first. Raises the exchange's error,
        if it has one. Cancellation: another waiter takes over the reading."""
        while not exchange.news and exchange.error is None:
            if self.error is not None:
                exchange.error = self.error
            elif self._reader is not None:
                if not self._writing and self.frames.has_data_to_send():
                    await self.flush()  # this task's frames: the reader sends once it wakes
                    continue
                self._waiting[exchange] = None
                wakeup = exchange.wakeup
                wakeup.clear()
                try:
                    await wakeup.wait()
                except BaseException:  # cancelled: if the reading was handed to this task,
                    self._waiting.pop(exchange, None)  # it passes it on
                    if self._reader is None:
                        self._hand_on()
                    raise
                self._waiting.pop(exchange, None)
            else:
                await self._read_for(exchange)
        exchange.news = False
        if exchange.error is not None:
            raise exchange.error

    def consumed(self, exchange: Exchange) -> None:
        """The response took what had arrived: open the windows by as much. No I/O (the next
        flush sends the WINDOW_UPDATE, if one is due)."""
        if exchange.unacked:
            self.frames.acknowledge(exchange)

    def reset(self, exchange: Exchange) -> None:
        """End `exchange`, resetting its stream if it is still open; no I/O (the next flush
        sends the RST_STREAM). Wakes its waiter, who sees its error (if it has one)."""
        if self.exchanges.pop(exchange.stream_id, None) is None:
            return
        if isinstance(exchange.error, Refused):
            self.frames.forget(exchange)  # the server will not process it: nothing to reset
        else:
            self.frames.reset_stream(exchange, CANCEL)  # if still open (a body cut short too)
        self.consumed(exchange)  # the connection's window counts what was never read
        if exchange.error is None and not exchange.ended:
            exchange.error = httpx.ReadError("the exchange was closed before its end")
        self._wake(exchange)
        if self._reader is exchange and self._read_scope is not None:
            self._read_scope.cancel()  # it is the reader, waiting for its own news

    async def flush(self) -> None:
        """Send what the codec has queued. Never raises: a failed write fails the connection
        (and so every exchange on it). Cancellation: the write is shielded (see the module's
        docstring); on asyncio it runs in a task of its own, as a native cancellation
        (`Task.cancel`, `asyncio.timeout`) passes anyio's shields, and the caller stops
        waiting for it."""
        if not (data := self._take_writing()):
            return
        if self._asyncio:
            await asyncio.shield(self._write(data))
        else:
            with self._scope(shield=True):
                await self._write(data)

    async def _flush_within(self, scope: _Scope) -> None:
        """`flush`, shielded by the reader's own `scope` rather than by a scope of its own (on
        trio); the caller sees that the scope has not been cancelled (which would cut the
        write). Cancellation: as `flush`."""
        if self._asyncio:
            await self.flush()
            return
        if data := self._take_writing():
            self._read_scope = None  # `reset` and `fail` must not cancel a write: they cannot
            scope.shield = True  # now, and the caller's cancellation waits until it is out
            await self._write_within(scope, data)

    async def _write_within(self, scope: _Scope, data: bytes) -> None:
        """`_write` under the reader's `scope`, shielded (on trio), with the writing taken
        (`_take_writing`: nothing to do if it gave nothing); the scope is the reader's again
        (cancellable by `reset` and `fail`) once it is out."""
        if not data:
            scope.shield = False
            return
        try:
            await self._write(data)
        finally:
            scope.shield = False
            self._read_scope = scope

    def _take_writing(self) -> bytes:
        """What the codec has queued, with the writing taken for it (`_write` gives it back);
        nothing if another task is writing (it sends this too) or nothing is queued."""
        if self._writing:
            return b""
        data = self.frames.data_to_send()
        self._writing = bool(data)
        return data

    async def _write(self, data: bytes) -> None:
        """Send `data` and whatever is queued meanwhile (the caller has set `_writing` and
        shields it), the pool's watchdog closing the connection if that takes longer than
        `WRITE_TIMEOUT`."""
        watchdog = self._watchdog
        watchdog.arm(self, watchdog.clock() + WRITE_TIMEOUT)
        try:
            while data:
                await self.stream.send(data)
                data = self.frames.data_to_send()
        except Exception as exc:
            self.fail(self._failure(exc, httpx.WriteError))
        finally:
            watchdog.disarm(self)
            self._writing = False

    def _failure(self, exc: Exception, default: type[httpx.TransportError]) -> httpx.TransportError:
        """The httpx error for an I/O failure: a write timeout if the watchdog closed the
        connection (the reader sees it closed too), else `exc` mapped."""
        if self.timed_out:
            return httpx.WriteTimeout(f"the server read nothing for {WRITE_TIMEOUT:g} s")
        return _mapped(exc, default)

    def fail(self, error: httpx.TransportError) -> None:
        """The connection is broken: every exchange on it fails with `error`, and nothing more
        is sent (but the GOAWAY of a connection error the server made). No I/O."""
        if self.error is None:
            self.error = error
        self.frames.close()
        for exchange in self.exchanges.values():
            if exchange.error is None:
                exchange.error = error
            self._wake(exchange)
        if self._read_scope is not None:
            self._read_scope.cancel()

    # The reader.

    async def _read_for(self, exchange: Exchange) -> None:
        """Read, for everyone, until `exchange` has news; then hand the reading on. `reset` or
        `fail` cancel the reading (one scope for all the reads: a scope per read cost more than
        the handling of a frame), and either gives `exchange` news or the connection an error,
        which end the loop anyway."""
        self._reader = exchange
        try:
            # The request queued (always, at concurrency 1) is written shielded from the
            # scope's start: trio walks the scopes each time a shield is turned on or off
            # (with flushing only what is queued: about 7K of 805K instructions a request at
            # concurrency 1, cachegrind). On asyncio the write is a task of its own (`flush`).
            first = self._may_write(exchange) and not self._asyncio
            scope = self._scope(shield=first)
            with scope:
                if first:
                    await self._write_within(scope, self._take_writing())
                self._read_scope = scope
                while True:  # what is queued first (acknowledgements: the server may wait for
                    # them), unless the scope may be cancelled (it waits then)
                    if self._may_write(exchange):
                        await self._flush_within(scope)
                    if exchange.news or exchange.error is not None or self.error is not None:
                        break
                    if data := await self.stream.receive(_READ_SIZE):
                        self._receive(data)
        except anyio.EndOfStream:
            self.fail(httpx.RemoteProtocolError("the server closed the connection"))
        except Exception as exc:
            self.fail(self._failure(exc, httpx.ReadError))
        finally:
            self._reader = None
            self._read_scope = None
            self._hand_on()

    def _may_write(self, exchange: Exchange) -> bool:
        """Whether the reader for `exchange` has frames to write (and a connection and stream
        they are still for): a check in place of a flush after every read, as nothing is
        queued after most."""
        return exchange.error is None and self.error is None and self.frames.has_data_to_send()

    def _hand_on(self) -> None:
        """Wake one waiter with no news of its own: it reads next. The newest: servers tend to
        answer in the order they were asked, so the oldest waiter's answer is the next to
        come, and as the reader it would read just that one and hand on again (a wake and a
        scope per answer); the newest reads for everyone before it."""
        if self._waiting:
            self._wake(next(reversed(self._waiting)), news=False)

    def _receive(self, data: bytes) -> None:
        """Hand what the server sent to the codec, which calls the `on_*` handlers. No I/O."""
        try:
            self.frames.receive(data)
        except Http2ProtocolError as exc:
            self.fail(httpx.RemoteProtocolError(f"the server broke HTTP/2: {exc}"))

    def _wake(self, exchange: Exchange, *, news: bool = True) -> None:
        if news:
            exchange.news = True
        if exchange in self._waiting:
            del self._waiting[exchange]
            exchange.wakeup.set()

    # The codec's handlers (`_http2_frames.Handlers`), called for open streams only.

    def on_headers(self, exchange: Exchange, fields: list[tuple[bytes, bytes]], end: bool) -> None:
        """A head: the final one (checked here: a bad one is the stream's error), a 1xx
        before it (skipped), or trailers after it (taken for the end)."""
        if exchange.status:
            if end:
                self._on_end(exchange)
            else:
                self._malformed(exchange, "a head after the head, not ending the stream")
            return
        status, headers, lengths = 0, [], set()
        for name, value in fields:  # hpack's are bytes (raw): taken as they are
            if name[:1] != b":":
                headers.append((name, value))
                if name == b"content-length":
                    lengths.add(int(value) if value.isdigit() else -1)
            elif name == b":status":
                status = int(value) if value.isdigit() and len(value) == 3 else 0
        if 100 <= status < 200 and status != 101 and not end:
            return  # informational: the final head is still to come
        if not 200 <= status < 600:
            self._malformed(exchange, "a head with no valid status")
            return
        if len(lengths) > 1 or -1 in lengths:
            self._malformed(exchange, "an invalid content-length")
            return
        if lengths and exchange.length is None:
            exchange.length = lengths.pop()
        exchange.status, exchange.raw_headers = status, headers
        if end:
            self._on_end(exchange)
        else:
            self._wake(exchange)

    def on_data(self, exchange: Exchange, data: bytes, end: bool) -> None:
        if data:
            if not exchange.status:
                self._malformed(exchange, "a body before its head")
                return
            exchange.received += len(data)
            if exchange.length is not None and exchange.received > exchange.length:
                self._malformed(exchange, "a body longer than its content-length")
                return
            exchange.body.append(data)
        if end:
            self._on_end(exchange)
        else:
            self._wake(exchange)

    def _on_end(self, exchange: Exchange) -> None:
        if not exchange.status:
            self._malformed(exchange, "no head before the end of the stream")
        elif exchange.length is not None and exchange.received != exchange.length:
            self._malformed(exchange, "a body shorter than its content-length")
        else:
            exchange.ended = True
            self._wake(exchange)

    def _malformed(self, exchange: Exchange, what: str) -> None:
        """The server sent `exchange` a malformed response: a stream error (RFC 9113 §8.1.1),
        the other streams go on."""
        exchange.error = httpx.RemoteProtocolError(f"the server sent {what}")
        self.frames.reset_stream(exchange, PROTOCOL_ERROR)
        self.reset(exchange)

    def on_reset(self, exchange: Exchange, code: int) -> None:
        if exchange.ended:  # the whole answer came: the reset only stops the request's body
            pass  # (RFC 9113 §8.1: a server may answer before it has read all the request)
        elif code == REFUSED_STREAM:
            exchange.error = refused("the server refused the stream")
        else:
            exchange.error = httpx.RemoteProtocolError(
                f"the server reset the stream ({error_name(code)})"
            )
        self._wake(exchange)

    def on_stream_error(self, exchange: Exchange, what: str) -> None:
        exchange.error = httpx.RemoteProtocolError(f"the server broke HTTP/2 on a stream: {what}")
        self._wake(exchange)

    def on_settings(self) -> None:
        self._settled = True
        # a limit the server never sent is none, and 0 is "no new streams now" (RFC 9113
        # §6.5.2), not "no limit"
        self.max_streams = min(self.frames.max_concurrent, MAX_STREAMS)
        self._wake_senders()  # the initial window may have grown

    def on_window(self, exchange: Exchange | None) -> None:
        if exchange is None:
            self._wake_senders()
        elif exchange.sending:
            self._wake(exchange)

    def _wake_senders(self) -> None:
        for exchange in self.exchanges.values():  # whoever sends a body may send more now
            if exchange.sending:
                self._wake(exchange)

    def on_goaway(self, last_stream_id: int, code: int) -> None:
        """The server takes no new streams, and will not process those above `last_stream_id`
        (but one whose head has come was processed, whatever the GOAWAY says: it reads on)."""
        self.goaway = last_stream_id if self.goaway is None else min(self.goaway, last_stream_id)
        for exchange in list(self.exchanges.values()):
            if exchange.stream_id > last_stream_id and not exchange.status:
                exchange.error = refused("the server is closing the connection (GOAWAY)")
                self.frames.forget(exchange)
                self._wake(exchange)

    async def _send_body(self, exchange: Exchange, body: bytes) -> None:
        """Send `body` as the windows allow, waiting for WINDOW_UPDATEs when they are shut."""
        frames, sent, total, view = self.frames, 0, len(body), memoryview(body)
        exchange.sending = True
        while sent < total:
            if exchange.error is not None or exchange.ended:
                return  # reset, or answered already: the rest is not wanted
            window = min(frames.window(exchange), frames.max_frame_size)
            if window <= 0:
                await self.wait(exchange)  # which sends what is queued first
                continue
            piece = view[sent : sent + window]
            sent += len(piece)
            frames.send_data(exchange, piece, end_stream=sent == total)
            if sent < total:
                await self.flush()  # as it goes: the buffer holds at most a frame
        exchange.sending = False


def _mapped(exc: Exception, default: type[httpx.TransportError]) -> httpx.TransportError:
    if isinstance(exc, httpx.TransportError):
        return exc
    if isinstance(exc, ProtocolError):
        return httpx.RemoteProtocolError(str(exc))
    return default(str(exc) or type(exc).__name__)
