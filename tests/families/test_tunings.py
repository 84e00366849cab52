"""`client.aio.tunings` against the emulator: Gemini API tuned models and Vertex AI tuning jobs,
the state mapping, the wait helper, errors, and the official SDK's wire requests."""

from __future__ import annotations

import asyncio

import google.oauth2.credentials
import pytest
import trio

import genaio
from genaio import types
from genaio.api._lro import PollPolicy
from genaio.errors import NotFoundError, RateLimitError
from tests.families.polling import finish_once_polled
from tests.recording import record_genaio, record_sdk

VERTEX = {
    "vertexai": True,
    "project": "p",
    "location": "us-central1",
    "credentials": google.oauth2.credentials.Credentials("tok"),
}
FAST = PollPolicy(initial_delay=0.05, factor=1.0, timeout=30)
EXAMPLES = {
    "examples": [{"text_input": "2+2", "output": "4"}, {"text_input": "1+1", "output": "2"}]
}


def client(emulator, **kwargs):
    options = {"base_url": emulator.base_url, "retry_options": {"attempts": 1}}
    if kwargs.get("vertexai"):
        return genaio.Client(http_options=options, **kwargs)
    return genaio.Client(api_key="test-key", http_options=options)


async def test_gemini_tuned_model_as_a_job(genaio_emulator):
    async with client(genaio_emulator).aio as aio:
        job = await aio.tunings.tune(
            base_model="models/gemini-2.0-flash",
            training_dataset=EXAMPLES,
            config={"tuned_model_display_name": "adder", "epoch_count": 2},
        )
        assert job.name.startswith("tunedModels/")
        assert job.state == types.JobState.JOB_STATE_QUEUED
        running = await aio.tunings.get(name=job.name)
        assert running.state == types.JobState.JOB_STATE_RUNNING and not running.has_ended
        assert running.start_time is not None and running.base_model == "models/gemini-2.0-flash"
        async with trio.open_nursery() as nursery:
            nursery.start_soon(finish_once_polled, genaio_emulator)
            done = await aio.tunings.wait(name=job.name, poll=FAST)
        assert done.has_succeeded and done.end_time is not None
        assert done.tuned_model == types.TunedModel(model=job.name, endpoint=job.name)
        response = await aio.models.generate_content(model=job.name, contents="Hi")
        assert response.text


async def test_gemini_cancel_and_errors(genaio_emulator):
    async with client(genaio_emulator).aio as aio:
        job = await aio.tunings.tune(
            base_model="models/gemini-2.0-flash", training_dataset=EXAMPLES
        )
        assert (await aio.tunings.cancel(name=job.name)).sdk_http_response is not None
        assert (await aio.tunings.get(name=job.name)).state == types.JobState.JOB_STATE_FAILED
        with pytest.raises(NotFoundError):
            await aio.tunings.get(name="tunedModels/missing")
        with pytest.raises(ValueError, match="Vertex AI"):
            await aio.tunings.list()
        with pytest.raises(ValueError, match="description"):
            await aio.tunings.tune(
                base_model="m", training_dataset=EXAMPLES, config={"description": "d"}
            )
        with pytest.raises(ValueError, match="examples"):
            await aio.tunings.tune(base_model="m", training_dataset={"gcs_uri": "gs://b/t.jsonl"})
        genaio_emulator.set_faults(error_429_rate=1.0, methods=["createTunedModel"])
        with pytest.raises(RateLimitError):
            await aio.tunings.tune(base_model="models/gemini-2.0-flash", training_dataset=EXAMPLES)


async def test_vertex_tuning_jobs(genaio_emulator):
    async with client(genaio_emulator, **VERTEX).aio as aio:
        job = await aio.tunings.tune(
            base_model="gemini-2.5-flash",
            training_dataset={"gcs_uri": "gs://b/train.jsonl"},
            config={"tuned_model_display_name": "t", "epoch_count": 1},
        )
        assert job.name.startswith("projects/p/locations/us-central1/tuningJobs/")
        assert job.supervised_tuning_spec.training_dataset_uri == "gs://b/train.jsonl"
        async with trio.open_nursery() as nursery:
            nursery.start_soon(finish_once_polled, genaio_emulator)
            done = await aio.tunings.wait(name=job.name, poll=FAST)
        assert done.has_succeeded and done.tuned_model.endpoint.startswith("projects/p/")
        other = await aio.tunings.tune(
            base_model="gemini-2.5-flash",
            training_dataset={"gcs_uri": "gs://b/pairs.jsonl"},
            config={"method": "PREFERENCE_TUNING", "beta": 0.5},
        )
        assert other.preference_optimization_spec.hyper_parameters.beta == 0.5
        await aio.tunings.cancel(name=other.name.rsplit("/", 1)[-1])
        assert (await aio.tunings.get(name=other.name)).state == "JOB_STATE_CANCELLED"
        pager = await aio.tunings.list(config={"page_size": 1})
        assert pager.name == "tuning_jobs" and len([j async for j in pager]) == 2
        with pytest.raises(NotFoundError):
            await aio.tunings.get(name="tuningJobs/123")
        with pytest.raises(ValueError, match="Gemini API"):
            await aio.tunings.tune(base_model="gemini-2.5-flash", training_dataset=EXAMPLES)


async def _gemini_calls(aio):
    job = await aio.tunings.tune(
        base_model="models/gemini-2.0-flash",
        training_dataset=EXAMPLES,
        config={"tuned_model_display_name": "t", "epoch_count": 2, "learning_rate": 0.1},
    )
    await aio.tunings.get(name=job.name)
    await aio.tunings.cancel(name=job.name)


async def _vertex_calls(aio):
    job = await aio.tunings.tune(
        base_model="gemini-2.5-flash",
        training_dataset={"gcs_uri": "gs://b/train.jsonl"},
        config={
            "tuned_model_display_name": "t",
            "description": "d",
            "labels": {"team": "x"},
            "epoch_count": 2,
            "learning_rate_multiplier": 1.0,
            "adapter_size": "ADAPTER_SIZE_FOUR",
            "validation_dataset": {"gcs_uri": "gs://b/val.jsonl"},
        },
    )
    await aio.tunings.tune(
        base_model="gemini-2.5-flash",
        training_dataset={"gcs_uri": "gs://b/pairs.jsonl"},
        config={"method": "PREFERENCE_TUNING", "beta": 0.5, "epoch_count": 1},
    )
    await aio.tunings.get(name=job.name)
    await aio.tunings.list(config={"page_size": 2, "filter": "state=JOB_STATE_RUNNING"})
    await aio.tunings.cancel(name=job.name)


@pytest.mark.filterwarnings("ignore:.*experimental")
def test_vertex_requests_are_the_official_sdks(genaio_emulator):
    genaio_emulator.reset()
    ours = asyncio.run(record_genaio(genaio_emulator.base_url, _vertex_calls, **VERTEX))
    genaio_emulator.reset()
    theirs = asyncio.run(record_sdk(genaio_emulator.base_url, _vertex_calls, **VERTEX))
    assert len(ours) == 5
    assert ours == theirs


@pytest.mark.filterwarnings("ignore:.*experimental")
def test_gemini_requests_differ_only_by_the_examples_the_sdk_drops(genaio_emulator):
    genaio_emulator.reset()
    ours = asyncio.run(record_genaio(genaio_emulator.base_url, _gemini_calls))
    genaio_emulator.reset()
    theirs = asyncio.run(record_sdk(genaio_emulator.base_url, _gemini_calls))
    assert len(ours) == 3
    assert ours[1:] == theirs[1:]
    examples = ours[0].body["tuningTask"].pop("trainingData")
    assert examples == {
        "examples": {
            "examples": [{"textInput": "2+2", "output": "4"}, {"textInput": "1+1", "output": "2"}]
        }
    }
    assert ours[0] == theirs[0]  # the official SDK drops the examples (a known bug)
