"""The one tokenizer: usageMetadata, countTokens, computeTokens and the TPM quota all use it.

A token is a run of word characters or one other non-space character ("Hello, world!" is 4
tokens). Media parts (inline data, file data) count `MEDIA_TOKENS` each, as an image does on
the real API; function calls and responses count the tokens of their JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ._http import g

__all__ = [
    "MEDIA_TOKENS",
    "content_tokens",
    "contents_tokens",
    "split_tokens",
    "text_tokens",
    "truncate",
]

MEDIA_TOKENS = 258
_TOKEN = re.compile(r"\w+|[^\w\s]")


def split_tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def text_tokens(text: str) -> int:
    return len(_TOKEN.findall(text)) if text else 0


def truncate(text: str, limit: int) -> tuple[str, bool]:
    """`text` up to the end of its `limit`-th token, and whether anything was cut (0: none)."""
    if limit <= 0:
        return text, False
    ends = [m.end() for m in _TOKEN.finditer(text)]
    if len(ends) <= limit:
        return text, False
    return text[: ends[limit - 1]], True


def part_tokens(part: Mapping[str, Any]) -> int:
    text = part.get("text")
    if text is not None:
        return text_tokens(text)
    if g(part, "inlineData") is not None or g(part, "fileData") is not None:
        return MEDIA_TOKENS
    for key in ("functionCall", "functionResponse", "executableCode", "codeExecutionResult"):
        value = g(part, key)
        if value is not None:
            return text_tokens(json.dumps(value))
    return 0


def content_tokens(content: Any) -> int:
    if isinstance(content, str):
        return text_tokens(content)
    if not isinstance(content, Mapping):
        return 0
    return sum(part_tokens(p) for p in content.get("parts") or () if isinstance(p, Mapping))


def contents_tokens(contents: Iterable[Any] | None) -> int:
    return sum(content_tokens(c) for c in contents or ())
