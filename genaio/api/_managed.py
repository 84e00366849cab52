"""What the families google-genai 3.6 added share: one collection of resources each.

Agents, credentials, environments, triggers, voices and webhooks are each a collection under
`/{version}/{collection}` (decisions only creates); their wire keys are snake_case, a body holds
only the fields given, a list answer is one page with its `next_page_token` (the caller asks
for the next), and each method takes the official client's per-call overrides
(`api_version`, `extra_headers`, `extra_query`, `extra_body`, `timeout` in seconds). Every call
takes `Resource`'s one REST path; a family module only names its fields.

Four of them are experimental in the SDK, which warns once per process when one is first used
from a client: `api/_client.py`'s `LazyFamily` does the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, Generic, TypeVar
from urllib.parse import urlencode

import attrs
from pydantic import BaseModel

from genaio.api._resource import Resource
from genaio.engine import CallOptions
from genaio.types import WireModel

__all__ = [
    "ManagedCollection",
    "ManagedResource",
    "Overrides",
    "resource_id",
    "wire_value",
]

ItemT = TypeVar("ItemT", bound=BaseModel)
DeletedT = TypeVar("DeletedT", bound=BaseModel)
T = TypeVar("T")


@attrs.frozen
class Overrides:
    """The per-call overrides the official client takes as arguments of every method."""

    api_version: str | None = None
    extra_headers: Mapping[str, str] | None = None
    extra_query: Mapping[str, Any] | None = None
    extra_body: Mapping[str, Any] | None = None
    timeout: float | None = None

    def options(self) -> CallOptions | None:
        if (
            self.api_version is None
            and not self.extra_headers
            and self.extra_body is None
            and self.timeout is None
        ):
            return None
        headers = {k.lower(): v for k, v in (self.extra_headers or {}).items()}
        return CallOptions(
            api_version=self.api_version,
            headers=headers or None,
            extra_body=self.extra_body,
            timeout=self.timeout,
        )


def wire_value(value: Any) -> Any:
    """A value for a snake_case body or query: models dumped (genaio's by their Python names,
    the official SDK's by their own wire names), containers walked, unset fields dropped."""
    if isinstance(value, WireModel):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(value, Mapping):
        return {k: wire_value(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [wire_value(v) for v in value]
    if isinstance(value, Iterable) and not isinstance(value, str | bytes):
        return [wire_value(v) for v in value]
    return value


def resource_id(value: str, what: str = "id") -> str:
    """An id that stays one path segment: a slash or a query would address something else."""
    if not isinstance(value, str) or not value or any(c in value for c in "/?#"):
        raise ValueError(f"invalid {what} {value!r}")
    return value


class ManagedResource(Resource):
    """A family of these: `_call` is the one call every method makes."""

    async def _call(
        self,
        method: str,
        path: str,
        parse: type[T],
        overrides: Overrides,
        *,
        query: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> T:
        """Make the call (fields that are None are not sent) and parse its answer as `parse`.

        Cancellation: cancelling the caller cancels the request.
        """
        full_query = {**(query or {}), **(overrides.extra_query or {})}
        fields = {k: wire_value(v) for k, v in full_query.items() if v is not None}
        if fields:  # in the path: a list is the same key repeated, as the official client sends
            path = f"{path}?{urlencode(fields, doseq=True)}"
        call = self._rest(
            method,
            path,
            body=wire_value(body) if body is not None else None,
            options=overrides.options(),
            idempotent=method in ("GET", "DELETE"),
        )
        data = (await self._request(call)).data
        from_wire: Callable[[Any], T] = getattr(parse, "from_wire", parse)
        return from_wire(data if data is not None else {})


class ManagedCollection(ManagedResource, Generic[ItemT, DeletedT]):
    """A family whose resources are `{collection}/{id}`: `get` and `delete` are the same in
    each."""

    collection: ClassVar[str]
    _item_type: type[ItemT]
    _deleted_type: type[DeletedT]

    async def get(
        self,
        id: str,
        *,
        api_version: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the official signature; one cancel scope
    ) -> ItemT:
        """One resource of the collection, by its id.

        Cancellation: cancelling the caller cancels the request.
        """
        overrides = Overrides(api_version, extra_headers, extra_query, None, timeout)
        return await self._call("GET", self._item_path(id), self._item_type, overrides)

    async def delete(
        self,
        id: str,
        *,
        api_version: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the official signature; one cancel scope
    ) -> DeletedT:
        """Delete one resource of the collection.

        Cancellation: cancelling the caller cancels the request; the deletion may still land.
        """
        overrides = Overrides(api_version, extra_headers, extra_query, None, timeout)
        return await self._call("DELETE", self._item_path(id), self._deleted_type, overrides)

    def _item_path(self, id: str, action: str = "") -> str:
        return f"{self.collection}/{resource_id(id)}{action}"
