"""The official google-genai SDK (the oracle) against the emulator on the Gemini API.

Each test runs the SDK under `asyncio.run` in a plain sync test against a thread-run emulator.
What the SDK accepts, and the errors it raises for injected faults, are what the real API
would give it.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from genaio.emulator import EmulatorConfig, EmulatorThread, run_emulator_in_thread

genai = pytest.importorskip("google.genai")
from google.genai import errors, types  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorThread]:
    with run_emulator_in_thread(EmulatorConfig(lro_seconds=1.0)) as emulator:
        yield emulator


@pytest.fixture
def emulator(server: EmulatorThread) -> EmulatorThread:
    server.reset()
    server.set_faults(None)
    return server


def run(emulator: EmulatorThread, scenario: Any, **client_args: Any) -> Any:
    async def main() -> Any:
        client = genai.Client(
            api_key="test-key", http_options={"base_url": emulator.base_url, **client_args}
        )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return await scenario(client.aio)
        finally:
            await client.aio.aclose()

    return asyncio.run(main())


def test_models_family(emulator: EmulatorThread) -> None:
    async def scenario(aio: Any) -> None:
        r = await aio.models.generate_content(model="gemini-2.5-flash", contents="Hi there")
        assert r.text == "You said: Hi there"
        assert r.usage_metadata.prompt_token_count == 2
        chunks = [
            c.text
            async for c in await aio.models.generate_content_stream(
                model="gemini-2.5-flash", contents="one two three four five six"
            )
        ]
        assert "".join(chunks) == "You said: one two three four five six" and len(chunks) == 2
        embedded = await aio.models.embed_content(
            model="gemini-embedding-001", contents=["a", "b"], config={"output_dimensionality": 8}
        )
        assert [len(e.values) for e in embedded.embeddings] == [8, 8]
        count = await aio.models.count_tokens(model="gemini-2.5-flash", contents="Hello, world!")
        assert count.total_tokens == 4
        model = await aio.models.get(model="gemini-2.5-flash")
        assert model.name == "models/gemini-2.5-flash"
        assert "generateContent" in model.supported_actions
        pager = await aio.models.list(config={"page_size": 5})
        assert len(pager.page) == 5
        assert [m.name async for m in pager] == [f"models/{m.name}" for m in emulator.config.models]
        schema_reply = await aio.models.generate_content(
            model="gemini-2.5-flash",
            contents="a recipe",
            config={
                "response_mime_type": "application/json",
                "response_schema": {
                    "type": "OBJECT",
                    "properties": {"name": {"type": "STRING"}, "minutes": {"type": "INTEGER"}},
                },
            },
        )
        assert schema_reply.parsed == {"name": "name: a recipe", "minutes": 1}

        def get_weather(city: str) -> str:
            """The weather in a city."""
            return f"sunny in {city}"

        afc = await aio.models.generate_content(
            model="gemini-2.5-flash", contents="weather?", config={"tools": [get_weather]}
        )
        assert afc.text.startswith("The function get_weather returned")
        chat = aio.chats.create(model="gemini-2.5-flash")
        assert (await chat.send_message("first")).text == "You said: first"
        assert len(chat.get_history()) == 2

    run(emulator, scenario)


def test_files_family_with_a_multi_chunk_upload(emulator: EmulatorThread, tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    data = b"0123456789abcdef" * (9 * 1024 * 1024 // 16)  # 9 MiB: two 8 MiB chunks
    path.write_bytes(data)

    async def scenario(aio: Any) -> None:
        file = await aio.files.upload(file=str(path), config={"display_name": "big"})
        assert file.size_bytes == len(data) and file.state == types.FileState.ACTIVE
        assert (await aio.files.get(name=file.name)).display_name == "big"
        assert [f.name async for f in await aio.files.list(config={"page_size": 1})] == [file.name]
        assert await aio.files.download(file=file.name) == data
        from google.oauth2.credentials import Credentials

        registered = await aio.files.register_files(
            auth=Credentials(token="tok"), uris=["gs://bucket/a.pdf"]
        )
        assert registered.files[0].source == types.FileSource.REGISTERED
        await aio.files.delete(name=file.name)
        with pytest.raises(errors.ClientError) as caught:
            await aio.files.get(name=file.name)
        assert caught.value.code == 403

    run(emulator, scenario)
    uploads = emulator.stats()["by_endpoint"]["uploadFile"]
    assert uploads["requests"] == 3  # start + two chunks


def test_caches_family(emulator: EmulatorThread) -> None:
    async def scenario(aio: Any) -> None:
        cache = await aio.caches.create(
            model="gemini-2.5-flash",
            config={"contents": ["a long shared context"], "ttl": "300s", "display_name": "c"},
        )
        assert cache.name.startswith("cachedContents/") and cache.display_name == "c"
        updated = await aio.caches.update(name=cache.name, config={"ttl": "600s"})
        assert updated.expire_time > cache.expire_time
        assert (await aio.caches.get(name=cache.name)).name == cache.name
        assert [c.name async for c in await aio.caches.list()] == [cache.name]
        used = await aio.models.generate_content(
            model="gemini-2.5-flash", contents="q", config={"cached_content": cache.name}
        )
        assert used.usage_metadata.cached_content_token_count == 4
        await aio.caches.delete(name=cache.name)

    run(emulator, scenario)


def test_batches_family(emulator: EmulatorThread) -> None:
    async def scenario(aio: Any) -> None:
        job = await aio.batches.create(
            model="gemini-2.5-flash",
            src=[{"contents": [{"parts": [{"text": "hi"}], "role": "user"}]}],
            config={"display_name": "b"},
        )
        assert job.state == types.JobState.JOB_STATE_PENDING and job.display_name == "b"
        emulator.advance(5)
        job = await aio.batches.get(name=job.name)
        assert job.state == types.JobState.JOB_STATE_SUCCEEDED
        assert job.dest.inlined_responses[0].response.text == "You said: hi"
        embed = await aio.batches.create_embeddings(
            model="gemini-embedding-001", src={"inlined_requests": {"contents": ["x", "y"]}}
        )
        pending = await aio.batches.create(
            model="gemini-2.5-flash",
            src=[{"contents": [{"parts": [{"text": "later"}], "role": "user"}]}],
        )
        await aio.batches.cancel(name=pending.name)
        assert (await aio.batches.get(name=pending.name)).state == (
            types.JobState.JOB_STATE_CANCELLED
        )
        emulator.advance(5)
        embed = await aio.batches.get(name=embed.name)
        assert len(embed.dest.inlined_embed_content_responses) == 2
        assert len([j async for j in await aio.batches.list(config={"page_size": 2})]) == 3
        await aio.batches.delete(name=job.name)

    run(emulator, scenario)


def test_tunings_and_tuned_models(emulator: EmulatorThread) -> None:
    async def scenario(aio: Any) -> None:
        job = await aio.tunings.tune(
            base_model="models/gemini-2.5-flash",
            training_dataset=types.TuningDataset(
                examples=[types.TuningExample(text_input="a", output="b")]
            ),
            config={"tuned_model_display_name": "t", "epoch_count": 1},
        )
        assert job.state == types.JobState.JOB_STATE_QUEUED
        assert (await aio.tunings.get(name=job.name)).state == types.JobState.JOB_STATE_RUNNING
        emulator.advance(5)
        done = await aio.tunings.get(name=job.name)
        assert done.state == types.JobState.JOB_STATE_SUCCEEDED
        reply = await aio.models.generate_content(model=job.name, contents="x")
        assert reply.text == "You said: x"
        tuned = [m.name async for m in await aio.models.list(config={"query_base": False})]
        assert tuned == [job.name]
        updated = await aio.models.update(model=job.name, config={"display_name": "u"})
        assert updated.display_name == "u"
        second = await aio.tunings.tune(
            base_model="models/gemini-2.5-flash",
            training_dataset=types.TuningDataset(
                examples=[types.TuningExample(text_input="a", output="b")]
            ),
        )
        await aio.tunings.cancel(name=second.name)
        assert (await aio.tunings.get(name=second.name)).state == (types.JobState.JOB_STATE_FAILED)
        await aio.models.delete(model=job.name)
        with pytest.raises(ValueError, match="only supported in"):
            await aio.tunings.list()  # tunings.list is Vertex only

    run(emulator, scenario)


def test_file_search_stores_documents_operations(emulator: EmulatorThread, tmp_path: Path) -> None:
    path = tmp_path / "doc.txt"
    path.write_bytes(b"hello document")

    async def scenario(aio: Any) -> None:
        store = await aio.file_search_stores.create(config={"display_name": "s"})
        assert (await aio.file_search_stores.get(name=store.name)).display_name == "s"
        op = await aio.file_search_stores.upload_to_file_search_store(
            file_search_store_name=store.name, file=str(path), config={"display_name": "d"}
        )
        assert op.name.startswith(f"{store.name}/upload/operations/") and not op.done
        file = await aio.files.upload(file=str(path))
        imported = await aio.file_search_stores.import_file(
            file_search_store_name=store.name, file_name=file.name
        )
        emulator.advance(5)
        op = await aio.operations.get(op)
        assert op.done and op.response.document_name.startswith(f"{store.name}/documents/")
        imported = await aio.operations.get(imported)
        assert imported.done and imported.response.parent == store.name
        docs = [d async for d in await aio.file_search_stores.documents.list(parent=store.name)]
        assert len(docs) == 2
        doc = await aio.file_search_stores.documents.get(name=op.response.document_name)
        assert doc.state == types.DocumentState.STATE_ACTIVE and doc.display_name == "d"
        media = op.response.document_name.replace("/documents/", "/media/")
        assert await aio.file_search_stores.download_media(media_id=media) == (b"hello document")
        await aio.file_search_stores.documents.delete(name=doc.name, config={"force": True})
        assert len([s async for s in await aio.file_search_stores.list()]) == 1
        await aio.file_search_stores.delete(name=store.name, config={"force": True})
        assert [s async for s in await aio.file_search_stores.list()] == []

    run(emulator, scenario)


def test_auth_tokens_and_interactions(emulator: EmulatorThread) -> None:
    async def scenario(aio: Any) -> str:
        token = await aio.auth_tokens.create(config={"uses": 1})
        assert token.name.startswith("auth_tokens/")
        interaction = await aio.interactions.create(model="gemini-2.5-flash", input="Hello")
        assert interaction.status == "completed"
        got = await aio.interactions.get(interaction.id)
        assert got.id == interaction.id
        events = [
            e
            async for e in await aio.interactions.create(
                model="gemini-2.5-flash", input="one two three four five", stream=True
            )
        ]
        assert events[0].event_type == "interaction.created"
        assert events[-1].event_type == "interaction.completed"
        background = await aio.interactions.create(
            agent="deep-research-pro-preview-12-2025", input="x", background=True
        )
        await aio.interactions.cancel(background.id)
        await aio.interactions.delete(interaction.id)
        return token.name

    token = run(emulator, scenario, api_version="v1alpha")

    async def rest_with_token(aio: Any) -> None:
        await aio.models.generate_content(model="gemini-2.5-flash", contents="x")

    async def main() -> None:
        client = genai.Client(api_key=token, http_options={"base_url": emulator.base_url})
        with pytest.raises(ValueError, match="Ephemeral tokens"):
            await rest_with_token(client.aio)  # the SDK refuses before sending (spec §11)
        await client.aio.aclose()

    asyncio.run(main())


def test_sdk_finds_the_emulator_through_the_environment(
    emulator: EmulatorThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", emulator.base_url)
    monkeypatch.setenv("GOOGLE_API_KEY", "test-key")
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)

    async def main() -> str:
        client = genai.Client()
        try:
            reply = await client.aio.models.generate_content(
                model="gemini-2.5-flash", contents="env"
            )
            return reply.text
        finally:
            await client.aio.aclose()

    assert asyncio.run(main()) == "You said: env"
    assert emulator.stats()["requests"] == 1


def test_vertex_only_methods_on_gemini_say_why(emulator: EmulatorThread) -> None:
    async def scenario(aio: Any) -> None:
        with pytest.raises(ValueError, match="only supported in"):
            await aio.models.compute_tokens(model="gemini-2.5-flash", contents="x")
        with pytest.raises(ValueError, match="only supported in"):
            await aio.models.generate_images(model="imagen-4.0-generate-001", prompt="x")
        with pytest.raises(ValueError, match="only supported in"):
            await aio.models.generate_videos(model="veo-3.0-generate-001", prompt="x")

    run(emulator, scenario)


@pytest.mark.parametrize(
    ("fault", "error", "code"),
    [
        ("error_503_rate", errors.ServerError, 503),
        ("error_500_rate", errors.ServerError, 500),
        ("error_429_rate", errors.ClientError, 429),
    ],
)
def test_injected_errors_reach_the_sdk_as_api_errors(
    emulator: EmulatorThread, fault: str, error: type, code: int
) -> None:
    emulator.set_faults(**{fault: 1.0})

    async def scenario(aio: Any) -> None:
        with pytest.raises(error) as caught:
            await aio.models.generate_content(model="gemini-2.5-flash", contents="x")
        assert caught.value.code == code

    run(emulator, scenario)


def test_quota_429_reaches_the_sdk(emulator: EmulatorThread) -> None:
    with run_emulator_in_thread(
        EmulatorConfig(quotas={"*": {"rpm": 1}}, time_scale=1e-6)
    ) as limited:

        async def scenario(aio: Any) -> None:
            await aio.models.generate_content(model="gemini-2.5-flash", contents="x")
            with pytest.raises(errors.ClientError) as caught:
                await aio.models.generate_content(model="gemini-2.5-flash", contents="x")
            assert caught.value.code == 429 and caught.value.status == "RESOURCE_EXHAUSTED"
            details = caught.value.details["error"]["details"]
            assert details[-1]["@type"] == "type.googleapis.com/google.rpc.RetryInfo"

        run(limited, scenario)


def test_stream_faults_reach_the_sdk(emulator: EmulatorThread) -> None:
    async def scenario(aio: Any) -> None:
        emulator.set_faults(stream_error_rate=1.0)
        seen = []
        with pytest.raises(errors.ServerError) as caught:
            async for chunk in await aio.models.generate_content_stream(
                model="gemini-2.5-flash", contents="a b c d e f g h i j"
            ):
                seen.append(chunk.text)
        assert caught.value.code == 503 and seen == ["You said: a b "]
        emulator.set_faults(malformed_rate=1.0)
        with pytest.raises(errors.UnknownApiResponseError):
            async for _ in await aio.models.generate_content_stream(
                model="gemini-2.5-flash", contents="x"
            ):
                pass
        emulator.set_faults(stream_cut_rate=1.0)
        with pytest.raises(Exception) as cut:
            async for _ in await aio.models.generate_content_stream(
                model="gemini-2.5-flash", contents="a b c d e f g h i j"
            ):
                pass
        assert type(cut.value).__module__.startswith("httpx")  # a transport error, not an API one
        emulator.set_faults(reset_rate=1.0)
        with pytest.raises(Exception) as reset:
            await aio.models.generate_content(model="gemini-2.5-flash", contents="x")
        assert type(reset.value).__module__.startswith("httpx")

    run(emulator, scenario)


def test_sdk_retries_recover_from_a_503(emulator: EmulatorThread) -> None:
    emulator.set_faults(seed=1, error_503_rate=0.5)

    async def scenario(aio: Any) -> None:
        for _ in range(5):
            reply = await aio.models.generate_content(model="gemini-2.5-flash", contents="x")
            assert reply.text == "You said: x"

    run(
        emulator,
        scenario,
        retry_options={"attempts": 10, "initial_delay": 0.001, "max_delay": 0.001, "jitter": 0.001},
    )
    assert emulator.stats()["faults"].get("error_503", 0) > 0
