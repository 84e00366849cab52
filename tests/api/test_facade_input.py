"""Bad user input is refused at the facade, before any actor sees it: a value that is not JSON,
wherever it is put (contents, parts, config, extra_body), is the caller's TypeError or
ValueError. No actor ever fails on it, and what does go out is JSON."""

from __future__ import annotations

import datetime
import json
from typing import Any

import httpx
import pytest
import trio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import genaio
from genaio.errors import GenaioError
from tests.helpers import GENERATE_OK, mock_client


class FakeImage:
    """What a user passes thinking of an image: an object, not a Part."""

    format = "PNG"
    size = (1, 1)

    def save(self, *args: Any, **kwargs: Any) -> None:
        raise AssertionError("never asked to save itself")


ODD = st.one_of(
    st.builds(object),
    st.builds(FakeImage),
    st.sets(st.integers(), min_size=1, max_size=3),
    st.frozensets(st.text(max_size=3), min_size=1, max_size=3),
    st.binary(min_size=1, max_size=8),
    st.complex_numbers(allow_nan=False, allow_infinity=False),
    st.just(Ellipsis),
    st.just(datetime.UTC),
    st.dictionaries(st.tuples(st.integers()), st.integers(), min_size=1, max_size=2),
)


def placements(odd: Any) -> list[tuple[str, dict[str, Any]]]:
    """Every place a user may put `odd`: (method, keyword arguments)."""
    fcall = {"function_call": {"name": "f", "args": {"a": odd}}}
    fresponse = {"function_response": {"name": "f", "response": {"a": [odd]}}}
    return [
        ("generate_content", {"contents": odd}),
        ("generate_content", {"contents": [odd]}),
        ("generate_content", {"contents": ["text", odd]}),
        ("generate_content", {"contents": [{"role": "user", "parts": [odd]}]}),
        ("generate_content", {"contents": [{"text": odd}]}),
        ("generate_content", {"contents": [fcall]}),
        ("generate_content", {"contents": [{"role": "user", "parts": [fresponse]}]}),
        ("generate_content", {"contents": "x", "config": {"labels": {"k": odd}}}),
        ("generate_content", {"contents": "x", "config": {"response_json_schema": {"a": odd}}}),
        ("generate_content", {"contents": "x", "config": {"temperature": odd}}),
        ("generate_content", {"contents": "x", "config": odd}),
        ("generate_content", {"contents": "x", "config": {"system_instruction": odd}}),
        (
            "generate_content",
            {"contents": "x", "config": {"http_options": {"extra_body": {"k": odd}}}},
        ),
        ("generate_content_stream", {"contents": [odd]}),
        ("count_tokens", {"contents": [fcall]}),
        ("embed_content", {"contents": [odd]}),
        ("embed_content", {"contents": odd}),
    ]


def server(sent: list[Any]) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))  # what goes out is JSON
        path = request.url.path
        if path.endswith(":batchEmbedContents"):
            count = len(sent[-1]["requests"])
            return httpx.Response(200, json={"embeddings": [{"values": [0.5]}] * count})
        if path.endswith(":embedContent"):
            return httpx.Response(200, json={"embedding": {"values": [0.5]}})
        if path.endswith(":countTokens"):
            return httpx.Response(200, json={"totalTokens": 1})
        if path.endswith(":streamGenerateContent"):
            return httpx.Response(200, content=b"data: " + json.dumps(GENERATE_OK).encode())
        return httpx.Response(200, json=GENERATE_OK)

    return handler


async def attempt(aio: genaio.AsyncClient, method: str, kwargs: dict[str, Any]) -> None:
    result = await getattr(aio.models, method)(model="gemini-2.0-flash", **kwargs)
    if method == "generate_content_stream":
        async for _ in result:
            pass


@pytest.mark.parametrize("batching", [True, False], ids=["coalescing", "plain"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(odd=ODD)
def test_a_value_that_is_not_json_is_the_callers_error(batching: bool, odd: Any) -> None:
    sent: list[Any] = []
    limits = genaio.Limits() if batching else genaio.Limits(batching=None)

    async def main() -> None:
        client = mock_client(server(sent), limits=limits)
        async with client.aio as aio:
            for method, kwargs in placements(odd):
                try:
                    await attempt(aio, method, kwargs)
                except (TypeError, ValueError) as exc:
                    assert not isinstance(exc, GenaioError), (method, kwargs, exc)
            stats = aio.statistics()["families"]["models"]
            assert (stats.restarts, stats.failed) == (0, 0)

    trio.run(main)


def test_an_arbitrary_object_as_a_part_is_a_type_error_at_once() -> None:
    sent: list[Any] = []

    async def main() -> None:
        async with mock_client(server(sent)).aio as aio:
            with pytest.raises(TypeError):
                await aio.models.generate_content(model="m", contents=[FakeImage()])
            with pytest.raises(TypeError):
                await aio.models.generate_content(
                    model="m",
                    contents="x",
                    config={"http_options": {"extra_body": {"k": {1, 2}}}},
                )
            submitted = aio.statistics()["families"]["models"].submitted
            assert submitted == 0  # no envelope was made

    trio.run(main)
    assert sent == []


def test_a_client_whose_extra_body_is_not_json_is_refused_when_made() -> None:
    with pytest.raises(TypeError, match="extra_body"):
        genaio.Client(api_key="k", http_options={"extra_body": {"k": object()}})


def test_a_call_is_built_once_with_its_body_written() -> None:
    from genaio.engine import CallOptions

    models = genaio.Client(api_key="k").aio.models
    options = CallOptions(timeout=3)
    call = models._rest(
        "PATCH",
        "p",
        query={"q": 1},
        body={"a": [1]},
        headers={"h": "v"},
        options=options,
        idempotent=False,
    )
    assert call.body == b'{"a":[1]}'
    assert (call.method, call.path, call.query, call.headers, call.options, call.idempotent) == (
        "PATCH",
        "p",
        {"q": 1},
        {"h": "v"},
        options,
        False,
    )
    # A body that takes extra_body fields stays a value, for the engine to merge them into.
    merged = models._rest("POST", "p", body={"a": 1}, options=CallOptions(extra_body={"b": 2}))
    assert merged.body == {"a": 1}
