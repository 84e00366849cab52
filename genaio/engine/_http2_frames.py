"""HTTP/2's frames for a client (RFC 9113), with no I/O: what `Http2Connection` sends, written
into one buffer, and what the server sends, parsed as it comes and handed to the connection's
handlers (`Handlers`: plain method calls, no event objects).

This is the hot path of every HTTP/2 request, and a client sees few frames: h2's general state
machine (with hyperframe's objects for every frame) took about a third of the client's CPU per
request, three times genaio's own HTTP/2 code. So the codec keeps only what a client needs: each
open stream's state (`Stream`: its windows, which sides have ended), the connection's windows,
the server's settings, and the lines RFC 9113 draws between a connection error (§5.4.1:
`Http2ProtocolError` is raised, a GOAWAY is queued, and the codec takes and writes nothing
more), a stream's error (§5.4.2: an RST_STREAM is queued and the handler told), and what is
ignored (frames for a stream already closed; DATA still counts against the connection's window
then, and is given back at once). Frames are read straight from the bytes received (one
`struct` call a frame header, the payload sliced once); a frame cut off by the end of a read
waits for the next. HPACK is the `hpack` library's, given to the codec (with the block reuse of
`_http2_wire.py`).

What the client does with each frame type the server sends (§6):

| type | frame         | from the server                                               |
| ---- | ------------- | ------------------------------------------------------------- |
| 0    | DATA          | a body's bytes, padding stripped, counted against the windows  |
| 1    | HEADERS       | a head (1xx, final or trailers: the handler tells them apart)  |
| 2    | PRIORITY      | ignored                                                        |
| 3    | RST_STREAM    | the stream is reset                                            |
| 4    | SETTINGS      | checked, applied and acknowledged                              |
| 5    | PUSH_PROMISE  | a connection error: the client disabled push                   |
| 6    | PING          | answered                                                       |
| 7    | GOAWAY        | no new streams; those above its last stream id are unprocessed |
| 8    | WINDOW_UPDATE | a send window opens                                            |
| 9    | CONTINUATION  | the rest of a head, directly after it                          |
| 10+  | extensions    | ignored                                                        |
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

import hpack

__all__ = [
    "CANCEL",
    "ENABLE_PUSH",
    "INITIAL_WINDOW_SIZE",
    "MAX_CONCURRENT_STREAMS",
    "MAX_HEADER_LIST_SIZE",
    "MAX_STREAM_ID",
    "PROTOCOL_ERROR",
    "REFUSED_STREAM",
    "Decoder",
    "Handlers",
    "Http2Codec",
    "Http2ProtocolError",
    "Stream",
    "error_name",
]

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#: A frame header: its length (24 bits, read as 8 + 16), type, flags and stream id (§4.1).
_HEADER = struct.Struct(">BHBBL")
_U32 = struct.Struct(">L")
_SETTING = struct.Struct(">HL")
_GOAWAY = struct.Struct(">LL")

# Frame types (§6).
DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE, PING, GOAWAY = range(8)
WINDOW_UPDATE, CONTINUATION = 8, 9
# Flags.
END_STREAM = ACK = 0x1
END_HEADERS = 0x4
PADDED = 0x8
PRIORITY_FLAG = 0x20
# Settings (§6.5.2).
HEADER_TABLE_SIZE, ENABLE_PUSH, MAX_CONCURRENT_STREAMS, INITIAL_WINDOW_SIZE = 1, 2, 3, 4
MAX_FRAME_SIZE, MAX_HEADER_LIST_SIZE = 5, 6
# Error codes (§7).
_ERRORS = (
    "NO_ERROR",
    "PROTOCOL_ERROR",
    "INTERNAL_ERROR",
    "FLOW_CONTROL_ERROR",
    "SETTINGS_TIMEOUT",
    "STREAM_CLOSED",
    "FRAME_SIZE_ERROR",
    "REFUSED_STREAM",
    "CANCEL",
    "COMPRESSION_ERROR",
    "CONNECT_ERROR",
    "ENHANCE_YOUR_CALM",
    "INADEQUATE_SECURITY",
    "HTTP_1_1_REQUIRED",
)
PROTOCOL_ERROR, FLOW_CONTROL_ERROR, FRAME_SIZE_ERROR, REFUSED_STREAM = 1, 3, 6, 7
CANCEL, COMPRESSION_ERROR, ENHANCE_YOUR_CALM = 8, 9, 11

MAX_WINDOW = (1 << 31) - 1
MAX_STREAM_ID = (1 << 31) - 1
_DEFAULT_WINDOW = 65535
_DEFAULT_FRAME_SIZE = 16384  # the server's until it says otherwise, and ours (never changed)
_NO_LIMIT = 1 << 32  # MAX_CONCURRENT_STREAMS, until the server sets it


def error_name(code: int) -> str:
    """An error code's name (§7), or its number if it has none."""
    return _ERRORS[code] if code < len(_ERRORS) else f"error code {code:#x}"


class Http2ProtocolError(Exception):
    """The server broke HTTP/2 in a way that ends the connection (a connection error, §5.4.1).
    The codec has queued its GOAWAY and takes nothing more."""


class Stream:
    """One stream's state as the codec keeps it. The connection's side of a stream (`Exchange`)
    extends it, so that a frame reaches its exchange in one look-up."""

    __slots__ = (
        "closed",
        "local_ended",
        "recv_window",
        "remote_ended",
        "returned",
        "send_window",
        "stream_id",
        "unacked",
    )

    def __init__(self, stream_id: int) -> None:
        self.stream_id = stream_id
        self.send_window = 0  # what we may still send on it (set when it opens)
        self.recv_window = 0  # what the server may still send on it (likewise)
        self.unacked = 0  # flow-controlled bytes received that the reader has not taken
        self.returned = 0  # bytes taken, not yet given back in a WINDOW_UPDATE
        self.local_ended = False  # we sent END_STREAM
        self.remote_ended = False  # the server sent END_STREAM
        self.closed = False  # both ended, or reset either way: the codec has forgotten it


S = TypeVar("S", bound=Stream)
S_contra = TypeVar("S_contra", bound=Stream, contravariant=True)


class Decoder(Protocol):
    """HPACK's decoder as the codec uses it (`_http2_wire.HeaderDecoder`)."""

    def decode(self, data: bytes, raw: bool = False) -> list[tuple[bytes, bytes]]: ...


class Handlers(Protocol[S_contra]):
    """What the codec calls as frames arrive: only for streams still open, with no I/O (what
    they decide to send, they queue in the codec)."""

    def on_headers(self, stream: S_contra, fields: list[tuple[bytes, bytes]], end: bool) -> None:
        """A head (a 1xx, the final one or trailers) decoded; `end`: it ends the stream."""

    def on_data(self, stream: S_contra, data: bytes, end: bool) -> None:
        """Body bytes (possibly none, with `end`), already counted in `stream.unacked`."""

    def on_reset(self, stream: S_contra, code: int) -> None:
        """The server reset the stream (RST_STREAM with `code`)."""

    def on_stream_error(self, stream: S_contra, what: str) -> None:
        """The server broke HTTP/2 on this stream alone: the codec has reset it."""

    def on_window(self, stream: S_contra | None) -> None:
        """A send window opened: the stream's, or (None) the connection's."""

    def on_settings(self) -> None:
        """The server's settings came, and are applied."""

    def on_goaway(self, last_stream_id: int, code: int) -> None:
        """The server takes no new streams and leaves those above `last_stream_id`."""


class Http2Codec(Generic[S]):
    """The client's side of one HTTP/2 connection, with no I/O.

    Writes (`start`, `send_headers`, `send_data`, `reset_stream`, `acknowledge`, and what
    `receive` answers) queue frames; `data_to_send` takes them. `receive` parses what the server
    sent and calls `handlers`; it raises `Http2ProtocolError` for a connection error.
    """

    def __init__(
        self,
        handlers: Handlers[S],
        encoder: hpack.Encoder,
        decoder: Decoder,
        settings: dict[int, int],
        connection_window: int,
    ) -> None:
        self._handlers = handlers
        self._encoder = encoder
        self._decoder = decoder
        self._settings = settings  # ours, sent by `start`
        self.streams: dict[int, S] = {}  # the open ones
        self.next_stream_id = 1
        self.closed = False  # after a connection error (or `close`): nothing more in or out
        self._out = bytearray()
        self._held = b""  # the start of a frame cut off by the end of a read
        # The server's settings, and what we may send.
        self.max_frame_size = _DEFAULT_FRAME_SIZE
        self.max_concurrent = _NO_LIMIT
        self.initial_window = _DEFAULT_WINDOW
        self.send_window = _DEFAULT_WINDOW
        # What we take.
        self._stream_window = settings.get(INITIAL_WINDOW_SIZE, _DEFAULT_WINDOW)
        self._connection_window = max(connection_window, _DEFAULT_WINDOW)
        self._recv_window = self._connection_window
        self._returned = 0  # taken (or ignored) bytes not yet given back on the connection
        #: A head's block is at most this large (beyond it the list would be too long anyway).
        self._max_block = 2 * settings.get(MAX_HEADER_LIST_SIZE, 1 << 16)
        # A head in CONTINUATION frames: its stream (0: none under way), block and END_STREAM.
        self._continuing = 0
        self._block = bytearray()
        self._block_ends = False
        self._parsers: tuple[Callable[[int, int, bytes, int, int], None], ...] = (
            self._on_data,
            self._on_headers,
            self._on_priority,
            self._on_rst_stream,
            self._on_settings,
            self._on_push_promise,
            self._on_ping,
            self._on_goaway,
            self._on_window_update,
            self._on_continuation,
        )

    # What the client sends.

    def start(self) -> None:
        """The connection preface: the magic, our SETTINGS, and a WINDOW_UPDATE opening the
        connection's window past the default."""
        self._out += PREFACE
        payload = b"".join(_SETTING.pack(key, value) for key, value in self._settings.items())
        self._frame(SETTINGS, 0, 0, payload)
        if self._connection_window > _DEFAULT_WINDOW:
            increment = self._connection_window - _DEFAULT_WINDOW
            self._frame(WINDOW_UPDATE, 0, 0, _U32.pack(increment))

    def send_headers(self, stream: S, fields: list[tuple[bytes, bytes]], end_stream: bool) -> None:
        """Open `stream` (its id must be `next_stream_id`) with a request's head, in a HEADERS
        frame and as many CONTINUATIONs as the server's frame size asks."""
        stream_id = stream.stream_id
        self.next_stream_id = stream_id + 2
        stream.send_window = self.initial_window
        stream.recv_window = self._stream_window
        self.streams[stream_id] = stream
        block = self._encoder.encode(fields)
        size = self.max_frame_size
        flags = END_STREAM if end_stream else 0
        if len(block) <= size:
            self._frame(HEADERS, flags | END_HEADERS, stream_id, block)
        else:
            self._frame(HEADERS, flags, stream_id, block[:size])
            for at in range(size, len(block), size):
                flag = END_HEADERS if at + size >= len(block) else 0
                self._frame(CONTINUATION, flag, stream_id, block[at : at + size])
        if end_stream:
            self._local_end(stream)

    def window(self, stream: S) -> int:
        """How many body bytes `stream` may send now (both windows allow)."""
        return min(self.send_window, stream.send_window)

    def send_data(self, stream: S, data: bytes | memoryview, end_stream: bool) -> None:
        """One DATA frame: `data` must fit `window(stream)` and `max_frame_size`."""
        size = len(data)
        self.send_window -= size
        stream.send_window -= size
        self._frame(DATA, END_STREAM if end_stream else 0, stream.stream_id, data)
        if end_stream:
            self._local_end(stream)

    def reset_stream(self, stream: S, code: int) -> None:
        """Reset `stream` with RST_STREAM `code`, unless it is closed already."""
        if not stream.closed:
            self.forget(stream)
            self._frame(RST_STREAM, 0, stream.stream_id, _U32.pack(code))

    def forget(self, stream: S) -> None:
        """Take `stream` for closed without a word (the server said it will not process it):
        what comes for it is ignored."""
        stream.closed = True
        self.streams.pop(stream.stream_id, None)

    def acknowledge(self, stream: S) -> None:
        """The reader took what had arrived on `stream` (`unacked`): give it back to the
        server's windows, in a WINDOW_UPDATE once half a window is due (fewer frames, and the
        server never waits while the reader keeps up)."""
        amount, stream.unacked = stream.unacked, 0
        if not (stream.closed or stream.remote_ended):
            stream.returned += amount
            if stream.returned >= self._stream_window >> 1:
                stream.recv_window += stream.returned
                self._frame(WINDOW_UPDATE, 0, stream.stream_id, _U32.pack(stream.returned))
                stream.returned = 0
        self._give_back(amount)

    def has_data_to_send(self) -> bool:
        """Whether frames are queued."""
        return bool(self._out)

    def data_to_send(self) -> bytes:
        """The frames queued since the last call."""
        if not self._out:
            return b""
        data = bytes(self._out)
        self._out.clear()
        return data

    def close(self) -> None:
        """The connection is gone (its socket failed, or it is being closed): drop what was
        queued, queue and take nothing more. A GOAWAY queued by a connection error stays."""
        if not self.closed:
            self.closed = True
            self._out.clear()

    def _frame(self, kind: int, flags: int, stream_id: int, payload: bytes | memoryview) -> None:
        if self.closed:
            return
        size = len(payload)
        self._out += _HEADER.pack(size >> 16, size & 0xFFFF, kind, flags, stream_id)
        self._out += payload

    def _local_end(self, stream: S) -> None:
        stream.local_ended = True
        if stream.remote_ended:
            self.forget(stream)

    def _give_back(self, amount: int) -> None:
        """Bytes of the connection's window taken: a WINDOW_UPDATE once half of it is due."""
        self._returned += amount
        if self._returned >= self._connection_window >> 1:
            self._recv_window += self._returned
            self._frame(WINDOW_UPDATE, 0, 0, _U32.pack(self._returned))
            self._returned = 0

    # What the server sends.

    def receive(self, data: bytes) -> None:
        """Parse what the server sent, calling the handlers frame by frame. Raises
        `Http2ProtocolError` for a connection error (its GOAWAY queued)."""
        if self.closed:
            return
        if self._held:
            data = self._held + data
        size, pos = len(data), 0
        parsers, unpack = self._parsers, _HEADER.unpack_from
        while size - pos >= 9:
            high, low, kind, flags, stream_id = unpack(data, pos)
            length = high << 16 | low
            if length > _DEFAULT_FRAME_SIZE:
                raise self._error(FRAME_SIZE_ERROR, f"a frame of {length} bytes")
            end = pos + 9 + length
            if end > size:
                break
            stream_id &= 0x7FFFFFFF
            if self._continuing and kind != CONTINUATION:
                raise self._error(PROTOCOL_ERROR, "a frame inside a head's CONTINUATIONs")
            if kind < 10:
                parsers[kind](flags, stream_id, data, pos + 9, end)
            pos = end
        self._held = data[pos:] if pos < size else b""

    def _error(self, code: int, what: str) -> Http2ProtocolError:
        """A connection error: queue its GOAWAY (we processed no stream of the server's), close
        the codec, and return the exception to raise."""
        if not self.closed:
            self._frame(GOAWAY, 0, 0, _GOAWAY.pack(0, code))
            self.closed = True
        return Http2ProtocolError(f"{what} ({error_name(code)})")

    def _on_data(self, flags: int, stream_id: int, data: bytes, start: int, end: int) -> None:
        if not stream_id:
            raise self._error(PROTOCOL_ERROR, "DATA on stream 0")
        size = end - start  # all of it counts against the windows, padding included (§6.9.1)
        self._recv_window -= size
        if self._recv_window < 0:
            raise self._error(FLOW_CONTROL_ERROR, "DATA beyond the connection's window")
        if flags & PADDED:
            if not size or data[start] >= size:
                raise self._error(PROTOCOL_ERROR, "DATA with more padding than payload")
            end -= data[start]
            start += 1
        stream = self.streams.get(stream_id)
        if stream is None or stream.remote_ended:
            self._check_opened(stream_id)
            self._give_back(size)  # ignored: its bytes are the connection's again
            return
        stream.recv_window -= size
        if stream.recv_window < 0:
            raise self._error(FLOW_CONTROL_ERROR, "DATA beyond the stream's window")
        stream.unacked += size
        ends = bool(flags & END_STREAM)
        if ends:
            self._remote_end(stream)
        self._handlers.on_data(stream, data[start:end], ends)

    def _on_headers(self, flags: int, stream_id: int, data: bytes, start: int, end: int) -> None:
        if not stream_id:
            raise self._error(PROTOCOL_ERROR, "HEADERS on stream 0")
        pad = 0
        if flags & PADDED:
            if start == end:
                raise self._error(FRAME_SIZE_ERROR, "HEADERS too short for its padding")
            pad = data[start]
            start += 1
        if flags & PRIORITY_FLAG:
            start += 5
        if end - start < pad:
            raise self._error(PROTOCOL_ERROR, "HEADERS with more padding than payload")
        end -= pad
        if flags & END_HEADERS:
            self._on_block(stream_id, data[start:end], bool(flags & END_STREAM))
        else:
            self._continuing = stream_id
            self._block = bytearray(data[start:end])
            self._block_ends = bool(flags & END_STREAM)

    def _on_continuation(
        self, flags: int, stream_id: int, data: bytes, start: int, end: int
    ) -> None:
        if not stream_id or stream_id != self._continuing:
            raise self._error(PROTOCOL_ERROR, "a CONTINUATION that continues no head")
        self._block += data[start:end]
        if len(self._block) > self._max_block:
            raise self._error(ENHANCE_YOUR_CALM, "a head larger than the client takes")
        if flags & END_HEADERS:
            block, self._block, self._continuing = bytes(self._block), bytearray(), 0
            self._on_block(stream_id, block, self._block_ends)

    def _on_block(self, stream_id: int, block: bytes, ends: bool) -> None:
        """A whole head: decoded whatever its stream (HPACK's table is the connection's)."""
        try:
            fields = self._decoder.decode(block, raw=True)
        except hpack.HPACKError as exc:
            raise self._error(COMPRESSION_ERROR, f"a head HPACK cannot read: {exc}") from None
        stream = self.streams.get(stream_id)
        if stream is None or stream.remote_ended:
            self._check_opened(stream_id)
            return
        if ends:
            self._remote_end(stream)
        self._handlers.on_headers(stream, fields, ends)

    def _on_priority(self, flags: int, stream_id: int, data: bytes, start: int, end: int) -> None:
        if not stream_id:
            raise self._error(PROTOCOL_ERROR, "PRIORITY on stream 0")

    def _on_rst_stream(self, flags: int, stream_id: int, data: bytes, start: int, end: int) -> None:
        if not stream_id:
            raise self._error(PROTOCOL_ERROR, "RST_STREAM on stream 0")
        if end - start != 4:
            raise self._error(FRAME_SIZE_ERROR, "RST_STREAM not of 4 bytes")
        stream = self.streams.get(stream_id)
        if stream is None:
            self._check_opened(stream_id)
            return
        self.forget(stream)
        self._handlers.on_reset(stream, _U32.unpack_from(data, start)[0])

    def _on_settings(self, flags: int, stream_id: int, data: bytes, start: int, end: int) -> None:
        if stream_id:
            raise self._error(PROTOCOL_ERROR, "SETTINGS on a stream")
        if flags & ACK:
            if end != start:
                raise self._error(FRAME_SIZE_ERROR, "a SETTINGS acknowledgement with a payload")
            return
        if (end - start) % 6:
            raise self._error(FRAME_SIZE_ERROR, "SETTINGS not in 6-byte entries")
        for at in range(start, end, 6):
            self._apply(*_SETTING.unpack_from(data, at))
        self._frame(SETTINGS, ACK, 0, b"")
        self._handlers.on_settings()

    def _apply(self, key: int, value: int) -> None:
        """One of the server's settings (§6.5.2); those a client does not use are ignored."""
        if key == HEADER_TABLE_SIZE:
            self._encoder.header_table_size = value
        elif key == ENABLE_PUSH:
            if value:  # 1 is the client's to say; anything else is no value at all
                raise self._error(PROTOCOL_ERROR, f"SETTINGS_ENABLE_PUSH {value} from a server")
        elif key == MAX_CONCURRENT_STREAMS:
            self.max_concurrent = value
        elif key == INITIAL_WINDOW_SIZE:
            if value > MAX_WINDOW:
                raise self._error(FLOW_CONTROL_ERROR, f"SETTINGS_INITIAL_WINDOW_SIZE {value}")
            change, self.initial_window = value - self.initial_window, value
            for stream in self.streams.values():  # it changes the open streams' windows too
                stream.send_window += change
                if stream.send_window > MAX_WINDOW:
                    raise self._error(FLOW_CONTROL_ERROR, "a stream's window beyond 2**31 - 1")
        elif key == MAX_FRAME_SIZE:
            if not _DEFAULT_FRAME_SIZE <= value < 1 << 24:
                raise self._error(PROTOCOL_ERROR, f"SETTINGS_MAX_FRAME_SIZE {value}")
            self.max_frame_size = value

    def _on_push_promise(
        self, flags: int, stream_id: int, data: bytes, start: int, end: int
    ) -> None:
        raise self._error(PROTOCOL_ERROR, "a PUSH_PROMISE, though the client disabled push")

    def _on_ping(self, flags: int, stream_id: int, data: bytes, start: int, end: int) -> None:
        if stream_id:
            raise self._error(PROTOCOL_ERROR, "PING on a stream")
        if end - start != 8:
            raise self._error(FRAME_SIZE_ERROR, "PING not of 8 bytes")
        if not flags & ACK:
            self._frame(PING, ACK, 0, data[start:end])

    def _on_goaway(self, flags: int, stream_id: int, data: bytes, start: int, end: int) -> None:
        if stream_id:
            raise self._error(PROTOCOL_ERROR, "GOAWAY on a stream")
        if end - start < 8:
            raise self._error(FRAME_SIZE_ERROR, "GOAWAY shorter than 8 bytes")
        last_stream_id, code = _GOAWAY.unpack_from(data, start)
        self._handlers.on_goaway(last_stream_id & 0x7FFFFFFF, code)

    def _on_window_update(
        self, flags: int, stream_id: int, data: bytes, start: int, end: int
    ) -> None:
        if end - start != 4:
            raise self._error(FRAME_SIZE_ERROR, "WINDOW_UPDATE not of 4 bytes")
        increment = _U32.unpack_from(data, start)[0] & 0x7FFFFFFF
        if not stream_id:
            if not increment:
                raise self._error(PROTOCOL_ERROR, "a WINDOW_UPDATE of 0 for the connection")
            self.send_window += increment
            if self.send_window > MAX_WINDOW:
                raise self._error(FLOW_CONTROL_ERROR, "the connection's window past 2**31 - 1")
            self._handlers.on_window(None)
            return
        stream = self.streams.get(stream_id)
        if stream is None:
            self._check_opened(stream_id)
        elif not increment:  # a stream error (§6.9)
            self._stream_error(stream, PROTOCOL_ERROR, "a WINDOW_UPDATE of 0")
        elif (window := stream.send_window + increment) > MAX_WINDOW:
            self._stream_error(stream, FLOW_CONTROL_ERROR, "a window past 2**31 - 1")
        else:
            stream.send_window = window
            self._handlers.on_window(stream)

    def _stream_error(self, stream: S, code: int, what: str) -> None:
        self.reset_stream(stream, code)
        self._handlers.on_stream_error(stream, f"{what} ({error_name(code)})")

    def _remote_end(self, stream: S) -> None:
        stream.remote_ended = True
        if stream.local_ended:
            self.forget(stream)

    def _check_opened(self, stream_id: int) -> None:
        """A frame for a stream that is not open: ignored if it was (§5.1, closed), a connection
        error if it never was (idle: an even id, or one we have not used yet)."""
        if not stream_id & 1 or stream_id >= self.next_stream_id:
            raise self._error(PROTOCOL_ERROR, f"a frame for stream {stream_id}, never opened")
