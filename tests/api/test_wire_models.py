"""genaio sends what the official SDK sends: the models family, on the Gemini API.

Deliberate differences (listed in docs/wire-differences.md): the telemetry headers name genaio,
not the SDK.
"""

from __future__ import annotations

import asyncio

import pytest

from genaio import types
from tests.recording import record_genaio, record_sdk

CONFIG = {
    "temperature": 0.2,
    "max_output_tokens": 64,
    "system_instruction": "be brief",
    "safety_settings": [{"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_NONE"}],
    "response_mime_type": "application/json",
    "response_schema": {"type": "OBJECT", "properties": {"a": {"type": "STRING"}}},
}

CALLS = {
    "generate_content": lambda aio: aio.models.generate_content(
        model="gemini-2.0-flash", contents="Hi", config=CONFIG
    ),
    "generate_content_parts": lambda aio: aio.models.generate_content(
        model="gemini-2.0-flash",
        contents=[
            "one",
            types.Part.from_text(text="two"),
            {"role": "model", "parts": [{"text": "x"}]},
        ],
    ),
    "generate_content_stream": lambda aio: _drain(
        aio.models.generate_content_stream(model="gemini-2.0-flash", contents="Hi")
    ),
    "embed_content": lambda aio: aio.models.embed_content(
        model="gemini-embedding-001",
        contents=["a", "b"],
        config={"task_type": "RETRIEVAL_DOCUMENT", "output_dimensionality": 8},
    ),
    "count_tokens": lambda aio: aio.models.count_tokens(model="gemini-2.0-flash", contents="Hi"),
    "get": lambda aio: aio.models.get(model="gemini-2.0-flash"),
    "list": lambda aio: aio.models.list(config={"page_size": 2}),
}


async def _drain(stream_awaitable):
    async for _ in await stream_awaitable:
        pass


@pytest.mark.parametrize("name", sorted(CALLS))
def test_same_request_as_the_official_sdk(name, genaio_emulator):
    call = CALLS[name]
    ours = asyncio.run(record_genaio(genaio_emulator.base_url, call))
    theirs = asyncio.run(record_sdk(genaio_emulator.base_url, call))
    assert ours, "nothing was recorded"
    assert ours == theirs
