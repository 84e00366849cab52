"""`client.aio.models.embed_many`: embed an iterable of any length in bounded memory.

    async with client.aio.models.embed_many(model="gemini-embedding-001", contents=texts) as out:
        async for result in out:
            print(result.index, result.embedding.values[:3] if result.embedding else result.error)

Each item is one `embed_content` call; the models actor coalesces concurrent ones into batch
requests, so this fills batches with no extra work here. The input is read lazily, at most
`max_in_flight` items are in flight at once, and results come out as they finish, each with its
position in the input. Memory is bounded by what is in flight, never by the input's size.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any

import anyio
import attrs
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from genaio.errors import GenaioError, UnknownApiResponseError
from genaio.types import ContentEmbedding

if TYPE_CHECKING:
    from genaio.api.models import AsyncModels

__all__ = ["EmbedMany", "EmbeddingResult"]

#: Items read from a plain iterable between two checkpoints: enough to fill a batch request.
_CHECKPOINT_EVERY = 100


@attrs.frozen
class EmbeddingResult:
    """One input's outcome: its embedding, or the error that concerns it alone."""

    index: int
    embedding: ContentEmbedding | None = None
    error: Exception | None = None


class EmbedMany:
    """An async context manager whose value is an async iterator of `EmbeddingResult`s.

    Leaving the block early cancels the items still in flight and stops reading the input.
    """

    def __init__(
        self,
        models: AsyncModels,
        *,
        model: str,
        contents: Iterable[Any] | AsyncIterable[Any],
        config: Any = None,
        max_in_flight: int = 2000,
    ) -> None:
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        self._models = models
        self._model = model
        self._contents = contents
        self._config = config
        self._slots = anyio.CapacityLimiter(max_in_flight)
        self._tasks: anyio.abc.TaskGroup | None = None

    def __repr__(self) -> str:
        state = "running" if self._tasks is not None else "not started"
        return f"<genaio.EmbedMany {self._model} {state}>"

    async def __aenter__(self) -> MemoryObjectReceiveStream[EmbeddingResult]:
        send, self._receive = anyio.create_memory_object_stream[EmbeddingResult]()
        self._tasks = anyio.create_task_group()
        await self._tasks.__aenter__()
        self._tasks.start_soon(self._feed, send)
        return self._receive

    async def __aexit__(self, *exc_info: Any) -> bool | None:
        assert self._tasks is not None
        self._tasks.cancel_scope.cancel()
        self._receive.close()
        return await self._tasks.__aexit__(*exc_info)

    async def _feed(self, send: MemoryObjectSendStream[EmbeddingResult]) -> None:
        assert self._tasks is not None
        with send:
            index = 0
            async for content in _aiter(self._contents):
                try:  # a free slot is taken without a checkpoint: the calls of one scheduler
                    # round go out together and join one batch, not one call a round each
                    self._slots.acquire_on_behalf_of_nowait(index)
                except anyio.WouldBlock:
                    await self._slots.acquire_on_behalf_of(index)
                self._tasks.start_soon(self._embed_one, index, content, send.clone())
                index += 1

    async def _embed_one(
        self, index: int, content: Any, send: MemoryObjectSendStream[EmbeddingResult]
    ) -> None:
        # The slot is held until the reader takes the result: a slow reader slows the input.
        with send:
            try:
                try:
                    response = await self._models.embed_content(
                        model=self._model, contents=content, config=self._config
                    )
                    if not response.embeddings:
                        raise UnknownApiResponseError("the answer holds no embedding")
                    result = EmbeddingResult(index, embedding=response.embeddings[0])
                except (GenaioError, ValueError, TypeError) as error:
                    result = EmbeddingResult(index, error=error)
                await send.send(result)
            except anyio.BrokenResourceError:
                pass  # the reader has left the block: nobody wants this result
            finally:
                self._slots.release_on_behalf_of(index)


async def _aiter(items: Iterable[Any] | AsyncIterable[Any]) -> AsyncIterator[Any]:
    if isinstance(items, AsyncIterable):
        async for item in items:
            yield item
    else:
        for count, item in enumerate(items, 1):
            yield item
            if count % _CHECKPOINT_EVERY == 0:
                await anyio.lowlevel.checkpoint()
