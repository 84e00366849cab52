"""`client.aio.credentials`: secrets that agents use to reach other services (experimental
in the API). A credential is a bearer token, an OAuth 2 client or an environment variable,
told apart by its `type`; the secret is write-only (see docs/credentials.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from genaio.api._managed import ManagedCollection, Overrides, wire_value
from genaio.types import Credential, CredentialListResponse, Empty

__all__ = ["AsyncCredentials"]


def _credential_body(request: Any, fields: dict[str, Any]) -> dict[str, Any]:
    """The credential's fields: `request` (a mapping or a model) or keywords, not both."""
    if request is None:
        return fields
    if fields:
        raise TypeError("pass the credential as request= or as keyword arguments, not both")
    body = wire_value(request)
    if not isinstance(body, dict):
        raise TypeError(f"request must be a mapping or a model, not {type(request).__name__}")
    return body


class AsyncCredentials(ManagedCollection[Credential, Empty]):
    """Create, read, update, list and delete credentials."""

    family = "credentials"
    collection = "credentials"
    _item_type = Credential
    _deleted_type = Empty

    async def create(
        self,
        *,
        request: Any = None,
        api_version: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the official signature; one cancel scope
        **body_kwargs: Any,
    ) -> Credential:
        """Store a credential: `type="bearer_token", id=..., token=...` and so on.

        Cancellation: cancelling the caller cancels the request; the credential may exist.
        """
        body = _credential_body(request, body_kwargs)
        overrides = Overrides(api_version, extra_headers, extra_query, extra_body, timeout)
        return await self._call("POST", "credentials", Credential, overrides, body=body)

    async def update(
        self,
        id: str,
        *,
        request: Any = None,
        api_version: str | None = None,
        update_mask: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the official signature; one cancel scope
        **body_kwargs: Any,
    ) -> Credential:
        """Change a credential's fields (those named in `update_mask`, comma-separated).

        Cancellation: cancelling the caller cancels the request; the update may still land.
        """
        body = _credential_body(request, body_kwargs)
        overrides = Overrides(api_version, extra_headers, extra_query, extra_body, timeout)
        query = {"update_mask": update_mask}
        return await self._call(
            "PATCH", self._item_path(id), Credential, overrides, query=query, body=body
        )

    async def list(
        self,
        *,
        api_version: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the official signature; one cancel scope
    ) -> CredentialListResponse:
        """One page of credentials; pass its `next_page_token` as `page_token` for the next.

        Cancellation: cancelling the caller cancels the request.
        """
        query = {"page_size": page_size, "page_token": page_token}
        overrides = Overrides(api_version, extra_headers, extra_query, None, timeout)
        return await self._call(
            "GET", "credentials", CredentialListResponse, overrides, query=query
        )
