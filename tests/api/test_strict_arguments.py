"""Strict arguments where a method takes keywords it does not name (interactions.create), and
the official client's `extra_query` on the Interactions calls."""

from __future__ import annotations

import json

import pytest

from tests.helpers import json_response, mock_client

INTERACTION = {"id": "abc", "status": "completed"}


async def test_create_refuses_unknown_keywords_and_sends_the_apis_own():
    sent = []

    def handler(request):
        sent.append(request)
        return json_response(200, INTERACTION)

    async with mock_client(handler).aio as aio:
        with pytest.raises(TypeError, match="generation_cfg"):
            await aio.interactions.create(model="m", input="hi", generation_cfg={})
        assert sent == []
        await aio.interactions.create(
            model="m", input="hi", labels={"a": "b"}, service_tier="flex", extra_query={"x": "1"}
        )
    body = json.loads(sent[0].content)
    assert body["labels"] == {"a": "b"} and body["service_tier"] == "flex"
    assert sent[0].url.params["x"] == "1"


async def test_extra_query_on_get_cancel_and_delete():
    urls = []

    def handler(request):
        urls.append(request.url)
        return json_response(200, INTERACTION)

    async with mock_client(handler).aio as aio:
        await aio.interactions.get("abc", extra_query={"q": "1"})
        await aio.interactions.cancel("abc", extra_query={"q": "2"})
        await aio.interactions.delete("abc", extra_query={"q": "3"})
    assert [u.params["q"] for u in urls] == ["1", "2", "3"]
