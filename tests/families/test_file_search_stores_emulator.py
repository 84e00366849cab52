"""`client.aio.file_search_stores` and its `documents` against the emulator: every method, its
errors and cancellation; and both families' refusal of Vertex AI."""

from __future__ import annotations

import pytest
import trio
import trio.testing

import genaio
from genaio import errors, types
from genaio.emulator import FaultConfig


@pytest.fixture
def client(genaio_emulator):
    return genaio.Client(api_key="test-key", http_options={"base_url": genaio_emulator.base_url})


async def test_create_get_list_and_delete_stores(client):
    async with client.aio as aio:
        store = await aio.file_search_stores.create(
            config={"display_name": "Manuals", "embedding_model": "gemini-embedding-001"}
        )
        assert store.name.startswith("fileSearchStores/")
        assert (store.display_name, store.embedding_model) == (
            "Manuals",
            "models/gemini-embedding-001",
        )
        assert store.active_documents_count == 0
        assert (await aio.file_search_stores.get(name=store.name)).name == store.name

        others = [await aio.file_search_stores.create() for _ in range(2)]
        pager = await aio.file_search_stores.list(config={"page_size": 2})
        assert (pager.name, len(pager)) == ("file_search_stores", 2)
        assert {s.name async for s in pager} == {store.name, *(s.name for s in others)}

        assert await aio.file_search_stores.delete(name=store.name) is None
        # As on the real API, a store that does not exist is "permission denied".
        with pytest.raises(errors.PermissionDeniedError):
            await aio.file_search_stores.get(name=store.name)


async def test_upload_import_and_the_documents_they_make(genaio_emulator, client):
    metadata = [
        {"key": "year", "numeric_value": 2024},
        {"key": "tags", "string_list_value": {"values": ["a", "b"]}},
    ]
    async with client.aio as aio:
        store = await aio.file_search_stores.create(config={"display_name": "Docs"})
        uploaded = await aio.file_search_stores.upload_to_file_search_store(
            file_search_store_name=store.name,
            file=b"some manual text",
            config={
                "mime_type": "text/plain",
                "display_name": "manual",
                "custom_metadata": metadata,
                "chunking_config": {"white_space_config": {"max_tokens_per_chunk": 200}},
            },
        )
        assert isinstance(uploaded, types.UploadToFileSearchStoreOperation)
        assert uploaded.name.startswith(f"{store.name}/upload/operations/")
        assert not uploaded.done

        file = await aio.files.upload(file=b"imported text", config={"mime_type": "text/plain"})
        imported = await aio.file_search_stores.import_file(
            file_search_store_name=store.name,
            file_name=file.name,
            config=types.ImportFileConfig(custom_metadata=[{"key": "k", "string_value": "v"}]),
        )
        assert isinstance(imported, types.ImportFileOperation)
        assert imported.name.startswith(f"{store.name}/operations/")

        documents = await aio.file_search_stores.documents.list(
            parent=store.name, config={"page_size": 1}
        )
        assert (documents.name, len(documents)) == ("documents", 1)
        by_name = {d.display_name: d async for d in documents}
        manual = by_name["manual"]
        assert (manual.state, manual.size_bytes) == (types.DocumentState.STATE_PENDING, 16)
        assert manual.custom_metadata[0] == types.CustomMetadata(key="year", numeric_value=2024)
        assert manual.custom_metadata[1].string_list_value.values == ["a", "b"]

        genaio_emulator.advance(10)  # the operations finish; the documents become active
        document = await aio.file_search_stores.documents.get(name=manual.name)
        assert document.state == types.DocumentState.STATE_ACTIVE
        store = await aio.file_search_stores.get(name=store.name)
        assert store.active_documents_count == 2

        media_id = manual.name.replace("/documents/", "/media/")
        assert await aio.file_search_stores.download_media(media_id=media_id) == b"some manual text"

        with pytest.raises(errors.InvalidArgumentError):  # not empty: needs force
            await aio.file_search_stores.delete(name=store.name)
        await aio.file_search_stores.documents.delete(name=manual.name, config={"force": True})
        with pytest.raises(errors.NotFoundError):
            await aio.file_search_stores.documents.get(name=manual.name)
        with pytest.raises(errors.NotFoundError):
            await aio.file_search_stores.download_media(media_id=media_id)
        await aio.file_search_stores.delete(name=store.name, config={"force": True})


async def test_operations_refresh_as_their_own_class(genaio_emulator, client):
    async with client.aio as aio:
        store = await aio.file_search_stores.create()
        uploaded = await aio.file_search_stores.upload_to_file_search_store(
            file_search_store_name=store.name, file=b"abc", config={"mime_type": "text/plain"}
        )
        file = await aio.files.upload(file=b"imported", config={"mime_type": "text/plain"})
        imported = await aio.file_search_stores.import_file(
            file_search_store_name=store.name, file_name=file.name
        )
        genaio_emulator.advance(10)
        uploaded = await aio.operations.get(uploaded)
        imported = await aio.operations.get(imported)
    assert isinstance(uploaded, types.UploadToFileSearchStoreOperation) and uploaded.done
    assert uploaded.response.parent == store.name
    assert (uploaded.response.mime_type, uploaded.response.size_bytes) == ("text/plain", 3)
    assert isinstance(imported, types.ImportFileOperation) and imported.done
    assert imported.response.document_name.startswith(f"{store.name}/documents/")


async def test_operations_parse_their_results():
    finished = types.UploadToFileSearchStoreOperation.from_wire(
        {
            "name": "fileSearchStores/s/upload/operations/o",
            "done": True,
            "response": {
                "@type": "type.googleapis.com/google.ai.generativelanguage.v1main.X",
                "parent": "fileSearchStores/s",
                "documentName": "fileSearchStores/s/documents/d",
                "mimeType": "text/plain",
                "sizeBytes": "16",
            },
        }
    )
    assert finished.response.document_name == "fileSearchStores/s/documents/d"
    assert (finished.response.mime_type, finished.response.size_bytes) == ("text/plain", 16)
    failed = types.ImportFileOperation.from_wire(
        {"name": "fileSearchStores/s/operations/o", "done": True, "error": {"code": 3}}
    )
    assert failed.error.code == 3 and failed.response is None


async def test_bad_arguments_fail_before_anything_is_sent(genaio_emulator, client):
    async with client.aio as aio:
        with pytest.raises(ValueError, match="media_id"):
            await aio.file_search_stores.download_media(media_id="fileSearchStores/s/blobs/b")
        with pytest.raises(ValueError, match="mime_type"):
            await aio.file_search_stores.upload_to_file_search_store(
                file_search_store_name="fileSearchStores/s", file=b"x"
            )
        with pytest.raises(ValueError, match="unknown field"):
            await aio.file_search_stores.create(config={"displayname": "typo"})
    assert genaio_emulator.stats()["requests"] == 0


async def test_a_cancelled_call_leaves_the_family_serving(genaio_emulator, client):
    genaio_emulator.set_faults(FaultConfig(latency_ms=30_000, methods=("listFileSearchStores",)))
    async with client.aio as aio:
        with trio.move_on_after(0.2) as scope:
            await aio.file_search_stores.list()
        assert scope.cancelled_caught
        await trio.testing.wait_all_tasks_blocked()
        assert aio.statistics()["families"]["file_search_stores"].in_flight == 0
        store = await aio.file_search_stores.create(config={"display_name": "after"})
        assert (await aio.file_search_stores.get(name=store.name)).display_name == "after"


VERTEX_CALLS = {
    "files.upload": lambda aio: aio.files.upload(file=b"x", config={"mime_type": "text/plain"}),
    "files.get": lambda aio: aio.files.get(name="files/a"),
    "files.list": lambda aio: aio.files.list(),
    "files.delete": lambda aio: aio.files.delete(name="files/a"),
    "files.download": lambda aio: aio.files.download(file="files/a"),
    "files.register_files": lambda aio: aio.files.register_files(auth=None, uris=[]),
    "stores.create": lambda aio: aio.file_search_stores.create(),
    "stores.get": lambda aio: aio.file_search_stores.get(name="fileSearchStores/s"),
    "stores.list": lambda aio: aio.file_search_stores.list(),
    "stores.delete": lambda aio: aio.file_search_stores.delete(name="fileSearchStores/s"),
    "stores.import_file": lambda aio: aio.file_search_stores.import_file(
        file_search_store_name="fileSearchStores/s", file_name="files/a"
    ),
    "stores.upload": lambda aio: aio.file_search_stores.upload_to_file_search_store(
        file_search_store_name="fileSearchStores/s", file=b"x", config={"mime_type": "a/b"}
    ),
    "stores.download_media": lambda aio: aio.file_search_stores.download_media(
        media_id="fileSearchStores/s/media/m"
    ),
    "documents.get": lambda aio: aio.file_search_stores.documents.get(name="d"),
    "documents.list": lambda aio: aio.file_search_stores.documents.list(parent="s"),
    "documents.delete": lambda aio: aio.file_search_stores.documents.delete(name="d"),
}


@pytest.mark.parametrize("name", sorted(VERTEX_CALLS))
async def test_vertex_ai_has_neither_family(name, genaio_emulator):
    client = genaio.Client(
        vertexai=True, api_key="k", http_options={"base_url": genaio_emulator.base_url}
    )
    with pytest.raises(ValueError, match="only supported in the Gemini Developer API"):
        await VERTEX_CALLS[name](client.aio)
    assert genaio_emulator.stats()["requests"] == 0
    await client.aio.aclose()
