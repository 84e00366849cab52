"""Live under cancellation and with secrets: `connect`, `send_*` and `receive` cancelled at
every checkpoint leave no task, channel or socket behind and lose nothing; the API key and an
ephemeral token never show in a log line, an exception, a repr or the URL."""

from __future__ import annotations

import logging

import pytest
import trio

import genaio
from genaio.errors import GenaioError
from genaio.testing import assert_no_leaks, open_sockets, snapshot, sweep_cancellation
from tests.live.conftest import MODEL
from tests.live.hostile import Opcode, Peer, frame, serve_hostile
from tests.security.test_security_secrets import everything_said

TEXT = {"response_modalities": ["TEXT"]}
PROMPT = "one two three four five six seven eight nine ten eleven twelve"
SECRET = "AIzaSECRET-live-0123456789"


@pytest.fixture
def genaio_emulator_config():
    from genaio.emulator import EmulatorConfig

    return EmulatorConfig(api_keys=(SECRET,))


def live_client(emulator) -> genaio.Client:
    return genaio.Client(api_key=SECRET, http_options={"base_url": emulator.base_url})


async def check_nothing_left(aio, baseline, emulator) -> None:
    await assert_no_leaks(aio, baseline)
    assert open_sockets(emulator.port) in (0, None)


async def test_a_whole_session_cancelled_anywhere_leaves_nothing(genaio_emulator):
    """connect, send and receive in one call, cancelled after each of its steps in turn."""
    async with live_client(genaio_emulator).aio as aio:
        async with aio.live.connect(model=MODEL, config=TEXT):
            pass  # the tree is up: the baseline holds its tasks, and no session's
        baseline = await snapshot(aio)

        async def call() -> str:
            async with aio.live.connect(model=MODEL, config=TEXT) as session:
                await session.send_client_content(turns=PROMPT)
                return "".join([m.text async for m in session.receive() if m.text])

        async def check(attempt) -> None:
            await check_nothing_left(aio, baseline, genaio_emulator)

        with trio.fail_after(120):
            report = await sweep_cancellation(call, check=check)
    assert report.complete and report.result == f"You said: {PROMPT}"
    assert report.points >= 10
    print(f"genaio live sweep (session): {report.points} points, {report.late} late")


async def test_receive_cancelled_anywhere_loses_nothing(genaio_emulator):
    async with live_client(genaio_emulator).aio as aio:
        async with aio.live.connect(model=MODEL, config=TEXT) as session:
            await session.send_client_content(turns=PROMPT)
            texts: list[str] = []
            turn_over = False

            async def call() -> None:
                # The sweep calls again after a late cancel (one that came once the last
                # message was already handed over): the turn is over then, and nothing
                # more will come to wait for.
                nonlocal turn_over
                if turn_over:
                    return
                async for message in session.receive():
                    if message.text:
                        texts.append(message.text)
                turn_over = True

            with trio.fail_after(60):
                report = await sweep_cancellation(call)
            assert report.complete and report.points >= 3
            print(f"genaio live sweep (receive): {report.points} points, {report.late} late")
            assert "".join(texts) == f"You said: {PROMPT}"  # each chunk once, in order
            await session.send_client_content(turns="again")  # and the session serves on
            assert [m.text async for m in session.receive() if m.text] == ["You said: again"]


async def test_send_cancelled_anywhere_sends_whole_frames_or_none(genaio_emulator):
    async with live_client(genaio_emulator).aio as aio:
        async with aio.live.connect(model=MODEL, config=TEXT) as session:

            async def call() -> None:
                await session.send_client_content(turns="part", turn_complete=False)

            with trio.fail_after(60):
                report = await sweep_cancellation(call)
            assert report.complete
            print(f"genaio live sweep (send): {report.points} points")
            await session.send_client_content(turns="done")
            answer = "".join([m.text async for m in session.receive() if m.text])
            assert answer == "You said: done"  # the history took whole frames only
            assert session.statistics().queued_out == 0


async def test_the_key_and_the_token_stay_secret(genaio_emulator, caplog):
    caplog.set_level(logging.DEBUG)
    exceptions: list[BaseException] = []
    targets: list[str] = []

    async def echo_nothing(peer: Peer) -> None:
        await peer.accept()
        targets.extend(peer.targets)
        await peer.setup()
        await peer.raw(frame(Opcode.TEXT, b"not json"))
        await peer.wait_closed()

    client = live_client(genaio_emulator)
    wrong = genaio.Client(api_key=SECRET + "x", http_options={"base_url": genaio_emulator.base_url})
    async with client.aio as aio, wrong.aio as wrong_aio:
        async with aio.live.connect(model=MODEL, config=TEXT) as session:
            await session.send_client_content(turns="hi")
            [m async for m in session.receive()]
            said = everything_said([], session, aio, client)
        token = await aio.auth_tokens.create(config={"uses": 1})
        for attempt in (
            lambda: aio.live.connect(model="no-such-model"),
            lambda: wrong_aio.live.connect(model=MODEL),
        ):
            try:
                async with attempt():
                    pass
            except GenaioError as error:
                exceptions.append(error)
        async with serve_hostile(echo_nothing) as server:
            for key in (SECRET, token.name):
                hostile = genaio.Client(api_key=key, http_options={"base_url": server.base_url})
                try:
                    async with hostile.aio.live.connect(model=MODEL):
                        pass
                except GenaioError as error:
                    exceptions.append(error)
                said += everything_said([], hostile, hostile.aio)
    assert len(exceptions) == 4
    said += everything_said(exceptions) + caplog.text + "\n".join(targets)
    assert targets and all("key=" not in target for target in targets)
    assert SECRET not in said
    assert token.name.removeprefix("auth_tokens/") not in said
