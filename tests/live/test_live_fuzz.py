"""A hostile Live server, driven by hypothesis, on trio and asyncio.

Each example is a script the server follows on every connection: how it answers the upgrade
(accepts, refuses with a status, sends garbage, closes, says nothing), how it answers the setup,
then a run of frames: valid messages (text, turn ends, tool calls, resumption handles, goAway),
JSON of the wrong shape, non-JSON, binary, invalid UTF-8, messages past the size limit (plain or
in fragments with pings between), fragments interleaved wrongly, reserved opcodes, close frames
with any code and reason; then it hangs or drops the connection.

The invariants, checked after every example:
- the hostile session ends in its normal result (the turn ends, or the server holds it open
  until the harness stops waiting) or in exactly one typed genaio error, raised from `connect`,
  `receive` or `send_*`: nothing else escapes;
- a healthy session on the emulator, running at the same time in the same loop, gets its
  answer, whole;
- after the client closes, no task is left and no socket is open to the hostile server;
- memory stays bounded (traced peak well under what the server offered).

`GENAIO_HOSTILE_EXAMPLES` sets the number of examples per backend (default 15: about 5 s a backend).
"""

from __future__ import annotations

import asyncio
import json
import os
import struct
import tracemalloc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import anyio.from_thread
import pytest
import sniffio
import trio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import genaio
from genaio.errors import GenaioError
from genaio.testing import live_tasks, open_sockets
from tests.live.conftest import KEY, MODEL
from tests.live.hostile import Opcode, Peer, frame, serve_hostile

EXAMPLES = int(os.environ.get("GENAIO_HOSTILE_EXAMPLES", "15"))
MAX_SIZE = 4096  # the hostile client's limit: oversized messages stay cheap to send
OPEN_TIMEOUT = 0.3  # seconds: a server that says nothing costs this much of the run
PATIENCE = 0.3  # seconds the harness waits for a session that the server keeps open
CONNECTIONS = 3  # connections the server serves its script on; later ones are dropped
TEXT = {"response_modalities": ["TEXT"]}

VALID = [
    {"serverContent": {"modelTurn": {"parts": [{"text": "chunk"}]}}},
    {"serverContent": {"turnComplete": True}},
    {"serverContent": {"interactionStatus": "IDLE"}},
    {"toolCall": {"functionCalls": [{"id": "c1", "name": "f", "args": {}}]}},
    {"sessionResumptionUpdate": {"newHandle": "h", "resumable": True}},
    {"sessionResumptionUpdate": {"newHandle": "h", "lastConsumedClientMessageIndex": 1}},
    {"goAway": {"timeLeft": "0.05s"}},
    {"usageMetadata": {"totalTokenCount": 3}},
    {},
]
KEYS = [
    "serverContent",
    "toolCall",
    "goAway",
    "sessionResumptionUpdate",
    "usageMetadata",
    "setupComplete",
    "modelTurn",
    "turnComplete",
    "timeLeft",
    "newHandle",
    "resumable",
    "lastConsumedClientMessageIndex",
    "interactionStatus",
    "parts",
    "text",
    "code",
    "error",
]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)
wrong_shape = st.dictionaries(st.sampled_from(KEYS[:6]), json_values, min_size=1, max_size=2)


def _text(data: bytes) -> bytes:
    return frame(Opcode.TEXT, data)


def _fragments(data: bytes, pieces: int, ping: bool) -> bytes:
    step = max(1, len(data) // pieces)
    chunks = [data[i : i + step] for i in range(0, len(data), step)] or [b""]
    out = b""
    for index, chunk in enumerate(chunks):
        opcode = Opcode.TEXT if index == 0 else Opcode.CONTINUATION
        out += frame(opcode, chunk, fin=index == len(chunks) - 1)
        if ping and index < len(chunks) - 1:
            out += frame(Opcode.PING, b"p")
    return out


def _close(code: int, reason: bytes) -> bytes:
    return frame(Opcode.CLOSE, struct.pack("!H", code) + reason)


actions = st.one_of(
    st.sampled_from(VALID).map(lambda m: _text(json.dumps(m).encode())),
    wrong_shape.map(lambda m: _text(json.dumps(m).encode())),
    json_values.map(lambda v: _text(json.dumps(v).encode())),
    st.binary(max_size=16).map(_text),  # mostly not JSON, often not UTF-8
    st.binary(max_size=16).map(lambda b: frame(Opcode.BINARY, b)),
    st.builds(  # a valid message in fragments, pings between
        _fragments,
        st.sampled_from(VALID).map(lambda m: json.dumps(m).encode()),
        st.integers(1, 5),
        st.booleans(),
    ),
    st.builds(  # past the limit, whole or in fragments
        _fragments,
        st.integers(MAX_SIZE + 1, 4 * MAX_SIZE).map(lambda n: b"x" * n),
        st.integers(1, 8),
        st.booleans(),
    ),
    st.just(frame(Opcode.TEXT, b'{"a', fin=False) + _text(b"{}")),  # a message inside one
    st.just(frame(Opcode.CONTINUATION, b"}")),
    st.integers(3, 7).map(lambda op: frame(op, b"")),  # reserved opcodes
    st.just(frame(Opcode.PING, b"x" * 126)),  # control frame too long
    st.just(frame(Opcode.TEXT, b"{}", rsv1=True)),  # compressed, but not negotiated
    st.builds(_close, st.integers(0, 5000), st.binary(max_size=8)),
    st.just(frame(Opcode.CLOSE, b"")),
)

upgrades = st.sampled_from(["accept", "accept", "accept", "refuse", "garbage", "drop", "hang"])
setup_replies = st.sampled_from(["ok", "ok", "ok", "wrong", "none"])
endings = st.sampled_from(["hang", "drop", "wait"])


async def play(peer: Peer, upgrade: str, reply: str, steps: list[bytes], ending: str) -> None:
    if upgrade == "refuse":
        body = b'{"error": {"code": 403, "message": "no"}}'
        head = f"HTTP/1.1 403 Forbidden\r\ncontent-length: {len(body)}\r\n\r\n"
        await peer.raw(head.encode() + body)
        return
    if upgrade == "garbage":
        await peer.raw(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhi")
        return
    if upgrade == "drop":
        return
    if upgrade == "hang":
        await peer.hang()
    await peer.accept()
    await peer.setup()
    if reply == "none":
        await peer.hang()
    await peer.send({"setupComplete": {}} if reply == "ok" else {"setupComplete": 1})
    for step in steps:
        await peer.raw(step)
    if ending == "hang":
        await peer.hang()
    if ending == "wait":
        await peer.wait_closed()


class Harness:
    """One event loop (in a portal thread) for all the examples: one hostile server whose
    script changes per example, one client for it and one for the emulator, both kept across
    examples (so that each example also checks that the client keeps serving)."""

    def __init__(self, server, hostile: genaio.Client, healthy: genaio.Client) -> None:
        self.server = server
        self.hostile = hostile.aio
        self.healthy = healthy.aio
        self.play: tuple = ("accept", "ok", [], "wait")
        self.first_connection = 0
        self.baseline: set[object] = set()

    async def script(self, peer: Peer) -> None:
        if peer.record.connections - self.first_connection > CONNECTIONS:
            return
        await play(peer, *self.play)

    async def warm_up(self) -> None:
        await self.example(("accept", "ok", [], "wait"))
        self.baseline = live_tasks()

    async def example(self, script: tuple) -> str:
        self.play, self.first_connection = script, self.server.connections
        healthy = ""

        async def healthy_task() -> None:
            nonlocal healthy
            healthy = await self.healthy_session()

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(healthy_task)
            with anyio.fail_after(30):  # a hang is a failure, not a slow test
                outcome = await self.hostile_session()
        await self.server.drop_all()
        assert healthy == "You said: healthy", healthy
        port = int(self.server.base_url.rsplit(":", 1)[1])
        assert open_sockets(port) in (0, None), "a socket to the hostile server is open"
        if self.baseline:
            left = live_tasks() - self.baseline - {_current_task()}
            assert not left, f"tasks left: {left}"
        return outcome

    async def hostile_session(self) -> str:
        """A session with a turn, received until the turn ends: 'ok', 'held' or an error."""
        outcome = "held"
        try:
            with anyio.move_on_after(PATIENCE):
                async with self.hostile.live.connect(model=MODEL) as session:
                    await session.send_client_content(turns="hello")
                    async for _ in session.receive():
                        pass
                    outcome = "ok"
        except GenaioError as error:  # one typed error; anything else fails the example
            outcome = type(error).__name__
        return outcome

    async def healthy_session(self) -> str:
        async with self.healthy.live.connect(model=MODEL, config=TEXT) as session:
            await session.send_client_content(turns="healthy")
            return "".join([m.text async for m in session.receive() if m.text])


def _current_task() -> object:
    if sniffio.current_async_library() == "trio":
        return trio.lowlevel.current_task()
    return asyncio.current_task()


@asynccontextmanager
async def harness(emulator_url: str) -> AsyncIterator[Harness]:
    holder: list[Harness] = []

    async def script(peer: Peer) -> None:
        await holder[0].script(peer)

    async with serve_hostile(script) as server:
        args = {"max_size": MAX_SIZE, "open_timeout": OPEN_TIMEOUT}
        options = {"base_url": server.base_url, "async_client_args": args}
        hostile = genaio.Client(api_key=KEY, http_options=options)
        healthy = genaio.Client(api_key=KEY, http_options={"base_url": emulator_url})
        async with hostile.aio, healthy.aio:
            holder.append(Harness(server, hostile, healthy))
            await holder[0].warm_up()
            yield holder[0]


@pytest.mark.parametrize("backend", ["trio", "asyncio"])
def test_a_hostile_live_server_hurts_only_its_own_session(backend, genaio_emulator, monkeypatch):
    # A polite close waits 2 s for a server's answer; a hanging server never gives one.
    monkeypatch.setattr("genaio.engine._websocket._CLOSE_TIMEOUT", 0.05)
    outcomes: dict[str, int] = {}
    with (
        anyio.from_thread.start_blocking_portal(backend) as portal,
        portal.wrap_async_context_manager(harness(genaio_emulator.base_url)) as loop,
    ):

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=EXAMPLES <= 25,  # CI runs the same examples every time
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(upgrades, setup_replies, st.lists(actions, max_size=8), endings)
        def example(upgrade, reply, steps, ending):
            tracemalloc.start()
            try:
                outcome = portal.call(loop.example, (upgrade, reply, steps, ending))
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
            assert peak < 8 * 2**20, f"{peak / 2**20:.1f} MiB traced"
            outcomes[outcome] = outcomes.get(outcome, 0) + 1

        example()
    print(f"genaio live fuzz ({backend}): {sum(outcomes.values())} examples, {outcomes}")
