"""`client.aio.files`: the Files API: upload (resumable, streamed from disk), get, list, delete, download."""

from __future__ import annotations

from genaio.api._resource import Resource

__all__ = ["AsyncFiles"]


class AsyncFiles(Resource):
    """The Files API: upload (resumable, streamed from disk), get, list, delete, download."""

    family = "files"
