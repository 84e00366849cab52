"""HTTP/2's pieces with no I/O beside the frame codec (`_http2_frames.py`): one exchange's state
(`Exchange`, a codec `Stream` with the response as it arrives), the request's header list, and
HPACK that does not redo the same work on every request (`HeaderEncoder`, `HeaderDecoder`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import anyio
import anyio.abc
import hpack
import hpack.table
import httpx

from genaio.engine._http2_frames import Stream
from genaio.engine._http11 import Target
from genaio.engine._parking import Wakeup

if TYPE_CHECKING:
    from genaio.engine._http2 import Http2Connection

__all__ = [
    "Exchange",
    "HeaderDecoder",
    "HeaderEncoder",
    "Refused",
    "RequestHeaders",
    "refused",
]

#: Headers HTTP/2 forbids (RFC 9113 §8.2.2); `host` becomes `:authority`.
_DROPPED = frozenset(
    {b"connection", b"keep-alive", b"proxy-connection", b"transfer-encoding", b"upgrade", b"host"}
)
_NAME = re.compile(rb"[!#$%&'*+\-.^_`|~0-9a-z]+")  # a header name, lower-cased
_UNSAFE_VALUE = re.compile(rb"[\r\n\x00]")
#: Header lists and blocks remembered, at most (for blocks, per table state: a new state
#: forgets them all).
_REMEMBERED = 32


class Exchange(Stream, anyio.abc.AsyncResource):
    """One stream: the request sent, the response's head and body as they arrive (the codec's
    state of the stream is its base's).

    For the pool's watchdog it is also the resource to close when the server has been silent
    too long (`stream`): closing it resets this stream alone.
    """

    __slots__ = (
        "body",
        "connection",
        "deadline",
        "ended",
        "error",
        "length",
        "news",
        "raw_headers",
        "read_timeout",
        "received",
        "sending",
        "status",
        "timed_out",
        "wakeup",
    )

    def __init__(self, connection: Http2Connection, stream_id: int) -> None:
        super().__init__(stream_id)
        self.connection = connection
        self.status = 0  # until the final head has come
        self.raw_headers: list[tuple[bytes, bytes]] = []
        self.body: list[bytes] = []  # arrived, not yet taken by the response
        self.ended = False  # the server sent all of it
        self.length: int | None = None  # the body's content-length, if the head gave one
        self.received = 0  # body bytes received
        self.error: httpx.TransportError | None = None
        self.sending = False  # its body is being sent (until all of it is)
        self.news = False  # something happened since the exchange last waited
        self.wakeup = Wakeup()  # its task waits on it for news
        self.read_timeout: float | None = None
        self.deadline = float("inf")  # the watchdog's
        self.timed_out = False

    def __repr__(self) -> str:
        state = "ended" if self.ended else f"status {self.status}" if self.status else "waiting"
        return f"<Exchange stream {self.stream_id} {state}>"

    @property
    def stream(self) -> Exchange:
        return self

    async def aclose(self) -> None:
        """The watchdog's: the server was silent too long. Resets this stream only; no I/O."""
        self.timed_out = True
        self.error = httpx.ReadTimeout(f"no answer from the server for {self.read_timeout:g} s")
        self.connection.reset(self)


class RequestHeaders:
    """Makes a request's HTTP/2 header list: pseudo-headers, then its headers lower-cased
    without the ones HTTP/2 forbids, then `content-length`.

    A client sends the same headers on every request, so the checked form of a header list is
    remembered (per connection: the list holds the API key) and looked up by the list itself,
    one hash for what was a regex match per header.
    """

    __slots__ = ("_known",)

    def __init__(self) -> None:
        self._known: dict[tuple[tuple[bytes, bytes], ...], _Checked] = {}

    def __call__(
        self, method: str, target: Target, headers: Iterable[tuple[bytes, bytes]], body: bytes
    ) -> list[tuple[bytes, bytes]]:
        """The header list; raises `httpx.LocalProtocolError` for a header that is not a valid
        name or whose value holds CR, LF or NUL."""
        key = headers if type(headers) is tuple else tuple(headers)
        checked = self._known.get(key)
        if checked is None:
            checked = _checked(key)
            if len(self._known) >= _REMEMBERED:
                self._known.clear()
            self._known[key] = checked
        authority, rest = checked
        fields = [
            (b":method", method.encode("ascii")),
            (b":scheme", target.origin[0]),
            (b":authority", target.host if authority is None else authority),
            (b":path", target.target),
            *rest,
        ]
        if body or method not in ("GET", "HEAD", "DELETE", "OPTIONS"):
            fields.append((b"content-length", b"%d" % len(body)))
        return fields


#: A header list checked: the `host` it gives (None: none), and the headers HTTP/2 sends.
_Checked = tuple[bytes | None, tuple[tuple[bytes, bytes], ...]]


def _checked(headers: tuple[tuple[bytes, bytes], ...]) -> _Checked:
    authority = None
    rest = []
    for name, value in headers:
        name = name.lower()
        if name in _DROPPED:
            if name == b"host":
                authority = value
            continue
        if not _NAME.fullmatch(name) or _UNSAFE_VALUE.search(value):
            raise httpx.LocalProtocolError(f"invalid header {name!r}")
        rest.append((name, value))
    return authority, tuple(rest)


class _Table(hpack.table.HeaderTable):
    """An HPACK dynamic table that tells what was done with it: `generation` counts its changes
    (an encoding made while it stays the same is the same the next time), `dynamic_reads` the
    look-ups of its own entries and `resizes` its size changes (a block decoded with neither
    means the same whatever the table holds), `added` the entries added while it is a list."""

    def __init__(self) -> None:
        super().__init__()
        self.generation = self.dynamic_reads = self.resizes = 0
        self.added: list[tuple[bytes, bytes]] | None = None

    def add(self, name: bytes, value: bytes) -> None:
        self.generation += 1
        if self.added is not None:
            self.added.append((name, value))
        super().add(name, value)

    def extend(self, entries: list[tuple[bytes, bytes]]) -> None:
        """`add` each of `entries`, in one pass: the same table in the end, without hpack's
        eviction per entry (a function call and a debug log each), which nginx's responses
        cost several times a response (it indexes its headers anew in each)."""
        self.generation += 1
        dynamic, size, maxsize = self.dynamic_entries, self._current_size, self._maxsize
        for name, value in entries:
            entry = len(name) + len(value) + 32  # RFC 7541 §4.1
            if entry > maxsize:  # too large for the table: it empties it
                dynamic.clear()
                size = 0
                continue
            dynamic.appendleft((name, value))
            size += entry
            while size > maxsize:
                old_name, old_value = dynamic.pop()
                size -= len(old_name) + len(old_value) + 32
        self._current_size = size

    def get_by_index(self, index: int) -> tuple[bytes, bytes]:
        if index > self.STATIC_TABLE_LENGTH:
            self.dynamic_reads += 1
        return super().get_by_index(index)

    @property
    def maxsize(self) -> int:
        return self._maxsize

    @maxsize.setter
    def maxsize(self, newmax: int) -> None:
        self.generation += 1
        self.resizes += 1
        _HEADER_TABLE_MAXSIZE.__set__(self, newmax)


_HEADER_TABLE_MAXSIZE = vars(hpack.table.HeaderTable)["maxsize"]  # hpack's own setter

_CONTENT_LENGTH = b"content-length"
#: `content-length` as a literal without indexing, its name by its static index (28).
_CONTENT_LENGTH_LITERAL = b"\x0f\x0d"


class HeaderEncoder(hpack.Encoder):
    """hpack's encoder, remembering the block of a header list it encoded without changing its
    table: a client sends the same headers on every request, and once they are all in the
    table, their block is the same bytes each time (hpack would look each one up again).

    `content-length`, the one request header that changes, goes last as a literal without
    indexing (RFC 7541 §6.2.2): indexing each new length would change the table on every
    request, and take the server's table room from headers that repeat. The API key is indexed
    like the other headers (it is this connection's own table, as browsers do with cookies; a
    never-indexed key would cost its literal on every request).
    """

    def __init__(self) -> None:
        super().__init__()
        self.header_table = table = _Table()
        self._table = table
        self._blocks: dict[tuple[tuple[bytes, bytes], ...], bytes] = {}
        self._generation = 0

    def encode(self, headers: Any, huffman: bool = True) -> bytes:
        if not isinstance(headers, list) or not huffman or _flagged(headers):
            return super().encode(headers, huffman)  # a flag is not part of a list's key
        length = b""
        if headers and headers[-1][0] == _CONTENT_LENGTH:
            value = headers[-1][1]
            if len(value) < 127:
                length = _CONTENT_LENGTH_LITERAL + bytes((len(value),)) + value
                headers = headers[:-1]
        key = tuple(headers)
        table = self._table
        if table.generation != self._generation or table.resized:
            self._blocks.clear()
        elif (block := self._blocks.get(key)) is not None:
            return block + length
        generation = table.generation
        block = super().encode(headers, huffman)
        if table.generation != generation:  # the table changed: no block holds any more
            self._blocks.clear()
            self._generation = table.generation
        else:  # nothing added: the same bytes next time
            if len(self._blocks) >= _REMEMBERED:
                self._blocks.clear()
            self._blocks[key] = block
        return block + length


def _flagged(headers: list[Any]) -> bool:
    """Whether a header list says how to index some header (`hpack.HeaderTuple`s compare
    equal to plain tuples, whatever they say)."""
    for header in headers:  # a plain loop: cheaper than any() of a generator
        if type(header) is not tuple:
            return True
    return False


class HeaderDecoder(hpack.Decoder):
    """hpack's decoder, remembering the header list of a block that reads no entry of the
    table and resizes nothing (only the static table and literals): such a block means the
    same whatever the table holds, and a server sends the same block for every response within
    a second (nginx does, with Huffman-coded literals hpack would decode again each time). What
    the block added to the table is added again. A block that refers to the table is decoded
    each time."""

    def __init__(self, max_header_list_size: int) -> None:
        super().__init__(max_header_list_size)
        self.header_table = table = _Table()
        self._table = table
        self.max_allowed_table_size = table.maxsize
        self._lists: dict[bytes, tuple[list[hpack.HeaderTuple], list[tuple[bytes, bytes]]]] = {}
        self._limits = (max_header_list_size, table.maxsize)

    def decode(self, data: bytes, raw: bool = False) -> Any:
        if not raw:
            return super().decode(data, raw)
        table = self._table
        if self._limits != (limits := (self.max_header_list_size, self.max_allowed_table_size)):
            self._lists.clear()  # what was checked against the old limits is checked again
            self._limits = limits
        elif (known := self._lists.get(data)) is not None:
            headers, added = known
            if added:
                table.extend(added)
            return list(headers)
        reads, resizes = table.dynamic_reads, table.resizes
        table.added = added = []
        try:
            headers = list(super().decode(data, raw))
        finally:
            table.added = None
        if table.dynamic_reads == reads and table.resizes == resizes:
            if len(self._lists) >= _REMEMBERED:
                self._lists.clear()
            self._lists[bytes(data)] = (headers, added)
        return list(headers)


class Refused(httpx.RemoteProtocolError):
    """The server did not process the request (REFUSED_STREAM, or a stream above a GOAWAY's
    last stream id): it is safe to send it again, on another connection."""


def refused(reason: str) -> Refused:
    return Refused(f"{reason}; the request was not processed")
