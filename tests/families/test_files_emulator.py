"""`client.aio.files` against the emulator: every method, its errors, streamed and resumed
uploads, cancellation, isolation from other families, and the blocking surface."""

from __future__ import annotations

import base64
import hashlib
import io
import os

import google.oauth2.credentials
import httpx
import pytest
import trio
import trio.testing

import genaio
from genaio import errors, types
from genaio.emulator import FaultConfig
from genaio.engine._pool import PooledTransport
from genaio.engine._upload import CHUNK_SIZE

FAST_RETRIES = {"attempts": 10, "initial_delay": 0.001, "max_delay": 0.01, "jitter": 0}


@pytest.fixture
def client(genaio_emulator):
    return genaio.Client(api_key="test-key", http_options={"base_url": genaio_emulator.base_url})


def sha256_field(data: bytes) -> str:
    """The emulator's `sha256Hash`: the hex digest, base64-encoded."""
    return base64.b64encode(hashlib.sha256(data).hexdigest().encode()).decode()


async def test_upload_from_a_path_a_file_object_and_bytes(client, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    async with client.aio as aio:
        from_path = await aio.files.upload(path=str(path), config={"display_name": "Notes"})
        assert from_path.name.startswith("files/")
        assert (from_path.display_name, from_path.mime_type) == ("Notes", "text/plain")
        assert (from_path.size_bytes, from_path.state) == (5, types.FileState.ACTIVE)
        assert from_path.source == types.FileSource.UPLOADED

        named = await aio.files.upload(file=path, config=types.UploadFileConfig(name="my-notes"))
        assert named.name == "files/my-notes"

        with open(path, "rb") as stream:  # noqa: ASYNC230 (a real file object, as users pass)
            from_stream = await aio.files.upload(file=stream, config={"mime_type": "text/plain"})
        assert from_stream.size_bytes == 5

        from_bytes = await aio.files.upload(file=b"\x89PNG...", config={"mime_type": "image/png"})
        assert (from_bytes.mime_type, from_bytes.sha256_hash) == (
            "image/png",
            sha256_field(b"\x89PNG..."),
        )


async def test_get_list_download_and_delete(client):
    async with client.aio as aio:
        uploaded = [
            await aio.files.upload(file=f"file {i}".encode(), config={"mime_type": "text/plain"})
            for i in range(3)
        ]
        first = uploaded[0]
        bare_id = first.name.removeprefix("files/")
        for name in (first.name, bare_id, first.uri, first.download_uri):
            assert (await aio.files.get(name=name)).name == first.name

        pager = await aio.files.list(config={"page_size": 2})
        assert (pager.name, len(pager), pager.page_size) == ("files", 2, 2)
        assert sorted([f.name async for f in pager]) == sorted(f.name for f in uploaded)

        assert await aio.files.download(file=first) == b"file 0"
        assert await aio.files.download(file=first.download_uri) == b"file 0"
        with pytest.raises(ValueError, match="download_uri"):
            await aio.files.download(file=types.File(name=first.name))

        deleted = await aio.files.delete(name=first.name)
        assert deleted.sdk_http_response.headers
        # As on the real API, a file that does not exist is "permission denied", not "not found".
        with pytest.raises(errors.PermissionDeniedError):
            await aio.files.get(name=first.name)
        with pytest.raises(errors.PermissionDeniedError):
            await aio.files.delete(name=first.name)


async def test_download_to_a_destination(client, tmp_path):
    async with client.aio as aio:
        file = await aio.files.upload(file=b"payload", config={"mime_type": "text/plain"})
        target = tmp_path / "out.bin"
        assert await aio.files.download(file=file, destination=str(target)) is None
        assert target.read_bytes() == b"payload"
        buffer = io.BytesIO()
        await aio.files.download(file=file.name, destination=buffer)
        assert buffer.getvalue() == b"payload"


async def test_bad_arguments_fail_before_anything_is_sent(genaio_emulator, client, tmp_path):
    async with client.aio as aio:
        with pytest.raises(ValueError, match="mime_type"):
            await aio.files.upload(file=b"data")
        with pytest.raises(ValueError, match="mime_type"):
            await aio.files.upload(file=io.BytesIO(b"data"))
        with pytest.raises(ValueError, match="exactly once"):
            await aio.files.upload(file=b"x", path="x.txt")
        with pytest.raises(ValueError, match="exactly once"):
            await aio.files.upload()
        with pytest.raises(FileNotFoundError):
            await aio.files.upload(path=tmp_path / "missing.txt")
        with pytest.raises(ValueError, match="binary"):
            await aio.files.upload(file=io.StringIO("text"), config={"mime_type": "text/plain"})
        with pytest.raises(ValueError, match="file id"):
            await aio.files.get(name="https://example.com/nothing-here")
        with pytest.raises(ValueError, match="Credentials"):
            await aio.files.register_files(auth="a token", uris=["gs://b/a.pdf"])
    assert genaio_emulator.stats()["requests"] == 0


async def test_the_server_refuses_an_invalid_name(client):
    async with client.aio as aio:
        with pytest.raises(errors.InvalidArgumentError, match="file id"):
            await aio.files.upload(file=b"x", config={"mime_type": "text/plain", "name": "Bad_Id"})


async def test_register_files_sends_a_bearer_token(client):
    credentials = google.oauth2.credentials.Credentials(token="oauth-token")
    async with client.aio as aio:
        registered = await aio.files.register_files(auth=credentials, uris=["gs://bucket/a.pdf"])
    [file] = registered.files
    assert (file.uri, file.source, file.mime_type) == (
        "gs://bucket/a.pdf",
        types.FileSource.REGISTERED,
        "application/pdf",
    )


class CountingReader(io.BytesIO):
    """A binary file object that records each read, to show uploads are streamed."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.reads: list[int] = []

    def read(self, size: int | None = -1) -> bytes:
        self.reads.append(size)
        return super().read(size)


async def test_a_large_upload_is_streamed_in_8_mib_chunks(genaio_emulator, client):
    data = os.urandom(2 * CHUNK_SIZE + 1000)
    reader = CountingReader(data)
    async with client.aio as aio:
        file = await aio.files.upload(file=reader, config={"mime_type": "application/zip"})
    assert (file.size_bytes, file.sha256_hash) == (len(data), sha256_field(data))
    # One bounded read per chunk: never the whole file at once.
    assert reader.reads == [CHUNK_SIZE, CHUNK_SIZE, 1000]
    assert genaio_emulator.stats()["by_endpoint"]["uploadFile"]["requests"] == 1 + 3


async def test_an_upload_past_what_the_emulator_keeps_keeps_its_metadata_only(client, monkeypatch):
    """The emulator counts and hashes a large upload's bytes but keeps none (a gigabyte keeps
    its memory flat); a smaller one is kept whole, to download."""
    from genaio.emulator import _files

    monkeypatch.setattr(_files, "KEPT_BYTES", 10)
    large, small = os.urandom(25), b"0123456789"
    async with client.aio as aio:
        file = await aio.files.upload(file=large, config={"mime_type": "application/zip"})
        assert (file.size_bytes, file.sha256_hash) == (25, sha256_field(large))
        assert (await aio.files.get(name=file.name)).size_bytes == 25
        with pytest.raises(errors.APIError, match="size and hash") as refused:
            await aio.files.download(file=file)
        assert refused.value.code == 400
        kept = await aio.files.upload(file=small, config={"mime_type": "application/zip"})
        assert await aio.files.download(file=kept) == small


def test_an_upload_of_unannounced_size_stops_keeping_its_bytes_past_the_bound(monkeypatch):
    from genaio.emulator import _files

    monkeypatch.setattr(_files, "KEPT_BYTES", 10)
    upload = _files.Upload(None, "application/zip", lambda blob: {})
    for chunk in (b"01234", b"56789"):
        upload.add(chunk)
    assert upload.blob() == _files.Blob.of(b"0123456789")  # up to the bound: kept
    upload.add(b"a")
    blob = upload.blob()
    assert (blob.size, blob.sha256, blob.data) == (11, sha256_field(b"0123456789a"), None)


async def test_failed_chunks_are_resumed(genaio_emulator, tmp_path):
    data = os.urandom(2 * CHUNK_SIZE + 1)
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    genaio_emulator.set_faults(
        FaultConfig(seed=3, error_503_rate=0.25, reset_rate=0.25, methods=("uploadFile",))
    )
    client = genaio.Client(
        api_key="k",
        http_options={"base_url": genaio_emulator.base_url, "retry_options": FAST_RETRIES},
    )
    async with client.aio as aio:
        file = await aio.files.upload(file=path, config={"mime_type": "application/zip"})
    assert (file.size_bytes, file.sha256_hash) == (len(data), sha256_field(data))
    faults = genaio_emulator.stats()["faults"]
    assert faults.get("error_503", 0) > 0 and faults.get("reset", 0) > 0


async def test_a_cancelled_upload_leaves_no_open_connection_and_can_be_retried(
    genaio_emulator, tmp_path
):
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(CHUNK_SIZE + 10))
    chunk_sent = trio.Event()

    async def on_request(request: httpx.Request) -> None:
        if "upload_id" in str(request.url) and not chunk_sent.is_set():
            # From the first chunk on, the server takes its time: the upload is cancelled
            # while a chunk is in flight.
            genaio_emulator.set_faults(FaultConfig(latency_ms=30_000, methods=("uploadFile",)))
            chunk_sent.set()

    pool = PooledTransport()
    async with httpx.AsyncClient(transport=pool, event_hooks={"request": [on_request]}) as http:
        options = {"base_url": genaio_emulator.base_url, "httpx_async_client": http}
        client = genaio.Client(api_key="k", http_options=options)
        async with client.aio as aio, trio.open_nursery() as nursery:
            cancel_scope = trio.CancelScope()

            async def upload() -> None:
                with cancel_scope:
                    await aio.files.upload(file=path, config={"mime_type": "application/zip"})

            nursery.start_soon(upload)
            await chunk_sent.wait()
            await trio.testing.wait_all_tasks_blocked()  # the chunk is on its way, or waits
            cancel_scope.cancel()
            await trio.testing.wait_all_tasks_blocked()

            connections = pool.statistics()
            assert (connections.busy, connections.open) == (0, connections.idle)
            assert aio.statistics()["families"]["files"].in_flight == 0

            genaio_emulator.set_faults(None)
            file = await aio.files.upload(file=path, config={"mime_type": "application/zip"})
            assert file.size_bytes == CHUNK_SIZE + 10
            assert [f.name async for f in await aio.files.list()] == [file.name]


async def test_a_flood_of_uploads_does_not_delay_generate_content(genaio_emulator):
    # Every upload request hangs; the files actor serves one at a time, the rest wait for it.
    genaio_emulator.set_faults(FaultConfig(latency_ms=30_000, methods=("uploadFile",)))
    limits = genaio.Limits(families={"files": genaio.FamilyLimits(concurrency=1)})
    client = genaio.Client(
        api_key="k", http_options={"base_url": genaio_emulator.base_url}, limits=limits
    )
    async with client.aio as aio, trio.open_nursery() as nursery:
        for i in range(5):
            nursery.start_soon(
                lambda i=i: aio.files.upload(file=b"%d" % i, config={"mime_type": "text/plain"})
            )
        await trio.testing.wait_all_tasks_blocked()
        files = aio.statistics()["families"]["files"]
        assert (files.in_flight, files.queued) == (1, 4)

        response = await aio.models.generate_content(model="gemini-2.0-flash", contents="Hi")

        assert response.text
        files = aio.statistics()["families"]["files"]
        assert (files.in_flight, files.queued, files.completed) == (1, 4, 0)
        nursery.cancel_scope.cancel()


def test_the_blocking_surface(genaio_emulator, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("sync")
    with genaio.Client(api_key="k", http_options={"base_url": genaio_emulator.base_url}) as client:
        file = client.files.upload(file=str(path))
        assert client.files.get(name=file.name).size_bytes == 4
        assert [f.name for f in client.files.list()] == [file.name]
        assert client.files.download(file=file) == b"sync"
        client.files.delete(name=file.name)
        store = client.file_search_stores.create(config={"display_name": "sync store"})
        client.file_search_stores.upload_to_file_search_store(
            file_search_store_name=store.name, file=str(path)
        )
        [document] = list(client.file_search_stores.documents.list(parent=store.name))
        assert document.mime_type == "text/plain"
        client.file_search_stores.delete(name=store.name, config={"force": True})
