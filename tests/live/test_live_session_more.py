"""The Live session's `send_context_update` and the deprecated `send`, on genaio and on the
official SDK against the same emulator (over TLS, as the SDK always connects): the same inputs
give the same answers."""

from __future__ import annotations

import asyncio
import warnings

import pytest

import genaio
from tests.live.conftest import KEY, MODEL

WEATHER = {
    "function_declarations": [
        {
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        }
    ]
}


async def _turns(session, send) -> list[str]:
    """What each send of `send(session)` that asks for an answer is answered: the text, or
    the functions called."""
    answers = []
    for step, answered in send(session):
        await step
        if not answered:
            continue
        texts, calls = [], []
        async for message in session.receive():
            texts.append(message.text or "")
            if message.tool_call:
                calls += [c.name for c in message.tool_call.function_calls]
                break
        answers.append("".join(texts) or f"calls {calls}")
    return answers


def _user(text: str) -> dict:
    return {"role": "user", "parts": [{"text": text}]}


def _context_update(session):
    yield session.send_client_content(turns=_user("get_weather city=Paris")), True
    yield session.send_context_update(tools=[WEATHER], system_instruction="be brief"), False
    yield session.send_client_content(turns=_user("get_weather city=Paris")), True
    yield session.send_context_update(tools=[]), False
    yield session.send_client_content(turns=_user("get_weather city=Rome")), True


def _legacy(session):
    turn = {"turns": [{"role": "user", "parts": [{"text": "dict"}]}], "turn_complete": True}
    yield session.send(input="Hello", end_of_turn=True), True
    yield session.send(input=["two", "parts"], end_of_turn=True), True
    yield session.send(input=turn), True


def _both(tls_emulator, ca_context, send) -> tuple[list[str], list[str]]:
    from google import genai
    from google.genai import types

    sdk = genai.Client(
        api_key=KEY,
        http_options=types.HttpOptions(
            base_url=tls_emulator.base_url, async_client_args={"ssl": ca_context}
        ),
    )
    ours = genaio.Client(
        api_key=KEY,
        http_options={"base_url": tls_emulator.base_url, "async_client_args": {"ssl": ca_context}},
    )

    async def run(client) -> list[str]:
        config = {"response_modalities": ["TEXT"]}
        async with client.aio.live.connect(model=MODEL, config=config) as session:
            return await asyncio.wait_for(_turns(session, send), 30)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return asyncio.run(run(ours)), asyncio.run(run(sdk))


def test_a_context_update_changes_the_tools_for_what_follows(tls_emulator, ca_context):
    ours, theirs = _both(tls_emulator, ca_context, _context_update)
    assert ours == [
        "You said: get_weather city=Paris",
        "calls ['get_weather']",
        "You said: get_weather city=Rome",
    ]
    assert ours == theirs


def test_the_deprecated_send_is_answered_as_the_sdks(tls_emulator, ca_context):
    ours, theirs = _both(tls_emulator, ca_context, _legacy)
    assert ours == ["You said: Hello", "You said: two parts", "You said: dict"]
    assert ours == theirs


async def test_send_warns_and_refuses_a_function_response_without_id(make_client):
    async with make_client().aio as aio, aio.live.connect(model=MODEL) as session:
        with pytest.warns(DeprecationWarning, match="send_client_content"):
            with pytest.raises(ValueError, match="id"):
                await session.send(input={"name": "f", "response": {"ok": True}})
        with pytest.raises(ValueError, match="system_instruction, tools"):
            await session.send_context_update()
