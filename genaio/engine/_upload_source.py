"""What an upload sends: its source (a path, a binary file object, or bytes), read a chunk at a
time, the next chunk read ahead while one is sent (`ReadAhead`).

A path is opened per chunk and a file object read at an offset, each in a worker thread, so
that no handle stays open across awaits and nothing blocks the event loop.
"""

from __future__ import annotations

import io
import mimetypes
import os
from typing import IO, Protocol, TypeGuard

import anyio
import anyio.abc
import anyio.lowlevel
import attrs

__all__ = [
    "ReadAhead",
    "UploadSource",
    "Uploadable",
    "chunk_length",
    "guess_mime_type",
    "open_source",
]

#: Uploadable things: a path, a binary seekable file object, or bytes.
Uploadable = str | os.PathLike[str] | IO[bytes] | bytes | bytearray | memoryview


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


def chunk_length(offset: int, size: int, chunk_size: int) -> int:
    """The length of the chunk that starts at `offset` (0 for an empty file's only chunk)."""
    return min(chunk_size, size - offset)


class ReadAhead:
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
            size = self._source.size
            self._ahead = _Ahead(following, chunk_length(following, size, self._chunk_size))
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
