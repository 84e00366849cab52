"""Record what genaio and the official SDK send, through one real loopback connection each.

Both clients get an httpx client whose transport records every request and forwards it to the
emulator, so each side sees the emulator's real answers and the test compares what went on the
wire: method, path, query, JSON body and the headers that matter.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import attrs
import httpx

#: Headers whose values must agree; the SDK's telemetry headers name different clients.
HEADERS_THAT_MATTER = (
    "content-type",
    "x-goog-api-key",
    "authorization",
    "x-goog-upload-protocol",
    "x-goog-upload-command",
    "x-goog-upload-offset",
    "x-goog-upload-header-content-length",
    "x-goog-upload-header-content-type",
)


@attrs.frozen
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]

    @classmethod
    def of(cls, request: httpx.Request) -> Recorded:
        content = request.content
        try:
            body: Any = json.loads(content) if content else None
        except ValueError:
            body = content  # upload chunks: raw bytes
        headers = {k: v for k, v in request.headers.items() if k.lower() in HEADERS_THAT_MATTER}
        return cls(request.method, request.url.path, dict(request.url.params), body, headers)


class RecordingTransport(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._forward = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.requests.append(Recorded.of(request))
        return await self._forward.handle_async_request(request)

    async def aclose(self) -> None:
        await self._forward.aclose()


async def record_genaio(
    base_url: str, run: Callable[[Any], Awaitable[Any]], **client_kwargs: Any
) -> list[Recorded]:
    """Run `run(client.aio)` on a genaio client pointed at `base_url`; what it sent."""
    import genaio

    recorder = RecordingTransport()
    async with httpx.AsyncClient(transport=recorder) as http:
        options = {
            "base_url": base_url,
            "httpx_async_client": http,
            "retry_options": {"attempts": 1},
        }
        client = genaio.Client(http_options=options, **_default_auth(client_kwargs))
        async with client.aio as aio:
            await run(aio)
    return recorder.requests


async def record_sdk(
    base_url: str, run: Callable[[Any], Awaitable[Any]], **client_kwargs: Any
) -> list[Recorded]:
    """Run `run(client.aio)` on the official SDK pointed at `base_url`; what it sent."""
    from google import genai

    recorder = RecordingTransport()
    async with httpx.AsyncClient(transport=recorder) as http:
        options = {"base_url": base_url, "httpx_async_client": http}
        client = genai.Client(http_options=options, **_default_auth(client_kwargs))
        await run(client.aio)
        await client.aio.aclose()
    return recorder.requests


def _default_auth(kwargs: dict[str, Any]) -> dict[str, Any]:
    if not (kwargs.get("vertexai") or "api_key" in kwargs):
        return {"api_key": "test-key", **kwargs}
    return kwargs
