"""`embed_content`: its options and its response."""

from __future__ import annotations

from typing import Any, ClassVar

from genaio.types._base import WireModel
from genaio.types._http import HttpOptions
from genaio.types._responses import HttpResponse, ModalityTokenCount

__all__ = [
    "ContentEmbedding",
    "ContentEmbeddingStatistics",
    "EmbedContentConfig",
    "EmbedContentConfigDict",
    "EmbedContentMetadata",
    "EmbedContentResponse",
]


class EmbedContentConfig(WireModel):
    """Options of `embed_content`. `task_type` is a str such as `"RETRIEVAL_DOCUMENT"`."""

    _vertex_only: ClassVar[frozenset[str]] = frozenset(
        {"mime_type", "auto_truncate", "document_ocr", "audio_track_extraction"}
    )

    http_options: HttpOptions | None = None
    task_type: str | None = None
    title: str | None = None
    output_dimensionality: int | None = None
    mime_type: str | None = None
    auto_truncate: bool | None = None
    document_ocr: bool | None = None
    audio_track_extraction: bool | None = None


class ContentEmbeddingStatistics(WireModel):
    """How the input was counted (Vertex AI)."""

    truncated: bool | None = None
    token_count: float | None = None
    tokens_details: list[ModalityTokenCount] | None = None


class ContentEmbedding(WireModel):
    values: list[float] | None = None
    statistics: ContentEmbeddingStatistics | None = None


class EmbedContentMetadata(WireModel):
    billable_character_count: int | None = None


class EmbedContentResponse(WireModel):
    """One embedding per input, in input order."""

    embeddings: list[ContentEmbedding] | None = None
    metadata: EmbedContentMetadata | None = None
    truncated: bool | None = None
    usage_metadata: dict[str, Any] | None = None
    sdk_http_response: HttpResponse | None = None


EmbedContentConfigDict = dict[str, Any]
