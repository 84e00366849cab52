"""HTTP/1.1 on the wire, with no I/O: a request encoded to bytes, a response parsed from bytes.

The pool (`_pool.py`) drives these over its connections. Requests are written directly: the
engine's headers are few and mostly constant, and checking each one for what could split a
message (CR, LF, NUL) is all the validation they need. Responses are parsed by httptools (llhttp,
the C parser Node.js uses): parsing is most of the client's work per request, and a C parser does
it several times faster than a pure-Python one.

What a server sends is bounded before httptools sees it: a response head (status line, header
lines, their count, their total) has limits, and so has any run of bytes that makes the parser
produce nothing (httptools joins a header's pieces by repeated concatenation, quadratic in the
number of pieces). A response is complete only at its exact end: bytes after it (a second answer
the server was not asked for, a body longer than its length) make the connection unusable.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import httptools

__all__ = [
    "DEFAULT_HEADERS",
    "JOIN_LIMIT",
    "Decoder",
    "Encoded",
    "ProtocolError",
    "ResponseHeaders",
    "ResponseParser",
    "Target",
    "encode_request",
    "split_url",
]

#: What every request says besides its own headers, as httpx says it.
DEFAULT_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"accept", b"*/*"),
    (b"accept-encoding", b"gzip, deflate"),
    (b"connection", b"keep-alive"),
)

_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_UNSAFE_VALUE = re.compile(rb"[\r\n\x00]")
#: Characters a path keeps as they are (RFC 3986 pchar and `/`); `%` so that escapes stay.
_PATH_SAFE = "!$&'()*+,;=:@/%~"
_QUERY_SAFE = _PATH_SAFE + "?"

#: A body up to this size is joined to its head, so that a request is one write (most are: a
#: copy of a small body costs less than a second write); a larger one (an upload's chunk) is
#: sent after its head as it is, never copied.
JOIN_LIMIT = 256 * 1024
#: A request as `encode_request` gives it: its bytes, or its head and its large body apart.
Encoded = bytes | tuple[bytes, bytes]

#: Limits on a response head. Gemini's heads are about 1 KiB; a head past these is a broken or
#: hostile server, refused before it costs memory or time.
MAX_LINE_BYTES = 16 * 1024  # the status line, or one header's name and value
MAX_HEADERS = 128
MAX_HEAD_BYTES = 64 * 1024  # the whole head, interim (1xx) answers included


class ProtocolError(Exception):
    """The server broke HTTP/1.1, or a header would have broken the request."""


class Target:
    """Where a request goes: the connection's origin and the request line's target."""

    __slots__ = ("host", "origin", "target")

    def __init__(self, scheme: str, host: str, port: int | None, target: bytes) -> None:
        default = 443 if scheme == "https" else 80
        self.origin = (scheme.encode("ascii"), host.encode("idna"), port or default)
        name = b"[%s]" % self.origin[1] if ":" in host else self.origin[1]  # an IPv6 address
        self.host = name if port in (None, default) else b"%s:%d" % (name, port)
        self.target = target


def split_url(url: str, query: Mapping[str, str] | None = None) -> Target:
    """The target of `url`, its query replaced by `query` when one is given (as httpx does)."""
    try:
        parts = urlsplit(url)
        port = parts.port
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("not an http(s) URL")
        path = parts.path or "/"
        if "." in path:
            path = _remove_dot_segments(path)
        target = quote(path, safe=_PATH_SAFE)
        search = urlencode(query) if query else quote(parts.query, safe=_QUERY_SAFE)
        if search:
            target = f"{target}?{search}"
        return Target(parts.scheme, parts.hostname, port, target.encode("ascii"))
    except ValueError as exc:  # UnicodeError (a host IDNA refuses) is one
        raise ProtocolError(f"not a usable http(s) URL: {url[:200]!r} ({exc})") from None


def _remove_dot_segments(path: str) -> str:
    """`/a/./b/../c` -> `/a/c` (RFC 3986 §5.2.4), as httpx sends it (`/a/b/..` -> `/a`)."""
    output: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if len(output) > 1:
                output.pop()
        elif segment != ".":
            output.append(segment)
    return "/".join(output) or "/"


def encode_request(
    method: str, target: Target, headers: Iterable[tuple[bytes, bytes]], body: bytes
) -> Encoded:
    """The request's bytes: request line, `host` (unless `headers` has one), `headers` as given,
    `content-length` and the body; for a body larger than `JOIN_LIMIT`, the head and the body
    apart (`(head, body)`, the body as it was given), to be sent one after the other.

    Raises `ProtocolError` for a header that is not a valid name, or whose value holds CR, LF or
    NUL (that would let a value inject headers or a second request).
    """
    lines = [b"%s %s HTTP/1.1\r\n" % (method.encode("ascii"), target.target)]
    has_host = False
    for name, value in headers:
        if not _TOKEN.fullmatch(name) or _UNSAFE_VALUE.search(value):
            raise ProtocolError(f"invalid header {name!r}")
        has_host = has_host or name.lower() == b"host"
        lines.append(b"%s: %s\r\n" % (name, value))
    if not has_host:
        lines.insert(1, b"host: %s\r\n" % target.host)
    if body or method not in ("GET", "HEAD", "DELETE", "OPTIONS"):
        lines.append(b"content-length: %d\r\n" % len(body))
    lines.append(b"\r\n")
    if len(body) > JOIN_LIMIT:
        return b"".join(lines), body
    lines.append(body)
    return b"".join(lines)


class ResponseHeaders(dict[str, str]):
    """Response headers by lowercase name, repeated ones joined with `, `: what `dict()` of an
    `httpx.Headers` gives, with lookups that ignore case as httpx's do."""

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)

    def __contains__(self, key: object) -> bool:
        return super().__contains__(key.lower() if isinstance(key, str) else key)

    @classmethod
    def of(cls, raw: Iterable[tuple[bytes, bytes]]) -> ResponseHeaders:
        plain: dict[str, str] = {}  # filled as a plain dict: no case-folding lookups
        repeated: dict[str, list[str]] | None = None  # joined once at the end: linear time
        for name, value in raw:
            key = name.decode("latin-1").lower()
            try:  # UTF-8 where it is (ASCII is), else Latin-1, as httpx reads a value
                text = value.decode("utf-8")
            except UnicodeDecodeError:
                text = value.decode("latin-1")
            if key in plain:
                if repeated is None:
                    repeated = {}
                repeated.setdefault(key, [plain[key]]).append(text)
            else:
                plain[key] = text
        if repeated is not None:
            for key, texts in repeated.items():
                plain[key] = ", ".join(texts)
        return cls(plain)


class ResponseParser:
    """One connection's responses, parsed as bytes arrive (httptools' callbacks fill it).

    After `feed`: `status`/`raw_headers` once `head_done`, body bytes in `body` (taken by the
    reader), `done` once the message ended. `feed_eof` ends a body that runs to the end of the
    connection, and refuses a response cut short. `keep_alive` is true only for a response that
    ended exactly where the bytes fed so far end, and whose server agreed to keep the connection.
    Trailers (headers after a chunked body) are read and dropped.
    """

    __slots__ = (
        "_head_bytes",
        "_head_only",
        "_parser",
        "_unparsed",
        "body",
        "done",
        "head_done",
        "keep_alive",
        "raw_headers",
        "reason",
        "status",
    )

    def __init__(self) -> None:
        self._parser = httptools.HttpResponseParser(self)
        self.reset(head_only=False)

    def reset(self, *, head_only: bool) -> None:
        """Get ready for the next response; `head_only` for the answer to a HEAD request."""
        self._head_only = head_only
        self._head_bytes = 0  # fed before the head was complete
        self._unparsed = 0  # fed since httptools last produced something
        self.status = 0
        self.reason = b""
        self.raw_headers: list[tuple[bytes, bytes]] = []
        self.body: list[bytes] = []
        self.head_done = self.done = self.keep_alive = False

    def feed(self, data: bytes) -> None:
        """Parse `data`; raises `ProtocolError` for a response that breaks HTTP/1.1 or a limit."""
        if self.done:
            raise ProtocolError("data after the end of the response")
        if self._unparsed > MAX_LINE_BYTES:
            raise ProtocolError(f"a line of the response is longer than {MAX_LINE_BYTES} bytes")
        if not self.head_done:
            self._head_bytes += len(data)
        self._unparsed += len(data)
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            raise ProtocolError("the server switched protocols") from None
        except httptools.HttpParserCallbackError as exc:
            if isinstance(exc.__context__, ProtocolError):  # a limit, raised in a callback
                raise exc.__context__ from None
            raise ProtocolError(str(exc) or type(exc).__name__) from exc
        except httptools.HttpParserError as exc:
            if not self.done:
                raise ProtocolError(str(exc) or type(exc).__name__) from exc
            self.keep_alive = False  # bytes after the end that are not even a response
        if not self.head_done and self._head_bytes > MAX_HEAD_BYTES:
            raise ProtocolError(f"the response head is larger than {MAX_HEAD_BYTES} bytes")

    def feed_eof(self) -> None:
        """The server closed the connection."""
        if self.head_done and not self.done and not self._delimited():
            self.done, self.keep_alive = True, False  # a body that runs until the close
        elif not self.done:
            raise ProtocolError("the server closed the connection before the response ended")

    # httptools' callbacks.

    def on_message_begin(self) -> None:
        if self.done:  # a second answer the server was not asked for: never reuse this
            self.keep_alive = False

    def on_status(self, reason: bytes) -> None:
        if self.done:
            return
        self.reason += reason
        self._unparsed = 0
        if len(self.reason) > MAX_LINE_BYTES:
            raise ProtocolError(f"the status line is longer than {MAX_LINE_BYTES} bytes")

    def on_header(self, name: bytes, value: bytes) -> None:
        # Limits are checked once the head is complete (`_check_head`): memory is bounded
        # meanwhile by the head's size, which `feed` checks.
        self._unparsed = 0
        if not (self.head_done or self.done):  # else a trailer, or a second answer: not ours
            self.raw_headers.append((name, value))

    def on_headers_complete(self) -> None:
        self._unparsed = 0
        if self.done:
            self.keep_alive = False
            return
        # A line past the limit needs a head at least that large: most heads skip the scan.
        if self._head_bytes > MAX_LINE_BYTES or len(self.raw_headers) > MAX_HEADERS:
            self._check_head()
        status = self._parser.get_status_code()
        if 100 <= status < 200:  # an interim answer (100 Continue): the real one follows
            self.raw_headers, self.reason = [], b""
            return
        self.status = status
        self.head_done = True
        if self._head_only:
            self._finish(keep_alive=False)

    def on_body(self, body: bytes) -> None:
        self._unparsed = 0
        if not self.done:
            self.body.append(body)

    def on_chunk_header(self) -> None:
        self._unparsed = 0

    def on_message_complete(self) -> None:
        self._unparsed = 0
        if self.head_done and not self.done:
            self._finish(keep_alive=self._parser.should_keep_alive())

    def _finish(self, *, keep_alive: bool) -> None:
        self.done, self.keep_alive = True, keep_alive

    def _check_head(self) -> None:
        if len(self.raw_headers) > MAX_HEADERS:
            raise ProtocolError(f"the response has more than {MAX_HEADERS} headers")
        for name, value in self.raw_headers:
            if len(name) + len(value) > MAX_LINE_BYTES:
                raise ProtocolError(f"a header line is longer than {MAX_LINE_BYTES} bytes")

    def _delimited(self) -> bool:
        """Whether the head says where the body ends (else the body runs to the close)."""
        return any(
            name.lower() in (b"content-length", b"transfer-encoding")
            for name, _ in self.raw_headers
        )


class Decoder:
    """The `content-encoding` of a body undone as it arrives: gzip, deflate (zlib-wrapped or
    raw, as servers differ), or none. The encodings are those `DEFAULT_HEADERS` accepts."""

    __slots__ = ("_fed", "_pending", "_zlib")

    def __init__(self, encoding: str | None) -> None:
        encoding = (encoding or "identity").strip().lower()
        self._fed = False  # whether any compressed byte came (an empty body is empty)
        self._pending: bytes | None = None  # deflate: the first bytes, until the header shows
        if encoding in ("identity", ""):
            self._zlib = None
        elif encoding == "gzip":
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif encoding == "deflate":
            self._zlib = None
            self._pending = b""
        else:
            raise ProtocolError(f"unsupported content-encoding {encoding!r}")

    def decode(self, data: bytes) -> bytes:
        if self._pending is not None:
            data = self._pending + data
            if len(data) < 2:
                self._pending = data
                return b""
            self._pending = None
            self._zlib = zlib.decompressobj(
                zlib.MAX_WBITS if _zlib_header(data) else -zlib.MAX_WBITS
            )
        if self._zlib is None or not data:
            return data
        self._fed = True
        try:
            return self._zlib.decompress(data)
        except zlib.error as exc:
            raise ProtocolError(f"undecodable body: {exc}") from exc

    def flush(self) -> bytes:
        """What is left at the end of the body; raises `ProtocolError` for a compressed body
        cut short (zlib itself would return what it has, silently)."""
        if self._pending:
            raise ProtocolError("undecodable body: it ends within its header")
        if self._zlib is None:
            return b""
        tail = self._zlib.flush()
        if self._fed and not self._zlib.eof:
            raise ProtocolError("undecodable body: it ends before its compressed stream does")
        return tail


def _zlib_header(data: bytes) -> bool:
    """Whether a deflate body starts with a zlib header (RFC 1950) rather than raw deflate."""
    return data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
