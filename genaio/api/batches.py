"""`client.aio.batches`: batch jobs, inlined or from a file, and embeddings batches."""

from __future__ import annotations

from genaio.api._resource import Resource

__all__ = ["AsyncBatches"]


class AsyncBatches(Resource):
    """Batch jobs: create (inlined or from a file), embeddings, get, cancel, delete, list."""

    family = "batches"
