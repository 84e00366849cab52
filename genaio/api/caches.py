"""`client.aio.caches`: context caching: create, get, update, delete, list cached contents."""

from __future__ import annotations

from genaio.api._resource import Resource

__all__ = ["AsyncCaches"]


class AsyncCaches(Resource):
    """Context caching: create, get, update, delete, list cached contents."""

    family = "caches"
