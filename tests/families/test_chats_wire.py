"""A genaio chat sends what an official SDK chat sends: the same curated history each turn.

Deliberate difference (docs/chats.md): the telemetry headers carry no `+chat` label; they name
genaio, and are not compared.
"""

from __future__ import annotations

import pytest

from tests.families.test_models_more_wire import record_both, vertex

HISTORY = [
    {"role": "user", "parts": [{"text": "Hi"}]},
    {"role": "model", "parts": [{"text": "Hello"}]},
    {"role": "user", "parts": [{"text": "lost"}]},
    {"role": "model", "parts": []},  # an invalid turn: it and its input are not sent again
]


async def _conversation(aio):
    chat = aio.chats.create(
        model="gemini-2.0-flash", config={"temperature": 0.1}, history=list(HISTORY)
    )
    await chat.send_message("one")
    await chat.send_message(["two", "parts"], config={"max_output_tokens": 9})
    async for _ in await chat.send_message_stream("three words streamed here"):
        pass
    await chat.send_message("four")


@pytest.mark.parametrize("backend", ["gemini", "vertex"])
def test_same_requests_as_an_sdk_chat(backend, genaio_emulator):
    client = vertex() if backend == "vertex" else {}
    ours, theirs = record_both(genaio_emulator, _conversation, **client)
    assert len(ours) == 4
    assert ours == theirs
