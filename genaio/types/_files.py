"""The `File` resource, which `contents` may reference."""

from __future__ import annotations

import datetime
from typing import Any

from genaio.types._base import WireModel
from genaio.types._enums import FileSource, FileState

__all__ = ["File", "FileStatus"]


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
