"""goAway and resumption: the session moves to a new connection and nothing is lost; the
decisions themselves (`ResumeState`) tested without I/O; ephemeral tokens."""

from __future__ import annotations

import pytest

from genaio.actors._live_resume import ResumeState
from genaio.errors import APIError
from genaio.types import LiveServerMessage
from tests.live.conftest import MODEL, live_counters, live_settings, wait_until

TEXT = {"response_modalities": ["TEXT"]}
WORDS = ["first", "second", "third", "fourth"]


async def conversation(session, texts) -> list[tuple[str, int]]:
    """Each turn's answer and its prompt token count (which counts the whole history)."""
    answers = []
    for text in texts:
        await session.send_client_content(turns=text)
        messages = [m async for m in session.receive()]
        answer = "".join(m.text for m in messages if m.text)
        answers.append((answer, messages[-1].usage_metadata.prompt_token_count))
    return answers


@pytest.mark.anyio
async def test_go_away_resumes_mid_conversation_with_nothing_lost(make_client, genaio_emulator):
    async with make_client().aio as aio:
        async with aio.live.connect(model=MODEL, config=TEXT) as session:
            uninterrupted = await conversation(session, WORDS)
        live_settings(genaio_emulator.base_url, go_away_after_turns=1)
        async with aio.live.connect(model=MODEL, config=TEXT) as session:
            resumed = await conversation(session, WORDS)
            reconnects = session.statistics().reconnects
    # Same answers, and the same history behind each (prompt tokens): nothing lost, nothing
    # sent twice; the later turns ran on connections that resumed the first one's handle.
    assert resumed == uninterrupted
    assert [answer for answer, _ in resumed] == [f"You said: {w}" for w in WORDS]
    counters = live_counters(genaio_emulator.base_url)
    assert reconnects >= 1
    assert counters["resumed"] == reconnects
    assert counters["go_aways"] >= reconnects


async def test_go_away_deadline_resends_an_unanswered_frame(make_client, genaio_emulator):
    """A goAway in the middle of a turn: the actor waits for the turn, in vain, then moves at
    the deadline and resends the frames the last handle does not include."""
    async with make_client().aio as aio:
        async with aio.live.connect(model=MODEL, config=TEXT) as session:
            await conversation(session, ["one"])
            await session.send_client_content(turns="two", turn_complete=False)
            (plain,) = await conversation(session, ["three"])
        live_settings(genaio_emulator.base_url, go_away_after_seconds=0.5, go_away_time_left=0.4)
        async with aio.live.connect(model=MODEL, config=TEXT) as session:
            await conversation(session, ["one"])
            await session.send_client_content(turns="two", turn_complete=False)
            await wait_until(lambda: session.statistics().reconnects)  # goAway, then deadline
            assert session.statistics().resent >= 1
            (resumed,) = await conversation(session, ["three"])
    assert resumed == plain  # "two" is in the history, exactly once


async def test_unknown_handle_is_refused(make_client):
    config = {**TEXT, "session_resumption": {"handle": "live-nope"}}
    async with make_client().aio as aio:
        with pytest.raises(APIError) as caught:
            async with aio.live.connect(model=MODEL, config=config):
                pass
    assert caught.value.code == 1008
    assert caught.value.details == "BidiGenerateContent session not found"


async def test_a_handle_continues_the_conversation_on_a_new_session(make_client):
    async with make_client().aio as aio:
        async with aio.live.connect(model=MODEL, config=TEXT) as session:
            await conversation(session, ["remember me"])
            handle = await wait_until(lambda: session._actor._state.handle)  # after the turn
        config = {**TEXT, "session_resumption": {"handle": handle}}
        async with aio.live.connect(model=MODEL, config=config) as session:
            ((answer, prompt),) = await conversation(session, ["and now"])
        async with aio.live.connect(model=MODEL, config=TEXT) as session:
            ((_, fresh_prompt),) = await conversation(session, ["and now"])
    assert answer == "You said: and now"
    assert prompt > fresh_prompt


async def test_ephemeral_token_opens_a_constrained_session(make_client):
    admin = make_client(api_version="v1alpha")
    async with admin.aio as aio:
        token = await aio.auth_tokens.create(
            config={"uses": 1, "live_connect_constraints": {"model": MODEL, "config": TEXT}}
        )
    async with make_client(api_key=token.name, api_version="v1alpha").aio as aio:
        async with aio.live.connect(model=MODEL) as session:
            ((answer, _),) = await conversation(session, ["with a token"])
        with pytest.raises(APIError) as caught:  # one use only
            async with aio.live.connect(model=MODEL):
                pass
    assert answer == "You said: with a token"
    assert caught.value.code == 1008


# -- the decisions, without I/O ------------------------------------------------------------


def wire(message: dict) -> LiveServerMessage:
    return LiveServerMessage.from_wire(message)


def _written(state: ResumeState, text: str):
    frame = state.frame(text)
    state.writing(frame)
    state.wrote(frame)
    return frame


def test_frames_are_kept_until_a_handle_includes_their_turn():
    state = ResumeState()
    _written(state, "a")
    assert not state.received(wire({"serverContent": {"turnComplete": True}}), 0.0)
    late = _written(state, "b")  # sent after the turn ended, before the handle came
    state.received(wire({"sessionResumptionUpdate": {"newHandle": "h1", "resumable": True}}), 0.0)
    assert state.handle == "h1"
    assert list(state.replay) == [late]


def test_the_consumed_index_trims_exactly():
    state = ResumeState()
    frames = [_written(state, t) for t in "abc"]
    update = {"newHandle": "h", "resumable": True, "lastConsumedClientMessageIndex": 2}
    state.received(wire({"sessionResumptionUpdate": update}), 0.0)
    assert list(state.replay) == frames[2:]


def test_an_unresumable_update_keeps_the_old_handle():
    state = ResumeState(handle="old")
    state.received(wire({"sessionResumptionUpdate": {"newHandle": "", "resumable": False}}), 0.0)
    assert state.handle == "old"


def test_go_away_switches_when_idle_with_a_fresh_handle_else_at_the_deadline():
    state = ResumeState()
    _written(state, "a")
    assert not state.received(wire({"goAway": {"timeLeft": "10s"}}), 100.0)
    assert state.go_away_at == 109.0  # a second before the server's deadline
    assert not state.received(wire({"serverContent": {"turnComplete": True}}), 101.0)
    assert state.received(
        wire({"sessionResumptionUpdate": {"newHandle": "h", "resumable": True}}), 101
    )
    busy = ResumeState(handle="h")
    _written(busy, "a")
    busy.received(wire({"goAway": {"timeLeft": "1s"}}), 0.0)
    assert busy.go_away_at == 0.5  # halfway, when the time left is short
    assert not busy.should_switch(0.4) and busy.should_switch(0.5)


def test_interaction_status_ends_a_turn_before_turn_complete():
    state = ResumeState()
    _written(state, "a")
    state.received(
        wire({"serverContent": {"interactionStatus": "IN_PROGRESS", "turnComplete": True}}), 0
    )
    assert state.pending_reply
    state.received(wire({"serverContent": {"interactionStatus": "IDLE"}}), 0)
    assert not state.pending_reply


def test_which_closes_are_resumed():
    assert not ResumeState().resumable(APIError(1011, "internal"))  # no handle
    with_handle = ResumeState(handle="h")
    assert with_handle.resumable(APIError(1006, "abnormal"))
    assert not with_handle.resumable(APIError(1008, "policy"))
    with_handle.go_away_at = 5.0
    assert with_handle.resumable(APIError(1000, "time is up"))


def test_reconnected_resends_in_order_and_renumbers():
    state = ResumeState(handle="h")
    frames = [_written(state, t) for t in "ab"]
    state.go_away_at = 1.0
    assert state.reconnected() == frames
    assert state.go_away_at is None and all(f.index == 0 for f in frames)
    assert state.resent == 2
