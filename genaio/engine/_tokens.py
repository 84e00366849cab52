"""A cheap estimate of a request's tokens, for the tokens-per-minute limit before sending.

About four characters a token for text, as the API's own rule of thumb; a fixed cost for other
parts. The estimate only has to keep the bucket honest; the response's usage metadata is the truth.
"""

from __future__ import annotations

from typing import Any

__all__ = ["estimate_tokens"]

_CHARS_PER_TOKEN = 4
_NON_TEXT_PART_TOKENS = 258  # what the API counts for an image; a fair guess for other media


def estimate_tokens(body: Any) -> int:
    """Tokens in the texts of a request body (its contents, or an embedding batch's requests)."""
    if not isinstance(body, dict):
        return 1
    chars = 0
    others = 0
    contents = list(body.get("contents") or ())
    contents.extend(r.get("content") for r in body.get("requests") or () if isinstance(r, dict))
    if isinstance(body.get("content"), dict):
        contents.append(body["content"])
    for content in contents:
        for part in (content or {}).get("parts") or ():
            text = part.get("text") if isinstance(part, dict) else None
            if isinstance(text, str):
                chars += len(text)
            else:
                others += 1
    return max(1, chars // _CHARS_PER_TOKEN + others * _NON_TEXT_PART_TOKENS)
