"""`client.aio.live` against the emulator, on trio and asyncio: turns, audio, tools, bad setup,
cancellation, closing the client, backpressure."""

from __future__ import annotations

import anyio
import pytest

from genaio import types
from genaio.actors.live import INBOX_SIZE
from genaio.errors import APIError, ClientClosedError
from tests.live.conftest import MODEL, live_counters, wait_until

pytestmark = pytest.mark.anyio

TEXT = {"response_modalities": ["TEXT"]}


async def turn(session, text: str) -> list[types.LiveServerMessage]:
    await session.send_client_content(turns={"role": "user", "parts": [{"text": text}]})
    return [message async for message in session.receive()]


def joined(messages) -> str:
    return "".join(m.text for m in messages if m.text)


async def test_text_turn(make_client):
    async with make_client().aio as aio, aio.live.connect(model=MODEL, config=TEXT) as session:
        first = await turn(session, "Hello there, how are you today?")
        second = await turn(session, "Fine")
    assert joined(first) == "You said: Hello there, how are you today?"
    assert first[-1].server_content.turn_complete and first[-1].ends_turn
    assert first[-1].usage_metadata.total_token_count > 0
    # The resumption update of turn 1 arrives after its turnComplete: it opens turn 2.
    assert second[0].session_resumption_update.new_handle
    assert joined(second) == "You said: Fine"
    prompts = [answer[-1].usage_metadata.prompt_token_count for answer in (first, second)]
    assert prompts[1] > prompts[0]  # the prompt counts the whole conversation


async def test_realtime_text_and_typed_config(make_client):
    config = types.LiveConnectConfig(
        response_modalities=[types.Modality.TEXT], system_instruction="Be brief."
    )
    async with make_client().aio as aio, aio.live.connect(model=MODEL, config=config) as session:
        await session.send_realtime_input(text="typed live")
        messages = [m async for m in session.receive()]
    assert joined(messages) == "You said: typed live"


async def test_audio_in_turn(make_client):
    config = {
        "response_modalities": ["AUDIO"],
        "input_audio_transcription": {},
        "output_audio_transcription": {},
    }
    chunk = types.Blob(data=b"\x01\x02" * 800, mime_type="audio/pcm;rate=16000")
    async with make_client().aio as aio, aio.live.connect(model=MODEL, config=config) as session:
        for _ in range(3):
            await session.send_realtime_input(audio=chunk)
        await session.send_realtime_input(video={"data": b"\xff\xd8", "mime_type": "image/jpeg"})
        await session.send_realtime_input(audio_stream_end=True)
        messages = [m async for m in session.receive()]
    heard = next(m for m in messages if m.server_content and m.server_content.input_transcription)
    transcript = heard.server_content.input_transcription.text
    assert transcript == "4800 bytes of audio and 1 video frames."
    audio = b"".join(m.data for m in messages if m.data)
    said = next(m for m in messages if m.server_content and m.server_content.output_transcription)
    assert said.server_content.output_transcription.text.startswith("You sent 4800 bytes")
    assert len(audio) == 4 * len(said.server_content.output_transcription.text)


async def test_realtime_input_takes_exactly_one_argument(make_client):
    async with make_client().aio as aio, aio.live.connect(model=MODEL) as session:
        with pytest.raises(ValueError, match="exactly one"):
            await session.send_realtime_input(text="a", audio_stream_end=True)
        with pytest.raises(ValueError, match="id"):
            await session.send_tool_response(function_responses={"name": "f", "response": {}})


async def test_tool_call_and_response(make_client):
    weather = {
        "name": "get_weather",
        "description": "The weather in a city.",
        "parameters": {
            "type": "OBJECT",
            "properties": {"city": {"type": "STRING"}},
            "required": ["city"],
        },
    }
    config = {**TEXT, "tools": [{"function_declarations": [weather]}]}
    async with make_client().aio as aio, aio.live.connect(model=MODEL, config=config) as session:
        await session.send_client_content(turns="What is get_weather in Paris?")
        answered = []
        async for message in session.receive():
            answered.append(message)
            if message.tool_call:
                call = message.tool_call.function_calls[0]
                assert call.name == "get_weather" and call.id
                response = types.FunctionResponse(
                    id=call.id, name=call.name, response={"result": "sunny"}
                )
                await session.send_tool_response(function_responses=[response])
    assert answered[0].tool_call is not None  # the call does not end receive()
    assert joined(answered) == 'The function get_weather returned {"result":"sunny"}.'


async def test_bad_model_is_a_typed_error(make_client):
    async with make_client().aio as aio:
        with pytest.raises(APIError) as caught:
            async with aio.live.connect(model="no-such-model"):
                pytest.fail("the setup should be refused")
    assert type(caught.value) is APIError
    assert caught.value.code == 1008
    assert "models/no-such-model is not found" in caught.value.details


@pytest.fixture
def genaio_emulator_config():
    from genaio.emulator import EmulatorConfig

    return EmulatorConfig(api_keys=("test-key",))


async def test_bad_key_is_a_typed_error(make_client):
    async with make_client(api_key="wrong").aio as aio:
        with pytest.raises(APIError) as caught:
            async with aio.live.connect(model=MODEL):
                pytest.fail("the setup should be refused")
    assert caught.value.code == 1007
    assert caught.value.details == "API key not valid. Please pass a valid API key."


async def test_cancelled_receive_leaves_the_session_usable(make_client):
    async with make_client().aio as aio, aio.live.connect(model=MODEL, config=TEXT) as session:
        with anyio.move_on_after(0.05):  # cancelled while it waits: nothing was sent yet
            async for _ in session.receive():
                pytest.fail("no message was expected")
        await session.send_client_content(turns="one two three four five six seven")
        seen = []
        with anyio.CancelScope() as scope:  # cancelled in the middle of a turn
            async for message in session.receive():
                seen.append(message)
                scope.cancel()
                await anyio.lowlevel.checkpoint()
        rest = [m async for m in session.receive()]
        assert len(seen) == 1
        assert joined(seen + rest) == "You said: one two three four five six seven"
        assert joined(await turn(session, "still here")) == "You said: still here"


async def test_deliberate_close_ends_receive_and_never_reconnects(make_client, genaio_emulator):
    async with make_client().aio as aio, aio.live.connect(model=MODEL, config=TEXT) as session:
        await turn(session, "hi")
        await session.close()
        assert [m async for m in session.receive()] == []
        with pytest.raises(ClientClosedError):
            await session.send_client_content(turns="too late")
        assert session.statistics().reconnects == 0
    assert live_counters(genaio_emulator.base_url)["connections"] == 1


@pytest.mark.parametrize("structured", [True, False], ids=["async-with", "lazy"])
async def test_closing_the_client_closes_its_sessions(make_client, genaio_emulator, structured):
    aio = make_client().aio
    if structured:
        await aio.__aenter__()
    async with aio.live.connect(model=MODEL, config=TEXT) as session:
        await turn(session, "before")
        await aio.aclose()
        with pytest.raises(ClientClosedError):
            async for _ in session.receive():
                pass
        with pytest.raises(ClientClosedError):
            await session.send_client_content(turns="after")
    if structured:
        await aio.__aexit__(None, None, None)
    await wait_until(lambda: live_counters(genaio_emulator.base_url)["open"] == 0)
    with pytest.raises(ClientClosedError):
        async with aio.live.connect(model=MODEL):
            pass


async def test_an_error_in_the_block_is_not_a_group(make_client):
    async with make_client().aio as aio:
        with pytest.raises(KeyError):
            async with aio.live.connect(model=MODEL):
                raise KeyError("mine")


async def test_a_slow_consumer_holds_the_reader_back(make_client):
    async with make_client().aio as aio, aio.live.connect(model=MODEL, config=TEXT) as session:
        turns = 30  # each answer is 5 messages (+1 resumption update): far more than the inbox
        for number in range(turns):
            await session.send_client_content(turns=f"turn {number}")
        await wait_until(lambda: session.statistics().queued_in == INBOX_SIZE, limit=10)
        assert session.statistics().queued_in == INBOX_SIZE
        for number in range(turns):
            assert joined([m async for m in session.receive()]) == f"You said: turn {number}"


async def test_a_crash_fails_the_waiting_receiver_with_a_typed_error(make_client, monkeypatch):
    from genaio.actors._live_resume import ResumeState
    from genaio.errors import ActorCrashedError

    def bug(self, message, now):
        raise RuntimeError("a bug in the actor")

    async with make_client().aio as aio, aio.live.connect(model=MODEL, config=TEXT) as session:
        monkeypatch.setattr(ResumeState, "received", bug)
        await session.send_client_content(turns="boom")
        with pytest.raises(ActorCrashedError) as caught:
            async for _ in session.receive():
                pass
        assert isinstance(caught.value.__cause__, RuntimeError)


async def test_an_emulator_in_the_test_loop_serves_live():
    import genaio
    from genaio.emulator import open_emulator

    async with open_emulator() as emulator:
        client = genaio.Client(api_key="k", http_options={"base_url": emulator.base_url})
        async with client.aio as aio, aio.live.connect(model=MODEL, config=TEXT) as session:
            assert joined(await turn(session, "in loop")) == "You said: in loop"


async def test_vertex_live(genaio_emulator):
    import genaio

    client = genaio.Client(
        vertexai=True,
        api_key="test-key",
        http_options={"base_url": genaio_emulator.base_url},
    )
    async with client.aio as aio, aio.live.connect(model=MODEL, config=TEXT) as session:
        assert joined(await turn(session, "on vertex")) == "You said: on vertex"
