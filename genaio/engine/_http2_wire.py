"""HTTP/2's pieces with no I/O that h2 leaves to its user: one stream's state (`Exchange`), the
request's header list, and the GOAWAY frames taken out of what a server sends (h2 reads nothing
after one, python-hyper/h2#1181, while the streams the server lets finish still have answers to
come)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

import anyio
import anyio.abc
import httpx

from genaio.engine._http11 import Target

if TYPE_CHECKING:
    from genaio.engine._http2 import Http2Connection

__all__ = ["Exchange", "GoawayFilter", "Refused", "refused", "request_headers"]

#: Headers HTTP/2 forbids (RFC 9113 §8.2.2); `host` becomes `:authority`.
_DROPPED = frozenset(
    {b"connection", b"keep-alive", b"proxy-connection", b"transfer-encoding", b"upgrade", b"host"}
)
_NAME = re.compile(rb"[!#$%&'*+\-.^_`|~0-9a-z]+")  # a header name, lower-cased
_UNSAFE_VALUE = re.compile(rb"[\r\n\x00]")


class Exchange(anyio.abc.AsyncResource):
    """One stream: the request sent, the response's head and body as they arrive.

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
        "stream_id",
        "timed_out",
        "unacked",
        "waiter",
    )

    def __init__(self, connection: Http2Connection, stream_id: int) -> None:
        self.connection = connection
        self.stream_id = stream_id
        self.status = 0  # until the head has come
        self.raw_headers: list[tuple[bytes, bytes]] = []
        self.body: list[bytes] = []  # arrived, not yet taken by the response
        self.unacked = 0  # flow-controlled bytes received and not yet acknowledged
        self.ended = False  # the server sent all of it
        self.length: int | None = None  # the body's content-length, if the head gave one
        self.received = 0  # body bytes received
        self.error: httpx.TransportError | None = None
        self.sending = False  # its body is being sent (until all of it is)
        self.news = False  # something happened since the exchange last waited
        self.waiter: anyio.Event | None = None
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


def request_headers(
    method: str, target: Target, headers: Iterable[tuple[bytes, bytes]], body: bytes
) -> list[tuple[bytes, bytes]]:
    """The request's HTTP/2 header list: pseudo-headers, then `headers` lower-cased without the
    ones HTTP/2 forbids, then `content-length`. Raises `httpx.LocalProtocolError` for a header
    that is not a valid name or whose value holds CR, LF or NUL."""
    authority = target.host
    fields = [(b":method", method.encode("ascii")), (b":scheme", target.origin[0])]
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
    fields.append((b":authority", authority))
    fields.append((b":path", target.target))
    fields.extend(rest)
    if body or method not in ("GET", "HEAD", "DELETE", "OPTIONS"):
        fields.append((b"content-length", b"%d" % len(body)))
    return fields


class Refused(httpx.RemoteProtocolError):
    """The server did not process the request (REFUSED_STREAM, or a stream above a GOAWAY's
    last stream id): it is safe to send it again, on another connection."""


def refused(reason: str) -> Refused:
    return Refused(f"{reason}; the request was not processed")


class GoawayFilter:
    """Takes GOAWAY frames out of the bytes a server sends, and reads their last stream id.

    It walks the frame headers (9 bytes each: length, type, flags, stream id), passing the
    bytes on untouched unless a GOAWAY (type 7) is among them.
    """

    __slots__ = ("_goaway", "_held", "_left")

    def __init__(self) -> None:
        self._held = b""  # a frame header cut off by the end of a read
        self._left = 0  # bytes still to come of the frame under way
        self._goaway: bytearray | None = None  # the payload of a GOAWAY under way

    def feed(self, data: bytes) -> tuple[bytes, list[int]]:
        if self._held:
            data, self._held = self._held + data, b""
        size = len(data)
        pos = min(self._left, size)
        self._left -= pos
        found: list[int] = []
        kept: list[bytes] = []
        start = 0
        if self._goaway is not None:
            self._goaway += data[:pos]
            start = pos
            if not self._left:
                found.append(_last_stream_id(self._goaway))
                self._goaway = None
        while pos < size:
            if size - pos < 9:
                self._held = data[pos:]
                break
            end = pos + 9 + int.from_bytes(data[pos : pos + 3], "big")
            if data[pos + 3] == 7:  # GOAWAY
                kept.append(data[start:pos])
                if end <= size:
                    found.append(_last_stream_id(data[pos + 9 : end]))
                else:
                    self._goaway = bytearray(data[pos + 9 :])
                start = min(end, size)
            if end > size:
                self._left = end - size
            pos = end
        stop = min(pos, size) if not self._held else size - len(self._held)
        if not kept and start == 0:
            return (data if stop == size else data[:stop]), found
        kept.append(data[start:stop])
        return b"".join(kept), found


def _last_stream_id(payload: bytes | bytearray) -> int:
    return int.from_bytes(payload[:4], "big") & 0x7FFFFFFF
