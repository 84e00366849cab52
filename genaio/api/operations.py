"""`client.aio.operations`: long-running operations: get, and wait until done."""

from __future__ import annotations

from genaio.api._resource import Resource

__all__ = ["AsyncOperations"]


class AsyncOperations(Resource):
    """Long-running operations: get, and wait until done."""

    family = "operations"
