"""The Interactions API against the emulator: create (plain, streamed, background), get,
cancel, delete; its errors, its stream's end, cancellation, and its own actor."""

from __future__ import annotations

import pytest
import trio
import trio.testing

import genaio
from genaio import errors, types
from genaio.api.interactions import t_interaction_input

MODEL = "gemini-2.5-flash"


def emulator_client(emulator, **options):
    return genaio.Client(api_key="k", http_options={"base_url": emulator.base_url, **options})


async def test_create_get_delete(genaio_emulator):
    async with emulator_client(genaio_emulator).aio as aio:
        done = await aio.interactions.create(model=MODEL, input="Hello", system_instruction="hi")
        assert isinstance(done, types.Interaction)
        assert (done.status, done.model, done.output_text) == (
            "completed",
            MODEL,
            "You said: Hello",
        )
        assert done.usage.total_tokens == done.usage.total_input_tokens + 4
        again = await aio.interactions.get(done.id, include_input=True)
        assert (again.id, again.input) == (done.id, "Hello")
        assert (await aio.interactions.get(done.id)).input is None
        assert await aio.interactions.delete(done.id) is None
        with pytest.raises(errors.NotFoundError):
            await aio.interactions.get(done.id)
        families = aio.statistics()["families"]
    # Served by their own actor, not the models actor.
    assert families["interactions"].submitted == 5
    assert families["models"].submitted == 0


async def test_a_stream_ends_at_the_servers_done(genaio_emulator):
    async with emulator_client(genaio_emulator).aio as aio:
        stream = await aio.interactions.create(
            model=MODEL, input=["one two", "three four five"], stream=True
        )
        events = [event async for event in stream]
        kinds = [e.event_type for e in events]
        assert kinds[0] == "interaction.created" and kinds[-1] == "interaction.completed"
        text = "".join(e.delta.text for e in events if e.event_type == "step.delta")
        assert text == "You said: one two three four five"
        interaction_id = events[0].interaction.id
        # Resume after an event: only the later ones come.
        resumed = await aio.interactions.get(interaction_id, stream=True, last_event_id="evt_1")
        assert [e.event_id async for e in resumed] == [e.event_id for e in events[2:]]
        # Resume after the last event: nothing but the end.
        last = events[-1].event_id
        assert [
            e
            async for e in await aio.interactions.get(
                interaction_id, stream=True, last_event_id=last
            )
        ] == []


async def test_background_and_cancel(genaio_emulator):
    async with emulator_client(genaio_emulator).aio as aio:
        running = await aio.interactions.create(model=MODEL, input="x", background=True)
        assert running.status == "in_progress"
        cancelled = await aio.interactions.cancel(running.id)
        assert cancelled.status == "cancelled"
        later = await aio.interactions.create(model=MODEL, input="y", background=True)
        genaio_emulator.advance(genaio_emulator.config.lro_seconds)
        assert (await aio.interactions.get(later.id)).status == "completed"
        with pytest.raises(errors.ClientError) as info:
            await aio.interactions.cancel(later.id)  # finished: nothing to cancel
        assert info.value.status == "FAILED_PRECONDITION"


async def test_errors(genaio_emulator):
    async with emulator_client(genaio_emulator, retry_options={"attempts": 1}).aio as aio:
        with pytest.raises(errors.NotFoundError):
            await aio.interactions.create(model="no-such-model", input="x")
        with pytest.raises(errors.NotFoundError):
            await aio.interactions.cancel("v1_missing")
        with pytest.raises(errors.NotFoundError):
            await aio.interactions.create(model=MODEL, input="x", previous_interaction_id="nope")
        genaio_emulator.set_faults(error_429_rate=1.0)
        with pytest.raises(errors.RateLimitError):
            await aio.interactions.create(model=MODEL, input="x")
        with pytest.raises(errors.RateLimitError):
            await aio.interactions.create(model=MODEL, input="x", stream=True)


@pytest.mark.parametrize(
    "arguments",
    [
        {"input": "x"},
        {"model": MODEL, "agent": "a", "input": "x"},
        {"agent": "a", "generation_config": {"temperature": 1}, "input": "x"},
        {"model": MODEL, "input": []},
        {"model": MODEL, "input": [{"type": "user_input"}, {"type": "text", "text": "x"}]},
    ],
)
async def test_bad_arguments_fail_before_sending(arguments, genaio_emulator):
    aio = emulator_client(genaio_emulator).aio
    with pytest.raises(ValueError):
        await aio.interactions.create(**arguments)
    with pytest.raises(ValueError):
        await aio.interactions.get("a/b")


def test_input_normalization():
    assert t_interaction_input("hi") == "hi"
    assert t_interaction_input(["a", {"type": "image", "uri": "u"}]) == [
        {
            "type": "user_input",
            "content": [{"type": "text", "text": "a"}, {"type": "image", "uri": "u"}],
        }
    ]
    steps = [{"type": "user_input", "content": []}, {"type": "model_output", "content": []}]
    assert t_interaction_input(steps) == steps


def test_output_helpers_read_the_answer_to_the_last_input():
    interaction = types.Interaction.from_wire(
        {
            "id": "i",
            "steps": [
                {"type": "user_input", "content": [{"type": "text", "text": "q"}]},
                {"type": "thought", "content": [{"type": "text", "text": "hmm"}]},
                {"type": "model_output", "content": [{"type": "text", "text": "a"}]},
                {
                    "type": "model_output",
                    "content": [
                        {"type": "image", "data": "AAAA", "mime_type": "image/png"},
                        {"type": "text", "text": "b"},
                    ],
                },
            ],
            "new_field": 1,
        }
    )
    assert interaction.output_text == "ab"
    assert interaction.output_image.mime_type == "image/png"
    assert interaction.output_audio is None
    assert interaction.new_field == 1


async def test_cancelling_a_stream_mid_way_frees_the_actor(genaio_emulator):
    genaio_emulator.set_faults(chunk_interval_ms=100)
    async with emulator_client(genaio_emulator).aio as aio:
        stream = await aio.interactions.create(
            model=MODEL, input="a long answer in many small chunks", stream=True
        )
        with trio.move_on_after(0.15):
            async for _ in stream:
                pass
        genaio_emulator.set_faults(None)
        assert (await aio.interactions.create(model=MODEL, input="next")).status == "completed"
        await trio.testing.wait_all_tasks_blocked()
        assert aio.statistics()["families"]["interactions"].in_flight == 0


def test_the_blocking_surface(genaio_emulator):
    with emulator_client(genaio_emulator) as client:
        done = client.interactions.create(model=MODEL, input="Hello")
        assert client.interactions.get(done.id).output_text == "You said: Hello"
        kinds = [
            e.event_type for e in client.interactions.create(model=MODEL, input="x", stream=True)
        ]
        assert kinds[-1] == "interaction.completed"
