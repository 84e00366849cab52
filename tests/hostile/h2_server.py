"""A hostile HTTP/2 server on loopback (TLS, ALPN h2, trio) and the answers it plays.

Each request carries its caller's id (`x-id`); the server plays that id's `Act`: a proper answer
echoing the id (so that cross-talk shows), or a fault of one stream (a bad head, a reset, a body
at odds with its content-length, silence...) or of the whole connection (a GOAWAY, a protocol
violation, a socket closed mid-frame...). A request sent again (after a refusal) plays its act
again, except a GOAWAY, which the server sends once an example, so that a refused request has a
healthy connection to go to.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import attrs
import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import h2.settings
import hyperframe.frame
import trio

#: What each act may cost: "stream" faults fail their own call alone, "goaway" refuses some
#: calls (sent again, on a healthy connection), "connection" faults may fail every call on it.
SCOPES = {
    "ok": "stream",
    "ok_in_pieces": "stream",
    "huge_headers": "stream",
    "data_after_end": "stream",
    "ping_flood": "stream",
    "informational": "stream",
    "trailers": "stream",
    "bad_status": "stream",
    "bad_header": "stream",
    "reset_before_head": "stream",
    "reset_mid_body": "stream",
    "short_body": "stream",
    "long_body": "stream",
    "silence": "stream",
    "window_overflow_stream": "stream",
    "window_zero_stream": "stream",  # RFC 9113 §6.9: a stream error
    "goaway": "goaway",
    "fewer_streams": "goaway",  # the streams then beyond the limit are refused, sent again
    "push_promise": "connection",
    "header_flood": "connection",
    "window_overflow_connection": "connection",
    "window_zero_connection": "connection",
    "protocol_violation": "connection",
    "close_mid_frame": "connection",
}
#: What the caller of each act must end in: "succeed", "fail" or "either".
MUST = {
    "ok": "succeed",
    "ok_in_pieces": "succeed",
    "huge_headers": "succeed",
    "data_after_end": "succeed",
    "ping_flood": "succeed",
    "informational": "succeed",
    "trailers": "succeed",
    "bad_status": "fail",
    "bad_header": "either",
    "reset_before_head": "fail",
    "reset_mid_body": "fail",
    "short_body": "fail",
    "long_body": "fail",
    "silence": "fail",
    "window_overflow_stream": "either",
    "window_zero_stream": "either",
    "goaway": "either",
    "fewer_streams": "either",
    "push_promise": "either",
    "header_flood": "either",
    "window_overflow_connection": "either",
    "window_zero_connection": "either",
    "protocol_violation": "either",
    "close_mid_frame": "either",
}


@attrs.frozen
class Act:
    """One caller's answer: `kind` (a key of `SCOPES`) and `variant`, which of its forms; and
    the caller's `patience`: it is cancelled after so many seconds (None: never)."""

    kind: str
    variant: int = 0
    patience: float | None = None

    def __repr__(self) -> str:
        cancelled = "" if self.patience is None else f" cancelled after {self.patience}"
        return f"{self.kind}/{self.variant}{cancelled}"


def payload(caller: str) -> bytes:
    return b'{"id": "%s"}' % caller.encode()


_CONFIG = h2.config.H2Configuration(
    client_side=False,
    header_encoding=None,
    validate_outbound_headers=False,  # the server sends bad heads on purpose
    normalize_outbound_headers=False,
)


class _Connection:
    """One connection of the server: h2's state and its writes, one at a time."""

    def __init__(self, stream: trio.SSLStream) -> None:
        self.conn = h2.connection.H2Connection(_CONFIG)
        self.stream = stream
        self.lock = trio.Lock()
        self.closed = False

    async def send(self, raw: bytes = b"") -> None:
        async with self.lock:
            data = raw + self.conn.data_to_send()
            if data and not self.closed:
                await self.stream.send_all(data)

    async def close_mid_frame(self) -> None:
        async with self.lock:
            self.closed = True
            await self.stream.send_all(b"\x00\x00\x10\x00")  # 4 bytes of a frame header
            await trio.aclose_forcefully(self.stream)


class HostileH2Server:
    """Serves `acts` (caller id to `Act`) on 127.0.0.1, with at most `max_streams` streams at
    once per connection (0: no limit); `open` counts its live connections."""

    def __init__(self, certificate: tuple[Path, Path], acts: dict[str, Act], max_streams: int):
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(str(certificate[0]), str(certificate[1]))
        self.context.set_alpn_protocols(["h2"])
        self.acts = acts
        self.max_streams = max_streams
        self.open = 0
        self.goaway_sent = False
        self.errors: list[str] = []  # why the server's own h2 ended a connection, if it did
        self.url = ""

    async def start(self, nursery: trio.Nursery) -> None:
        listeners = await nursery.start(trio.serve_ssl_over_tcp, self._serve, 0, self.context)
        port = listeners[0].transport_listener.socket.getsockname()[1]
        self.url = f"https://127.0.0.1:{port}"

    async def _serve(self, stream: trio.SSLStream) -> None:
        self.open += 1
        server = _Connection(stream)
        limit = {h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: self.max_streams}
        server.conn.local_settings = h2.settings.Settings(
            client=False,
            initial_values=limit if self.max_streams else {},  # {}: not sent
        )
        server.conn.initiate_connection()
        try:
            async with trio.open_nursery() as tasks:
                try:
                    await server.send()
                    await self._read(server, tasks)
                finally:
                    tasks.cancel_scope.cancel()
        except* h2.exceptions.ProtocolError as group:
            self.errors.extend(repr(error) for error in group.exceptions)
        except* (trio.BrokenResourceError, trio.ClosedResourceError):
            pass
        finally:
            self.open -= 1
            await trio.aclose_forcefully(stream)

    async def _read(self, server: _Connection, tasks: trio.Nursery) -> None:
        while not server.closed and (data := await server.stream.receive_some(65536)):
            for event in server.conn.receive_data(data):
                if isinstance(event, h2.events.RequestReceived):
                    headers = dict(event.headers or ())
                    caller = headers.get(b"x-id", b"?").decode()
                    act = self.acts.get(caller, Act("ok"))
                    tasks.start_soon(self._play, server, event.stream_id, caller, act)
                elif isinstance(event, h2.events.DataReceived):
                    size = event.flow_controlled_length or 0
                    server.conn.acknowledge_received_data(size, event.stream_id or 0)
            await server.send()

    async def _play(self, server: _Connection, sid: int, caller: str, act: Act) -> None:
        """Play `act` on stream `sid`. A stream the client reset meanwhile is left (h2 says
        so with StreamIDTooLowError once it has dropped the closed stream from its table)."""
        try:
            await _ACTS[act.kind](self, server, sid, caller, act.variant)
        except (
            h2.exceptions.StreamClosedError,
            h2.exceptions.NoSuchStreamError,
            h2.exceptions.StreamIDTooLowError,
        ):
            pass
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            pass


@contextmanager
def hostile_h2_server(
    certificate: tuple[Path, Path], acts: dict[str, Act], max_streams: int
) -> Iterator[HostileH2Server]:
    """A `HostileH2Server` serving in a thread of its own (its own trio loop), so that the
    client may run on trio or asyncio; stopped on exit."""
    server = HostileH2Server(certificate, acts, max_streams)
    ready = threading.Event()
    loop: list[tuple[trio.lowlevel.TrioToken, trio.CancelScope]] = []

    async def main() -> None:
        with trio.CancelScope() as scope:
            loop.append((trio.lowlevel.current_trio_token(), scope))
            async with trio.open_nursery() as nursery:
                await server.start(nursery)
                ready.set()

    thread = threading.Thread(target=trio.run, args=(main,), daemon=True)
    thread.start()
    assert ready.wait(10), "the hostile server did not start"
    try:
        yield server
    finally:
        token, scope = loop[0]
        token.run_sync_soon(scope.cancel)
        thread.join(10)


# The acts. Each is `async (hostile server, connection, stream id, caller, variant)`.


async def _ok(hs, server, sid, caller, variant):
    body = payload(caller)
    server.conn.send_headers(sid, [(b":status", b"200"), (b"content-length", b"%d" % len(body))])
    server.conn.send_data(sid, body, end_stream=True)
    await server.send()


async def _ok_in_pieces(hs, server, sid, caller, variant):
    body = payload(caller)
    server.conn.send_headers(sid, [(b":status", b"200")])  # no content-length
    await server.send()
    for i in range(0, len(body), 4):
        await trio.sleep(0.001 * variant)
        server.conn.send_data(sid, body[i : i + 4])
        await server.send()
    server.conn.end_stream(sid)
    await server.send()


async def _huge_headers(hs, server, sid, caller, variant):
    """About 40 KB of headers: more than one frame (CONTINUATION), less than the client's
    64 KiB MAX_HEADER_LIST_SIZE."""
    body = payload(caller)
    extra = [(b"x-big-%d" % i, b"v" * 4000) for i in range(10)]
    server.conn.send_headers(sid, [(b":status", b"200"), *extra])
    server.conn.send_data(sid, body, end_stream=True)
    await server.send()


async def _header_flood(hs, server, sid, caller, variant):
    """Headers far beyond what the client said it takes (256 KB)."""
    extra = [(b"x-flood-%d" % i, b"f" * 8000) for i in range(32)]
    server.conn.send_headers(sid, [(b":status", b"200"), *extra], end_stream=True)
    await server.send()


async def _data_after_end(hs, server, sid, caller, variant):
    await _ok(hs, server, sid, caller, variant)
    await trio.sleep(0.001 * variant)
    frame = hyperframe.frame.DataFrame(sid, data=b"late", flags=["END_STREAM"] if variant else [])
    await server.send(frame.serialize())


async def _ping_flood(hs, server, sid, caller, variant):
    pings = b"".join(
        hyperframe.frame.PingFrame(0, opaque_data=i.to_bytes(8, "big")).serialize()
        for i in range(300 + 300 * variant)
    )
    await server.send(pings)
    await _ok(hs, server, sid, caller, variant)


async def _informational(hs, server, sid, caller, variant):
    try:
        for _ in range(1 + variant % 3):
            server.conn.send_headers(sid, [(b":status", [b"100", b"103"][variant % 2])])
    except h2.exceptions.ProtocolError:  # the client reset it: h2 says so (python-hyper/h2
        return  # has no StreamClosedError for a 1xx head on a closed stream)
    await server.send()
    await _ok(hs, server, sid, caller, variant)


async def _trailers(hs, server, sid, caller, variant):
    body = payload(caller)
    server.conn.send_headers(sid, [(b":status", b"200"), (b"content-length", b"%d" % len(body))])
    server.conn.send_data(sid, body)
    server.conn.send_headers(sid, [(b"x-trailer", b"1")], end_stream=True)
    await server.send()


async def _fewer_streams(hs, server, sid, caller, variant):
    """SETTINGS lowering MAX_CONCURRENT_STREAMS (to 0, 1 or 2), written raw: the server's own
    h2 goes on taking what the client sent meanwhile."""
    frame = hyperframe.frame.SettingsFrame(0, settings={3: variant % 3})
    await server.send(frame.serialize())
    await _ok(hs, server, sid, caller, variant)


async def _push_promise(hs, server, sid, caller, variant):
    """A PUSH_PROMISE, though the client disabled push: a connection error."""
    block = server.conn.encoder.encode(
        [(b":method", b"GET"), (b":scheme", b"https"), (b":path", b"/"), (b":authority", b"x")]
    )
    frame = hyperframe.frame.PushPromiseFrame(
        sid, promised_stream_id=2 * (sid + 1), data=block, flags=["END_HEADERS"]
    )
    await server.send(frame.serialize())
    await _ok(hs, server, sid, caller, variant)


async def _bad_status(hs, server, sid, caller, variant):
    status = [b"abc", b"99", b"2000", b"", b"600", b"-20"][variant % 6]
    server.conn.send_headers(sid, [(b":status", status), (b"content-length", b"2")])
    server.conn.send_data(sid, b"{}", end_stream=True)
    await server.send()


async def _bad_header(hs, server, sid, caller, variant):
    name, value = [
        (b"x-bad", b"a\r\nb"),
        (b"x-bad", b"a\x00b"),
        (b"X-Upper", b"1"),
        (b"bad name", b"1"),
        (b"connection", b"close"),
        (b"content-length", b"x"),
    ][variant % 6]
    body = payload(caller)
    server.conn.send_headers(sid, [(b":status", b"200"), (name, value)])
    server.conn.send_data(sid, body, end_stream=True)
    await server.send()


async def _reset_before_head(hs, server, sid, caller, variant):
    codes = list(h2.errors.ErrorCodes)
    server.conn.reset_stream(sid, codes[variant % len(codes)])
    await server.send()


async def _reset_mid_body(hs, server, sid, caller, variant):
    body = payload(caller)
    server.conn.send_headers(sid, [(b":status", b"200"), (b"content-length", b"%d" % len(body))])
    server.conn.send_data(sid, body[:5])
    await server.send()
    await trio.sleep(0.001 * variant)
    server.conn.reset_stream(sid, h2.errors.ErrorCodes.INTERNAL_ERROR)
    await server.send()


async def _short_body(hs, server, sid, caller, variant):
    body = payload(caller)
    server.conn.send_headers(sid, [(b":status", b"200"), (b"content-length", b"%d" % 1000)])
    server.conn.send_data(sid, body, end_stream=True)
    await server.send()


async def _long_body(hs, server, sid, caller, variant):
    body = payload(caller)
    server.conn.send_headers(sid, [(b":status", b"200"), (b"content-length", b"3")])
    server.conn.send_data(sid, body, end_stream=bool(variant % 2))
    if not variant % 2:
        await server.send()
        server.conn.end_stream(sid)
    await server.send()


async def _silence(hs, server, sid, caller, variant):
    if variant % 2:  # a head, then nothing
        server.conn.send_headers(sid, [(b":status", b"200")])
        await server.send()
    await trio.sleep_forever()


def _window_update(stream_id: int, increment: int) -> bytes:
    # hyperframe refuses an increment of 0 or one beyond 2**31 - 1: the frame is written here
    return (
        (4).to_bytes(3, "big")
        + b"\x08\x00"
        + stream_id.to_bytes(4, "big")
        + increment.to_bytes(4, "big")
    )


async def _window_overflow_stream(hs, server, sid, caller, variant):
    await server.send(_window_update(sid, 0x7FFFFFFF))
    await _ok(hs, server, sid, caller, variant)


async def _window_zero_stream(hs, server, sid, caller, variant):
    await server.send(_window_update(sid, 0))
    await _ok(hs, server, sid, caller, variant)


async def _window_overflow_connection(hs, server, sid, caller, variant):
    await server.send(_window_update(0, 0x7FFFFFFF))
    await _ok(hs, server, sid, caller, variant)


async def _window_zero_connection(hs, server, sid, caller, variant):
    await server.send(_window_update(0, 0))
    await _ok(hs, server, sid, caller, variant)


async def _goaway(hs, server, sid, caller, variant):
    """A GOAWAY (once an example) with a last stream id below, at or above this stream's; the
    streams it lets finish are answered as their acts say, this one if it is among them."""
    if hs.goaway_sent:
        await _ok(hs, server, sid, caller, variant)
        return
    hs.goaway_sent = True
    last = [0, max(0, sid - 2), sid, 0x7FFFFFFF][variant % 4]
    frame = hyperframe.frame.GoAwayFrame(0, last_stream_id=last, error_code=0)
    await server.send(frame.serialize())
    if sid <= last:
        await _ok(hs, server, sid, caller, variant)


async def _protocol_violation(hs, server, sid, caller, variant):
    raw = [
        b"\x00\x00\x01\x00\x00\x00\x00\x00\x00x",  # DATA on stream 0
        b"\x00\x00\x06\x04\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00\x05",  # SETTINGS push=5
        b"\x00\x00\x04\x06\x00\x00\x00\x00\x00abcd",  # PING of 4 bytes
        b"\x00\x00\x00\x01\x04\x00\x00\x00\x02",  # HEADERS on a stream the client never opened
    ][variant % 4]
    await server.send(raw)
    await _ok(hs, server, sid, caller, variant)


async def _close_mid_frame(hs, server, sid, caller, variant):
    if variant % 2:
        server.conn.send_headers(sid, [(b":status", b"200")])
        await server.send()
    await server.close_mid_frame()


_ACTS = {
    "ok": _ok,
    "ok_in_pieces": _ok_in_pieces,
    "huge_headers": _huge_headers,
    "header_flood": _header_flood,
    "data_after_end": _data_after_end,
    "ping_flood": _ping_flood,
    "informational": _informational,
    "trailers": _trailers,
    "fewer_streams": _fewer_streams,
    "push_promise": _push_promise,
    "bad_status": _bad_status,
    "bad_header": _bad_header,
    "reset_before_head": _reset_before_head,
    "reset_mid_body": _reset_mid_body,
    "short_body": _short_body,
    "long_body": _long_body,
    "silence": _silence,
    "window_overflow_stream": _window_overflow_stream,
    "window_zero_stream": _window_zero_stream,
    "window_overflow_connection": _window_overflow_connection,
    "window_zero_connection": _window_zero_connection,
    "goaway": _goaway,
    "protocol_violation": _protocol_violation,
    "close_mid_frame": _close_mid_frame,
}
assert _ACTS.keys() == SCOPES.keys() == MUST.keys()
