"""Every fault the emulator injects ends in a retried success or exactly one typed error:
never a hang, never an exception group or a foreign exception out of client.aio, never a
success with an item missing."""

import pytest
import trio

from genaio.errors import GenaioError
from genaio.testing import assert_no_leaks
from tests.chaos.conftest import MODEL, PROMPT, Rig, make_client
from tests.chaos.counts import tally

CALLS = 24
RETRY = {"attempts": 3, "initial_delay": 0.01, "max_delay": 0.1, "jitter": 0.01}
OPTIONS = {"retry_options": RETRY, "timeout": 2000}  # a hang ends at the call's timeout

UNARY = ["error_500", "error_503", "error_429", "reset", "hang", "malformed"]
#: An error inside a body leaves the body's generator to be finalized later: the pool bug.
STREAM = [
    "stream_cut",
    "stream_error",
    "malformed",
    "reset",
    "error_503",
]


async def run_calls(call):
    """Run CALLS calls at once; return how many succeeded and the errors of the rest."""
    successes = 0
    errors: list[BaseException] = []

    async def one():
        nonlocal successes
        try:
            await call()
        except GenaioError as exc:
            errors.append(exc)
        else:
            successes += 1

    async with trio.open_nursery() as nursery:  # anything else escapes and fails the test
        for _ in range(CALLS):
            nursery.start_soon(one)
    return successes, errors


async def under_faults(emulator, kind, call, *, stream):
    async with make_client(emulator, OPTIONS).aio as aio:
        rig = Rig(aio, emulator)
        await rig.warm()
        emulator.set_faults(
            **{f"{kind}_rate": 0.3},
            seed=7,
            methods=["streamGenerateContent" if stream else "generateContent"],
        )
        with trio.fail_after(30):
            successes, errors = await run_calls(lambda: call(aio))
        faults = sum(emulator.stats()["faults"].values())
        emulator.set_faults(None)
        await rig.check()
        await assert_no_leaks(aio, rig.baseline, channels=True)
    assert successes + len(errors) == CALLS and faults > 0
    assert successes > 0 or kind == "hang"
    tally(faults=faults, requests=emulator.stats()["requests"])
    return errors


@pytest.mark.parametrize("kind", UNARY)
async def test_a_unary_call_under_faults(genaio_emulator, kind):
    async def call(aio):
        response = await aio.models.generate_content(model=MODEL, contents="fault")
        assert response.text == "You said: fault"  # nothing partial passes as a success

    errors = await under_faults(genaio_emulator, kind, call, stream=False)
    assert all(isinstance(e, GenaioError) for e in errors)


@pytest.mark.parametrize("kind", STREAM)
async def test_a_stream_under_faults(genaio_emulator, kind):
    async def call(aio):
        async with await aio.models.generate_content_stream(model=MODEL, contents=PROMPT) as s:
            text = "".join([chunk.text async for chunk in s])
        assert text == f"You said: {PROMPT}"  # no chunk lost

    await under_faults(genaio_emulator, kind, call, stream=True)


async def test_a_slow_reader_of_a_slow_stream(genaio_emulator):
    """The server trickles (chunk_interval) and the reader dawdles: it ends, whole."""
    genaio_emulator.set_faults(ttfb_ms=20, chunk_interval_ms=5)
    async with make_client(genaio_emulator).aio as aio:
        with trio.fail_after(20):
            async with await aio.models.generate_content_stream(model=MODEL, contents=PROMPT) as s:
                chunks = []
                async for chunk in s:
                    chunks.append(chunk.text)
                    await trio.sleep(0.01)  # a slow consumer, not a wait for something
        assert "".join(chunks) == f"You said: {PROMPT}"
