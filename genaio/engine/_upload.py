"""The resumable upload protocol (wire spec §6), shared by files and file search stores.

A start request opens a session and is answered with the upload URL; the bytes follow in 8 MiB
chunks, one request each, the last of which finalizes, and its answer is the result. A chunk is
read from its source when the worker that sends it takes it, and the next one is read meanwhile
(`_ReadAhead`), so that reading the disk and sending overlap while an upload holds at most two
chunks: a file is never held in memory whole. A chunk that fails with a retryable error is not
blindly re-sent: the server is asked how much it holds (`query`) and the upload goes on from
there, so a chunk the server did receive is never sent twice.

The decisions (headers, which command, where the next chunk starts, where to resume) are plain
functions. `resumable_upload` only performs them, through the `send` it is given (a family
actor's), so this module knows nothing of actors or resources.
"""

from __future__ import annotations

import io
import mimetypes
import os
from collections.abc import Awaitable, Callable, Mapping
from typing import IO, Any, Protocol, TypeGuard
from urllib.parse import urlsplit, urlunsplit

import anyio
import anyio.abc
import anyio.lowlevel
import attrs

from genaio.engine._calls import DeferredBody, JsonAnswer, RestCall
from genaio.engine._config import CallOptions, RetryPolicy
from genaio.engine._retry import Retrier
from genaio.errors import UnknownApiResponseError

__all__ = [
    "CHUNK_SIZE",
    "UploadSource",
    "chunk_command",
    "chunk_length",
    "guess_mime_type",
    "next_offset",
    "open_source",
    "resumable_upload",
    "resume_offset",
    "start_headers",
    "upload_url",
]

#: The official SDK's chunk size; the server's chunk granularity is 8 MiB too. A larger chunk
#: (a multiple of the granularity) would spend fewer round trips, but an upload holds two.
CHUNK_SIZE = 8 * 1024 * 1024

#: Uploadable things: a path, a binary seekable file object, or bytes.
Uploadable = str | os.PathLike[str] | IO[bytes] | bytes | bytearray | memoryview
Send = Callable[[RestCall], Awaitable[JsonAnswer]]

#: Chunks are retried by the upload loop (which resumes where the server is), not the transport.
_NO_RETRY = RetryPolicy(attempts=1)


class UploadSource(Protocol):
    """Bytes to upload, read a chunk at a time (read-only: the sources are frozen)."""

    @property
    def size(self) -> int: ...

    @property
    def file_name(self) -> str | None:
        """A path's base name, sent as `X-Goog-Upload-File-Name`; None for file objects and
        bytes."""
        ...

    async def read(self, offset: int, length: int) -> bytes: ...


@attrs.frozen
class _PathSource:
    path: str
    size: int

    @property
    def file_name(self) -> str:
        return os.path.basename(self.path)

    async def read(self, offset: int, length: int) -> bytes:
        # Opened per chunk in a worker thread: no handle stays open across awaits.
        return await anyio.to_thread.run_sync(_read_path, self.path, offset, length)


@attrs.frozen
class _StreamSource:
    stream: IO[bytes]
    start: int
    size: int
    file_name: None = None

    async def read(self, offset: int, length: int) -> bytes:
        return await anyio.to_thread.run_sync(_read_at, self.stream, self.start + offset, length)


@attrs.frozen
class _BytesSource:
    data: bytes
    file_name: None = None

    @property
    def size(self) -> int:
        return len(self.data)

    async def read(self, offset: int, length: int) -> bytes:
        await anyio.lowlevel.checkpoint()
        return self.data[offset : offset + length]


async def open_source(file: Uploadable) -> UploadSource:
    """What `file` is and how large, checked in a worker thread (a stat, a seek).

    Raises:
        FileNotFoundError: a path that is not a file.
        ValueError: a file object opened in text mode, or not seekable.
        TypeError: anything else.

    Cancellation: a check already running in its worker thread finishes first; nothing is left
    open.
    """
    if isinstance(file, bytes | bytearray | memoryview):
        await anyio.lowlevel.checkpoint()
        return _BytesSource(bytes(file))
    if isinstance(file, str | os.PathLike):
        return await anyio.to_thread.run_sync(_path_source, os.fspath(file))
    if _is_file_object(file):
        return await anyio.to_thread.run_sync(_stream_source, file)
    raise TypeError(
        f"cannot upload a {type(file).__name__}: pass a path, a binary file object or bytes"
    )


def guess_mime_type(file: Uploadable, mime_type: str | None) -> str:
    """`mime_type` if given, else a path's guessed from its extension.

    Raises:
        ValueError: no `mime_type` for a file object or bytes, or an unknown extension.
    """
    if mime_type:
        return mime_type
    if isinstance(file, str | os.PathLike):
        guessed, _ = mimetypes.guess_type(os.fspath(file))
        if guessed:
            return guessed
        raise ValueError(
            f"cannot tell the MIME type of {os.fspath(file)!r} from its name; "
            "pass config={'mime_type': ...}"
        )
    raise ValueError("uploading a file object or bytes needs config={'mime_type': ...}")


# -- the protocol's decisions: no I/O ---------------------------------------------------------


def start_headers(size: int, mime_type: str, file_name: str | None) -> dict[str, str]:
    """The headers that open a session; chunks repeat them with their own command and offset."""
    headers = {
        "x-goog-upload-protocol": "resumable",
        "x-goog-upload-command": "start",
        "x-goog-upload-header-content-length": str(size),
        "x-goog-upload-header-content-type": mime_type,
    }
    if file_name:
        headers["x-goog-upload-file-name"] = file_name
    return headers


def chunk_length(offset: int, size: int, chunk_size: int) -> int:
    """The length of the chunk that starts at `offset` (0 for an empty file's only chunk)."""
    return min(chunk_size, size - offset)


def chunk_command(offset: int, length: int, size: int) -> str:
    """The last chunk (an empty one for an empty file) also finalizes."""
    return "upload, finalize" if offset + length >= size else "upload"


def upload_url(headers: Mapping[str, str], base_url: str | None = None) -> str:
    """The session's URL from the start answer; a per-call `base_url` replaces its host, as
    the official SDK does (the server may hand out its public host).

    Raises:
        UnknownApiResponseError: the start answer has no `X-Goog-Upload-URL`.
    """
    url = headers.get("x-goog-upload-url")
    if not url:
        raise UnknownApiResponseError("the upload start was answered without X-Goog-Upload-URL")
    if base_url:
        base = urlsplit(base_url)
        url = urlunsplit(urlsplit(url)._replace(scheme=base.scheme, netloc=base.netloc))
    return url


def next_offset(status: str | None, sent_to: int, size: int) -> int | None:
    """Where the next chunk starts after one that ended at `sent_to`; None once it is final.

    Raises:
        UnknownApiResponseError: the server stopped the upload, or did not finalize it.
    """
    if status == "final":
        return None
    if status != "active":
        raise UnknownApiResponseError(f"the upload stopped with status {status!r}")
    if sent_to >= size:
        raise UnknownApiResponseError("every byte was sent but the upload was not finalized")
    return sent_to


def resume_offset(headers: Mapping[str, str], fallback: int, size: int) -> int:
    """Where to resume after a failed chunk: the bytes the server says it holds, or `fallback`
    (the failed chunk's offset) if it does not say.

    Raises:
        UnknownApiResponseError: the session is no longer active, or the size is impossible.
    """
    status = headers.get("x-goog-upload-status")
    if status is not None and status != "active":
        raise UnknownApiResponseError(f"the upload cannot resume: its status is {status!r}")
    received = headers.get("x-goog-upload-size-received")
    if received is None or not received.strip().isdigit():
        return fallback
    if int(received) > size:
        raise UnknownApiResponseError(f"the server holds {received} bytes of {size}")
    return int(received)


# -- performing them --------------------------------------------------------------------------


async def resumable_upload(
    send: Send,
    path: str,
    source: UploadSource,
    *,
    mime_type: str,
    body: Any,
    options: CallOptions | None,
    retry: RetryPolicy,
    chunk_size: int = CHUNK_SIZE,
) -> JsonAnswer:
    """Upload `source` to the upload endpoint `path`; return the finalizing chunk's answer.

    `body` is the start request's JSON; `retry` is the client's policy (a per-call
    `options.retry` wins), applied to each chunk with a resume before every new attempt.

    Cancellation: cancelling abandons the upload; a chunk in flight is cancelled with its
    connection, a chunk being read ahead in its worker thread is waited for and dropped, and a
    new call starts a new session.
    """
    headers = start_headers(source.size, mime_type, source.file_name)
    # Starting is safe to repeat: a session creates nothing until its last chunk arrives.
    # Nothing to say is no body at all, as the official SDK sends it.
    start = RestCall("POST", path, body=body or None, headers=headers, options=options)
    answer = await send(start)
    url = upload_url(answer.headers, options.base_url if options is not None else None)
    retrier = Retrier((options and options.retry) or retry)
    error: Exception | None = None
    async with anyio.create_task_group() as readers:
        reader = _ReadAhead(source, chunk_size, readers)
        chunk_options = attrs.evolve(options or CallOptions(), retry=_NO_RETRY)
        session = _Session(send, url, source, reader, headers, chunk_options, chunk_size)
        try:
            answer = await session.run(retrier)
        except Exception as exc:  # raised below as it is, not in the task group's group
            error = exc
        finally:
            reader.close()
            readers.cancel_scope.cancel()  # a chunk read ahead that nobody will send
    if error is not None:
        raise error
    return answer


@attrs.frozen
class _Session:
    """An open upload session: sends chunks and queries to its URL, with no API key."""

    send: Send
    url: str
    source: UploadSource
    reader: _ReadAhead
    headers: Mapping[str, str]
    options: CallOptions
    chunk_size: int = CHUNK_SIZE

    async def run(self, retrier: Retrier) -> JsonAnswer:
        """Send every chunk, in order; the finalizing chunk's answer."""
        offset = 0
        while True:
            answer, sent_to = await retrier.run(self.attempt(offset), idempotent=True)
            status = answer.headers.get("x-goog-upload-status")
            following = next_offset(status, sent_to, self.source.size)
            if following is None:
                return answer
            offset = following

    def attempt(self, offset: int) -> Callable[[int], Awaitable[tuple[JsonAnswer, int]]]:
        """One chunk from `offset`: the first try sends it; later ones resume first."""

        async def put(number: int) -> tuple[JsonAnswer, int]:
            start = offset if number == 1 else await self._query(offset)
            length = chunk_length(start, self.source.size, self.chunk_size)
            command = chunk_command(start, length, self.source.size)
            chunk = _Chunk(self.reader, start, length)
            return await self._post(chunk, command, start), start + length

        return put

    async def _query(self, fallback: int) -> int:
        answer = await self._post(b"", "query")
        return resume_offset(answer.headers, fallback, self.source.size)

    async def _post(
        self, data: bytes | DeferredBody, command: str, offset: int | None = None
    ) -> JsonAnswer:
        headers = {**self.headers, "x-goog-upload-command": command}
        if offset is not None:
            headers["x-goog-upload-offset"] = str(offset)
        call = RestCall(
            "POST", self.url, body=data, headers=headers, options=self.options, authenticated=False
        )
        return await self.send(call)


@attrs.frozen
class _Chunk(DeferredBody):
    """A chunk, read by the worker that sends it: chunks waiting for the family's workers
    hold no memory, so a burst of uploads buffers at most `concurrency` chunks (and the next
    chunk of each, read ahead while they are sent)."""

    reader: _ReadAhead
    offset: int
    length: int

    async def read(self) -> bytes:
        return await self.reader.read(self.offset, self.length)


class _ReadAhead:
    """An upload's chunks, each read while the one before it is sent: the disk (a worker
    thread's read) and the network work at once.

    Bounded: the next chunk is read ahead only once the current one has been taken by the
    worker that sends it (an upload waiting for a worker holds nothing), and a chunk read ahead
    that is not the one asked for (a retry resumes where the server is) is waited for and
    dropped before another read starts. So an upload holds at most two chunks, the one being
    sent and the one read ahead, and its source has one read at a time (a file object's seek
    and read are never interleaved). A read ahead that failed is read again by the sender,
    where its error belongs.
    """

    def __init__(self, source: UploadSource, chunk_size: int, readers: anyio.abc.TaskGroup) -> None:
        self._source = source
        self._chunk_size = chunk_size
        self._readers: anyio.abc.TaskGroup | None = readers
        self._ahead: _Ahead | None = None

    async def read(self, offset: int, length: int) -> bytes:
        """The chunk at `offset`: the one read ahead if it is that one, else read now; then
        the chunk after it starts being read.

        Cancellation: a read in its worker thread finishes first; the chunk is dropped.
        """
        ahead, self._ahead = self._ahead, None
        data = None
        if ahead is not None:
            await ahead.done.wait()
            if (ahead.offset, ahead.length) == (offset, length):
                data = ahead.data
        if data is None:
            data = await self._source.read(offset, length)
        following = offset + length
        if following < self._source.size and self._readers is not None:
            length = chunk_length(following, self._source.size, self._chunk_size)
            self._ahead = _Ahead(following, length)
            self._readers.start_soon(self._ahead.fill, self._source)
        return data

    def close(self) -> None:
        """Read nothing more ahead: the upload has ended (its task group is closing)."""
        self._readers = None
        self._ahead = None


@attrs.define(eq=False)
class _Ahead:
    """A chunk being read ahead; `data` once `done`, unless the read failed or was cancelled."""

    offset: int
    length: int
    data: bytes | None = None
    done: anyio.Event = attrs.Factory(anyio.Event)

    async def fill(self, source: UploadSource) -> None:
        try:
            self.data = await source.read(self.offset, self.length)
        except Exception:  # the sender reads it again, and meets the error itself
            pass
        finally:
            self.done.set()


def _path_source(path: str) -> _PathSource:
    if not path or not os.path.isfile(path):
        raise FileNotFoundError(f"{path!r} is not a file")
    return _PathSource(path, os.path.getsize(path))


def _is_file_object(file: object) -> TypeGuard[IO[bytes]]:
    """An io stream, or an object that delegates to one: `tempfile.NamedTemporaryFile()` is a
    wrapper, not an `io.IOBase`. Its mode and seekability are `_stream_source`'s to check."""
    return isinstance(file, io.IOBase) or all(
        callable(getattr(file, name, None)) for name in ("read", "seek", "tell", "seekable")
    )


def _stream_source(stream: IO[bytes]) -> _StreamSource:
    if isinstance(stream, io.TextIOBase) or "b" not in getattr(stream, "mode", "b"):
        raise ValueError("the file must be opened in binary mode ('rb')")
    if not stream.seekable():
        raise ValueError("the file object must be seekable")
    start = stream.tell()
    end = stream.seek(0, os.SEEK_END)
    stream.seek(start)
    return _StreamSource(stream, start, end - start)


def _read_path(path: str, offset: int, length: int) -> bytes:
    with open(path, "rb") as stream:
        return _read_at(stream, offset, length)


def _read_at(stream: IO[bytes], offset: int, length: int) -> bytes:
    """Exactly `length` bytes from `offset` (a raw stream may return fewer per read)."""
    stream.seek(offset)
    data = stream.read(length)
    while len(data) < length:
        more = stream.read(length - len(data))
        if not more:
            raise ValueError(
                f"the file shrank while it was uploaded (at byte {offset + len(data)})"
            )
        data += more
    return data
