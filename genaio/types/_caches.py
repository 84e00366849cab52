"""Context caching: the `CachedContent` resource and the options of `caches.*`."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, ClassVar

from pydantic import PlainSerializer

from genaio.types._base import WireModel
from genaio.types._content import Content, Part
from genaio.types._files import File
from genaio.types._http import HttpOptions
from genaio.types._responses import HttpResponse
from genaio.types._tools import Tool, ToolConfig

__all__ = [
    "CachedContent",
    "CachedContentUsageMetadata",
    "CreateCachedContentConfig",
    "CreateCachedContentConfigDict",
    "DeleteCachedContentConfig",
    "DeleteCachedContentConfigDict",
    "DeleteCachedContentResponse",
    "GetCachedContentConfig",
    "GetCachedContentConfigDict",
    "ListCachedContentsConfig",
    "ListCachedContentsConfigDict",
    "ListCachedContentsResponse",
    "UpdateCachedContentConfig",
    "UpdateCachedContentConfigDict",
]

#: A timestamp sent as Python's `isoformat()` (`+00:00`, not `Z`), as the official SDK sends it.
IsoDatetime = Annotated[
    datetime.datetime,
    PlainSerializer(lambda moment: moment.isoformat(), return_type=str, when_used="json"),
]


class CachedContentUsageMetadata(WireModel):
    """What the cache holds; Vertex AI adds the media counts."""

    total_token_count: int | None = None
    text_count: int | None = None
    image_count: int | None = None
    audio_duration_seconds: int | None = None
    video_duration_seconds: int | None = None


class CachedContent(WireModel):
    """A cache's metadata; the server never shows its contents again."""

    name: str | None = None
    display_name: str | None = None
    model: str | None = None
    create_time: datetime.datetime | None = None
    update_time: datetime.datetime | None = None
    expire_time: datetime.datetime | None = None
    usage_metadata: CachedContentUsageMetadata | None = None


class CreateCachedContentConfig(WireModel):
    """What to cache (`contents`, `system_instruction`, `tools`) and for how long: `ttl` (a
    duration such as `"3600s"`) or `expire_time`, not both."""

    _vertex_only: ClassVar[frozenset[str]] = frozenset({"kms_key_name"})

    http_options: HttpOptions | None = None
    ttl: str | None = None
    expire_time: IsoDatetime | None = None
    display_name: str | None = None
    contents: Any | None = None
    system_instruction: Content | Part | File | str | list[Part | File | str] | None = None
    tools: list[Tool] | None = None
    tool_config: ToolConfig | None = None
    kms_key_name: str | None = None


class UpdateCachedContentConfig(WireModel):
    """The only mutable part of a cache: when it expires."""

    http_options: HttpOptions | None = None
    ttl: str | None = None
    expire_time: IsoDatetime | None = None


class GetCachedContentConfig(WireModel):
    http_options: HttpOptions | None = None


class DeleteCachedContentConfig(WireModel):
    http_options: HttpOptions | None = None


class DeleteCachedContentResponse(WireModel):
    sdk_http_response: HttpResponse | None = None


class ListCachedContentsConfig(WireModel):
    http_options: HttpOptions | None = None
    page_size: int | None = None
    page_token: str | None = None


class ListCachedContentsResponse(WireModel):
    next_page_token: str | None = None
    cached_contents: list[CachedContent] | None = None
    sdk_http_response: HttpResponse | None = None


CreateCachedContentConfigDict = dict[str, Any]
UpdateCachedContentConfigDict = dict[str, Any]
GetCachedContentConfigDict = dict[str, Any]
DeleteCachedContentConfigDict = dict[str, Any]
ListCachedContentsConfigDict = dict[str, Any]
