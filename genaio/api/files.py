"""`client.aio.files`: the Files API, with resumable uploads streamed from disk."""

from __future__ import annotations

from genaio.api._resource import Resource

__all__ = ["AsyncFiles"]


class AsyncFiles(Resource):
    """The Files API: upload (resumable, streamed from disk), get, list, delete, download."""

    family = "files"
