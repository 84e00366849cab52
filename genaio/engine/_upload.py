"""The resumable upload protocol (wire spec §6), shared by files and file search stores.

A start request opens a session and is answered with the upload URL; the bytes follow in 8 MiB
chunks, one request each, the last of which finalizes, and its answer is the result. A chunk is
read from its source when the worker that sends it takes it, and the next one is read meanwhile
(`ReadAhead`), so that reading the disk and sending overlap while an upload holds at most two
chunks: a file is never held in memory whole. A chunk that fails with a retryable error is not
blindly re-sent: the server is asked how much it holds (`query`) and the upload goes on from
there, so a chunk the server did receive is never sent twice.

The decisions (headers, which command, where the next chunk starts, where to resume) are plain
functions. `resumable_upload` only performs them, through the `send` it is given (a family
actor's), so this module knows nothing of actors or resources.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import anyio
import attrs

from genaio.engine._calls import DeferredBody, JsonAnswer, RestCall
from genaio.engine._config import CallOptions, RetryPolicy
from genaio.engine._retry import Retrier
from genaio.engine._upload_source import ReadAhead, UploadSource, chunk_length
from genaio.errors import UnknownApiResponseError

__all__ = [
    "CHUNK_SIZE",
    "chunk_command",
    "next_offset",
    "resumable_upload",
    "resume_offset",
    "start_headers",
    "upload_url",
]

#: The official SDK's chunk size; the server's chunk granularity is 8 MiB too. A larger chunk
#: (a multiple of the granularity) would spend fewer round trips, but an upload holds two.
CHUNK_SIZE = 8 * 1024 * 1024

Send = Callable[[RestCall], Awaitable[JsonAnswer]]

#: Chunks are retried by the upload loop (which resumes where the server is), not the transport.
_NO_RETRY = RetryPolicy(attempts=1)


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
        reader = ReadAhead(source, chunk_size, readers)
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
    reader: ReadAhead
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

    reader: ReadAhead
    offset: int
    length: int

    async def read(self) -> bytes:
        return await self.reader.read(self.offset, self.length)
