"""The fuzzer: hostile HTTP/1.1 answers, under trio and asyncio, against the whole client.

Each example starts a hostile server (tests/hostile/server.py) and a client, and makes, all at
once, a few hostile calls (each with a generated answer, each on a model of its own so that a
429's model-wide pause stays with it) and a few healthy calls. It checks:
- every call ends in its own correct answer or exactly one typed error (a `GenaioError`; no
  exception group, no raw exception, no hang); a call that must fail does;
- every healthy call gets exactly its own answer (answers echo their call's tag: cross-talk shows);
- the client serves a probe call afterwards, and nothing is left: no task, envelope or busy
  connection (genaio.testing's leak checks), and after `aclose()` no socket open, on either side.

A short profile runs in CI; `GENAIO_HOSTILE_EXAMPLES=5000` runs a long one (docs/reliability.md).
"""

from __future__ import annotations

import os

import anyio
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genaio import Client
from genaio.errors import GenaioError
from genaio.testing import assert_no_leaks, live_tasks, open_sockets, snapshot
from genaio.types import HttpOptions, HttpRetryOptions
from tests.hostile.server import INTRUDER, TALLY, Plan, healthy, hostile, hostile_server

#: Examples per backend: a short profile by default, a long one by the environment.
EXAMPLES = int(os.environ.get("GENAIO_HOSTILE_EXAMPLES", "25"))
#: A silent server is given up after this (the client's read timeout, in seconds): long enough
#: that a healthy answer on a loaded CI machine is never taken for silence.
SILENCE = 2.0
#: Any one call ending later than this is a hang.
HANG = 20


@st.composite
def scenarios(draw) -> dict[str, Plan]:
    plans: dict[str, Plan] = {}
    for i in range(draw(st.integers(1, 3))):
        tag = f"hostile-{i:02d}"
        plans[tag] = draw(hostile(tag, stream=draw(st.booleans())))
    for i in range(draw(st.integers(1, 3))):
        tag = f"healthy-{i:02d}"
        plans[tag] = healthy(tag, stream=draw(st.booleans()))
    return plans


@pytest.mark.parametrize("backend", ["trio", "asyncio"])
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(plans=scenarios())
def test_hostile_answers_cost_only_their_own_call(backend, plans):
    anyio.run(_scenario, plans, backend=backend)


async def _scenario(plans: dict[str, Plan]) -> None:
    tasks_before = live_tasks()
    plans = {**plans, "probe-00": healthy("probe-00", stream=False)}
    with hostile_server(plans) as server:
        client = Client(
            api_key="hostile-test-key",
            http_options=HttpOptions(
                base_url=server.url,
                api_version="v1beta",
                retry_options=HttpRetryOptions(
                    attempts=2, initial_delay=0.001, max_delay=0.05, jitter=0
                ),
                async_client_args={"timeout": httpx.Timeout(SILENCE, connect=5)},
            ),
        )
        aio = client.aio
        assert await _call(aio, "probe-00", plans["probe-00"]) == ("ok", "echo probe-00")
        baseline = await snapshot(aio, channels=False)
        outcomes: dict[str, tuple[str, object]] = {}

        async def run(tag: str) -> None:
            outcomes[tag] = await _call(aio, tag, plans[tag])

        async with anyio.create_task_group() as tg:
            for tag in plans:
                if tag != "probe-00":
                    tg.start_soon(run, tag)
        for tag, (kind, value) in outcomes.items():
            _check(tag, plans[tag], kind, value)
            TALLY[f"{'healthy' if tag.startswith('healthy') else plans[tag].must}:{kind}"] += 1
        assert await _call(aio, "probe-00", plans["probe-00"]) == ("ok", "echo probe-00")
        await assert_no_leaks(aio, baseline)
        await aio.aclose()
        with anyio.fail_after(5):  # the server (another thread) sees every connection closed
            while server.open:  # noqa: ASYNC110 (an Event cannot cross the two loops)
                await anyio.sleep(0.001)
        assert open_sockets(server.port) in (0, None)
    await anyio.wait_all_tasks_blocked()
    assert live_tasks() <= tasks_before | {_current_task()}
    TALLY["examples"] += 1


def _current_task() -> object:
    import sniffio

    if sniffio.current_async_library() == "trio":
        import trio

        return trio.lowlevel.current_task()
    import asyncio

    return asyncio.current_task()


async def _call(aio, tag: str, plan: Plan) -> tuple[str, object]:
    """("ok", text), ("error", the GenaioError), ("raw", any other exception) or ("hang", None)."""
    model = "m" if not tag.startswith("hostile") else f"m-{tag}"
    with anyio.move_on_after(HANG):
        try:
            if plan.stream:
                text = ""
                async with await aio.models.generate_content_stream(model=model, contents=tag) as s:
                    async for chunk in s:
                        text += chunk.text or ""
                return "ok", text
            answer = await aio.models.generate_content(model=model, contents=tag)
            return "ok", answer.text
        except GenaioError as error:
            return "error", error
        except Exception as error:  # an exception group, or a raw one: both are bugs
            return "raw", error
    return "hang", None


def _check(tag: str, plan: Plan, kind: str, value: object) -> None:
    where = f"{tag} {plan!r} ended in {kind}: {value!r}"
    assert kind in ("ok", "error"), where
    if kind == "ok":
        assert isinstance(value, str) and INTRUDER not in value, where
        assert plan.must != "fail", where
        if plan.must == "succeed":
            assert value == plan.expected, where
        else:
            assert plan.expected.startswith(value), where
    else:
        assert plan.must != "succeed", where
