"""The resumable upload protocol on its own: its decisions, and the loop against a fake server.

The fake server is a `send` function (what a family actor provides), so these tests run without
actors, sockets or clocks beyond a MockClock.
"""

from __future__ import annotations

import io
import tempfile

import attrs
import httpx
import pytest
import trio
import trio.testing

from genaio import errors
from genaio.engine import JsonAnswer, RetryPolicy
from genaio.engine._upload import (
    CHUNK_SIZE,
    chunk_command,
    next_offset,
    resumable_upload,
    resume_offset,
    start_headers,
    upload_url,
)
from genaio.engine._upload_source import guess_mime_type, open_source

FAST = RetryPolicy(attempts=4, initial_delay=0.01, max_delay=0.1, jitter=0)


# -- decisions --------------------------------------------------------------------------------


def test_the_last_chunk_finalizes_and_an_empty_file_is_one_final_chunk():
    assert chunk_command(0, 8, 20) == "upload"
    assert chunk_command(16, 4, 20) == "upload, finalize"
    assert chunk_command(0, 0, 0) == "upload, finalize"


def test_start_headers_name_only_paths():
    headers = start_headers(11, "text/plain", "a.txt")
    assert headers == {
        "x-goog-upload-protocol": "resumable",
        "x-goog-upload-command": "start",
        "x-goog-upload-header-content-length": "11",
        "x-goog-upload-header-content-type": "text/plain",
        "x-goog-upload-file-name": "a.txt",
    }
    assert "x-goog-upload-file-name" not in start_headers(1, "text/plain", None)


def test_upload_url_is_required_and_a_per_call_base_url_replaces_its_host():
    url = "https://upload.example/upload/v1/files?upload_id=u"
    assert upload_url(httpx.Headers({"X-Goog-Upload-URL": url})) == url
    moved = upload_url(httpx.Headers({"x-goog-upload-url": url}), "http://127.0.0.1:9/")
    assert moved == "http://127.0.0.1:9/upload/v1/files?upload_id=u"
    with pytest.raises(errors.UnknownApiResponseError):
        upload_url(httpx.Headers({}))


def test_next_offset_follows_the_status():
    assert next_offset("active", 8, 20) == 8
    assert next_offset("final", 20, 20) is None
    with pytest.raises(errors.UnknownApiResponseError, match="not finalized"):
        next_offset("active", 20, 20)
    with pytest.raises(errors.UnknownApiResponseError, match="cancelled"):
        next_offset("cancelled", 8, 20)
    with pytest.raises(errors.UnknownApiResponseError):
        next_offset(None, 8, 20)


def test_resume_offset_trusts_the_server_else_the_failed_chunk():
    assert resume_offset({"x-goog-upload-size-received": "16"}, 8, 20) == 16
    assert resume_offset({"x-goog-upload-status": "active"}, 8, 20) == 8
    assert resume_offset({"x-goog-upload-size-received": "many"}, 8, 20) == 8
    with pytest.raises(errors.UnknownApiResponseError):
        resume_offset({"x-goog-upload-size-received": "21"}, 8, 20)
    with pytest.raises(errors.UnknownApiResponseError):
        resume_offset({"x-goog-upload-status": "final"}, 8, 20)


def test_mime_types_come_from_the_config_or_the_path():
    assert guess_mime_type("a.bin", "image/png") == "image/png"
    assert guess_mime_type("photo.jpg", None) == "image/jpeg"
    with pytest.raises(ValueError, match="mime_type"):
        guess_mime_type("no-extension", None)
    with pytest.raises(ValueError, match="mime_type"):
        guess_mime_type(io.BytesIO(b"x"), None)
    with pytest.raises(ValueError, match="mime_type"):
        guess_mime_type(b"x", None)


async def test_sources_check_what_they_are_given(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"0123456789")
    source = await open_source(path)
    assert (source.size, source.file_name) == (10, "a.txt")
    assert await source.read(2, 3) == b"234"
    stream = io.BytesIO(b"0123456789")
    stream.seek(4)
    source = await open_source(stream)  # from the current position, as the official SDK does
    assert (source.size, source.file_name) == (6, None)
    assert await source.read(0, 2) == b"45"
    assert (await open_source(b"abc")).size == 3
    with pytest.raises(FileNotFoundError):
        await open_source(tmp_path / "missing")
    with pytest.raises(ValueError, match="binary"):
        await open_source(io.StringIO("text"))
    with pytest.raises(TypeError):
        await open_source(42)  # type: ignore[arg-type]


async def test_a_named_temporary_file_is_a_file_object():
    # tempfile's wrapper delegates to a real file but is not an io.IOBase: it used to be refused
    # with a TypeError though `Uploadable` (IO[bytes]) promises it.
    with tempfile.NamedTemporaryFile() as stream:
        stream.write(b"0123456789")
        stream.seek(3)
        source = await open_source(stream)
        assert (source.size, source.file_name) == (7, None)
        assert await source.read(0, 4) == b"3456"
    with tempfile.NamedTemporaryFile("w+") as text, pytest.raises(ValueError, match="binary"):
        await open_source(text)  # type: ignore[arg-type]


# -- the loop, against a fake server ------------------------------------------------------------


class FakeServer:
    """The server side of the protocol, as a `send` function; `fail` decides per request."""

    def __init__(self, fail=None):
        self.received = bytearray()
        self.requests: list[tuple[str, int | None, int]] = []  # (command, offset, length)
        self.fail = fail or (lambda command, offset, stored: None)

    async def send(self, call) -> JsonAnswer:
        await trio.lowlevel.checkpoint()
        command = call.headers["x-goog-upload-command"]
        if command == "start":
            assert call.authenticated and call.path == "upload/files"
            return JsonAnswer({}, httpx.Headers({"x-goog-upload-url": "http://up/?upload_id=1"}))
        assert not call.authenticated and call.path == "http://up/?upload_id=1"
        assert call.options.retry.attempts == 1  # the transport must not retry chunks itself
        offset = call.headers.get("x-goog-upload-offset")
        offset = None if offset is None else int(offset)
        # A chunk comes as a DeferredBody: read, as the transport reads it, when it is sent.
        body = call.body if isinstance(call.body, bytes) else await call.body.read()
        self.requests.append((command, offset, len(body)))
        if command == "query":
            return JsonAnswer({}, httpx.Headers(_status("active", len(self.received))))
        assert offset == len(self.received), "a chunk was sent at the wrong offset"
        failure = self.fail(command, offset, False)
        if failure is not None:
            raise failure
        self.received += body
        failure = self.fail(command, offset, True)  # the chunk arrived, but its answer is lost
        if failure is not None:
            raise failure
        if "finalize" in command:
            return JsonAnswer({"file": {"name": "files/x"}}, httpx.Headers(_status("final")))
        return JsonAnswer({}, httpx.Headers(_status("active")))


def _status(status, received=None):
    headers = {"x-goog-upload-status": status}
    if received is not None:
        headers["x-goog-upload-size-received"] = str(received)
    return headers


async def upload(server, data, chunk_size=4, retry=FAST):
    return await resumable_upload(
        server.send,
        "upload/files",
        await open_source(data),
        mime_type="text/plain",
        body={"file": {}},
        options=None,
        retry=retry,
        chunk_size=chunk_size,
    )


async def test_chunks_go_in_order_and_the_last_one_finalizes():
    server = FakeServer()
    answer = await upload(server, b"0123456789")
    assert answer.data == {"file": {"name": "files/x"}}
    assert server.requests == [("upload", 0, 4), ("upload", 4, 4), ("upload, finalize", 8, 2)]
    assert bytes(server.received) == b"0123456789"


async def test_the_default_chunk_is_8_mib():
    server = FakeServer()
    await upload(server, bytes(CHUNK_SIZE + 1), chunk_size=CHUNK_SIZE)
    assert [length for _, _, length in server.requests] == [CHUNK_SIZE, 1]


async def test_an_empty_file_is_one_empty_finalizing_chunk():
    server = FakeServer()
    await upload(server, b"")
    assert server.requests == [("upload, finalize", 0, 0)]


async def test_a_chunk_lost_before_the_server_stored_it_is_sent_again_from_its_offset(
    autojump_clock,
):
    failures = iter([errors.ServiceUnavailableError(503, {"error": {"code": 503}})])

    def fail(command, offset, stored):
        if offset == 4 and not stored:
            return next(failures, None)
        return None

    server = FakeServer(fail)
    await upload(server, b"0123456789")
    assert server.requests == [
        ("upload", 0, 4),
        ("upload", 4, 4),  # refused with 503
        ("query", None, 0),
        ("upload", 4, 4),
        ("upload, finalize", 8, 2),
    ]
    assert bytes(server.received) == b"0123456789"


async def test_a_chunk_whose_answer_was_lost_is_not_sent_twice(autojump_clock):
    lost = iter([errors.NetworkError("ReadError: connection reset")])

    def fail(command, offset, stored):
        return next(lost, None) if offset == 4 and stored else None

    server = FakeServer(fail)
    await upload(server, b"0123456789")
    assert server.requests == [
        ("upload", 0, 4),
        ("upload", 4, 4),  # stored, but the connection broke before the answer
        ("query", None, 0),  # the server holds 8 bytes: go on from there
        ("upload, finalize", 8, 2),
    ]
    assert bytes(server.received) == b"0123456789"


async def test_retries_are_bounded_and_a_client_error_is_not_retried(autojump_clock):
    always = FakeServer(lambda c, o, stored: None if stored else errors.ServerError(500, {}))
    with pytest.raises(errors.ServerError):
        await upload(always, b"0123456789")
    assert len([r for r in always.requests if r[0] != "query"]) == FAST.attempts

    refused = FakeServer(
        lambda c, o, stored: None if stored else errors.InvalidArgumentError(400, {})
    )
    with pytest.raises(errors.InvalidArgumentError):
        await upload(refused, b"0123456789")
    assert refused.requests == [("upload", 0, 4)]


async def test_a_file_object_is_read_one_chunk_at_a_time():
    class Counting(io.BytesIO):
        reads: list[int] = []

        def read(self, size=-1):
            self.reads.append(size)
            return super().read(size)

    stream = Counting(bytes(10))
    await upload(FakeServer(), stream)
    assert stream.reads == [4, 4, 2]


# -- reading ahead: overlapped with sending, bounded ---------------------------------------------


class RecordingSource:
    """An `UploadSource` in memory that records its reads (and the reads that ended)."""

    file_name = None

    def __init__(self, data: bytes, hang_from: int | None = None) -> None:
        self.data = data
        self.size = len(data)
        self.reads: list[tuple[int, int]] = []
        self.ended: list[tuple[int, int]] = []
        self.hang_from = hang_from  # reads from this offset on never return

    async def read(self, offset: int, length: int) -> bytes:
        self.reads.append((offset, length))
        try:
            if self.hang_from is not None and offset >= self.hang_from:
                await trio.sleep_forever()
            await trio.lowlevel.checkpoint()
            return self.data[offset : offset + length]
        finally:
            self.ended.append((offset, length))


class ReadsWatcher(FakeServer):
    """Notes, while each chunk is still in flight (received, not yet answered), which chunks
    the upload has read so far."""

    def __init__(self, source: RecordingSource, fail=None) -> None:
        super().__init__(fail)
        self.source = source
        self.read_while_sending: list[list[tuple[int, int]]] = []

    async def send(self, call) -> JsonAnswer:
        if call.headers["x-goog-upload-command"] in ("start", "query"):
            return await super().send(call)
        # The transport reads the chunk first; then every task runs until it blocks.
        call = attrs.evolve(call, body=await call.body.read())
        await trio.testing.wait_all_tasks_blocked()
        self.read_while_sending.append(list(self.source.reads))
        return await super().send(call)


async def raw_upload(send, source, chunk_size=4):
    """`upload`, of a source as it is."""
    return await resumable_upload(
        send,
        "upload/files",
        source,
        mime_type="text/plain",
        body={"file": {}},
        options=None,
        retry=FAST,
        chunk_size=chunk_size,
    )


async def test_the_next_chunk_is_read_while_one_is_sent_and_never_more_than_one_ahead():
    source = RecordingSource(b"0123456789")
    server = ReadsWatcher(source)
    await raw_upload(server.send, source)
    assert bytes(server.received) == b"0123456789"
    # While chunk n is on the wire, chunk n + 1 has been read, and chunk n + 2 has not: an
    # upload holds two chunks at most, whatever the file's size.
    assert server.read_while_sending == [
        [(0, 4), (4, 4)],
        [(0, 4), (4, 4), (8, 2)],
        [(0, 4), (4, 4), (8, 2)],
    ]


async def test_a_retried_chunk_drops_the_one_read_ahead_and_reads_its_own(autojump_clock):
    failures = iter([errors.ServiceUnavailableError(503, {"error": {"code": 503}})])

    def fail(command, offset, stored):
        return next(failures, None) if offset == 4 and not stored else None

    source = RecordingSource(b"0123456789")
    server = ReadsWatcher(source, fail)
    await raw_upload(server.send, source)
    assert bytes(server.received) == b"0123456789"
    # Chunk 4 failed after chunk 8 was read ahead: the retry resumes at 4, so chunk 8 is
    # dropped (one read at a time: it had ended first) and read again after chunk 4.
    assert source.reads == [(0, 4), (4, 4), (8, 2), (4, 4), (8, 2)]
    assert source.ended == source.reads


async def test_cancelling_an_upload_ends_its_read_ahead_before_it_returns():
    source = RecordingSource(b"0123456789", hang_from=4)  # the read ahead never finishes
    server = FakeServer()
    in_flight = trio.Event()
    ended_by_return: list[tuple[int, int]] = []

    async def hanging_send(call):
        if call.headers["x-goog-upload-command"] != "start":
            await call.body.read()
            in_flight.set()
            await trio.sleep_forever()  # the first chunk is never answered
        return await server.send(call)

    async def upload_then_note() -> None:
        try:
            await raw_upload(hanging_send, source)
        finally:
            ended_by_return.extend(source.ended)

    async with trio.open_nursery() as nursery:
        nursery.start_soon(upload_then_note)
        await in_flight.wait()
        await trio.testing.wait_all_tasks_blocked()
        assert source.reads == [(0, 4), (4, 4)]  # the second is being read ahead
        nursery.cancel_scope.cancel()
    assert ended_by_return == [(0, 4), (4, 4)]  # nothing left reading once the upload is gone
