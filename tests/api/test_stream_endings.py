"""End of stream is a fact, not an absence: `async for chunk in await ...stream(...)` ends
normally only when the server ended the stream; every other ending raises one typed genaio error
after the chunks that did arrive. Each ending, under trio and asyncio."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx
import pytest

import genaio
from genaio.actors import Actor
from genaio.errors import (
    ActorCrashedError,
    GenaioError,
    InternalError,
    NetworkError,
    StreamInterruptedError,
    UnknownApiResponseError,
)
from tests.helpers import mock_client

MODEL = "gemini-2.0-flash"
TIMEOUT = 10


@pytest.fixture(params=["trio", "asyncio"])
def run(request: pytest.FixtureRequest) -> Any:
    """Runs a test's coroutine on each backend, in a loop of its own (trio_mode would run an
    `anyio`-marked test on trio only)."""
    return lambda main: anyio.run(main, backend=request.param)


def event(value: Any) -> bytes:
    return b"data: " + json.dumps(value).encode() + b"\r\n\r\n"


def chunk(text: str) -> bytes:
    return event({"candidates": [{"content": {"role": "model", "parts": [{"text": text}]}}]})


async def body(*parts: bytes, then: str = "end") -> AsyncIterator[bytes]:
    """The chunks of a stream's body, then: "end" (the server ends it), "hang" (it never does),
    or "bug" (the body's producer fails on a non-genaio exception)."""
    for part in parts:
        yield part
    if then == "hang":
        await anyio.sleep_forever()
    if then == "bug":
        raise ZeroDivisionError("a bug while reading the body")


def streaming(*parts: bytes, then: str = "end", **options: Any) -> genaio.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        if b"streamGenerateContent" not in request.url.raw_path:
            return httpx.Response(200, json={"candidates": []})
        return httpx.Response(200, content=body(*parts, then=then))

    return mock_client(handler, **options)


async def open_stream(aio: genaio.AsyncClient, contents: str = "hi") -> Any:
    return await aio.models.generate_content_stream(model=MODEL, contents=contents)


async def read(stream: Any, received: list[str]) -> None:
    async for piece in stream:
        received.append(piece.text)


def test_a_stream_the_server_ends_ends_normally(run) -> None:
    async def main() -> None:
        async with streaming(chunk("a"), chunk("b")).aio as aio:
            received: list[str] = []
            with anyio.fail_after(TIMEOUT):
                await read(await open_stream(aio), received)
            assert received == ["a", "b"]

    run(main)


def test_closing_the_client_mid_stream_raises_after_the_chunks(run) -> None:
    async def main() -> None:
        limits = genaio.Limits(shutdown_grace=0)
        async with streaming(chunk("a"), then="hang", limits=limits).aio as aio:
            received: list[str] = []
            stream = await open_stream(aio)
            with anyio.fail_after(TIMEOUT):
                received.append((await stream.__anext__()).text)
                await aio.aclose()
                with pytest.raises(StreamInterruptedError):
                    await read(stream, received)
            assert received == ["a"]

    run(main)


def test_closing_the_stream_while_another_task_reads_it_raises_there(run) -> None:
    async def main() -> None:
        async with streaming(chunk("a"), then="hang").aio as aio:
            received: list[str] = []
            stream = await open_stream(aio)
            outcome: list[BaseException] = []

            first = anyio.Event()

            async def reader() -> None:
                try:
                    async for piece in stream:
                        received.append(piece.text)
                        first.set()
                except GenaioError as exc:
                    outcome.append(exc)

            with anyio.fail_after(TIMEOUT):
                async with anyio.create_task_group() as group:
                    group.start_soon(reader)
                    await first.wait()
                    await stream.aclose()
            assert received == ["a"]
            assert [type(e) for e in outcome] == [StreamInterruptedError]

    run(main)


def test_a_crash_of_the_actor_mid_stream_raises_after_the_chunks(run, monkeypatch) -> None:
    async def main() -> None:
        async with streaming(chunk("a"), then="hang").aio as aio:
            received: list[str] = []
            stream = await open_stream(aio)
            with anyio.fail_after(TIMEOUT):
                received.append((await stream.__anext__()).text)

                async def bug(self: Any, envelope: Any, scope: Any) -> None:
                    raise RuntimeError("a bug in the actor's loop")

                monkeypatch.setattr(Actor, "_perform", bug)  # another call crashes the actor
                with pytest.raises(ActorCrashedError):
                    await aio.models.generate_content(model=MODEL, contents="other")
                with pytest.raises(StreamInterruptedError):
                    await read(stream, received)
            assert received == ["a"]

    run(main)


def test_a_cancelled_pump_raises_after_the_chunks(run) -> None:
    async def main() -> None:
        async with streaming(chunk("a"), chunk("b"), then="hang").aio as aio:
            received: list[str] = []
            stream = await open_stream(aio)
            with anyio.fail_after(TIMEOUT):
                received.append((await stream.__anext__()).text)
                stream._stream.cancel()  # the worker's scope, cancelled from elsewhere
                with pytest.raises(StreamInterruptedError):
                    await read(stream, received)
            assert received[0] == "a"

    run(main)


def test_a_bug_while_reading_raises_internal_error_after_the_chunks(run) -> None:
    async def main() -> None:
        async with streaming(chunk("a"), then="bug").aio as aio:
            received: list[str] = []
            with anyio.fail_after(TIMEOUT), pytest.raises(InternalError) as caught:
                await read(await open_stream(aio), received)
            assert isinstance(caught.value.__cause__, ZeroDivisionError)
            assert received == ["a"]
            # Only that call failed: the actor serves the next one, not restarted.
            await aio.models.generate_content(model=MODEL, contents="next")
            assert aio.statistics()["families"]["models"].restarts == 0

    run(main)


@pytest.mark.parametrize(
    "bad_event",
    [
        {"candidates": "not a list"},
        {"candidates": [{"content": {"parts": [{"text": 3.5j if False else ["x"]}]}}]},
        {"usageMetadata": {"totalTokenCount": "many"}},
    ],
)
def test_a_chunk_that_does_not_parse_raises_a_typed_error(run, bad_event) -> None:
    async def main() -> None:
        async with streaming(chunk("a"), event(bad_event), chunk("b")).aio as aio:
            received: list[str] = []
            with anyio.fail_after(TIMEOUT), pytest.raises(UnknownApiResponseError):
                await read(await open_stream(aio), received)
            assert received == ["a"]

    run(main)


@pytest.mark.parametrize(
    "error",
    [
        {"code": "not a number", "message": "m", "status": "INTERNAL"},
        {
            "code": 429,
            "status": "RESOURCE_EXHAUSTED",
            "details": [
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "soon"}
            ],
        },
        {"code": 500, "message": {"nested": ["odd"]}, "details": "not a list"},
        {"code": 10**30, "status": None},
    ],
)
def test_an_error_event_with_a_malformed_field_raises_a_typed_error(run, error) -> None:
    async def main() -> None:
        async with streaming(chunk("a"), event({"error": error}), chunk("b")).aio as aio:
            received: list[str] = []
            with anyio.fail_after(TIMEOUT), pytest.raises(GenaioError):
                await read(await open_stream(aio), received)
            assert received == ["a"]

    run(main)


# A hostile server on loopback, for what only the wire can say.


class Hostile:
    """Answers each request with `raw`, then closes the connection."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw

    async def handle(self, stream: anyio.abc.SocketStream) -> None:
        async with stream:
            head = b""
            while b"\r\n\r\n" not in head:
                head += await stream.receive()
            await stream.send(self.raw)


HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"


@pytest.mark.parametrize(
    "raw",
    [
        # chunked, cut before the last chunk
        HEAD
        + b"transfer-encoding: chunked\r\n\r\n"
        + b"%x\r\n" % len(chunk("a"))
        + chunk("a")
        + b"\r\n",
        # chunked, a chunk size that is not hex
        HEAD
        + b"transfer-encoding: chunked\r\n\r\n"
        + b"%x\r\n" % len(chunk("a"))
        + chunk("a")
        + b"\r\nzz\r\n",
        # a content-length the body never reaches
        HEAD + b"content-length: 10000\r\n\r\n" + chunk("a"),
    ],
    ids=["chunked-cut", "chunked-garbage", "short-body"],
)
def test_a_protocol_error_mid_stream_raises_after_the_chunks(run, raw) -> None:
    async def main() -> None:
        server = Hostile(raw)
        async with await anyio.create_tcp_listener(local_host="127.0.0.1") as listener:
            port = listener.extra(anyio.abc.SocketAttribute.local_port)
            options = {"base_url": f"http://127.0.0.1:{port}", "retry_options": {"attempts": 1}}
            async with anyio.create_task_group() as group:
                group.start_soon(listener.serve, server.handle)
                client = genaio.Client(api_key="k", http_options=options)
                async with client.aio as aio:
                    received: list[str] = []
                    with anyio.fail_after(TIMEOUT), pytest.raises(NetworkError):
                        await read(await open_stream(aio), received)
                    # A chunk that came in the same read as the broken bytes may go with them.
                    assert received in (["a"], []) if "zz" in repr(raw) else received == ["a"]
                group.cancel_scope.cancel()

    run(main)


def test_an_interrupted_chat_stream_records_no_turn(run) -> None:
    async def main() -> None:
        async with streaming(chunk("a"), then="hang").aio as aio:
            chat = aio.chats.create(model=MODEL)
            stream = await chat.send_message_stream("hi")
            received: list[str] = []
            with anyio.fail_after(TIMEOUT):
                received.append((await stream.__anext__()).text)
                stream._stream._stream.cancel()  # the pump stops before the server ended
                with pytest.raises(StreamInterruptedError):
                    await read(stream, received)
            assert received == ["a"]
            assert chat.get_history() == []  # a truncated answer is not a turn
            # The chat's turn was released: the next send goes.
            with anyio.fail_after(TIMEOUT):
                async with await chat.send_message_stream("again") as again:
                    assert (await again.__anext__()).text == "a"

    run(main)
