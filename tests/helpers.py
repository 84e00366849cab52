"""Shared test helpers: mock servers as httpx handlers, and clients pointed at them."""

from __future__ import annotations

import collections
import gc
import json
from collections.abc import Callable
from typing import Any

import httpx

import genaio

GENERATE_OK = {
    "candidates": [
        {
            "content": {"role": "model", "parts": [{"text": "hello"}]},
            "finishReason": "STOP",
            "index": 0,
        }
    ],
    "usageMetadata": {"promptTokenCount": 1, "candidatesTokenCount": 1, "totalTokenCount": 2},
    "modelVersion": "gemini-2.0-flash",
}


def error_json(code: int, status: str, message: str = "", details: list | None = None) -> dict:
    error: dict[str, Any] = {"code": code, "message": message or status, "status": status}
    if details is not None:
        error["details"] = details
    return {"error": error}


def retry_info(seconds: float) -> list[dict]:
    return [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": f"{seconds:g}s"}]


def json_response(status: int, body: Any, **kwargs: Any) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(body).encode(), **kwargs)


def mock_client(
    handler: Callable[[httpx.Request], Any],
    *,
    limits: genaio.Limits | None = None,
    **http_options: Any,
) -> genaio.Client:
    """A client whose HTTP exchanges are answered by `handler` (sync or async)."""
    transport = httpx.MockTransport(handler)
    options = {"httpx_async_client": httpx.AsyncClient(transport=transport), **http_options}
    return genaio.Client(api_key="test-key", http_options=options, limits=limits)


def tracked_objects() -> collections.Counter[str]:
    """The objects the garbage collector tracks, by type name (after a full collection)."""
    gc.collect()
    return collections.Counter(type(o).__name__ for o in gc.get_objects())
