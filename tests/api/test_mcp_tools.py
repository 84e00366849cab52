"""MCP client sessions as tools: an in-process MCP server (the mcp package's in-memory pair),
the emulator's scripted model calling its tools, and the official SDK as the oracle."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest
import trio

import genaio
from genaio import errors, types

mcp = pytest.importorskip("mcp")
from mcp.server.mcpserver import MCPServer  # noqa: E402

MODEL = "gemini-2.5-flash"
PROMPT = "Use get_weather and then to_fahrenheit for city=Paris"

server = MCPServer("weather")
events: list[str] = []
started = anyio.Event()  # replaced by each test that waits for it


@server.tool()
def get_weather(city: str) -> int:
    """The temperature in a city, in degrees Celsius."""
    return {"Paris": 20}.get(city, 0)


@server.tool()
def to_fahrenheit(celsius: float) -> float:
    """Convert degrees Celsius to Fahrenheit."""
    return celsius * 9 / 5 + 32


@server.tool()
def explode(reason: str) -> str:
    """Always fails."""
    raise RuntimeError(f"boom: {reason}")


@server.tool()
async def wait_forever(city: str) -> str:
    """Never answers."""
    events.append("started")
    started.set()
    try:
        await anyio.sleep_forever()
    finally:
        events.append("cancelled")
    return "never"


@asynccontextmanager
async def session() -> AsyncIterator[Any]:
    async with mcp.Client(server) as client:
        yield client.session


def emulator_client(emulator: Any) -> genaio.Client:
    return genaio.Client(api_key="k", http_options={"base_url": emulator.base_url})


def dump(contents: Any) -> list[dict[str, Any]]:
    return [c.model_dump(mode="json", exclude_none=True) for c in contents or ()]


def sent_tools(emulator: Any) -> list[Any]:
    return emulator.requests.last.body["tools"]


@pytest.mark.anyio
async def test_a_session_s_tools_are_declared_and_called_through_it(genaio_emulator):
    async with session() as mcp_session, emulator_client(genaio_emulator).aio as aio:
        response = await aio.models.generate_content(
            model=MODEL, contents=PROMPT, config={"tools": [mcp_session]}
        )
    history = response.automatic_function_calling_history
    assert [c.role for c in history] == ["user", "model", "user", "model", "user"]
    assert history[1].parts[0].function_call.name == "get_weather"
    result = history[2].parts[0].function_response.response["result"]
    assert result["structured_content"] == {"result": 20} and result["is_error"] is False
    celsius = history[3].parts[0].function_call.args["celsius"]
    assert history[4].parts[0].function_response.response["result"]["content"] == [
        {"type": "text", "text": str(celsius * 9 / 5 + 32)}
    ]
    names = [
        d["name"] for tool in sent_tools(genaio_emulator) for d in tool["functionDeclarations"]
    ]
    assert names == ["get_weather", "to_fahrenheit", "explode", "wait_forever"]


@pytest.mark.anyio
async def test_a_tool_that_fails_is_answered_as_an_error(genaio_emulator):
    async with session() as mcp_session, emulator_client(genaio_emulator).aio as aio:
        response = await aio.models.generate_content(
            model=MODEL, contents="Use explode with reason=x", config={"tools": [mcp_session]}
        )
    answer = response.automatic_function_calling_history[2].parts[0].function_response
    assert answer.response["error"]["is_error"] is True
    assert "explode" in answer.response["error"]["content"][0]["text"]


@pytest.mark.anyio
async def test_a_session_streams_and_chats_with_python_functions_beside_it(genaio_emulator):
    def shout(text: str) -> str:
        """Upper-case a text."""
        return text.upper()

    config = {"tools": [shout, None]}
    async with session() as mcp_session, emulator_client(genaio_emulator).aio as aio:
        config["tools"][1] = mcp_session
        stream = await aio.models.generate_content_stream(
            model=MODEL, contents=PROMPT, config=config
        )
        chunks = [chunk async for chunk in stream]
        chat = aio.chats.create(model=MODEL, config=config)
        await chat.send_message("Use shout and get_weather for text=hi city=Paris")
    calls = [c.function_calls[0].name for c in chunks if c.function_calls]
    assert calls == ["get_weather", "to_fahrenheit"]
    turns = chat.get_history()
    called = [p.function_call.name for t in turns for p in t.parts if p.function_call]
    assert called == ["shout", "get_weather"]
    # The Python function's declaration comes first, then the session's tools, in place.
    declared = [d["name"] for t in sent_tools(genaio_emulator) for d in t["functionDeclarations"]]
    assert declared[:2] == ["shout", "get_weather"]


@pytest.mark.anyio
async def test_disabled_calling_still_declares_the_tools_and_returns_the_call(genaio_emulator):
    config = {"automatic_function_calling": {"disable": True}}
    async with session() as mcp_session, emulator_client(genaio_emulator).aio as aio:
        response = await aio.models.generate_content(
            model=MODEL, contents=PROMPT, config={**config, "tools": [mcp_session]}
        )
    assert response.function_calls[0].name == "get_weather"
    assert response.automatic_function_calling_history is None
    assert len(genaio_emulator.requests) == 1


@pytest.mark.anyio
async def test_a_name_defined_twice_is_refused_before_any_request(genaio_emulator):
    def get_weather(city: str) -> int:
        return 0

    async with session() as mcp_session, emulator_client(genaio_emulator).aio as aio:
        with pytest.raises(ValueError, match="get_weather is already defined"):
            await aio.models.generate_content(
                model=MODEL, contents=PROMPT, config={"tools": [get_weather, mcp_session]}
            )
    assert len(genaio_emulator.requests) == 0


@pytest.mark.anyio
async def test_cancelling_the_caller_cancels_the_tool_call_and_the_session_goes_on(
    genaio_emulator,
):
    global started
    started = anyio.Event()
    events.clear()
    async with session() as mcp_session, emulator_client(genaio_emulator).aio as aio:
        async with anyio.create_task_group() as nursery:

            async def caller() -> None:
                await aio.models.generate_content(
                    model=MODEL, contents="Use wait_forever", config={"tools": [mcp_session]}
                )

            nursery.start_soon(caller)
            await started.wait()
            nursery.cancel_scope.cancel()
        # The session and the client serve the next call.
        response = await aio.models.generate_content(
            model=MODEL, contents="Use get_weather for city=Paris", config={"tools": [mcp_session]}
        )
    assert response.text and "get_weather" in response.text
    assert events[0] == "started"


def test_the_blocking_surface_refuses_a_session_as_the_sdk_does(genaio_emulator):
    client = emulator_client(genaio_emulator)

    async def main() -> None:
        async with session() as mcp_session:
            with pytest.raises(errors.UnsupportedFunctionError, match="synchronous"):
                client.models.generate_content(
                    model=MODEL, contents=PROMPT, config={"tools": [mcp_session]}
                )

    try:
        trio.run(main)
    finally:
        client.close()


def test_the_same_requests_and_history_as_the_official_sdk(genaio_emulator):
    genai = pytest.importorskip("google.genai")
    prompts = (PROMPT, "Use explode with reason=x")

    def requests() -> list[Any]:
        bodies = [r.body for r in genaio_emulator.requests]
        genaio_emulator.reset()
        return bodies

    async def sdk() -> list[Any]:
        client = genai.Client(api_key="k", http_options={"base_url": genaio_emulator.base_url})
        results = []
        async with session() as mcp_session:
            for prompt in prompts:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    r = await client.aio.models.generate_content(
                        model=MODEL, contents=prompt, config={"tools": [mcp_session]}
                    )
                results.append((r.text, dump(r.automatic_function_calling_history)))
        return results

    async def ours() -> list[Any]:
        results = []
        async with session() as mcp_session, emulator_client(genaio_emulator).aio as aio:
            for prompt in prompts:
                r = await aio.models.generate_content(
                    model=MODEL, contents=prompt, config={"tools": [mcp_session]}
                )
                results.append((r.text, dump(r.automatic_function_calling_history)))
        return results

    genaio_emulator.reset()
    theirs, their_requests = asyncio.run(sdk()), requests()
    mine, my_requests = trio.run(ours), requests()
    assert mine == theirs
    assert json.dumps(my_requests, sort_keys=True) == json.dumps(their_requests, sort_keys=True)


def test_importing_genaio_does_not_import_mcp():
    code = "import sys, genaio, genaio.api._function_calling; print('mcp' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_a_declared_tool_keeps_its_json_schema_on_vertex_ai():
    from genaio.api._function_calling import _mcp_declaration

    tool = mcp.types.Tool(
        name="t", description="d", input_schema={"type": "object", "additionalProperties": True}
    )
    vertex = _mcp_declaration(tool, vertex=True)
    assert vertex.parameters_json_schema == {"type": "object", "additionalProperties": True}
    gemini = _mcp_declaration(
        mcp.types.Tool(name="t", input_schema={"type": "object", "properties": {}}), vertex=False
    )
    assert isinstance(gemini.parameters, types.Schema)
