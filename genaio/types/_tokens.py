"""`count_tokens` and `compute_tokens` (Vertex AI): options and responses."""

from __future__ import annotations

from typing import Any

from genaio.types._base import Base64Bytes, WireModel
from genaio.types._config import GenerationConfig
from genaio.types._content import Content, Part, PilImage
from genaio.types._files import File
from genaio.types._http import HttpOptions
from genaio.types._responses import HttpResponse, ModalityTokenCount
from genaio.types._tools import Tool

__all__ = [
    "ComputeTokensConfig",
    "ComputeTokensConfigDict",
    "ComputeTokensResponse",
    "CountTokensConfig",
    "CountTokensConfigDict",
    "CountTokensResponse",
    "TokensInfo",
]


class CountTokensConfig(WireModel):
    """Options of `count_tokens`; all but `http_options` are Vertex AI only."""

    http_options: HttpOptions | None = None
    system_instruction: (
        Content | Part | File | str | PilImage | list[Part | File | str | PilImage] | None
    ) = None
    tools: list[Tool] | None = None
    generation_config: GenerationConfig | None = None


class CountTokensResponse(WireModel):
    total_tokens: int | None = None
    cached_content_token_count: int | None = None
    prompt_tokens_details: list[ModalityTokenCount] | None = None
    sdk_http_response: HttpResponse | None = None


class ComputeTokensConfig(WireModel):
    http_options: HttpOptions | None = None


class TokensInfo(WireModel):
    """The tokens of one content: their ids and their bytes."""

    role: str | None = None
    token_ids: list[int] | None = None
    tokens: list[Base64Bytes] | None = None


class ComputeTokensResponse(WireModel):
    tokens_info: list[TokensInfo] | None = None
    sdk_http_response: HttpResponse | None = None


CountTokensConfigDict = dict[str, Any]
ComputeTokensConfigDict = dict[str, Any]
