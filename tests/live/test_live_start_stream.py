"""`AsyncSession.start_stream` (deprecated in the SDK): its sender runs in the session's task
group, ends the iteration when the input is exhausted, is cancelled when the iteration is
closed, and never outlives the session; on trio and asyncio."""

from __future__ import annotations

from contextlib import aclosing

import anyio
import pytest

from genaio import types
from tests.live.conftest import MODEL

pytestmark = [pytest.mark.anyio, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

AUDIO = {"response_modalities": ["TEXT"]}
CHUNK = b"\x01\x02" * 800
PCM = "audio/pcm;rate=16000"


async def test_the_stream_is_sent_and_the_answer_read_until_the_input_ends(make_client):
    answered = anyio.Event()
    async with make_client().aio as aio, aio.live.connect(model=MODEL, config=AUDIO) as session:

        async def audio():
            for _ in range(3):
                yield CHUNK
            await session.send_realtime_input(audio_stream_end=True)
            await answered.wait()  # the input ends once the answer is in

        messages = []
        with pytest.warns(DeprecationWarning):
            stream = session.start_stream(stream=audio(), mime_type=PCM)
        async for message in stream:
            messages.append(message)
            if message.server_content and message.server_content.turn_complete:
                answered.set()
    assert "".join(m.text or "" for m in messages).startswith(
        f"You sent {3 * len(CHUNK)} bytes of audio"
    )
    assert isinstance(messages[-1], types.LiveServerMessage)


async def test_closing_the_iteration_cancels_the_sender(make_client):
    sender_ended = anyio.Event()
    async with make_client().aio as aio, aio.live.connect(model=MODEL, config=AUDIO) as session:

        async def forever():
            try:
                yield CHUNK
                await session.send_realtime_input(audio_stream_end=True)
                await anyio.sleep_forever()
            finally:
                sender_ended.set()

        async with aclosing(session.start_stream(stream=forever(), mime_type=PCM)) as stream:
            async for _ in stream:
                break
        with anyio.fail_after(5):
            await sender_ended.wait()
        # The session goes on: the rest of the audio's answer, then the next turn.
        assert [m async for m in session.receive()][-1].server_content.turn_complete
        await session.send_client_content(turns="still here")
        texts = [m.text async for m in session.receive() if m.text]
        assert "".join(texts).endswith("still here")


async def test_an_error_of_the_stream_is_raised_from_the_iteration(make_client):
    async with make_client().aio as aio, aio.live.connect(model=MODEL, config=AUDIO) as session:

        async def broken():
            yield CHUNK
            raise OSError("the microphone is gone")

        with pytest.raises(OSError, match="microphone"):
            async for _ in session.start_stream(stream=broken(), mime_type=PCM):
                pass
        await session.send_client_content(turns="after the error")
        assert [m async for m in session.receive()][-1].server_content.turn_complete


async def test_leaving_the_session_ends_a_sender_never_closed(make_client):
    started = anyio.Event()
    with anyio.fail_after(10):
        async with make_client().aio as aio, aio.live.connect(model=MODEL, config=AUDIO) as session:

            async def forever():
                started.set()
                yield CHUNK
                await anyio.sleep_forever()

            await session.send_client_content(turns="hello")  # a message to stop at
            stream = session.start_stream(stream=forever(), mime_type=PCM)
            assert (await stream.__anext__()).text
            await started.wait()  # the answer to "hello" may come before the sender starts
            # The iteration stays suspended at its yield, never closed: leaving the block
            # must not wait for its sender, which waits for ever.
        await stream.aclose()
