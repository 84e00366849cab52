"""The streaming mapper: any iterable in, results out as they finish, memory bounded."""

from __future__ import annotations

import json

import httpx
import trio
import trio.testing

from genaio.api._embed_many import EmbedMany
from genaio.errors import InvalidArgumentError
from tests.helpers import error_json, json_response, mock_client


class Server:
    def __init__(self):
        self.in_flight = 0
        self.peak = 0
        self.entries = 0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        texts = [r["content"]["parts"][0]["text"] for r in json.loads(request.content)["requests"]]
        self.in_flight += len(texts)
        self.peak = max(self.peak, self.in_flight)
        await trio.sleep(0.01)
        self.in_flight -= len(texts)
        self.entries += len(texts)
        if "" in texts:
            return json_response(400, error_json(400, "INVALID_ARGUMENT", "empty text"))
        return json_response(200, {"embeddings": [{"values": [float(t)]} for t in texts]})


def embed_many(client, contents, **kwargs):
    return EmbedMany(client.aio.models, model="m", contents=contents, **kwargs)


async def test_every_input_comes_out_once_with_its_position(autojump_clock):
    client = mock_client(Server())
    async with embed_many(client, (str(i) for i in range(1000)), max_in_flight=64) as results:
        got = {r.index: r.embedding.values[0] async for r in results}
    assert got == {i: float(i) for i in range(1000)}
    await client.aio.aclose()


async def test_an_async_iterable_and_a_failing_item(autojump_clock):
    async def texts():
        for text in ("1", "", "3"):
            yield text

    client = mock_client(Server())
    async with embed_many(client, texts()) as results:
        got = {r.index: r async for r in results}
    assert isinstance(got[1].error, InvalidArgumentError) and got[1].embedding is None
    assert got[0].embedding.values == [1.0] and got[2].embedding.values == [3.0]
    await client.aio.aclose()


async def test_in_flight_is_bounded_however_long_the_input(autojump_clock):
    server = Server()
    client = mock_client(server)
    read = 0

    def endless():
        nonlocal read
        while True:
            read += 1
            yield str(read)

    consumed = 0
    async with embed_many(client, endless(), max_in_flight=50) as results:
        async for result in results:
            consumed += 1
            if result.index >= 500:
                break
    assert server.peak <= 50
    assert read <= consumed + 51  # the input is read only as far as the window allows
    await client.aio.aclose()


async def test_a_slow_reader_slows_the_input(autojump_clock):
    client = mock_client(Server())
    read = 0

    def counted():
        nonlocal read
        for i in range(10_000):
            read += 1
            yield str(i)

    consumed = 0
    async with embed_many(client, counted(), max_in_flight=20) as results:
        async for _ in results:
            consumed += 1
            await trio.sleep(1)  # a reader far slower than the service
            await trio.testing.wait_all_tasks_blocked()
            assert read <= consumed + 20 + 1
            if consumed > 30:
                break
    await client.aio.aclose()
