"""Cancel an upload mid-chunk, a coalesced embedding and an LRO wait at every step."""

import functools
import json

import httpx
import trio
import trio.testing

import genaio
from genaio import types
from genaio.actors import BatchPolicy
from genaio.api import files
from genaio.api._lro import PollPolicy
from genaio.testing import assert_no_leaks, snapshot, sweep_cancellation
from tests.chaos.counts import tally
from tests.helpers import mock_client

DATA = bytes(range(256)) * 260  # 66,560 bytes: five chunks of 16 KiB


async def test_an_upload_cancelled_mid_chunk(rig, monkeypatch):
    monkeypatch.setattr(
        files, "resumable_upload", functools.partial(files.resumable_upload, chunk_size=16384)
    )

    async def call():
        return await rig.aio.files.upload(file=DATA, config={"mime_type": "text/plain"})

    with trio.fail_after(60):
        report = await sweep_cancellation(call, check=rig.check)
        assert report.complete and report.result.size_bytes == len(DATA)
        assert await rig.aio.files.download(file=report.result) == DATA
    # Seven requests (the start and six chunks), each cancelled at three steps or more: on its
    # way to the worker, while sent, while its answer is read.
    assert report.points >= 7 * 3
    tally(points=report.points, requests=rig.probes + 7 * (report.points + report.late + 1))


class EmbedServer:
    """batchEmbedContents answering each text "n" with the vector [n]; "block" waits."""

    def __init__(self):
        self.release = trio.Event()
        self.batches: list[list[str]] = []

    async def __call__(self, request):
        texts = [r["content"]["parts"][0]["text"] for r in json.loads(request.content)["requests"]]
        self.batches.append(texts)
        if texts == ["block"]:
            await self.release.wait()
        values = [{"values": [0.0 if t == "block" else float(t)]} for t in texts]
        return httpx.Response(200, json={"embeddings": values})


async def test_a_coalesced_embedding(nursery, autojump_clock):
    """The caller is one of three in a merged request: its cancellation withdraws only its
    entry; the other two get their own vectors whatever the step."""
    server = EmbedServer()
    batching = BatchPolicy(max_items=3, window=1.0, max_wait=1.0)
    client = mock_client(server, limits=genaio.Limits(batching=batching))
    aio = client.aio
    results: dict[str, float] = {}
    finished: dict[str, trio.Event] = {}

    async def embed(text):
        finished[text] = trio.Event()
        response = await aio.models.embed_content(model="text-embedding-004", contents=text)
        results[text] = response.embeddings[0].values[0]
        finished[text].set()

    await embed("0")
    baseline = await snapshot(aio, channels=False)

    async def before():
        # A merged request in flight keeps the next ones waiting for company: two bystanders
        # wait in a batch that the caller under test completes.
        results.clear()
        server.release = trio.Event()
        nursery.start_soon(embed, "block")
        await trio.testing.wait_all_tasks_blocked()
        nursery.start_soon(embed, "1")
        nursery.start_soon(embed, "2")
        await trio.testing.wait_all_tasks_blocked()

    async def bystanders_served(attempt=None):
        server.release.set()
        for text in ("block", "1", "2"):
            await finished[text].wait()
        assert (results["1"], results["2"]) == (1.0, 2.0)
        await assert_no_leaks(aio, baseline)

    async def call():
        await embed("3")

    with trio.fail_after(60):
        report = await sweep_cancellation(call, before=before, check=bystanders_served)
        await bystanders_served()
    # A caller joining a batch parks only for its reply (it never waits for the mailbox):
    # few steps, all of them swept.
    assert report.complete and results["3"] == 3.0 and report.points >= 2
    # They did share a request, in the order their tasks happened to run.
    assert ["1", "2", "3"] in [sorted(batch) for batch in server.batches]
    stats = aio.statistics()["families"]["models"]
    assert stats.restarts == 0
    await aio.aclose()
    tally(points=report.points, requests=len(server.batches))


async def test_a_long_running_operation_wait(autojump_clock):
    polls: dict[str, int] = {}

    def server(request):
        name = request.url.path.split("/", 2)[2]  # after the version
        polls[name] = polls.get(name, 0) + 1
        return httpx.Response(200, json={"name": name, "done": polls[name] >= 3})

    aio = mock_client(server).aio
    names = (f"operations/op{i}" for i in range(10_000))
    poll = PollPolicy(initial_delay=1.0, factor=2.0, timeout=None)
    await aio.operations.get(types.Operation(name="operations/warm"))
    baseline = await snapshot(aio, channels=False)

    async def call():
        return await aio.operations.wait(types.Operation(name=next(names)), poll=poll)

    async def check(attempt):
        await assert_no_leaks(aio, baseline)

    with trio.fail_after(600):
        report = await sweep_cancellation(call, check=check)
    assert report.complete and report.result.done
    await aio.aclose()
    tally(points=report.points, requests=sum(polls.values()))
