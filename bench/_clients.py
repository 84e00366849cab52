"""The clients under test, as the worker process drives them (imported there only).

Each client is opened with `open_client(name, url, ...)`, an async context manager that yields
`call(i)`: one `generate_content` or one `embed_content` (one content, so one embedding) as that
client makes it, answered in full (JSON parsed). The event loop a client runs on is part of its
name; the worker starts that loop.

| name | what | loop |
| --- | --- | --- |
| `genaio-trio`, `genaio-asyncio` | `genaio.Client(...).aio.models.*` | trio, asyncio |
| `sdk-httpx2` | google-genai's `client.aio.models.*`, its default transport (httpx2) | asyncio |
| `sdk-aiohttp` | google-genai with aiohttp importable (the SDK then picks it by itself) | asyncio |
| `httpx-trio`, `httpx2-trio` | a raw `AsyncClient.post` + `json.loads` | trio |
| `aiohttp-raw` | a raw `ClientSession.post` + `json.loads` (aiohttp's C parser) | asyncio |
"""

from __future__ import annotations

import asyncio
import json
import os
import ssl
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import sniffio

__all__ = [
    "BACKENDS",
    "CLIENTS",
    "EMBED_MODEL",
    "GENERATE_MODEL",
    "native_task_group",
    "open_client",
]

GENERATE_MODEL = "gemini-2.0-flash"
EMBED_MODEL = "text-embedding-004"
PROMPT = "Tell me about the benchmark."
API_KEY = "bench-key"

BACKENDS = {
    "genaio-trio": "trio",
    "genaio-asyncio": "asyncio",
    "sdk-httpx2": "asyncio",
    "sdk-aiohttp": "asyncio",
    "httpx-trio": "trio",
    "httpx2-trio": "trio",
    "aiohttp-raw": "asyncio",
}
CLIENTS = tuple(BACKENDS)

Call = Callable[[int], Awaitable[Any]]
#: The worker's answer channel (set by the worker), for `answer_and_exit`.
ANSWERS: Any = None


def answer_and_exit(result: dict[str, Any]) -> None:
    """Answer the parent and end the worker at once, skipping the event loop's cleanup (which,
    after tens of thousands of cancelled tasks, would take longer than the measurement)."""
    ANSWERS.write(json.dumps(result) + "\n")
    ANSWERS.flush()
    os._exit(0)


def prepare(name: str) -> None:
    """Set up the interpreter before any client is imported (the worker calls this first)."""
    if name == "sdk-httpx2":
        # The SDK takes aiohttp whenever it can import it; its default transport is measured
        # with aiohttp hidden, as on a machine without it.
        sys.modules["aiohttp"] = None  # type: ignore[assignment]


def _text(i: int) -> str:
    return f"{PROMPT} ({i})"


@asynccontextmanager
async def native_task_group() -> AsyncIterator[Callable[..., object]]:
    """The running loop's own task group (trio's nursery, asyncio's TaskGroup): how each
    client's users spawn thousands of calls at once. anyio's task group adds 20-50 µs a task
    on trio (a task handle and a wrapping coroutine each), which would be charged to the
    client when the calls are timed from their start."""
    if sniffio.current_async_library() == "trio":
        import trio

        async with trio.open_nursery() as nursery:
            yield nursery.start_soon
    else:
        async with asyncio.TaskGroup() as group:
            yield lambda fn, *args: group.create_task(fn(*args))


@asynccontextmanager
async def open_client(
    name: str,
    url: str,
    *,
    endpoint: str = "generate",
    concurrency: int = 64,
    batching: bool = False,
    dimensions: int | None = None,
    http2: bool | str = False,
    cafile: str | None = None,
) -> AsyncIterator[Call]:
    """Yield `call(i)` for client `name` against the server at `url`.

    `batching` turns genaio's coalescing on (it is off for throughput, where each call must be
    one request); `dimensions` asks for embeddings of that size; `http2` and `cafile` are for
    the HTTP/2 comparison (genaio only; `http2="httpx"`: through httpx's own pool and h2).
    """
    opener = {
        "genaio-trio": _genaio,
        "genaio-asyncio": _genaio,
        "sdk-httpx2": _sdk,
        "sdk-aiohttp": _sdk,
        "httpx-trio": _httpx,
        "httpx2-trio": _httpx,
        "aiohttp-raw": _aiohttp,
    }[name]
    async with opener(
        name,
        url,
        endpoint=endpoint,
        concurrency=concurrency,
        batching=batching,
        dimensions=dimensions,
        http2=http2,
        cafile=cafile,
    ) as call:
        yield call


@asynccontextmanager
async def _genaio(name: str, url: str, **kw: Any) -> AsyncIterator[Call]:
    import genaio

    concurrency = max(100, kw["concurrency"])
    limits = genaio.Limits(
        families={
            "models": genaio.FamilyLimits(
                concurrency=concurrency, mailbox_size=max(256, concurrency)
            )
        },
        **({} if kw["batching"] else {"batching": None}),
    )
    http_options: dict[str, Any] = {"base_url": url}
    client_args: dict[str, Any] = {}
    if kw["cafile"]:  # trusted as users trust a CA of their own (httpx reads it), so that the
        os.environ["SSL_CERT_FILE"] = kw["cafile"]  # pool makes its TLS context, as shipped
    if kw["http2"] == "httpx":
        import httpx

        pool = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        verify = ssl.create_default_context(cafile=kw["cafile"]) if kw["cafile"] else True
        client_args["transport"] = httpx.AsyncHTTPTransport(http2=True, verify=verify, limits=pool)
    elif kw["cafile"]:
        client_args["http2"] = bool(kw["http2"])  # the default is HTTP/2: HTTP/1.1 is asked for
    if client_args:
        http_options["async_client_args"] = client_args
    client = genaio.Client(api_key=API_KEY, http_options=http_options, limits=limits)
    config = {"output_dimensionality": kw["dimensions"]} if kw["dimensions"] else None
    async with client.aio as aio:
        models = aio.models
        if kw["endpoint"] == "generate":

            async def call(i: int) -> Any:
                return (await models.generate_content(model=GENERATE_MODEL, contents=_text(i))).text

        else:

            async def call(i: int) -> Any:
                response = await models.embed_content(
                    model=EMBED_MODEL, contents=_text(i), config=config
                )
                return response.embeddings[0].values

        yield call


@asynccontextmanager
async def _sdk(name: str, url: str, **kw: Any) -> AsyncIterator[Call]:
    from google import genai

    client = genai.Client(api_key=API_KEY, http_options={"base_url": url})
    config = {"output_dimensionality": kw["dimensions"]} if kw["dimensions"] else None
    models = client.aio.models
    if kw["endpoint"] == "generate":

        async def call(i: int) -> Any:
            return (await models.generate_content(model=GENERATE_MODEL, contents=_text(i))).text

    else:

        async def call(i: int) -> Any:
            response = await models.embed_content(
                model=EMBED_MODEL, contents=_text(i), config=config
            )
            return response.embeddings[0].values

    try:
        yield call
    finally:
        await client.aio.aclose()


def _raw_request(url: str, endpoint: str) -> tuple[str, Callable[[int], bytes]]:
    if endpoint == "generate":
        target = f"{url}/v1/models/{GENERATE_MODEL}:generateContent"

        def body(i: int) -> bytes:
            contents = [{"role": "user", "parts": [{"text": _text(i)}]}]
            return json.dumps({"contents": contents}).encode()

    else:
        target = f"{url}/v1/models/{EMBED_MODEL}:batchEmbedContents"

        def body(i: int) -> bytes:
            request = {"model": f"models/{EMBED_MODEL}", "content": {"parts": [{"text": _text(i)}]}}
            return json.dumps({"requests": [request]}).encode()

    return target, body


_HEADERS = {"content-type": "application/json", "x-goog-api-key": API_KEY}


@asynccontextmanager
async def _httpx(name: str, url: str, **kw: Any) -> AsyncIterator[Call]:
    if name == "httpx2-trio":
        import httpx2 as httpx
    else:
        import httpx

    target, body = _raw_request(url, kw["endpoint"])
    limits = httpx.Limits(
        max_connections=max(100, kw["concurrency"]),
        max_keepalive_connections=max(100, kw["concurrency"]),
    )
    async with httpx.AsyncClient(limits=limits, timeout=None) as client:

        async def call(i: int) -> Any:
            response = await client.post(target, content=body(i), headers=_HEADERS)
            response.raise_for_status()
            return json.loads(response.content)

        yield call


@asynccontextmanager
async def _aiohttp(name: str, url: str, **kw: Any) -> AsyncIterator[Call]:
    import aiohttp

    target, body = _raw_request(url, kw["endpoint"])
    connector = aiohttp.TCPConnector(limit=max(100, kw["concurrency"]))
    async with aiohttp.ClientSession(connector=connector) as session:

        async def call(i: int) -> Any:
            async with session.post(target, data=body(i), headers=_HEADERS) as response:
                response.raise_for_status()
                return json.loads(await response.read())

        yield call
