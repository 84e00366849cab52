"""Long-running operations: the shape every family's operation shares."""

from __future__ import annotations

from typing import Any

from genaio.types._base import WireModel

__all__ = ["Operation", "OperationError"]


class OperationError(WireModel):
    code: int | None = None
    message: str | None = None
    details: list[Any] | None = None


class Operation(WireModel):
    """`{name, metadata, done, error, response}`; `done` is None while it runs.

    Each producer has its own subclass (videos, file search imports and uploads) that parses
    `response` into its result; `client.aio.operations.get(op)` refreshes any of them.
    """

    name: str | None = None
    metadata: dict[str, Any] | None = None
    done: bool | None = None
    error: OperationError | None = None
    response: dict[str, Any] | None = None
