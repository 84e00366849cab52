"""The HTTP/2 frame codec (`_http2_frames.py`) with no I/O: against python-hyper's h2 as the
server, any split of what a server sends into reads parses the same; garbage ends in a
connection error (with its GOAWAY) and nothing else; each rule of RFC 9113 the client keeps
(connection errors, stream errors, what is ignored, flow control both ways) holds."""

import itertools
import struct

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.settings
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genaio.engine._http2_frames import Http2Codec, Http2ProtocolError, Stream
from genaio.engine._http2_wire import HeaderDecoder, HeaderEncoder

SETTINGS = {2: 0, 4: 1 << 20, 3: 100, 6: 1 << 16}  # as the connection sends them
REQUEST = [(b":method", b"GET"), (b":scheme", b"https"), (b":authority", b"a"), (b":path", b"/")]
PREFACE_LENGTH = 24


class Recorder:
    """The codec's handlers, writing down what they are told."""

    def __init__(self) -> None:
        self.events: list[tuple] = []

    def on_headers(self, stream, fields, end):
        self.events.append(("headers", stream.stream_id, [tuple(f) for f in fields], end))

    def on_data(self, stream, data, end):
        self.events.append(("data", stream.stream_id, bytes(data), end))

    def on_reset(self, stream, code):
        self.events.append(("reset", stream.stream_id, code))

    def on_stream_error(self, stream, what):
        self.events.append(("stream_error", stream.stream_id))

    def on_window(self, stream):
        self.events.append(("window", stream.stream_id if stream else 0))

    def on_settings(self):
        self.events.append(("settings",))

    def on_goaway(self, last_stream_id, code):
        self.events.append(("goaway", last_stream_id, code))


def client(streams: int = 3, end_stream: bool = True) -> tuple[Http2Codec, Recorder, list[Stream]]:
    """A started codec with `streams` streams opened (ids 1, 3, 5...)."""
    recorder = Recorder()
    codec = Http2Codec(recorder, HeaderEncoder(), HeaderDecoder(1 << 16), SETTINGS, 1 << 24)
    codec.start()
    opened = []
    for _ in range(streams):
        stream = Stream(codec.next_stream_id)
        codec.send_headers(stream, REQUEST, end_stream=end_stream)
        opened.append(stream)
    return codec, recorder, opened


def server(codec: Http2Codec, max_streams: int | None = None) -> h2.connection.H2Connection:
    """An h2 server that has read what `codec` sent so far."""
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
    limit = {h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: max_streams} if max_streams else {}
    conn.local_settings = h2.settings.Settings(client=False, initial_values=limit)
    conn.initiate_connection()
    conn.receive_data(codec.data_to_send())
    return conn


def frame(kind: int, flags: int, stream_id: int, payload: bytes = b"") -> bytes:
    return (
        struct.pack(">L", len(payload))[1:]
        + bytes((kind, flags))
        + struct.pack(">L", stream_id)
        + payload
    )


def frames_of(data: bytes) -> list[tuple[int, int, int, bytes]]:
    """(type, flags, stream id, payload) of each frame in `data`."""
    found, pos = [], 0
    while pos < len(data):
        length = int.from_bytes(data[pos : pos + 3], "big")
        kind, flags = data[pos + 3], data[pos + 4]
        stream_id = int.from_bytes(data[pos + 5 : pos + 9], "big")
        found.append((kind, flags, stream_id, data[pos + 9 : pos + 9 + length]))
        pos += 9 + length
    return found


def conversation() -> bytes:
    """What a server sends a client with streams 1, 3, 5 open: its settings, a head and body
    in pieces with padding, a 1xx and trailers, a big head in CONTINUATIONs, a reset, pings,
    window updates, a GOAWAY."""
    codec, _, _ = client()
    conn = server(codec, max_streams=50)
    conn.send_headers(1, [(b":status", b"200"), (b"content-length", b"10")])
    conn.send_data(1, b"hello", pad_length=7)
    conn.send_headers(3, [(b":status", b"103"), (b"link", b"</a>")])
    conn.send_headers(3, [(b":status", b"200")] + [(b"x-%d" % i, b"v" * 900) for i in range(40)])
    conn.send_data(1, b"world", end_stream=True)
    for _ in range(3):
        conn.send_data(3, b"x" * 13000)
    conn.send_headers(3, [(b"x-trailer", b"1")], end_stream=True)
    conn.reset_stream(5, h2.errors.ErrorCodes.INTERNAL_ERROR)
    conn.ping(b"12345678")
    conn.increment_flow_control_window(1000)
    conn.close_connection(last_stream_id=5)
    return conn.data_to_send()


CONVERSATION = conversation()


def test_a_conversation_reads_as_sent() -> None:
    codec, recorder, _ = client()
    codec.receive(CONVERSATION)
    events = recorder.events
    assert events[0] == ("settings",)
    assert events[1] == ("headers", 1, [(b":status", b"200"), (b"content-length", b"10")], False)
    assert events[2] == ("data", 1, b"hello", False)  # padding stripped
    assert events[3] == ("headers", 3, [(b":status", b"103"), (b"link", b"</a>")], False)
    assert events[4][:2] == ("headers", 3) and len(events[4][2]) == 41  # in CONTINUATIONs
    assert events[5] == ("data", 1, b"world", True)
    body = b"".join(e[2] for e in events if e[:2] == ("data", 3))
    assert body == b"x" * 39000
    tail = [e for e in events if e[:2] != ("data", 3)][6:]
    assert tail == [
        ("headers", 3, [(b"x-trailer", b"1")], True),
        ("reset", 5, 2),
        ("window", 0),
        ("goaway", 5, 0),
    ]
    assert codec.max_concurrent == 50 and not codec.streams  # all closed
    sent = frames_of(codec.data_to_send()[PREFACE_LENGTH:])
    assert (4, 1, 0, b"") in sent  # SETTINGS acknowledged
    assert (6, 1, 0, b"12345678") in sent  # PING answered


@settings(
    max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(cuts=st.lists(st.integers(0, len(CONVERSATION)), max_size=30))
def test_any_split_into_reads_parses_the_same(cuts: list[int]) -> None:
    whole, expected, _ = client()
    whole.receive(CONVERSATION)
    codec, recorder, _ = client()
    points = [0, *sorted(cuts), len(CONVERSATION)]
    for start, end in itertools.pairwise(points):
        codec.receive(CONVERSATION[start:end])
    assert recorder.events == expected.events
    assert codec.data_to_send() == whole.data_to_send()


_FRAMES = st.builds(
    frame,
    st.integers(0, 11),
    st.sampled_from([0, 1, 4, 5, 8, 9, 0x20, 0x24, 0x2D, 0xFF]),
    st.sampled_from([0, 1, 2, 3, 5, 7, 0x7FFFFFFF]),
    st.binary(max_size=40),
)


@settings(
    max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    garbage=st.lists(_FRAMES | st.binary(max_size=30), max_size=12),
    cuts=st.lists(st.integers(0, 600), max_size=5),
)
def test_garbage_ends_in_a_connection_error_or_nothing(garbage: list[bytes], cuts) -> None:
    """Frames of any type, flags, stream and payload (and bytes that are no frame): the codec
    raises nothing but `Http2ProtocolError`, after which it has queued a GOAWAY and takes
    nothing more."""
    codec, _, _ = client(end_stream=False)
    data = CONVERSATION[: CONVERSATION.index(b"\x00\x00\x00\x04\x01")] + b"".join(garbage)
    points = [0, *sorted(c for c in cuts if c < len(data)), len(data)]
    try:
        for start, end in itertools.pairwise(points):
            codec.receive(data[start:end])
    except Http2ProtocolError:
        assert codec.closed
        assert frames_of(codec.data_to_send()[PREFACE_LENGTH:])[-1][0] == 7  # GOAWAY
        codec.receive(CONVERSATION)  # taken for nothing
        assert codec.data_to_send() == b""


def started() -> tuple[Http2Codec, Recorder, list[Stream]]:
    """A client with streams 1 and 3 open (3 sending a body), the server's settings read."""
    codec, recorder, streams = client(2, end_stream=False)
    codec.receive(frame(4, 0, 0))
    codec.data_to_send()
    recorder.events.clear()
    return codec, recorder, streams


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (frame(0, 0, 0, b"x"), 1),  # DATA on stream 0
        (frame(1, 4, 0, b"\x88"), 1),  # HEADERS on stream 0
        (frame(0, 0, 9, b"x"), 1),  # DATA on a stream never opened
        (frame(1, 5, 2, b"\x88"), 1),  # HEADERS on an even (pushed) stream
        (frame(3, 0, 7, b"\x00\x00\x00\x08"), 1),  # RST_STREAM on a stream never opened
        (frame(8, 0, 11, b"\x00\x00\x00\x01"), 1),  # WINDOW_UPDATE likewise
        (frame(5, 4, 1, b"\x00\x00\x00\x02\x88"), 1),  # PUSH_PROMISE
        (frame(1, 0, 1, b"\x88") + frame(0, 0, 1, b"x"), 1),  # a frame amid CONTINUATIONs
        (frame(1, 0, 1, b"\x88") + frame(9, 4, 3, b""), 1),  # another stream's CONTINUATION
        (frame(9, 4, 1, b"\x88"), 1),  # CONTINUATION after no head
        (frame(1, 0x0C, 1, b"\x05\x88"), 1),  # more padding than payload
        (frame(0, 0x08, 1, b"\x01"), 1),  # likewise on DATA
        (b"\x00\x40\x01" + frame(0, 0, 1)[3:], 6),  # a frame over our 16 KiB
        (frame(1, 4, 1, b"\xff\xff\xff\xff"), 9),  # HPACK that does not decode
        (frame(4, 0, 0, b"\x00\x02\x00\x00\x00\x01"), 1),  # the server enables push
        (frame(4, 0, 0, b"\x00\x04\x80\x00\x00\x00"), 3),  # an initial window past 2**31 - 1
        (frame(4, 0, 0, b"\x00\x05\x00\x00\x10\x00"), 1),  # a max frame size under 16 KiB
        (frame(4, 0, 0, b"\x00\x05"), 6),  # SETTINGS not in 6-byte entries
        (frame(4, 1, 0, b"\x00\x05\x00\x00\x40\x00"), 6),  # an ACK with a payload
        (frame(4, 0, 1), 1),  # SETTINGS on a stream
        (frame(6, 0, 0, b"abcd"), 6),  # PING not of 8 bytes
        (frame(7, 0, 0, b"\x00\x00"), 6),  # GOAWAY too short
        (frame(8, 0, 0, b"\x00\x00\x00\x00"), 1),  # WINDOW_UPDATE of 0 on the connection
        (frame(8, 0, 0, b"\x7f\xff\xff\xff"), 3),  # the connection's window overflows
        (frame(8, 0, 0, b"\x00\x00"), 6),  # WINDOW_UPDATE not of 4 bytes
    ],
)
def test_connection_errors(data: bytes, code: int) -> None:
    codec, _, _ = started()
    with pytest.raises(Http2ProtocolError):
        codec.receive(data)
    kind, _, _, payload = frames_of(codec.data_to_send())[-1]
    assert (kind, payload) == (7, struct.pack(">LL", 0, code))


def test_a_head_too_large_in_continuations_is_refused_before_it_is_whole() -> None:
    codec, _, _ = started()
    with pytest.raises(Http2ProtocolError, match="larger"):
        codec.receive(frame(1, 0, 1, b"\x00" * 16384))
        for _ in range(8):
            codec.receive(frame(9, 0, 1, b"\x00" * 16384))


def test_data_past_the_receive_windows_is_a_connection_error() -> None:
    codec, _, _ = started()
    codec.receive(frame(1, 4, 1, b"\x88"))
    chunk = frame(0, 0, 1, b"x" * 16384)
    with pytest.raises(Http2ProtocolError, match="window"):
        for _ in range(64 + 1):  # 1 MiB is the stream's window
            codec.receive(chunk)


def test_stream_errors_reset_their_stream_alone() -> None:
    codec, recorder, (one, three) = started()
    codec.receive(frame(8, 0, 3, b"\x00\x00\x00\x00"))  # a WINDOW_UPDATE of 0 on a stream
    codec.receive(frame(8, 0, 1, b"\x7f\xff\xff\xff"))  # a stream's window overflows
    assert recorder.events == [("stream_error", 3), ("stream_error", 1)]
    sent = frames_of(codec.data_to_send())
    assert sent == [(3, 0, 3, b"\x00\x00\x00\x01"), (3, 0, 1, b"\x00\x00\x00\x03")]
    assert one.closed and three.closed and not codec.closed


def test_frames_for_closed_streams_are_ignored_but_data_counts() -> None:
    codec, recorder, (one, _) = started()
    codec.reset_stream(one, 8)
    codec.data_to_send()
    late = frame(1, 4, 1, b"\x88") + frame(0, 0, 1, b"x" * 10000) + frame(3, 0, 1, b"\0\0\0\1")
    for _ in range(900):  # 9 MB: given back to the connection, half its window at a time
        codec.receive(late + frame(8, 0, 1, b"\x00\x00\x00\x05") + frame(2, 0, 1, b"\0" * 5))
    assert recorder.events == []
    updates = [f for f in frames_of(codec.data_to_send()) if f[0] == 8]
    assert updates == [(8, 0, 0, struct.pack(">L", 8_390_000))]
    codec.receive(frame(0, 1, 3, b"ok") + frame(0, 1, 3, b"again"))  # data after the end
    assert recorder.events == [("data", 3, b"ok", True)]


def test_windows_are_given_back_at_half_and_respected_when_sending() -> None:
    codec, recorder, (one, three) = started()
    codec.receive(frame(1, 4, 1, b"\x88"))
    for _ in range(32):
        codec.receive(frame(0, 0, 1, b"x" * 16384))
    assert one.unacked == 1 << 19
    codec.acknowledge(one)
    sent = frames_of(codec.data_to_send())
    assert sent == [(8, 0, 1, struct.pack(">L", 1 << 19))]
    assert (codec.window(three), codec.max_frame_size) == (65535, 16384)
    codec.send_data(three, b"y" * 16384, end_stream=False)
    assert codec.window(three) == 65535 - 16384
    codec.receive(frame(4, 0, 0, b"\x00\x04\x00\x01\x00\x00" + b"\x00\x05\x00\x00\x80\x00"))
    assert three.send_window == 65536 - 16384 and codec.max_frame_size == 1 << 15
    codec.receive(frame(8, 0, 3, b"\x00\x00\x01\x00"))
    assert recorder.events[-2:] == [("settings",), ("window", 3)]


def test_big_heads_go_out_in_continuations_that_h2_reads() -> None:
    codec, _, _ = client(0)
    conn = server(codec)
    codec.receive(conn.data_to_send())
    stream = Stream(codec.next_stream_id)
    fields = [*REQUEST, *((b"x-big-%d" % i, b"v" * 5000) for i in range(8))]
    codec.send_headers(stream, fields, end_stream=True)
    events = conn.receive_data(codec.data_to_send())
    received = [e for e in events if isinstance(e, h2.events.RequestReceived)]
    assert [(bytes(n), bytes(v)) for n, v in received[0].headers] == fields


def test_closed_streams_leave_the_open_count() -> None:
    """The count of open streams (what the server's MAX_CONCURRENT_STREAMS limits) drops as
    streams end both ways, or are reset either way."""
    codec, _, (one, _, five) = client()
    conn = server(codec)
    codec.receive(conn.data_to_send())
    assert len(codec.streams) == 3  # our ends sent; the server's not yet
    conn.send_headers(1, [(b":status", b"200")], end_stream=True)
    conn.reset_stream(3)
    codec.receive(conn.data_to_send())
    assert list(codec.streams) == [5]
    codec.reset_stream(five, 8)
    assert not codec.streams and one.closed and five.closed
