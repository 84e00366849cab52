"""Chats against the emulator and a mock server: history, ordering, cancellation, errors,
the reference example as written, and the blocking surface."""

from __future__ import annotations

import asyncio
import json

import pytest
import trio
import trio.testing

import genaio
from genaio import errors, types
from tests.helpers import GENERATE_OK, json_response, mock_client

MODEL = "gemini-2.0-flash"
NO_RETRY = {"retry_options": {"attempts": 1}}


def emulator_client(emulator, **options):
    return genaio.Client(api_key="k", http_options={"base_url": emulator.base_url, **options})


def texts(history):
    return [(c.role, "".join(p.text or "" for p in c.parts or ())) for c in history]


def test_reference_example_as_written_under_asyncio_and_trio(genaio_emulator):
    client = emulator_client(genaio_emulator)

    async def example():
        chat = await client.aio.chats.create(model="gemini-2.0-flash")
        response = await chat.send_message("Hello!")
        return response.text

    assert asyncio.run(example()) == "You said: Hello!"
    assert trio.run(example) == "You said: Hello!"


async def test_turns_are_recorded_and_sent_back(genaio_emulator):
    async with emulator_client(genaio_emulator).aio as aio:
        chat = aio.chats.create(model=MODEL, history=[{"role": "user", "parts": [{"text": "a"}]}])
        response = await chat.send_message("Hello")
        assert response.text == "You said: Hello"
        stream = await chat.send_message_stream("one two three four five six")
        chunks = [chunk.text async for chunk in stream]
        assert "".join(chunks) == "You said: one two three four five six"
    history = chat.get_history()
    assert texts(history[:3]) == [("user", "a"), ("user", "Hello"), ("model", "You said: Hello")]
    # Each streamed chunk is a model turn of its own, as in the official SDK.
    assert [c.role for c in history[3:]] == ["user", "model", "model"]
    assert chat.get_history(curated=True) == history


async def test_invalid_turns_are_kept_but_not_sent_again():
    bodies = []

    def handler(request):
        bodies.append(json.loads(request.content))
        empty = {"candidates": [{"content": {"role": "model", "parts": []}}]}
        return json_response(200, empty if len(bodies) == 1 else GENERATE_OK)

    async with mock_client(handler).aio as aio:
        chat = aio.chats.create(model=MODEL)
        await chat.send_message("blocked?")
        await chat.send_message("again")
    assert bodies[1]["contents"] == [{"role": "user", "parts": [{"text": "again"}]}]
    assert len(chat.get_history()) == 4
    assert texts(chat.get_history(curated=True)) == [("user", "again"), ("model", "hello")]


async def test_concurrent_sends_are_ordered_never_interleaved(autojump_clock):
    in_flight, seen = [], []

    async def handler(request):
        contents = json.loads(request.content)["contents"]
        in_flight.append(1)
        assert len(in_flight) == 1, "two sends of one chat overlapped"
        await trio.sleep(1)
        in_flight.pop()
        seen.append([c["parts"][0]["text"] for c in contents])
        answer = dict(GENERATE_OK, candidates=[dict(GENERATE_OK["candidates"][0])])
        answer["candidates"][0]["content"] = {
            "role": "model",
            "parts": [{"text": "re " + contents[-1]["parts"][0]["text"]}],
        }
        return json_response(200, answer)

    async with mock_client(handler).aio as aio:
        chat = aio.chats.create(model=MODEL)
        async with trio.open_nursery() as nursery:
            for word in ("one", "two", "three"):
                nursery.start_soon(chat.send_message, word)
                await trio.testing.wait_all_tasks_blocked()
    assert seen == [
        ["one"],
        ["one", "re one", "two"],
        ["one", "re one", "two", "re two", "three"],
    ]


async def test_a_send_waits_for_the_open_stream_of_the_same_chat(genaio_emulator):
    async with emulator_client(genaio_emulator).aio as aio:
        chat = aio.chats.create(model=MODEL)
        stream = await chat.send_message_stream("first of all")
        with trio.move_on_after(0.2) as waited:
            await chat.send_message("second")
        assert waited.cancelled_caught  # the chat's turn is the stream's until it ends
        async for _ in stream:
            pass
        await chat.send_message("second")
    assert [c.role for c in chat.get_history()] == ["user", "model", "model", "user", "model"]


async def test_a_stream_cancelled_mid_way_records_no_half_turn(genaio_emulator):
    genaio_emulator.set_faults(chunk_interval_ms=50)
    async with emulator_client(genaio_emulator).aio as aio:
        chat = aio.chats.create(model=MODEL)
        await chat.send_message("kept")
        stream = await chat.send_message_stream("a long answer that streams in many chunks")
        with trio.move_on_after(0.03):
            async for _ in stream:
                pass
        assert len(chat.get_history()) == 2
        # Closed early: dropped too, and the chat's next send goes ahead.
        async with await chat.send_message_stream("another long answer in chunks") as stream:
            await stream.__anext__()
        await chat.send_message("after")
    assert texts(chat.get_history())[-2:] == [("user", "after"), ("model", "You said: after")]
    assert len(chat.get_history()) == 4


async def test_a_cancelled_send_records_nothing(genaio_emulator):
    genaio_emulator.set_faults(latency_ms=200)
    async with emulator_client(genaio_emulator).aio as aio:
        chat = aio.chats.create(model=MODEL)
        with trio.move_on_after(0.05):
            await chat.send_message("never answered")
        assert chat.get_history() == []


@pytest.mark.parametrize(
    ("model", "faults", "error", "sends"),
    [
        ("no-such-model", None, errors.NotFoundError, ("send_message", "send_message_stream")),
        (MODEL, {"error_429_rate": 1.0}, errors.RateLimitError, ("send_message",)),
        (MODEL, {"stream_error_rate": 1.0}, errors.APIError, ("send_message_stream",)),
    ],
)
async def test_errors_leave_the_history_as_it_was(genaio_emulator, model, faults, error, sends):
    genaio_emulator.set_faults(faults)
    async with emulator_client(genaio_emulator, **NO_RETRY).aio as aio:
        chat = aio.chats.create(model=model)
        for send in sends:
            with pytest.raises(error):
                answer = await getattr(chat, send)("hello there friend")
                if send == "send_message_stream":
                    async for _ in answer:
                        pass
        assert chat.get_history() == []


async def test_a_message_is_parts_not_contents(genaio_emulator):
    chat = emulator_client(genaio_emulator).aio.chats.create(model=MODEL)
    for message in (types.Content(role="user", parts=[types.Part(text="x")]), {"role": "user"}):
        with pytest.raises(ValueError):
            await chat.send_message(message)


def test_the_blocking_surface_proxies_a_chat(genaio_emulator):
    with emulator_client(genaio_emulator) as client:
        chat = client.chats.create(model=MODEL)
        assert chat.send_message("Hello!").text == "You said: Hello!"
        chunks = [c.text for c in chat.send_message_stream("two more words")]
        assert "".join(chunks) == "You said: two more words"
        assert len(chat.get_history()) == 5
