"""A small program written against genaio's async and blocking surfaces: type-checked by
tests/test_typing.py with `mypy --strict`, never run. `assert_type` fails the check when mypy
sees another type (an `Any` included) than the one a user reads on the reference page."""

from __future__ import annotations

from typing import assert_type

import anyio

import genaio
from genaio import types


async def asynchronous(client: genaio.Client) -> None:
    aio = client.aio
    response = await aio.models.generate_content(model="gemini-2.5-flash", contents="Hi")
    assert_type(response, types.GenerateContentResponse)
    assert_type(response.text, str | None)

    stream = await aio.models.generate_content_stream(model="gemini-2.5-flash", contents="Hi")
    async for chunk in stream:
        assert_type(chunk, types.GenerateContentResponse)

    embedded = await aio.models.embed_content(model="gemini-embedding-001", contents=["a", "b"])
    assert_type(embedded, types.EmbedContentResponse)

    uploaded = await aio.files.upload(file="notes.txt")
    assert_type(uploaded, types.File)
    async for file in await aio.files.list():
        assert_type(file, types.File)

    chat = aio.chats.create(model="gemini-2.5-flash")
    reply = await chat.send_message("Hello")
    assert_type(reply, types.GenerateContentResponse)
    async for part in await chat.send_message_stream("More"):
        assert_type(part, types.GenerateContentResponse)
    assert_type(chat.get_history(), list[types.Content])
    await aio.aclose()


def blocking(client: genaio.Client) -> None:
    response = client.models.generate_content(
        model="gemini-2.5-flash",
        contents="Hi",
        config=types.GenerateContentConfig(temperature=0.1),
    )
    assert_type(response, types.GenerateContentResponse)

    for chunk in client.models.generate_content_stream(model="gemini-2.5-flash", contents="Hi"):
        assert_type(chunk, types.GenerateContentResponse)

    embedded = client.models.embed_content(model="gemini-embedding-001", contents="a")
    assert_type(embedded, types.EmbedContentResponse)

    uploaded = client.files.upload(file="notes.txt")
    assert_type(uploaded, types.File)
    assert_type(client.files.get(name=uploaded.name or ""), types.File)
    pager = client.files.list(config={"page_size": 10})
    assert_type(pager.page, list[types.File])
    for file in pager:
        assert_type(file, types.File)
    assert_type(client.files.download(file=uploaded), bytes | None)

    chat = client.chats.create(model="gemini-2.5-flash")
    assert_type(chat.send_message("Hello"), types.GenerateContentResponse)
    for part in chat.send_message_stream("More"):
        assert_type(part, types.GenerateContentResponse)
    client.close()


def main() -> None:
    client = genaio.Client(api_key="...")
    blocking(client)
    anyio.run(asynchronous, client)
