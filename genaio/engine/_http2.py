"""One HTTP/2 connection of the pool: many exchanges at once over one TLS stream, driven by h2
(python-hyper's sans-I/O HTTP/2) with no task of its own.

The shape is httpcore's: whoever waits for its stream's news reads the socket for everyone. One
waiter at a time is the reader: it reads, hands each event to its exchange (`_on_*`, with no
I/O), wakes the exchanges that got news, and reads on until its own exchange has some; then it
passes the reading to another waiter. Writes go out under one writer: a task that finds another
writing leaves its frames in h2's buffer, and the writer sends them in its next round.

Cancellation: a cancelled caller resets its own stream (RST_STREAM CANCEL) and leaves the
connection to the others. A read cut short loses nothing (no byte has been taken), so reads are
cancellable. A write is not: anyio's TLS stream encrypts before it sends, and a cancellation in
between would lose a TLS record and break the connection for every stream on it; so each write
is shielded, and bounded by `WRITE_TIMEOUT` (a server that reads nothing that long is gone, and
the connection is closed). On asyncio a native cancellation (`Task.cancel`, `asyncio.timeout`)
passes anyio's shields, so there the write runs in a task of its own that the caller's
cancellation does not reach.

Failures stay where they belong: whatever the server says of one stream (a reset, a bad head)
fails that exchange alone; a connection-level failure (the socket, h2's protocol errors) fails
every exchange on it with an httpx transport error. A stream the server never processed (refused,
or above a GOAWAY's last stream id) fails with `Refused`, so that the pool sends it again.
h2 stops reading at a GOAWAY (python-hyper/h2#1181), while the streams it lets finish still have
answers to come: `GoawayFilter` (`_http2_wire.py`) takes GOAWAY frames out before h2 sees them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import anyio
import anyio.abc
import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import h2.settings
import h2.stream
import httpx
import sniffio

from genaio.engine._connection import Origin
from genaio.engine._http2_wire import (
    Exchange,
    GoawayFilter,
    HeaderDecoder,
    HeaderEncoder,
    Refused,
    refused,
    request_headers,
)
from genaio.engine._http11 import ProtocolError, Target

__all__ = ["Http2Connection"]

_READ_SIZE = 64 * 1024
#: Streams at once on one connection, at most (the server's MAX_CONCURRENT_STREAMS may be less).
MAX_STREAMS = 1000
#: Our receive windows: a stream may have 1 MiB unread, all of them together 16 MiB.
_STREAM_WINDOW = 1 << 20
_CONNECTION_WINDOW = 1 << 24
#: A shielded write that cannot finish in this many seconds fails the connection.
WRITE_TIMEOUT = 60.0
# h2 takes a 1xx head on a stream we have reset (the server sent it before it saw our
# RST_STREAM) for a connection error: its stream state machine has no way for it from CLOSED.
# Given the one its other frames take, it is ignored like them.
_closed = h2.stream.StreamState.CLOSED
h2.stream._transitions.setdefault(
    (_closed, h2.stream.StreamInputs.RECV_INFORMATIONAL_HEADERS),
    (h2.stream.H2StreamStateMachine.recv_on_closed_stream, _closed),
)
_CONFIG = h2.config.H2Configuration(
    client_side=True,
    header_encoding=None,
    # Inbound: a bad head is one stream's problem (checked in `_on_response`), not a protocol
    # error that would end the connection. Outbound: `request_headers` checks what it sends.
    validate_inbound_headers=False,
    normalize_inbound_headers=False,
    validate_outbound_headers=False,
    normalize_outbound_headers=False,
)


class _H2Connection(h2.connection.H2Connection):
    """h2's connection, counting its open streams in constant time while the count is clearly
    under the server's limit.

    h2 counts them on every new stream by walking all of them (dropping the closed ones from
    its table meanwhile): quadratic in the streams in flight, a quarter of the CPU at a thousand.
    The table's size (the open streams, and the closed ones not yet dropped; a client's streams
    are all its own) is never less than the open ones: while it is under the limit, h2's check
    passes either way, and h2 walks (and drops) only when it is not, about once per as many
    new streams as the limit leaves room for.
    """

    @property
    def open_outbound_streams(self) -> int:
        known = len(self.streams)
        if known < self.remote_settings.max_concurrent_streams:
            return known
        return super().open_outbound_streams


class Http2Connection:
    """One HTTP/2 connection: an h2 state machine over a byte stream, and its exchanges."""

    def __init__(self, origin: Origin, stream: anyio.abc.ByteStream) -> None:
        self.origin = origin
        self.stream = stream
        self.h2 = h2c = _H2Connection(config=_CONFIG)
        h2c.encoder = HeaderEncoder()  # HPACK that remembers the blocks that repeat
        h2c.decoder = HeaderDecoder(h2c.decoder.max_header_list_size)
        self.exchanges: dict[int, Exchange] = {}
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
        self._read_scope: anyio.CancelScope | None = None
        self._writing = False
        self._waiting: dict[Exchange, None] = {}  # exchanges waiting while another reads
        self._goaways = GoawayFilter()
        self._asyncio = sniffio.current_async_library() == "asyncio"

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
        settings = h2.settings.SettingCodes
        self.h2.local_settings = h2.settings.Settings(
            client=True,
            initial_values={
                settings.ENABLE_PUSH: 0,
                settings.INITIAL_WINDOW_SIZE: _STREAM_WINDOW,
                settings.MAX_CONCURRENT_STREAMS: 100,
                settings.MAX_HEADER_LIST_SIZE: 64 * 1024,
            },
        )
        self.h2.initiate_connection()
        self.h2.increment_flow_control_window(_CONNECTION_WINDOW - 65535)
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
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        read_timeout: float | None,
    ) -> Exchange:
        """Open a stream for a request (the caller has reserved it) and queue its head; `send`
        sends it. No I/O; raises `Refused` or `httpx.LocalProtocolError`."""
        fields = request_headers(method, target, headers, body)
        try:
            stream_id = self.h2.get_next_available_stream_id()
        except h2.exceptions.NoAvailableStreamIDError:
            self.goaway = 0  # no stream ids left: the pool opens another connection
            raise refused("the connection has no stream ids left") from None
        exchange = Exchange(self, stream_id)
        exchange.read_timeout = read_timeout
        self.exchanges[stream_id] = exchange
        self.requests += 1
        try:
            self.h2.send_headers(stream_id, fields, end_stream=not body)
            # h2 takes a content-length at odds with the body for a connection error; RFC 9113
            # §8.1.1 makes it the stream's: `_on_response`, `_on_data` and `_on_end` check it
            stream = self.h2.streams[stream_id]
            setattr(stream, "_initialize_content_length", _no_length)  # noqa: B010 (a method)
            if method == "HEAD":
                exchange.length = 0
        except h2.exceptions.ProtocolError as exc:
            del self.exchanges[stream_id]
            if isinstance(exc, h2.exceptions.TooManyStreamsError):  # the server lowered its
                raise refused("the server takes no more streams now") from None  # limit
            raise httpx.LocalProtocolError(f"h2 refused to send the request: {exc}") from exc
        return exchange

    async def send(self, exchange: Exchange, body: bytes) -> None:
        """Send the request `open` queued, with its `body` as the windows allow. Raises the
        exchange's error, if it gets one meanwhile. Cancellation: the caller resets the stream
        (`reset`); what went out stays whole (see the module's docstring)."""
        if body:
            await self._send_body(exchange, body)
        await self.flush()

    async def wait(self, exchange: Exchange) -> None:
        """Until `exchange` has news (head, data, its end, a window to send in), reading for
        everyone if nobody else is. Raises the exchange's error, if it has one.
        Cancellation: another waiter takes over the reading."""
        while not exchange.news and exchange.error is None:
            if self.error is not None:
                exchange.error = self.error
            elif self._reader is not None:
                exchange.waiter = waiter = anyio.Event()
                self._waiting[exchange] = None
                try:
                    await waiter.wait()
                except BaseException:  # cancelled: if the reading was handed to this task,
                    self._waiting.pop(exchange, None)  # it passes it on
                    exchange.waiter = None
                    if self._reader is None:
                        self._hand_on()
                    raise
                self._waiting.pop(exchange, None)
                exchange.waiter = None
            else:
                await self._read_for(exchange)
        exchange.news = False
        if exchange.error is not None:
            raise exchange.error

    def consumed(self, exchange: Exchange) -> None:
        """The response took what had arrived: open the windows by as much. No I/O (the next
        flush sends the WINDOW_UPDATE, if h2 decides one is due)."""
        if exchange.unacked:
            amount, exchange.unacked = exchange.unacked, 0
            self.h2.acknowledge_received_data(amount, exchange.stream_id)

    def reset(self, exchange: Exchange) -> None:
        """End `exchange`, resetting its stream if it is still open; no I/O (the next flush
        sends the RST_STREAM). Wakes its waiter, who sees its error (if it has one)."""
        if self.exchanges.pop(exchange.stream_id, None) is None:
            return
        self.consumed(exchange)  # the connection's window counts what was never read
        open_here = exchange.sending or not exchange.ended  # a body cut short by the answer
        if self.error is None and open_here and not isinstance(exchange.error, Refused):
            try:
                self.h2.reset_stream(exchange.stream_id, h2.errors.ErrorCodes.CANCEL)
            except h2.exceptions.StreamClosedError:
                pass  # the server closed it meanwhile: nothing to reset
        if exchange.error is None and not exchange.ended:
            exchange.error = httpx.ReadError("the exchange was closed before its end")
        self._wake(exchange)
        if self._reader is exchange and self._read_scope is not None:
            self._read_scope.cancel()  # it is the reader, waiting for its own news

    async def flush(self) -> None:
        """Send what h2 has to send. Never raises: a failed write fails the connection (and so
        every exchange on it). Cancellation: the write is shielded (see the module's
        docstring); on asyncio it runs in a task of its own, as a native cancellation
        (`Task.cancel`, `asyncio.timeout`) passes anyio's shields, and the caller stops
        waiting for it."""
        if self._writing or self.error is not None:
            return
        data = self.h2.data_to_send()
        if not data:
            return
        self._writing = True
        if self._asyncio:
            await asyncio.shield(self._write(data))
        else:
            await self._write(data)

    async def _write(self, data: bytes) -> None:
        try:
            with anyio.CancelScope(shield=True) as scope:
                scope.deadline = anyio.current_time() + WRITE_TIMEOUT
                while data:
                    await self.stream.send(data)
                    data = self.h2.data_to_send()
            if scope.cancelled_caught:
                self.fail(httpx.WriteTimeout(f"the server read nothing for {WRITE_TIMEOUT:g} s"))
        except Exception as exc:
            self.fail(_mapped(exc, httpx.WriteError))
        finally:
            self._writing = False

    def fail(self, error: httpx.TransportError) -> None:
        """The connection is broken: every exchange on it fails with `error`. No I/O."""
        if self.error is None:
            self.error = error
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
        h2's handling of a frame), and either gives `exchange` news or the connection an
        error, which end the loop anyway."""
        self._reader = exchange
        try:
            with anyio.CancelScope() as self._read_scope:
                while not exchange.news and exchange.error is None and self.error is None:
                    await self.flush()  # acknowledgements first: the server may wait for them
                    if data := await self.stream.receive(_READ_SIZE):
                        self._receive(data)
            self._read_scope = None
            await self.flush()
        except anyio.EndOfStream:
            self.fail(httpx.RemoteProtocolError("the server closed the connection"))
        except Exception as exc:
            self.fail(_mapped(exc, httpx.ReadError))
        finally:
            self._reader = None
            self._read_scope = None
            self._hand_on()

    def _hand_on(self) -> None:
        """Wake one waiter with no news of its own: it reads next."""
        for waiting in self._waiting:
            self._wake(waiting, news=False)
            break

    def _receive(self, data: bytes) -> None:
        """Hand what the server sent to h2, and h2's events to their exchanges. No I/O."""
        data, goaways = self._goaways.feed(data)
        try:
            events = self.h2.receive_data(data) if data else []
        except h2.exceptions.ProtocolError as exc:
            self.fail(httpx.RemoteProtocolError(f"the server broke HTTP/2: {exc}"))
            return
        for event in events:
            handler = _HANDLERS.get(type(event))
            if handler is not None:
                handler(self, event)
        for last_stream_id in goaways:
            self._on_goaway(last_stream_id)

    def _wake(self, exchange: Exchange, *, news: bool = True) -> None:
        if news:
            exchange.news = True
        waiter = exchange.waiter
        if waiter is not None:
            self._waiting.pop(exchange, None)
            waiter.set()

    def _on_response(self, event: h2.events.ResponseReceived) -> None:
        exchange = self.exchanges.get(event.stream_id or 0)
        if exchange is None:
            return
        status, headers, lengths = 0, [], set()
        for name, value in event.headers or ():
            if name == b":status":
                status = int(value) if value.isdigit() and len(value) == 3 else 0
            elif not name.startswith(b":"):
                headers.append((bytes(name), bytes(value)))
                if name == b"content-length":
                    lengths.add(int(value) if value.isdigit() else -1)
        if not 200 <= status < 600:
            self._malformed(exchange, "a head with no valid status")
            return
        if len(lengths) > 1 or -1 in lengths:
            self._malformed(exchange, "an invalid content-length")
            return
        if lengths and exchange.length is None:
            exchange.length = lengths.pop()
        exchange.status, exchange.raw_headers = status, headers
        self._wake(exchange)

    def _on_data(self, event: h2.events.DataReceived) -> None:
        size = event.flow_controlled_length or 0
        exchange = self.exchanges.get(event.stream_id or 0)
        if exchange is None:  # one we have left: its bytes still count against our window
            self.h2.acknowledge_received_data(size, event.stream_id or 0)
            return
        exchange.unacked += size
        if event.data:
            exchange.received += len(event.data)
            if exchange.length is not None and exchange.received > exchange.length:
                self._malformed(exchange, "a body longer than its content-length")
                return
            exchange.body.append(event.data)
        self._wake(exchange)

    def _on_end(self, event: h2.events.StreamEnded) -> None:
        exchange = self.exchanges.get(event.stream_id or 0)
        if exchange is None:
            return
        if exchange.length is not None and exchange.received != exchange.length:
            self._malformed(exchange, "a body shorter than its content-length")
            return
        exchange.ended = True
        self._wake(exchange)

    def _malformed(self, exchange: Exchange, what: str) -> None:
        """The server sent `exchange` a malformed response: a stream error (RFC 9113 §8.1.1),
        the other streams go on."""
        exchange.error = httpx.RemoteProtocolError(f"the server sent {what}")
        self.reset(exchange)

    def _on_reset(self, event: h2.events.StreamReset) -> None:
        exchange = self.exchanges.get(event.stream_id or 0)
        if exchange is None:
            return
        code = event.error_code
        if code == h2.errors.ErrorCodes.REFUSED_STREAM:
            exchange.error = refused("the server refused the stream")
        else:
            name = code.name if isinstance(code, h2.errors.ErrorCodes) else str(code)
            exchange.error = httpx.RemoteProtocolError(f"the server reset the stream ({name})")
        self._wake(exchange)

    def _on_settings(self, event: h2.events.RemoteSettingsChanged) -> None:
        self._settled = True
        # h2 has applied them: a limit the server never sent is none (h2 says 2**32 + 1), and
        # 0 is "no new streams now" (RFC 9113 §6.5.2), not "no limit"
        self.max_streams = min(self.h2.remote_settings.max_concurrent_streams, MAX_STREAMS)
        self._wake_senders()  # the initial window may have grown

    def _on_window(self, event: h2.events.WindowUpdated) -> None:
        if not event.stream_id:
            self._wake_senders()
        elif (exchange := self.exchanges.get(event.stream_id)) is not None and exchange.sending:
            self._wake(exchange)

    def _wake_senders(self) -> None:
        for exchange in self.exchanges.values():  # whoever sends a body may send more now
            if exchange.sending:
                self._wake(exchange)

    def _on_goaway(self, last_stream_id: int) -> None:
        """The server takes no new streams, and will not process those above `last_stream_id`
        (but one whose head has come was processed, whatever the GOAWAY says: it reads on)."""
        self.goaway = last_stream_id if self.goaway is None else min(self.goaway, last_stream_id)
        for exchange in list(self.exchanges.values()):
            if exchange.stream_id > last_stream_id and not exchange.status:
                exchange.error = refused("the server is closing the connection (GOAWAY)")
                self._wake(exchange)

    async def _send_body(self, exchange: Exchange, body: bytes) -> None:
        """Send `body` as the windows allow, waiting for WINDOW_UPDATEs when they are shut."""
        h2c, sent, total = self.h2, 0, len(body)
        exchange.sending = True
        while sent < total:
            if exchange.error is not None or exchange.ended:
                return  # reset, or answered already: the rest is not wanted
            window = min(
                h2c.local_flow_control_window(exchange.stream_id), h2c.max_outbound_frame_size
            )
            if window <= 0:
                await self.flush()
                await self.wait(exchange)
                continue
            piece = body[sent : sent + window]
            sent += len(piece)
            h2c.send_data(exchange.stream_id, piece, end_stream=sent == total)
            await self.flush()  # as it goes: h2's buffer holds at most a frame
        exchange.sending = False


_HANDLERS: dict[type[h2.events.Event], Callable[[Http2Connection, Any], None]] = {
    h2.events.ResponseReceived: Http2Connection._on_response,
    h2.events.DataReceived: Http2Connection._on_data,
    h2.events.StreamEnded: Http2Connection._on_end,
    h2.events.StreamReset: Http2Connection._on_reset,
    h2.events.WindowUpdated: Http2Connection._on_window,
    h2.events.RemoteSettingsChanged: Http2Connection._on_settings,
}


def _no_length(headers: object) -> None:
    """h2's content-length check, replaced on our streams (see `Http2Connection.open`)."""


def _mapped(exc: Exception, default: type[httpx.TransportError]) -> httpx.TransportError:
    if isinstance(exc, httpx.TransportError):
        return exc
    if isinstance(exc, ProtocolError | h2.exceptions.ProtocolError):
        return httpx.RemoteProtocolError(str(exc))
    return default(str(exc) or type(exc).__name__)
