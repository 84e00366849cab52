"""`client.aio.interactions.connect`: a websocket to a live interaction, against the emulator
(genaio and the official SDK see the same events) and a hostile server (bad frames)."""

from __future__ import annotations

import asyncio
import json
import warnings
from contextlib import asynccontextmanager

import anyio
import httpx
import pytest
import trio
import trio.testing
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, BytesMessage, Request, TextMessage

import genaio
from genaio import errors, types
from genaio.emulator import EmulatorConfig, run_emulator_in_thread

MODEL = "gemini-2.5-flash"


def emulator_client(emulator, **options):
    return genaio.Client(api_key="k", http_options={"base_url": emulator.base_url, **options})


def served(emulator):
    return httpx.get(f"{emulator.base_url}/_emulator/interactions_live").json()


def summary(events):
    return [(e.event_type, e.delta.text if e.delta else None) for e in events]


async def test_send_receive_complete(genaio_emulator):
    async with emulator_client(genaio_emulator).aio as aio:
        created = await aio.interactions.create(model=MODEL, input="Hello")
        async with aio.interactions.connect(created.id) as conn:
            assert conn.id == created.id
            text = types.InteractionContent(type="text", text="one two three four five")
            await conn.send([{"event_type": "input", "content": [text]}])
            with pytest.raises(TypeError):
                await conn.send({"event_type": "input", "content": [object()]})
            events = []
            async for event in conn.receive():
                events.append(event)
                if event.event_type == "step.stop":
                    break
            await conn.complete()
            events += [e async for e in conn.receive()]
    kinds = [e.event_type for e in events]
    assert kinds[0] == "interaction.connected" and kinds[-1] == "interaction.completed"
    assert events[0].model_extra["interaction_id"] == created.id
    text = "".join(e.delta.text for e in events if e.event_type == "step.delta")
    assert text == "You said: one two three four five"
    assert events[-1].interaction.id == created.id


async def test_the_official_sdk_sees_the_same_events(genaio_emulator):
    from google import genai

    async def official(interaction_id):
        client = genai.Client(api_key="k", http_options={"base_url": genaio_emulator.base_url})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            async with client.aio.interactions.connect(interaction_id) as conn:
                await conn.send("one two three")
                await conn.complete()
                got = [
                    (e.event_type, getattr(getattr(e, "delta", None), "text", None))
                    async for e in conn.receive()
                ]
        await client.aio.aclose()
        return got

    async with emulator_client(genaio_emulator).aio as aio:
        created = await aio.interactions.create(model=MODEL, input="Hello")
        async with aio.interactions.connect(created.id) as conn:
            await conn.send("one two three")
            await conn.complete()
            mine = summary([e async for e in conn.receive()])
        before = len(served(genaio_emulator)["frames"])
        theirs = await trio.to_thread.run_sync(
            lambda: asyncio.run(asyncio.wait_for(official(created.id), 30))
        )
    assert theirs == mine
    assert mine[-1] == ("interaction.completed", None)
    frames = served(genaio_emulator)["frames"]
    assert (
        frames[before - 3 : before]
        == frames[-3:]
        == [
            {"event_type": "interaction.connect", "id": created.id},
            {"event_type": "input", "content": [{"type": "text", "text": "one two three"}]},
            {"event_type": "interaction.complete"},
        ]
    )


async def test_leaving_early_detaches_and_the_interaction_lives_on(genaio_emulator):
    async with emulator_client(genaio_emulator).aio as aio:
        created = await aio.interactions.create(model=MODEL, input="Hello")
        detached = served(genaio_emulator)["counters"]["detached"]
        async with aio.interactions.connect(created.id) as conn:
            await conn.send("hi")
            async for event in conn.receive():
                if event.event_type == "step.start":
                    break
        with pytest.raises(RuntimeError):
            await conn.send("again")
        state = served(genaio_emulator)
        assert state["counters"]["detached"] == detached + 1
        assert state["frames"][-1] == {"event_type": "interaction.disconnect"}
        assert (await aio.interactions.get(created.id)).status == "completed"
        # It can be connected to again, and cancelled from there.
        conn = await aio.interactions.connect(created.id)
        assert [e.event_type async for e in _first(conn.receive())] == ["interaction.connected"]
        await conn.cancel()
        await conn.detach()
        assert (await aio.interactions.get(created.id)).status == "cancelled"


async def _first(events):
    async for event in events:
        yield event
        return


async def test_a_cancelled_scope_detaches(genaio_emulator):
    async with emulator_client(genaio_emulator).aio as aio:
        created = await aio.interactions.create(model=MODEL, input="Hello")
        detached = served(genaio_emulator)["counters"]["detached"]
        with trio.CancelScope() as scope:
            async with aio.interactions.connect(created.id) as conn:
                async for _ in conn.receive():
                    scope.cancel()  # the next wait (for an event) is cancelled
        assert scope.cancelled_caught
        assert served(genaio_emulator)["counters"]["detached"] == detached + 1


async def test_unknown_id_and_bad_key_are_typed_errors(genaio_emulator):
    async with emulator_client(genaio_emulator).aio as aio:
        async with aio.interactions.connect("v1_nope") as conn:
            with pytest.raises(errors.APIError) as closed:
                [e async for e in conn.receive()]
        assert closed.value.code == 1008
    with run_emulator_in_thread(EmulatorConfig(api_keys=("good",))) as strict:
        bad = genaio.Client(api_key="bad", http_options={"base_url": strict.base_url})
        with pytest.raises(errors.APIError) as refused:  # refused before the upgrade
            async with bad.aio.interactions.connect("v1_any"):
                pass
    assert refused.value.code == 403
    with pytest.raises(ValueError):
        bad.aio.interactions.connect("")
    with pytest.raises(ValueError):
        bad.aio.interactions.connect("x", timeout=0)


@asynccontextmanager
async def hostile(reply, *, accept=True):
    """A websocket server on loopback that answers each client message with `reply(message)`
    (str: text, bytes: binary) and never upgrades unless `accept`; the messages it got."""
    received: list[str] = []

    async def handler(stream):
        ws = WSConnection(ConnectionType.SERVER)
        async with stream:
            while True:
                try:
                    data = await stream.receive()
                except (anyio.EndOfStream, anyio.BrokenResourceError):
                    return  # the client has gone
                ws.receive_data(data)
                for event in ws.events():
                    if isinstance(event, Request) and accept:
                        await stream.send(ws.send(AcceptConnection()))
                    elif isinstance(event, TextMessage):
                        received.append(event.data)
                        answer = reply(event.data)
                        message = (
                            TextMessage(answer) if isinstance(answer, str) else BytesMessage(answer)
                        )
                        await stream.send(ws.send(message))

    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    async with listener, anyio.create_task_group() as tasks:
        tasks.start_soon(listener.serve, handler)
        yield f"http://127.0.0.1:{port}", received
        tasks.cancel_scope.cancel()


@pytest.mark.parametrize(
    "frame",
    [b"\xff\xfe", "not json", '{"no": "type"}', '{"events": [{"event_type": ""}]}', "[1]"],
)
async def test_a_malformed_frame_is_a_typed_error(frame):
    async with hostile(lambda _: frame) as (base_url, received):
        client = genaio.Client(api_key="k", http_options={"base_url": base_url})
        async with client.aio.interactions.connect("v1_x") as conn:
            with pytest.raises(errors.UnknownApiResponseError):
                [e async for e in conn.receive()]
    assert json.loads(received[0]) == {"event_type": "interaction.connect", "id": "v1_x"}


async def test_a_message_over_max_size_is_a_typed_error():
    event = json.dumps({"event_type": "step.delta", "delta": {"type": "text", "text": "x" * 2000}})
    async with hostile(lambda _: event) as (base_url, _):
        options = {"base_url": base_url, "async_client_args": {"max_size": 1000}}
        client = genaio.Client(api_key="k", http_options=options)
        async with client.aio.interactions.connect("v1_x") as conn:
            with pytest.raises(errors.UnknownApiResponseError):
                [e async for e in conn.receive()]


def test_a_server_that_never_upgrades_times_out():
    async def main():
        async with hostile(lambda _: "", accept=False) as (base_url, _):
            client = genaio.Client(api_key="k", http_options={"base_url": base_url})
            start = trio.current_time()
            with pytest.raises(errors.DeadlineExceededError):
                async with client.aio.interactions.connect("v1_x", timeout=5):
                    pass
            return trio.current_time() - start

    # The clock jumps only after a real pause: loopback I/O lands well within it.
    elapsed = trio.run(main, clock=trio.testing.MockClock(autojump_threshold=0.2))
    assert 5 <= elapsed < 6


def test_the_sync_client_connects_too(genaio_emulator):
    client = emulator_client(genaio_emulator)
    created = client.interactions.create(model=MODEL, input="Hello")
    with client.interactions.connect(created.id) as conn:
        conn.send("a b")
        conn.complete()
        kinds = [e.event_type for e in conn.receive()]
    client.close()
    assert kinds == [
        "interaction.connected",
        "step.start",
        "step.delta",
        "step.stop",
        "interaction.completed",
    ]


def test_the_socket_url_follows_the_base_url_and_version():
    from genaio.engine import CallOptions, EngineConfig
    from genaio.engine._urls import interactions_live_url

    plain = EngineConfig(base_url="http://h:1/", api_version="v1beta")
    assert interactions_live_url(plain, None) == "ws://h:1/v1beta/interactions/live"
    gateway = EngineConfig(base_url="https://gw/p", api_version="v1beta")
    assert (
        interactions_live_url(gateway, CallOptions(api_version="v1alpha"))
        == "wss://gw/p/v1alpha/interactions/live"
    )


async def test_closing_the_client_closes_an_open_connection_and_its_receive_says_so(
    genaio_emulator,
):
    aio = emulator_client(genaio_emulator).aio
    created = await aio.interactions.create(model=MODEL, input="Hello")
    conn = await aio.interactions.connect(created.id)
    received = []
    connected = anyio.Event()

    async def receive_until_closed() -> None:
        with pytest.raises(errors.ClientClosedError):
            async for event in conn.receive():
                received.append(event.event_type)
                connected.set()  # then it waits for an event that only the close ends

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(receive_until_closed)
        await connected.wait()
        await aio.aclose()  # the open connection is detached with the client, not left open
    assert received == ["interaction.connected"]
    with pytest.raises(errors.ClientClosedError):
        await conn.send("more")
