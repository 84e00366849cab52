"""Long-running operations: the shape every family's operation shares."""

from __future__ import annotations

from typing import Any, Self

from genaio.types._base import WireModel
from genaio.types._http import HttpOptions

__all__ = [
    "GetOperationConfig",
    "GetOperationConfigDict",
    "GoogleRpcStatus",
    "Operation",
    "OperationError",
    "ProjectOperation",
]


class GoogleRpcStatus(WireModel):
    """A `google.rpc.Status`, the API's error object: a canonical code, a message, and typed
    details (each a dict with its `@type`)."""

    code: int | None = None
    message: str | None = None
    details: list[Any] | None = None


class OperationError(GoogleRpcStatus):
    """Why an operation failed."""


class Operation(WireModel):
    """`{name, metadata, done, error, response}`; `done` is None while it runs.

    Each producer has its own subclass (videos, file search imports and uploads) that parses
    `response` into its result; `client.aio.operations.get(op)` refreshes any of them, parsing
    the answer with `type(op).from_api`.
    """

    name: str | None = None
    metadata: dict[str, Any] | None = None
    done: bool | None = None
    error: OperationError | None = None
    response: dict[str, Any] | None = None

    def fetch_call(self) -> tuple[str, dict[str, Any]] | None:
        """How Vertex AI refreshes this operation when not by `GET {name}`: the path and body
        of a POST (video operations use `{model}:fetchPredictOperation`). None: a GET."""
        return None

    @classmethod
    def from_api(cls, data: Any, *, vertex: bool) -> Self:
        """The operation from a server answer; a subclass whose result is shaped differently on
        the two backends overrides this (the default is `from_wire`)."""
        return cls.from_wire(data)

    @classmethod
    def from_api_response(cls, api_response: Any, is_vertex_ai: bool = False) -> Self:
        """`from_api` under the official SDK's name and keywords."""
        return cls.from_api(api_response, vertex=is_vertex_ai)


class ProjectOperation(Operation):
    """An operation on a project's settings (Vertex AI), read like any other."""


class GetOperationConfig(WireModel):
    http_options: HttpOptions | None = None


GetOperationConfigDict = dict[str, Any]
