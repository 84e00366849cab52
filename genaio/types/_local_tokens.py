"""What a tokenizer run on the caller's machine returns: the same counts and tokens as
`count_tokens` and `compute_tokens` give, without the HTTP answer those carry."""

from __future__ import annotations

from genaio.types._base import WireModel
from genaio.types._tokens import TokensInfo

__all__ = ["ComputeTokensResult", "CountTokensResult"]


class CountTokensResult(WireModel):
    total_tokens: int | None = None


class ComputeTokensResult(WireModel):
    tokens_info: list[TokensInfo] | None = None
