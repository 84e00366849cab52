"""What a response's body becomes: bytes read whole within a bound, a JSON value, a stream of
JSON events (an error event raises its typed error), a 200's token usage. Each failure is one
typed genaio error, never a raw exception (docs/reliability.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx

from genaio.engine import _json
from genaio.engine._calls import Response
from genaio.engine._errors import api_error, network_error, timeout_error
from genaio.engine._pooled_response import Http2Response, PooledResponse
from genaio.engine._sse import SSEDecoder
from genaio.errors import UnknownApiResponseError

__all__ = ["MAX_BODY_BYTES", "json_body", "json_events", "read_body", "usage_tokens"]

#: A JSON answer (or error body) larger than this is a broken or hostile server, not an answer:
#: it is refused as it arrives rather than read into memory. Downloads are not bounded.
MAX_BODY_BYTES = 64 * 1024 * 1024


async def read_body(response: Response, limit: float) -> bytes:
    """The whole body, refused once it passes `limit` bytes."""
    declared = response.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise UnknownApiResponseError(f"the answer is larger than {limit:.0f} bytes")
    if isinstance(response, Http2Response | PooledResponse):
        whole = await response.read_arrived()
        if whole is not None:
            if len(whole) > limit:
                raise UnknownApiResponseError(f"the answer is larger than {limit:.0f} bytes")
            return whole
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise UnknownApiResponseError(f"the answer is larger than {limit:.0f} bytes")
        chunks.append(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def json_events(
    response: Response, request_id: str | None, read_timeout: float | None
) -> AsyncIterator[Any]:
    """The stream's JSON events; a stream cut on the wire (closed early, a chunked body without
    its last chunk, a silent server) raises the typed error after the events that came."""
    decoder = SSEDecoder()
    try:
        async for chunk in response.aiter_bytes():
            for event in decoder.feed(chunk):
                yield _checked_event(event, request_id)
        for event in decoder.close():
            yield _checked_event(event, request_id)
    except (httpx.ReadTimeout, httpx.WriteTimeout) as exc:
        raise timeout_error(read_timeout, request_id=request_id) from exc
    except (httpx.TransportError, httpx.DecodingError) as exc:
        raise network_error(exc, request_id=request_id) from exc


def _checked_event(event: Any, request_id: str | None) -> Any:
    if isinstance(event, dict) and isinstance(event.get("error"), dict):
        code = event["error"].get("code")
        valid = isinstance(code, int) and not isinstance(code, bool) and 400 <= code < 600
        raise api_error(code if valid else 500, event, request_id=request_id)
    return event


#: More tokens than any call can spend: a larger count is a broken answer, not usage.
_MAX_TOKENS = 10**9


def usage_tokens(data: Any) -> int | None:
    usage = data.get("usageMetadata") if isinstance(data, dict) else None
    total = usage.get("totalTokenCount") if isinstance(usage, dict) else None
    if isinstance(total, int) and not isinstance(total, bool) and 0 <= total <= _MAX_TOKENS:
        return total
    return None


def json_body(body: bytes) -> Any:
    if not body:
        return {}
    try:
        return _json.loads(body)
    except ValueError as exc:
        raise UnknownApiResponseError(f"the answer is not JSON: {body[:200]!r}") from exc
