"""A large request body (an upload's chunk) goes out as it is: after its head, not joined to it,
and in views of it, not slices copied from it; a small request is still one write."""

import anyio.abc
import h11

from genaio.engine._connection import SEND_PIECE, Connection
from genaio.engine._http11 import JOIN_LIMIT, encode_request, split_url


class RecordingStream(anyio.abc.ByteStream):
    """A byte stream that keeps what it is given to send, as it was given."""

    def __init__(self) -> None:
        self.sent: list[bytes | memoryview] = []

    async def send(self, item: bytes) -> None:
        self.sent.append(item)

    async def receive(self, max_bytes: int = 65536) -> bytes:
        raise anyio.EndOfStream

    async def send_eof(self) -> None:
        pass

    async def aclose(self) -> None:
        pass


def read_back(data: bytes) -> tuple[h11.Request, bytes]:
    server = h11.Connection(h11.SERVER)
    server.receive_data(data)
    request, body = server.next_event(), b""
    while isinstance(event := server.next_event(), h11.Data):
        body += event.data
    assert isinstance(request, h11.Request) and isinstance(event, h11.EndOfMessage)
    return request, body


def test_a_small_body_is_joined_to_its_head_and_a_large_one_is_left_as_it_is():
    target = split_url("http://upload.test/upload?upload_id=1")
    small = encode_request("POST", target, [(b"x-goog-upload-command", b"upload")], b"x" * 10)
    assert isinstance(small, bytes)
    assert read_back(small)[1] == b"x" * 10

    body = bytes(range(256)) * (JOIN_LIMIT // 256 + 1)
    head, same = encode_request("POST", target, [(b"x-goog-upload-command", b"upload")], body)
    assert same is body  # not copied
    request, received = read_back(head + body)
    assert (request.target, received) == (b"/upload?upload_id=1", body)
    assert (b"content-length", str(len(body)).encode()) in request.headers


async def test_a_large_body_goes_after_its_head_in_views_of_it():
    stream = RecordingStream()
    connection = Connection((b"http", b"upload.test", 80), stream)
    body = bytes(range(256)) * (3 * SEND_PIECE // 256 + 100)
    await connection.send_in_pieces(b"POST / HTTP/1.1\r\n\r\n", body)
    head, *pieces = stream.sent
    assert head == b"POST / HTTP/1.1\r\n\r\n"
    assert len(pieces) == 4 and all(len(piece) <= SEND_PIECE for piece in pieces)
    assert all(isinstance(piece, memoryview) and piece.obj is body for piece in pieces)
    assert b"".join(pieces) == body
    assert not connection.early
