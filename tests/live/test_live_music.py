"""`client.aio.live.music` against the emulator, on trio and asyncio: the audio follows the
prompts and settings, playback controls, errors, closing; and the official SDK (over TLS, as it
always connects) sends the same frames and receives the same messages."""

from __future__ import annotations

import asyncio
import base64
import warnings

import anyio
import pytest

import genaio
from genaio import types
from genaio.emulator._live_music import CHUNK_SECONDS, MIME_TYPE, SAMPLE_RATE, chunk_audio
from genaio.errors import APIError, ClientClosedError, ExperimentalWarning
from tests.live.conftest import KEY

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.filterwarnings("ignore::genaio.errors.ExperimentalWarning"),
    pytest.mark.filterwarnings("ignore:Realtime music generation is experimental"),
]

MODEL = "models/lyria-realtime-exp"
PROMPTS = [{"text": "minimal techno", "weight": 1.0}, {"text": "piano", "weight": 3.0}]


@pytest.fixture
def genaio_emulator_config():
    from genaio.emulator import EmulatorConfig

    return EmulatorConfig(api_keys=(KEY,))


async def take(session, n: int) -> list[types.LiveMusicServerMessage]:
    messages = []
    async for message in session.receive():
        messages.append(message)
        if len(messages) == n:
            return messages
    raise AssertionError("the stream ended")


def chunk(message: types.LiveMusicServerMessage) -> types.AudioChunk:
    (audio,) = message.server_content.audio_chunks
    return audio


def wire_prompts(audio: types.AudioChunk) -> list[dict]:
    return [p.to_wire() for p in audio.source_metadata.client_content.weighted_prompts]


async def test_the_audio_follows_the_prompts_and_settings(make_client):
    async with make_client().aio as aio, aio.live.music.connect(model=MODEL) as session:
        await session.set_weighted_prompts([types.WeightedPrompt(**p) for p in PROMPTS])
        await session.set_music_generation_config(
            types.LiveMusicGenerationConfig(density=0.25, bpm=90, scale=types.Scale.D_MAJOR_B_MINOR)
        )
        await session.play()
        first = [chunk(m) for m in await take(session, 3)]
        await session.set_weighted_prompts([{"text": "drums", "weight": 1.0}])
        later = [chunk(m) for m in await take(session, 30)]
    config = {"density": 0.25, "bpm": 90, "scale": "D_MAJOR_B_MINOR"}
    for index, audio in enumerate(first):
        assert audio.mime_type == MIME_TYPE
        assert wire_prompts(audio) == PROMPTS
        assert audio.source_metadata.music_generation_config.to_wire() == config
        assert audio.data == chunk_audio(PROMPTS, config, index)
        assert len(audio.data) == 4 * int(SAMPLE_RATE * CHUNK_SECONDS)  # 16-bit stereo
    assert first[0].data != first[1].data  # the wave's phase goes on from chunk to chunk
    # The new prompts take over at some chunk, and every chunk after it is made from them.
    switched = [wire_prompts(a) == [{"text": "drums", "weight": 1.0}] for a in later]
    assert switched[-1] and switched == sorted(switched)
    index = 3 + switched.index(True)
    assert later[index - 3].data == chunk_audio([{"text": "drums", "weight": 1.0}], config, index)
    # Louder settings give louder audio; other prompts give other audio.
    assert chunk_audio(PROMPTS, {"density": 1.0}, 0) != chunk_audio(PROMPTS, config, 0)
    assert chunk_audio(PROMPTS[:1], config, 0) != chunk_audio(PROMPTS, config, 0)


async def test_tempo_waits_for_a_new_context_and_stop_restarts_it(make_client):
    async with make_client().aio as aio, aio.live.music.connect(model=MODEL) as session:
        await session.set_weighted_prompts(PROMPTS[:1])
        await session.set_music_generation_config({"bpm": 90})
        await session.play()
        (start,) = await take(session, 1)
        await session.set_music_generation_config({"bpm": 120, "density": 0.75})
        await session.reset_context()
        after = [chunk(m) for m in await take(session, 30)]
        await session.stop()
        await session.play()
        restarted = [chunk(m) for m in await take(session, 30)]
    configs = [a.source_metadata.music_generation_config.to_wire() for a in after]
    assert configs[-1] == {"bpm": 120, "density": 0.75}
    # Before the reset the density applies at once; the tempo only with the new context.
    assert set(map(str, configs)) <= {str({"bpm": 90, "density": 0.75}), str(configs[-1])}
    # After STOP and PLAY the music starts again from the context's first chunk.
    assert any(a.data == chunk_audio(PROMPTS[:1], configs[-1], 0) for a in restarted)
    assert chunk(start).data == chunk_audio(PROMPTS[:1], {"bpm": 90}, 0)


async def test_a_cancelled_receive_leaves_the_session_usable(make_client):
    async with make_client().aio as aio, aio.live.music.connect(model=MODEL) as session:
        await session.set_weighted_prompts(PROMPTS)
        with anyio.move_on_after(0.05):  # not playing: nothing comes, the wait is cancelled
            async for _ in session.receive():
                pytest.fail("no music before PLAY")
        await session.play()
        (first,) = await take(session, 1)
    assert chunk(first).data == chunk_audio(PROMPTS, {}, 0)


async def test_a_refused_setup_and_an_unknown_model_raise_api_error(make_client):
    with pytest.raises(APIError) as bad_key:
        async with make_client(api_key="wrong").aio.live.music.connect(model=MODEL):
            pass
    assert bad_key.value.code == 1007
    assert bad_key.value.details == "API key not valid. Please pass a valid API key."
    with pytest.raises(APIError) as unknown:
        async with make_client().aio.live.music.connect(model="gemini-2.0-flash"):
            pass
    assert unknown.value.code == 1008
    assert "bidiGenerateMusic" in str(unknown.value)


async def test_a_bad_message_closes_the_session_with_its_code(make_client):
    async with make_client().aio as aio, aio.live.music.connect(model=MODEL) as session:
        await session._send({"nonsense": {}})  # not a message of the protocol
        with pytest.raises(APIError) as closed:
            await take(session, 1)
    assert closed.value.code == 1007


async def test_close_ends_receive_and_later_sends_fail(make_client):
    async with make_client().aio as aio, aio.live.music.connect(model=MODEL) as session:
        await session.set_weighted_prompts(PROMPTS)
        await session.play()
        await take(session, 2)
        stats = session.statistics()
        assert stats.sent == 2 and stats.received == 2
        assert stats.unacknowledged == 0  # nothing kept for resending: music never resumes
        await session.close()
        await session.close()  # idempotent
        assert [m async for m in session.receive()] == []
        with pytest.raises(ClientClosedError):
            await session.play()
        assert session.statistics().closed


async def test_closing_the_client_closes_the_session(make_client):
    client = make_client()
    async with client.aio.live.music.connect(model=MODEL) as session:
        await session.set_weighted_prompts(PROMPTS)
        await session.play()
        await take(session, 1)
        await client.aio.aclose()
        with pytest.raises(ClientClosedError):
            async for _ in session.receive():
                pass


async def test_bad_input_is_refused_before_the_wire(make_client):
    async with make_client().aio as aio, aio.live.music.connect(model=MODEL) as session:
        with pytest.raises(TypeError):
            await session.set_weighted_prompts({"text": "not a list"})
        with pytest.raises(ValueError):
            await session.set_weighted_prompts([{"text": "x", "weight": "heavy"}])
        with pytest.raises(ValueError):
            await session.set_music_generation_config({"bpm": "fast"})
        assert session.statistics().sent == 0


def test_connect_warns_experimental_and_vertex_is_refused():
    client = genaio.Client(api_key=KEY)
    with pytest.warns(ExperimentalWarning):
        client.aio.live.music.connect(model=MODEL)
    vertex = genaio.Client(vertexai=True, api_key=KEY)  # express mode: no credentials
    with pytest.raises(NotImplementedError):
        vertex.aio.live.music.connect(model=MODEL)


# -- the official SDK over TLS ----------------------------------------------------------------


async def _script(session, types_module, n: int) -> list:
    """The same session with either library's types: steer, play, take `n` messages."""
    prompts = [
        types_module.WeightedPrompt(text=t, weight=w) for t, w in (("lo-fi", 1), ("rain", 0.5))
    ]
    await session.set_weighted_prompts(prompts)
    await session.set_music_generation_config(
        types_module.LiveMusicGenerationConfig(bpm=70, density=0.4, scale="F_MAJOR_D_MINOR")
    )
    await session.play()
    messages = []
    async for message in session.receive():
        messages.append(message)
        if len(messages) == n:
            break
    await session.close()
    return messages


def test_official_sdk_and_genaio_send_and_receive_the_same(
    tls_emulator, tls_files, ca_context, monkeypatch
):
    from google import genai
    from google.genai import types as sdk_types

    # The SDK's music socket takes no SSL context: it trusts the test CA through OpenSSL's
    # default verify paths, which read SSL_CERT_FILE. Nothing in the SDK is patched.
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_files[0]))
    frames = tls_emulator.app.music.frames
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sdk = genai.Client(api_key=KEY, http_options={"base_url": tls_emulator.base_url})

    async def official() -> list:
        async with sdk.aio.live.music.connect(model="lyria-realtime-exp") as session:
            return await _script(session, sdk_types, 3)

    theirs = asyncio.run(asyncio.wait_for(official(), 30))
    their_frames = list(frames)
    frames.clear()

    client = genaio.Client(
        api_key=KEY,
        http_options={"base_url": tls_emulator.base_url, "async_client_args": {"ssl": ca_context}},
    )

    async def ours() -> list:
        async with client.aio.live.music.connect(model="lyria-realtime-exp") as session:
            return await _script(session, types, 3)

    mine = asyncio.run(asyncio.wait_for(ours(), 30))
    assert list(frames) == their_frames
    assert their_frames[0] == {"setup": {"model": "models/lyria-realtime-exp"}}
    assert [m.model_dump(exclude_none=True) for m in mine] == [
        m.model_dump(exclude_none=True) for m in theirs
    ]
    assert base64.b64encode(chunk(mine[0]).data) and chunk(theirs[0]).data == chunk(mine[0]).data


# -- the emulator's decisions -----------------------------------------------------------------


def test_playback_controls_and_the_next_context():
    from genaio.emulator._live_music import MusicSession

    music = MusicSession("lyria-realtime-exp")
    music.handle({"clientContent": {"weightedPrompts": PROMPTS}})
    music.handle({"musicGenerationConfig": {"bpm": 90}})
    assert music.config == {"bpm": 90} and not music.playing  # nothing played: applies now
    music.handle({"playbackControl": "PLAY"})
    assert music.playing
    assert music.chunk()["serverContent"]["audioChunks"][0]["mimeType"] == MIME_TYPE
    music.handle({"musicGenerationConfig": {"bpm": 120, "density": 0.5}})
    assert music.config == {"bpm": 90, "density": 0.5}  # the tempo waits for a new context
    music.handle({"playbackControl": "PAUSE"})
    assert not music.playing and music.position == 1  # a pause keeps the context
    music.handle({"playbackControl": "RESET_CONTEXT"})
    assert not music.playing and music.position == 0 and music.config["bpm"] == 120
    music.handle({"playbackControl": "PLAY"})
    music.chunk()
    music.handle({"playbackControl": "STOP"})
    assert not music.playing and music.position == 0
    with pytest.raises(Exception, match="Unknown message"):
        music.handle({"playbackControl": "REWIND"})
    with pytest.raises(Exception, match="needs a text"):
        music.handle({"clientContent": {"weightedPrompts": [{"weight": 1}]}})


def test_music_messages_are_parsed_totally():
    from genaio.api.live_music import parse_music_message
    from genaio.errors import UnknownApiResponseError

    filtered = parse_music_message(b'{"filteredPrompt": {"text": "x", "filteredReason": "unsafe"}}')
    assert filtered.filtered_prompt.filtered_reason == "unsafe"
    for raw in (b"not json", b"[1]", b'"text"'):
        with pytest.raises(UnknownApiResponseError):
            parse_music_message(raw)
    with pytest.raises(APIError) as error_frame:  # none of a message's fields: an error
        parse_music_message(b'{"code": 429, "message": "slow down"}')
    assert error_frame.value.code == 429
    with pytest.raises(UnknownApiResponseError):  # a field of the wrong type
        parse_music_message(b'{"serverContent": {"audioChunks": "nope"}}')
