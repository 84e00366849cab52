"""genaio's interactions send what the official SDK's do, on the Gemini API and Vertex AI."""

from __future__ import annotations

import pytest

from tests.families.test_models_more_wire import record_both, vertex

MODEL = "gemini-2.5-flash"


async def _drain(stream):
    async for _ in await stream:
        pass


async def _lifecycle(aio):
    done = await aio.interactions.create(model=MODEL, input="Hello", store=True)
    await aio.interactions.get(done.id, include_input=True)
    await aio.interactions.get(done.id)
    await _drain(aio.interactions.get(done.id, stream=True, last_event_id="evt_1"))
    await aio.interactions.delete(done.id)


async def _cancel(aio):
    running = await aio.interactions.create(model=MODEL, input="Hello", background=True)
    await aio.interactions.cancel(running.id)


async def _quietly(awaitable):
    try:
        await awaitable
    except Exception:  # the request is what is compared, not the emulator's answer
        pass


CALLS = {
    "create_text": lambda aio: aio.interactions.create(
        model=MODEL,
        input="Hello",
        system_instruction="be brief",
        generation_config={"temperature": 0.5, "max_output_tokens": 10},
        response_modalities=["TEXT"],
    ),
    "create_contents": lambda aio: aio.interactions.create(
        model=MODEL,
        input=[
            {"type": "text", "text": "x"},
            {"type": "image", "data": "AAAA", "mime_type": "image/png"},
        ],
    ),
    "create_steps": lambda aio: aio.interactions.create(
        model=MODEL,
        input=[
            {"type": "user_input", "content": [{"type": "text", "text": "hi"}]},
            {"type": "model_output", "content": [{"type": "text", "text": "hello"}]},
            {"type": "user_input", "content": [{"type": "text", "text": "again"}]},
        ],
    ),
    "create_one_content": lambda aio: aio.interactions.create(
        model=MODEL, input={"type": "text", "text": "x"}
    ),
    "create_structured": lambda aio: aio.interactions.create(
        model=MODEL,
        input="x",
        response_format={"type": "object"},
        response_mime_type="application/json",
        tools=[{"type": "google_search"}],
    ),
    "create_agent": lambda aio: aio.interactions.create(
        agent="deep-research-pro-preview-12-2025",
        input="Research this",
        background=True,
        agent_config={"type": "deep-research", "thinking_summaries": "auto"},
    ),
    "create_stream": lambda aio: _drain(
        aio.interactions.create(model=MODEL, input="one two three four five six", stream=True)
    ),
    "create_previous": lambda aio: _quietly(
        aio.interactions.create(model=MODEL, input="x", previous_interaction_id="v1_missing")
    ),
    "lifecycle": _lifecycle,
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_same_request_as_the_official_sdk(name, genaio_emulator):
    ours, theirs = record_both(genaio_emulator, CALLS[name])
    assert ours, "nothing was recorded"
    assert ours == theirs


def test_cancel_sends_no_body_as_the_sdk(genaio_emulator):
    ours, theirs = record_both(genaio_emulator, _cancel)
    assert ours[1].body is None
    assert ours == theirs


def test_same_request_on_vertex(genaio_emulator):
    def create(aio):
        return _quietly(aio.interactions.create(model=MODEL, input="Hello"))

    ours, theirs = record_both(genaio_emulator, create, **vertex())
    assert ours[0].path == "/v1beta1/projects/p/locations/us-central1/interactions"
    assert ours == theirs
