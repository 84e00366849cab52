"""Interactions with tools and response formats on the emulator, read by the official SDK: a
declared function is called (status `requires_action`) and its result answered through
`previous_interaction_id`; `response_format` gives JSON of the schema; Google Search adds its
call and result steps; a stream carries the function call whole."""

from __future__ import annotations

import asyncio
import json

from google import genai

MODEL = "gemini-2.5-flash"
WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather in a city.",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}


def _sdk(emulator) -> genai.Client:
    return genai.Client(api_key="test-key", http_options={"base_url": emulator.base_url})


def test_a_declared_function_is_called_then_its_result_answered(genaio_emulator):
    async def run() -> None:
        aio = _sdk(genaio_emulator).aio
        first = await aio.interactions.create(
            model=MODEL, input="get_weather city=Paris", tools=[WEATHER]
        )
        assert first.status == "requires_action"
        (step,) = first.steps
        assert step.type == "function_call" and step.name == "get_weather"
        assert step.arguments == {"city": "Paris"}
        second = await aio.interactions.create(
            model=MODEL,
            previous_interaction_id=first.id,
            input=[
                {"type": "function_result", "call_id": step.id, "name": step.name, "result": "ok"}
            ],
            tools=[WEATHER],
        )
        assert second.status == "completed"
        assert "get_weather returned" in second.steps[-1].content[0].text

    asyncio.run(run())


def test_response_format_gives_json_of_the_schema(genaio_emulator):
    async def run() -> None:
        aio = _sdk(genaio_emulator).aio
        schema = {
            "type": "object",
            "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
            "required": ["name", "age"],
        }
        done = await aio.interactions.create(
            model=MODEL,
            input="A person",
            response_format={"type": "text", "mime_type": "application/json", "schema": schema},
        )
        value = json.loads(done.steps[-1].content[0].text)
        assert isinstance(value["name"], str) and isinstance(value["age"], int)
        plain = await aio.interactions.create(
            model=MODEL, input="x", response_mime_type="application/json"
        )
        assert json.loads(plain.steps[-1].content[0].text) == {"response": "You said: x"}

    asyncio.run(run())


def test_google_search_adds_its_call_and_result_steps(genaio_emulator):
    async def run() -> None:
        aio = _sdk(genaio_emulator).aio
        done = await aio.interactions.create(
            model=MODEL, input="Euro 2024 winner", tools=[{"type": "google_search"}]
        )
        kinds = [s.type for s in done.steps]
        assert kinds == ["google_search_call", "google_search_result", "model_output"]
        assert done.steps[0].arguments.queries == ["Euro 2024 winner"]
        assert done.steps[1].call_id == done.steps[0].id

    asyncio.run(run())


def test_a_stream_carries_the_function_call_whole(genaio_emulator):
    async def run() -> None:
        aio = _sdk(genaio_emulator).aio
        events = [
            event
            async for event in await aio.interactions.create(
                model=MODEL, input="get_weather city=Rome", tools=[WEATHER], stream=True
            )
        ]
        starts = [e for e in events if e.event_type == "step.start"]
        assert starts[0].step.type == "function_call"
        assert events[-1].interaction.status == "requires_action"

    asyncio.run(run())
