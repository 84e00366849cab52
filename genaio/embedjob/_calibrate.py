"""The job's tokens, counted by the server: how many real tokens one estimated token is.

The TPM throttle charges each text `estimate_tokens`'s guess (four characters a token), and
embedding answers carry no usage to correct it with. A guess too high leaves the quota partly
unused; too low, and 429s pile up. So before a job with `--tpm` starts, it asks the server
(`models.count_tokens`, a few requests) to count a sample of the input, and tells the throttle
the quota in estimated tokens: `tpm / ratio`. The ratio is kept in the output's manifest, so a
rerun asks nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice

from genaio.api.models import AsyncModels
from genaio.embedjob._inputs import BadLine, Record
from genaio.engine import estimate_tokens

__all__ = ["SAMPLE_REQUESTS", "SAMPLE_TEXTS", "estimated", "token_ratio"]

#: Texts counted, at most, in requests of at most `SAMPLE_TEXTS / SAMPLE_REQUESTS` texts (and
#: `_REQUEST_CHARS` characters) each.
SAMPLE_TEXTS = 300
SAMPLE_REQUESTS = 3
_REQUEST_CHARS = 200_000


def estimated(text: str) -> int:
    """The tokens the throttle charges for one text (the body of one `embed_content`)."""
    return estimate_tokens({"content": {"parts": [{"text": text}]}})


async def token_ratio(models: AsyncModels, model: str, items: Iterable[Record | BadLine]) -> float:
    """Real tokens per estimated token over the first records of `items`, as the server counts
    them. Raises what `count_tokens` raises (the caller falls back to the estimate).

    Cancellation: cancelling the caller cancels the request in flight.
    """
    texts = [r.text for r in islice((i for i in items if isinstance(i, Record)), SAMPLE_TEXTS)]
    counted = guessed = 0
    for chunk in islice(_chunks(texts), SAMPLE_REQUESTS):
        answer = await models.count_tokens(model=model, contents=chunk)
        counted += answer.total_tokens or 0
        guessed += sum(estimated(text) for text in chunk)
    if not counted or not guessed:
        return 1.0  # nothing to learn from: an empty input, or a server that counts nothing
    return counted / guessed


def _chunks(texts: list[str]) -> Iterable[list[str]]:
    size = -(-SAMPLE_TEXTS // SAMPLE_REQUESTS)
    chunk: list[str] = []
    chars = 0
    for text in texts:
        if chunk and (len(chunk) >= size or chars + len(text) > _REQUEST_CHARS):
            yield chunk
            chunk, chars = [], 0
        chunk.append(text)
        chars += len(text)
    if chunk:
        yield chunk
