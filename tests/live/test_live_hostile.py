"""What a Live server sends is parsed totally: each malformed message, broken frame or odd close
ends its session in one typed error, never a raw exception, a crash of the actor or a hang.
And the goAway switch no longer depends on who runs first."""

from __future__ import annotations

import struct

import anyio
import pytest
import trio
import trio.testing

from genaio.errors import APIError, GenaioError, UnknownApiResponseError
from tests.live.conftest import MODEL
from tests.live.hostile import Opcode, Peer, frame, serve_hostile
from tests.live.test_live_limits import SETUP_COMPLETE, client, first_error

pytestmark = pytest.mark.anyio

UNKNOWN = UnknownApiResponseError


def close(code: int, reason: bytes = b"") -> bytes:
    return frame(Opcode.CLOSE, struct.pack("!H", code) + reason)


#: (what the server sends after setupComplete, the error type, its close code if an APIError)
AFTER_SETUP = {
    "not-json": (frame(Opcode.TEXT, b"<html>oops</html>"), UNKNOWN, None),
    "binary-garbage": (frame(Opcode.BINARY, b"\x00\xff\x01"), UNKNOWN, None),
    "json-array": (frame(Opcode.TEXT, b"[1, 2]"), UNKNOWN, None),
    "deep-json": (frame(Opcode.TEXT, b"[" * 5000 + b"]" * 5000), UNKNOWN, None),
    # These two crashed the session's actor (ActorCrashedError) before messages were typed:
    "server-content-str": (frame(Opcode.TEXT, b'{"serverContent": "x"}'), UNKNOWN, None),
    "go-away-bad-duration": (
        frame(Opcode.TEXT, b'{"goAway": {"timeLeft": {"seconds": "x"}}}'),
        UNKNOWN,
        None,
    ),
    "handle-not-str": (
        frame(Opcode.TEXT, b'{"sessionResumptionUpdate": {"newHandle": 5, "resumable": true}}'),
        UNKNOWN,
        None,
    ),
    "error-frame": (frame(Opcode.TEXT, b'{"error": {"code": 7, "message": "no"}}'), APIError, None),
    "bad-utf8": (frame(Opcode.TEXT, b"\xff\xfe"), APIError, 1007),
    "reserved-opcode": (frame(3, b""), APIError, 1002),
    "orphan-continuation": (frame(Opcode.CONTINUATION, b"{}"), APIError, 1002),
    "fragmented-ping": (frame(Opcode.PING, b"", fin=False), APIError, 1002),
    "close-code-999": (close(999), APIError, 1002),
    "close-code-1005": (close(1005), APIError, 1002),
    "close-one-byte": (frame(Opcode.CLOSE, b"\x03"), APIError, 1002),
    "close-bad-reason": (close(1000, b"\xff"), APIError, 1007),
    "close-4000": (close(4000, b"bye"), APIError, 4000),
    "close-empty": (frame(Opcode.CLOSE, b""), APIError, 1005),
    "tcp-close": (b"", APIError, 1006),
}


@pytest.mark.parametrize("case", list(AFTER_SETUP))
async def test_a_broken_message_ends_the_session_in_one_typed_error(case):
    data, kind, code = AFTER_SETUP[case]

    async def script(peer: Peer) -> None:
        await peer.accept()
        await peer.setup()
        await peer.send(SETUP_COMPLETE)
        await peer.send({"serverContent": {"modelTurn": {"parts": [{"text": "before"}]}}})
        if data:
            await peer.raw(data)
            await peer.wait_closed()

    async with serve_hostile(script) as server:
        seen = []
        with anyio.fail_after(10):
            async with client(server.base_url).aio as aio:
                async with aio.live.connect(model=MODEL) as session:
                    with pytest.raises(GenaioError) as caught:
                        async for message in session.receive():
                            seen.append(message.text)
                    with pytest.raises(type(caught.value)):  # the same error, every time
                        await session.send_client_content(turns="after")
    assert seen == ["before"]  # what came before the fault is delivered first
    assert type(caught.value) is kind, repr(caught.value)
    if code is not None:
        assert caught.value.code == code


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        (frame(Opcode.TEXT, b'{"setupComplete": 5}'), UNKNOWN),
        (frame(Opcode.TEXT, b'"setupComplete"'), UNKNOWN),
        (frame(Opcode.TEXT, b'{"error": {"code": 400, "message": "bad"}}'), APIError),
        (close(1008, b"policy"), APIError),
        (b"", APIError),
    ],
    ids=["wrong-type", "json-string", "error-frame", "close-1008", "tcp-close"],
)
async def test_a_broken_setup_reply_is_one_typed_error(reply, kind):
    async def script(peer: Peer) -> None:
        await peer.accept()
        await peer.setup()
        if reply:
            await peer.raw(reply)
            await peer.wait_closed()

    async with serve_hostile(script) as server:
        error = await first_error(server.base_url)
    assert type(error) is kind, repr(error)


async def test_a_bad_message_on_one_session_leaves_the_other_alone(make_client):
    async def script(peer: Peer) -> None:
        await peer.accept()
        await peer.setup()
        await peer.send(SETUP_COMPLETE)
        await peer.send('{"serverContent": "x"}')
        await peer.wait_closed()

    async with serve_hostile(script) as server, make_client().aio as aio:
        async with aio.live.connect(model=MODEL, config={"response_modalities": ["TEXT"]}) as ok:
            error = await first_error(server.base_url)
            await ok.send_client_content(turns="still fine")
            texts = [m.text async for m in ok.receive() if m.text]
    assert isinstance(error, UnknownApiResponseError)
    assert "".join(texts) == "You said: still fine"


# -- the goAway switch, deterministic ---------------------------------------------------------


def test_after_go_away_the_next_turn_waits_for_the_new_connection():
    """The race behind the flaky `test_go_away_resumes_mid_conversation_with_nothing_lost`: the
    consumer sends its next turn as soon as a turn ends, before the resumption update and the
    goAway arrive. Before, that turn went out on the old connection, each later turn did the
    same, and the session never moved until the deadline. Now a turn sent after the goAway
    waits for the new connection, which opens as soon as the fresh handle arrives."""
    turn_end = [
        {"serverContent": {"modelTurn": {"parts": [{"text": "answer"}]}}},
        {"serverContent": {"turnComplete": True}},
    ]

    def update(n: int) -> dict:
        return {"sessionResumptionUpdate": {"newHandle": f"h{n}", "resumable": True}}

    async def script(peer: Peer) -> None:
        await peer.accept()
        setup = (await peer.setup())["setup"]
        await peer.send(SETUP_COMPLETE)
        if setup["sessionResumption"].get("handle"):  # the resumed connection answers on
            while await peer.receive() is not None:
                for message in [*turn_end, update(9)]:
                    await peer.send(message)
            return
        await peer.receive()  # turn 1
        for message in turn_end:
            await peer.send(message)
        await peer.receive()  # turn 2, sent before the handle of turn 1 came
        await peer.send(update(1))
        await peer.send({"goAway": {"timeLeft": "60s"}})
        for message in turn_end:
            await peer.send(message)
        await trio.testing.wait_all_tasks_blocked()  # the consumer sends turn 3 now, or never
        await peer.send(update(2))
        await peer.wait_closed()

    async def main():
        async with serve_hostile(script) as server:
            async with client(server.base_url).aio as aio:
                async with aio.live.connect(model=MODEL) as session:
                    for text in ("one", "two", "three"):
                        await session.send_client_content(turns=text)
                        answers = [m.text async for m in session.receive() if m.text]
                        assert answers == ["answer"]
                    return session.statistics(), server.connections, trio.current_time()

    # The clock jumps only when everything has waited half a real second: without the fix,
    # the switch would come at the deadline, a minute later on this clock.
    clock = trio.testing.MockClock(autojump_threshold=0.5)
    statistics, connections, now = trio.run(main, clock=clock)
    assert connections == 2 and statistics.reconnects == 1
    assert statistics.resent == 1  # turn 3, held back, went out on the new connection only
    assert now < 1  # long before the goAway's deadline


async def test_a_turn_sent_as_the_last_one_ends_is_resent_after_a_lost_connection():
    """The resume state notes a turn's end before the consumer sees it: a frame the consumer
    sends in answer belongs to the next turn, and is resent if the connection is lost before
    a handle includes it. (Noted after delivery, it could count as answered and be dropped.)"""
    answer = [
        {"serverContent": {"modelTurn": {"parts": [{"text": "answer"}]}}},
        {"serverContent": {"turnComplete": True}},
    ]
    resent: list = []

    async def script(peer: Peer) -> None:
        await peer.accept()
        setup = (await peer.setup())["setup"]
        await peer.send(SETUP_COMPLETE)
        if setup["sessionResumption"].get("handle") == "h1":
            resent.append(await peer.receive())
            for message in answer:
                await peer.send(message)
            await peer.wait_closed()
            return
        await peer.receive()  # turn 1
        for message in answer:
            await peer.send(message)
        await peer.receive()  # turn 2, sent as soon as turn 1 ended
        await peer.send({"sessionResumptionUpdate": {"newHandle": "h1", "resumable": True}})
        # and the connection drops (1006): the session resumes h1, which lacks turn 2

    async with serve_hostile(script) as server:
        with anyio.fail_after(10):
            async with client(server.base_url).aio as aio:
                async with aio.live.connect(model=MODEL) as session:
                    for text in ("one", "two"):
                        await session.send_client_content(turns=text)
                        assert [m.text async for m in session.receive() if m.text] == ["answer"]
                    reconnects = session.statistics().reconnects
    assert reconnects == 1
    assert resent[0]["client_content"]["turns"][0]["parts"] == [{"text": "two"}]
