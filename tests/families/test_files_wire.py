"""genaio sends what the official SDK sends: the files and file search families, every method.

Each scenario runs on a freshly reset emulator for each client; the emulator's ids come from a
seeded generator, so both clients see the same resource names and upload URLs, and the whole
exchange (setup included) is compared request by request, upload chunks byte for byte.

Deliberate differences (docs/files.md, docs/file-search-stores.md): the telemetry headers name
genaio, and upload chunks carry genaio's user agent where the SDK's carry httpx's; neither is
compared here.
"""

from __future__ import annotations

import asyncio
import io

import google.oauth2.credentials
import pytest

import tests.recording
from genaio.api.files import file_id
from genaio.engine._upload import CHUNK_SIZE
from tests.recording import record_genaio, record_sdk

TEXT = b"The quick brown fox jumps over the lazy dog.\n"
CUSTOM_METADATA = [
    {"key": "year", "numeric_value": 2024},
    {"key": "author", "string_value": "Ada"},
    {"key": "tags", "string_list_value": {"values": ["a", "b"]}},
]
CHUNKING = {"white_space_config": {"max_tokens_per_chunk": 200, "max_overlap_tokens": 20}}


@pytest.fixture(autouse=True)
def compare_the_upload_file_name(monkeypatch):
    headers = (*tests.recording.HEADERS_THAT_MATTER, "x-goog-upload-file-name")
    monkeypatch.setattr(tests.recording, "HEADERS_THAT_MATTER", headers)


@pytest.fixture
def text_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(TEXT)
    return str(path)


@pytest.fixture
def big_file(tmp_path):
    path = tmp_path / "big.bin"
    path.write_bytes(bytes(range(256)) * (CHUNK_SIZE // 256) + b"tail")
    return str(path)


async def _upload(aio, path):
    return await aio.files.upload(file=path, config={"display_name": "Notes", "name": "notes-1"})


async def _store_with_document(aio, path):
    store = await aio.file_search_stores.create(config={"display_name": "Docs"})
    await aio.file_search_stores.upload_to_file_search_store(
        file_search_store_name=store.name, file=path, config={"display_name": "notes"}
    )
    return store


async def _first_document(aio, store):
    pager = await aio.file_search_stores.documents.list(parent=store.name)
    return pager[0]


def scenarios(text_file, big_file):
    """name -> an async function of a client's `aio`, runnable on either client."""

    async def upload_path(aio):
        await _upload(aio, text_file)

    async def upload_large(aio):
        await aio.files.upload(file=big_file, config={"mime_type": "application/octet-stream"})

    async def upload_file_object(aio):
        await aio.files.upload(file=io.BytesIO(TEXT), config={"mime_type": "text/plain"})

    async def get(aio):
        file = await _upload(aio, text_file)
        await aio.files.get(name=file.name)
        await aio.files.get(name="notes-1")

    async def list_files(aio):
        for _ in range(3):
            await aio.files.upload(file=text_file)
        pager = await aio.files.list(config={"page_size": 2})
        await pager.next_page()

    async def delete(aio):
        file = await _upload(aio, text_file)
        await aio.files.delete(name=file.name)

    async def download(aio):
        file = await aio.files.upload(file=text_file)
        await aio.files.download(file=file.name)
        await aio.files.download(file=file.download_uri.replace("http://", "https://"))

    async def register(aio):
        credentials = google.oauth2.credentials.Credentials(token="oauth-token")
        await aio.files.register_files(auth=credentials, uris=["gs://bucket/a.pdf"])

    async def store_create(aio):
        await aio.file_search_stores.create(
            config={"display_name": "Docs", "embedding_model": "gemini-embedding-001"}
        )
        await aio.file_search_stores.create()

    async def store_get_and_list(aio):
        store = await aio.file_search_stores.create(config={"display_name": "Docs"})
        await aio.file_search_stores.create()
        await aio.file_search_stores.get(name=store.name)
        pager = await aio.file_search_stores.list(config={"page_size": 1})
        await pager.next_page()

    async def store_delete(aio):
        store = await _store_with_document(aio, text_file)
        await aio.file_search_stores.delete(name=store.name, config={"force": True})
        empty = await aio.file_search_stores.create()
        await aio.file_search_stores.delete(name=empty.name, config={"force": False})
        another = await aio.file_search_stores.create()
        await aio.file_search_stores.delete(name=another.name)

    async def import_file(aio):
        store = await aio.file_search_stores.create()
        file = await _upload(aio, text_file)
        await aio.file_search_stores.import_file(
            file_search_store_name=store.name,
            file_name=file.name,
            config={"custom_metadata": CUSTOM_METADATA, "chunking_config": CHUNKING},
        )
        await aio.file_search_stores.import_file(
            file_search_store_name=store.name, file_name=file.name
        )

    async def upload_to_store(aio):
        store = await aio.file_search_stores.create()
        await aio.file_search_stores.upload_to_file_search_store(
            file_search_store_name=store.name,
            file=text_file,
            config={
                "display_name": "notes",
                "mime_type": "text/plain",
                "custom_metadata": CUSTOM_METADATA,
                "chunking_config": CHUNKING,
            },
        )
        await aio.file_search_stores.upload_to_file_search_store(
            file_search_store_name=store.name,
            file=io.BytesIO(TEXT),
            config={"mime_type": "text/markdown"},
        )

    async def download_media(aio):
        store = await _store_with_document(aio, text_file)
        document = await _first_document(aio, store)
        media_id = document.name.replace("/documents/", "/media/")
        await aio.file_search_stores.download_media(media_id=media_id)

    async def documents(aio):
        store = await _store_with_document(aio, text_file)
        await aio.file_search_stores.upload_to_file_search_store(
            file_search_store_name=store.name, file=text_file
        )
        pager = await aio.file_search_stores.documents.list(
            parent=store.name, config={"page_size": 1}
        )
        await pager.next_page()
        document = await _first_document(aio, store)
        await aio.file_search_stores.documents.get(name=document.name)
        await aio.file_search_stores.documents.delete(name=document.name, config={"force": True})

    return {f.__name__: f for f in locals().values() if callable(f)}


NAMES = sorted(scenarios("", ""))


@pytest.mark.parametrize("name", NAMES)
def test_same_requests_as_the_official_sdk(name, genaio_emulator, text_file, big_file):
    scenario = scenarios(text_file, big_file)[name]
    genaio_emulator.reset()
    ours = asyncio.run(record_genaio(genaio_emulator.base_url, scenario))
    genaio_emulator.reset()
    theirs = asyncio.run(record_sdk(genaio_emulator.base_url, scenario))
    assert ours, "nothing was recorded"
    assert len(ours) == len(theirs)
    assert ours == theirs


def test_upload_chunks_carry_no_api_key(genaio_emulator, big_file):
    scenario = scenarios("", big_file)["upload_large"]
    recorded = asyncio.run(record_genaio(genaio_emulator.base_url, scenario))
    start, *chunks = recorded
    assert start.headers["x-goog-api-key"] == "test-key"
    assert [len(c.body) for c in chunks] == [CHUNK_SIZE, 4]
    assert [c.headers["x-goog-upload-command"] for c in chunks] == ["upload", "upload, finalize"]
    assert all("x-goog-api-key" not in c.headers for c in chunks)


def test_file_ids_in_uris_are_read_whole():
    # Deliberate: the official SDK reads only `https://` URIs, and only `[a-z0-9]+` of the id, so
    # `files/notes-1` would become `notes`; file ids may contain dashes.
    assert file_id("https://host/v1beta/files/notes-1:download?alt=media") == "notes-1"
    assert file_id("http://127.0.0.1:8080/v1/files/abc") == "abc"
    assert file_id("files/abc") == file_id("abc") == "abc"
