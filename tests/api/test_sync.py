"""The blocking surface: the same engine, on a loop in a background thread."""

from __future__ import annotations

import threading

import pytest
import trio

import genaio
from genaio import errors


@pytest.fixture
def client(genaio_emulator):
    return genaio.Client(api_key="k", http_options={"base_url": genaio_emulator.base_url})


def test_every_kind_of_method_blocks(client):
    with client:
        assert client.models.generate_content(model="gemini-2.0-flash", contents="Hi").text
        chunks = list(client.models.generate_content_stream(model="gemini-2.0-flash", contents="x"))
        assert chunks and all(chunk.text is not None for chunk in chunks)
        pager = client.models.list(config={"page_size": 2})
        assert len(pager) == 2
        assert len(list(pager)) > 2
        embedded = client.models.embed_content(model="gemini-embedding-001", contents=["a", "b"])
        assert len(embedded.embeddings) == 2
        with pytest.raises(errors.NotFoundError):
            client.models.get(model="no-such-model")


def test_close_is_idempotent_and_final(client):
    client.models.count_tokens(model="gemini-2.0-flash", contents="Hi")
    client.close()
    client.close()
    with pytest.raises(errors.ClientClosedError):
        client.models.count_tokens(model="gemini-2.0-flash", contents="Hi")


def test_closing_the_sync_surface_leaves_aio_open_and_stops_its_thread(client):
    client.models.count_tokens(model="gemini-2.0-flash", contents="Hi")
    client.close()
    assert not [t for t in threading.enumerate() if t.name == "genaio-sync"]

    async def still_open():
        return await client.aio.models.count_tokens(model="gemini-2.0-flash", contents="Hi")

    assert trio.run(still_open).total_tokens > 0


def test_blocking_calls_work_inside_trio_run(client):
    async def main():
        return client.models.generate_content(model="gemini-2.0-flash", contents="Hi").text

    assert trio.run(main)
    client.close()


def test_a_client_that_was_never_used_closes_at_once():
    genaio.Client(api_key="k").close()
