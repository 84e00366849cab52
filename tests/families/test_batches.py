"""`client.aio.batches` against the emulator: every method on both backends, the job states,
the results, the wait helper, errors, cancellation, and the official SDK's wire requests."""

from __future__ import annotations

import asyncio
import json

import google.oauth2.credentials
import pytest
import trio

import genaio
from genaio import types
from genaio.api._lro import PollPolicy
from genaio.errors import DeadlineExceededError, NotFoundError, RateLimitError
from tests.families.polling import finish_once_polled
from tests.recording import record_genaio, record_sdk

VERTEX = {
    "vertexai": True,
    "project": "p",
    "location": "us-central1",
    "credentials": google.oauth2.credentials.Credentials("tok"),
}
FAST = PollPolicy(initial_delay=0.05, factor=1.0, timeout=30)
REQUESTS = [
    {"contents": "first", "metadata": {"key": "a"}, "config": {"temperature": 0.1}},
    types.InlinedRequest(contents="second", config={"system_instruction": "be brief"}),
]


def client(emulator, **kwargs):
    options = {"base_url": emulator.base_url, "retry_options": {"attempts": 1}}
    if kwargs.get("vertexai"):
        return genaio.Client(http_options=options, **kwargs)
    return genaio.Client(api_key="test-key", http_options=options)


async def test_inlined_batch_runs_to_its_results(genaio_emulator):
    async with client(genaio_emulator).aio as aio:
        job = await aio.batches.create(
            model="gemini-2.0-flash", src=REQUESTS, config={"display_name": "two"}
        )
        assert job.name.startswith("batches/") and job.display_name == "two"
        assert job.state == types.JobState.JOB_STATE_PENDING and not job.done
        async with trio.open_nursery() as nursery:
            nursery.start_soon(finish_once_polled, genaio_emulator)
            job = await aio.batches.wait(name=job.name, poll=FAST)
        assert job.state == types.JobState.JOB_STATE_SUCCEEDED and job.done
        first, second = job.dest.inlined_responses
        assert first.metadata == {"key": "a"}
        assert first.response.text == "You said: first"
        assert second.response.text == "You said: second"
        assert job.completion_stats.successful_count == 2


async def test_file_batch_writes_a_responses_file(genaio_emulator, tmp_path):
    from google import genai  # the official SDK uploads the input (files are another family)

    lines = [{"key": "k1", "request": {"contents": [{"parts": [{"text": "hello"}]}]}}]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines))
    sdk = genai.Client(api_key="test-key", http_options={"base_url": genaio_emulator.base_url})
    uploaded = sdk.files.upload(file=path, config={"mime_type": "application/jsonl"})
    async with client(genaio_emulator).aio as aio:
        job = await aio.batches.create(model="gemini-2.0-flash", src=uploaded.name)
        genaio_emulator.advance(3)
        job = await aio.batches.get(name=job.name)
    assert job.state == types.JobState.JOB_STATE_SUCCEEDED
    output = sdk.files.download(file=job.dest.file_name)
    assert json.loads(output)["key"] == "k1"


async def test_embeddings_batch(genaio_emulator):
    async with client(genaio_emulator).aio as aio:
        src = {"inlined_requests": {"contents": ["a", "b"], "config": {"output_dimensionality": 4}}}
        job = await aio.batches.create_embeddings(model="gemini-embedding-001", src=src)
        genaio_emulator.advance(3)
        job = await aio.batches.get(name=job.name)
    results = job.dest.inlined_embed_content_responses
    assert [len(r.response.embedding.values) for r in results] == [4, 4]


async def test_cancel_list_delete_and_errors(genaio_emulator):
    async with client(genaio_emulator).aio as aio:
        job = await aio.batches.create(model="gemini-2.0-flash", src=REQUESTS)
        await aio.batches.create(model="gemini-2.0-flash", src=REQUESTS)
        assert await aio.batches.cancel(name=job.name) is None
        assert (await aio.batches.get(name=job.name)).state == types.JobState.JOB_STATE_CANCELLED
        pager = await aio.batches.list(config={"page_size": 1})
        assert pager.name == "batch_jobs" and len([j async for j in pager]) == 2
        assert (await aio.batches.delete(name=job.name)).sdk_http_response is not None
        with pytest.raises(NotFoundError):
            await aio.batches.get(name=job.name)
        with pytest.raises(ValueError, match="Invalid batch job name"):
            await aio.batches.get(name=job.name.removeprefix("batches/"))
        with pytest.raises(ValueError):
            await aio.batches.create(model="gemini-2.0-flash", src="gs://bucket/in.jsonl")
        with pytest.raises(ValueError, match="dest"):
            await aio.batches.create(model="m", src=REQUESTS, config={"dest": "gs://o"})
        with pytest.raises(ValueError, match="filter"):
            await aio.batches.list(config={"filter": "state=x"})
        genaio_emulator.set_faults(error_429_rate=1.0, methods=["batchGenerateContent"])
        with pytest.raises(RateLimitError):
            await aio.batches.create(model="gemini-2.0-flash", src=REQUESTS)


async def test_wait_times_out_and_can_be_cancelled(genaio_emulator):
    async with client(genaio_emulator).aio as aio:
        job = await aio.batches.create(model="gemini-2.0-flash", src=REQUESTS)
        with pytest.raises(DeadlineExceededError):
            await aio.batches.wait(name=job.name, timeout=0.2, poll=FAST)
        with trio.move_on_after(0.2) as scope:
            await aio.batches.wait(name=job.name, poll=FAST)
        assert scope.cancelled_caught
        assert not (await aio.batches.get(name=job.name)).done


async def test_vertex_batch_prediction_jobs(genaio_emulator):
    async with client(genaio_emulator, **VERTEX).aio as aio:
        job = await aio.batches.create(model="gemini-2.0-flash", src="gs://bucket/in.jsonl")
        assert job.name.startswith("projects/p/locations/us-central1/batchPredictionJobs/")
        assert job.display_name.startswith("genai_batch_job_")
        assert job.src.gcs_uri == ["gs://bucket/in.jsonl"]
        assert job.dest.gcs_uri == "gs://bucket/in/dest"
        async with trio.open_nursery() as nursery:
            nursery.start_soon(finish_once_polled, genaio_emulator)
            done = await aio.batches.wait(name=job.name.rsplit("/", 1)[-1], poll=FAST)
        assert done.state == types.JobState.JOB_STATE_SUCCEEDED
        other = await aio.batches.create(
            model="gemini-2.0-flash", src="bq://p.d.t", config={"dest": "bq://p.d.out"}
        )
        await aio.batches.cancel(name=other.name)
        assert (await aio.batches.get(name=other.name)).state == "JOB_STATE_CANCELLED"
        assert len((await aio.batches.list(config={"filter": "x"})).page) == 2
        deleted = await aio.batches.delete(name=job.name)
        assert deleted.done and "/operations/" in deleted.name
        with pytest.raises(NotFoundError):
            await aio.batches.get(name=job.name)
        with pytest.raises(ValueError):
            await aio.batches.create(model="gemini-2.0-flash", src=REQUESTS)
        with pytest.raises(ValueError, match="Gemini API"):
            await aio.batches.create_embeddings(model="m", src={"file_name": "files/x"})


async def _gemini_calls(aio):
    job = await aio.batches.create(
        model="gemini-2.0-flash",
        src=[
            {"contents": "hi", "metadata": {"k": "v"}, "config": {"temperature": 0.1}},
            {"model": "gemini-2.5-flash", "contents": "yo", "config": {"system_instruction": "s"}},
        ],
        config={"display_name": "d"},
    )
    await aio.batches.get(name=job.name)
    await aio.batches.list(config={"page_size": 2})
    await aio.batches.cancel(name=job.name)
    await aio.batches.delete(name=job.name)
    src = {"inlined_requests": {"contents": ["a", "b"], "config": {"task_type": "CLUSTERING"}}}
    await aio.batches.create_embeddings(
        model="gemini-embedding-001", src=src, config={"display_name": "e"}
    )


async def _vertex_calls(aio):
    job = await aio.batches.create(
        model="gemini-2.0-flash", src="gs://b/in.jsonl", config={"display_name": "d"}
    )
    await aio.batches.create(
        model="gemini-2.0-flash", src="bq://p.d.t", config={"display_name": "d", "dest": "bq://o"}
    )
    await aio.batches.get(name=job.name)
    await aio.batches.list(config={"page_size": 1, "filter": "state=JOB_STATE_RUNNING"})
    await aio.batches.cancel(name=job.name)
    await aio.batches.delete(name=job.name)


@pytest.mark.filterwarnings("ignore:.*experimental")
@pytest.mark.parametrize(
    ("calls", "backend"), [(_gemini_calls, {}), (_vertex_calls, VERTEX)], ids=["gemini", "vertex"]
)
def test_same_requests_as_the_official_sdk(genaio_emulator, calls, backend):
    genaio_emulator.reset()
    ours = asyncio.run(record_genaio(genaio_emulator.base_url, calls, **backend))
    genaio_emulator.reset()
    theirs = asyncio.run(record_sdk(genaio_emulator.base_url, calls, **backend))
    assert len(ours) == 6
    assert ours == theirs
