"""genaio for Ray Data pipelines: `Embedder`, a callable class for `Dataset.map_batches`.

    ds = ds.map_batches(
        genaio.ray.Embedder,
        fn_constructor_kwargs={"model": "gemini-embedding-001", "quota_url": "redis://q:6379"},
        concurrency=4,      # actors: each its own client
        batch_size=500,
    )

Each actor builds one genaio client and keeps it open in a trio loop on a thread of its own, so
its connections, its throttle and its coalescing live across batches. A batch's texts go
through `embed_many`: coalesced into batch requests, throttled (by the Redis quota all actors
share when `quota_url` is given), retried on 429s and 5xx. An item that still fails fails its
batch with genaio's typed error, and Ray Data retries the batch as it retries any task.
Importing this module does not import Ray; `genaio[ray]` installs it.
"""

from __future__ import annotations

import threading
from typing import Any

import trio

import genaio
from genaio.errors import UnknownApiResponseError

__all__ = ["Embedder"]


class Embedder:
    """Adds `output_column` (a float32 vector per row) to each batch, embedding `column`.

    `rpm`/`tpm` are the model's limits (the whole quota: with `quota_url` every actor shares
    it through Redis; without, each actor takes them as its own). `api_key` and `base_url`
    default to the environment, as `genaio.Client`'s do.
    """

    def __init__(
        self,
        model: str = "gemini-embedding-001",
        *,
        column: str = "text",
        output_column: str = "embedding",
        dimensions: int | None = None,
        task_type: str | None = None,
        quota_url: str | None = None,
        rpm: float | None = None,
        tpm: float | None = None,
        concurrency: int = 100,
        api_key: str | None = None,
        base_url: str | None = None,
    ) -> None:
        self.model = model
        self.column = column
        self.output_column = output_column
        config = {"output_dimensionality": dimensions, "task_type": task_type}
        self._config = {k: v for k, v in config.items() if v is not None} or None
        rates = {model: genaio.RateLimit(rpm, tpm, burst=False)} if rpm or tpm else {}
        limits = genaio.Limits(
            families={"models": genaio.FamilyLimits(concurrency=concurrency)},
            model_rates=rates,
            quota=genaio.RedisQuota(quota_url) if quota_url else None,
        )
        options = {"base_url": base_url} if base_url else None
        self._client = genaio.Client(api_key=api_key, http_options=options, limits=limits)
        self._aio: genaio.AsyncClient | None = None
        self._token: trio.lowlevel.TrioToken | None = None
        ready = threading.Event()
        failed: list[BaseException] = []

        def serve() -> None:
            try:
                trio.run(self._serve, ready)
            except BaseException as error:  # reported to the constructor, which raises it
                failed.append(error)
                ready.set()

        threading.Thread(target=serve, name="genaio-embedder", daemon=True).start()
        ready.wait()
        if failed:
            raise failed[0]

    async def _serve(self, ready: threading.Event) -> None:
        async with self._client.aio as aio:
            self._aio, self._token = aio, trio.lowlevel.current_trio_token()
            ready.set()
            await trio.sleep_forever()  # the actor's life: its process ends it

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        """Embed the batch's `column` (a numpy batch, Ray Data's default format)."""
        import numpy

        texts = [str(text) for text in batch[self.column]]
        vectors = trio.from_thread.run(self._embed, texts, trio_token=self._token)
        batch[self.output_column] = numpy.asarray(vectors, dtype=numpy.float32)
        return batch

    async def _embed(self, texts: list[str]) -> list[list[float]]:
        assert self._aio is not None
        vectors: list[list[float]] = [[] for _ in texts]
        many = self._aio.models.embed_many(model=self.model, contents=texts, config=self._config)
        async with many as results:
            async for result in results:
                if result.error is not None:
                    raise result.error
                if result.embedding is None or not result.embedding.values:
                    raise UnknownApiResponseError(f"no values for item {result.index}")
                vectors[result.index] = result.embedding.values
        return vectors
