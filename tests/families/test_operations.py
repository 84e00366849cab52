"""`client.aio.operations`: get and wait over any `Operation` class, on both backends, with
timeouts and cancellation, and the official SDK's wire requests."""

from __future__ import annotations

import asyncio

import google.oauth2.credentials
import httpx
import pytest
import trio

import genaio
from genaio import types
from genaio.api._lro import PollPolicy
from genaio.errors import DeadlineExceededError, NotFoundError
from tests.families.polling import finish_once_polled

VERTEX = {
    "vertexai": True,
    "project": "p",
    "location": "us-central1",
    "credentials": google.oauth2.credentials.Credentials("tok"),
}
FAST = PollPolicy(initial_delay=0.05, factor=1.0, timeout=30)
VEO = "projects/p/locations/us-central1/publishers/google/models/veo-2.0-generate-001"


def client(emulator, **kwargs):
    options = {"base_url": emulator.base_url, "retry_options": {"attempts": 1}}
    if kwargs.get("vertexai"):
        return genaio.Client(http_options=options, **kwargs)
    return genaio.Client(api_key="test-key", http_options=options)


def start_operation(emulator, vertex=False):
    """An operation the emulator runs: a tuned model's (Gemini API) or a video's (Vertex AI)."""
    if vertex:
        url = f"{emulator.base_url}/v1beta1/{VEO}:predictLongRunning"
        body = {"instances": [{"prompt": "a cat"}]}
        headers = {"authorization": "Bearer tok"}
    else:
        url = f"{emulator.base_url}/v1beta/tunedModels"
        body = {"baseModel": "models/gemini-2.0-flash"}
        headers = {"x-goog-api-key": "test-key"}
    return httpx.post(url, json=body, headers=headers).raise_for_status().json()["name"]


async def test_get_refreshes_an_operation_as_its_own_class(genaio_emulator):
    class TunedModelOperation(types.Operation):
        """A subclass as other families define them."""

    operation = TunedModelOperation(name=start_operation(genaio_emulator))
    async with client(genaio_emulator).aio as aio:
        current = await aio.operations.get(operation)
        assert type(current) is TunedModelOperation and current.done is None
        genaio_emulator.advance(3)
        current = await aio.operations.get(current, config={"http_options": {"timeout": 5000}})
        assert current.done and current.response["name"] == current.metadata["tunedModel"]
        with pytest.raises(NotFoundError):
            await aio.operations.get(types.Operation(name=operation.name + "x"))
        with pytest.raises(ValueError, match="empty"):
            await aio.operations.get(types.Operation())


async def test_wait_polls_until_done(genaio_emulator):
    operation = types.Operation(name=start_operation(genaio_emulator))
    async with client(genaio_emulator).aio as aio:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(finish_once_polled, genaio_emulator)
            done = await aio.operations.wait(operation, poll=FAST)
        assert done.done and done.error is None


async def test_wait_times_out_and_is_cancelled_cleanly(genaio_emulator):
    operation = types.Operation(name=start_operation(genaio_emulator))
    async with client(genaio_emulator).aio as aio:
        with pytest.raises(DeadlineExceededError):
            await aio.operations.wait(operation, timeout=0.2, poll=FAST)
        with trio.move_on_after(0.2) as scope:
            await aio.operations.wait(operation, poll=FAST)
        assert scope.cancelled_caught
        assert aio.statistics()["families"]["operations"].in_flight == 0
        assert (await aio.operations.get(operation)).done is None


async def test_vertex_video_operations_use_fetch_predict_operation(genaio_emulator):
    operation = types.GenerateVideosOperation(name=start_operation(genaio_emulator, vertex=True))
    async with client(genaio_emulator, **VERTEX).aio as aio:
        genaio_emulator.advance(3)
        done = await aio.operations.wait(operation, poll=FAST)
    assert done.done and done.result.generated_videos
    assert genaio_emulator.stats()["by_endpoint"]["fetchPredictOperation"]["requests"] == 1


@pytest.mark.parametrize("vertex", [False, True], ids=["gemini", "vertex"])
def test_same_requests_as_the_official_sdk(genaio_emulator, vertex):
    from google.genai import types as sdk_types

    from tests.recording import record_genaio, record_sdk

    name = start_operation(genaio_emulator, vertex)

    async def get(aio):
        ours = isinstance(aio, genaio.api._client.AsyncClient)
        operation_type = (
            types.GenerateVideosOperation if ours else sdk_types.GenerateVideosOperation
        )
        await aio.operations.get(operation_type(name=name))

    backend = VERTEX if vertex else {}
    ours = asyncio.run(record_genaio(genaio_emulator.base_url, get, **backend))
    theirs = asyncio.run(record_sdk(genaio_emulator.base_url, get, **backend))
    assert len(ours) == 1
    assert ours == theirs
