"""Every object of the facade says what it is in its repr, and never the key."""

from __future__ import annotations

import warnings

import trio

import genaio
from genaio.api._client import LazyFamily


def test_families_and_their_objects_have_honest_reprs(genaio_emulator) -> None:
    client = genaio.Client(api_key="sekret", http_options={"base_url": genaio_emulator.base_url})
    aio = client.aio
    families = [n for n, v in vars(genaio.AsyncClient).items() if isinstance(v, LazyFamily)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the experimental families' warning
        seen = [repr(getattr(aio, name)) for name in families]
    assert all(text.startswith("<genaio.") for text in seen), seen
    assert "<genaio.AsyncModels http" in repr(aio.models)

    async def main() -> list[str]:
        async with aio:
            stream = await aio.models.generate_content_stream(
                model="gemini-2.0-flash", contents="x"
            )
            texts = [repr(stream)]
            async with stream:
                async for _ in stream:
                    pass
            texts.append(repr(stream))
            chat = aio.chats.create(model="gemini-2.0-flash")
            chat_stream = await chat.send_message_stream("hi")
            texts.append(repr(chat_stream))
            await chat_stream.aclose()
            texts.append(repr(aio.models.embed_many(model="gemini-embedding-001", contents=[])))
            return texts

    texts = trio.run(main)
    assert (
        texts[0] == "<genaio.ResponseStream open>" and texts[1] == "<genaio.ResponseStream ended>"
    )
    assert texts[2].startswith("<genaio.ChatStream") and texts[3].startswith("<genaio.EmbedMany")
    client.models.count_tokens(model="gemini-2.0-flash", contents="x")
    blocking = [repr(client.models), repr(client._sync)]
    assert blocking[0].startswith("<sync <genaio.AsyncModels")
    assert blocking[1].startswith("<genaio.SyncBridge running")
    client.close()
    everything = " ".join([*seen, *texts, *blocking])
    assert "sekret" not in everything
