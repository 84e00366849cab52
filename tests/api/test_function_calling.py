"""Automatic function calling against the emulator (and a mock server for bad calls): the loop
in generate_content, streams and chats, sync and async tools, both backends, the config's
switches, what runs where, cancellation, and the official SDK's results as the oracle."""

from __future__ import annotations

import asyncio
import datetime
import json
import threading
import warnings

import anyio
import anyio.lowlevel
import pydantic
import pytest
import trio

import genaio
from genaio import types
from tests.helpers import GENERATE_OK, json_response, mock_client

MODEL = "gemini-2.5-flash"
PROMPT = "Use get_weather and then to_fahrenheit for city=Paris"


def get_weather(city: str) -> int:
    """The temperature in a city, in degrees Celsius."""
    return {"Paris": 20}.get(city, 0)


async def to_fahrenheit(celsius: int) -> float:
    """Convert degrees Celsius to Fahrenheit."""
    await anyio.lowlevel.checkpoint()
    return celsius * 9 / 5 + 32


def emulator_client(emulator, **options):
    return genaio.Client(api_key="k", http_options={"base_url": emulator.base_url, **options})


def dump(contents):
    return [c.model_dump(mode="json", exclude_none=True) for c in contents or ()]


# -- the loop ------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_two_step_loop_with_a_sync_and_an_async_tool(genaio_emulator):
    async with emulator_client(genaio_emulator).aio as aio:
        response = await aio.models.generate_content(
            model=MODEL, contents=PROMPT, config={"tools": [get_weather, to_fahrenheit]}
        )
    assert response.text == (
        'The function get_weather returned {"result":20}. '
        'The function to_fahrenheit returned {"result":33.8}.'
    )
    history = response.automatic_function_calling_history
    assert [c.role for c in history] == ["user", "model", "user", "model", "user"]
    assert history[1].parts[0].function_call.args == {"city": "Paris"}
    assert history[2].parts[0].function_response.response == {"result": 20}


@pytest.mark.anyio
async def test_a_stream_carries_every_round(genaio_emulator):
    async with emulator_client(genaio_emulator).aio as aio:
        stream = await aio.models.generate_content_stream(
            model=MODEL, contents=PROMPT, config={"tools": [get_weather, to_fahrenheit]}
        )
        chunks = [chunk async for chunk in stream]
    calls = [c.function_calls[0].name for c in chunks if c.function_calls]
    assert calls == ["get_weather", "to_fahrenheit"]
    assert "".join(c.text or "" for c in chunks).endswith('returned {"result":33.8}.')
    # Chunks of the first round have no history yet; the last has every earlier round.
    assert chunks[0].automatic_function_calling_history is None
    assert len(chunks[-1].automatic_function_calling_history) == 5


@pytest.mark.anyio
async def test_a_chat_records_each_round_as_a_turn(genaio_emulator):
    async with emulator_client(genaio_emulator).aio as aio:
        chat = aio.chats.create(model=MODEL, config={"tools": [get_weather, to_fahrenheit]})
        response = await chat.send_message(PROMPT)
        assert response.text.endswith('returned {"result":33.8}.')
        assert response.automatic_function_calling_history is None  # the chat keeps it
        stream = await chat.send_message_stream(PROMPT.replace("Paris", "Rome"))
        chunks = [chunk async for chunk in stream]
    assert "".join(c.text or "" for c in chunks).startswith("The function get_weather returned")
    history = chat.get_history()
    first = [(c.role, _kind(c)) for c in history[:6]]
    assert first == [
        ("user", "text"),
        ("model", "function_call"),
        ("user", "function_response"),
        ("model", "function_call"),
        ("user", "function_response"),
        ("model", "text"),
    ]
    assert chat.get_history(curated=True) == history
    # The second send saw the first's turns and its own rounds.
    assert history[7].parts[0].function_call.args == {"city": "Rome"}


def test_the_blocking_client_runs_tools_too(genaio_emulator):
    client = emulator_client(genaio_emulator)
    try:
        response = client.models.generate_content(
            model=MODEL, contents=PROMPT, config={"tools": [get_weather, to_fahrenheit]}
        )
        assert response.text.endswith('returned {"result":33.8}.')
        chunks = list(
            client.models.generate_content_stream(
                model=MODEL, contents=PROMPT, config={"tools": [get_weather]}
            )
        )
        assert chunks[0].function_calls and chunks[-1].text
        chat = client.chats.create(model=MODEL, config={"tools": [get_weather]})
        assert (
            chat.send_message("city=Oslo").text == 'The function get_weather returned {"result":0}.'
        )
    finally:
        client.close()


def _kind(content):
    part = content.parts[0]
    return next(k for k in ("text", "function_call", "function_response") if getattr(part, k))


# -- the config's switches ----------------------------------------------------------------


async def test_disable_and_declarations_return_the_call(genaio_emulator):
    declared = {"function_declarations": [{"name": "get_weather"}]}
    async with emulator_client(genaio_emulator).aio as aio:
        for config in (
            {"tools": [get_weather], "automatic_function_calling": {"disable": True}},
            {"tools": [get_weather], "automatic_function_calling": {"maximum_remote_calls": 0}},
            {"tools": [get_weather, declared]},
        ):
            response = await aio.models.generate_content(
                model=MODEL, contents=PROMPT, config=config
            )
            assert response.function_calls[0].name == "get_weather"
            assert response.automatic_function_calling_history is None


async def test_the_budget_leaves_the_last_call_to_the_caller(genaio_emulator):
    called = []

    def get_weather(city: str) -> int:
        called.append(city)
        return 1

    async with emulator_client(genaio_emulator).aio as aio:
        config = types.GenerateContentConfig(
            tools=[get_weather, to_fahrenheit],
            automatic_function_calling=types.AutomaticFunctionCallingConfig(maximum_remote_calls=2),
        )
        response = await aio.models.generate_content(model=MODEL, contents=PROMPT, config=config)
        plain = await aio.models.generate_content(model=MODEL, contents="hi")
        quiet = await aio.models.generate_content(
            model=MODEL,
            contents=PROMPT,
            config={
                "tools": [get_weather],
                "automatic_function_calling": {"ignore_call_history": True},
            },
        )
    assert response.function_calls[0].name == "to_fahrenheit"
    assert called == ["Paris", "Paris"]
    assert len(response.automatic_function_calling_history) == 3
    assert plain.automatic_function_calling_history == []  # as the official SDK has it
    assert quiet.text and quiet.automatic_function_calling_history is None


async def test_streaming_call_arguments_is_refused_with_automatic_calling(genaio_emulator):
    config = {
        "tools": [get_weather],
        "tool_config": {"function_calling_config": {"stream_function_call_arguments": True}},
    }
    async with emulator_client(genaio_emulator).aio as aio:
        with pytest.raises(ValueError, match="stream_function_call_arguments"):
            await aio.models.generate_content_stream(model=MODEL, contents="x", config=config)


# -- bad calls are answered to the model -----------------------------------------------------


class Point(pydantic.BaseModel):
    x: int
    y: int


def _scripted(calls):
    """A server that asks for `calls` (one per request) and then answers in text; it records
    the function responses it is sent."""
    sent, requests = [], []

    def handler(request):
        contents = json.loads(request.content)["contents"]
        sent.extend(p["functionResponse"] for p in contents[-1]["parts"] if "functionResponse" in p)
        requests.append(request)
        if len(requests) <= len(calls):
            call = {"functionCall": calls[len(requests) - 1]}
            body = {"candidates": [{"content": {"role": "model", "parts": [call]}}]}
            return json_response(200, body)
        return json_response(200, GENERATE_OK)

    return handler, sent


async def test_bad_arguments_an_unknown_name_and_a_raising_function_go_back_as_errors():
    seen = []

    def norm(point: Point, scale: int = 1) -> int:
        """Scaled L1 norm."""
        seen.append((point, scale))
        if scale < 0:
            raise RuntimeError("negative scale")
        return (abs(point.x) + abs(point.y)) * scale

    handler, sent = _scripted(
        [
            {"name": "norm", "args": {"point": {"x": 3, "y": -4}, "scale": 2.0}},
            {"name": "norm", "args": {"point": {"x": "a"}}},
            {"name": "nope", "args": {}},
            {"name": "norm", "args": {"point": {"x": 1, "y": 1}, "scale": -1}},
        ]
    )
    async with mock_client(handler).aio as aio:
        response = await aio.models.generate_content(
            model=MODEL, contents="go", config={"tools": [norm]}
        )
    assert response.text == "hello"
    assert seen[0] == (Point(x=3, y=-4), 2) and type(seen[0][1]) is int
    assert sent[0]["response"] == {"result": 14}
    assert "argument 'point' of norm()" in sent[1]["response"]["error"]
    assert "no function named 'nope'" in sent[2]["response"]["error"]
    assert sent[3]["response"] == {
        "error": "norm(point=Point(x=1, y=1), scale=-1) raised RuntimeError: negative scale"
    }


# -- what runs where, and cancellation --------------------------------------------------------


@pytest.mark.anyio
async def test_a_slow_tool_holds_up_only_its_caller(genaio_emulator):
    release = anyio.Event()

    async def slow(city: str) -> str:
        await release.wait()
        return "done"

    async with emulator_client(genaio_emulator).aio as aio:
        async with anyio.create_task_group() as nursery:
            results = []

            async def caller():
                r = await aio.models.generate_content(
                    model=MODEL, contents="slow", config={"tools": [slow]}
                )
                results.append(r.text)

            nursery.start_soon(caller)
            for _ in range(3):  # other calls go on while `slow` waits
                other = await aio.models.generate_content(model=MODEL, contents="hi")
                assert other.text == "You said: hi"
            assert results == []
            release.set()
    assert results == ['The function slow returned {"result":"done"}.']


@pytest.mark.anyio
async def test_cancelling_the_caller_cancels_a_coroutine_tool(genaio_emulator):
    events = []

    started = anyio.Event()

    async def forever(city: str) -> str:
        events.append("started")
        started.set()
        try:
            await anyio.sleep_forever()
        finally:
            events.append("cancelled")

    async def caller(aio):
        await aio.models.generate_content(model=MODEL, contents="x", config={"tools": [forever]})

    async with emulator_client(genaio_emulator).aio as aio:
        async with anyio.create_task_group() as nursery:
            nursery.start_soon(caller, aio)
            await started.wait()
            nursery.cancel_scope.cancel()
        assert events == ["started", "cancelled"]
        # The client serves the next call.
        assert (await aio.models.generate_content(model=MODEL, contents="hi")).text


@pytest.mark.anyio
async def test_cancelling_the_caller_abandons_a_thread_tool(genaio_emulator):
    started, release = threading.Event(), threading.Event()
    threads = []

    def blocking(city: str) -> str:
        threads.append(threading.current_thread())
        started.set()
        release.wait(10)
        return "late"

    async with emulator_client(genaio_emulator).aio as aio:
        async with anyio.create_task_group() as nursery:

            async def caller():
                await aio.models.generate_content(
                    model=MODEL, contents="x", config={"tools": [blocking]}
                )

            nursery.start_soon(caller)
            await anyio.to_thread.run_sync(started.wait)
            nursery.cancel_scope.cancel()  # returns although the thread still runs
    release.set()
    assert threads and threads[0] is not threading.main_thread()


def test_both_backends_run_the_same_loop(genaio_emulator):
    client = emulator_client(genaio_emulator)

    async def example():
        response = await client.aio.models.generate_content(
            model=MODEL, contents=PROMPT, config={"tools": [get_weather, to_fahrenheit]}
        )
        return response.text

    assert asyncio.run(example()) == trio.run(example)


# -- the official SDK as the oracle ---------------------------------------------------------


def test_the_same_history_and_answer_as_the_official_sdk(genaio_emulator):
    genai = pytest.importorskip("google.genai")
    config = {"tools": [get_weather, to_fahrenheit]}

    async def sdk():
        client = genai.Client(api_key="k", http_options={"base_url": genaio_emulator.base_url})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = await client.aio.models.generate_content(
                model=MODEL, contents=PROMPT, config=config
            )
            chat = client.aio.chats.create(model=MODEL, config=config)
            await chat.send_message(PROMPT)
            chunks = [c async for c in await chat.send_message_stream(PROMPT)]
        return (
            r.text,
            dump(r.automatic_function_calling_history),
            dump(chat.get_history()),
            len(chunks),
        )

    async def ours():
        async with emulator_client(genaio_emulator).aio as aio:
            r = await aio.models.generate_content(model=MODEL, contents=PROMPT, config=config)
            chat = aio.chats.create(model=MODEL, config=config)
            await chat.send_message(PROMPT)
            chunks = [c async for c in await chat.send_message_stream(PROMPT)]
        return (
            r.text,
            dump(r.automatic_function_calling_history),
            dump(chat.get_history()),
            len(chunks),
        )

    assert trio.run(ours) == asyncio.run(sdk())


class Opaque:
    """A type pydantic cannot validate: its arguments are passed as they come."""


def test_arguments_are_converted_to_the_annotations():
    from genaio.api._function_arguments import convert_arguments
    from genaio.errors import UnknownFunctionCallArgumentError

    def tag(meta: dict, when: datetime.date, point: Point, other: Opaque, free, n: int = 0):
        pass

    args = {
        "meta": {"count": 2.0, "ratio": 0.5},
        "when": "2025-01-02",
        "point": {"x": 1, "y": 2.0},
        "other": "kept",
        "free": [3.0],
        "unknown": 1,
    }
    assert convert_arguments(tag, args) == {
        "meta": {"count": 2, "ratio": 0.5},
        "when": datetime.date(2025, 1, 2),
        "point": Point(x=1, y=2),
        "other": "kept",
        "free": [3],
    }
    with pytest.raises(UnknownFunctionCallArgumentError, match="'n' of tag"):
        convert_arguments(tag, {"n": 2.5})


async def test_a_function_that_cannot_be_declared_is_refused_before_any_request():
    from genaio.errors import UnsupportedFunctionError

    def untyped(city):
        return city

    def opaque(thing: Opaque) -> None:
        pass

    async with mock_client(lambda request: pytest.fail("sent")).aio as aio:
        for function in (untyped, opaque):
            with pytest.raises(UnsupportedFunctionError, match="parameter"):
                await aio.models.generate_content(
                    model=MODEL, contents="x", config={"tools": [function]}
                )
