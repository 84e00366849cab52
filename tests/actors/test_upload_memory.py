"""Uploads hold a chunk each while they are sent: the files family sends a few at a time by
default, so a burst of uploads costs tens of MiB, not hundreds."""

import trio
import trio.testing

import genaio
from genaio.emulator import FaultConfig


def test_upload_families_default_to_a_few_at_a_time():
    limits = genaio.Limits()
    assert limits.family("files").concurrency == 8
    assert limits.family("file_search_stores").concurrency == 8
    assert limits.family("models").concurrency == 100
    mine = genaio.Limits(families={"files": genaio.FamilyLimits(concurrency=2)})
    assert mine.family("files").concurrency == 2


async def test_a_burst_of_uploads_sends_at_most_eight_chunks_at_once(genaio_emulator):
    genaio_emulator.set_faults(FaultConfig(latency_ms=30_000, methods=("uploadFile",)))
    client = genaio.Client(api_key="k", http_options={"base_url": genaio_emulator.base_url})
    async with client.aio as aio, trio.open_nursery() as nursery:
        for i in range(40):
            nursery.start_soon(
                lambda i=i: aio.files.upload(file=b"%d" % i, config={"mime_type": "text/plain"})
            )
        await trio.testing.wait_all_tasks_blocked()
        files = aio.statistics()["families"]["files"]
        assert (files.in_flight, files.waiting, files.concurrency) == (8, 32, 8)
        nursery.cancel_scope.cancel()


async def test_chunks_waiting_for_a_worker_hold_no_buffer(monkeypatch):
    """40 uploads at once: only the chunks being sent have been read (cut from their source).

    The source is in memory, so that every step runs in a task: a path or a file object is
    checked and read in threads, which `wait_all_tasks_blocked` does not wait for.
    """
    from genaio.engine import _upload_source
    from tests.helpers import json_response, mock_client

    reads = []
    read = _upload_source._BytesSource.read

    def counted(source, offset, length):
        reads.append((offset, length))
        return read(source, offset, length)

    monkeypatch.setattr(_upload_source._BytesSource, "read", counted)
    never = trio.Event()

    async def server(request):
        if request.headers.get("x-goog-upload-command") == "start":
            url = "https://upload.example/upload?upload_id=1"
            return json_response(200, {}, headers={"x-goog-upload-url": url})
        await never.wait()  # every chunk hangs in flight

    client = mock_client(server)
    async with client.aio as aio, trio.open_nursery() as nursery:

        async def upload() -> None:
            await aio.files.upload(file=b"x" * 1000, config={"mime_type": "a/b"})

        for _ in range(40):
            nursery.start_soon(upload)
        await trio.testing.wait_all_tasks_blocked()
        assert len(reads) == 8  # not 40: a queued chunk is read by the worker that sends it
        files = aio.statistics()["families"]["files"]
        assert (files.in_flight, files.waiting) == (8, 32)
        nursery.cancel_scope.cancel()
