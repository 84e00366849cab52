"""The emulator grounds an answer in Google Search when the request has the search tool: the
official SDK reads typed grounding metadata (queries, sources, supports, the suggestion chip),
whole and streamed; without the tool there is none."""

from __future__ import annotations

import asyncio

from google import genai
from google.genai import types

MODEL = "gemini-2.5-flash"


def _sdk(emulator) -> genai.Client:
    return genai.Client(api_key="test-key", http_options={"base_url": emulator.base_url})


def test_a_search_grounded_answer_has_grounding_metadata(genaio_emulator):
    client = _sdk(genaio_emulator)
    config = types.GenerateContentConfig(tools=[types.Tool(google_search=types.GoogleSearch())])
    response = client.models.generate_content(
        model=MODEL, contents="Who won the 2024 Euro final?", config=config
    )
    metadata = response.candidates[0].grounding_metadata
    assert metadata.web_search_queries == ["Who won the 2024 Euro final?"]
    assert [c.web.uri for c in metadata.grounding_chunks] == [
        "https://example.com/who-won-the-2024",
        "https://example.org/who-won-the-2024",
    ]
    (support,) = metadata.grounding_supports
    assert support.segment.text == response.text
    assert support.grounding_chunk_indices == [0, 1]
    assert "search-entry-point" in metadata.search_entry_point.rendered_content

    plain = client.models.generate_content(model=MODEL, contents="Who won?")
    assert plain.candidates[0].grounding_metadata is None


def test_a_streamed_grounded_answer_ends_with_its_metadata(genaio_emulator):
    async def run() -> None:
        client = _sdk(genaio_emulator)
        config = {"tools": [{"google_search": {}}]}
        chunks = [
            chunk
            async for chunk in await client.aio.models.generate_content_stream(
                model=MODEL, contents="one two three four five six seven", config=config
            )
        ]
        assert len(chunks) > 1
        assert all(c.candidates[0].grounding_metadata is None for c in chunks[:-1])
        assert chunks[-1].candidates[0].grounding_metadata.grounding_chunks

    asyncio.run(run())
