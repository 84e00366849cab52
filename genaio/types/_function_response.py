"""A function's result sent back to the model: `FunctionResponse`, and the media parts a
function may return with it (an image it rendered, a document it fetched)."""

from __future__ import annotations

from typing import Any

from genaio.types._base import Base64Bytes, WireModel
from genaio.types._enums import FunctionResponseScheduling
from genaio.types._part_metadata import (
    AudioMetadata,
    DocumentMetadata,
    MediaProcessing,
    PartMediaResolution,
    SpreadsheetMetadata,
    VideoMetadata,
)

__all__ = [
    "FunctionResponse",
    "FunctionResponseBlob",
    "FunctionResponseFileData",
    "FunctionResponsePart",
]


class FunctionResponseBlob(WireModel):
    """Media returned by a function, inline."""

    mime_type: str | None = None
    data: Base64Bytes | None = None
    display_name: str | None = None


class FunctionResponseFileData(WireModel):
    """Media returned by a function, by URI."""

    file_uri: str | None = None
    mime_type: str | None = None
    display_name: str | None = None


class FunctionResponsePart(WireModel):
    """A media part of a function's response (an image a tool rendered, a document it
    fetched), and how the model should read it."""

    inline_data: FunctionResponseBlob | None = None
    file_data: FunctionResponseFileData | None = None
    media_processing: MediaProcessing | None = None
    media_resolution: PartMediaResolution | None = None
    video_metadata: VideoMetadata | None = None
    document_metadata: DocumentMetadata | None = None
    spreadsheet_metadata: SpreadsheetMetadata | None = None
    audio_metadata: AudioMetadata | None = None

    @classmethod
    def from_bytes(
        cls, *, data: bytes, mime_type: str, display_name: str | None = None
    ) -> FunctionResponsePart:
        return cls(
            inline_data=FunctionResponseBlob(
                data=data, mime_type=mime_type, display_name=display_name
            )
        )

    @classmethod
    def from_uri(
        cls, *, file_uri: str, mime_type: str | None = None, display_name: str | None = None
    ) -> FunctionResponsePart:
        return cls(
            file_data=FunctionResponseFileData(
                file_uri=file_uri, mime_type=mime_type, display_name=display_name
            )
        )


class FunctionResponse(WireModel):
    """The result of a function call, sent back to the model.

    By convention `response` is `{"output": ...}` or `{"result": ...}` on success and
    `{"error": ...}` on failure.
    """

    id: str | None = None
    name: str | None = None
    response: dict[str, Any] | None = None
    will_continue: bool | None = None
    scheduling: FunctionResponseScheduling | None = None
    parts: list[FunctionResponsePart] | None = None

    @classmethod
    def from_mcp_response(cls, *, name: str, response: Any) -> FunctionResponse:
        """The response to a call of tool `name` from an MCP server's `CallToolResult`: its
        content blocks, as JSON, under `result`, or under `error` if the tool failed. Read
        by duck typing (`content`, `is_error`), so the `mcp` package is not needed here."""
        blocks = [_plain(block) for block in getattr(response, "content", None) or []]
        # `is_error` in mcp 2, `isError` before.
        failed = getattr(response, "is_error", None) or getattr(response, "isError", False)
        key = "error" if failed else "result"
        return cls(name=name, response={key: blocks})


def _plain(block: Any) -> Any:
    """An MCP content block as JSON, with its wire names (`mimeType`)."""
    if hasattr(block, "model_dump"):
        return block.model_dump(mode="json", by_alias=True, exclude_none=True)
    return block
