"""The official SDK as an oracle: run it against a recording transport and compare bodies."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

# Keys whose values are user data or raw JSON Schema: compared as they are.
_RAW = {
    "args",
    "response",
    "labels",
    "parametersJsonSchema",
    "responseJsonSchema",
    "default",
    "example",
    "partMetadata",
    "additionalProperties",
}
# Keys whose children are names chosen by the user (schema properties), not field names.
_NAMED = {"properties", "$defs"}


def camel_keys(value: Any) -> Any:
    """Both spellings are valid on the wire (spec §1.7); compare in one of them."""
    if isinstance(value, list):
        return [camel_keys(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        key = re.sub(r"_([a-z])", lambda m: m.group(1).upper(), key)
        if key in _RAW:
            out[key] = item
        elif key in _NAMED:
            out[key] = {name: camel_keys(v) for name, v in item.items()}
        else:
            out[key] = camel_keys(item)
    return out


def run_sdk(
    call: Callable[[Any], Any], *, vertex: bool = False, reply: dict[str, Any] | None = None
) -> tuple[list[tuple[str, str, Any]], Any]:
    """Run `call(client.aio)` under asyncio with the official SDK; return requests and result."""
    from google import genai

    seen: list[tuple[str, str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, str(request.url), json.loads(request.content or b"null")))
        return httpx.Response(200, json=reply or {"candidates": []})

    async def main() -> Any:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            options = {"httpx_async_client": http}
            if vertex:
                client = genai.Client(
                    vertexai=True,
                    project="p",
                    location="us-central1",
                    credentials=_credentials(),
                    http_options=options,
                )
            else:
                client = genai.Client(api_key="k", http_options=options)
            return await call(client.aio)

    result = asyncio.run(main())
    return seen, result


@pytest.fixture
def sdk() -> Callable[..., Any]:
    return run_sdk


@pytest.fixture
def camel() -> Callable[[Any], Any]:
    return camel_keys


def _credentials() -> Any:
    """Credentials that hand the SDK a token without asking Google for one."""
    from google.auth.credentials import Credentials

    class Fixed(Credentials):
        def refresh(self, request: Any) -> None:
            self.token = "t"

    return Fixed()
