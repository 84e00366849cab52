"""The models family against the emulator: every method, its errors, and its pager."""

from __future__ import annotations

import httpx
import pydantic
import pytest
import trio
import trio.testing

import genaio
from genaio import errors, types
from genaio.emulator import EmulatorConfig, FaultConfig, QuotaLimits
from tests.helpers import mock_client


@pytest.fixture
def client(genaio_emulator):
    return genaio.Client(api_key="test-key", http_options={"base_url": genaio_emulator.base_url})


async def test_generate_content_and_its_conveniences(client):
    async with client.aio as aio:
        response = await aio.models.generate_content(
            model="gemini-2.0-flash", contents=["Hello", "there"]
        )
        assert "there" in response.text
        assert response.usage_metadata.total_token_count > 0
        assert response.candidates[0].finish_reason == types.FinishReason.STOP
        assert response.sdk_http_response.headers


async def test_function_calls_and_structured_output(client):
    def get_weather(city: str) -> str:
        """The weather in a city."""
        return "sunny"

    async with client.aio as aio:
        called = await aio.models.generate_content(
            model="gemini-2.0-flash",
            contents="Weather in Paris?",
            config={
                "tools": [
                    types.Tool(
                        function_declarations=[
                            types.FunctionDeclaration.from_callable(
                                client=aio, callable=get_weather
                            )
                        ]
                    )
                ],
            },
        )
        assert called.function_calls and called.function_calls[0].name == "get_weather"

        class Answer(pydantic.BaseModel):
            city: str
            degrees: int

        structured = await aio.models.generate_content(
            model="gemini-2.0-flash",
            contents="Weather?",
            config={"response_mime_type": "application/json", "response_schema": Answer},
        )
        assert isinstance(structured.parsed, Answer)


async def test_stream_chunks(client):
    async with client.aio as aio:
        chunks = [
            chunk.text
            async for chunk in await aio.models.generate_content_stream(
                model="gemini-2.0-flash", contents="Write a long story about trio"
            )
        ]
    assert len(chunks) > 1
    assert "trio" in "".join(chunks)


async def test_embed_one_and_many(client):
    async with client.aio as aio:
        one = await aio.models.embed_content(model="gemini-embedding-001", contents="a")
        many = await aio.models.embed_content(
            model="gemini-embedding-001",
            contents=["a", "b", "c"],
            config=types.EmbedContentConfig(output_dimensionality=16),
        )
    assert len(one.embeddings) == 1
    assert [len(e.values) for e in many.embeddings] == [16, 16, 16]
    assert abs(sum(v * v for v in many.embeddings[0].values) - 1) < 1e-6


async def test_count_tokens_and_get(client):
    async with client.aio as aio:
        counted = await aio.models.count_tokens(model="gemini-2.0-flash", contents="one two three")
        model = await aio.models.get(model="gemini-2.0-flash")
    assert counted.total_tokens > 0
    assert model.name == "models/gemini-2.0-flash"
    assert "generateContent" in (model.supported_actions or [])


async def test_the_pager_walks_every_page(client):
    async with client.aio as aio:
        pager = await aio.models.list(config={"page_size": 2})
        assert len(pager) == 2 and pager.page_size == 2
        names = [model.name async for model in pager]
        again = await aio.models.list(config={"page_size": 2})
        pages = [again.page]
        while True:
            try:
                pages.append(await again.next_page())
            except IndexError:
                break
    assert len(names) == len(set(names)) > 2
    assert [m.name for page in pages for m in page] == names


async def test_an_unknown_model_is_not_found(client):
    async with client.aio as aio:
        with pytest.raises(errors.NotFoundError) as caught:
            await aio.models.generate_content(model="no-such-model", contents="Hi")
    assert caught.value.code == 404 and caught.value.status == "NOT_FOUND"


@pytest.mark.parametrize("genaio_emulator_config", [EmulatorConfig(api_keys=("right",))])
async def test_a_wrong_key_is_refused(genaio_emulator):
    client = genaio.Client(api_key="wrong", http_options={"base_url": genaio_emulator.base_url})
    with pytest.raises(errors.ClientError) as caught:
        await client.aio.models.generate_content(model="gemini-2.0-flash", contents="Hi")
    assert caught.value.code in (400, 401, 403)
    assert "wrong" not in str(caught.value)
    await client.aio.aclose()


@pytest.mark.parametrize(
    "genaio_emulator_config", [EmulatorConfig(quotas={"*": QuotaLimits(rpm=1)})]
)
async def test_a_quota_429_carries_the_servers_retry_delay(genaio_emulator):
    client = genaio.Client(
        api_key="k",
        http_options={"base_url": genaio_emulator.base_url, "retry_options": {"attempts": 1}},
    )
    async with client.aio as aio:
        await aio.models.generate_content(model="gemini-2.0-flash", contents="Hi")
        with pytest.raises(errors.RateLimitError) as caught:
            await aio.models.generate_content(model="gemini-2.0-flash", contents="Hi")
    assert caught.value.retry_delay is not None and 0 < caught.value.retry_delay <= 60


async def test_server_faults_are_retried_to_success(genaio_emulator, client):
    genaio_emulator.set_faults(FaultConfig(seed=3, error_503_rate=0.5))
    retrying = genaio.Client(
        api_key="k",
        http_options={
            "base_url": genaio_emulator.base_url,
            "retry_options": {
                "attempts": 10,
                "initial_delay": 0.001,
                "max_delay": 0.01,
                "jitter": 0,
            },
        },
    )
    async with retrying.aio as aio:
        for _ in range(10):
            assert (await aio.models.generate_content(model="gemini-2.0-flash", contents="x")).text
        assert aio.statistics()["retries"] > 0


async def test_bad_arguments_fail_before_anything_is_sent():
    sent = []
    client = mock_client(lambda request: sent.append(request))
    with pytest.raises(pydantic.ValidationError):
        await client.aio.models.generate_content(
            model="gemini-2.0-flash", contents="Hi", config={"temprature": 0.2}
        )
    with pytest.raises(ValueError):
        await client.aio.models.generate_content(model="../etc", contents="Hi")
    with pytest.raises(pydantic.ValidationError):
        await client.aio.models.embed_content(
            model="m", contents="x", config={"output_dimensionality": "many"}
        )
    assert sent == []
    await client.aio.aclose()


async def test_a_cancelled_call_returns_its_pooled_connection(genaio_emulator):
    genaio_emulator.set_faults(FaultConfig(latency_ms=30_000))
    client = genaio.Client(api_key="k", http_options={"base_url": genaio_emulator.base_url})
    async with client.aio as aio:
        with trio.move_on_after(0.2):
            await aio.models.generate_content(model="gemini-2.0-flash", contents="slow")
        await trio.testing.wait_all_tasks_blocked()
        pool = aio.statistics()["pool"]
        assert pool.busy == 0 and pool.waiting == 0
        assert aio.statistics()["families"]["models"].in_flight == 0
        genaio_emulator.set_faults(None)
        assert (await aio.models.generate_content(model="gemini-2.0-flash", contents="x")).text


async def test_a_flood_of_callers_waits_at_a_bounded_mailbox(nursery):
    release = trio.Event()

    async def slow(request):
        await release.wait()
        return httpx.Response(200, json={"embeddings": [{"values": [1.0]}]})

    limits = genaio.Limits(
        families={"models": genaio.FamilyLimits(concurrency=4, mailbox_size=8)},
        batching=None,  # one request per call, to watch the mailbox alone
    )
    client = mock_client(slow, limits=limits)
    done = []

    async def caller(i):
        await client.aio.models.embed_content(model="m", contents=f"t{i}")
        done.append(i)

    for i in range(500):
        nursery.start_soon(caller, i)
    await trio.testing.wait_all_tasks_blocked()
    stats = client.aio.statistics()["families"]["models"]
    # Four in flight, the mailbox full and as much again held by the serve loop for workers;
    # the other 480 callers wait to submit and hold nothing of the engine's: memory is bounded
    # by the limits (twice the mailbox plus the workers), not by the flood.
    assert stats.in_flight == 4
    assert stats.queued <= 2 * 8 + 1
    assert stats.submitted == stats.in_flight + stats.queued
    release.set()
    await trio.testing.wait_all_tasks_blocked()
    assert len(done) == 500
    await client.aio.aclose()


async def test_ten_thousand_single_embeddings_share_about_a_hundred_requests(genaio_emulator):
    client = genaio.Client(api_key="k", http_options={"base_url": genaio_emulator.base_url})
    results = {}

    async def embed(i):
        response = await aio.models.embed_content(model="gemini-embedding-001", contents=f"t{i}")
        results[i] = response.embeddings[0].values

    async with client.aio as aio, trio.open_nursery() as nursery:
        for i in range(10_000):
            nursery.start_soon(embed, i)
    assert len(results) == 10_000
    stats = genaio_emulator.stats()
    requests = stats["by_endpoint"].get("batchEmbedContents", {}).get("requests")
    assert requests is not None and requests <= 101, stats["by_endpoint"]
    # Each caller got the embedding of its own text: check a sample against lone calls.
    alone = genaio.Client(
        api_key="k",
        http_options={"base_url": genaio_emulator.base_url},
        limits=genaio.Limits(batching=None),
    )
    async with alone.aio as aio:
        for i in range(0, 10_000, 997):
            response = await aio.models.embed_content(
                model="gemini-embedding-001", contents=f"t{i}"
            )
            assert response.embeddings[0].values == results[i]
