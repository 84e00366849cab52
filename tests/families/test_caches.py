"""`client.aio.caches` against the emulator: every method, its errors, the official SDK's wire
requests on both backends, and the reference page's example under asyncio and trio."""

from __future__ import annotations

import asyncio
import datetime

import google.oauth2.credentials
import pytest
import trio

import genaio
from genaio import types
from genaio.errors import InvalidArgumentError, PermissionDeniedError, RateLimitError
from tests.recording import record_genaio, record_sdk

VERTEX = {
    "vertexai": True,
    "project": "p",
    "location": "us-central1",
    "credentials": google.oauth2.credentials.Credentials("tok"),
}
NO_RETRY = {"retry_options": {"attempts": 1}}


def client(emulator, **kwargs):
    options = {"base_url": emulator.base_url, **NO_RETRY}
    if kwargs.get("vertexai"):
        return genaio.Client(http_options=options, **kwargs)
    return genaio.Client(api_key="test-key", http_options=options)


@pytest.mark.parametrize("backend", [{}, VERTEX], ids=["gemini", "vertex"])
async def test_create_get_update_list_delete(genaio_emulator, backend):
    async with client(genaio_emulator, **backend).aio as aio:
        cache = await aio.caches.create(
            model="gemini-2.0-flash",
            config=types.CreateCachedContentConfig(
                contents="A long document.", system_instruction="be brief", ttl="60s"
            ),
        )
        assert "cachedContents/" in cache.name
        assert cache.model.endswith("models/gemini-2.0-flash")
        assert cache.usage_metadata.total_token_count > 0
        assert (await aio.caches.get(name=cache.name)).expire_time == cache.expire_time
        later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=2)
        updated = await aio.caches.update(name=cache.name, config={"expire_time": later})
        assert updated.expire_time > cache.expire_time
        await aio.caches.create(model="gemini-2.0-flash", contents="another")
        pager = await aio.caches.list(config={"page_size": 1})
        assert pager.name == "cached_contents" and len(pager) == 1
        assert len([c async for c in pager]) == 2
        deleted = await aio.caches.delete(name=cache.name)
        assert deleted.sdk_http_response.headers
        with pytest.raises(PermissionDeniedError):  # the real API's answer for a missing cache
            await aio.caches.get(name=cache.name)


async def test_a_cache_serves_generate_content_and_expires(genaio_emulator):
    async with client(genaio_emulator).aio as aio:
        cache = await aio.caches.create(model="gemini-2.0-flash", contents="Long document...")
        response = await aio.models.generate_content(
            model="gemini-2.0-flash", contents="Hi", config={"cached_content": cache.name}
        )
        assert response.usage_metadata.cached_content_token_count > 0
        genaio_emulator.advance(3601)
        with pytest.raises(PermissionDeniedError):
            await aio.caches.get(name=cache.name)


async def test_errors(genaio_emulator):
    async with client(genaio_emulator).aio as aio:
        with pytest.raises(ValueError, match="not both"):
            await aio.caches.create(model="m", contents="a", config={"contents": "b"})
        with pytest.raises(ValueError, match="kms_key_name"):
            await aio.caches.create(model="m", contents="a", config={"kms_key_name": "k"})
        with pytest.raises(InvalidArgumentError):
            await aio.caches.create(
                model="gemini-2.0-flash", contents="a", config={"ttl": "1s", "expire_time": "2030"}
            )
        genaio_emulator.set_faults(error_429_rate=1.0, methods=["createCachedContent"])
        with pytest.raises(RateLimitError):
            await aio.caches.create(model="gemini-2.0-flash", contents="a")


async def test_cancelling_a_call_leaves_the_client_serving(genaio_emulator):
    genaio_emulator.set_faults(hang_rate=1.0, methods=["listCachedContents"])
    async with client(genaio_emulator).aio as aio:
        with trio.move_on_after(0.2) as scope:
            await aio.caches.list()
        assert scope.cancelled_caught
        assert (await aio.caches.create(model="gemini-2.0-flash", contents="a")).name


async def _every_method(aio):
    cache = await aio.caches.create(
        model="gemini-2.0-flash",
        config={
            "contents": ["hello", "world"],
            "system_instruction": "be brief",
            "tools": [{"code_execution": {}}],
            "display_name": "d",
            "ttl": "60s",
        },
    )
    await aio.caches.get(name=cache.name)
    await aio.caches.update(name=cache.name, config={"ttl": "120s"})
    later = datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC)
    await aio.caches.update(name=cache.name.rsplit("/", 1)[-1], config={"expire_time": later})
    await aio.caches.list(config={"page_size": 2})
    await aio.caches.delete(name=cache.name)


@pytest.mark.parametrize("backend", [{}, VERTEX], ids=["gemini", "vertex"])
def test_same_requests_as_the_official_sdk(genaio_emulator, backend):
    genaio_emulator.reset()
    ours = asyncio.run(record_genaio(genaio_emulator.base_url, _every_method, **backend))
    genaio_emulator.reset()
    theirs = asyncio.run(record_sdk(genaio_emulator.base_url, _every_method, **backend))
    assert len(ours) == 6
    assert ours == theirs


REFERENCE_EXAMPLE = """
from genaio import Client  # the reference page imports `from google import genai`

client = Client()


async def main():
    cache = await client.aio.caches.create(
        model='gemini-2.0-flash',
        contents='Long document...'
    )
    print(cache.name)
    await client.aio.aclose()
"""


@pytest.mark.parametrize("runner", ["asyncio.run(main())", "trio.run(main)"])
def test_the_reference_example(runner, genaio_emulator, monkeypatch, capsys):
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.setenv("GOOGLE_API_KEY", "test-key")
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", genaio_emulator.base_url)
    exec(REFERENCE_EXAMPLE + f"\nimport {runner.split('.')[0]}\n{runner}\n", {})
    assert capsys.readouterr().out.startswith("cachedContents/")
