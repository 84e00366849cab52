"""What a coalesced `embed_content` call keeps while it waits, through the whole client."""

from __future__ import annotations

import json

import httpx
import trio
import trio.testing

from tests.helpers import json_response, mock_client, tracked_objects


async def test_a_waiting_embed_content_keeps_neither_its_body_nor_its_call():
    """Ten thousand calls waiting at once are what the garbage collector walks: each keeps its
    member (entries written as JSON), not the request it was built from."""
    gate = trio.Event()
    sent: list[int] = []

    async def server(request: httpx.Request) -> httpx.Response:
        entries = json.loads(request.content)["requests"]
        sent.append(len(entries))
        await gate.wait()
        return json_response(200, {"embeddings": [{"values": [1.0, 2.0]} for _ in entries]})

    answers = []

    async def embed(aio, i: int) -> None:
        answer = await aio.models.embed_content(
            model="gemini-embedding-001", contents=f"text {i}", config={"task_type": "CLUSTERING"}
        )
        answers.append(answer.embeddings[0].values)

    async with mock_client(server).aio as aio, trio.open_nursery() as callers:
        before = tracked_objects()
        for i in range(150):
            callers.start_soon(embed, aio, i)
        await trio.testing.wait_all_tasks_blocked()
        alive = tracked_objects() - before
        in_flight = len(sent)  # the merged requests: each has its RestCall
        gate.set()
    assert sorted(sent) == [50, 100]
    assert (alive["Member"], alive["RestWork"], alive["RestCall"]) == (150, 0, in_flight)
    assert answers == [[1.0, 2.0]] * 150
