"""`client.aio.files`: the Files API, with resumable uploads streamed from disk.

`GeminiOnlyResource` is also the base of the file search family: both exist on the Gemini API
only, and share the list, download and upload plumbing written here once.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import anyio

from genaio.actors import Answer
from genaio.api._normalize import coerce_config
from genaio.api._resource import Resource
from genaio.api.pagers import AsyncPager
from genaio.engine import (
    CallOptions,
    GoogleCredentialsAuth,
    JsonAnswer,
    RestCall,
    Uploadable,
    guess_mime_type,
    open_source,
    resumable_upload,
)
from genaio.errors import UnknownApiResponseError
from genaio.types import (
    DeleteFileConfig,
    DeleteFileResponse,
    DownloadFileConfig,
    File,
    GetFileConfig,
    HttpResponse,
    ListFilesConfig,
    RegisterFilesConfig,
    RegisterFilesResponse,
    UploadFileConfig,
)

__all__ = ["AsyncFiles", "GeminiOnlyResource", "file_id"]

T = TypeVar("T")
Destination = str | os.PathLike[str] | io.IOBase

#: A file id inside a URI such as `https://.../v1beta/files/abc-1:download?alt=media`.
_ID_IN_URI = re.compile(r"/files/([a-z0-9-]+)")


class GeminiOnlyResource(Resource):
    """A family that exists on the Gemini API only: Vertex AI clients get a ValueError."""

    def _gemini_only(self) -> None:
        if self._vertex:
            raise ValueError(
                "This method is only supported in the Gemini Developer API, not in Vertex AI."
            )

    async def _list(
        self,
        name: str,
        path: str,
        items_key: str,
        parse: Callable[[Any], T],
        config: Any,
    ) -> AsyncPager[T]:
        """A pager over `GET path?pageSize&pageToken`; `config` is a parsed list config."""
        options = self._options(config)

        def page_call(page: dict[str, Any]) -> RestCall:
            query = {"pageSize": page.get("page_size"), "pageToken": page.get("page_token")}
            return self._rest("GET", path, query=query, options=options)

        config_dict = config.model_dump(exclude_none=True, exclude={"http_options"})
        return await self._pager(name, page_call, items_key, parse, config_dict)

    async def _download(self, path: str, options: CallOptions | None) -> bytes:
        call = self._rest("GET", path, query={"alt": "media"}, options=options)
        response = await self._request(call, answer=Answer.RAW)
        content: bytes = response.content
        return content

    async def _upload(
        self,
        path: str,
        file: Uploadable,
        mime_type: str,
        start_body: Callable[[int], Any],
        options: CallOptions | None,
    ) -> JsonAnswer:
        """Run the resumable upload protocol; `start_body(size)` is the start request's body."""
        source = await open_source(file)
        return await resumable_upload(
            self._request,
            path,
            source,
            mime_type=mime_type,
            body=start_body(source.size),
            options=options,
            retry=self._backend.config.retry,
        )


class AsyncFiles(GeminiOnlyResource):
    """The Files API: upload (resumable, streamed from disk), get, list, delete, download."""

    family = "files"

    async def upload(
        self,
        *,
        file: Uploadable | None = None,
        path: str | os.PathLike[str] | None = None,
        config: UploadFileConfig | Mapping[str, Any] | None = None,
    ) -> File:
        """Upload a file in 8 MiB chunks, read from disk one at a time, and return it.

        `file` is a path, a binary seekable file object (uploaded from its current position) or
        bytes; `path=` is the same as `file=` (the reference page writes it). A chunk that fails
        with a retryable error is resumed from where the server says it is.

        Cancellation: cancelling abandons the upload (the chunk in flight and its connection
        are cancelled); calling again starts a new upload.
        """
        self._gemini_only()
        file = _one_of(file, path)
        parsed = coerce_config(UploadFileConfig, config)
        mime_type = guess_mime_type(file, parsed.mime_type)
        name = parsed.name
        if name is not None and not name.startswith("files/"):
            name = f"files/{name}"

        def body(size: int) -> dict[str, Any]:
            # The official SDK sends these keys in snake_case; the API takes both spellings.
            fields = {"name": name, "display_name": parsed.display_name}
            meta = {k: v for k, v in fields.items() if v is not None}
            return {"file": {**meta, "mime_type": mime_type, "size_bytes": size}}

        options = self._options(parsed)
        answer = await self._upload("upload/files", file, mime_type, body, options)
        if not isinstance(answer.data, dict) or not isinstance(answer.data.get("file"), dict):
            raise UnknownApiResponseError(f"the upload's answer has no file: {answer.data!r}")
        return File.from_wire(answer.data["file"])

    async def get(
        self, *, name: str, config: GetFileConfig | Mapping[str, Any] | None = None
    ) -> File:
        """A file's metadata; `name` is `files/abc`, `abc` or the file's URI.

        Cancellation: cancelling the caller cancels the request.
        """
        self._gemini_only()
        options = self._options(coerce_config(GetFileConfig, config))
        answer = await self._request(self._rest("GET", f"files/{file_id(name)}", options=options))
        return File.from_wire(answer.data)

    async def delete(
        self, *, name: str, config: DeleteFileConfig | Mapping[str, Any] | None = None
    ) -> DeleteFileResponse:
        """Delete a file (files also expire by themselves after 48 hours).

        Cancellation: cancelling the caller cancels the request; it may still have reached the
        server.
        """
        self._gemini_only()
        options = self._options(coerce_config(DeleteFileConfig, config))
        answer = await self._request(
            self._rest("DELETE", f"files/{file_id(name)}", options=options)
        )
        return DeleteFileResponse(sdk_http_response=HttpResponse(headers=dict(answer.headers)))

    async def list(
        self, *, config: ListFilesConfig | Mapping[str, Any] | None = None
    ) -> AsyncPager[File]:
        """Your files, page by page (`page_size`, `page_token`).

        Cancellation: cancelling the caller cancels the page request in flight.
        """
        self._gemini_only()
        parsed = coerce_config(ListFilesConfig, config)
        return await self._list("files", "files", "files", File.from_wire, parsed)

    async def download(
        self,
        *,
        file: str | File | Any,
        destination: Destination | None = None,
        config: DownloadFileConfig | Mapping[str, Any] | None = None,
    ) -> bytes | None:
        """A generated file's bytes (a name, a `File`, a download URI, or a video).

        With `destination` (a path or a binary writable file object) the bytes are written
        there and None is returned; a `Video` given as `file` gets its `video_bytes` set.

        Cancellation: cancelling the caller cancels the download; once writing to
        `destination` has begun, it finishes.
        """
        self._gemini_only()
        if isinstance(file, File) and file.download_uri is None:
            raise ValueError(
                "only generated files can be downloaded: this file has no download_uri"
            )
        options = self._options(coerce_config(DownloadFileConfig, config))
        data = await self._download(f"files/{file_id(file)}:download", options)
        if destination is not None:
            await anyio.to_thread.run_sync(_write, destination, data)
            return None
        video = getattr(file, "video", file)
        if not isinstance(file, str | File) and hasattr(video, "video_bytes"):
            video.video_bytes = data
        return data

    async def register_files(
        self,
        *,
        auth: Any,
        uris: Sequence[str],
        config: RegisterFilesConfig | Mapping[str, Any] | None = None,
    ) -> RegisterFilesResponse:
        """Register Cloud Storage files (`gs://...`) as files, with OAuth `auth` credentials.

        Cancellation: cancelling the caller cancels the request (and any token refresh, which
        finishes in its worker thread).
        """
        self._gemini_only()
        from google.auth.credentials import Credentials

        if not isinstance(auth, Credentials):
            raise ValueError("auth must be a google.auth.credentials.Credentials object")
        options = self._options(coerce_config(RegisterFilesConfig, config))
        bearer = await GoogleCredentialsAuth(auth).headers()
        call = self._rest(
            "POST",
            "files:register",
            body={"uris": list(uris)},
            headers=bearer,
            options=options,
            idempotent=False,
        )
        answer = await self._request(call)
        response = RegisterFilesResponse.from_wire(answer.data)
        response.sdk_http_response = HttpResponse(headers=dict(answer.headers))
        return response


def file_id(file: str | File | Any) -> str:
    """The id of a file: `files/abc`, `abc`, a `File`, its URI or a video's URI give `abc`."""
    name = _name_of(file)
    if name.startswith(("https://", "http://")):
        match = _ID_IN_URI.search(name)
        if match is None:
            raise ValueError(f"cannot find a file id in the URI {name!r}")
        return match.group(1)
    return name.removeprefix("files/")


def _name_of(file: Any) -> str:
    if isinstance(file, File):
        name = file.name
    elif isinstance(file, str):
        name = file
    else:  # a Video (`uri`) or a GeneratedVideo (`video.uri`)
        name = getattr(getattr(file, "video", file), "uri", None)
    if not name:
        raise ValueError(f"a file name is required, got {file!r}")
    return name


def _one_of(file: Uploadable | None, path: str | os.PathLike[str] | None) -> Uploadable:
    if (file is None) == (path is None):
        raise ValueError("pass the file to upload as file= (or path=), exactly once")
    return file if file is not None else path  # type: ignore[return-value]


def _write(destination: Destination, data: bytes) -> None:
    if isinstance(destination, io.IOBase):
        destination.write(data)
        return
    with open(destination, "wb") as stream:
        stream.write(data)
