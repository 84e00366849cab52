"""The `File` resource, which `contents` may reference, and the options of `client.aio.files`.

The files family's responses, which carry an `HttpResponse`, are in `_file_search`: this module
is imported by `_content`, which `_responses` imports, so it cannot import `_responses` itself.
"""

from __future__ import annotations

import datetime
from typing import Any

from genaio.types._base import WireModel
from genaio.types._enums import FileSource, FileState
from genaio.types._http import HttpOptions

__all__ = [
    "DeleteFileConfig",
    "DeleteFileConfigDict",
    "DownloadFileConfig",
    "DownloadFileConfigDict",
    "File",
    "FileDict",
    "FileStatus",
    "GetFileConfig",
    "GetFileConfigDict",
    "ListFilesConfig",
    "ListFilesConfigDict",
    "RegisterFilesConfig",
    "RegisterFilesConfigDict",
    "UploadFileConfig",
    "UploadFileConfigDict",
]


class FileStatus(WireModel):
    """Why processing a file failed."""

    code: int | None = None
    message: str | None = None
    details: list[dict[str, Any]] | None = None


class File(WireModel):
    """A file uploaded with the Files API (Gemini API only)."""

    name: str | None = None
    display_name: str | None = None
    mime_type: str | None = None
    size_bytes: int | None = None
    create_time: datetime.datetime | None = None
    expiration_time: datetime.datetime | None = None
    update_time: datetime.datetime | None = None
    sha256_hash: str | None = None
    uri: str | None = None
    download_uri: str | None = None
    state: FileState | None = None
    source: FileSource | None = None
    video_metadata: dict[str, Any] | None = None
    error: FileStatus | None = None


class UploadFileConfig(WireModel):
    """`name` (`files/` is prepended if missing), `display_name`, and `mime_type` (guessed from
    a path's extension when left out; required for file objects and bytes)."""

    http_options: HttpOptions | None = None
    name: str | None = None
    mime_type: str | None = None
    display_name: str | None = None


class GetFileConfig(WireModel):
    http_options: HttpOptions | None = None


class DeleteFileConfig(WireModel):
    http_options: HttpOptions | None = None


class DownloadFileConfig(WireModel):
    http_options: HttpOptions | None = None


class ListFilesConfig(WireModel):
    http_options: HttpOptions | None = None
    page_size: int | None = None
    page_token: str | None = None


class RegisterFilesConfig(WireModel):
    http_options: HttpOptions | None = None


FileDict = dict[str, Any]
UploadFileConfigDict = dict[str, Any]
GetFileConfigDict = dict[str, Any]
DeleteFileConfigDict = dict[str, Any]
DownloadFileConfigDict = dict[str, Any]
ListFilesConfigDict = dict[str, Any]
RegisterFilesConfigDict = dict[str, Any]
