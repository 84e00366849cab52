"""Live over TLS: the official SDK against the emulator (the protocol oracle), and genaio's
certificate checks.

How the SDK is pointed at the emulator: `http_options.base_url` is the emulator's
`https://127.0.0.1:<port>` (the SDK turns any base URL into `wss://`, wire spec §10), and
`http_options.async_client_args={"ssl": ctx}` hands its websocket a context that trusts the
throwaway test CA. Nothing in the SDK is patched.
"""

from __future__ import annotations

import asyncio

import pytest

import genaio
from genaio.errors import NetworkError
from tests.live.conftest import KEY, MODEL


def test_official_sdk_completes_a_text_turn(tls_emulator, ca_context):
    from google import genai
    from google.genai import types

    client = genai.Client(
        api_key=KEY,
        http_options=types.HttpOptions(
            base_url=tls_emulator.base_url, async_client_args={"ssl": ca_context}
        ),
    )
    config = types.LiveConnectConfig(response_modalities=["TEXT"])

    async def turn() -> list[types.LiveServerMessage]:
        async with client.aio.live.connect(model=MODEL, config=config) as session:
            await session.send_client_content(
                turns=types.Content(role="user", parts=[types.Part(text="Hello, Live")])
            )
            return [message async for message in session.receive()]

    messages = asyncio.run(asyncio.wait_for(turn(), 30))
    assert "".join(m.text or "" for m in messages) == "You said: Hello, Live"
    last = messages[-1]
    assert last.server_content.turn_complete is True
    assert last.usage_metadata.total_token_count > 0


async def test_genaio_trusts_an_explicit_context(tls_emulator, ca_context):
    client = genaio.Client(
        api_key=KEY,
        http_options={"base_url": tls_emulator.base_url, "async_client_args": {"ssl": ca_context}},
    )
    async with client.aio as aio, aio.live.connect(model=MODEL) as session:
        await session.send_client_content(turns="over TLS")
        texts = [m.text async for m in session.receive() if m.text]
    assert "".join(texts) == "You said: over TLS"


async def test_genaio_verifies_certificates_by_default(tls_emulator):
    client = genaio.Client(api_key=KEY, http_options={"base_url": tls_emulator.base_url})
    async with client.aio as aio:
        with pytest.raises(NetworkError):
            async with aio.live.connect(model=MODEL):
                pass


async def test_turning_verification_off_by_flag_is_refused(tls_emulator):
    client = genaio.Client(
        api_key=KEY,
        http_options={"base_url": tls_emulator.base_url, "async_client_args": {"verify": False}},
    )
    async with client.aio as aio:
        with pytest.raises(ValueError, match="verification off"):
            async with aio.live.connect(model=MODEL):
                pass
