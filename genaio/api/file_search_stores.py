"""`client.aio.file_search_stores`: file search stores and their documents, uploads and imports."""

from __future__ import annotations

from genaio.api._resource import Resource

__all__ = ["AsyncFileSearchStores"]


class AsyncFileSearchStores(Resource):
    """File search stores and their documents, uploads and imports."""

    family = "file_search_stores"
